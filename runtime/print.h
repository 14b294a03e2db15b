/* print.h - formatting values as stap prints them: printf conversions,
 * print/println/printd, and the output sink. */
#ifndef ST_RUNTIME_PRINT_H
#define ST_RUNTIME_PRINT_H

#include <stddef.h>
#include <stdio.h>
#include "frontend/format.h"
#include "runtime/value.h"

/* A growable byte buffer. */
struct st_buf {
	char *p;
	size_t len, cap;
};

void st_buf_init(struct st_buf *b);
void st_buf_free(struct st_buf *b);
void st_buf_reset(struct st_buf *b);
void st_buf_append(struct st_buf *b, const char *s, size_t n);
void st_buf_puts(struct st_buf *b, const char *s);
void st_buf_long(struct st_buf *b, int64_t v);      /* decimal, as print() does */

/* Append fmt applied to args (fmt->nargs values, typed per fmt->argtype).
 * Memory conversions (%m %M) read from the given address space reader, which
 * may be NULL (then they print as if the memory were unreadable and return -1
 * so the caller can raise stap's error). */
typedef int (*st_mem_reader)(void *ctx, uint64_t addr, void *dst, size_t n);
int st_buf_format(struct st_buf *b, const struct st_fmt *fmt, const st_value *args,
		  st_mem_reader mem, void *mem_ctx);

#endif
