/* perf_ink.c - live in-kernel sources (perf_ink.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "runtime/clock.h"
#include "lowering/bpfagg.h"
#include "lowering/inkernel.h"
#include "plugins/perf/perf_int.h"
#include "plugins/perf/perf_ink.h"
#include "plugins/perf/perf_syscalls.h"

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
	if (s->ids_fd >= 0)
		close(s->ids_fd);
	s->prog_fd = s->map_fd = s->ids_fd = -1;
}

/* A set of syscall sources sharing one st_inkernel (inkernel.h), served
 * by one program on raw_syscalls when it has at least ST_PERF_INK_FOLD_MIN
 * members: the id filter costs every syscall a map lookup, which a few
 * tracepoints of their own do not. */
struct sysc_set {
	const struct st_inkernel *ink;
	int dir;                     /* 1 sys_enter, 2 sys_exit */
	uint32_t first, n;
};

/* The syscall number of a syscalls:sys_{enter,exit}_NAME source, its
 * direction in *dir; -1 when it is not one (or its number is unknown). */
static int sysc_of(const struct st_source *s, int *dir)
{
	if (s->kind != ST_SRC_TRACEPOINT || !s->ink || s->ink->tier != ST_INK_BPFAGG || !s->system ||
	    !s->event || strcmp(s->system, "syscalls"))
		return -1;
	if (!strncmp(s->event, "sys_enter_", 10)) {
		*dir = 1;
		return st_perf_sysc_nr(s->event + 10);
	}
	if (!strncmp(s->event, "sys_exit_", 9)) {
		*dir = 2;
		return st_perf_sysc_nr(s->event + 9);
	}
	return -1;
}

/* The sets of src, and for each source the set it belongs to (or -1). */
static uint32_t sysc_sets(const struct st_source *src, uint32_t nsrc, struct sysc_set *set, int *of)
{
	uint32_t nset = 0;

	for (uint32_t i = 0; i < nsrc; i++) {
		int dir = 0, nr = sysc_of(&src[i], &dir);
		uint32_t j;

		of[i] = -1;
		if (nr < 0 || nr >= ST_BPFAGG_MAX_SYSCALL)
			continue;
		for (j = 0; j < nset && (set[j].ink != src[i].ink || set[j].dir != dir); j++)
			;
		if (j == nset)
			set[nset++] = (struct sysc_set){ src[i].ink, dir, i, 0 };
		set[j].n++;
		of[i] = (int)j;
	}
	for (uint32_t i = 0; i < nsrc; i++)
		if (of[i] >= 0 && set[of[i]].n < ST_PERF_INK_FOLD_MIN)
			of[i] = -1;
	return nset;
}

/* One program on raw_syscalls for set, filtered by the members' ids. */
static int open_sysc_set(struct st_perf_ink_src *s, const struct st_source *src, uint32_t nsrc, const int *of,
			 int setno, int dir, const struct st_backend_opts *o)
{
	struct st_source raw = { .kind = ST_SRC_TRACEPOINT, .system = "raw_syscalls",
				 .event = dir == 1 ? "sys_enter" : "sys_exit" };
	uint32_t one = 1;
	uint64_t id;
	int rc;

	if ((rc = tp_id(&raw, &id)) < 0)
		return rc;
	s->ids_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "stap_sysc_ids", 4, 4, ST_BPFAGG_MAX_SYSCALL, NULL);
	if (s->ids_fd < 0)
		return -errno;
	for (uint32_t i = 0; i < nsrc; i++) {
		int d, nr;

		if (of[i] != setno)
			continue;
		nr = sysc_of(&src[i], &d);
		if (bpf_map_update_elem(s->ids_fd, &(uint32_t){ (uint32_t)nr }, &one, BPF_ANY) < 0)
			return -errno;
	}
	return st_perf_bpfagg_open(s, id, o, NULL, 0);
}

/* Count the kernel objects the in-kernel sources would take: a folded
 * syscall set counts once. */
