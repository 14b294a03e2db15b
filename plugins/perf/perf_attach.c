/* perf_attach.c - open a plan's sources as perf events on every online CPU,
 * all events of a CPU writing into one mmap'd ring.
 *
 * One ring per CPU keeps each CPU's records in time order, so readers only
 * merge ncpu streams.  Only the first event of a CPU asks for COMM/FORK
 * records: with more, every task rename would be reported once per event.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <traceevent/event-parse.h>
#include "runtime/clock.h"
#include "plugins/perf/perf_dispatch.h"
#include "plugins/perf/perf_int.h"
#include "plugins/perf/perf_syscalls.h"
#include "runtime/dynevent.h"

#define DEFAULT_RING_KB 4096u
#define MIN_RING_KB 64u

static int parse_cpus(struct st_perf_attach *a)
{
	char *s = st_perf_read_file("/sys/devices/system/cpu/online", NULL);
	char *p;
	int cap = 64;

	a->cpus = malloc(sizeof(int) * (size_t)cap);
	if (!a->cpus) {
		free(s);
		return -ENOMEM;
	}
	a->ncpu = 0;
	for (p = s; p && *p && *p != '\n';) {
		long lo = strtol(p, &p, 10), hi = lo;

		if (*p == '-')
			hi = strtol(p + 1, &p, 10);
		for (long c = lo; c <= hi && a->ncpu < cap; c++)
			a->cpus[a->ncpu++] = (int)c;
		if (*p == ',')
			p++;
		else
			break;
	}
	free(s);
	if (a->ncpu == 0) {     /* no sysfs: trust sysconf */
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		for (long c = 0; c < n && c < cap; c++)
			a->cpus[a->ncpu++] = (int)c;
	}
	return a->ncpu ? 0 : -ENODEV;
}

/* sys: where the event lives in tracefs (our uprobes: the live group); the
 * recording names it by the plan's s->system. */
static int tracepoint_info(struct st_perf_evt *e, const struct st_source *s, const char *sys, char **err)
{
	const char *dir = st_perf_tracing_dir();
	char path[512], *id;

	if (!dir)
		return st_perf_fail(err, -ENOENT, "tracefs is not available (mount -t tracefs nodev /sys/kernel/tracing)");
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", dir, sys, s->event);
	id = st_perf_read_file(path, NULL);
	if (!id && (errno == EACCES || errno == EPERM))
		return st_perf_fail(err, -errno, "cannot read tracepoint %s:%s in %s/events: %s (staplet needs root)",
				    sys, s->event, dir, strerror(errno));
	if (!id)
		return st_perf_fail(err, -ENOENT, "no tracepoint %s:%s in %s/events", sys,
				    s->event, dir);
	e->attr.config = strtoull(id, NULL, 10);
	free(id);
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, sys, s->event);
	e->format = st_perf_read_file(path, &e->format_len);
	if (!e->format)
		return st_perf_fail(err, -errno, "cannot read %s: %s", path, strerror(errno));
	e->system = strdup(s->system);
	e->event = strdup(s->event);
	if (asprintf(&e->name, "%s:%s", s->system, s->event) < 0)
		e->name = NULL;
	return e->system && e->event && e->name ? 0 : -ENOMEM;
}

/* The capture program's layout for a tracepoint whose handlers read the user
 * memory of s->captures: false (plain tracepoint, no capture) when the
 * record has dynamic fields, is too long, or a capture is not a pointer. */
