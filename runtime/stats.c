/* stats.c - statistics aggregates and histograms, computed the way stap's
 * runtime computes them (runtime/stat-common.c, runtime/stat.c), down to its
 * integer arithmetic, so extractor values and histogram text match.
 *
 * The Welford state: avg_s is the running average scaled by 2^shift, var_s is
 * the running sum of squared deviations (stap's _M2).  One st_stat plays the
 * part of one of stap's per-CPU partitions; reading it applies stap's
 * cross-partition ("total variance") formula to that single partition.
 */
#include <stdlib.h>
#include <string.h>
#include "runtime/stats.h"

#define HIST_WIDTH 50           /* '@' columns of a full bar */
#define HIST_LOG_BUCKETS ST_HIST_LOG_BUCKETS
#define HIST_LOG_BUCKET0 64     /* the bucket of value 0 */

/* stap does these in kernel C, where signed overflow wraps; do it unsigned
 * here to get the same bits without undefined behaviour. */
static inline int64_t wadd(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static inline int64_t wsub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static inline int64_t wmul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }
static inline int64_t wshl(int64_t a, int s) { return (int64_t)((uint64_t)a << (s & 63)); }

/* stap's _stp_div64 without an error sink: x/0 is 0. */
static int64_t div64(int64_t x, int64_t y)
{
	if (y == 0)
		return 0;
	if (y == -1)
		return wsub(0, x);
	return x / y;
}

void st_stat_init(struct st_stat *st, const struct st_stat_shape *shape)
{
	memset(st, 0, sizeof(*st));
	if (shape && shape->hist != ST_HIST_NONE && shape->nbuckets) {
		st->buckets = calloc(shape->nbuckets, sizeof(int64_t));
		if (!st->buckets)
			abort();
	}
}

void st_stat_free(struct st_stat *st)
{
	free(st->buckets);
	st->buckets = NULL;
}

void st_stat_reset(struct st_stat *st, const struct st_stat_shape *shape)
{
	int64_t *b = st->buckets;

	memset(st, 0, sizeof(*st));
	st->buckets = b;
	if (b)
		memset(b, 0, shape->nbuckets * sizeof(int64_t));
}

/* log2 bucket: 64 for 0, 65 + floor(log2 v) for v > 0, mirrored below 64
 * for negative values (stap's _stp_val_to_bucket). */
static int log_bucket(int64_t val)
{
	uint64_t u;
	int msb;

	if (val == 0)
		return HIST_LOG_BUCKET0;
	u = val < 0 ? 0 - (uint64_t)val : (uint64_t)val;
	msb = 63 - __builtin_clzll(u);
	return val < 0 ? HIST_LOG_BUCKETS - (msb + 65) : msb + 65;
}

/* The value a log bucket is labelled with (stap's _stp_bucket_to_val). */
static int64_t log_bucket_value(int b)
{
	if (b == HIST_LOG_BUCKET0)
		return 0;
	if (b < HIST_LOG_BUCKET0)
		return INT64_MIN >> b;   /* arithmetic: -(2^(63-b)) */
	return (int64_t)1 << (b - HIST_LOG_BUCKET0 - 1);
}

static void hist_add_n(struct st_stat *st, const struct st_stat_shape *shape, int64_t val, int64_t k)
{
	int64_t n;

	if (!st->buckets || !shape->nbuckets)
		return;
	if (shape->hist == ST_HIST_LOG) {
		n = log_bucket(val);
		if (n >= shape->nbuckets)
			n = shape->nbuckets - 1;
	} else {
		val = wsub(val, shape->lo);
		/* stap divides as unsigned, after the underflow test */
		n = val < 0 ? 0 : (int64_t)((uint64_t)val / (uint64_t)shape->width) + 1;
		if (n >= (int64_t)shape->nbuckets - 1)
			n = shape->nbuckets - 1;
	}
	st->buckets[n] += k;
}

static void hist_add(struct st_stat *st, const struct st_stat_shape *shape, int64_t val)
{
	hist_add_n(st, shape, val, 1);
}

void st_stat_add(struct st_stat *st, const struct st_stat_shape *shape, int64_t v)
{
	int shift = shape ? shape->variance_shift : 0;

	if (st->count == 0) {
		st->count = 1;
		st->sum = st->min = st->max = v;
		st->avg_s = wshl(v, shift);
		st->var_s = 0;
	} else {
		/* stap keeps delta in an int: the 32-bit truncation is part of
		 * what @variance prints for large values. */
		int32_t delta;

		st->count++;
		st->sum = wadd(st->sum, v);
		if (v > st->max)
			st->max = v;
		if (v < st->min)
			st->min = v;
		delta = (int32_t)(uint32_t)(uint64_t)wsub(wshl(v, shift), st->avg_s);
		st->avg_s = wadd(st->avg_s, div64(delta, st->count));
		st->var_s = wadd(st->var_s, wmul(delta, wsub(wshl(v, shift), st->avg_s)));
	}
	if (shape)
		hist_add(st, shape, v);
}

