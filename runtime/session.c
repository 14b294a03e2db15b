/* session.c - the run loop. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "runtime/clock.h"
#include "runtime/control.h"
#include "runtime/output.h"
#include "runtime/session.h"
#include "runtime/ctx_builtins.h"
#include "runtime/proctree.h"
#include "runtime/taskctx.h"
#include "runtime/timing.h"
#include "runtime/print.h"
#include "runtime/vm.h"

struct timer {
	uint32_t source;
	uint64_t period, next;
};

struct session {
	const struct st_plan *plan;
	struct st_stream *stream;
	struct st_vm vm;
	uint32_t **by_source;        /* probe indexes per source, -1 terminated */
	struct timer *timers;
	uint32_t ntimers;
	bool live, timers_started;
	uint64_t now;                /* CLOCK_MONOTONIC ns of the current handler */
	bool suppress_errors, quiet;
	uint64_t end_ns;
	struct st_proctree *tree;    /* process probes: -c/-x scope, lifecycle */
	struct st_target *target;    /* -c (polled), or NULL */
	uint64_t flushed_ns;         /* live: when output was last written out */
	uint64_t lost_checked_ns;    /* live: when the lost count was last read */
	uint64_t lost_warned;        /* live: the count the last warning gave */
	/* a stream merged from several recordings: each one's field layouts
	 * (vm.fields points at the current event's) */
	struct st_field_acc ***in_fields;
	uint32_t ninputs;
	char host[256];              /* live: this machine's name */
	struct st_timing *timing;    /* -t, else NULL */
};

/* Events the kernel dropped (ring buffer full) are probes that never ran:
 * stap's "skipped probes".  Live, the count is read each second; past 100,
 * and again each time it grows tenfold, a warning says so while running. */
#define LOST_CHECK_NS 1000000000ull
#define LOST_WARN_FIRST 100

/* Live output reaches its reader within ~200 ms, as stap's transport
 * delivers it, and a run killed with SIGKILL loses at most that much. */
#define LIVE_FLUSH_NS 200000000ull

static void enter_input(struct session *s, uint32_t k);

static void run_probe(struct session *s, uint32_t idx, const struct st_event *ev)
{
	enum st_vm_status st;

	const struct st_plan_probe *pr = &s->plan->probes[idx];
	struct st_plan_probe bulk;

	if (ev && (ev->flags & ST_EV_BULK)) {
		/* an in-kernel count: the handler once for ev->value events
		 * (only live streams count in the kernel) */
		if (!s->live || !s->plan->sources[pr->source].ink)
			return;
		bulk = *pr;
		bulk.code = pr->bulk_code;
		pr = &bulk;
	}
	s->vm.now_mono = ev ? ev->time : s->now;
	if (!ev && s->in_fields)
		enter_input(s, 0);    /* begin, end, timers: the first recording's host and target */
	if (s->timing) {
		uint64_t t0 = st_clock_mono_ns();

		st = st_vm_run_probe(&s->vm, pr, ev);
		st_timing_add(s->timing, idx, (int64_t)(st_clock_mono_ns() - t0));
	} else {
		st = st_vm_run_probe(&s->vm, pr, ev);
	}
	/* --suppress-handler-errors is stap's try { } catch { } around every
	 * handler: a caught error is not counted */
	if (st != ST_VM_ERROR || s->suppress_errors)
		return;
	s->vm.nerrors++;
	if (!s->quiet)
		st_vm_report_error(&s->vm, stderr);
	if (s->vm.nerrors > s->vm.limits.maxerrors)
		st_control_request_stop(ST_STOP_ERROR);
}

static void run_source(struct session *s, uint32_t source, const struct st_event *ev)
{
	const uint32_t *p;

	for (p = s->by_source[source]; p && *p != UINT32_MAX; p++)
		if (!s->tree || !ev || st_proctree_allows(s->tree, *p, ev))
			run_probe(s, *p, ev);
}

static void tree_fire(void *ctx, uint32_t idx, const struct st_event *ev)
{
	run_probe(ctx, idx, ev);
}

static struct tep_event *tree_format(void *arg, uint32_t source)
{
	return st_stream_format(arg, source);
}

