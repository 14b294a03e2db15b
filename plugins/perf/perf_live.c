/* perf_live.c - the live stream: per-CPU perf rings merged in time order.
 *
 * Each CPU's ring is in time order; records of other CPUs may still be on
 * their way.  A record is handed out only once it is older than "now minus
 * a small slack": the kernel stamps a record and commits it within
 * microseconds, so nothing older can appear later.  After stop() every
 * event is disabled and the rings are drained completely.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>
#include "plugins/perf/perf_int.h"
#include "runtime/merge.h"
#include "plugins/perf/perf_ink.h"
#include "plugins/perf/perf_syscalls.h"

#define SLACK_NS 2000000ull     /* 2 ms */
#define POLL_STEP_MS 10

struct cursor {
	uint64_t pos, head;           /* next record, end of what we saw */
	uint64_t time;
	const struct perf_event_header *rec;
	uint8_t *bounce;              /* records that wrap around the ring end */
};

struct live {
	struct st_stream base;
	struct st_perf_attach at;
	struct st_perf_comm comm;
	struct tep_handle *tep;
	uint32_t nsrc;
	struct cursor *cur;
	struct st_merge merge;        /* rings by the time of their current record */
	int held;                     /* ring whose record next() returned */
	struct pollfd *pfd;
	struct st_perf_evt *last_evt; /* id lookup cache */
	uint64_t last_id;
	struct st_perf_captured cap;  /* the strings of the event handed out */
	bool stopped;
	struct st_perf_ink ink;       /* sources counted in the kernel */
};

static struct st_perf_evt *find_evt(struct live *l, uint64_t id)
{
	if (l->last_evt && l->last_id == id)
		return l->last_evt;
	l->last_evt = st_perf_attach_find(&l->at, id);
	l->last_id = id;
	return l->last_evt;
}

/* ---- ring cursors ---- */

static uint64_t record_time(struct live *l, const struct perf_event_header *h, uint64_t prev)
{
	const uint8_t *body = (const uint8_t *)(h + 1);
	size_t size = h->size - sizeof(*h);
	struct st_perf_sample s;

	if (h->type == PERF_RECORD_SAMPLE) {
		uint64_t id;
		struct st_perf_evt *e;

		if (size < 8)
			return prev;
		memcpy(&id, body, 8);
		e = find_evt(l, id);
		if (!e || st_perf_parse_sample(e->attr.sample_type, 0, body, size, &s) < 0)
			return prev;
		return s.time;
	}
	if (st_perf_parse_trailer(l->at.trailer_type, body, size, &s) < 0 || !s.time)
		return prev;
	return s.time;
}

/* Point the cursor at its next record; false when the ring has no more. */
static bool cursor_load(struct live *l, int ri)
{
	struct st_perf_ring *r = &l->at.ring[ri];
	struct cursor *c = &l->cur[ri];
	const struct perf_event_header *h;
	uint64_t off, room;

	if (c->pos >= c->head)
		return false;
	off = c->pos & r->mask;
	h = (const void *)(r->data + off);
	if (h->size < sizeof(*h) || h->size % 8 || h->size > c->head - c->pos) {
		c->pos = c->head;     /* a torn ring cannot be resynchronised */
		st_perf_ring_release(r, c->pos);
		return false;
	}
	room = r->mask + 1 - off;
	if (h->size > room) {
		memcpy(c->bounce, h, room);
		memcpy(c->bounce + room, r->data, h->size - room);
		h = (const void *)c->bounce;
	}
	c->rec = h;
	c->time = record_time(l, h, c->time);
	return true;
}

static void cursor_advance(struct live *l, int ri)
{
	struct cursor *c = &l->cur[ri];

	c->pos += c->rec->size;
	st_perf_ring_release(&l->at.ring[ri], c->pos);
	if (cursor_load(l, ri))
		st_merge_push(&l->merge, (uint32_t)ri, l->cur[ri].time);
}

/* Look at every ring's head; rings that were empty join the heap. */
static void refill(struct live *l)
{
	for (int i = 0; i < l->at.ncpu; i++) {
		struct cursor *c = &l->cur[i];
		bool was_empty = c->pos >= c->head;

		if (!l->at.ring[i].base || i == l->held)
			continue;
		c->head = st_perf_ring_head(&l->at.ring[i]);
		if (was_empty && cursor_load(l, i))
			st_merge_push(&l->merge, (uint32_t)i, l->cur[i].time);
	}
}