void st_stat_add_n(struct st_stat *st, const struct st_stat_shape *shape, int64_t v, uint64_t n)
{
	if (n == 0)
		return;
	if (st->count != 0) {
		/* rare (begin added values too): the exact integer Welford steps */
		while (n--)
			st_stat_add(st, shape, v);
		return;
	}
	/* From empty, the same value n times: the mean stays v and every
	 * Welford delta is 0, so only count, sum and a bucket grow. */
	st_stat_add(st, shape, v);
	st->count = (int64_t)n;
	st->sum = (int64_t)((uint64_t)v * n);
	if (shape)
		hist_add_n(st, shape, v, (int64_t)(n - 1));
}

/* stap's per-partition variance_s: _M2 / (count - 1), left at 0 for one sample. */
static int64_t partition_variance_s(const struct st_stat *st)
{
	return st->count < 2 ? 0 : div64(st->var_s, st->count - 1);
}

void st_stat_merge(struct st_stat *dst, const struct st_stat *src, const struct st_stat_shape *shape)
{
	int shift = shape ? shape->variance_shift : 0;
	int64_t count, sum, avg, s1, s2;
	uint32_t i;

	if (src->count == 0)
		return;
	if (dst->count == 0) {
		int64_t *b = dst->buckets;

		*dst = *src;
		dst->buckets = b;
		if (b && src->buckets)
			memcpy(b, src->buckets, shape->nbuckets * sizeof(int64_t));
		return;
	}
	count = dst->count + src->count;
	sum = wadd(dst->sum, src->sum);
	/* stap's total-variance step over the two partitions; the merged
	 * state then reads back exactly what stap would print for them. */
	avg = div64(wshl(sum, shift), count);
	s1 = wadd(wmul(dst->count, wmul(wsub(dst->avg_s, avg), wsub(dst->avg_s, avg))),
		  wmul(src->count, wmul(wsub(src->avg_s, avg), wsub(src->avg_s, avg))));
	s2 = wadd(wmul(dst->count - 1, partition_variance_s(dst)),
		  wmul(src->count - 1, partition_variance_s(src)));
	dst->var_s = wadd(s1, s2);
	dst->avg_s = avg;
	dst->count = count;
	dst->sum = sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	if (dst->buckets && src->buckets)
		for (i = 0; i < shape->nbuckets; i++)
			dst->buckets[i] = wadd(dst->buckets[i], src->buckets[i]);
}

static int64_t stat_variance(const struct st_stat *st, int shift)
{
	int64_t avg = div64(wshl(st->sum, shift), st->count);
	int64_t d = wsub(st->avg_s, avg);
	int64_t s1 = wmul(st->count, wmul(d, d));
	int64_t s2 = wmul(st->count - 1, partition_variance_s(st));
	int64_t var_s = div64(wadd(s1, s2), st->count - 1);

	return var_s >> ((2 * shift) & 63);
}

int st_stat_get_element(const struct st_stat *st, const struct st_stat_shape *shape, enum st_stat_op op,
			int64_t *out)
{
	int shift = shape ? shape->variance_shift : 0;

	if (op != ST_AGG_VARIANCE)
		return st_stat_get(st, shape, op, out);
	if (st->count == 0)
		return -1;
	*out = partition_variance_s(st) >> ((2 * shift) & 63);
	return 0;
}

int st_stat_get(const struct st_stat *st, const struct st_stat_shape *shape, enum st_stat_op op, int64_t *out)
{
	switch (op) {
	case ST_AGG_COUNT:
		*out = st->count;
		return 0;
	case ST_AGG_SUM:
		*out = st->sum;
		return 0;
	default:
		break;
	}
	if (st->count == 0)
		return -1;
	switch (op) {
	case ST_AGG_MIN:
		*out = st->min;
		break;
	case ST_AGG_MAX:
		*out = st->max;
		break;
	case ST_AGG_AVG:
		*out = div64(st->sum, st->count);
		break;
	case ST_AGG_VARIANCE:
		*out = stat_variance(st, shape ? shape->variance_shift : 0);
		break;
	default:
		return -1;
	}
	return 0;
}

int st_stat_bucket(const struct st_stat *st, const struct st_stat_shape *shape, int64_t i, int64_t *out)
{
	if (!shape || shape->hist == ST_HIST_NONE || i < 0 || i >= shape->nbuckets)
		return -1;
	*out = st->buckets ? st->buckets[i] : 0;
	return 0;
}

/* ---- the ASCII histogram (stap's _stp_stat_print_histogram_buf) ------------ */

/* Characters %lld needs for v. */
static int needed_space(int64_t v)
{
	uint64_t u;
	int n = 0;

	if (v == 0)
		return 1;
	if (v < 0) {
		n++;
		u = 0 - (uint64_t)v;
	} else
		u = (uint64_t)v;
	for (; u; u /= 10)
		n++;
	return n;
}

static int imax(int a, int b) { return a > b ? a : b; }

