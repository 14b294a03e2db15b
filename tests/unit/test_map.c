/* test_map.c - associative arrays: lookup, insertion order, capacity, wrap,
 * truncation, and every foreach sort mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/map.h"
#include "tests/unit/check.h"

static struct st_limits lim;

static struct st_map *map_sl(uint32_t cap, bool wrap)
{
	struct st_map_type t = { .nkeys = 1, .key = { ST_T_STRING }, .value = ST_T_LONG };

	return st_map_new(&t, cap, wrap, &lim);
}

static void set_sl(struct st_map *m, const char *k, int64_t v)
{
	st_value key[1] = { { .s = k } };

	st_map_get(m, key)->val.n = v;
}

/* The string keys of the walk, joined with spaces. */
static const char *walk_keys(struct st_map *m)
{
	static char buf[1024];
	struct st_map_entry *e;

	buf[0] = '\0';
	for (e = st_map_first(m); e; e = st_map_next(e)) {
		if (buf[0])
			strcat(buf, " ");
		strcat(buf, e->key[0].s);
	}
	return buf;
}

static const char *sorted_keys(struct st_map *m, int col, int dir, int64_t limit)
{
	static char buf[1024];
	struct st_map_entry **v;
	uint32_t n = st_map_sorted(m, col, dir, ST_AGG_COUNT, limit, NULL, 0, &v), i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, v[i]->key[0].s);
	}
	free(v);
	return buf;
}

static void test_basic(void)
{
	struct st_map *m = map_sl(0, false);
	st_value k[1] = { { .s = "b" } };

	CHECK("capacity default", st_map_capacity(m) == 2048);
	CHECK("find absent", st_map_find(m, k) == NULL);
	CHECK("find does not insert", st_map_size(m) == 0);
	set_sl(m, "b", 1);
	set_sl(m, "a", 2);
	set_sl(m, "c", 0);   /* set to 0: still present */
	set_sl(m, "b", 5);   /* update keeps position */
	CHECK("size", st_map_size(m) == 3);
	CHECK("zero value exists", st_map_find(m, (st_value[]){ { .s = "c" } }) != NULL);
	CHECK("update", st_map_find(m, k)->val.n == 5);
	CHECK_STR("insertion order", walk_keys(m), "b a c");
	CHECK("delete", st_map_delete(m, k));
	CHECK("delete absent", !st_map_delete(m, k));
	CHECK_STR("order after delete", walk_keys(m), "a c");
	set_sl(m, "b", 7);
	CHECK_STR("reinsert goes last", walk_keys(m), "a c b");
	st_map_clear(m);
	CHECK("clear", st_map_size(m) == 0 && st_map_first(m) == NULL);
	set_sl(m, "x", 1);
	CHECK_STR("usable after clear", walk_keys(m), "x");
	st_map_free(m);
}

static void test_many_keys(void)
{
	struct st_map_type t = { .nkeys = 3, .key = { ST_T_LONG, ST_T_STRING, ST_T_LONG }, .value = ST_T_STRING };
	struct st_map *m = st_map_new(&t, 100000, false, &lim);
	char name[32];
	int i, ok = 1;

	for (i = 0; i < 50000; i++) {
		st_value k[3];

		snprintf(name, sizeof(name), "n%d", i % 100);
		k[0].n = i; k[1].s = name; k[2].n = -i;
		st_map_entry_set_string(m, st_map_get(m, k), name);
	}
	CHECK("50000 entries, buckets grow", st_map_size(m) == 50000);
	for (i = 0; i < 50000; i++) {
		st_value k[3];
		struct st_map_entry *e;

		snprintf(name, sizeof(name), "n%d", i % 100);
		k[0].n = i; k[1].s = name; k[2].n = -i;
		e = st_map_find(m, k);
		if (!e || strcmp(e->val.s, name) != 0)
			ok = 0;
	}
	CHECK("all found with their values", ok);
	{
		st_value k[3] = { { .n = 1 }, { .s = "n2" }, { .n = -1 } };

		CHECK("mismatched middle key absent", st_map_find(m, k) == NULL);
	}
	st_map_free(m);
}

