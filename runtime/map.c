/* map.c - associative arrays.
 *
 * Entries live in a chained hash table (lookup) and on a doubly linked list
 * in insertion order (unsorted foreach, wrap eviction), as in stap's
 * runtime.  Like stap, a sorted foreach reorders that list: the runtime
 * sorts the map's own node list in place, so a later unsorted foreach, and
 * the choice of the entry a wrapping array evicts, see the sorted order.
 *
 * String keys and values are cut to MAXSTRINGLEN - 1 bytes: stap keeps them
 * in char[MAXSTRINGLEN] buffers filled with strlcpy.  Keys are compared with
 * strncmp over that length, so a longer lookup key finds its truncation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/map.h"

struct st_map {
	struct st_map_type type;
	uint32_t capacity, count;
	bool wrap;
	size_t maxlen;                /* longest string kept: MAXSTRINGLEN - 1 */
	struct st_map_entry **bucket;
	uint64_t mask;                /* nbuckets - 1; nbuckets is a power of 2 */
	struct st_map_entry *head, *tail;
	size_t entry_size;            /* header + key array */
	uint32_t *cpu_count;          /* stats maps: keys each CPU added (st_map_get_on) */
};

#define MAP_CPUS 64

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fputs("staplet: out of memory\n", stderr);
		abort();
	}
	return p;
}

/* ---- hashing ------------------------------------------------------------ */

/* A 64-bit finaliser (the murmur3/splitmix one): every input bit reaches
 * every output bit, so the low bits used as a bucket index are good. */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Strings are hashed 8 bytes at a time, up to the truncation length, so the
 * hash of a long key equals the hash of the key it is stored as. */
static inline uint64_t hash_string(const char *s, size_t maxlen, uint64_t h)
{
	size_t n = 0;

	for (;;) {
		uint64_t w = 0;
		size_t i;

		for (i = 0; i < 8 && n < maxlen && s[n]; i++, n++)
			w |= (uint64_t)(unsigned char)s[n] << (8 * i);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
		if (i < 8)
			return h ^ n;
	}
}

static uint64_t hash_key(const struct st_map *m, const st_value *key)
{
	uint64_t h = 0x243f6a8885a308d3ULL;
	unsigned i;

	for (i = 0; i < m->type.nkeys; i++) {
		if (m->type.key[i] == ST_T_STRING)
			h = hash_string(key[i].s, m->maxlen, h);
		else
			h = (h ^ (uint64_t)key[i].n) * 0x9e3779b97f4a7c15ULL;
		h = mix64(h + i);
	}
	return h;
}

static bool key_equal(const struct st_map *m, const st_value *a, const st_value *b)
{
	unsigned i;

	for (i = 0; i < m->type.nkeys; i++) {
		if (m->type.key[i] == ST_T_STRING) {
			if (strncmp(a[i].s, b[i].s, m->maxlen) != 0)
				return false;
		} else if (a[i].n != b[i].n)
			return false;
	}
	return true;
}

/* ---- creation ------------------------------------------------------------ */

struct st_map *st_map_new(const struct st_map_type *type, uint32_t capacity, bool wrap,
			  const struct st_limits *limits)
{
	struct st_limits def;
	struct st_map *m;
	uint64_t nb = 16;

	if (!limits) {
		st_limits_default(&def);
		limits = &def;
	}
	m = xcalloc(1, sizeof(*m));
	m->type = *type;
	if (m->type.nkeys > ST_MAP_MAXKEYS)
		m->type.nkeys = ST_MAP_MAXKEYS;
	m->capacity = capacity ? capacity : limits->maxmapentries;
	m->wrap = wrap;
	m->maxlen = limits->maxstringlen ? limits->maxstringlen - 1 : 0;
	if (m->type.value == ST_T_STATS)
		st_stat_shape_init(&m->type.shape);
	m->bucket = xcalloc(nb, sizeof(*m->bucket));
	m->mask = nb - 1;
	m->entry_size = sizeof(struct st_map_entry) + m->type.nkeys * sizeof(st_value);
	return m;
}

const struct st_map_type *st_map_type(const struct st_map *m) { return &m->type; }
uint32_t st_map_size(const struct st_map *m) { return m->count; }
uint32_t st_map_capacity(const struct st_map *m) { return m->capacity; }
struct st_map_entry *st_map_first(const struct st_map *m) { return m->head; }

