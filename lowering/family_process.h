/* family_process.h - user-space probe points: process("PATH").function(P)
 * [.call|.exported|.inline][.return], .statement("f@file:line"), .plt("n"),
 * .mark("n") / .provider("p").mark("n") (USDT), process("PATH").begin, served by
 * tracefs uprobe events the plugins create; process.begin/end and
 * process.thread.begin/end over sched tracepoints.
 */
#ifndef ST_LOWERING_FAMILY_PROCESS_H
#define ST_LOWERING_FAMILY_PROCESS_H

#include <stdbool.h>
#include "frontend/ast.h"
#include "lowering/families.h"

struct st_arena;
struct st_source;

/* Group of our uprobe events in plans and recordings.  Live, the plugins
 * create them under "staplet_<pid>" (see runtime/dynevent.h). */
#define ST_UPROBE_SYSTEM "staplet"

bool st_process_is_family(const struct st_probe_point *pp);
int st_process_expand(struct st_arena *arena, const struct st_probe_point *pp,
		      int (*add)(void *arg, struct st_probe_point *concrete), void *arg, char **err);
int st_process_classify(const struct st_probe_point *pp, struct st_family_point *fp);
/* st_family_var at a uprobe (fbuf: ST_FIELD_NAME_MAX bytes) */
enum st_ctxvar_kind st_process_var(const struct st_family_point *fp, const char *name, bool dollar, char *fbuf,
				   const char **field, enum st_type *type);
/* user_string($var): the field holding the string the uprobe captured with
 * a `:ustring` fetch, written to buf (ST_FIELD_NAME_MAX bytes), or NULL
 * when $var is not something we can fetch. */
const char *st_process_string_field(const struct st_family_point *fp, const char *target, char *buf);
/* $p->m[2].n (steps from the variable `target`, "$p") at a uprobe: the
 * field of a fetch argument reading it from user memory at the event, or
 * the string it names (want_string: user_string()).  *is_string: the
 * field is a string.  NULL with msg when it does not resolve. */
struct st_uelf_step;
const char *st_process_chain_field(const struct st_family_point *fp, const char *target,
				   const struct st_uelf_step *steps, uint32_t nsteps, bool want_string,
				   bool *is_string, char *msg, size_t msglen);
/* $vars, @entry's paired entry point (the same uprobe event as a probe
 * on the entry) and parameters read there, over site_vars.h */
struct st_site_ops;
extern const struct st_site_ops st_uprobe_site_ops;
/* Pretty forms ($$parms $$vars $$locals $$return, $x$ $x$$): the printf
 * format stap would use and the `$name` targets it prints, in order; -1 when
 * `name` is not one or cannot be printed here. */
int st_process_pretty(const struct st_family_point *fp, const char *name, char *fmt, size_t flen,
		      char targets[][64], uint32_t max);
/* Fill a new ST_SRC_UPROBE source from its point, and (again after each
 * handler adds fields) its fetch arguments from the fields it reads. */
void st_process_source_init(struct st_source *s, const struct st_family_point *fp, struct st_arena *arena);
void st_process_source_fetch(struct st_source *s, const struct st_family_point *fp, struct st_arena *arena);
/* Fields any uprobe can fetch without DWARF: "uarg_N_s32|u32|s64|u64"
 * (int_arg(N) ... u64_arg(N)) and "ureg_N" (@uregister(N)). */
bool st_process_abi_field(const char *field);
/* Drop cached ELF files. */
void st_process_cache_free(void);

/* The ELF file a uprobe site is in (NULL for none). */
const char *st_uprobe_site_path(const struct st_uprobe_site *u);

#endif