static int cmp_seq(const void *a, const void *b, void *ctx)
{
	const struct st_plan *plan = ctx;
	const struct st_plan_probe *x = &plan->probes[*(const uint32_t *)a];
	const struct st_plan_probe *y = &plan->probes[*(const uint32_t *)b];
	int64_t sx = plan->sources[x->source].seq, sy = plan->sources[y->source].seq;

	if (sx != sy)
		return sx < sy ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* begin, end or error probes, in sequence order (ties in script order). */
static void run_kind(struct session *s, enum st_source_kind kind)
{
	uint32_t *idx = malloc(sizeof(*idx) * (s->plan->nprobes + 1)), n = 0, i;

	if (!idx)
		abort();
	for (i = 0; i < s->plan->nprobes; i++)
		if (s->plan->sources[s->plan->probes[i].source].kind == kind)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_seq, (void *)s->plan);
	for (i = 0; i < n; i++) {
		if (kind == ST_SRC_BEGIN && st_control_stop_reason() == ST_STOP_ERROR)
			break;
		run_probe(s, idx[i], NULL);
	}
	free(idx);
}

/* Several recordings in one stream: bind every source's fields once per
 * recording, as each one's kernel laid them out; dispatch switches tables. */
static void bind_inputs(struct session *s)
{
	struct st_stream *st = s->stream;
	struct st_field_acc **first = s->vm.fields;

	if (!st || st->ninputs < 2 || !st->ops->input_format)
		return;
	s->ninputs = st->ninputs;
	s->in_fields = calloc(s->ninputs, sizeof(*s->in_fields));
	if (!s->in_fields)
		abort();
	for (uint32_t k = 0; k < s->ninputs; k++) {
		s->vm.fields = k ? calloc(s->plan->nsources ? s->plan->nsources : 1, sizeof(*s->vm.fields)) : first;
		if (!s->vm.fields)
			abort();
		for (uint32_t i = 0; i < s->plan->nsources; i++)
			st_vm_bind_source(&s->vm, i, st->ops->input_format(st, k, i));
		s->in_fields[k] = s->vm.fields;
	}
	s->vm.fields = first;
}

/* An event of recording k: its field layouts, host and target. */
static void enter_input(struct session *s, uint32_t k)
{
	s->vm.fields = s->in_fields[k];
	if (s->stream->inputs) {
		s->vm.host = s->stream->inputs[k].host;
		s->vm.target_pid = s->stream->inputs[k].target_pid;
	}
}

static void free_inputs(struct session *s)
{
	for (uint32_t k = 1; k < s->ninputs; k++) {
		for (uint32_t i = 0; i < s->plan->nsources; i++)
			free(s->in_fields[k][i]);
		free(s->in_fields[k]);
	}
	if (s->in_fields)
		enter_input(s, 0);
	free(s->in_fields);
}

static int setup(struct session *s, const struct st_plan *plan, struct st_stream *stream,
		 const struct st_session_opts *o)
{
	uint32_t i, *count;
	int r;

	memset(s, 0, sizeof(*s));
	s->plan = plan;
	s->stream = stream;
	s->live = !stream || stream->live;
	s->suppress_errors = o->suppress_errors;
	s->quiet = o->quiet;
	s->target = o->target;
	s->end_ns = o->end_ns;
	if (o->timing && !o->quiet && !(s->timing = st_timing_new(plan->nprobes)))
		return -ENOMEM;
	r = st_vm_init(&s->vm, plan, &o->limits, o->out);
	if (r < 0)
		return r;
	s->vm.live = s->live;
	s->vm.output = o->output;
	s->vm.flush_each = o->output && o->output->size_max;
	s->vm.target_pid = o->target_pid;
	s->vm.wall_offset_ns = s->live ? st_clock_wall_offset_ns() : o->wall_offset_ns;
	s->vm.self_pid = getpid();
	s->vm.self_comm = program_invocation_short_name;
	s->vm.host = o->host;
	if (!s->vm.host && gethostname(s->host, sizeof(s->host) - 1) == 0)
		s->vm.host = s->host;
	s->by_source = calloc(plan->nsources ? plan->nsources : 1, sizeof(*s->by_source));
	count = calloc(plan->nsources ? plan->nsources : 1, sizeof(*count));
	s->timers = calloc(plan->nsources ? plan->nsources : 1, sizeof(*s->timers));
	if (!s->by_source || !count || !s->timers)
		abort();
	for (i = 0; i < plan->nprobes; i++)
		count[plan->probes[i].source]++;
	for (i = 0; i < plan->nsources; i++) {
		s->by_source[i] = malloc(sizeof(uint32_t) * (count[i] + 1));
		if (!s->by_source[i])
			abort();
		s->by_source[i][0] = UINT32_MAX;
		count[i] = 0;
		if (plan->sources[i].kind == ST_SRC_TIMER)
			s->timers[s->ntimers++] = (struct timer){ i, plan->sources[i].period_ns, 0 };
		st_vm_bind_source(&s->vm, i, st_stream_format(stream, i));
	}
	for (i = 0; i < plan->nprobes; i++) {
		uint32_t src = plan->probes[i].source;

		s->by_source[src][count[src]++] = i;
		s->by_source[src][count[src]] = UINT32_MAX;
	}
	free(count);
	s->tree = st_proctree_new(plan, tree_format, stream, o->target_pid, s->live, tree_fire, s);
	s->vm.taskctx = st_taskctx_new(plan);
	s->vm.tree = s->tree;
	bind_inputs(s);
	return 0;
}

