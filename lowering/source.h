/* source.h - the event sources of a plan: what the kernel (or the runtime's
 * clock) must deliver for the probes to fire.
 *
 * A source is plain data: no fds.  Plugins attach the sources they can serve
 * (tracepoints, dynamic probes, perf counters); the runtime serves begin, end,
 * error and timers itself.  `name` is a source's identity in recordings: a
 * report matches the sources of its plan against the recorded ones by name.
 */
#ifndef ST_LOWERING_SOURCE_H
#define ST_LOWERING_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

struct st_inkernel;

enum st_source_kind {
	ST_SRC_BEGIN,
	ST_SRC_END,
	ST_SRC_ERROR,
	ST_SRC_NEVER,
	ST_SRC_TIMER,        /* period_ns; live: runtime clock, replay: event timestamps */
	ST_SRC_TRACEPOINT,   /* system:event from tracefs events/ */
	ST_SRC_UPROBE,       /* tracefs uprobe event the plugin creates: system:event */
	ST_SRC_KPROBE,       /* tracefs kprobe event the plugin creates: system:event */
	ST_SRC_PERF,         /* perf_event_open counter or sampler */
};

/* One value a BPF capture program reads at a tracepoint.  v starts at the
 * root: ctx->args[arg] of a raw tracepoint (ST_BTF_ROOT_ARG), the current
 * task_struct (ST_BTF_ROOT_TASK, task_current()), or the `size`-byte field at
 * ctx offset `arg` of a tracepoint record (ST_BTF_ROOT_CTX: syscall
 * arguments).  Then, for each hop, v = *(u64 *)(v + hop[i] + X[i]) where X[i]
 * is the value of cap hop_idx[i] - 1 (an earlier, direct cap: an index known
 * at the event) times hop_stride[i], or 0 when hop_idx[i] is 0; the final
 * location is v + off + X[nhops] likewise.  The value is v itself (direct),
 * that location (addr: a char array is its address, as in stap), the
 * string there (is_string; through one more pointer when str_ptr), or
 * `size` bytes there.  The record field `field` holds it. */
#define ST_BTF_MAX_HOPS 8
enum { ST_BTF_ROOT_ARG, ST_BTF_ROOT_TASK, ST_BTF_ROOT_CTX };
struct st_btf_cap {
	const char *field;   /* "stap_btf0": the synthesized record's field */
	const char *path;    /* "$prev->pid" */
	uint8_t root;
	uint32_t arg;
	uint32_t nhops;
	uint32_t hop[ST_BTF_MAX_HOPS];
	uint32_t hop_idx[ST_BTF_MAX_HOPS + 1], hop_stride[ST_BTF_MAX_HOPS + 1];
	uint32_t off, size;
	bool direct, is_string, is_signed, addr, str_ptr;
	bool is_task;        /* "$p" of a struct task_struct *: reads its pid (tid) */
	/* a bitfield: read `bit_read` bytes at off, then the value is the
	 * bit_size bits from bit bit_shift of them (size is then 8) */
	uint32_t bit_read, bit_shift, bit_size;
	/* user memory from the value of cap urange_start - 1 to that of cap
	 * urange_end - 1 (earlier direct caps), at most `size` bytes, NULs
	 * kept: a process's command line (is_string is set; no hops) */
	bool urange;
	uint32_t urange_start, urange_end;
};

/* One copy of user memory a capture program takes at a tracepoint, from
 * the pointer in record field `field`, plus off: the NUL-terminated string
 * there (ST_UCAP_STRING, at most MAXSTRINGLEN bytes as stap reads it),
 * `size` bytes there (ST_UCAP_MEM), or a NULL-terminated array of string
 * pointers with the strings they point at (ST_UCAP_ARGV: execve's argv
 * and envp, as far as stap's formatting of them reaches). */
