/* perf_int.h - what the perf plugin's files share: tracefs lookups, the
 * per-CPU attachment (events + rings), record parsing and the comm table. */
#ifndef ST_PLUGINS_PERF_INT_H
#define ST_PLUGINS_PERF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/perf_event.h>
#include "frontend/base_err.h"
#include "plugins/perf/perf_bpf.h"
#include "runtime/backend.h"
#include "runtime/event.h"
#include "runtime/tasks.h"

struct st_perf_sysc;
struct st_perf_disp;

/* One-line error into *err (malloc'd); returns rc so callers can `return`. */
/* The backend's name for the one error helper (frontend/base_err.h). */
#define st_perf_fail st_err
/* For EACCES/EPERM from perf_event_open: the sysctl and capabilities
 * missing, in buf; "" otherwise. */
const char *st_perf_access_hint(int e, char *buf, size_t n);

/* Whole file into a NUL-terminated malloc'd buffer; NULL with errno set. */
char *st_perf_read_file(const char *path, size_t *len);
/* tracefs root, mounting it when needed; NULL when unavailable. */
const char *st_perf_tracing_dir(void);

/* ---- comm table: tid -> current name, replayed in time order ---- */
struct st_perf_comm {
	struct st_tasks tasks;    /* runtime/tasks.h; tgid unused */
	char miss[24];            /* ":TID" for tasks never named */
};

int st_perf_comm_init(struct st_perf_comm *c);
void st_perf_comm_free(struct st_perf_comm *c);
void st_perf_comm_set(struct st_perf_comm *c, int32_t tid, const char *name, size_t max);
const char *st_perf_comm_find(struct st_perf_comm *c, int32_t tid);
/* Never NULL: the name, or ":TID" (perf script's spelling). */
const char *st_perf_comm_get(struct st_perf_comm *c, int32_t tid);
void st_perf_comm_fork(struct st_perf_comm *c, int32_t tid, int32_t ptid);

/* ---- records ---- */
struct st_perf_sample {
	uint64_t id, time, period, ip;
	int32_t pid, tid, cpu;
	const void *raw;
	uint32_t raw_size;
	const void *callchain;        /* PERF_SAMPLE_CALLCHAIN: u64 entries, context markers included */
	uint32_t ncallchain;
};

/* Split a callchain into the event's kernel and user stacks (ST_EV_STACK). */
void st_perf_event_stack(struct st_event *ev, const struct st_perf_sample *s, unsigned parts);
/* Which parts (ST_STACK_KERNEL/USER) of the callchain an attr samples. */
unsigned st_perf_stack_parts(const struct perf_event_attr *a);
/* PERF_RECORD_MMAP/MMAP2/COMM(exec)/FORK: keep the user mappings the
 * runtime names user addresses with (runtime/usym.h). */
void st_perf_track_maps(const struct perf_event_header *h);

/* Parse a PERF_RECORD_SAMPLE body (after the 8-byte header); -EINVAL when
 * it does not fit in `size` or uses a layout we cannot walk. */
int st_perf_parse_sample(uint64_t sample_type, uint64_t read_format, const uint8_t *body,
			 size_t size, struct st_perf_sample *s);
/* The sample_id trailer of a non-sample record (sample_id_all). */
int st_perf_parse_trailer(uint64_t sample_type, const uint8_t *body, size_t size,
			  struct st_perf_sample *s);
/* Byte size of the trailer for this sample_type. */
size_t st_perf_trailer_size(uint64_t sample_type);

/* ---- attachment: every served source on every online CPU ---- */
struct st_perf_evt {
	uint32_t source;              /* plan index */
	struct perf_event_attr attr;
	char *name;                   /* "system:event" or the source's name */
	char *system, *event;         /* tracepoints only */
	char *format;                 /* tracefs format text (tracepoints) */
	size_t format_len;
	int *fds;                     /* per CPU, -1 when closed */
	uint64_t *ids;                /* per CPU kernel ids */
	/* raw_syscalls event serving many syscalls:* sources (perf_syscalls.h);
	 * its records go to the source of their syscall id, not to `source`. */
	struct st_perf_sysc *sysc;
	/* A tracepoint whose handlers read user strings: `attr` is the per-CPU
	 * BPF output event; the tracepoint itself (tp_config) is one fd running
	 * the capture program (perf_bpf.h), which outputs record + strings. */
	bool capture;
	uint64_t tp_config;
	struct st_perf_bpf_spec spec;
	int tp_fd, prog_fd, scratch_fd, out_fd;
	/* a tracepoint read through BTF: BPF output events (perf_tpargs.c) */
	struct st_perf_tpargs *tpa;
	/* its program sits behind a raw_syscalls dispatcher (perf_dispatch.h)
	 * instead of on an event of its own: level + 1 (0: not), direction
	 * (0 enter, 1 exit) and syscall number */
	uint8_t disp, disp_dir;
	uint16_t disp_nr;
};

struct st_perf_ring {
	int fd;                       /* the event that owns the mmap */
	int cpu;
	void *base;                   /* meta page + data */
	size_t map_len;
	struct perf_event_mmap_page *meta;
	uint8_t *data;
	uint64_t mask;                /* data size - 1 */
};

