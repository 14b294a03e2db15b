/* test_stats.c - aggregates, @variance and the histogram ASCII art.
 *
 * Every expected value below is worked out by hand from stap's runtime
 * (runtime/stat-common.c __stp_stat_add and _stp_stat_print_histogram_buf,
 * runtime/stat.c _stp_stat_get); the derivation is in the comment of each
 * case.  Row format: the label right-aligned in val_space columns
 * (max(5, widest label)), " |", count/scale '@'s, then the count
 * right-aligned in 50 - bars + 1 + cnt_space columns, cnt_space being the
 * digits of the largest count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/stats.h"
#include "tests/unit/check.h"

#define DASHES "--------------------------------------------------"
#define HEADER "value |" DASHES " count\n"
#define SP10 "          "
#define SP50 SP10 SP10 SP10 SP10 SP10

static char *hist_text(const struct st_stat *st, const struct st_stat_shape *sh, int elision)
{
	static char *buf;
	size_t len;
	FILE *f;

	free(buf);
	f = open_memstream(&buf, &len);
	if (st_stat_print_hist(f, st, sh, elision) < 0)
		fputs("(empty)", f);
	fclose(f);
	return buf;
}

static void test_extractors(void)
{
	struct st_stat_shape sh = { 0 };
	struct st_stat st;
	int64_t v = 99;

	st_stat_shape_init(&sh);
	st_stat_init(&st, &sh);
	CHECK("empty @count is 0", st_stat_get(&st, &sh, ST_AGG_COUNT, &v) == 0 && v == 0);
	CHECK("empty @sum is 0", st_stat_get(&st, &sh, ST_AGG_SUM, &v) == 0 && v == 0);
	CHECK("empty @min errors", st_stat_get(&st, &sh, ST_AGG_MIN, &v) == -1);
	CHECK("empty @max errors", st_stat_get(&st, &sh, ST_AGG_MAX, &v) == -1);
	CHECK("empty @avg errors", st_stat_get(&st, &sh, ST_AGG_AVG, &v) == -1);
	CHECK("empty @variance errors", st_stat_get(&st, &sh, ST_AGG_VARIANCE, &v) == -1);
	CHECK("empty histogram print errors", st_stat_print_hist(stdout, &st, &sh, 2) == -1);
	st_stat_add(&st, &sh, 7);
	CHECK("one sample @variance 0", st_stat_get(&st, &sh, ST_AGG_VARIANCE, &v) == 0 && v == 0);
	st_stat_add(&st, &sh, -3);
	st_stat_add(&st, &sh, 10);
	st_stat_get(&st, &sh, ST_AGG_COUNT, &v);
	CHECK("@count", v == 3);
	st_stat_get(&st, &sh, ST_AGG_SUM, &v);
	CHECK("@sum", v == 14);
	st_stat_get(&st, &sh, ST_AGG_MIN, &v);
	CHECK("@min", v == -3);
	st_stat_get(&st, &sh, ST_AGG_MAX, &v);
	CHECK("@max", v == 10);
	st_stat_get(&st, &sh, ST_AGG_AVG, &v);
	CHECK("@avg truncates", v == 4);
	st_stat_reset(&st, &sh);
	CHECK("reset empties", st_stat_get(&st, &sh, ST_AGG_MIN, &v) == -1);
	st_stat_add(&st, &sh, -7);
	st_stat_add(&st, &sh, 2);
	st_stat_get(&st, &sh, ST_AGG_AVG, &v);
	CHECK("@avg rounds toward zero", v == -2);
	st_stat_free(&st);
}

static int64_t variance_of(const int64_t *v, int n, int shift)
{
	struct st_stat_shape sh = { .variance_shift = shift };
	struct st_stat st;
	int64_t out = 0;
	int i;

	st_stat_shape_init(&sh);
	st_stat_init(&st, &sh);
	for (i = 0; i < n; i++)
		st_stat_add(&st, &sh, v[i]);
	st_stat_get(&st, &sh, ST_AGG_VARIANCE, &out);
	st_stat_free(&st);
	return out;
}

static void test_variance(void)
{
	static const int64_t one_to_five[] = { 1, 2, 3, 4, 5 };
	static const int64_t pm3[] = { -3, 3 };
	static const int64_t big[] = { 0, 4294967298LL };

	/* shift 0, 1..5: the running average sticks at 1 (1/2, 2/3, 3/4, 4/5
	 * all truncate to 0); _M2 = 1+4+9+16 = 30, variance_s = 30/4 = 7.
	 * _stp_stat_get: avg_s = 15/5 = 3, S1 = 5*(1-3)^2 = 20, S2 = 4*7 = 28,
	 * (20+28)/4 = 12. */
	CHECK("variance 1..5 shift 0 = 12 (stap's integer Welford)", variance_of(one_to_five, 5, 0) == 12);
	/* shift 8: avg_s 256,384,512,640,768; _M2 = 32768+98304+196608+327680
	 * = 655360; variance_s = 163840; S1 = 0, S2 = 655360, /4 = 163840,
	 * >> 16 = 2 (the true 2.5, truncated). */
	CHECK("variance 1..5 shift 8 = 2", variance_of(one_to_five, 5, 8) == 2);
	/* -3, 3: delta 6, avg 0, _M2 = 18, S1 = 0, S2 = 18. */
	CHECK("variance -3,3 = 18", variance_of(pm3, 2, 0) == 18);
	/* 0, 2^32+2: delta is an int in stap, so it is 2; avg_s = 1,
	 * _M2 = 2*(2^32+1) = 8589934594.  S1 = 2*(1-2147483649)^2 = 2^63,
	 * which wraps to INT64_MIN; S1+S2 = -9223372028264841214. */
	CHECK("variance keeps stap's 32-bit delta and wrapping",
	      variance_of(big, 2, 0) == -9223372028264841214LL);
}