/* Non-sample records keep the comm table and the lost count current. */
static void side_record(struct live *l, const struct perf_event_header *h)
{
	const uint8_t *b = (const uint8_t *)(h + 1);
	size_t size = h->size - sizeof(*h);
	int32_t v[4];
	uint64_t lost;

	if (l->at.want_mmap)
		st_perf_track_maps(h);
	switch (h->type) {
	case PERF_RECORD_COMM:
		if (size > 8) {
			memcpy(v, b, 8);
			st_perf_comm_set(&l->comm, v[1], (const char *)b + 8, size - 8);
		}
		break;
	case PERF_RECORD_FORK:
		if (size >= 16) {
			memcpy(v, b, 16);
			st_perf_comm_fork(&l->comm, v[2], v[3]);
		}
		break;
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES:
		if (size >= 16 && h->type == PERF_RECORD_LOST) {
			memcpy(&lost, b + 8, 8);
			l->base.lost += lost;
		} else if (size >= 8 && h->type == PERF_RECORD_LOST_SAMPLES) {
			memcpy(&lost, b, 8);
			l->base.lost += lost;
		}
		break;
	default:
		break;
	}
}

static bool fill_event(struct live *l, const struct perf_event_header *h, struct st_event *ev)
{
	const uint8_t *body = (const uint8_t *)(h + 1);
	size_t size = h->size - sizeof(*h);
	struct st_perf_sample s;
	struct st_perf_evt *e;
	uint64_t id;

	if (size < 8)
		return false;
	memcpy(&id, body, 8);
	e = find_evt(l, id);
	if (!e || st_perf_parse_sample(e->attr.sample_type, 0, body, size, &s) < 0)
		return false;
	ev->time = s.time;
	ev->source = e->source;
	if (e->sysc) {
		int32_t src = st_perf_sysc_source(e->sysc, s.raw, s.raw_size);

		if (src < 0)
			return false;    /* an id no source asked for */
		ev->source = (uint32_t)src;
	}
	ev->cpu = s.cpu;
	ev->pid = s.pid;
	ev->tid = s.tid;
	ev->comm = st_perf_comm_get(&l->comm, s.tid);
	ev->raw = s.raw;
	ev->raw_size = s.raw_size;
	ev->value = s.period;
	ev->flags = 0;
	ev->ip = s.ip;
	ev->captures = NULL;
	ev->ncaptures = 0;
	st_perf_event_stack(ev, &s, st_perf_stack_parts(&e->attr));
	if (e->capture) {
		if (!st_perf_capture_decode(s.raw, s.raw_size, &l->cap))
			return false;
		ev->raw = l->cap.rec;
		ev->raw_size = l->cap.rec_size;
		ev->captures = l->cap.cap;
		ev->ncaptures = l->cap.ncap;
	}
	return true;
}

/* Hand out the oldest record older than `limit`: 1 with *ev, else 0. */
static int emit(struct live *l, struct st_event *ev, uint64_t limit)
{
	while (st_merge_count(&l->merge) && st_merge_top_time(&l->merge) <= limit) {
		int ri = (int)st_merge_pop(&l->merge);
		const struct perf_event_header *h = l->cur[ri].rec;

		if (h->type == PERF_RECORD_SAMPLE && fill_event(l, h, ev)) {
			l->held = ri;     /* the record stays in the ring until next call */
			return 1;
		}
		side_record(l, h);
		cursor_advance(l, ri);
	}
	return 0;
}

static bool drained(struct live *l)
{
	for (int i = 0; i < l->at.ncpu; i++)
		if (l->at.ring[i].base && st_perf_ring_head(&l->at.ring[i]) > l->cur[i].pos)
			return false;
	return st_merge_count(&l->merge) == 0;
}

static int live_next(struct st_stream *s, struct st_event *ev, int timeout_ms)
{
	struct live *l = (struct live *)s;
	uint64_t deadline = st_perf_now_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000ull;

	if (l->held >= 0) {
		int ri = l->held;
		l->held = -1;
		cursor_advance(l, ri);
	}
	for (;;) {
		uint64_t now = st_perf_now_ns();
		uint64_t limit = l->stopped ? UINT64_MAX : now - SLACK_NS;
		int wait, rc;

		if (emit(l, ev, limit))
			return 1;
		refill(l);
		if (emit(l, ev, limit))
			return 1;
		if (l->stopped && drained(l))
			return st_perf_ink_next(&l->ink, ev) ? 1 : ST_STREAM_EOF;
		if (l->stopped)
			continue;
		now = st_perf_now_ns();
		if (now >= deadline)
			return 0;
		/* Records waiting for the slack to pass: sleep just that long. */
		wait = st_merge_count(&l->merge) ? 1 + (int)(SLACK_NS / 1000000) : POLL_STEP_MS;
		if ((uint64_t)wait * 1000000ull > deadline - now)
			wait = (int)((deadline - now) / 1000000ull) + 1;
		rc = poll(l->pfd, (nfds_t)l->at.ncpu, wait);
		if (rc < 0 && errno == EINTR)
			return 0;
	}
}

static void live_stop(struct st_stream *s)
{
	struct live *l = (struct live *)s;

	if (!l->stopped) {
		st_perf_attach_disable(&l->at);
		st_perf_ink_collect(&l->ink);
	}
	l->stopped = true;
}