enum st_ucap_kind { ST_UCAP_STRING, ST_UCAP_MEM, ST_UCAP_ARGV };
struct st_ucap {
	const char *field;
	uint8_t kind;
	uint32_t size;       /* ST_UCAP_MEM: bytes (at most) */
	int64_t off;         /* added to the pointer */
	const char *len_field; /* ST_UCAP_MEM: a field holding the byte count
				* (capped at size; a sockaddr's addrlen), or NULL */
};

#define ST_STACK_KERNEL 1u
#define ST_STACK_USER 2u

struct st_source {
	enum st_source_kind kind;
	char *name;          /* "syscalls:sys_enter_getppid", "timer.ms(100)", "begin" */
	char *system;        /* tracepoint / dynamic event group */
	char *event;         /* tracepoint / dynamic event name */
	int64_t seq;         /* begin(N), end(N), error(N) ordering */
	uint64_t period_ns;  /* ST_SRC_TIMER */

	/* ST_SRC_UPROBE / ST_SRC_KPROBE: the tracefs definition to create. */
	char *probe_path;    /* uprobe: ELF file */
	uint64_t probe_offset; /* uprobe: file offset; kprobe: offset from symbol */
	char *probe_symbol;  /* kprobe: kernel symbol */
	bool probe_return;   /* uretprobe / kretprobe */
	uint64_t probe_ref_ctr; /* uprobe: file offset of a USDT semaphore, 0 = none */
	char *probe_fetch;   /* fetch args, "name=%di:s64 ..." */
	char *probe_func;    /* uprobe: the function probed, for ppfunc(); NULL: none known */

	/* ST_SRC_PERF */
	uint32_t perf_type;
	uint64_t perf_config;
	uint64_t perf_period;
	bool perf_freq;      /* perf_period is a sampling frequency (Hz) */

	/* Record fields the handlers read, by name (common_* fields excluded:
	 * pid, tid, cpu, comm and time always come with an event). */
	char **fields;
	uint32_t nfields;

	/* ST_SRC_TRACEPOINT: user memory the handlers read (user_string*(),
	 * user_long() ..., execve's args) from pointer fields (also in
	 * `fields`): the backend copies it at the event and hands it over as
	 * st_event.captures, keyed by address. */
	struct st_ucap *captures;
	uint32_t ncaptures;

	/* Handlers read the stack at the event (backtrace(), ubacktrace(), ...):
	 * ST_STACK_KERNEL / ST_STACK_USER bits; the backend captures callchains. */
	uint8_t stack;

	bool optional;       /* `?` probe point: skipped when it cannot attach */

	/* ST_SRC_TRACEPOINT: TP_PROTO arguments read through BTF by a BPF
	 * capture program (lowering/btf.h).  When nbtf > 0 the source's record
	 * is the capture's synthesized one: every name in `fields` is a cap. */
	struct st_btf_cap *btf;
	uint32_t nbtf;
	/* the capture program is a tracepoint program on the event's record
	 * (syscall events have no raw tracepoint); its ST_BTF_ROOT_CTX caps
	 * keep the format fields' names */
	bool btf_ctx;
	/* The task context companion (lowering/taskctx.h): ctx_of is the
	 * source whose events it follows + 1 (this source is then all caps,
	 * root `current`); ctx_src is, on that source, its companion + 1. */
	uint32_t ctx_of, ctx_src;
	/* a companion shared by the syscall sources of one direction that the
	 * backend may serve from raw_syscalls (no capture of their own): it
	 * runs at raw_syscalls:sys_enter (1) or sys_exit (2), for the syscall
	 * numbers of the sources whose ctx_src names it; ctx_of is the first */
	uint8_t ctx_syscalls;
	uint32_t ctx_want;   /* lowering: the items its handlers read (bits of enum st_taskctx_item) */
	/* Live backends may serve the source in the kernel (lowering/inkernel.h);
	 * NULL: capture + replay. */
	const struct st_inkernel *ink;
};

#endif