static void test_merge(void)
{
	struct st_stat_shape sh = { .hist = ST_HIST_LINEAR, .lo = 0, .hi = 10, .width = 5 };
	struct st_stat a, b, e;
	int64_t v;
	int i;

	st_stat_shape_init(&sh);
	CHECK("linear bucket count (10-0)/5+3", sh.nbuckets == 5);
	st_stat_init(&a, &sh);
	st_stat_init(&b, &sh);
	st_stat_init(&e, &sh);
	st_stat_add(&a, &sh, 1);
	st_stat_add(&a, &sh, 2);
	for (i = 3; i <= 5; i++)
		st_stat_add(&b, &sh, i);
	st_stat_merge(&e, &a, &sh);
	st_stat_merge(&e, &b, &sh);
	st_stat_get(&e, &sh, ST_AGG_COUNT, &v);
	CHECK("merge @count", v == 5);
	st_stat_get(&e, &sh, ST_AGG_SUM, &v);
	CHECK("merge @sum", v == 15);
	st_stat_get(&e, &sh, ST_AGG_MIN, &v);
	CHECK("merge @min", v == 1);
	st_stat_get(&e, &sh, ST_AGG_MAX, &v);
	CHECK("merge @max", v == 5);
	/* Two stap partitions {1,2} (avg_s 1, variance_s 1) and {3,4,5}
	 * (avg_s 3, variance_s 5/2 = 2): avg_s = 3, S1 = 2*4 + 0 = 8,
	 * S2 = 1*1 + 2*2 = 5, 13/4 = 3. */
	st_stat_get(&e, &sh, ST_AGG_VARIANCE, &v);
	CHECK("merge @variance = stap's two-CPU total variance", v == 3);
	/* buckets: 0 under, 1 [0,5), 2 [5,10), 3 10, 4 over */
	CHECK("merge buckets", e.buckets[1] == 4 && e.buckets[2] == 1 && e.buckets[0] == 0);
	CHECK("bucket index", st_stat_bucket(&e, &sh, 1, &v) == 0 && v == 4);
	CHECK("bucket index out of range", st_stat_bucket(&e, &sh, 5, &v) == -1);
	CHECK("bucket index negative", st_stat_bucket(&e, &sh, -1, &v) == -1);
	st_stat_free(&a);
	st_stat_free(&b);
	st_stat_free(&e);
}

