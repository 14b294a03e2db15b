/* base_arena.h - the one bump allocator: a handler's scratch strings (reset
 * after each handler), the frontend's nodes and the plan's names (freed
 * whole).  Nothing is freed alone.
 */
#ifndef ST_FRONTEND_BASE_ARENA_H
#define ST_FRONTEND_BASE_ARENA_H

#include <stddef.h>

struct st_arena {
	char *buf;
	size_t used, cap;
	struct st_arena_chunk *more;   /* overflow chunks, newest first, freed on reset */
};

void st_arena_init(struct st_arena *a, size_t cap);
void st_arena_free(struct st_arena *a);
/* Forget every allocation; the buffer grows to what the last round used. */
void st_arena_reset(struct st_arena *a);
/* Room for n bytes, 8-aligned; never fails (aborts on out-of-memory). */
char *st_arena_alloc(struct st_arena *a, size_t n);
/* The same, zeroed. */
void *st_arena_zalloc(struct st_arena *a, size_t n);
/* Copy of s[0..len) truncated to maxlen bytes, NUL-terminated. */
const char *st_arena_strndup(struct st_arena *a, const char *s, size_t len, size_t maxlen);

#endif
