/* tc_record.c - record to trace.dat, written in place under its final name
 * from the start: begin() writes a provisional v6 header, then full ring
 * buffer pages are spliced from each CPU's trace_pipe_raw into the log
 * after it (tc_log.c), so a recorder killed at any moment leaves a
 * recording cut short at its last chunk.  finish() writes the plain v6
 * trace.dat, each CPU's pages together, to a fresh file renamed over it.
 *
 * v6 is written by hand rather than through libtracecmd's private writer:
 * no private ABI, no kallsyms side effects, and the layout stays ours.
 * trace-cmd's own tools read it (unknown options are skipped).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <tracefs/tracefs.h>
#include "runtime/bytes.h"
#include "runtime/clock.h"
#include "runtime/control.h"
#include "runtime/dynevent.h"
#include "runtime/outfile.h"
#include "plugins/trace-cmd/tc_internal.h"
#include "plugins/trace-cmd/tracecmd_backend.h"

#define DEFAULT_RECORD_KB 8192
#define OPT_TRACECLOCK 4

struct tc_rec_cpu {
	int rawfd;
	struct tracefs_cpu *tcpu;
	uint64_t bytes;        /* page bytes in the log */
};

struct st_recorder {
	struct tc_instance ti;
	struct tc_enabled en;
	char *path;
	struct st_outfile out;           /* the file at `path`, being written */
	uint64_t log_start, log_end;     /* 0 until begin() */
	uint64_t commit_at;              /* tc_log_partial.committed in the file */
	struct tc_rec_cpu *cpu;
	struct pollfd *pfd;
	int ncpu;
	struct st_tasks tasks;
	uint64_t start_ns, end_ns;
	int64_t wall_offset;
	struct st_target *target;    /* -c: the recording ends when it exits */
};

static void close_cpus(struct st_recorder *r)
{
	int i;

	for (i = 0; r->cpu && i < r->ncpu; i++) {
		struct tc_rec_cpu *c = &r->cpu[i];

		if (c->tcpu)
			tracefs_cpu_free_fd(c->tcpu);
		c->tcpu = NULL;
		if (c->rawfd >= 0)
			close(c->rawfd);
		c->rawfd = -1;
	}
}

static void rec_free(struct st_recorder *r)
{
	if (!r)
		return;
	close_cpus(r);
	st_tracecmd_instance_destroy(&r->ti);
	st_dynevent_remove_all();   /* record_finish: after write_file read their formats */
	st_outfile_close(&r->out);
	free(r->cpu);
	free(r->pfd);
	free(r->en.e);
	free(r->path);
	st_tracecmd_tasks_free(&r->tasks);
	free(r);
}

static int open_cpus(struct st_recorder *r)
{
	int i;

	r->ncpu = r->ti.ncpu;
	r->cpu = calloc((size_t)r->ncpu, sizeof(*r->cpu));
	r->pfd = calloc((size_t)r->ncpu, sizeof(*r->pfd));
	if (!r->cpu || !r->pfd)
		return -ENOMEM;
	for (i = 0; i < r->ncpu; i++)
		r->cpu[i].rawfd = -1;
	for (i = 0; i < r->ncpu; i++) {
		struct tc_rec_cpu *c = &r->cpu[i];

		c->rawfd = st_tracecmd_open_cpu_raw(&r->ti, i, true);
		if (c->rawfd < 0) {
			c->rawfd = -1;       /* an offline CPU records nothing */
			continue;
		}
		c->tcpu = tracefs_cpu_alloc_fd(c->rawfd, (int)r->ti.subbuf_size, true);
		if (!c->tcpu)
			return -ENOMEM;
	}
	return 0;
}

int st_tracecmd_record_open(const char *path, const struct st_source *src, uint32_t nsrc,
			    const struct st_backend_opts *o, struct st_recorder **out, char **err)
{
	struct st_recorder *r = calloc(1, sizeof(*r));
	int ret;

	if (r)
		r->out.fd = -1;
	if (!r || !(r->path = strdup(path)) || st_tracecmd_tasks_init(&r->tasks) < 0) {
		rec_free(r);
		st_tracecmd_err(err, "out of memory");
		return -ENOMEM;
	}
	r->target = o ? o->target : NULL;
	ret = st_tracecmd_attach(&r->ti, src, nsrc, o && o->buffer_kb ? o->buffer_kb : DEFAULT_RECORD_KB,
				 &r->en, err);
	if (ret < 0)
		goto fail;
	ret = open_cpus(r);
	if (ret < 0)
		goto fail;
	/* in place from the start: a run killed later leaves what it wrote */
	ret = st_outfile_create(&r->out, path);
	if (ret == 0)
		ret = st_outfile_publish(&r->out, false);
	if (ret < 0) {
		st_tracecmd_err(err, "cannot create %s: %s", path, strerror(-ret));
		goto fail;
	}
	ret = st_tracecmd_instance_tracing(&r->ti, true);
	if (ret < 0) {
		st_tracecmd_err(err, "cannot turn tracing on in %s", r->ti.name);
		goto fail;
	}
	r->start_ns = st_clock_mono_ns();
	r->wall_offset = st_clock_wall_offset_ns();
	/* after arming: tasks born later appear as task_newtask events */
	st_tracecmd_tasks_from_proc(&r->tasks);
	*out = r;
	return 0;
fail:
	if (ret == -ENOMEM && err && !*err)
		st_tracecmd_err(err, "out of memory");
	st_tracecmd_record_abort(r);
	return ret;
}

