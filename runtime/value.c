/* value.c - run-time limits and the handler string arena. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/value.h"

/* One overflow chunk: allocated when the main buffer is full, freed on the
 * next reset.  The main buffer grows to the high-water mark at reset, so a
 * steady workload stops allocating after its first handlers. */
struct st_arena_chunk {
	struct st_arena_chunk *next;
	size_t size;
	char data[];
};

void st_limits_default(struct st_limits *l)
{
	l->maxstringlen = 512;
	l->maxmapentries = 2048;
	l->maxaction = 1000;
	l->interruptible = 1;
	l->maxnesting = 10;
	l->maxerrors = 0;
	l->hist_elision = 2;
}

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

static size_t arena_free_chunks(struct st_arena *a)
{
	size_t total = 0;

	while (a->more) {
		struct st_arena_chunk *c = a->more;

		a->more = c->next;
		total += c->size;
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

	/* The last handler needed more than the buffer: grow the buffer so
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
	struct st_arena_chunk *c;
	size_t need = (n + 7) & ~(size_t)7;

	if (need < n)
		abort();
	if (a->cap - a->used >= need) {
		char *p = a->buf + a->used;

		a->used += need;
		return p;
	}
	c = xmalloc(sizeof(*c) + need);
	c->size = need;
	c->next = a->more;
	a->more = c;
	return c->data;
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