static void test_overflow_and_wrap(void)
{
	struct st_map *m = map_sl(3, false);
	st_value k[1] = { { .s = "d" } };

	set_sl(m, "a", 1);
	set_sl(m, "b", 2);
	set_sl(m, "c", 3);
	CHECK("full map: new key is NULL", st_map_get(m, k) == NULL);
	CHECK("full map: size unchanged", st_map_size(m) == 3);
	CHECK("full map: existing key still updatable",
	      st_map_get(m, (st_value[]){ { .s = "a" } }) != NULL);
	st_map_free(m);

	m = map_sl(3, true);
	set_sl(m, "a", 1);
	set_sl(m, "b", 2);
	set_sl(m, "c", 3);
	set_sl(m, "a", 9);   /* update does not refresh age */
	set_sl(m, "d", 4);
	CHECK_STR("wrap evicts oldest inserted", walk_keys(m), "b c d");
	CHECK("evicted key is gone", st_map_find(m, (st_value[]){ { .s = "a" } }) == NULL);
	set_sl(m, "e", 5);
	CHECK_STR("wrap again", walk_keys(m), "c d e");
	CHECK("wrap keeps capacity", st_map_size(m) == 3);
	/* stap sorts the node list in place, so after a sorted foreach the
	 * "oldest" is the first in sorted order. */
	CHECK_STR("sorted desc", sorted_keys(m, 0, -1, -1), "e d c");
	set_sl(m, "f", 6);
	CHECK_STR("wrap after sort evicts sorted head", walk_keys(m), "d c f");
	st_map_free(m);

	{
		struct st_map_type t = { .nkeys = 1, .key = { ST_T_LONG }, .value = ST_T_STATS,
					 .shape = { .hist = ST_HIST_LOG } };
		struct st_map *s = st_map_new(&t, 2, true, &lim);
		int64_t i, c = 0;

		for (i = 0; i < 5; i++)
			st_stat_add(&st_map_get(s, (st_value[]){ { .n = i } })->val.stat,
				    &st_map_type(s)->shape, i);
		st_stat_get(&st_map_first(s)->val.stat, &st_map_type(s)->shape, ST_AGG_COUNT, &c);
		CHECK("stats array wraps", st_map_size(s) == 2 && st_map_first(s)->key[0].n == 3 && c == 1);
		st_map_free(s);
	}
}

static void test_truncation(void)
{
	struct st_limits small = lim;
	struct st_map_type t = { .nkeys = 1, .key = { ST_T_STRING }, .value = ST_T_STRING };
	struct st_map *m;
	struct st_map_entry *e;

	small.maxstringlen = 8;   /* stap keeps MAXSTRINGLEN - 1 = 7 bytes */
	m = st_map_new(&t, 0, false, &small);
	e = st_map_get(m, (st_value[]){ { .s = "abcdefghijk" } });
	CHECK_STR("key truncated to MAXSTRINGLEN-1", e->key[0].s, "abcdefg");
	CHECK("longer key finds its truncation", st_map_find(m, (st_value[]){ { .s = "abcdefgXYZ" } }) == e);
	CHECK("exact truncation finds it", st_map_find(m, (st_value[]){ { .s = "abcdefg" } }) == e);
	CHECK("shorter key does not", st_map_find(m, (st_value[]){ { .s = "abcdef" } }) == NULL);
	st_map_entry_set_string(m, e, "0123456789");
	CHECK_STR("value truncated", e->val.s, "0123456");
	st_map_entry_set_string(m, e, "");
	CHECK_STR("empty value", e->val.s, "");
	e = st_map_get(m, (st_value[]){ { .s = "new" } });
	CHECK_STR("new string value is empty", e->val.s, "");
	st_map_free(m);
}

