/* perf_syscalls.h - many syscall tracepoints served by one raw_syscalls event.
 *
 * Closing a tracepoint-backed perf event costs ~38 ms in the kernel, one
 * after another, so `syscall.*` (360 tracepoints) took 18 s to tear down.
 * A raw_syscalls:sys_enter record is byte-compatible with every
 * syscalls:sys_enter_X record (the id at offset 8, whose low 4 bytes are
 * __syscall_nr, the args at 16 + 8i), and raw_syscalls:sys_exit with every
 * sys_exit_X (ret at 16).  So when a plan asks for many of them, one
 * raw_syscalls event per CPU serves them all: an in-kernel ftrace filter
 * passes only the wanted ids, and each record goes to the plan source of
 * its id, whose format stays sys_enter_X's (field decoding is unchanged).
 */
#ifndef ST_PLUGINS_PERF_SYSCALLS_H
#define ST_PLUGINS_PERF_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lowering/source.h"

/* Plans with more than this many sys_enter_* (or sys_exit_*) sources, or
 * with one whose handler reads the kernel stack (raw_syscalls records carry
 * kernel registers, syscalls:* ones user registers), fold
 * them; STAPLET_SYSCALL_FOLD=N overrides it (0 folds always, -1 never). */
#define ST_PERF_SYSC_FOLD_MIN 8
/* Syscall numbers a recording's map may name (readers bound-check). */
#define ST_PERF_SYSC_MAX_NR 4096

struct st_perf_sysc_member {
	uint32_t source;              /* plan index */
	uint32_t nr;                  /* syscall number */
	uint64_t config;              /* tracefs id of syscalls:sys_X_NAME */
	char *event;                  /* "sys_enter_openat" */
	char *format;                 /* its tracefs format text */
	size_t format_len;
};

struct st_perf_sysc {
	bool exit;                    /* raw_syscalls:sys_exit, else sys_enter */
	int32_t *by_nr;               /* syscall nr -> plan source, -1 */
	uint32_t nnr;
	struct st_perf_sysc_member *m;
	uint32_t nm;
	char *filter;                 /* ftrace filter on `id`, NULL = none */
};

/* The syscall number <-> name table (x86-64 numbering from <sys/syscall.h>
 * at build time, plus the syscalls newer than those headers). */
int st_perf_sysc_nr(const char *name);            /* -1 when unknown */
const char *st_perf_sysc_name(uint32_t nr);      /* NULL when unknown */

/* Which of the plan's sources fold: folded[i] set for each, and groups[0]
 * (enter) / groups[1] (exit) allocated when there is something to fold.
 * tracing_dir: the tracefs root (for formats and the existence of events). */
int st_perf_sysc_plan(const struct st_source *src, uint32_t nsrc, const char *tracing_dir,
		      bool *folded, struct st_perf_sysc *groups[2], char **err);
void st_perf_sysc_free(struct st_perf_sysc *g);

/* The plan source of a raw_syscalls record, -1 when no source wants it. */
static inline int32_t st_perf_sysc_source(const struct st_perf_sysc *g, const void *raw,
					  uint32_t raw_size)
{
	int32_t nr;

	if (!raw || raw_size < 16)
		return -1;
	__builtin_memcpy(&nr, (const uint8_t *)raw + 8, 4);
	return nr >= 0 && (uint32_t)nr < g->nnr ? g->by_nr[nr] : -1;
}

/* The map a recording stores (feature ST_PERF_FEAT_STAPLET_SYSCALLS):
 * u32 count, then count x {u64 raw_config, u32 nr, u32 0, u64 member_config}:
 * records of tracepoint raw_config with id nr are events of member_config. */
struct st_perf_sysc_map_ent {
	uint64_t raw_config;
	uint32_t nr, pad;
	uint64_t member_config;
};

#endif