static void entry_free(struct st_map *m, struct st_map_entry *e)
{
	if (m->type.value == ST_T_STRING)
		free(e->val.s);
	else if (m->type.value == ST_T_STATS)
		st_stat_free(&e->val.stat);
	free(e);   /* string keys share the entry's allocation */
}

void st_map_clear(struct st_map *m)
{
	struct st_map_entry *e = m->head;

	while (e) {
		struct st_map_entry *next = e->next;

		entry_free(m, e);
		e = next;
	}
	memset(m->bucket, 0, (m->mask + 1) * sizeof(*m->bucket));
	m->head = m->tail = NULL;
	m->count = 0;
	if (m->cpu_count)
		memset(m->cpu_count, 0, MAP_CPUS * sizeof(*m->cpu_count));
}

void st_map_free(struct st_map *m)
{
	if (!m)
		return;
	st_map_clear(m);
	free(m->bucket);
	free(m->cpu_count);
	free(m);
}

/* ---- lookup and insertion -------------------------------------------------- */

struct st_map_entry *st_map_find(struct st_map *m, const st_value *key)
{
	uint64_t h = hash_key(m, key);
	struct st_map_entry *e;

	for (e = m->bucket[h & m->mask]; e; e = e->hnext)
		if (e->hash == h && key_equal(m, e->key, key))
			return e;
	return NULL;
}

static void grow_buckets(struct st_map *m)
{
	uint64_t nb = (m->mask + 1) * 2, i;
	struct st_map_entry **b = xcalloc(nb, sizeof(*b));

	for (i = 0; i <= m->mask; i++) {
		struct st_map_entry *e = m->bucket[i];

		while (e) {
			struct st_map_entry *next = e->hnext;

			e->hnext = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
			e = next;
		}
	}
	free(m->bucket);
	m->bucket = b;
	m->mask = nb - 1;
}

static void hash_unlink(struct st_map *m, struct st_map_entry *e)
{
	struct st_map_entry **pp = &m->bucket[e->hash & m->mask];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
}

static void list_unlink(struct st_map *m, struct st_map_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		m->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		m->tail = e->prev;
}

static void list_append(struct st_map *m, struct st_map_entry *e)
{
	e->next = NULL;
	e->prev = m->tail;
	if (m->tail)
		m->tail->next = e;
	else
		m->head = e;
	m->tail = e;
}

static void entry_uncount(struct st_map *m, const struct st_map_entry *e)
{
	for (unsigned c = 0; m->cpu_count && e->cpus && c < MAP_CPUS; c++)
		if (e->cpus & (1ull << c))
			m->cpu_count[c]--;
}

static void entry_remove(struct st_map *m, struct st_map_entry *e)
{
	entry_uncount(m, e);
	hash_unlink(m, e);
	list_unlink(m, e);
	m->count--;
	entry_free(m, e);
}

/* One allocation holds the entry, its key array and its string keys. */
static struct st_map_entry *entry_new(struct st_map *m, const st_value *key, uint64_t h)
{
	size_t len[ST_MAP_MAXKEYS], extra = 0;
	struct st_map_entry *e;
	char *p;
	unsigned i;

	for (i = 0; i < m->type.nkeys; i++)
		if (m->type.key[i] == ST_T_STRING) {
			len[i] = strnlen(key[i].s, m->maxlen);
			extra += len[i] + 1;
		}
	e = xcalloc(1, m->entry_size + extra);
	p = (char *)e + m->entry_size;
	for (i = 0; i < m->type.nkeys; i++) {
		if (m->type.key[i] == ST_T_STRING) {
			memcpy(p, key[i].s, len[i]);
			p[len[i]] = '\0';
			e->key[i].s = p;
			p += len[i] + 1;
		} else
			e->key[i].n = key[i].n;
	}
	e->hash = h;
	if (m->type.value == ST_T_STRING)
		e->val.s = xcalloc(1, 1);
	else if (m->type.value == ST_T_STATS)
		st_stat_init(&e->val.stat, &m->type.shape);
	return e;
}

static struct st_map_entry *entry_insert(struct st_map *m, const st_value *key, uint64_t h)
{
	struct st_map_entry *e = entry_new(m, key, h);

	e->hnext = m->bucket[h & m->mask];
	m->bucket[h & m->mask] = e;
	list_append(m, e);
	m->count++;
	if (m->count > m->mask + 1)
		grow_buckets(m);
	return e;
}

