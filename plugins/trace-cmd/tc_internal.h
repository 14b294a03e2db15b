/* tc_internal.h - pieces shared by the trace-cmd plugin's live stream,
 * recorder and reader: ring-buffer page walking, the task (tid -> tgid, comm)
 * timeline, the event decoder and the tracefs instance. */
#ifndef ST_PLUGINS_TRACECMD_INTERNAL_H
#define ST_PLUGINS_TRACECMD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "frontend/base_err.h"
#include "lowering/source.h"
#include "runtime/tasks.h"
#include "runtime/event.h"

struct tep_handle;
struct tep_event;
struct tracefs_instance;

#define TC_COMM_LEN ST_COMM_LEN

/* ---- the data log of a trace.dat being written, tc_log.c ----
 *
 * Until the recorder finishes, trace.dat holds a provisional header whose
 * CPU table is empty and whose ST_TRACECMD_OPT_PARTIAL option points at a
 * log: chunks of one CPU's ring-buffer pages, each after a tag, in the
 * order they were read.  `committed` is rewritten after every chunk, so a
 * recorder killed at any moment leaves a readable recording cut short at
 * its last chunk.  finish() rewrites the file as a plain v6 trace.dat. */

struct tc_log_tag {
	uint32_t cpu, zero;
	uint64_t len;          /* page bytes that follow */
};

struct tc_log_partial {
	uint64_t log_start;    /* the first tag */
	uint64_t committed;    /* the end of the last whole chunk */
	int64_t recorder_pid;
};

struct tracefs_cpu;

/* Move what CPU's ring holds (flush: the partial page too) to the end of
 * the log at *end as one chunk, then commit it (the u64 at commit_at).
 * *bytes grows by the page bytes moved.  0 or -errno. */
int st_tracecmd_log_pages(int fd, struct tracefs_cpu *tcpu, uint32_t cpu, bool flush, uint64_t *end,
			  uint64_t commit_at, uint64_t *bytes);
/* Copy every chunk of the log in [start, end) of `in` to `out`, CPU c's
 * pages one after another from dst[c].  0 or -errno. */
int st_tracecmd_log_unpack(int in, uint64_t start, uint64_t end, int out, const uint64_t *dst, uint32_t ncpu);

/* ---- ring-buffer sub-buffer ("page") walking, tc_pages.c ---- */

struct tc_cursor {
	const uint8_t *page;
	uint32_t hdr;          /* 8 + kernel long size: where events start */
	uint32_t end;          /* hdr + commit */
	uint32_t off;          /* next header to read */
	uint64_t ts;           /* running timestamp */
	uint64_t missed;       /* events lost before this page (kernel's count) */
	bool have;             /* ev_* valid */
	uint64_t ev_ts;
	const uint8_t *ev_data;
	uint32_t ev_size;
};

/* Load a page of `len` bytes (len may be shorter than the sub-buffer size
 * at the end of a file).  -EINVAL when the header does not fit. */
int st_tracecmd_page_load(struct tc_cursor *c, const void *page, uint32_t len, int long_size);
/* Advance to the next data event: 1 found, 0 page done, -EINVAL corrupt. */
int st_tracecmd_page_next(struct tc_cursor *c);

/* ---- tasks, tc_tasks.c ---- */

/* The snapshot stored in trace.dat: u32 count, then count records. */
struct tc_task_rec {
	int32_t tid, tgid;
	char comm[TC_COMM_LEN];
};

/* The table is runtime/tasks.h's; trace-cmd names the idle tasks apart
 * (swapper/CPU), so tid 0 is never stored nor found. */
#define st_tracecmd_tasks_init st_tasks_init
#define st_tracecmd_tasks_free st_tasks_free
struct st_task *st_tracecmd_tasks_get(struct st_tasks *t, int32_t tid);
int st_tracecmd_tasks_set(struct st_tasks *t, int32_t tid, int32_t tgid, const char *comm,
			  size_t comm_len);
/* Every thread in /proc: tgid is the /proc/PID it is listed under. */
int st_tracecmd_tasks_from_proc(struct st_tasks *t);
/* Serialise the table (malloc'd) / load a serialised one. */
void *st_tracecmd_tasks_encode(const struct st_tasks *t, uint32_t *len);
int st_tracecmd_tasks_decode(struct st_tasks *t, const void *blob, uint64_t len);

/* ---- decoding records into st_event, tc_decode.c ---- */

/* The internal events the task timeline is replayed from. */
enum tc_internal {
	TC_INT_NONE = 0,
	TC_INT_NEWTASK,        /* task:task_newtask */
	TC_INT_RENAME,         /* task:task_rename (prctl, /proc comm, exec) */
	TC_INT_EXEC,           /* sched:sched_process_exec (a thread became leader) */
};

