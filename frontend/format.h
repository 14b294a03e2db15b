/* format.h - printf format strings, parsed in pass 1 as stap does.
 *
 * `%[flags][width][.precision][l]conv` with flags - + space # 0, width and
 * precision N or *, a single ignored `l`, and the conversions
 * d i u o x X p c s b m M %.  Anything else is the pass-1 error
 * "invalid or missing conversion specifier".
 */
#ifndef ST_FRONTEND_FORMAT_H
#define ST_FRONTEND_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include "frontend/base_types.h"

enum st_fmt_conv {
	ST_FMT_LITERAL,      /* lit[0..litlen) copied as is ("%%" becomes a literal "%") */
	ST_FMT_SIGNED,       /* d i */
	ST_FMT_UNSIGNED,     /* u */
	ST_FMT_OCTAL,        /* o */
	ST_FMT_HEX,          /* x */
	ST_FMT_HEX_UPPER,    /* X */
	ST_FMT_POINTER,      /* p */
	ST_FMT_CHAR,         /* c */
	ST_FMT_STRING,       /* s */
	ST_FMT_BINARY,       /* b */
	ST_FMT_MEMORY,       /* m */
	ST_FMT_MEMORY_HEX,   /* M */
};

enum {
	ST_FMT_F_LEFT = 1,   /* - */
	ST_FMT_F_PLUS = 2,   /* + */
	ST_FMT_F_SPACE = 4,  /* ' ' */
	ST_FMT_F_ALT = 8,    /* # */
	ST_FMT_F_ZERO = 16,  /* 0 */
};

#define ST_FMT_NONE (-1)   /* no width / precision given */
#define ST_FMT_STAR (-2)   /* taken from a long argument */

struct st_fmt_spec {
	enum st_fmt_conv conv;
	uint8_t flags;
	int32_t width, precision;
	const char *lit;         /* ST_FMT_LITERAL: points into the format's own copy */
	size_t litlen;
};

struct st_fmt {
	char *text;                  /* owned copy of the format */
	struct st_fmt_spec *spec;
	uint32_t nspec;
	uint32_t nargs;              /* values consumed, `*` arguments included */
	enum st_type *argtype;       /* nargs entries: the type each argument must have */
};

/* 0 on success; on error -1 with *err set to a malloc'd message (stap's text)
 * and *errpos to the byte offset in fmt where it was found. */
int st_fmt_parse(const char *fmt, size_t len, struct st_fmt *out, char **err, size_t *errpos);
void st_fmt_free(struct st_fmt *f);

#endif