static uint32_t ink_units(const struct st_source *src, uint32_t nsrc, const int *of, const struct sysc_set *set)
{
	uint32_t c = 0;

	for (uint32_t i = 0; i < nsrc; i++)
		if (src[i].kind == ST_SRC_TRACEPOINT && src[i].ink && (of[i] < 0 || set[of[i]].first == i))
			c++;
	return c;
}

static int open_one(struct st_perf_ink_src *s, const struct st_source *src, uint32_t nsrc, const int *of,
		    const struct sysc_set *set, uint32_t i, const struct st_backend_opts *o)
{
	uint64_t id;
	int rc;

	memset(s, 0, sizeof(*s));
	s->source = i;
	s->ink = src[i].ink;
	s->prog_fd = s->map_fd = s->ids_fd = -1;
	if (of[i] >= 0)
		return open_sysc_set(s, src, nsrc, of, of[i], set[of[i]].dir, o);
	if ((rc = tp_id(&src[i], &id)) < 0)
		return rc;
	if (s->ink->tier == ST_INK_COUNT)
		return st_perf_count_open(s, id, src[i].system && !strcmp(src[i].system, "syscalls"));
	return st_perf_bpfagg_open(s, id, o, NULL, 0);
}

static void mark_served(const struct st_source *src, uint32_t nsrc, const int *of, uint32_t i, bool *served)
{
	served[i] = true;
	for (uint32_t j = 0; of[i] >= 0 && j < nsrc; j++)
		if (of[j] == of[i])
			served[j] = true;
	(void)src;
}

void st_perf_ink_open(struct st_perf_ink *k, const struct st_source *src, uint32_t nsrc,
		      const struct st_backend_opts *o, bool *served)
{
	struct sysc_set *set = calloc(nsrc ? nsrc : 1, sizeof(*set));
	int *of = calloc(nsrc ? nsrc : 1, sizeof(int));

	memset(k, 0, sizeof(*k));
	k->verbose = o ? o->verbose : 0;
	k->s = calloc(nsrc ? nsrc : 1, sizeof(*k->s));
	for (uint32_t i = 0; i < nsrc; i++)
		served[i] = false;
	if (!k->s || !set || !of)
		goto out;
	sysc_sets(src, nsrc, set, of);
	/* Each in-kernel source costs its own perf events (and tracepoint
	 * teardown, ~70 ms each); past a few, one raw_syscalls capture is
	 * cheaper to arm and stop: leave them all to capture. */
	if (ink_units(src, nsrc, of, set) > ST_PERF_INK_MAX_SOURCES) {
		if (k->verbose)
			fprintf(stderr, "perf stap: more than %d in-kernel sources: all captured\n",
				ST_PERF_INK_MAX_SOURCES);
		goto out;
	}
	for (uint32_t i = 0; i < nsrc; i++) {
		struct st_perf_ink_src *s = &k->s[k->n];
		int rc;

		if (src[i].kind != ST_SRC_TRACEPOINT || !src[i].ink || (of[i] >= 0 && set[of[i]].first != i))
			continue;
		rc = open_one(s, src, nsrc, of, set, i, o);
		if (rc < 0) {
			if (k->verbose)
				fprintf(stderr, "perf stap: %s: in-kernel %s unavailable (%s), captured instead\n",
					src[i].name, st_inkernel_tier_name(s->ink->tier), strerror(-rc));
			st_perf_ink_src_close(s);
			continue;
		}
		if (k->verbose && of[i] >= 0)
			fprintf(stderr, "perf stap: %u syscall sources from %s: %s on raw_syscalls:%s\n",
				set[of[i]].n, src[i].name, st_inkernel_tier_name(s->ink->tier),
				set[of[i]].dir == 1 ? "sys_enter" : "sys_exit");
		else if (k->verbose)
			fprintf(stderr, "perf stap: %s: %s\n", src[i].name, st_inkernel_tier_name(s->ink->tier));
		mark_served(src, nsrc, of, i, served);
		k->n++;
	}
out:
	free(set);
	free(of);
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
