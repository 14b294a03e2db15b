/* tc_live.c - the live stream: a private tracefs instance read through
 * per-CPU trace_pipe_raw, merged across CPUs in time order.
 *
 * Ordering: an event may be handed out once every CPU has a buffered event
 * (then the earliest is globally first), or when it is no later than the
 * `horizon`, the CLOCK_MONOTONIC time taken just before the empty CPUs were
 * last found empty (anything they record later carries a later stamp).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <tracefs/tracefs.h>
#include <traceevent/event-parse.h>
#include "runtime/clock.h"
#include "runtime/dynevent.h"
#include "plugins/trace-cmd/tc_internal.h"
#include "plugins/trace-cmd/tracecmd_backend.h"

struct tc_live_cpu {
	int fd;
	uint8_t *page;
	struct tc_cursor cur;
};

struct tc_live {
	struct st_stream base;
	struct tc_instance ti;
	struct tep_handle *tep;
	struct tc_decoder dec;
	struct tc_live_cpu *cpu;
	struct pollfd *pfd;
	int ncpu;
	uint64_t horizon;
	uint64_t missed;
	bool stopped;
};

/* Read the next page of one CPU; 1 when an event is now buffered. */
static int refill_cpu(struct tc_live *l, struct tc_live_cpu *c)
{
	while (c->fd >= 0) {
		ssize_t n = read(c->fd, c->page, l->ti.subbuf_size);

		if (n <= 0)
			return n < 0 && errno != EAGAIN && errno != EINTR ? -errno : 0;
		if (st_tracecmd_page_load(&c->cur, c->page, (uint32_t)n, (int)sizeof(long)) < 0)
			continue;       /* a page we cannot parse: skip it */
		l->missed += c->cur.missed;
		if (st_tracecmd_page_next(&c->cur) == 1)
			return 1;
	}
	return 0;
}

/* Move every CPU without a buffered event to its next one. */
static int refill_round(struct tc_live *l, int *got)
{
	int i;

	*got = 0;
	l->horizon = st_clock_mono_ns();
	for (i = 0; i < l->ncpu; i++) {
		struct tc_live_cpu *c = &l->cpu[i];
		int r;

		if (c->cur.have)
			continue;
		r = refill_cpu(l, c);
		if (r < 0)
			return r;
		*got += r;
	}
	return 0;
}

/* The CPU holding the earliest buffered event, -1 if none; *all: every CPU has one. */
static int earliest(struct tc_live *l, bool *all)
{
	int i, best = -1;

	*all = true;
	for (i = 0; i < l->ncpu; i++) {
		struct tc_cursor *c = &l->cpu[i].cur;

		if (!c->have) {
			if (l->cpu[i].fd >= 0)
				*all = false;
			continue;
		}
		if (best < 0 || c->ev_ts < l->cpu[best].cur.ev_ts)
			best = i;
	}
	return best;
}

static int wait_data(struct tc_live *l, int timeout_ms)
{
	int i, r;

	for (i = 0; i < l->ncpu; i++) {
		l->pfd[i].fd = l->cpu[i].fd;
		l->pfd[i].events = POLLIN;
		l->pfd[i].revents = 0;
	}
	r = poll(l->pfd, (nfds_t)l->ncpu, timeout_ms);
	return r < 0 ? -errno : r;
}

static int live_next(struct st_stream *s, struct st_event *ev, int timeout_ms)
{
	struct tc_live *l = (struct tc_live *)s;
	uint64_t deadline = st_clock_mono_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000ull;

	bool tried = false;

	if (st_tracecmd_decode_dup(&l->dec, ev))
		return 1;
	for (;;) {
		bool all;
		int best, got, r;

		while ((best = earliest(l, &all)) >= 0 &&
		       (all || tried || l->cpu[best].cur.ev_ts <= l->horizon)) {
			struct tc_live_cpu *c = &l->cpu[best];
			int d = st_tracecmd_decode(&l->dec, best, c->cur.ev_ts, c->cur.ev_data,
						   c->cur.ev_size, ev);

			/* ev points into c->page, which is only refilled by the next call */
			if (st_tracecmd_page_next(&c->cur) != 1)
				c->cur.have = false;
			if (d == 1)
				return 1;
			tried = false;
		}
		r = refill_round(l, &got);
		if (r < 0)
			return r;
		if (got)
			continue;
		if (best >= 0) {
			/* nothing new anywhere: what is buffered is safe (guards against a
			 * trace clock that runs ahead of CLOCK_MONOTONIC) */
			tried = true;
			continue;
		}
		if (l->stopped)
			return ST_STREAM_EOF;
		{
			uint64_t now = st_clock_mono_ns();
			int left = now >= deadline ? 0 : (int)((deadline - now) / 1000000ull);

			if (left <= 0 || timeout_ms <= 0)
				return 0;
			r = wait_data(l, left > 100 ? 100 : left);
			if (r == -EINTR)
				return 0;     /* a signal: let the caller look at its flags */
			if (r < 0)
				return r;
			if (r == 0 && st_clock_mono_ns() >= deadline)
				return 0;
		}
	}
}

static void live_stop(struct st_stream *s)
{
	struct tc_live *l = (struct tc_live *)s;

	if (!l->stopped && l->ti.inst)
		st_tracecmd_instance_tracing(&l->ti, false);
	l->stopped = true;
}

