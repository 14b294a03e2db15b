/* perf_ink.h - live sources served in the kernel (lowering/inkernel.h):
 * tier 1 as perf counting events per CPU (perf_count.c), tier 2 as a BPF
 * program updating a per-CPU hash (perf_bpfagg.c).  At stop the counts are
 * read and handed out as bulk events (ST_EV_BULK). */
#ifndef ST_PLUGINS_PERF_INK_H
#define ST_PLUGINS_PERF_INK_H

#include <stdbool.h>
#include <stdint.h>
#include "runtime/backend.h"
#include "runtime/event.h"

/* More in-kernel candidates than this: none is served in the kernel. */
#define ST_PERF_INK_MAX_SOURCES 16
/* A syscall set (inkernel.h) this large or larger: one raw_syscalls program. */
#define ST_PERF_INK_FOLD_MIN 4

struct st_perf_ink_src {
	uint32_t source;
	const struct st_inkernel *ink;
	int *fds;                     /* tier 1: per CPU; tier 2: [0] the tracepoint */
	int nfds;
	int prog_fd, map_fd;          /* tier 2 */
	int ids_fd;                   /* tier 2 on raw_syscalls: the id filter, else -1 */
};

struct st_perf_ink {
	struct st_perf_ink_src *s;
	uint32_t n;
	struct st_event *out;         /* bulk events, after collect */
	char (*comm)[16];
	uint32_t nout, pos;
	bool collected;
	int verbose;
};

/* Serve what can be served; served[i] is set for those sources.  Sources
 * that cannot be served in the kernel here stay with capture + replay. */
void st_perf_ink_open(struct st_perf_ink *k, const struct st_source *src, uint32_t nsrc,
		      const struct st_backend_opts *o, bool *served);
/* Stop counting and read the counts (once). */
void st_perf_ink_collect(struct st_perf_ink *k);
/* 1 with the next bulk event, 0 when none is left. */
int st_perf_ink_next(struct st_perf_ink *k, struct st_event *ev);
void st_perf_ink_close(struct st_perf_ink *k);

/* perf_count.c */
int st_perf_count_open(struct st_perf_ink_src *s, uint64_t tp_id, bool self_filter);
uint64_t st_perf_count_read(struct st_perf_ink_src *s);
/* perf_bpfagg.c: -errno, verifier log in log when given */
int st_perf_bpfagg_open(struct st_perf_ink_src *s, uint64_t tp_id, const struct st_backend_opts *o, char *log,
			size_t log_size);
/* Append one bulk event per map entry. */
int st_perf_bpfagg_read(struct st_perf_ink *k, struct st_perf_ink_src *s);
void st_perf_ink_src_close(struct st_perf_ink_src *s);

#endif
