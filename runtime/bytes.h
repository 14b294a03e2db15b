/* bytes.h - the backends' file toolkit: a bounds-checked reader over a
 * mapped recording and a growing write buffer for the records and sections
 * a recorder lays out.  Little-endian host and file, as both formats are
 * read and written only on the machine's own byte order.
 */
#ifndef ST_RUNTIME_BYTES_H
#define ST_RUNTIME_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads past the end set `bad` and yield zeros/NULL: check once at the end. */
struct st_rd {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

/* The next n bytes, or NULL (and bad) when fewer remain. */
const uint8_t *st_rd_take(struct st_rd *r, size_t n);
/* An n-byte (1..8) unsigned little-endian number; 0 past the end. */
uint64_t st_rd_uint(struct st_rd *r, size_t n);
static inline uint32_t st_rd_u32(struct st_rd *r) { return (uint32_t)st_rd_uint(r, 4); }
static inline uint64_t st_rd_u64(struct st_rd *r) { return st_rd_uint(r, 8); }
/* A NUL-terminated string in place, or NULL (and bad) when unterminated. */
const char *st_rd_str(struct st_rd *r);
/* Whether the next n bytes are s (consumed either way). */
bool st_rd_expect(struct st_rd *r, const void *s, size_t n);

/* A write buffer; after a failed allocation `oom` stays set and every put
 * fails, so a writer checks once. */
struct st_wbuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

/* 0, or -ENOMEM. */
int st_wbuf_put(struct st_wbuf *b, const void *p, size_t n);
static inline int st_wbuf_u16(struct st_wbuf *b, uint16_t v) { return st_wbuf_put(b, &v, 2); }
static inline int st_wbuf_u32(struct st_wbuf *b, uint32_t v) { return st_wbuf_put(b, &v, 4); }
static inline int st_wbuf_u64(struct st_wbuf *b, uint64_t v) { return st_wbuf_put(b, &v, 8); }
/* s with its NUL. */
int st_wbuf_str(struct st_wbuf *b, const char *s);
void st_wbuf_free(struct st_wbuf *b);

/* All of p[0..n) at file offset off, through EINTR and short writes:
 * 0 or -errno. */
int st_write_at(int fd, const void *p, size_t n, uint64_t off);

#endif
