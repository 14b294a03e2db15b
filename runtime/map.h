/* map.h - associative arrays: 1 to 9 key columns of long or string; a long,
 * string or statistics value.
 *
 * Lookup is hashed; entries also sit on an insertion-ordered list, which is
 * the order of an unsorted foreach (as in stap's runtime).  Capacity is the
 * declared size (global a[N]) or MAXMAPENTRIES; inserting into a full array
 * fails, unless the array wraps (global a%), in which case the oldest entry is
 * evicted.  The map owns copies of its string keys and values.
 */
#ifndef ST_RUNTIME_MAP_H
#define ST_RUNTIME_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include "runtime/value.h"
#include "runtime/stats.h"

struct st_map_entry {
	struct st_map_entry *hnext;           /* hash chain */
	struct st_map_entry *prev, *next;     /* insertion order */
	uint64_t hash;
	uint64_t cpus;                        /* stats maps: the CPUs that added it (bit cpu % 64) */
	union {
		int64_t n;
		char *s;                      /* owned; "" stored as an empty allocation */
		struct st_stat stat;
	} val;
	st_value key[];                       /* nkeys; string keys are owned copies */
};

struct st_map;

/* capacity 0 means "use limits->maxmapentries". */
struct st_map *st_map_new(const struct st_map_type *type, uint32_t capacity, bool wrap,
			  const struct st_limits *limits);
void st_map_free(struct st_map *m);
const struct st_map_type *st_map_type(const struct st_map *m);
uint32_t st_map_size(const struct st_map *m);
/* The capacity in force (declared size or MAXMAPENTRIES). */
uint32_t st_map_capacity(const struct st_map *m);

/* NULL when absent; never inserts. */
struct st_map_entry *st_map_find(struct st_map *m, const st_value *key);
/* Find or insert (value zeroed / "" / empty stats).  NULL when the map is full
 * and does not wrap: the caller raises stap's "Array overflow" error. */
struct st_map_entry *st_map_get(struct st_map *m, const st_value *key);
/* For `a[k] <<< v` on CPU cpu: a statistics array holds its capacity per
 * CPU, as stap's per-CPU maps do (their union, read by foreach and the
 * extractors, may be larger), so NULL only when cpu's share is full.  Other
 * arrays, wrapping ones and cpu < 0: st_map_get(). */
struct st_map_entry *st_map_get_on(struct st_map *m, const st_value *key, int cpu);
/* Store a string value (copied, truncated to maxstringlen). */
void st_map_entry_set_string(struct st_map *m, struct st_map_entry *e, const char *s);
bool st_map_delete(struct st_map *m, const st_value *key);
void st_map_clear(struct st_map *m);

/* Insertion-ordered walk. */
struct st_map_entry *st_map_first(const struct st_map *m);
static inline struct st_map_entry *st_map_next(const struct st_map_entry *e) { return e->next; }

/* Sort for foreach.  column: 0 = by value (for stats values, by `agg`),
 * 1..nkeys = by that key column.  dir: +1 ascending, -1 descending, 0 =
 * insertion order.  Ties keep insertion order (stable).  limit < 0 means all.
 * Fills *out with a malloc'd array of entry pointers (caller frees) and
 * returns the count.  Wildcard filter: when filter is non-NULL, filter_mask
 * bit i set means key column i must equal filter[i]. */
uint32_t st_map_sorted(struct st_map *m, int column, int dir, enum st_stat_op agg, int64_t limit,
		       const st_value *filter, uint32_t filter_mask, struct st_map_entry ***out);

#endif