static bool capture_spec(struct st_perf_evt *e, const struct st_source *s, uint32_t source, uint32_t strmax)
{
	struct tep_handle *tep = tep_alloc();
	struct tep_event *te = NULL;
	bool ok = false;

	memset(&e->spec, 0, sizeof(e->spec));
	e->spec.source = source;
	if (!tep || s->ncaptures > ST_PERF_BPF_MAX_CAPS ||
	    tep_parse_format(tep, &te, e->format, e->format_len, e->system) != 0 || !te)
		goto out;
	for (struct tep_format_field *f = te->format.fields; f; f = f->next) {
		if (f->flags & TEP_FIELD_IS_DYNAMIC)
			goto out;
		if ((uint32_t)(f->offset + f->size) > e->spec.rec_size)
			e->spec.rec_size = (uint32_t)(f->offset + f->size);
	}
	for (uint32_t k = 0; k < s->ncaptures; k++) {
		const struct st_ucap *u = &s->captures[k];
		struct tep_format_field *f = tep_find_field(te, u->field);
		struct st_perf_bpf_cap *c = &e->spec.cap[e->spec.ncap++];

		if (!f || f->size != 8 || f->offset % 8 || u->off < INT32_MIN / 2 || u->off > INT32_MAX / 2 ||
		    (u->kind == ST_UCAP_MEM && (!u->size || u->size > ST_PERF_BPF_MEM_MAX)))
			goto out;
		c->field_off = (uint16_t)f->offset;
		c->kind = u->kind;
		c->size = u->size;
		c->off = (int32_t)u->off;
		c->len_off = -1;
		if (u->len_field) {
			struct tep_format_field *lf = tep_find_field(te, u->len_field);

			if (!lf || lf->size != 8 || lf->offset % 8)
				goto out;
			c->len_off = lf->offset;
		}
	}
	e->spec.strmax = strmax;
	e->spec.self_tgid = (int32_t)getpid();
	ok = e->spec.rec_size <= ST_PERF_BPF_MAX_REC;
out:
	if (tep)
		tep_free(tep);
	return ok;
}

static void base_attr(struct st_perf_evt *e, uint64_t st, uint32_t ring_bytes)
{
	e->attr.size = sizeof(e->attr);
	e->attr.sample_type = st;
	e->attr.disabled = 1;
	e->attr.sample_id_all = 1;
	e->attr.use_clockid = 1;
	e->attr.clockid = CLOCK_MONOTONIC;
	/* Wake the reader when a quarter of the ring is full, not per event:
	 * a wakeup per event costs more than the event itself. */
	e->attr.watermark = 1;
	e->attr.wakeup_watermark = ring_bytes / 4;
}

/* Many syscalls:* sources: one raw_syscalls event per direction serves
 * them (perf_syscalls.h).  They come first, so the first event of each ring
 * (the one that reports COMM/FORK) serves the most sources. */
static int fold_syscalls(struct st_perf_attach *a, const struct st_source *src, uint32_t nsrc,
			 uint64_t common, uint32_t ring_bytes, char **err)
{
	struct st_perf_sysc *g[2];
	int rc = st_perf_sysc_plan(src, nsrc, st_perf_tracing_dir(), a->folded, g, err);

	for (int d = 0; d < 2; d++) {
		struct st_perf_evt *e = &a->evt[a->nevt];
		struct st_source raw = {.kind = ST_SRC_TRACEPOINT, .system = "raw_syscalls",
					.event = d ? "sys_exit" : "sys_enter"};

		if (!g[d])
			continue;
		if (rc == 0 && g[d]->nm && tracepoint_info(e, &raw, raw.system, NULL) == 0) {
			e->attr.type = PERF_TYPE_TRACEPOINT;
			e->attr.sample_period = 1;
			base_attr(e, common | PERF_SAMPLE_RAW, ring_bytes);
			e->sysc = g[d];
			e->source = g[d]->m[0].source;
			a->nevt++;
			if (a->verbose)
				fprintf(stderr, "perf stap: %u syscall tracepoints served by %s, filter: %s\n",
					g[d]->nm, e->name, g[d]->filter ? g[d]->filter : "none");
			continue;
		}
		/* No raw_syscalls here: every source keeps its own event. */
		free(e->format); free(e->system); free(e->event); free(e->name);
		memset(e, 0, sizeof(*e));
		for (uint32_t k = 0; k < g[d]->nm; k++)
			a->folded[g[d]->m[k].source] = false;
		st_perf_sysc_free(g[d]);
	}
	return rc;
}

/* Handlers that read backtraces: the kernel takes the callchain with
 * each sample (frame pointers; user part from the user registers), and
 * reports executable mappings so user addresses can be named later, live
 * or from the recording. */
static void want_stacks(struct st_perf_attach *a, const struct st_source *src)
{
	for (uint32_t i = 0; i < a->nevt; i++) {
		struct st_perf_evt *e = &a->evt[i];
		unsigned st = src[e->source].stack;

		for (uint32_t k = 0; e->sysc && k < e->sysc->nm; k++)
			st |= src[e->sysc->m[k].source].stack;
		if (!st)
			continue;
		e->attr.sample_type |= PERF_SAMPLE_CALLCHAIN;
		e->attr.exclude_callchain_kernel = !(st & ST_STACK_KERNEL);
		e->attr.exclude_callchain_user = !(st & ST_STACK_USER);
		if (st & ST_STACK_USER)
			a->want_mmap = true;
	}
}