struct st_map_entry *st_map_get(struct st_map *m, const st_value *key)
{
	uint64_t h = hash_key(m, key);
	struct st_map_entry *e;

	for (e = m->bucket[h & m->mask]; e; e = e->hnext)
		if (e->hash == h && key_equal(m, e->key, key))
			return e;
	if (m->count >= m->capacity) {
		/* stap reuses the node at the head of the list: the oldest
		 * inserted entry, or the first in the last sorted order. */
		if (!m->wrap || !m->head)
			return NULL;
		entry_remove(m, m->head);
	}
	return entry_insert(m, key, h);
}

struct st_map_entry *st_map_get_on(struct st_map *m, const st_value *key, int cpu)
{
	uint64_t h, bit;
	struct st_map_entry *e;
	unsigned c;

	if (m->type.value != ST_T_STATS || m->wrap || cpu < 0)
		return st_map_get(m, key);
	c = (unsigned)cpu % MAP_CPUS;
	bit = 1ull << c;
	if (!m->cpu_count)
		m->cpu_count = xcalloc(MAP_CPUS, sizeof(*m->cpu_count));
	h = hash_key(m, key);
	for (e = m->bucket[h & m->mask]; e; e = e->hnext)
		if (e->hash == h && key_equal(m, e->key, key))
			break;
	if (e && (e->cpus & bit))
		return e;
	if (m->cpu_count[c] >= m->capacity)
		return NULL;
	if (!e)
		e = entry_insert(m, key, h);
	e->cpus |= bit;
	m->cpu_count[c]++;
	return e;
}

void st_map_entry_set_string(struct st_map *m, struct st_map_entry *e, const char *s)
{
	size_t len = strnlen(s, m->maxlen);

	if (strlen(e->val.s) < len) {
		free(e->val.s);
		e->val.s = xcalloc(1, len + 1);
	}
	memmove(e->val.s, s, len);
	e->val.s[len] = '\0';
}

bool st_map_delete(struct st_map *m, const st_value *key)
{
	struct st_map_entry *e = st_map_find(m, key);

	if (!e)
		return false;
	entry_remove(m, e);
	return true;
}

/* ---- sorting --------------------------------------------------------------- */

struct sort_ctx {
	const struct st_map *m;
	int column;
	int dir;                  /* +1 ascending, -1 descending */
	enum st_stat_op agg;
};

static int64_t stat_sort_value(const struct sort_ctx *c, const struct st_stat *st)
{
	int64_t v = 0;

	/* Like stap's comparator: @avg of nothing compares as 0. */
	if (st_stat_get_element(st, &c->m->type.shape, c->agg, &v) < 0)
		v = 0;
	return v;
}

/* <0, 0, >0 as a is before, tied with, after b in ascending order. */
static int entry_compare(const struct sort_ctx *c, const struct st_map_entry *a,
			 const struct st_map_entry *b)
{
	enum st_type t;
	int64_t x, y;

	if (c->column == 0) {
		t = c->m->type.value;
		if (t == ST_T_STRING)
			return strcmp(a->val.s, b->val.s);
		if (t == ST_T_STATS) {
			x = stat_sort_value(c, &a->val.stat);
			y = stat_sort_value(c, &b->val.stat);
		} else {
			x = a->val.n;
			y = b->val.n;
		}
	} else {
		t = c->m->type.key[c->column - 1];
		if (t == ST_T_STRING)
			return strcmp(a->key[c->column - 1].s, b->key[c->column - 1].s);
		x = a->key[c->column - 1].n;
		y = b->key[c->column - 1].n;
	}
	return (x > y) - (x < y);
}

/* stap's _stp_cmp: true when a must come after b in the wanted order. */
static bool out_of_order(const struct sort_ctx *c, const struct st_map_entry *a,
			 const struct st_map_entry *b)
{
	int r = entry_compare(c, a, b);

	return c->dir > 0 ? r > 0 : r < 0;
}

/* Stable merge sort of v[0..n) using tmp; equal runs keep list order, which is
 * all a stable sort can do, so this matches stap's list merge sort. */