struct st_perf_attach {
	int ncpu;
	int *cpus;
	struct st_perf_evt *evt;
	uint32_t nevt;
	bool *folded;                 /* per plan source: served by a raw_syscalls evt */
	struct st_perf_disp *disp[2]; /* capture programs behind raw_syscalls (perf_dispatch.h) */
	int verbose;
	uint32_t strmax;              /* MAXSTRINGLEN: bytes per captured string */
	struct st_perf_ring *ring;    /* ncpu, only for CPUs with events */
	struct st_perf_id { uint64_t id; uint32_t evt; } *idx;   /* sorted by id */
	uint32_t nidx;
	uint64_t trailer_type;        /* sample_type bits every attr shares */
	bool want_mmap;               /* user backtraces: MMAP2 records name the mappings */
	int64_t wall_offset_ns;
	uint64_t start_ns;
};

int st_perf_attach_open(struct st_perf_attach *a, const struct st_source *src, uint32_t nsrc,
			const struct st_backend_opts *o, bool recording, char **err);
int st_perf_attach_enable(struct st_perf_attach *a, char **err);
void st_perf_attach_disable(struct st_perf_attach *a);
void st_perf_attach_close(struct st_perf_attach *a);
/* The event an id belongs to, or NULL. */
struct st_perf_evt *st_perf_attach_find(struct st_perf_attach *a, uint64_t id);

static inline uint64_t st_perf_ring_head(const struct st_perf_ring *r)
{
	return __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
}

static inline void st_perf_ring_release(struct st_perf_ring *r, uint64_t tail)
{
	__atomic_store_n(&r->meta->data_tail, tail, __ATOMIC_RELEASE);
}

uint64_t st_perf_now_ns(void);

/* File descriptors to close together: closing a tracepoint event that runs
 * a BPF program waits for an RCU grace period, so a plan with a hundred of
 * them closes them from several threads at once (the waits overlap). */
struct st_perf_fds {
	int *fd;
	size_t n, cap;
};
void st_perf_fds_add(struct st_perf_fds *f, int fd);
/* Close them all and free the list. */
void st_perf_fds_close(struct st_perf_fds *f);

/* ---- BPF capture output (perf_bpf.h) ---- */
struct st_perf_captured {
	const void *rec;              /* the tracepoint record */
	uint32_t rec_size;
	struct st_capture cap[ST_PERF_BPF_MAX_ENTS];
	uint32_t ncap;
};

/* Split a capture program's output; false when it is malformed. */
bool st_perf_capture_decode(const void *raw, uint32_t raw_size, struct st_perf_captured *out);
/* A BPF output attr: what our capture program writes to. */
static inline bool st_perf_is_capture_attr(uint32_t type, uint64_t config)
{
	return type == PERF_TYPE_SOFTWARE && config == PERF_COUNT_SW_BPF_OUTPUT;
}
/* perf_tpargs.c: sources with BTF caps (s->nbtf).  Their synthesized
 * formats get ids from here up, apart from the kernel's event ids. */
#define ST_PERF_TPARGS_ID_BASE 60000
int st_perf_tpargs_describe(struct st_perf_evt *e, const struct st_source *s, uint32_t source, char **err);
int st_perf_tpargs_attach(struct st_perf_attach *a, char **err);
/* The task context companions' programs (lowering/taskctx.h), attached
 * before any other program at their events: a tracepoint's programs run
 * in the order attached, and the context must reach the ring before the
 * event it belongs to (a capture program's record among them). */
int st_perf_taskctx_attach(struct st_perf_attach *a, const struct st_source *src, uint32_t nsrc, char **err);
void st_perf_tpargs_close(struct st_perf_evt *e);
/* Hand the event's program, maps and link to a closing list (their
 * closes overlap: each link waits for a grace period). */
void st_perf_tpargs_fds(struct st_perf_evt *e, struct st_perf_fds *all);
/* The synthesized record's type id (its format's ID). */
uint64_t st_perf_tpargs_id(const struct st_perf_evt *e);

/* ---- the backend entry points (perf_live.c, perf_record.c, perf_read.c) ---- */
int st_perf_live_open(const struct st_source *src, uint32_t nsrc, const struct st_backend_opts *o,
		      struct st_stream **out, char **err);
int st_perf_record_open(const char *path, const struct st_source *src, uint32_t nsrc,
			const struct st_backend_opts *o, struct st_recorder **out, char **err);
int st_perf_record_begin(struct st_recorder *r, const struct st_recording_info *ri, char **err);
int st_perf_record_run(struct st_recorder *r, char **err);
int st_perf_record_finish(struct st_recorder *r, const struct st_recording_info *ri,
			  struct st_record_stats *stats, char **err);
void st_perf_record_abort(struct st_recorder *r);
int st_perf_report_open(const char *path, struct st_recording_info *ri, struct st_recording **out,
			char **err);
struct tep_handle *st_perf_report_tep(struct st_recording *rec);
int st_perf_report_stream(struct st_recording *rec, const struct st_source *src, uint32_t nsrc,
			  struct st_stream **out, char **err);
void st_perf_report_close(struct st_recording *rec);

#endif