static int describe(struct st_perf_attach *a, const struct st_source *src, uint32_t nsrc,
		    bool recording, uint32_t ring_bytes, char **err)
{
	uint64_t common = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU;

	/* perf script wants IP in a file; live readers skip it.  PERIOD is
	 * left out for tracepoints (always 1: perf assumes attr.sample_period),
	 * saving 8 of ~80 bytes per event. */
	if (recording)
		common |= PERF_SAMPLE_IP;
	a->trailer_type = common;
	a->evt = calloc(nsrc + 2, sizeof(*a->evt));
	a->folded = calloc(nsrc ? nsrc : 1, sizeof(bool));
	if (!a->evt || !a->folded)
		return -ENOMEM;
	if (fold_syscalls(a, src, nsrc, common, ring_bytes, err) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < nsrc; i++) {
		const struct st_source *s = &src[i];
		struct st_perf_evt *e = &a->evt[a->nevt];
		int rc;

		char sys[64];

		if (a->folded[i])
			continue;
		switch (s->kind) {
		case ST_SRC_UPROBE:
		case ST_SRC_KPROBE:
			memset(e, 0, sizeof(*e));
			rc = st_dynevent_create(s, sys, sizeof(sys), err);
			if (rc < 0) {
				if (s->optional) {
					free(*err);
					*err = NULL;
					continue;
				}
				return rc;
			}
			rc = tracepoint_info(e, s, sys, err);
			if (rc < 0) {
				free(e->format); free(e->system); free(e->event); free(e->name);
				memset(e, 0, sizeof(*e));
				return rc;
			}
			e->attr.type = PERF_TYPE_TRACEPOINT;
			e->attr.sample_period = 1;
			base_attr(e, common | PERF_SAMPLE_RAW, ring_bytes);
			break;
		case ST_SRC_TRACEPOINT:
			memset(e, 0, sizeof(*e));
			if (s->nbtf) {
				rc = st_perf_tpargs_describe(e, s, i, err);
				base_attr(e, common | PERF_SAMPLE_RAW, ring_bytes);
				e->source = i;
				a->nevt++;    /* closed with the others on failure */
				if (rc < 0)
					return rc;
				continue;
			}
			rc = tracepoint_info(e, s, s->system, err);
			if (rc < 0) {
				free(e->format); free(e->system); free(e->event); free(e->name);
				memset(e, 0, sizeof(*e));
				if (s->optional && rc == -ENOENT) {
					free(*err);   /* `?` point: skipped without a word */
					*err = NULL;
					continue;
				}
				return rc;
			}
			e->attr.type = PERF_TYPE_TRACEPOINT;
			e->attr.sample_period = 1;
			base_attr(e, common | PERF_SAMPLE_RAW, ring_bytes);
			if (s->ncaptures && !capture_spec(e, s, i, a->strmax))
				fprintf(stderr, "WARNING: perf stap: %s: the user memory its handlers read cannot be "
					"copied at the event (more than %u pointers, or a record BPF cannot copy); it "
					"is read from the process when the handler runs\n", e->name,
					ST_PERF_BPF_MAX_CAPS);
			else if (s->ncaptures) {
				/* the samples come from the capture program */
				e->capture = true;
				e->tp_config = e->attr.config;
				e->attr.type = PERF_TYPE_SOFTWARE;
				e->attr.config = PERF_COUNT_SW_BPF_OUTPUT;
				e->tp_fd = e->prog_fd = e->scratch_fd = e->out_fd = -1;
				if (a->verbose)
					fprintf(stderr, "perf stap: %s: %u user memory copies taken by BPF\n",
						e->name, e->spec.ncap);
			}
			break;
		case ST_SRC_PERF:
			e->name = strdup(s->name ? s->name : "perf");
			if (!e->name)
				return -ENOMEM;
			e->attr.type = s->perf_type;
			e->attr.config = s->perf_config;
			e->attr.sample_period = s->perf_period ? s->perf_period : 1;
			e->attr.freq = s->perf_freq;
			/* addr(), uaddr() and user_mode() read the sampled ip */
			base_attr(e, common | PERF_SAMPLE_PERIOD | PERF_SAMPLE_IP, ring_bytes);
			break;
		default:
			continue;     /* begin/end/error/never/timer: the runtime's */
		}
		e->source = i;
		a->nevt++;
	}
	want_stacks(a, src);
	return 0;
}