static void fill(struct st_stat *st, const struct st_stat_shape *sh, const int64_t *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		st_stat_add(st, sh, v[i]);
}

static void test_hist_log(void)
{
	struct st_stat_shape sh = { .hist = ST_HIST_LOG };
	struct st_stat st;
	static const int64_t vals[] = { 0, 1, 1, 2, 3, 4096 };
	static const int64_t neg[] = { -1, -5, 3 };
	int64_t v;

	st_stat_shape_init(&sh);
	CHECK("log bucket count", sh.nbuckets == 128);
	st_stat_init(&st, &sh);
	fill(&st, &sh, vals, 6);
	/* buckets: 64 (0):1, 65 (1):2, 66 (2..3):2, 77 (4096):1.
	 * Range 64..79: no margin below 0 without negatives, two above.
	 * val_space = max(5, digits(16384)) = 5; valmax 2: scale 1,
	 * cnt_space 1.  Rows 69..74 (16..512) have no non-empty bucket
	 * within 2 and collapse into one "~" row. */
	CHECK("log bucket of 1", st_stat_bucket(&st, &sh, 65, &v) == 0 && v == 2);
	CHECK_STR("hist_log with gap", hist_text(&st, &sh, 2),
		  HEADER
		  "    0 |@" SP50 "1\n"
		  "    1 |@@" SP10 SP10 SP10 SP10 "         2\n"
		  "    2 |@@" SP10 SP10 SP10 SP10 "         2\n"
		  "    4 |" SP50 " 0\n"
		  "    8 |" SP50 " 0\n"
		  "      ~\n"
		  " 1024 |" SP50 " 0\n"
		  " 2048 |" SP50 " 0\n"
		  " 4096 |@" SP50 "1\n"
		  " 8192 |" SP50 " 0\n"
		  "16384 |" SP50 " 0\n"
		  "\n");
	/* HIST_ELISION 0: every empty row goes; "~" only before a shown row. */
	CHECK_STR("hist_log elision 0", hist_text(&st, &sh, 0),
		  HEADER
		  "    0 |@" SP50 "1\n"
		  "    1 |@@" SP10 SP10 SP10 SP10 "         2\n"
		  "    2 |@@" SP10 SP10 SP10 SP10 "         2\n"
		  "      ~\n"
		  " 4096 |@" SP50 "1\n"
		  "\n");
	/* negative HIST_ELISION: nothing elided, rows 64..79 all shown */
	{
		const char *t = hist_text(&st, &sh, -1);
		int rows = 0;

		for (; *t; t++)
			rows += *t == '\n';
		CHECK("hist_log no elision: header + 16 rows + blank", rows == 18);
		CHECK("hist_log no elision has no ~", strchr(hist_text(&st, &sh, -1), '~') == NULL);
	}
	st_stat_reset(&st, &sh);
	fill(&st, &sh, neg, 3);
	/* -1 -> 63, -5 -> 61 (128 - 67), 3 -> 66.  Range 61-2 .. 66+2 =
	 * 59..68; labels -(2^(63-b)) below 64: 59 = -16.  val_space 5. */
	CHECK_STR("hist_log negative values", hist_text(&st, &sh, 2),
		  HEADER
		  "  -16 |" SP50 " 0\n"
		  "   -8 |" SP50 " 0\n"
		  "   -4 |@" SP50 "1\n"
		  "   -2 |" SP50 " 0\n"
		  "   -1 |@" SP50 "1\n"
		  "    0 |" SP50 " 0\n"
		  "    1 |" SP50 " 0\n"
		  "    2 |@" SP50 "1\n"
		  "    4 |" SP50 " 0\n"
		  "    8 |" SP50 " 0\n"
		  "\n");
	st_stat_reset(&st, &sh);
	st_stat_add(&st, &sh, INT64_MIN);
	CHECK("log bucket of INT64_MIN is 0", st_stat_bucket(&st, &sh, 0, &v) == 0 && v == 1);
	st_stat_add(&st, &sh, INT64_MAX);
	CHECK("log bucket of INT64_MAX is 127", st_stat_bucket(&st, &sh, 127, &v) == 0 && v == 1);
	st_stat_free(&st);
}