struct hist_view {
	int low, high;          /* first and last row shown, before elision */
	bool under, over;       /* linear: the <lo and >hi rows are shown */
	int64_t scale;
	int val_space, cnt_space;
};

static void hist_bounds(const struct st_stat *st, const struct st_stat_shape *shape,
			struct hist_view *hv)
{
	int nb = (int)shape->nbuckets, i;
	int64_t valmax = 0;

	hv->low = -1;
	hv->high = 0;
	for (i = 0; i < nb; i++) {
		if (st->buckets[i] > 0 && hv->low == -1)
			hv->low = i;
		if (st->buckets[i] > 0)
			hv->high = i;
		if (st->buckets[i] > valmax)
			valmax = st->buckets[i];
	}
	/* Two empty rows of margin on each side; a log histogram does not
	 * reach below 0 unless there are negative values. */
	for (i = 0; i < 2; i++) {
		if (shape->hist == ST_HIST_LOG) {
			if (hv->low != HIST_LOG_BUCKET0 && hv->low > 0)
				hv->low--;
		} else if (hv->low > 0)
			hv->low--;
		if (hv->high < nb - 1)
			hv->high++;
	}
	hv->under = hv->over = false;
	if (shape->hist == ST_HIST_LINEAR) {
		/* Under/overflow rows only when they count something. */
		if (hv->low == 0 && st->buckets[0] == 0)
			hv->low++;
		if (hv->high == nb - 1 && st->buckets[hv->high] == 0)
			hv->high--;
		hv->under = hv->low == 0;
		hv->over = hv->high == nb - 1;
	}
	hv->scale = valmax <= HIST_WIDTH ? 1 : (valmax + HIST_WIDTH - 1) / HIST_WIDTH;
	hv->cnt_space = needed_space(valmax);
	if (shape->hist == ST_HIST_LINEAR)
		/* sic: stap sizes the column with lo + width * high, one
		 * bucket further than the last row's label */
		hv->val_space = imax(needed_space(shape->lo) + hv->under,
				     needed_space(wadd(shape->lo, wmul(shape->width, hv->high))) + hv->over);
	else
		hv->val_space = imax(needed_space(log_bucket_value(hv->high)),
				     needed_space(log_bucket_value(hv->low)));
	hv->val_space = imax(hv->val_space, 5 /* "value" */);
}

/* A row is elided when it and all rows within `elision` of it (inside the
 * shown range) are empty. */
static bool row_elided(const struct st_stat *st, const struct hist_view *hv, int i,
		       int elision, int nb)
{
	int k, lo = hv->low, hi = hv->high, e = elision < nb ? elision : nb;

	if (elision < 0)
		return false;
	if (i - e > lo)
		lo = i - e;
	if (i + e < hi)
		hi = i + e;
	for (k = lo; k <= hi; k++)
		if (st->buckets[k] != 0)
			return false;
	return true;
}

int64_t st_stat_bucket_label(const struct st_stat_shape *shape, int i, int *edge)
{
	int nb = (int)shape->nbuckets;

	*edge = 0;
	if (shape->hist != ST_HIST_LINEAR)
		return log_bucket_value(i);
	if (i == 0) {
		*edge = -1;
		return shape->lo;
	}
	if (i == nb - 1) {
		*edge = 1;
		return wadd(shape->lo, wmul(i - 2, shape->width));
	}
	return wadd(shape->lo, wmul(i - 1, shape->width));
}

static void hist_row(FILE *out, const struct st_stat *st, const struct st_stat_shape *shape,
		     const struct hist_view *hv, int i)
{
	int edge;
	int64_t val = st_stat_bucket_label(shape, i, &edge), bar, j;
	const char *prefix = edge < 0 ? "<" : edge > 0 ? ">" : "";

	fprintf(out, "%*s%lld |", hv->val_space - needed_space(val), prefix, (long long)val);
	bar = st->buckets[i] / hv->scale;
	for (j = 0; j < bar; j++)
		fputc('@', out);
	fprintf(out, "%*lld\n", (int)(HIST_WIDTH - bar + 1 + hv->cnt_space), (long long)st->buckets[i]);
}

int st_stat_print_hist(FILE *out, const struct st_stat *st, const struct st_stat_shape *shape, int elision)
{
	struct hist_view hv;
	bool eliding = false;
	int i;

	if (st->count == 0)
		return -1;
	if (!shape || shape->hist == ST_HIST_NONE || !st->buckets || !shape->nbuckets)
		return 0;
	hist_bounds(st, shape, &hv);
	fprintf(out, "%*s |", hv.val_space, "value");
	for (i = 0; i < HIST_WIDTH; i++)
		fputc('-', out);
	fputs(" count\n", out);
	for (i = hv.low; i <= hv.high; i++) {
		if (row_elided(st, &hv, i, elision, (int)shape->nbuckets)) {
			eliding = true;
			continue;
		}
		if (eliding) {
			fprintf(out, "%*s ~\n", hv.val_space, "");
			eliding = false;
		}
		hist_row(out, st, shape, &hv, i);
	}
	fputc('\n', out);
	return 0;
}