static void test_sort(void)
{
	struct st_map *m = map_sl(0, false);
	struct st_map_entry **v;
	uint32_t n;

	/* values with ties: x=2 y=1 z=2 w=1 v=3 */
	set_sl(m, "x", 2);
	set_sl(m, "y", 1);
	set_sl(m, "z", 2);
	set_sl(m, "w", 1);
	set_sl(m, "v", 3);
	CHECK_STR("unsorted = insertion order", sorted_keys(m, 0, 0, -1), "x y z w v");
	CHECK_STR("by value asc, ties stable", sorted_keys(m, 0, 1, -1), "y w x z v");
	/* the list is now in that order (stap sorts in place) */
	CHECK_STR("list reordered by sort", walk_keys(m), "y w x z v");
	CHECK_STR("by value desc, ties stable", sorted_keys(m, 0, -1, -1), "v x z y w");
	CHECK_STR("by key asc", sorted_keys(m, 1, 1, -1), "v w x y z");
	CHECK_STR("by key desc", sorted_keys(m, 1, -1, -1), "z y x w v");
	CHECK_STR("limit 0", sorted_keys(m, 0, 1, 0), "");
	/* back to the insertion order of the first test for limit tests */
	st_map_clear(m);
	set_sl(m, "x", 2);
	set_sl(m, "y", 1);
	set_sl(m, "z", 2);
	set_sl(m, "w", 1);
	set_sl(m, "v", 3);
	CHECK_STR("limit 2 desc (partial sort)", sorted_keys(m, 0, -1, 2), "v x");
	/* stap's _stp_map_sortn leaves the tail in its own order: bubble pass
	 * over x y (no swap), then z is inserted after x (pushing y out of
	 * the top 2), w stays, v goes to the front: v x z y w. */
	CHECK_STR("list after partial sort", walk_keys(m), "v x z y w");
	CHECK_STR("limit 3 asc", sorted_keys(m, 0, 1, 3), "y w x");
	CHECK_STR("list after partial asc sort", walk_keys(m), "y w x z v");
	CHECK_STR("limit 40 asc (full sort)", sorted_keys(m, 0, 1, 40), "y w x z v");
	CHECK_STR("unsorted limit", sorted_keys(m, 0, 0, 2), "y w");
	n = st_map_sorted(m, 0, 0, ST_AGG_COUNT, -1, NULL, 0, &v);
	CHECK("unsorted returns all", n == 5);
	free(v);
	st_map_free(m);
}

static void test_sort_multi(void)
{
	struct st_map_type t = { .nkeys = 2, .key = { ST_T_LONG, ST_T_STRING }, .value = ST_T_STRING };
	struct st_map *m = st_map_new(&t, 0, false, &lim);
	struct st_map_entry **v;
	static const struct { int64_t a; const char *b, *val; } in[] = {
		{ 3, "c", "p" }, { -1, "a", "q" }, { 3, "a", "p" }, { 10, "b", "a" }, { -1, "c", "q" },
	};
	char buf[256];
	uint32_t n, i;

	for (i = 0; i < 5; i++) {
		st_value k[2] = { { .n = in[i].a }, { .s = in[i].b } };

		st_map_entry_set_string(m, st_map_get(m, k), in[i].val);
	}
#define JOIN(n, v) do { \
	buf[0] = 0; \
	for (i = 0; i < (n); i++) \
		sprintf(buf + strlen(buf), "%s%lld%s", i ? " " : "", \
			(long long)(v)[i]->key[0].n, (v)[i]->key[1].s); \
	free(v); \
} while (0)
	n = st_map_sorted(m, 1, 1, ST_AGG_COUNT, -1, NULL, 0, &v);
	JOIN(n, v);
	CHECK_STR("long key column asc, negatives first, ties stable", buf, "-1a -1c 3c 3a 10b");
	n = st_map_sorted(m, 2, -1, ST_AGG_COUNT, -1, NULL, 0, &v);
	JOIN(n, v);
	CHECK_STR("string key column desc", buf, "-1c 3c 10b -1a 3a");
	n = st_map_sorted(m, 0, 1, ST_AGG_COUNT, -1, NULL, 0, &v);
	JOIN(n, v);
	/* ties keep the list order the previous sort left: -1c 3c 10b -1a 3a */
	CHECK_STR("string value asc (strcmp)", buf, "10b 3c 3a -1c -1a");
	{
		st_value f[2] = { { .n = 0 }, { .s = "c" } };

		n = st_map_sorted(m, 1, 1, ST_AGG_COUNT, -1, f, 2, &v);
		JOIN(n, v);
		CHECK_STR("filter [*, \"c\"] sorted", buf, "-1c 3c");
		f[0].n = 3;
		n = st_map_sorted(m, 0, 0, ST_AGG_COUNT, -1, f, 1, &v);
		JOIN(n, v);
		CHECK_STR("filter [3, *] unsorted", buf, "3c 3a");
		n = st_map_sorted(m, 0, 0, ST_AGG_COUNT, 1, f, 1, &v);
		JOIN(n, v);
		CHECK_STR("filter with limit counts matches", buf, "3c");
	}
	st_map_free(m);
}