#define TC_NINTERNAL 3
extern const char *const st_tracecmd_internal_sys[TC_NINTERNAL];
extern const char *const st_tracecmd_internal_ev[TC_NINTERNAL];

struct tc_field { int32_t off, size; };   /* off < 0: absent */

struct tc_decoder {
	int32_t *src_of;       /* [65536] type id -> first source + 1 (0: not wanted) */
	uint8_t *internal_of;  /* [65536] type id -> enum tc_internal */
	int32_t *next_dup;     /* [nsrc] next source bound to the same event, or -1 */
	struct tep_event **fmt;/* [nsrc] */
	uint32_t nsrc;
	struct tc_field nt_pid, nt_comm, nt_flags;   /* task_newtask */
	struct tc_field rn_pid, rn_newcomm;          /* task_rename */
	struct tc_field ex_pid;                      /* sched_process_exec */
	struct st_tasks tasks;
	char comm[TC_COMM_LEN];                      /* the delivered event's comm */
	char idle[TC_COMM_LEN];
	/* an event bound to several sources is delivered once per source */
	struct st_event dup;
	int32_t dup_next;
};

int st_tracecmd_decoder_init(struct tc_decoder *d, uint32_t nsrc);
void st_tracecmd_decoder_free(struct tc_decoder *d);
/* Bind source i to a format; internal kinds are looked up by the caller. */
void st_tracecmd_decoder_bind(struct tc_decoder *d, uint32_t i, struct tep_event *e);
void st_tracecmd_decoder_bind_internal(struct tc_decoder *d, enum tc_internal k, struct tep_event *e);
/* 1: *ev filled; 0: the record is not delivered (internal or unwanted). */
int st_tracecmd_decode(struct tc_decoder *d, int cpu, uint64_t ts, const uint8_t *raw,
		       uint32_t size, struct st_event *ev);
/* A pending duplicate delivery (another source of the same event): 1 or 0. */
int st_tracecmd_decode_dup(struct tc_decoder *d, struct st_event *ev);

/* ---- tracefs instance, tc_instance.c ---- */

struct tc_instance {
	struct tracefs_instance *inst;
	char name[64];
	int ncpu;
	uint32_t subbuf_size;
};

/* Create a private instance named staplet_<pid>_<n>, tracing off, clock mono,

 * buffer_kb per CPU (0: the kernel default), after removing instances of dead staplet processes. */
int st_tracecmd_instance_create(struct tc_instance *ti, uint32_t buffer_kb, char **err);
/* Enable sys:ev in the instance: 0, -ENOENT, or another negative errno. */
int st_tracecmd_instance_enable(struct tc_instance *ti, const char *sys, const char *ev);
int st_tracecmd_instance_tracing(struct tc_instance *ti, bool on);
int st_tracecmd_instance_write(struct tc_instance *ti, const char *file, const char *val);
/* overrun + dropped events over all CPUs */
uint64_t st_tracecmd_instance_lost(struct tc_instance *ti);
void st_tracecmd_instance_destroy(struct tc_instance *ti);
/* Read a file under the tracefs root (not the instance): malloc'd, NUL-ended. */
char *st_tracecmd_read_tracefs(const char *rel, size_t *len);
/* Parse sys/ev's format from tracefs into tep. */
struct tep_event *st_tracecmd_load_format(struct tep_handle *tep, const char *sys, const char *ev);

/* What a plan asks the instance for: its events, then the internal ones. */
struct tc_enabled_event {
	char sys[64], ev[128];
	int32_t source;        /* first plan source bound to it, or -1 */
	enum tc_internal internal;
};

struct tc_enabled {
	struct tc_enabled_event *e;
	uint32_t n;
};

/* Create the instance and enable what the plan needs (tracing stays off).
 * Sources this backend cannot serve fail unless optional. */
int st_tracecmd_attach(struct tc_instance *ti, const struct st_source *src, uint32_t nsrc,
		       uint32_t buffer_kb, struct tc_enabled *en, char **err);
/* Open per_cpu/cpuN/trace_pipe_raw of the instance (-errno on failure). */
int st_tracecmd_open_cpu_raw(struct tc_instance *ti, int cpu, bool nonblock);

/* Split a source into system and event (its fields, else its "sys:ev" name);
 * writes into the buffers; false when the source names no event. */
bool st_tracecmd_source_event(const struct st_source *s, char *sys, size_t ssz, char *ev, size_t esz);

/* printf into a malloc'd *err */
/* The one error helper (frontend/base_err.h), without a status. */
#define st_tracecmd_err(err, ...) ((void)st_err((err), 0, __VA_ARGS__))

#endif
