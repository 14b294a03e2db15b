/* value.h - the two scalar kinds of the script language and the string arena.
 *
 * A long is int64_t.  A string is a NUL-terminated byte string of at most
 * st_limits.maxstringlen bytes (MAXSTRINGLEN).  Strings produced while a
 * handler runs live in a scratch arena that is reset after each handler;
 * anything that outlives the handler (array keys and values, global scalars)
 * is copied by its owner.
 */
#ifndef ST_RUNTIME_VALUE_H
#define ST_RUNTIME_VALUE_H

#include <stddef.h>
#include <stdint.h>

enum st_type {
	ST_T_UNKNOWN = 0,
	ST_T_LONG,
	ST_T_STRING,
	ST_T_STATS,     /* statistics aggregate: only as a global or array value */
	ST_T_VOID,      /* function without a value */
};

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

/* A bump allocator for handler-lifetime strings. */
struct st_arena {
	char *buf;
	size_t used, cap;
	struct st_arena_chunk *more;   /* overflow chunks, freed on reset */
};

void st_arena_init(struct st_arena *a, size_t cap);
void st_arena_free(struct st_arena *a);
void st_arena_reset(struct st_arena *a);
/* Room for n bytes; never fails (aborts on out-of-memory). */
char *st_arena_alloc(struct st_arena *a, size_t n);
/* Copy of s[0..len) truncated to maxlen bytes, NUL-terminated. */
const char *st_arena_strndup(struct st_arena *a, const char *s, size_t len, size_t maxlen);

#endif