static void merge_sort(const struct sort_ctx *c, struct st_map_entry **v,
		       struct st_map_entry **tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(c, v, tmp, mid);
	merge_sort(c, v + mid, tmp, n - mid);
	while (i < mid && j < n)
		tmp[k++] = out_of_order(c, v[i], v[j]) ? v[j++] : v[i++];
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/* stap's _stp_map_sortn for 1 <= limit <= 30: a bubble sort of the first n
 * list nodes, then an insertion pass that pulls better nodes from the rest
 * into the top n.  The top n come out as a stable sort would order them; the
 * rest of the list is left in the order this algorithm leaves it, which
 * matters for later unsorted walks.  Run on a circular index list with
 * sentinel `n`, exactly as the runtime walks its node list. */
static void partial_sort(const struct sort_ctx *c, struct st_map_entry **v, size_t n,
			 int limit)
{
	size_t *next = xcalloc(n + 1, sizeof(size_t));
	size_t *prev = xcalloc(n + 1, sizeof(size_t));
	size_t H = n, i, a, b, cc, last, tmp;
	int num, swaps = 1;

	for (i = 0; i <= n; i++) {
		next[i] = (i + 1) % (n + 1);
		prev[i] = (i + n) % (n + 1);
	}
#define UNLINK(x) (next[prev[x]] = next[x], prev[next[x]] = prev[x])
#define LINK_AFTER(x, p) (prev[x] = (p), next[x] = next[p], prev[next[p]] = (x), next[p] = (x))
	a = next[H];
	while (swaps) {
		num = limit;
		swaps = 0;
		a = next[H];
		cc = next[next[a]];
		while (next[a] != H && --num > 0) {
			b = next[a];
			if (out_of_order(c, v[a], v[b])) {
				swaps++;
				UNLINK(a);
				LINK_AFTER(a, b);
			}
			a = prev[cc];
			cc = next[cc];
		}
	}
	last = a;
	a = next[a];
	while (a != H) {
		tmp = next[a];
		cc = last;
		while (cc != H && out_of_order(c, v[cc], v[a]))
			cc = prev[cc];
		if (cc != last) {
			UNLINK(a);
			LINK_AFTER(a, cc);
			last = prev[last];
		}
		a = tmp;
	}
#undef UNLINK
#undef LINK_AFTER
	{
		struct st_map_entry **out = xcalloc(n, sizeof(*out));

		for (i = 0, a = next[H]; a != H; a = next[a])
			out[i++] = v[a];
		memcpy(v, out, n * sizeof(*v));
		free(out);
	}
	free(next);
	free(prev);
}

static void relink(struct st_map *m, struct st_map_entry **v, size_t n)
{
	size_t i;

	m->head = m->tail = NULL;
	for (i = 0; i < n; i++)
		list_append(m, v[i]);
}

static bool filter_match(const struct st_map *m, const struct st_map_entry *e,
			 const st_value *filter, uint32_t mask)
{
	unsigned i;

	for (i = 0; i < m->type.nkeys; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (m->type.key[i] == ST_T_STRING) {
			if (strncmp(e->key[i].s, filter[i].s, m->maxlen) != 0)
				return false;
		} else if (e->key[i].n != filter[i].n)
			return false;
	}
	return true;
}

uint32_t st_map_sorted(struct st_map *m, int column, int dir, enum st_stat_op agg, int64_t limit,
		       const st_value *filter, uint32_t filter_mask, struct st_map_entry ***out)
{
	struct sort_ctx c = { m, column, dir > 0 ? 1 : -1, agg };
	struct st_map_entry **v = xcalloc(m->count, sizeof(*v)), *e;
	size_t n = 0, i, kept = 0;

	for (e = m->head; e; e = e->next)
		v[n++] = e;
	if (column < 0 || column > m->type.nkeys)
		column = c.column = 0;
	if (dir != 0 && n > 1) {
		/* The runtime gets the foreach limit; 0 or > 30 sorts fully. */
		if (limit >= 1 && limit <= 30 && !filter) {
			partial_sort(&c, v, n, (int)limit);
		} else {
			struct st_map_entry **tmp = xcalloc(n, sizeof(*tmp));

			merge_sort(&c, v, tmp, n);
			free(tmp);
		}
		relink(m, v, n);
	}
	for (i = 0; i < n; i++) {
		if (limit >= 0 && kept >= (size_t)limit)
			break;
		if (filter && !filter_match(m, v[i], filter, filter_mask))
			continue;
		v[kept++] = v[i];
	}
	*out = v;
	return (uint32_t)kept;
}