static uint64_t live_lost(struct st_stream *s)
{
	struct tc_live *l = (struct tc_live *)s;
	uint64_t k = st_tracecmd_instance_lost(&l->ti);

	return k > l->missed ? k : l->missed;
}

static void live_close(struct st_stream *s)
{
	struct tc_live *l = (struct tc_live *)s;
	int i;

	if (!l)
		return;
	for (i = 0; l->cpu && i < l->ncpu; i++) {
		if (l->cpu[i].fd >= 0)
			close(l->cpu[i].fd);
		free(l->cpu[i].page);
	}
	/* the files must be closed first: an instance in use cannot be removed */
	st_tracecmd_instance_destroy(&l->ti);
	st_dynevent_remove_all();
	free(l->cpu);
	free(l->pfd);
	st_tracecmd_decoder_free(&l->dec);
	if (l->tep)
		tep_free(l->tep);
	free(l);
}

static const struct st_stream_ops live_ops = { .next = live_next, .stop = live_stop, .lost = live_lost, .close = live_close };

static int bind_formats(struct tc_live *l, const struct st_source *src, uint32_t nsrc,
			const struct tc_enabled *en, char **err)
{
	uint32_t i, j;

	for (i = 0; i < en->n; i++) {
		const struct tc_enabled_event *e = &en->e[i];
		struct tep_event *f = st_tracecmd_load_format(l->tep, e->sys, e->ev);

		if (!f) {
			if (e->source < 0)
				continue;
			st_tracecmd_err(err, "cannot parse the format of %s:%s", e->sys, e->ev);
			return -EINVAL;
		}
		if (e->internal)
			st_tracecmd_decoder_bind_internal(&l->dec, e->internal, f);
		if (e->source < 0)
			continue;
		/* every plan source naming this event */
		for (j = 0; j < nsrc; j++) {
			char sys[64], ev[128];

			if ((src[j].kind == ST_SRC_TRACEPOINT || src[j].kind == ST_SRC_UPROBE || src[j].kind == ST_SRC_KPROBE) &&
			    st_tracecmd_source_event(&src[j], sys, sizeof(sys), ev, sizeof(ev)) &&
			    !strcmp(sys, st_dynevent_logical_system(e->sys)) && !strcmp(ev, e->ev))
				st_tracecmd_decoder_bind(&l->dec, j, f);
		}
	}
	return 0;
}

static int open_cpus(struct tc_live *l, char **err)
{
	int i;

	l->ncpu = l->ti.ncpu;
	l->cpu = calloc((size_t)l->ncpu, sizeof(*l->cpu));
	l->pfd = calloc((size_t)l->ncpu, sizeof(*l->pfd));
	if (!l->cpu || !l->pfd)
		return -ENOMEM;
	for (i = 0; i < l->ncpu; i++) {
		l->cpu[i].fd = st_tracecmd_open_cpu_raw(&l->ti, i, true);
		if (l->cpu[i].fd < 0) {
			l->cpu[i].fd = -1;   /* an offline CPU */
			continue;
		}
		l->cpu[i].page = malloc(l->ti.subbuf_size);
		if (!l->cpu[i].page)
			return -ENOMEM;
	}
	return 0;
}

int st_tracecmd_live_open(const struct st_source *src, uint32_t nsrc, const struct st_backend_opts *o,
			  struct st_stream **out, char **err)
{
	struct tc_live *l = calloc(1, sizeof(*l));
	struct tc_enabled en = { 0 };
	int r;

	if (!l)
		return -ENOMEM;
	l->base.ops = &live_ops;
	l->base.live = true;
	r = st_tracecmd_decoder_init(&l->dec, nsrc);
	if (r < 0)
		goto fail;
	l->base.fmt = l->dec.fmt;
	l->base.nfmt = l->dec.nsrc;
	r = st_tracecmd_attach(&l->ti, src, nsrc, o ? o->buffer_kb : 0, &en, err);
	if (r < 0)
		goto fail;
	r = -ENOMEM;
	l->tep = tep_alloc();
	if (!l->tep)
		goto fail;
	tep_set_long_size(l->tep, (int)sizeof(long));
	tep_set_page_size(l->tep, (int)l->ti.subbuf_size);
	r = bind_formats(l, src, nsrc, &en, err);
	if (r < 0)
		goto fail;
	r = open_cpus(l, err);
	if (r < 0)
		goto fail;
	/* wake readers as soon as anything is there: live output is interactive */
	st_tracecmd_instance_write(&l->ti, "buffer_percent", "0");
	r = st_tracecmd_instance_tracing(&l->ti, true);
	if (r < 0) {
		st_tracecmd_err(err, "cannot turn tracing on in %s", l->ti.name);
		goto fail;
	}
	/* after arming: a task born later shows up as a task_newtask event */
	st_tracecmd_tasks_from_proc(&l->dec.tasks);
	l->base.wall_offset_ns = st_clock_wall_offset_ns();
	free(en.e);
	*out = &l->base;
	return 0;
fail:
	if (r == -ENOMEM && err && !*err)
		st_tracecmd_err(err, "out of memory");
	free(en.e);
	live_close(&l->base);
	return r;
}