static int alloc_fds(struct st_perf_attach *a)
{
	for (uint32_t i = 0; i < a->nevt; i++) {
		a->evt[i].fds = malloc(sizeof(int) * (size_t)a->ncpu);
		a->evt[i].ids = calloc((size_t)a->ncpu, sizeof(uint64_t));
		if (!a->evt[i].fds || !a->evt[i].ids)
			return -ENOMEM;
		for (int c = 0; c < a->ncpu; c++)
			a->evt[i].fds[c] = -1;
	}
	a->ring = calloc((size_t)a->ncpu, sizeof(*a->ring));
	if (!a->ring)
		return -ENOMEM;
	for (int c = 0; c < a->ncpu; c++)
		a->ring[c].fd = -1;
	return 0;
}

static int map_ring(struct st_perf_ring *r, uint32_t kb, char **err)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t bytes = (size_t)pg;

	while (bytes < (size_t)kb * 1024)
		bytes <<= 1;
	/* The kernel may refuse large rings (perf_event_mlock_kb without
	 * CAP_IPC_LOCK): halve rather than fail. */
	for (;;) {
		r->base = mmap(NULL, bytes + (size_t)pg, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
		if (r->base != MAP_FAILED)
			break;
		if ((errno != EPERM && errno != ENOMEM) || bytes <= (size_t)MIN_RING_KB * 1024) {
			r->base = NULL;
			return st_perf_fail(err, -errno, "cannot map the perf ring of CPU %d: %s",
					    r->cpu, strerror(errno));
		}
		bytes >>= 1;
	}
	r->map_len = bytes + (size_t)pg;
	r->meta = r->base;
	r->data = (uint8_t *)r->base + pg;
	r->mask = bytes - 1;
	return 0;
}

/* The ftrace filter of a tracepoint event: the raw_syscalls id filter, and
 * for system calls and uprobes, not staplet's own process: its reads,
 * writes and /proc walks while handlers run must not feed its probes (the
 * -c child is another process).  malloc'd, or NULL for none. */
static char *event_filter(const struct st_perf_evt *e)
{
	bool self = e->sysc || (e->system && (!strcmp(e->system, "syscalls") || !strcmp(e->system, "raw_syscalls") ||
					      !strncmp(e->system, "staplet", 7)));
	char *f = NULL;

	if (e->capture || e->attr.type != PERF_TYPE_TRACEPOINT)
		return NULL;
	if (!self)
		return e->sysc && e->sysc->filter ? strdup(e->sysc->filter) : NULL;
	if (e->sysc && e->sysc->filter) {
		if (asprintf(&f, "(%s) && common_pid != %d", e->sysc->filter, (int)getpid()) < 0)
			f = NULL;
	} else if (asprintf(&f, "common_pid != %d", (int)getpid()) < 0) {
		f = NULL;
	}
	return f;
}

static int open_one(struct st_perf_attach *a, struct st_perf_evt *e, int ci, uint32_t kb, char **err)
{
	struct st_perf_ring *r = &a->ring[ci];
	struct perf_event_attr attr = e->attr;
	char *filter;
	int fd, rc;

	if (r->fd < 0) {
		attr.comm = attr.comm_exec = attr.task = 1;
		attr.mmap = attr.mmap2 = a->want_mmap;
	}
	fd = (int)syscall(SYS_perf_event_open, &attr, -1, a->cpus[ci], -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		char hint[256];
		int en = errno;

		return st_perf_fail(err, -en, "perf_event_open(%s, cpu %d): %s%s", e->name, a->cpus[ci],
				    strerror(en), st_perf_access_hint(en, hint, sizeof(hint)));
	}
	e->fds[ci] = fd;
	/* Without the filter userspace drops the unwanted ids: slower, exact. */
	filter = event_filter(e);
	if (filter && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter) < 0 && e->sysc && e->sysc->filter)
		ioctl(fd, PERF_EVENT_IOC_SET_FILTER, e->sysc->filter);
	free(filter);
	if (ioctl(fd, PERF_EVENT_IOC_ID, &e->ids[ci]) < 0)
		return st_perf_fail(err, -errno, "PERF_EVENT_IOC_ID(%s): %s", e->name, strerror(errno));
	if (r->fd < 0) {
		r->fd = fd;
		r->cpu = a->cpus[ci];
		return map_ring(r, kb, err);
	}
	rc = ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, r->fd);
	if (rc < 0)
		return st_perf_fail(err, -errno, "PERF_EVENT_IOC_SET_OUTPUT(%s): %s", e->name,
				    strerror(errno));
	return 0;
}

