/* bytes.c - bounds-checked reading and buffered writing for the backends. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/bytes.h"

const uint8_t *st_rd_take(struct st_rd *r, size_t n)
{
	const uint8_t *p;

	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

uint64_t st_rd_uint(struct st_rd *r, size_t n)
{
	const uint8_t *p = st_rd_take(r, n);
	uint64_t v = 0;

	if (p && n <= sizeof(v))
		memcpy(&v, p, n);
	return v;
}

const char *st_rd_str(struct st_rd *r)
{
	const uint8_t *start = r->p + r->off, *nul;

	if (r->bad || r->off >= r->len || !(nul = memchr(start, 0, r->len - r->off))) {
		r->bad = true;
		return NULL;
	}
	r->off += (size_t)(nul - start) + 1;
	return (const char *)start;
}

bool st_rd_expect(struct st_rd *r, const void *s, size_t n)
{
	const uint8_t *p = st_rd_take(r, n);

	return p && !memcmp(p, s, n);
}

int st_wbuf_put(struct st_wbuf *b, const void *p, size_t n)
{
	if (b->oom)
		return -ENOMEM;
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *np;

		while (cap - b->len < n)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return -ENOMEM;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

int st_wbuf_str(struct st_wbuf *b, const char *s)
{
	return st_wbuf_put(b, s, strlen(s) + 1);
}

void st_wbuf_free(struct st_wbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int st_write_at(int fd, const void *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p = (const uint8_t *)p + w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}
