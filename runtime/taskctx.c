/* taskctx.c - per-tid task context records of companion sources
 * (taskctx.h).
 *
 * A companion's program runs just before the event it belongs to, on the
 * same CPU, so its record reaches the ring (and the time-ordered merge)
 * first; the event's handlers then find it under their tid.  A small
 * direct-mapped table per companion is enough: another tid's record only
 * lands in between when events of other tasks interleave, and a displaced
 * entry makes the builtin fall back to /proc, never answer wrongly (the
 * slot keeps its tid). */
#include <stdlib.h>
#include <string.h>
#include "lowering/taskctx.h"
#include "runtime/taskctx.h"
#include "runtime/vm.h"

#define SLOTS 256u

struct slot {
	int32_t tid;         /* 0: empty */
	uint32_t len;
	uint8_t *rec;
};

struct comp {
	uint32_t source;                 /* the companion */
	bool served;                     /* the backend delivered a record of it */
	int32_t field[ST_TC_NITEMS];     /* index in its fields, -1: not captured */
	int32_t cap[ST_TC_NITEMS];       /* cap number (fault bit) */
	struct slot slot[SLOTS];
};

struct st_taskctx {
	const struct st_plan *plan;
	struct comp *comp;
	uint32_t ncomp;
	int32_t *of_source;              /* per plan source: its companion in comp[], -1 */
};

static void bind(const struct st_source *s, struct comp *c)
{
	for (unsigned it = 0; it < ST_TC_NITEMS; it++) {
		const char *path = st_taskctx_item_path(it);

		c->field[it] = c->cap[it] = -1;
		for (uint32_t i = 0; i < s->nbtf; i++) {
			if (strcmp(s->btf[i].path, path))
				continue;
			c->cap[it] = (int32_t)i;
			for (uint32_t k = 0; k < s->nfields; k++)
				if (!strcmp(s->fields[k], s->btf[i].field))
					c->field[it] = (int32_t)k;
		}
	}
}

struct st_taskctx *st_taskctx_new(const struct st_plan *plan)
{
	struct st_taskctx *t;
	uint32_t n = 0;

	for (uint32_t i = 0; i < plan->nsources; i++)
		n += plan->sources[i].ctx_of != 0;
	if (!n)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t || !(t->comp = calloc(n, sizeof(*t->comp))) ||
	    !(t->of_source = malloc(sizeof(*t->of_source) * plan->nsources)))
		abort();
	t->plan = plan;
	for (uint32_t i = 0; i < plan->nsources; i++)
		t->of_source[i] = -1;
	for (uint32_t i = 0; i < plan->nsources; i++) {
		const struct st_source *s = &plan->sources[i];

		if (!s->ctx_of)
			continue;
		t->comp[t->ncomp].source = i;
		bind(s, &t->comp[t->ncomp]);
		/* the sources it serves: one, or a direction's syscalls */
		for (uint32_t m = 0; m < plan->nsources; m++)
			if (plan->sources[m].ctx_src == i + 1)
				t->of_source[m] = (int32_t)t->ncomp;
		t->ncomp++;
	}
	return t;
}

void st_taskctx_free(struct st_taskctx *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->ncomp; i++)
		for (uint32_t k = 0; k < SLOTS; k++)
			free(t->comp[i].slot[k].rec);
	free(t->comp);
	free(t->of_source);
	free(t);
}

bool st_taskctx_event(struct st_taskctx *t, const struct st_event *ev)
{
	const struct st_source *s;
	struct comp *c = NULL;
	struct slot *sl;

	if (!t || ev->source >= t->plan->nsources || !(s = &t->plan->sources[ev->source])->ctx_of)
		return false;
	for (uint32_t i = 0; i < t->ncomp && !c; i++)
		if (t->comp[i].source == ev->source)
			c = &t->comp[i];
	if (!c || !ev->raw)
		return true;
	c->served = true;
	sl = &c->slot[(uint32_t)ev->tid % SLOTS];
	if (sl->len < ev->raw_size) {
		uint8_t *r = realloc(sl->rec, ev->raw_size);

		if (!r)
			abort();
		sl->rec = r;
	}
	memcpy(sl->rec, ev->raw, ev->raw_size);
	sl->len = ev->raw_size;
	sl->tid = ev->tid;
	return true;
}

static uint64_t num_at(const uint8_t *rec, uint32_t len, uint32_t off, uint32_t size, bool sign)
{
	uint64_t v = 0;

	if (off + size > len || size > 8)
		return 0;
	memcpy(&v, rec + off, size);     /* little-endian */
	if (sign && size < 8 && (v >> (size * 8 - 1)) & 1)
		v |= ~0ull << (size * 8);
	return v;
}

bool st_taskctx_served(const struct st_vm *vm)
{
	const struct st_taskctx *t = vm->taskctx;
	int32_t ci;

	return t && vm->probe && vm->probe->source < t->plan->nsources &&
	       (ci = t->of_source[vm->probe->source]) >= 0 && t->comp[ci].served;
}

int st_taskctx_get(const struct st_vm *vm, unsigned item, int64_t *n, const char **s, size_t *len)
{
	const struct st_taskctx *t = vm->taskctx;
	const struct st_field_acc *a;
	const struct comp *c;
	const struct slot *sl;
	int32_t ci;

	if (!t || !vm->ev || !vm->probe || item >= ST_TC_NITEMS || vm->probe->source >= t->plan->nsources ||
	    (ci = t->of_source[vm->probe->source]) < 0)
		return 0;
	c = &t->comp[ci];
	sl = &c->slot[(uint32_t)vm->ev->tid % SLOTS];
	if (sl->tid != vm->ev->tid || !sl->rec || c->field[item] < 0 || !vm->fields[c->source])
		return 0;
	a = &vm->fields[c->source][c->field[item]];
	if (!a->present)
		return 0;
	if (c->cap[item] < 64 && (num_at(sl->rec, sl->len, 8, 8, false) >> c->cap[item]) & 1)
		return -1;
	if (item == ST_TC_CMDLINE) {
		uint64_t lo = 0, hi = 0;
		int64_t k;

		if (st_taskctx_get(vm, ST_TC_ARG_START, (int64_t *)&lo, NULL, NULL) != 1 ||
		    st_taskctx_get(vm, ST_TC_ARG_END, (int64_t *)&hi, NULL, NULL) != 1)
			return -1;
		k = hi > lo ? (int64_t)(hi - lo) : 0;
		if (k > a->size)
			k = a->size;
		if ((uint32_t)a->offset + (uint64_t)k > sl->len)
			return 0;
		*s = (const char *)sl->rec + a->offset;
		*len = (size_t)k;
		return 1;
	}
	if (a->is_string) {
		if ((uint32_t)a->offset + a->size > sl->len)
			return 0;
		*s = (const char *)sl->rec + a->offset;
		*len = strnlen(*s, a->size);
		return 1;
	}
	*n = (int64_t)num_at(sl->rec, sl->len, a->offset, a->size, a->is_signed);
	return 1;
}