/* Move whatever full pages each CPU has to the log; flush: the partial
 * ones too. */
static int move_pages(struct st_recorder *r, bool flush, char **err)
{
	int i;

	for (i = 0; i < r->ncpu; i++) {
		struct tc_rec_cpu *c = &r->cpu[i];
		int rc;

		if (!c->tcpu)
			continue;
		rc = st_tracecmd_log_pages(r->out.fd, c->tcpu, (uint32_t)i, flush, &r->log_end, r->commit_at,
					   &c->bytes);
		if (rc < 0) {
			st_tracecmd_err(err, "cannot save trace data of cpu %d: %s", i, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int st_tracecmd_record_run(struct st_recorder *r, char **err)
{
	struct st_recording_info none = { 0 };
	int ret = r->log_start ? 0 : st_tracecmd_record_begin(r, &none, err);   /* begin() was skipped */

	if (ret < 0)
		return ret;
	while (st_control_stop_reason() == ST_STOP_NONE) {
		int i;

		st_target_poll(r->target);
		ret = move_pages(r, false, err);
		if (ret < 0)
			return ret;
		if (st_control_stop_reason() != ST_STOP_NONE)
			break;
		for (i = 0; i < r->ncpu; i++) {
			r->pfd[i].fd = r->cpu[i].rawfd;
			r->pfd[i].events = POLLIN;
		}
		/* woken at the instance's buffer_percent, by a signal, or to check
		 * on the target */
		poll(r->pfd, (nfds_t)r->ncpu, 200);
	}
	return 0;
}

/* A recording that began stays, cut short; one that never began had
 * nothing in it and goes. */
void st_tracecmd_record_abort(struct st_recorder *r)
{
	if (r && !r->log_start)
		st_outfile_discard(&r->out);
	rec_free(r);
}

static int put_tracefs_file(struct st_wbuf *b, const char *tag, const char *rel)
{
	size_t len;
	char *s = st_tracecmd_read_tracefs(rel, &len);

	if (!s)
		return -EIO;
	st_wbuf_str(b, tag);
	st_wbuf_u64(b, len);
	st_wbuf_put(b, s, len);
	free(s);
	return 0;
}

/* Every enabled event's format, grouped by system. */
static int put_formats(struct st_recorder *r, struct st_wbuf *b, char **err)
{
	uint32_t i, j, nsys = 0;
	bool *done = calloc(r->en.n + 1, 1);

	if (!done)
		return -ENOMEM;
	for (i = 0; i < r->en.n; i++) {
		for (j = 0; j < i && strcmp(r->en.e[j].sys, r->en.e[i].sys); j++)
			;
		nsys += j == i;
	}
	st_wbuf_u32(b, nsys);
	for (i = 0; i < r->en.n; i++) {
		uint32_t n = 0;

		if (done[i])
			continue;
		for (j = i; j < r->en.n; j++)
			n += !strcmp(r->en.e[j].sys, r->en.e[i].sys);
		st_wbuf_str(b, st_dynevent_logical_system(r->en.e[i].sys));
		st_wbuf_u32(b, n);
		for (j = i; j < r->en.n; j++) {
			char rel[256], *text;
			size_t len;

			if (strcmp(r->en.e[j].sys, r->en.e[i].sys))
				continue;
			done[j] = true;
			snprintf(rel, sizeof(rel), "events/%s/%s/format", r->en.e[j].sys, r->en.e[j].ev);
			text = st_tracecmd_read_tracefs(rel, &len);
			if (!text) {
				st_tracecmd_err(err, "cannot read the format of %s:%s", r->en.e[j].sys,
						r->en.e[j].ev);
				free(done);
				return -EIO;
			}
			st_wbuf_u64(b, len);
			st_wbuf_put(b, text, len);
			free(text);
		}
	}
	free(done);
	return 0;
}

/* saved_cmdlines for trace-cmd's own tools: our snapshot, then what the
 * kernel remembers of tasks born (and maybe gone) during the recording. */
static void put_cmdlines(struct st_recorder *r, struct st_wbuf *b)
{
	struct st_wbuf t = { 0 };
	char *kern = st_tracecmd_read_tracefs("saved_cmdlines", NULL), *line, *save = NULL;
	uint32_t i;

	for (line = kern ? strtok_r(kern, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char comm[TC_COMM_LEN + 1];
		int pid;

		if (sscanf(line, "%d %16s", &pid, comm) == 2 && !st_tracecmd_tasks_get(&r->tasks, pid))
			st_tracecmd_tasks_set(&r->tasks, pid, -1, comm, sizeof(comm));
	}
	free(kern);
	for (i = 0; i <= r->tasks.mask; i++) {
		char line2[64];
		int n;

		if (!r->tasks.slot[i].tid)
			continue;
		n = snprintf(line2, sizeof(line2), "%d %s\n", r->tasks.slot[i].tid, r->tasks.slot[i].comm);
		st_wbuf_put(&t, line2, (size_t)n);
	}
	st_wbuf_u64(b, t.len);
	st_wbuf_put(b, t.p, t.len);
	if (t.oom)
		b->oom = true;
	free(t.p);
}

static void put_option(struct st_wbuf *b, uint16_t id, const void *data, uint32_t len)
{
	st_wbuf_u16(b, id);
	st_wbuf_u32(b, len);
	st_wbuf_put(b, data, len);
}

/* The options; a provisional header also gets ST_TRACECMD_OPT_PARTIAL,
 * whose payload offset in b goes to *partial_at. */
static int put_options(struct st_recorder *r, struct st_wbuf *b, const struct st_recording_info *ri,
		       uint64_t lost, size_t *partial_at)
{
	struct st_recording_info info = *ri;
	struct tc_log_partial part = { 0, 0, (int64_t)getpid() };
	uint32_t len;
	char *clock = tracefs_instance_file_read(r->ti.inst, "trace_clock", NULL), *blob;

	st_wbuf_put(b, "options  ", 10);
	if (clock)
		put_option(b, OPT_TRACECLOCK, clock, (uint32_t)strlen(clock) + 1);
	free(clock);
	if (!info.script)
		info.script = "";          /* the blob requires one */
	if (info.lost < lost)
		info.lost = lost;
	if (!info.start_ns)
		info.start_ns = r->start_ns;
	if (!info.end_ns)
		info.end_ns = r->end_ns;
	if (!info.wall_offset_ns)
		info.wall_offset_ns = r->wall_offset;
	blob = st_recording_encode(&info, &len);
	if (!blob)
		return -ENOMEM;
	put_option(b, ST_TRACECMD_OPT_INFO, blob, len);
	free(blob);
	blob = st_tracecmd_tasks_encode(&r->tasks, &len);
	if (!blob)
		return -ENOMEM;
	put_option(b, ST_TRACECMD_OPT_TASKS, blob, len);
	free(blob);
	if (partial_at) {
		*partial_at = b->len + 6;
		put_option(b, ST_TRACECMD_OPT_PARTIAL, &part, sizeof(part));
	}
	st_wbuf_u16(b, 0);
	return 0;
}

/* Everything before the CPU table, up to "flyrecord". */
static int put_header(struct st_recorder *r, struct st_wbuf *b, const struct st_recording_info *ri,
		      uint64_t lost, size_t *partial_at, char **err)
{
	int ret;

	st_wbuf_put(b, "\x17\x08\x44tracing", 10);
	st_wbuf_put(b, "6", 2);
	st_wbuf_put(b, "\0", 1);                        /* little endian */
	st_wbuf_put(b, &(uint8_t){ sizeof(long) }, 1);
	st_wbuf_u32(b, r->ti.subbuf_size);
	if (put_tracefs_file(b, "header_page", "events/header_page") < 0 ||
	    put_tracefs_file(b, "header_event", "events/header_event") < 0) {
		st_tracecmd_err(err, "cannot read the ring buffer headers from tracefs");
		return -EIO;
	}
	st_wbuf_u32(b, 0);                          /* ftrace formats: none used */
	ret = put_formats(r, b, err);
	if (ret < 0)
		return ret;
	st_wbuf_u32(b, 0);                          /* kallsyms */
	st_wbuf_u32(b, 0);                          /* printk formats */
	put_cmdlines(r, b);
	st_wbuf_u32(b, (uint32_t)r->ncpu);
	ret = put_options(r, b, ri, lost, partial_at);
	if (ret < 0)
		return ret;
	st_wbuf_put(b, "flyrecord", 10);
	if (b->oom) {
		st_tracecmd_err(err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* The provisional header: an empty CPU table (trace-cmd reads no events),
 * the log right after it. */
int st_tracecmd_record_begin(struct st_recorder *r, const struct st_recording_info *ri, char **err)
{
	struct st_wbuf b = { 0 };
	size_t part_at = 0;
	uint64_t start;
	int i, ret = put_header(r, &b, ri, 0, &part_at, err);

	start = (b.len + 16 * (uint64_t)r->ncpu + 7) & ~7ull;
	for (i = 0; i < r->ncpu; i++) {
		st_wbuf_u64(&b, start);
		st_wbuf_u64(&b, 0);
	}
	if (ret == 0 && b.oom)
		ret = -ENOMEM;
	if (ret == 0) {
		memcpy(b.p + part_at, &start, 8);
		memcpy(b.p + part_at + 8, &start, 8);
		ret = st_write_at(r->out.fd, b.p, b.len, 0);
		if (ret < 0)
			st_tracecmd_err(err, "cannot write %s: %s", r->path, strerror(-ret));
	}
	r->log_start = r->log_end = start;
	r->commit_at = part_at + 8;
	free(b.p);
	return ret;
}

/* Records in the pages of one CPU's region (for the stats). */
static uint64_t count_records(int fd, uint64_t start, uint64_t size, uint32_t page)
{
	uint8_t *buf = malloc(page);
	uint64_t n = 0, off;

	if (!buf)
		return 0;
	for (off = 0; off + page <= size; off += page) {
		struct tc_cursor c;

		if (pread(fd, buf, page, (off_t)(start + off)) != (ssize_t)page ||
		    st_tracecmd_page_load(&c, buf, page, (int)sizeof(long)) < 0)
			continue;
		while (st_tracecmd_page_next(&c) == 1)
			n++;
	}
	free(buf);
	return n;
}

/* The finished file: the header, then each CPU's pages from the log
 * together (page-aligned), in a fresh file renamed over the log. */
static int write_file(struct st_recorder *r, const struct st_recording_info *ri, uint64_t lost,
		      struct st_record_stats *stats, char **err)
{
	struct st_wbuf b = { 0 };
	uint32_t page = r->ti.subbuf_size;
	uint64_t off, events = 0, *dst = calloc((size_t)r->ncpu + 1, sizeof(*dst));
	struct st_outfile out = { .fd = -1 };
	int i, ret = dst ? put_header(r, &b, ri, lost, NULL, err) : -ENOMEM;

	off = b.len + 16 * (uint64_t)r->ncpu;
	for (i = 0; ret == 0 && i < r->ncpu; i++) {
		off = (off + page - 1) / page * page;
		dst[i] = off;
		st_wbuf_u64(&b, off);
		st_wbuf_u64(&b, r->cpu[i].bytes);
		off += r->cpu[i].bytes;
	}
	if (ret == 0 && b.oom)
		ret = -ENOMEM;
	if (ret == 0) {
		ret = st_outfile_create(&out, r->path);
		if (ret < 0)
			st_tracecmd_err(err, "cannot create a file next to %s: %s", r->path, strerror(-ret));
	}
	if (ret == 0)
		ret = st_write_at(out.fd, b.p, b.len, 0);
	if (ret == 0)
		ret = st_tracecmd_log_unpack(r->out.fd, r->log_start, r->log_end, out.fd, dst, (uint32_t)r->ncpu);
	for (i = 0; ret == 0 && i < r->ncpu; i++)
		events += count_records(out.fd, dst[i], r->cpu[i].bytes, page);
	if (!ret && ftruncate(out.fd, (off_t)off) < 0)
		ret = -errno;
	if (!ret)
		ret = st_outfile_publish(&out, false);
	if (ret < 0) {
		if (err && !*err)
			st_tracecmd_err(err, "cannot write %s: %s", r->path, strerror(-ret));
	} else if (stats) {
		stats->events = events;
		stats->lost = lost;
		stats->bytes = off;
	}
	st_outfile_close(&out);
	free(dst);
	free(b.p);
	return ret;
}

int st_tracecmd_record_finish(struct st_recorder *r, const struct st_recording_info *ri,
			      struct st_record_stats *stats, char **err)
{
	struct st_recording_info none = { 0 };
	uint64_t lost;
	int ret = r->log_start ? 0 : st_tracecmd_record_begin(r, ri ? ri : &none, err);

	st_tracecmd_instance_tracing(&r->ti, false);
	r->end_ns = st_clock_mono_ns();
	if (ret == 0)
		ret = move_pages(r, true, err);
	lost = st_tracecmd_instance_lost(&r->ti);
	/* detach before the (slow) file write */
	close_cpus(r);
	st_tracecmd_instance_destroy(&r->ti);
	if (ret == 0)
		ret = write_file(r, ri ? ri : &none, lost, stats, err);
	rec_free(r);
	return ret;
}
