/* taskctx.h - the task context handlers read (uid(), ppid(), pexecname(),
 * cmdline_str(), ...), captured at the event.
 *
 * A source whose handlers call them gets a companion source: a BPF
 * program beside the source's own delivery (it returns 1: the event is
 * still delivered) reads them from `current` along BTF offsets into a
 * synthesized record, just before the event itself.  The runtime keeps
 * the latest record per tid (runtime/taskctx.h) and the builtins answer
 * from it, live and from recordings alike.  A backend without BPF
 * (trace-cmd) serves no companion: the builtins read /proc when the
 * handler runs and the process tree for exited tasks.
 */
#ifndef ST_LOWERING_TASKCTX_H
#define ST_LOWERING_TASKCTX_H

#include <stddef.h>
#include <stdint.h>

struct st_plan;
struct st_source;

enum st_taskctx_item {
	ST_TC_UID, ST_TC_EUID, ST_TC_GID, ST_TC_EGID, ST_TC_PPID, ST_TC_PGRP, ST_TC_SID, ST_TC_PCOMM,
	ST_TC_ARG_START, ST_TC_ARG_END, ST_TC_CMDLINE, ST_TC_PRIO, ST_TC_STATIC_PRIO,
	ST_TC_NITEMS
};
/* The items the process tree answers for exited tasks without a companion. */
#define ST_TASKCTX_PARENT_ITEMS ((1u << ST_TC_PPID) | (1u << ST_TC_PCOMM))
/* The companion's system (its event is "<system>__<event>" of the source). */
#define ST_TASKCTX_SYSTEM "stap_task"
/* Bytes of the command line captured (stap's MAXSTRINGLEN). */
#define ST_TASKCTX_CMDLINE_MAX 512

/* The items a builtin reads (a bit per enum st_taskctx_item), 0 for none. */
unsigned st_taskctx_builtin_items(int builtin);
/* The cap path that keys item i in a companion's caps ("uid()"). */
const char *st_taskctx_item_path(unsigned item);
struct st_stmt;
struct st_expr;
/* The items a probe's handler and condition read, through the functions
 * they call (nfuncs: the program's function count). */
unsigned st_taskctx_items(const struct st_stmt *body, const struct st_expr *cond, uint32_t nfuncs);
/* After lowering: a companion for every source whose handlers read items
 * (st_source.ctx_want).  Adds sources: nothing may add any after it.  0,
 * or -EINVAL with msg. */
int st_taskctx_plan(struct st_plan *p, char *msg, size_t msgsz);
/* Give source `src` of the plan a companion reading `items` (or add them
 * to its companion).  0; -ENOTSUP when the source kind has none.  Items
 * the kernel's BTF cannot reach are left out (no companion at all when
 * none is left): their builtins answer when the handler runs. */
int st_taskctx_need(struct st_plan *p, uint32_t src, unsigned items, char *msg, size_t msgsz);

#endif
