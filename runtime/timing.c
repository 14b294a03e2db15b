/* timing.c - per-probe handler times for -t, reported as stap reports them. */
#include <assert.h>
#include <stdlib.h>
#include "runtime/stats.h"
#include "runtime/timing.h"

struct st_timing {
	uint32_t nprobes;
	struct st_stat *stat;     /* one per plan probe, no histogram */
};

struct st_timing *st_timing_new(uint32_t nprobes)
{
	struct st_timing *t = calloc(1, sizeof(*t));
	uint32_t i;

	if (!t || !(t->stat = calloc(nprobes ? nprobes : 1, sizeof(*t->stat)))) {
		free(t);
		return NULL;
	}
	t->nprobes = nprobes;
	for (i = 0; i < nprobes; i++)
		st_stat_init(&t->stat[i], NULL);
	return t;
}

void st_timing_free(struct st_timing *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < t->nprobes; i++)
		st_stat_free(&t->stat[i]);
	free(t->stat);
	free(t);
}

void st_timing_add(struct st_timing *t, uint32_t probe, int64_t ns)
{
	assert(probe < t->nprobes);
	st_stat_add(&t->stat[probe], NULL, ns);
}

static int64_t get(const struct st_stat *st, enum st_stat_op op)
{
	int64_t v = 0;

	st_stat_get(st, NULL, op, &v);
	return v;
}

void st_timing_report(FILE *out, const struct st_timing *t, const struct st_plan *plan)
{
	uint32_t i;

	fputs("----- probe hit report: \n", out);
	for (i = 0; i < t->nprobes && i < plan->nprobes; i++) {
		const struct st_stat *st = &t->stat[i];
		const struct st_plan_probe *p = &plan->probes[i];

		if (!st->count)
			continue;
		/* "from:" names the point the script wrote, as stap's derivation ends */
		fprintf(out, "%s, (%s), hits: %lld, nsecs: %lldmin/%lldavg/%lldmax, variance: %lld, from: %s, index: %u\n",
			p->pp, p->location ? p->location : "", (long long)st->count,
			(long long)get(st, ST_AGG_MIN), (long long)get(st, ST_AGG_AVG), (long long)get(st, ST_AGG_MAX),
			(long long)get(st, ST_AGG_VARIANCE), p->pn, i);
	}
}
