/* perf_dispatch.h - many syscall capture programs behind one raw_syscalls
 * event per direction.
 *
 * A syscall source whose handlers read user memory or BTF values runs a
 * BPF program at its own syscalls:sys_enter_X (sys_exit_X) perf event, and
 * closing each of those costs the kernel an RCU grace period (~40 ms): a
 * script over syscall.* with strings took seconds to tear down.  The
 * records are byte-compatible with raw_syscalls' (perf_syscalls.h), so when
 * there are many, the programs stay as they are but sit in a
 * BPF_MAP_TYPE_PROG_ARRAY at their syscall number, and one dispatcher
 * program on one raw_syscalls perf event reads the record's id and
 * tail-calls into the slot (a missing slot falls through: nothing runs).
 *
 * Levels: a prog array slot holds one program, and a tail call does not
 * come back, so each array has a dispatcher of its own, all on
 * raw_syscalls, attached in level order (a tracepoint runs its programs in
 * the order attached).  The task context companions of folded sources
 * (lowering/taskctx.h) take the first levels: their record must precede
 * the source's; a second program at one syscall number takes the next
 * level of its group.
 *
 * Compat (32-bit) syscalls: syscalls:* tracepoints do not report them, but
 * raw_syscalls does, with the 32-bit numbering.  On x86-64 the dispatcher
 * reads the task's thread_info.status (offset from BTF) and passes over
 * TS_COMPAT syscalls, as the tracepoints it replaces did.
 */
#ifndef ST_PLUGINS_PERF_DISPATCH_H
#define ST_PLUGINS_PERF_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

struct st_perf_attach;
struct st_perf_evt;
struct st_source;

/* More than this many capture syscall sources of one direction fold.  The
 * trade, measured on 6.18 (noisy, 2 loaded CPUs): each source left alone
 * is a tracepoint perf event (a second one for its task context) whose
 * close waits ~40 ms for an RCU grace period under the kernel's
 * event_mutex, so closes from several threads barely overlap (strace.stp:
 * 172 such events, 2.1-2.7 s of teardown with 16 closing threads, 0.3-0.4
 * s folded).  The fold costs every syscall the script does not ask for a
 * raw_syscalls record and the dispatcher's run: ~+180 ns per getppid
 * (median of paired rounds), where 8 events cost ~320 ms once; a matching
 * syscall costs the same either way (openat +1370 vs +1350 ns).  The
 * same bound as the fold of syscalls without captures (perf_syscalls.h).
 * STAPLET_SYSCALL_DISPATCH=N overrides it: 0 folds always, -1 never. */
#define ST_PERF_DISP_MIN 8
#define ST_PERF_DISP_NR 1024        /* prog array slots: syscall numbers */
#define ST_PERF_DISP_LEVELS 4       /* per group (companions, sources) */
#define ST_PERF_DISP_MAX_INSNS 32
#define ST_PERF_DISP_TS_COMPAT 0x2  /* x86 thread_info.status: a 32-bit syscall */

struct st_perf_disp_level {
	bool companion;               /* the group: task context programs */
	int array_fd, prog_fd, tp_fd;
	uint32_t n;                   /* programs in the array */
	uint64_t used[ST_PERF_DISP_NR / 64];
};

struct st_perf_disp {
	bool exit;                    /* raw_syscalls:sys_exit, else sys_enter */
	struct st_perf_disp_level lvl[2 * ST_PERF_DISP_LEVELS];
	uint32_t nlvl;
};

/* The dispatcher: r1's record id (offset 8) below ST_PERF_DISP_NR picks the
 * slot of array_fd; compat_off >= 0: the offset of thread_info.status in
 * task_struct, whose TS_COMPAT bit makes it pass.  Returns 1 (the
 * tracepoint's other perf events keep their samples).  The instruction
 * count, or -E2BIG. */
int st_perf_disp_emit(int array_fd, int32_t compat_off, struct bpf_insn *out, uint32_t max);

/* Take a slot for a program at syscall nr in group `companion`: the level
 * index (the first of the group free at nr; a new one when none is), or -1
 * when the group's ST_PERF_DISP_LEVELS levels are all taken at nr.  The
 * attach order is by group, not index.  No fds are made. */
int st_perf_disp_place(struct st_perf_disp *d, bool companion, uint32_t nr);

/* Plan after the events are described: which ones fold (evt->disp), -v
 * says so.  Creates the prog arrays; a kernel without them folds nothing. */
int st_perf_disp_plan(struct st_perf_attach *a, const struct st_source *src, uint32_t nsrc, char **err);
/* A folded event's program goes into its slot (instead of an event). */
int st_perf_disp_add(struct st_perf_attach *a, const struct st_perf_evt *e, int prog_fd, char **err);
/* Load the dispatchers and attach them to raw_syscalls, level by level
 * (after every other program there).  Disabled until enable. */
int st_perf_disp_attach(struct st_perf_attach *a, char **err);
int st_perf_disp_enable(struct st_perf_attach *a, char **err);
void st_perf_disp_disable(struct st_perf_attach *a);
/* Hand every fd to the closing list (perf_int.h st_perf_fds) and free. */
struct st_perf_fds;
void st_perf_disp_close(struct st_perf_attach *a, struct st_perf_fds *all);

#endif