static void teardown(struct session *s)
{
	uint32_t i;

	for (i = 0; i < s->plan->nsources; i++)
		free(s->by_source[i]);
	free(s->by_source);
	free(s->timers);
	free_inputs(s);
	st_proctree_free(s->tree);
	st_taskctx_free(s->vm.taskctx);
	st_vm_free(&s->vm);
	st_timing_free(s->timing);
}

static void start_timers(struct session *s, uint64_t origin)
{
	uint32_t i;

	for (i = 0; i < s->ntimers; i++)
		s->timers[i].next = origin + s->timers[i].period;
	s->timers_started = true;
}

/* Fire every timer due at or before t, in time order. */
static void fire_timers(struct session *s, uint64_t t)
{
	for (;;) {
		struct timer *due = NULL;
		uint32_t i;

		for (i = 0; i < s->ntimers; i++)
			if (s->timers[i].next <= t && (!due || s->timers[i].next < due->next))
				due = &s->timers[i];
		if (!due || st_control_stop_reason() != ST_STOP_NONE)
			return;
		s->now = due->next;
		due->next += due->period;
		if (s->live && due->next <= t)   /* live: skip missed periods, stap does not queue them */
			due->next = t + due->period;
		run_source(s, due->source, NULL);
	}
}

static int timer_timeout_ms(struct session *s)
{
	uint64_t now = st_clock_mono_ns(), next = UINT64_MAX;
	uint32_t i;

	for (i = 0; i < s->ntimers; i++)
		if (s->timers[i].next < next)
			next = s->timers[i].next;
	if (next == UINT64_MAX)
		return 200;
	if (next <= now)
		return 0;
	return (int)((next - now) / 1000000 + 1 < 200 ? (next - now) / 1000000 + 1 : 200);
}

static void dispatch(struct session *s, const struct st_event *ev)
{
	if (!s->live) {
		if (!s->timers_started)
			start_timers(s, ev->time);
		fire_timers(s, ev->time);
		if (st_control_stop_reason() != ST_STOP_NONE)
			return;
	}
	if (s->in_fields && ev->input < s->ninputs)
		enter_input(s, ev->input);
	if (st_taskctx_event(s->vm.taskctx, ev))
		return;
	if (s->tree)
		st_proctree_event(s->tree, ev);
	if (ev->source < s->plan->nsources)
		run_source(s, ev->source, ev);
}

static uint64_t stream_lost(struct session *s)
{
	return s->stream ? st_stream_lost(s->stream) : 0;
}

static void warn_lost(struct session *s)
{
	uint64_t lost = stream_lost(s);

	if (lost < LOST_WARN_FIRST || lost < s->lost_warned * 10 || s->quiet)
		return;
	st_vm_flush(&s->vm);
	fprintf(stderr, "WARNING: Events lost so far (the ring buffer was full; see --buffer-size): %llu\n",
		(unsigned long long)lost);
	s->lost_warned = lost;
}

static void run_live(struct session *s)
{
	struct st_event ev = { 0 };   /* sources that capture nothing leave captures NULL */
	int r;

	start_timers(s, st_clock_mono_ns());
	while (st_control_stop_reason() == ST_STOP_NONE) {
		int timeout = timer_timeout_ms(s);

		st_target_poll(s->target);
		if (s->stream) {
			r = s->stream->ops->next(s->stream, &ev, timeout);
			if (r == 1)
				dispatch(s, &ev);
			else if (r < 0 && r != -EINTR) {
				fprintf(stderr, "ERROR: reading events: %s\n", strerror(-r));
				st_control_request_stop(ST_STOP_ERROR);
			} else if (r == ST_STREAM_EOF) {
				break;
			}
		} else {
			poll(NULL, 0, timeout);
		}
		s->now = st_clock_mono_ns();
		fire_timers(s, s->now);
		if (s->now - s->flushed_ns >= LIVE_FLUSH_NS) {
			st_vm_flush(&s->vm);
			s->flushed_ns = s->now;
		}
		if (s->now - s->lost_checked_ns >= LOST_CHECK_NS) {
			warn_lost(s);
			s->lost_checked_ns = s->now;
		}
	}
	if (!s->stream)
		return;
	/* Events that happened before the stop still count.  After exit() or
	 * an error only the in-kernel counts are applied (they were taken
	 * while the script ran; end/error probes read them). */
	if (s->stream->ops->stop)
		s->stream->ops->stop(s->stream);
	while ((r = s->stream->ops->next(s->stream, &ev, 0)) == 1) {
		/* exit() in a drained event (the run stopped first for the
		 * target's exit, -T or a signal) ends the draining too */
		bool over = st_control_script_over();

		if (!over || (ev.flags & ST_EV_BULK))
			dispatch(s, &ev);
	}
}