static void test_sort_stats(void)
{
	struct st_map_type t = { .nkeys = 1, .key = { ST_T_STRING }, .value = ST_T_STATS };
	struct st_map *m = st_map_new(&t, 0, false, &lim);
	struct st_map_entry **v;
	static const char *keys[] = { "a", "b", "c" };
	static const int64_t vals[3][3] = { { 10, 10, 10 }, { 100, -5, 0 }, { 1, 2, 0 } };
	int i, j;
	uint32_t n;
	char buf[64];

	for (i = 0; i < 3; i++)
		for (j = 0; j < 3 - (i == 2); j++)
			st_stat_add(&st_map_get(m, (st_value[]){ { .s = keys[i] } })->val.stat, &t.shape, vals[i][j]);
#define JOINS(n) do { \
	buf[0] = 0; \
	for (uint32_t q = 0; q < (n); q++) \
		strcat(buf, v[q]->key[0].s); \
	free(v); \
} while (0)
	n = st_map_sorted(m, 0, -1, ST_AGG_COUNT, -1, NULL, 0, &v);
	JOINS(n);
	CHECK_STR("stats by @count desc (ties stable)", buf, "abc");
	n = st_map_sorted(m, 0, -1, ST_AGG_SUM, -1, NULL, 0, &v);
	JOINS(n);
	CHECK_STR("stats by @sum desc", buf, "bac");
	n = st_map_sorted(m, 0, 1, ST_AGG_MIN, -1, NULL, 0, &v);
	JOINS(n);
	CHECK_STR("stats by @min asc", buf, "bca");
	n = st_map_sorted(m, 0, 1, ST_AGG_MAX, -1, NULL, 0, &v);
	JOINS(n);
	CHECK_STR("stats by @max asc", buf, "cab");
	n = st_map_sorted(m, 0, 1, ST_AGG_AVG, -1, NULL, 0, &v);
	JOINS(n);
	CHECK_STR("stats by @avg asc (1, 10, 31)", buf, "cab");
	st_map_free(m);
}

/* Statistics arrays hold their capacity per CPU, as stap's per-CPU maps:
 * `<<<` fails only when the adding CPU's share is full. */
static void test_stats_per_cpu(void)
{
	struct st_map_type t = { .nkeys = 1, .key = { ST_T_STRING }, .value = ST_T_STATS };
	struct st_map *m = st_map_new(&t, 2, false, &lim);
#define ON(k, cpu) st_map_get_on(m, (st_value[]){ { .s = (k) } }, (cpu))

	CHECK("stats per cpu: cpu 0 adds a, b", ON("a", 0) && ON("b", 0));
	CHECK("stats per cpu: cpu 0 is full at its capacity", ON("c", 0) == NULL);
	CHECK("stats per cpu: cpu 1 adds c and a", ON("c", 1) && ON("a", 1));
	CHECK("stats per cpu: a key cpu 1 has already is found", ON("c", 1) != NULL);
	CHECK("stats per cpu: cpu 1 is full too", ON("b", 1) == NULL);
	CHECK("stats per cpu: the union holds 3 keys", st_map_size(m) == 3);
	CHECK("stats per cpu: a is one entry for both cpus", ON("a", 0) == ON("a", 1));
	st_map_delete(m, (st_value[]){ { .s = "a" } });
	CHECK("stats per cpu: deleting a frees a place on both cpus", ON("d", 0) && ON("e", 1));
	st_map_clear(m);
	CHECK("stats per cpu: clear empties every cpu's share", ON("x", 0) && ON("y", 0) && !ON("z", 0));
#undef ON
	st_map_free(m);
	/* other arrays: one capacity for the whole array */
	m = map_sl(2, false);
	CHECK("long arrays: capacity is the array's", st_map_get_on(m, (st_value[]){ { .s = "a" } }, 0) &&
	      st_map_get_on(m, (st_value[]){ { .s = "b" } }, 1) && !st_map_get_on(m, (st_value[]){ { .s = "c" } }, 1));
	st_map_free(m);
}

static void test_speed(void)
{
	struct st_map_type t = { .nkeys = 2, .key = { ST_T_STRING, ST_T_LONG }, .value = ST_T_LONG };
	struct st_map *m = st_map_new(&t, 0, false, &lim);
	static const char *names[] = { "bash", "systemd", "sshd", "kworker/0:1", "perf", "gnome-shell", "Xorg", "cc1" };
	struct timespec a, b;
	long i, n = 5000000;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		st_value k[2] = { { .s = names[i & 7] }, { .n = (i >> 3) & 127 } };

		st_map_get(m, k)->val.n++;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("# map: %.1f M lookups+updates/s\n", n / secs / 1e6);
	CHECK("speed: entries", st_map_size(m) == 8 * 128);
	st_map_free(m);
}

int main(void)
{
	st_limits_default(&lim);
	test_basic();
	test_many_keys();
	test_overflow_and_wrap();
	test_truncation();
	test_sort();
	test_sort_multi();
	test_sort_stats();
	test_stats_per_cpu();
	test_speed();
	return check_failures != 0;
}
