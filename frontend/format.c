/* format.c - printf format strings, parsed in pass 1 the way stap's
 * print_format::string_to_components does it.
 *
 * stap's grammar is narrower than C's, and that is kept:
 *   - at most ONE flag character: "%-08d" is flag '-' and width 8 (the '0'
 *     is a digit of the width), "%+-d" is an invalid conversion;
 *   - an optional single 'l', ignored; "ll", "h", "z", ... are invalid;
 *   - "%%" and a lone '%' at the very end are a literal '%';
 *   - a format that stops inside a conversion after a flag, width or
 *     precision is "trailing incomplete print format conversion", while a
 *     bare "%." or "%l" at the end vanishes (nothing was recorded yet).
 * The specs are stored as the runtime receives them from stap's translator
 * (components_to_string): a width or precision of 0 is dropped.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/format.h"

#define FMT_MAX_FIELD 8192   /* stap clamps widths to its print buffer (STP_BUFFER_SIZE) */

struct fmt_builder {
	struct st_fmt *f;
	uint32_t spec_cap, arg_cap;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("staplet: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void push_spec(struct fmt_builder *b, const struct st_fmt_spec *s)
{
	struct st_fmt *f = b->f;

	if (f->nspec == b->spec_cap) {
		b->spec_cap = b->spec_cap ? 2 * b->spec_cap : 8;
		f->spec = xrealloc(f->spec, b->spec_cap * sizeof(*f->spec));
	}
	f->spec[f->nspec++] = *s;
}

static void push_arg(struct fmt_builder *b, enum st_type t)
{
	struct st_fmt *f = b->f;

	if (f->nargs == b->arg_cap) {
		b->arg_cap = b->arg_cap ? 2 * b->arg_cap : 8;
		f->argtype = xrealloc(f->argtype, b->arg_cap * sizeof(*f->argtype));
	}
	f->argtype[f->nargs++] = t;
}

/* Literal text [from, to) of f->text; adjacent pieces stay separate specs so
 * every piece points into the unmodified copy of the format. */
static void push_literal(struct fmt_builder *b, size_t from, size_t to)
{
	struct st_fmt_spec s = { .conv = ST_FMT_LITERAL, .width = ST_FMT_NONE,
				 .precision = ST_FMT_NONE };

	if (to <= from)
		return;
	s.lit = b->f->text + from;
	s.litlen = to - from;
	push_spec(b, &s);
}

static int flag_of(char c)
{
	switch (c) {
	case '-': return ST_FMT_F_LEFT;
	case '+': return ST_FMT_F_PLUS;
	case ' ': return ST_FMT_F_SPACE;
	case '#': return ST_FMT_F_ALT;
	case '0': return ST_FMT_F_ZERO;
	default: return 0;
	}
}

static int conv_of(char c, enum st_fmt_conv *conv)
{
	switch (c) {
	case 'd': case 'i': *conv = ST_FMT_SIGNED; break;
	case 'u': *conv = ST_FMT_UNSIGNED; break;
	case 'o': *conv = ST_FMT_OCTAL; break;
	case 'x': *conv = ST_FMT_HEX; break;
	case 'X': *conv = ST_FMT_HEX_UPPER; break;
	case 'p': *conv = ST_FMT_POINTER; break;
	case 'c': *conv = ST_FMT_CHAR; break;
	case 's': *conv = ST_FMT_STRING; break;
	case 'b': *conv = ST_FMT_BINARY; break;
	case 'm': *conv = ST_FMT_MEMORY; break;
	case 'M': *conv = ST_FMT_MEMORY_HEX; break;
	default: return -1;
	}
	return 0;
}

/* Digits as stap reads them (into an int); huge values are capped, since
 * the runtime clamps to its buffer size anyway. */
static int32_t read_number(const char *t, size_t len, size_t *i)
{
	int64_t v = 0;

	while (*i < len && t[*i] >= '0' && t[*i] <= '9') {
		if (v < FMT_MAX_FIELD * 10)
			v = v * 10 + (t[*i] - '0');
		(*i)++;
	}
	return v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

static int fail(struct st_fmt *out, char **err, size_t *errpos, const char *msg, size_t pos)
{
	st_fmt_free(out);
	if (err)
		*err = strdup(msg);
	if (errpos)
		*errpos = pos;
	return -1;
}

int st_fmt_parse(const char *fmt, size_t len, struct st_fmt *out, char **err, size_t *errpos)
{
	static const char incomplete[] = "trailing incomplete print format conversion";
	struct fmt_builder b = { out, 0, 0 };
	const char *t;
	size_t i = 0, lit = 0;

	memset(out, 0, sizeof(*out));
	out->text = xrealloc(NULL, len + 1);
	memcpy(out->text, fmt, len);
	out->text[len] = '\0';
	t = out->text;

	while (i < len) {
		struct st_fmt_spec s = { .width = ST_FMT_NONE, .precision = ST_FMT_NONE };
		bool started = false;   /* a flag, width or precision was seen */
		size_t start;
		int flag;

		if (t[i] != '%') {
			i++;
			continue;
		}
		if (i + 1 == len || t[i + 1] == '%') {
			/* keep the first '%' in the literal, skip the second */
			push_literal(&b, lit, i + 1);
			i += 2;
			lit = i;
			continue;
		}
		push_literal(&b, lit, i);
		start = i++;
		flag = flag_of(t[i]);
		if (flag) {
			s.flags = flag;
			started = true;
			i++;
		}
		if (i == len)
			goto trailing;
		if (t[i] == '*') {
			s.width = ST_FMT_STAR;
			push_arg(&b, ST_T_LONG);
			started = true;
			i++;
		} else if (t[i] >= '0' && t[i] <= '9') {
			int32_t w = read_number(t, len, &i);

			s.width = w > 0 ? w : ST_FMT_NONE;
			started = true;
		}
		if (i == len)
			goto trailing;
		if (t[i] == '.') {
			if (++i == len)
				goto trailing;
			if (t[i] == '*') {
				s.precision = ST_FMT_STAR;
				push_arg(&b, ST_T_LONG);
				started = true;
				i++;
			} else if (t[i] >= '0' && t[i] <= '9') {
				int32_t p = read_number(t, len, &i);

				s.precision = p > 0 ? p : ST_FMT_NONE;
				started = true;
			}
		}
		if (i == len)
			goto trailing;
		if (t[i] == 'l' && ++i == len)
			goto trailing;
		if (conv_of(t[i], &s.conv) < 0)
			return fail(out, err, errpos, "invalid or missing conversion specifier", i);
		if (s.conv == ST_FMT_POINTER)
			s.flags |= ST_FMT_F_ALT;   /* since stap 1.3, %p is %#x */
		push_arg(&b, s.conv == ST_FMT_STRING ? ST_T_STRING : ST_T_LONG);
		push_spec(&b, &s);
		lit = ++i;
		continue;
trailing:
		if (started)
			return fail(out, err, errpos, incomplete, start);
		lit = len;   /* "%." or "%l" at the end: nothing to print */
		break;
	}
	push_literal(&b, lit, len);
	return 0;
}

void st_fmt_free(struct st_fmt *f)
{
	free(f->text);
	free(f->spec);
	free(f->argtype);
	memset(f, 0, sizeof(*f));
}
