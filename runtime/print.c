/* print.c - output buffers and printf as stap's runtime prints it
 * (runtime/vsprintf.c _stp_vsnprintf, number() and the %s/%m/%M/%b/%c
 * helpers), which is the kernel's old vsprintf rather than glibc's:
 *   - '#' with x/X prints 0x/0X even for 0, with o a leading 0 even for 0;
 *   - the 0 flag pads with zeros even when a precision is given;
 *   - %p is %#x of the full 64-bit value, no fixed width;
 *   - %#c escapes unprintable characters C-style or as \ooo;
 *   - %0s appends a NUL byte after the field;
 *   - a '*' width or precision is the low 32 bits of its argument; a
 *     negative width left-justifies, a negative precision is 0;
 *   - widths and precisions are clamped to the 8192-byte print buffer
 *     (STP_BUFFER_SIZE), and one printf produces at most that much.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/print.h"

#define PRINT_BUFFER_SIZE 8192   /* stap's STP_BUFFER_SIZE */

/* ---- the buffer ------------------------------------------------------------ */

void st_buf_init(struct st_buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
}

void st_buf_free(struct st_buf *b)
{
	free(b->p);
	st_buf_init(b);
}

void st_buf_reset(struct st_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* Room for n more bytes plus a NUL, so b->p is always a C string too. */
static void buf_reserve(struct st_buf *b, size_t n)
{
	size_t want = b->len + n + 1, cap = b->cap ? b->cap : 64;

	if (want <= b->cap)
		return;
	while (cap < want)
		cap *= 2;
	b->p = realloc(b->p, cap);
	if (!b->p) {
		fputs("staplet: out of memory\n", stderr);
		abort();
	}
	b->cap = cap;
}

void st_buf_append(struct st_buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void st_buf_puts(struct st_buf *b, const char *s)
{
	st_buf_append(b, s, strlen(s));
}

static void buf_putc(struct st_buf *b, char c)
{
	buf_reserve(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

static void buf_fill(struct st_buf *b, char c, int n)
{
	if (n <= 0)
		return;
	buf_reserve(b, (size_t)n);
	memset(b->p + b->len, c, (size_t)n);
	b->len += (size_t)n;
	b->p[b->len] = '\0';
}

void st_buf_long(struct st_buf *b, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)v);

	st_buf_append(b, tmp, (size_t)n);
}

/* ---- conversions ------------------------------------------------------------ */

/* The runtime's flags: the format's own, plus the ones a conversion implies. */
enum {
	F_LEFT = ST_FMT_F_LEFT, F_PLUS = ST_FMT_F_PLUS, F_SPACE = ST_FMT_F_SPACE,
	F_SPECIAL = ST_FMT_F_ALT, F_ZERO = ST_FMT_F_ZERO,
	F_SIGN = 32, F_LARGE = 64,
};

/* The kernel-style number(): sign, 0/0x prefix, zero or space padding,
 * precision as a minimum digit count. */
static void put_number(struct st_buf *b, uint64_t num, int base, int size, int precision, int flags)
{
	const char *digits = (flags & F_LARGE) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[66], sign = 0, pad;
	int i = 0;

	if (flags & F_LEFT)
		flags &= ~F_ZERO;
	pad = (flags & F_ZERO) ? '0' : ' ';
	if (flags & F_SIGN) {
		if ((int64_t)num < 0) {
			sign = '-';
			num = 0 - num;
			size--;
		} else if (flags & F_PLUS) {
			sign = '+';
			size--;
		} else if (flags & F_SPACE) {
			sign = ' ';
			size--;
		}
	}
	if (flags & F_SPECIAL)
		size -= base == 16 ? 2 : base == 8 ? 1 : 0;
	if (num == 0)
		tmp[i++] = '0';
	while (num) {
		tmp[i++] = digits[num % (unsigned)base];
		num /= (unsigned)base;
	}
	if (i > precision)
		precision = i;
	size -= precision;
	if (!(flags & (F_ZERO | F_LEFT))) {
		buf_fill(b, ' ', size);
		size = 0;   /* the padding is done; the later fills add nothing */
	}
	if (sign)
		buf_putc(b, sign);
	if ((flags & F_SPECIAL) && base == 8)
		buf_putc(b, '0');
	if ((flags & F_SPECIAL) && base == 16) {
		buf_putc(b, '0');
		buf_putc(b, (flags & F_LARGE) ? 'X' : 'x');
	}
	if (!(flags & F_LEFT))
		buf_fill(b, pad, size);
	buf_fill(b, '0', precision - i);
	while (i > 0)
		buf_putc(b, tmp[--i]);
	if (flags & F_LEFT)
		buf_fill(b, ' ', size);
}

/* %c; with '#', characters that are not printable ASCII, and ' and \, are
 * written as C escapes or three octal digits. */
static void put_char(struct st_buf *b, unsigned char c, int width, int flags)
{
	static const char esc_from[] = "\a\b\f\n\r\t\v'\\";
	static const char esc_to[] = "abfnrtv'\\";
	char out[4];
	int n = 1;

	out[0] = (char)c;
	if ((flags & F_SPECIAL) && (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\')) {
		const char *e = c ? memchr(esc_from, c, sizeof(esc_from) - 1) : NULL;

		out[0] = '\\';
		if (e) {
			out[1] = esc_to[e - esc_from];
			n = 2;
		} else {
			out[1] = (char)('0' + ((c >> 6) & 3));
			out[2] = (char)('0' + ((c >> 3) & 7));
			out[3] = (char)('0' + (c & 7));
			n = 4;
		}
	}
	if (!(flags & F_LEFT))
		buf_fill(b, ' ', width - n);
	st_buf_append(b, out, (size_t)n);
	if (flags & F_LEFT)
		buf_fill(b, ' ', width - n);
}

static void put_string(struct st_buf *b, const char *s, int width, int precision, int flags)
{
	size_t max = precision < 0 ? PRINT_BUFFER_SIZE : (size_t)precision;
	int len;

	assert(s);   /* a string value is never NULL (value.h): "" when unset */
	len = (int)strnlen(s, max);

	if (!(flags & F_LEFT))
		buf_fill(b, ' ', width - len);
	st_buf_append(b, s, (size_t)len);
	if (flags & F_LEFT)
		buf_fill(b, ' ', width - len);
	if (flags & F_ZERO)
		buf_putc(b, '\0');   /* sic: stap's %0s writes a NUL */
}

/* %m raw bytes, %M two lowercase hex digits per byte; precision is the byte
 * count (default 1).  A failed read drops the whole printf, as stap does. */
static int put_memory(struct st_buf *b, uint64_t addr, bool hex, int width, int precision,
		      int flags, st_mem_reader mem, void *ctx)
{
	static const char hexd[] = "0123456789abcdef";
	int len = precision > 0 ? precision : 1, shown = hex ? 2 * len : len, i;
	unsigned char *bytes;

	if (!mem)
		return -1;
	bytes = malloc((size_t)len);
	if (!bytes)
		abort();
	if (mem(ctx, addr, bytes, (size_t)len) != 0) {
		free(bytes);
		return -1;
	}
	if (!(flags & F_LEFT))
		buf_fill(b, ' ', width - shown);
	for (i = 0; i < len; i++) {
		if (hex) {
			buf_putc(b, hexd[bytes[i] >> 4]);
			buf_putc(b, hexd[bytes[i] & 15]);
		} else
			buf_putc(b, (char)bytes[i]);
	}
	if (flags & F_LEFT)
		buf_fill(b, ' ', width - shown);
	free(bytes);
	if (flags & F_ZERO)
		buf_putc(b, '\0');
	return 0;
}

static int binary_size(int n)
{
	return n == 1 || n == 2 || n == 4 || n == 8 ? n : -1;
}

/* %b: the value's low `precision` bytes in native order, NUL-padded to the
 * width.  Width and precision default to each other, both to 8. */
static void put_binary(struct st_buf *b, int64_t num, int width, int precision, int flags)
{
	union { int64_t v; int32_t v4; int16_t v2; int8_t v1; char c[8]; } u;

	precision = binary_size(precision);
	if (width < 0) {
		if (precision < 0)
			precision = 8;
		width = precision;
	} else if (precision < 0) {
		precision = binary_size(width);
		if (precision < 0)
			precision = 8;
	}
	if (!(flags & F_LEFT))
		buf_fill(b, '\0', width - precision);
	switch (precision) {
	case 1: u.v1 = (int8_t)num; break;
	case 2: u.v2 = (int16_t)num; break;
	case 4: u.v4 = (int32_t)num; break;
	default: u.v = num; break;
	}
	st_buf_append(b, u.c, (size_t)precision);
	if (flags & F_LEFT)
		buf_fill(b, '\0', width - precision);
}

static int clamp_field(int64_t v)
{
	return v < 0 ? 0 : v > PRINT_BUFFER_SIZE ? PRINT_BUFFER_SIZE : (int)v;
}

int st_buf_format(struct st_buf *b, const struct st_fmt *fmt, const st_value *args,
		  st_mem_reader mem, void *mem_ctx)
{
	size_t start = b->len;
	uint32_t i, k = 0;

	for (i = 0; i < fmt->nspec; i++) {
		const struct st_fmt_spec *s = &fmt->spec[i];
		int flags = s->flags, width = -1, precision = -1, base = 10;
		int64_t v;

		if (s->conv == ST_FMT_LITERAL) {
			st_buf_append(b, s->lit, s->litlen);
			continue;
		}
		if (s->width == ST_FMT_STAR) {
			/* the runtime reads a `long long` argument as int */
			int64_t w = (int32_t)(uint32_t)args[k++].n;

			if (w < 0) {
				w = -w;
				flags |= F_LEFT;
			}
			width = clamp_field(w);
		} else if (s->width != ST_FMT_NONE)
			width = clamp_field(s->width);
		if (s->precision == ST_FMT_STAR)
			precision = clamp_field((int32_t)(uint32_t)args[k++].n);
		else if (s->precision != ST_FMT_NONE)
			precision = clamp_field(s->precision);

		switch (s->conv) {
		case ST_FMT_STRING:
			put_string(b, args[k++].s, width, precision, flags);
			continue;
		case ST_FMT_CHAR:
			put_char(b, (unsigned char)args[k++].n, width, flags);
			continue;
		case ST_FMT_BINARY:
			put_binary(b, args[k++].n, width, precision, flags);
			continue;
		case ST_FMT_MEMORY:
		case ST_FMT_MEMORY_HEX:
			if (put_memory(b, (uint64_t)args[k++].n, s->conv == ST_FMT_MEMORY_HEX,
				       width, precision, flags, mem, mem_ctx) < 0) {
				b->len = start;
				if (b->p)
					b->p[start] = '\0';
				return -1;
			}
			continue;
		case ST_FMT_SIGNED:
			flags |= F_SIGN;
			break;
		case ST_FMT_UNSIGNED:
			break;
		case ST_FMT_OCTAL:
			base = 8;
			break;
		case ST_FMT_HEX_UPPER:
			flags |= F_LARGE;
			base = 16;
			break;
		case ST_FMT_HEX:
			base = 16;
			break;
		case ST_FMT_POINTER:
			flags |= F_SPECIAL;
			base = 16;
			break;
		default:
			continue;
		}
		v = args[k++].n;
		put_number(b, (uint64_t)v, base, width, precision, flags);
	}
	/* one printf fills at most one print buffer */
	if (b->len - start > PRINT_BUFFER_SIZE) {
		b->len = start + PRINT_BUFFER_SIZE;
		b->p[b->len] = '\0';
	}
	return 0;
}
