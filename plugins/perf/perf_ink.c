/* perf_ink.c - live in-kernel sources (perf_ink.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "runtime/clock.h"
#include "lowering/inkernel.h"
#include "plugins/perf/perf_int.h"
#include "plugins/perf/perf_ink.h"

static int tp_id(const struct st_source *s, uint64_t *id)
{
	const char *dir = st_perf_tracing_dir();
	char path[512], *txt;

	if (!dir || !s->system || !s->event)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", dir, s->system, s->event);
	txt = st_perf_read_file(path, NULL);
	if (!txt)
		return -ENOENT;
	*id = strtoull(txt, NULL, 10);
	free(txt);
	return 0;
}

void st_perf_ink_src_close(struct st_perf_ink_src *s)
{
	for (int i = 0; s->fds && i < s->nfds; i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	free(s->fds);
	s->fds = NULL;
	s->nfds = 0;
	if (s->prog_fd >= 0)
		close(s->prog_fd);
	if (s->map_fd >= 0)
		close(s->map_fd);
	s->prog_fd = s->map_fd = -1;
}

void st_perf_ink_open(struct st_perf_ink *k, const struct st_source *src, uint32_t nsrc,
		      const struct st_backend_opts *o, bool *served)
{
	memset(k, 0, sizeof(*k));
	k->verbose = o ? o->verbose : 0;
	k->s = calloc(nsrc ? nsrc : 1, sizeof(*k->s));
	if (!k->s)
		return;
	/* Each in-kernel source costs its own perf events (and tracepoint
	 * teardown, ~70 ms each); past a few, one raw_syscalls capture for
	 * syscall.* is cheaper to arm and stop: leave them all to capture. */
	for (uint32_t i = 0, c = 0; i < nsrc; i++)
		if (src[i].kind == ST_SRC_TRACEPOINT && src[i].ink && ++c > ST_PERF_INK_MAX_SOURCES) {
			for (uint32_t j = 0; j < nsrc; j++)
				served[j] = false;
			if (k->verbose)
				fprintf(stderr, "perf stap: more than %d in-kernel sources: all captured\n",
					ST_PERF_INK_MAX_SOURCES);
			return;
		}
	for (uint32_t i = 0; i < nsrc; i++) {
		struct st_perf_ink_src *s = &k->s[k->n];
		uint64_t id;
		int rc;

		served[i] = false;
		if (src[i].kind != ST_SRC_TRACEPOINT || !src[i].ink || tp_id(&src[i], &id) < 0)
			continue;
		memset(s, 0, sizeof(*s));
		s->source = i;
		s->ink = src[i].ink;
		s->prog_fd = s->map_fd = -1;
		if (s->ink->tier == ST_INK_COUNT)
			rc = st_perf_count_open(s, id);
		else
			rc = st_perf_bpfagg_open(s, id, o, NULL, 0);
		if (rc < 0) {
			if (k->verbose)
				fprintf(stderr, "perf stap: %s: in-kernel %s unavailable (%s), captured instead\n",
					src[i].name, st_inkernel_tier_name(s->ink->tier), strerror(-rc));
			st_perf_ink_src_close(s);
			continue;
		}
		if (k->verbose)
			fprintf(stderr, "perf stap: %s: %s\n", src[i].name, st_inkernel_tier_name(s->ink->tier));
		served[i] = true;
		k->n++;
	}
}

void st_perf_ink_collect(struct st_perf_ink *k)
{
	uint64_t now;

	if (k->collected)
		return;
	k->collected = true;
	now = st_clock_mono_ns();
	for (uint32_t i = 0; i < k->n; i++) {
		struct st_perf_ink_src *s = &k->s[i];
		uint32_t first = k->nout;

		if (s->ink->tier == ST_INK_COUNT) {
			uint64_t v = st_perf_count_read(s);
			struct st_event *ev;

			if (!v)
				continue;
			k->nout++;
			if ((k->nout & (k->nout - 1)) == 0 || k->nout == 1) {
				void *o = realloc(k->out, sizeof(*k->out) * k->nout * 2);
				void *m = realloc(k->comm, sizeof(*k->comm) * k->nout * 2);

				if (o)
					k->out = o;
				if (m)
					k->comm = m;
				if (!o || !m) {
					k->nout--;
					continue;
				}
			}
			ev = &k->out[k->nout - 1];
			memset(ev, 0, sizeof(*ev));
			memset(k->comm[k->nout - 1], 0, 16);
			ev->source = s->source;
			ev->pid = ev->tid = ev->cpu = -1;
			ev->value = v;
			ev->flags = ST_EV_BULK;
		} else {
			st_perf_bpfagg_read(k, s);
		}
		for (uint32_t j = first; j < k->nout; j++)
			k->out[j].time = now;
		/* nothing more to count: let go of the kernel objects now */
		st_perf_ink_src_close(s);
	}
}

int st_perf_ink_next(struct st_perf_ink *k, struct st_event *ev)
{
	if (!k->collected || k->pos >= k->nout)
		return 0;
	*ev = k->out[k->pos];
	ev->comm = k->comm[k->pos];
	k->pos++;
	return 1;
}

void st_perf_ink_close(struct st_perf_ink *k)
{
	for (uint32_t i = 0; k->s && i < k->n; i++)
		st_perf_ink_src_close(&k->s[i]);
	free(k->s);
	free(k->out);
	free(k->comm);
	memset(k, 0, sizeof(*k));
}
