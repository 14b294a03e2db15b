/* base_types.h - the language's shared vocabulary, the bottom floor every
 * layer may name: value types and values, run-time limits, aggregate
 * shapes (stat extractors, histogram kinds) and array kinds.
 *
 * A long is int64_t.  A string is a NUL-terminated byte string of at most
 * st_limits.maxstringlen bytes (MAXSTRINGLEN).
 */
#ifndef ST_FRONTEND_BASE_TYPES_H
#define ST_FRONTEND_BASE_TYPES_H

#include <stddef.h>
#include <stdint.h>

enum st_type {
	ST_T_UNKNOWN = 0,
	ST_T_LONG,
	ST_T_STRING,
	ST_T_STATS,     /* statistics aggregate: only as a global or array value */
	ST_T_VOID,      /* function without a value */
};

/* "long", "string", "stats", "void" or "unknown", as stap names them. */
const char *st_type_name(enum st_type t);

typedef union st_value {
	int64_t n;
	const char *s;  /* never NULL for a string value: "" when empty */
} st_value;

/* Run-time limits (stap's -D macros). */
struct st_limits {
	uint32_t maxstringlen;   /* MAXSTRINGLEN, default 512 */
	uint32_t maxmapentries;  /* MAXMAPENTRIES, default 2048 */
	uint32_t maxaction;      /* MAXACTION, default 1000 */
	uint32_t maxnesting;     /* MAXNESTING, default 10 */
	uint32_t maxerrors;      /* MAXERRORS, default 0 */
	int32_t hist_elision;    /* HIST_ELISION, default 2 */
	uint32_t maxaction_int;  /* MAXACTION_INTERRUPTIBLE; 0: 10 * MAXACTION */
	uint32_t interruptible;  /* INTERRUPTIBLE, default 1 */
};

void st_limits_default(struct st_limits *l);

/* ---- aggregates (`x <<< v`): the shape is fixed per variable when the
 * script is compiled (stap requires every @hist_linear use of a variable to
 * agree); runtime/stats.h keeps the values ---- */

enum st_hist_kind { ST_HIST_NONE = 0, ST_HIST_LOG, ST_HIST_LINEAR };

#define ST_HIST_LOG_BUCKETS 128

/* Shared by every aggregate of one variable (a global or an array's values). */
struct st_stat_shape {
	enum st_hist_kind hist;
	int64_t lo, hi, width;    /* @hist_linear(v, lo, hi, width) */
	uint32_t nbuckets;        /* derived by st_stat_shape_init */
	int variance_shift;       /* @variance(v, shift); 0 by default */
};

/* Fill nbuckets from hist/lo/hi/width.  Linear: (hi-lo)/width + 3 buckets
 * (under, N+1 regular, over) as stap lays them out; log: 128. */
void st_stat_shape_init(struct st_stat_shape *shape);

enum st_stat_op { ST_AGG_COUNT, ST_AGG_SUM, ST_AGG_MIN, ST_AGG_MAX, ST_AGG_AVG, ST_AGG_VARIANCE };

/* ---- associative arrays: 1 to 9 key columns of long or string; a long,
 * string or statistics value (runtime/map.h holds them) ---- */

#define ST_MAP_MAXKEYS 9

struct st_map_type {
	uint8_t nkeys;
	enum st_type key[ST_MAP_MAXKEYS];   /* ST_T_LONG or ST_T_STRING */
	enum st_type value;                 /* ST_T_LONG, ST_T_STRING or ST_T_STATS */
	struct st_stat_shape shape;         /* for ST_T_STATS values */
};

#endif