static void test_hist_linear(void)
{
	struct st_stat_shape sh = { .hist = ST_HIST_LINEAR, .lo = 0, .hi = 100, .width = 10 };
	struct st_stat st;
	static const int64_t vals[] = { -5, 0, 5, 15, 95, 100, 150, 200 };
	int i;

	st_stat_shape_init(&sh);
	CHECK("linear bucket count 13", sh.nbuckets == 13);
	st_stat_init(&st, &sh);
	fill(&st, &sh, vals, 8);
	for (i = 0; i < 120; i++)
		st_stat_add(&st, &sh, 25);
	/* buckets: 0 (<0):1, 1 (0):2, 2 (10):1, 3 (20):120, 10 (90):1,
	 * 11 (100, the top value is in the last regular bucket):1,
	 * 12 (>100):2.  Under and over are shown (non-empty).  valmax 120:
	 * scale ceil(120/50) = 3, cnt_space 3.  val_space = max(5,
	 * digits(0)+1, digits(0 + 10*12)+1) = 5.  "<0" has 4 columns of
	 * prefix padding; ">100" 2 (label 0 + (12-2)*10).  Rows 6, 7 (50, 60)
	 * have no neighbour within 2 and become "~". */
	CHECK_STR("hist_linear with under, over, scale and elision", hist_text(&st, &sh, 2),
		  HEADER
		  "   <0 |" SP50 "   1\n"
		  "    0 |" SP50 "   2\n"
		  "   10 |" SP50 "   1\n"
		  "   20 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@" SP10 " 120\n"
		  "   30 |" SP50 "   0\n"
		  "   40 |" SP50 "   0\n"
		  "      ~\n"
		  "   70 |" SP50 "   0\n"
		  "   80 |" SP50 "   0\n"
		  "   90 |" SP50 "   1\n"
		  "  100 |" SP50 "   1\n"
		  " >100 |" SP50 "   2\n"
		  "\n");
	st_stat_free(&st);

	/* @hist_linear(v, 0, 50, 10): 8 buckets.  Three samples of 12 in
	 * bucket 2 (10).  The margin reaches bucket 0, which is empty and so
	 * dropped; top margin 4 (30).  val_space = max(5, 1, digits(40)). */
	sh = (struct st_stat_shape){ .hist = ST_HIST_LINEAR, .lo = 0, .hi = 50, .width = 10 };
	st_stat_shape_init(&sh);
	st_stat_init(&st, &sh);
	for (i = 0; i < 3; i++)
		st_stat_add(&st, &sh, 12);
	CHECK_STR("hist_linear without under/over", hist_text(&st, &sh, 2),
		  HEADER
		  "    0 |" SP50 " 0\n"
		  "   10 |@@@" SP10 SP10 SP10 SP10 "        3\n"
		  "   20 |" SP50 " 0\n"
		  "   30 |" SP50 " 0\n"
		  "\n");
	st_stat_free(&st);

	/* @hist_linear(v, -100, 100, 50): 7 buckets.  -30 -> (70/50)+1 = 2
	 * (-50); -200 underflows.  Range 0..4 (margin), under shown.
	 * val_space = max(5, digits(-100)+1 = 5, digits(-100+50*4)) = 5, so
	 * "<-100" fills the column exactly. */
	sh = (struct st_stat_shape){ .hist = ST_HIST_LINEAR, .lo = -100, .hi = 100, .width = 50 };
	st_stat_shape_init(&sh);
	st_stat_init(&st, &sh);
	st_stat_add(&st, &sh, -30);
	st_stat_add(&st, &sh, -200);
	CHECK_STR("hist_linear negative range", hist_text(&st, &sh, 2),
		  HEADER
		  "<-100 |@" SP50 "1\n"
		  " -100 |" SP50 " 0\n"
		  "  -50 |@" SP50 "1\n"
		  "    0 |" SP50 " 0\n"
		  "   50 |" SP50 " 0\n"
		  "\n");
	st_stat_free(&st);
}

int main(void)
{
	test_extractors();
	test_variance();
	test_merge();
	test_hist_log();
	test_hist_linear();
	return check_failures != 0;
}
