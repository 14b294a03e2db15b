/* base_arena.c - the bump allocator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/base_arena.h"

/* An overflow chunk: allocated when the main buffer is full (at least the
 * buffer's size, so many small allocations share one), freed on the next
 * reset.  The main buffer grows to the high-water mark at reset, so a steady
 * workload stops allocating after its first handlers. */
struct st_arena_chunk {
	struct st_arena_chunk *next;
	size_t size, used;
	char data[];
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fputs("staplet: out of memory\n", stderr);
		abort();
	}
	return p;
}

void st_arena_init(struct st_arena *a, size_t cap)
{
	a->cap = cap ? cap : 4096;
	a->buf = xmalloc(a->cap);
	a->used = 0;
	a->more = NULL;
}

/* Free the chunks; returns the bytes they handed out. */
static size_t arena_free_chunks(struct st_arena *a)
{
	size_t total = 0;

	while (a->more) {
		struct st_arena_chunk *c = a->more;

		a->more = c->next;
		total += c->used;
		free(c);
	}
	return total;
}

void st_arena_free(struct st_arena *a)
{
	arena_free_chunks(a);
	free(a->buf);
	a->buf = NULL;
	a->used = a->cap = 0;
}

void st_arena_reset(struct st_arena *a)
{
	size_t spilled = arena_free_chunks(a);

	/* The last round needed more than the buffer: grow the buffer so
	 * the next one like it stays in a single allocation. */
	if (spilled) {
		size_t want = a->cap + spilled;

		free(a->buf);
		a->buf = xmalloc(want);
		a->cap = want;
	}
	a->used = 0;
}

char *st_arena_alloc(struct st_arena *a, size_t n)
{
	struct st_arena_chunk *c = a->more;
	size_t need = (n + 7) & ~(size_t)7, size;

	if (need < n)
		abort();
	if (a->cap - a->used >= need) {
		char *p = a->buf + a->used;

		a->used += need;
		return p;
	}
	if (!c || c->size - c->used < need) {
		size = need > a->cap ? need : a->cap;
		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = a->more;
		a->more = c;
	}
	c->used += need;
	return c->data + c->used - need;
}

void *st_arena_zalloc(struct st_arena *a, size_t n)
{
	char *p = st_arena_alloc(a, n);

	memset(p, 0, n);
	return p;
}

const char *st_arena_strndup(struct st_arena *a, const char *s, size_t len, size_t maxlen)
{
	char *p;

	if (len > maxlen)
		len = maxlen;
	p = st_arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}