/* The capture program on the tracepoint, writing into the per-CPU BPF
 * output events already opened (one fd serves all CPUs: the program runs
 * wherever the tracepoint fires). */
static int capture_attach(struct st_perf_attach *a, struct st_perf_evt *e, char **err)
{
	/* counting, not sampling: the program's output is the sample, and a
	 * sampling event with no ring would build one per event to drop it */
	struct perf_event_attr tp = {.size = sizeof(tp), .type = PERF_TYPE_TRACEPOINT,
				     .config = e->tp_config, .sample_period = 0, .disabled = 1};
	char log[4096];
	int maxcpu = 0, rc;

	for (int c = 0; c < a->ncpu; c++)
		if (a->cpus[c] + 1 > maxcpu)
			maxcpu = a->cpus[c] + 1;
	rc = st_perf_bpf_maps(&e->spec, maxcpu, &e->scratch_fd, &e->out_fd);
	if (rc < 0)
		return st_perf_fail(err, rc, "%s: cannot create the BPF capture maps: %s", e->name,
				    strerror(-rc));
	for (int c = 0; c < a->ncpu; c++) {
		uint32_t key = (uint32_t)a->cpus[c];
		int fd = e->fds[c];

		if (bpf_map_update_elem(e->out_fd, &key, &fd, BPF_ANY) < 0)
			return st_perf_fail(err, -errno, "%s: cannot set the BPF output of CPU %d: %s",
					    e->name, a->cpus[c], strerror(errno));
	}
	e->prog_fd = st_perf_bpf_load(&e->spec, e->scratch_fd, e->out_fd, log, sizeof(log));
	if (e->prog_fd < 0)
		return st_perf_fail(err, e->prog_fd, "%s: cannot load the BPF capture program: %s%s%.300s",
				    e->name, strerror(-e->prog_fd), log[0] ? ": " : "", log);
	if (e->disp)
		return st_perf_disp_add(a, e, e->prog_fd, err);
	e->tp_fd = (int)syscall(SYS_perf_event_open, &tp, -1, a->cpus[0], -1, PERF_FLAG_FD_CLOEXEC);
	if (e->tp_fd < 0) {
		char hint[256];
		int en = errno;

		return st_perf_fail(err, -en, "perf_event_open(%s): %s%s", e->name, strerror(en),
				    st_perf_access_hint(en, hint, sizeof(hint)));
	}
	if (ioctl(e->tp_fd, PERF_EVENT_IOC_SET_BPF, e->prog_fd) < 0)
		return st_perf_fail(err, -errno, "%s: cannot attach the BPF capture program: %s", e->name,
				    strerror(errno));
	return 0;
}