static void live_close(struct st_stream *s)
{
	struct live *l = (struct live *)s;

	if (!l)
		return;
	st_perf_attach_disable(&l->at);
	st_perf_ink_close(&l->ink);
	for (int i = 0; l->cur && i < l->at.ncpu; i++)
		free(l->cur[i].bounce);
	st_perf_attach_close(&l->at);
	st_perf_comm_free(&l->comm);
	if (l->tep)
		tep_free(l->tep);
	free(l->base.fmt);
	free(l->cur);
	st_merge_free(&l->merge);
	free(l->pfd);
	free(l);
}

static const struct st_stream_ops live_ops = { .next = live_next, .stop = live_stop, .close = live_close };

static int parse_formats(struct live *l, char **err)
{
	l->tep = tep_alloc();
	l->base.fmt = calloc(l->nsrc ? l->nsrc : 1, sizeof(*l->base.fmt));
	l->base.nfmt = l->nsrc;
	if (!l->tep || !l->base.fmt)
		return -ENOMEM;
	for (uint32_t i = 0; i < l->at.nevt; i++) {
		struct st_perf_evt *e = &l->at.evt[i];
		struct tep_event *te = NULL;

		if (e->sysc) {
			/* Records of the raw event decode as the syscall's own. */
			for (uint32_t k = 0; k < e->sysc->nm; k++) {
				struct st_perf_sysc_member *m = &e->sysc->m[k];

				te = NULL;
				if (tep_parse_format(l->tep, &te, m->format, m->format_len, "syscalls") != 0 || !te)
					return st_perf_fail(err, -EINVAL, "cannot parse the format of syscalls:%s", m->event);
				l->base.fmt[m->source] = te;
			}
			continue;
		}
		if (!e->format)
			continue;
		if (tep_parse_format(l->tep, &te, e->format, e->format_len, e->system) != 0 || !te)
			return st_perf_fail(err, -EINVAL, "cannot parse the format of %s", e->name);
		l->base.fmt[e->source] = te;
	}
	return 0;
}

static void snap_comm(void *ctx, int pid, int tid, const char *comm)
{
	(void)pid;
	st_perf_comm_set(ctx, tid, comm, 16);
}

static int setup(struct live *l, char **err)
{
	int n = l->at.ncpu, rc;

	l->cur = calloc((size_t)n, sizeof(*l->cur));
	l->pfd = calloc((size_t)n, sizeof(*l->pfd));
	if (!l->cur || !l->pfd || st_merge_init(&l->merge, (uint32_t)n) < 0)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		l->cur[i].bounce = malloc(65536);   /* a record is at most 64 KiB */
		if (!l->cur[i].bounce)
			return -ENOMEM;
		l->pfd[i].fd = l->at.ring[i].fd;    /* -1 is ignored by poll */
		l->pfd[i].events = POLLIN;
	}
	rc = st_perf_comm_init(&l->comm);
	if (rc == 0)
		rc = parse_formats(l, err);
	return rc;
}

int st_perf_live_open(const struct st_source *src, uint32_t nsrc, const struct st_backend_opts *o,
		      struct st_stream **out, char **err)
{
	struct live *l = calloc(1, sizeof(*l));
	struct st_source *rest = NULL;
	bool *served = calloc(nsrc ? nsrc : 1, sizeof(bool));
	int rc;

	*out = NULL;
	if (!l || !served || !(rest = malloc(sizeof(*rest) * (nsrc ? nsrc : 1)))) {
		free(l);
		free(served);
		return st_perf_fail(err, -ENOMEM, "out of memory");
	}
	l->base.ops = &live_ops;
	l->base.live = true;
	l->nsrc = nsrc;
	l->held = -1;
	/* In-kernel sources first; the rest are captured as before. */
	st_perf_ink_open(&l->ink, src, nsrc, o, served);
	memcpy(rest, src, sizeof(*rest) * nsrc);
	for (uint32_t i = 0; i < nsrc; i++)
		if (served[i])
			rest[i].kind = ST_SRC_NEVER;
	rc = st_perf_attach_open(&l->at, rest, nsrc, o, false, err);
	free(rest);
	free(served);
	if (rc < 0) {
		st_perf_ink_close(&l->ink);
		free(l);
		return rc;
	}
	rc = setup(l, err);
	if (rc == 0)
		rc = st_perf_attach_enable(&l->at, err);
	if (rc < 0) {
		if (err && !*err)
			st_perf_fail(err, rc, "cannot start the live stream: %s", strerror(-rc));
		live_close(&l->base);
		return rc;
	}
	l->base.wall_offset_ns = l->at.wall_offset_ns;
	/* Names of tasks that already run: taken after arming, so the COMM
	 * records in the rings (newer) override them as they are replayed. */
	st_proc_tasks(snap_comm, &l->comm);
	*out = &l->base;
	return 0;
}
