/* stats.h - statistics aggregates (`x <<< v`) and their histograms.
 *
 * An aggregate keeps count, sum, min, max, the Welford variance state and,
 * when the script extracts one, a histogram.  The histogram shape is fixed per
 * variable at compile time (stap requires every @hist_linear use of a variable
 * to agree).  Aggregates merge, so per-CPU or per-recording partial results add
 * up to one.
 */
#ifndef ST_RUNTIME_STATS_H
#define ST_RUNTIME_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "frontend/base_types.h"

struct st_stat {
	int64_t count, sum, min, max;
	int64_t avg_s, var_s;     /* Welford state for @variance (stap's integer form) */
	int64_t *buckets;         /* shape->nbuckets counters, or NULL when no histogram */
};

void st_stat_init(struct st_stat *st, const struct st_stat_shape *shape);
void st_stat_free(struct st_stat *st);
void st_stat_reset(struct st_stat *st, const struct st_stat_shape *shape);
void st_stat_add(struct st_stat *st, const struct st_stat_shape *shape, int64_t v);
/* st_stat_add n times. */
void st_stat_add_n(struct st_stat *st, const struct st_stat_shape *shape, int64_t v, uint64_t n);
/* dst += src (same shape). */
void st_stat_merge(struct st_stat *dst, const struct st_stat *src, const struct st_stat_shape *shape);

/* Extract one value.  Returns 0, or -1 for an empty aggregate where stap
 * errors (@min @max @avg @variance of nothing); the caller raises
 * "empty aggregate". */
int st_stat_get(const struct st_stat *st, const struct st_stat_shape *shape, enum st_stat_op op, int64_t *out);
/* The same for an element of a statistics array: stap aggregates those by
 * copying the first partition and merging the rest (runtime/map.c), so one
 * partition's @variance is its own _M2 / (count - 1), without the
 * cross-partition term a scalar statistic gets (runtime/stat.c). */
int st_stat_get_element(const struct st_stat *st, const struct st_stat_shape *shape, enum st_stat_op op,
			int64_t *out);

/* Bucket i of the histogram (for `@hist_log(x)[i]` and foreach over buckets).
 * Returns 0, or -1 when i is out of range. */
int st_stat_bucket(const struct st_stat *st, const struct st_stat_shape *shape, int64_t i, int64_t *out);

/* The value histogram row i is labelled with, as stap prints it; *edge is
 * -1 for a linear histogram's underflow row ("<lo"), +1 for its overflow
 * row (">..."), else 0. */
int64_t st_stat_bucket_label(const struct st_stat_shape *shape, int i, int *edge);

/* Print the histogram exactly as stap does (header, value column, '@' bars
 * scaled to 50, '~' elision of empty runs keeping `elision` rows at each
 * edge).  Returns 0, or -1 for an empty aggregate. */
int st_stat_print_hist(FILE *out, const struct st_stat *st, const struct st_stat_shape *shape, int elision);

#endif