static int id_cmp(const void *x, const void *y)
{
	const struct st_perf_id *a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* Samples name their event by id: a sorted table keeps the lookup
 * logarithmic when a plan attaches hundreds of tracepoints. */
static int index_ids(struct st_perf_attach *a)
{
	a->idx = malloc(((size_t)a->nevt * (size_t)a->ncpu + 1) * sizeof(*a->idx));
	if (!a->idx)
		return -ENOMEM;
	for (uint32_t i = 0; i < a->nevt; i++)
		for (int c = 0; c < a->ncpu; c++)
			a->idx[a->nidx++] = (struct st_perf_id){a->evt[i].ids[c], i};
	qsort(a->idx, a->nidx, sizeof(*a->idx), id_cmp);
	return 0;
}

int st_perf_attach_open(struct st_perf_attach *a, const struct st_source *src, uint32_t nsrc,
			const struct st_backend_opts *o, bool recording, char **err)
{
	uint32_t kb = o && o->buffer_kb ? o->buffer_kb : DEFAULT_RING_KB;
	int rc;

	memset(a, 0, sizeof(*a));
	a->verbose = o ? o->verbose : 0;
	a->strmax = o ? o->maxstringlen : 0;
	if (kb < MIN_RING_KB)
		kb = MIN_RING_KB;
	rc = parse_cpus(a);
	if (rc == 0)
		rc = describe(a, src, nsrc, recording, kb * 1024, err);
	if (rc == 0)
		rc = st_perf_disp_plan(a, src, nsrc, err);
	if (rc == 0)
		rc = alloc_fds(a);
	for (uint32_t i = 0; rc == 0 && i < a->nevt; i++)
		for (int c = 0; rc == 0 && c < a->ncpu; c++)
			rc = open_one(a, &a->evt[i], c, kb, err);
	if (rc == 0)
		rc = st_perf_taskctx_attach(a, src, nsrc, err);
	for (uint32_t i = 0; rc == 0 && i < a->nevt; i++)
		if (a->evt[i].capture)
			rc = capture_attach(a, &a->evt[i], err);
	if (rc == 0)
		rc = index_ids(a);
	if (rc == 0)
		rc = st_perf_tpargs_attach(a, err);
	/* last: after every other program at raw_syscalls (the task context) */
	if (rc == 0)
		rc = st_perf_disp_attach(a, err);
	if (rc < 0) {
		if (err && !*err)
			st_perf_fail(err, rc, "cannot attach: %s", strerror(-rc));
		st_perf_attach_close(a);
	}
	return rc;
}

int st_perf_attach_enable(struct st_perf_attach *a, char **err)
{
	a->wall_offset_ns = st_clock_wall_offset_ns();
	a->start_ns = st_clock_mono_ns();
	for (uint32_t i = 0; i < a->nevt; i++)
		for (int c = 0; c < a->ncpu; c++)
			if (ioctl(a->evt[i].fds[c], PERF_EVENT_IOC_ENABLE, 0) < 0)
				return st_perf_fail(err, -errno, "cannot enable %s: %s",
						    a->evt[i].name, strerror(errno));
	/* the BPF outputs are on: now the program that writes to them */
	for (uint32_t i = 0; i < a->nevt; i++)
		if (a->evt[i].capture && a->evt[i].tp_fd >= 0 && ioctl(a->evt[i].tp_fd, PERF_EVENT_IOC_ENABLE, 0) < 0)
			return st_perf_fail(err, -errno, "cannot enable %s: %s", a->evt[i].name,
					    strerror(errno));
	return st_perf_disp_enable(a, err);
}

void st_perf_attach_disable(struct st_perf_attach *a)
{
	st_perf_disp_disable(a);
	for (uint32_t i = 0; i < a->nevt; i++)
		if (a->evt[i].capture && a->evt[i].tp_fd >= 0)
			ioctl(a->evt[i].tp_fd, PERF_EVENT_IOC_DISABLE, 0);
	for (uint32_t i = 0; i < a->nevt; i++)
		for (int c = 0; a->evt[i].fds && c < a->ncpu; c++)
			if (a->evt[i].fds[c] >= 0)
				ioctl(a->evt[i].fds[c], PERF_EVENT_IOC_DISABLE, 0);
}

void st_perf_attach_close(struct st_perf_attach *a)
{
	struct st_perf_fds all = { 0 };

	for (int c = 0; a->ring && c < a->ncpu; c++)
		if (a->ring[c].base)
			munmap(a->ring[c].base, a->ring[c].map_len);
	for (uint32_t i = 0; a->evt && i < a->nevt; i++) {
		struct st_perf_evt *e = &a->evt[i];

		for (int c = 0; e->fds && c < a->ncpu; c++)
			st_perf_fds_add(&all, e->fds[c]);
		if (e->capture) {
			st_perf_fds_add(&all, e->tp_fd);
			st_perf_fds_add(&all, e->prog_fd);
			st_perf_fds_add(&all, e->out_fd);
			st_perf_fds_add(&all, e->scratch_fd);
		}
		st_perf_tpargs_fds(e, &all);
	}
	st_perf_disp_close(a, &all);
	st_perf_fds_close(&all);
	for (uint32_t i = 0; a->evt && i < a->nevt; i++) {
		struct st_perf_evt *e = &a->evt[i];

		free(e->fds);
		free(e->ids);
		free(e->name);
		free(e->system);
		free(e->event);
		free(e->format);
		st_perf_sysc_free(e->sysc);
		st_perf_tpargs_close(e);
	}
	free(a->evt);
	free(a->folded);
	free(a->idx);
	free(a->ring);
	free(a->cpus);
	memset(a, 0, sizeof(*a));
	/* the events' fds are closed: the kernel lets them go now */
	st_dynevent_remove_all();
}

struct st_perf_evt *st_perf_attach_find(struct st_perf_attach *a, uint64_t id)
{
	uint32_t lo = 0, hi = a->nidx;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (a->idx[mid].id < id)
			lo = mid + 1;
		else if (a->idx[mid].id > id)
			hi = mid;
		else
			return &a->evt[a->idx[mid].evt];
	}
	return NULL;
}