static void run_replay(struct session *s, uint64_t start_ns)
{
	struct st_event ev = { 0 };   /* sources that capture nothing leave captures NULL */
	int r;

	if (start_ns)
		start_timers(s, start_ns);
	while (st_control_stop_reason() == ST_STOP_NONE) {
		r = s->stream->ops->next(s->stream, &ev, 0);
		if (r == 1) {
			dispatch(s, &ev);
			continue;
		}
		if (r < 0) {
			fprintf(stderr, "ERROR: reading the recording: %s\n", strerror(-r));
			return;
		}
		break;
	}
	/* timers kept firing after the last event until the recording stopped */
	if (s->end_ns && st_control_stop_reason() == ST_STOP_NONE) {
		if (!s->timers_started)
			start_timers(s, s->end_ns);
		fire_timers(s, s->end_ns);
	}
}

/* -t: stap prints its report after the end probes and the globals */
static void timing_report(struct session *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	st_timing_report(f, s->timing, s->plan);
	fclose(f);
	st_buf_append(&s->vm.out, buf, len);
	free(buf);
}

int st_session_run(const struct st_plan *plan, struct st_stream *stream, const struct st_session_opts *o)
{
	struct session s;
	enum st_stop_reason why;
	uint64_t lost;
	int status;

	if (setup(&s, plan, stream, o) < 0) {
		fprintf(stderr, "ERROR: out of memory\n");
		return 1;
	}
	s.now = s.live ? st_clock_mono_ns() : o->start_ns;
	run_kind(&s, ST_SRC_BEGIN);
	if (s.tree && st_control_stop_reason() == ST_STOP_NONE)
		st_proctree_start(s.tree, s.now);
	if (st_control_stop_reason() == ST_STOP_NONE) {
		st_target_release(o->target);
		if (s.live)
			run_live(&s);
		else
			run_replay(&s, o->start_ns);
	}
	why = st_control_stop_reason();
	if (s.live)
		s.now = st_clock_mono_ns();
	/* the automatic print of write-only globals is part of the end phase */
	if (why == ST_STOP_ERROR) {
		run_kind(&s, ST_SRC_ERROR);
	} else {
		run_kind(&s, ST_SRC_END);
		if (!o->json)
			st_vm_print_globals(&s.vm);
	}
	if (o->json && !s.quiet)
		st_vm_print_json(&s.vm);
	if (s.timing)
		timing_report(&s);
	st_vm_flush(&s.vm);
	status = s.vm.nerrors ? 1 : 0;
	lost = s.live ? stream_lost(&s) : 0;
	if (lost && !s.vm.nerrors && !s.quiet)
		fprintf(stderr, "WARNING: Number of errors: 0, skipped probes: %llu\n", (unsigned long long)lost);
	if (s.vm.nerrors && !s.quiet) {
		/* stap's generated module prints the totals at exit; staprun
		 * saw the ERROR messages and exits 1, so stap then prints
		 *   WARNING: /usr/bin/staprun exited with status: 1
		 *   Pass 5: run failed.  [man error::pass5]
		 * and exits 1.  The staprun line names the helper program
		 * and its install path (/usr/bin or /usr/local/bin), which
		 * we do not have and a user cannot diff; it says nothing
		 * about the script, so it is left out.  The pass-5 line
		 * describes the script's run and is printed as stap does.
		 * (Debian's stap also adds a "Tip: ... README.Debian" line
		 * on a failed pass; that is the distribution's, not stap's.) */
		fprintf(stderr, "WARNING: Number of errors: %llu, skipped probes: %llu\n",
			(unsigned long long)s.vm.nerrors, (unsigned long long)lost);
		fprintf(stderr, "Pass 5: run failed.  [man error::pass5]\n");
	}
	teardown(&s);
	return status;
}
