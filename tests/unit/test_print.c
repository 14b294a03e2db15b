/* test_print.c - printf output, checked against the rules of stap's
 * runtime/vsprintf.c (kernel-style number(), _stp_vsprint_char/_memory/
 * _binary) applied by hand to each case. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/print.h"
#include "tests/unit/check.h"

static struct st_buf out;
static int last_rc;

static const char memory[] = "abcdefgh";

static int read_mem(void *ctx, uint64_t addr, void *dst, size_t n)
{
	(void)ctx;
	if (addr < 0x1000 || addr + n > 0x1000 + sizeof(memory))
		return -1;
	memcpy(dst, memory + (addr - 0x1000), n);
	return 0;
}

/* Format with args given as int64 or const char * according to the parsed
 * argument types. */
static const char *fmt(const char *f, ...)
{
	struct st_fmt pf;
	st_value args[16];
	char *err = NULL;
	size_t pos;
	uint32_t i;
	va_list ap;

	st_buf_reset(&out);
	if (st_fmt_parse(f, strlen(f), &pf, &err, &pos) != 0) {
		free(err);
		return "(parse error)";
	}
	va_start(ap, f);
	for (i = 0; i < pf.nargs; i++) {
		if (pf.argtype[i] == ST_T_STRING)
			args[i].s = va_arg(ap, const char *);
		else
			args[i].n = va_arg(ap, int64_t);
	}
	va_end(ap);
	last_rc = st_buf_format(&out, &pf, args, read_mem, NULL);
	st_fmt_free(&pf);
	return out.p ? out.p : "";
}

#define L(x) ((int64_t)(x))

static void test_integers(void)
{
	CHECK_STR("%d", fmt("%d", L(42)), "42");
	CHECK_STR("%d negative", fmt("%d", L(-42)), "-42");
	CHECK_STR("%i", fmt("%i", L(7)), "7");
	CHECK_STR("%d INT64_MIN", fmt("%d", INT64_MIN), "-9223372036854775808");
	CHECK_STR("%ld (l ignored)", fmt("%ld", L(5)), "5");
	CHECK_STR("%5d", fmt("%5d|", L(42)), "   42|");
	CHECK_STR("%-5d", fmt("%-5d|", L(42)), "42   |");
	CHECK_STR("%05d negative: zeros after the sign", fmt("%05d", L(-42)), "-0042");
	CHECK_STR("%+d", fmt("%+d", L(5)), "+5");
	CHECK_STR("%+d negative", fmt("%+d", L(-5)), "-5");
	CHECK_STR("% d", fmt("% d", L(5)), " 5");
	CHECK_STR("%+5d", fmt("%+5d", L(5)), "   +5");
	CHECK_STR("%+u has no sign", fmt("%+u", L(5)), "5");
	CHECK_STR("%u of -1 is 2^64-1", fmt("%u", L(-1)), "18446744073709551615");
	CHECK_STR("%x of -1", fmt("%x", L(-1)), "ffffffffffffffff");
	CHECK_STR("%X", fmt("%X", L(0xbeef)), "BEEF");
	CHECK_STR("%o", fmt("%o", L(8)), "10");
	CHECK_STR("%o of -1", fmt("%o", L(-1)), "1777777777777777777777");
	CHECK_STR("%#o", fmt("%#o", L(8)), "010");
	CHECK_STR("%#o of 0 (kernel style: prefix always)", fmt("%#o", L(0)), "00");
	CHECK_STR("%#x of 0 (kernel style: 0x always)", fmt("%#x", L(0)), "0x0");
	CHECK_STR("%#X", fmt("%#X", L(255)), "0XFF");
	CHECK_STR("%#10x", fmt("%#10x", L(255)), "      0xff");
	CHECK_STR("%#-10x: two flags is a parse error in stap", fmt("%#-10x|", L(255)), "(parse error)");
	CHECK_STR("%-#x: two flags is a parse error in stap", fmt("%-#x", L(255)), "(parse error)");
	CHECK_STR("%#08x is # then width 8 (one flag only)", fmt("%#08x", L(255)), "    0xff");
	CHECK_STR("%-08d is - then width 8", fmt("%-08d|", L(42)), "42      |");
	CHECK_STR("%08x", fmt("%08x", L(255)), "000000ff");
	CHECK_STR("%.5d", fmt("%.5d", L(42)), "00042");
	CHECK_STR("%8.5d negative", fmt("%8.5d", L(-42)), "  -00042");
	CHECK_STR("%08.5d: 0 flag still pads with zeros", fmt("%08.5d", L(42)), "00000042");
	CHECK_STR("%-8.5d", fmt("%-8.5d|", L(42)), "00042   |");
	CHECK_STR("%.0d of 0 (precision 0 dropped)", fmt("%.0d", L(0)), "0");
	CHECK_STR("%.*d precision 0 of 0 still prints 0", fmt("%.*d", L(0), L(0)), "0");
	CHECK_STR("%.3x", fmt("%.3x", L(10)), "00a");
	CHECK_STR("%*d", fmt("%*d|", L(6), L(42)), "    42|");
	CHECK_STR("%*d negative width left-justifies", fmt("%*d|", L(-6), L(42)), "42    |");
	CHECK_STR("%0*d negative width: - beats 0", fmt("%0*d|", L(-4), L(7)), "7   |");
	CHECK_STR("%*d width is the low 32 bits", fmt("%*d|", L(0x100000003), L(1)), "  1|");
	CHECK_STR("%.*d negative precision is 0", fmt("%.*d", L(-3), L(5)), "5");
	CHECK("%9999d clamps to the 8192-byte buffer", strlen(fmt("%9999d", L(1))) == 8192);
}

static void test_pointer(void)
{
	CHECK_STR("%p", fmt("%p", L(0x1234)), "0x1234");
	CHECK_STR("%p of 0", fmt("%p", L(0)), "0x0");
	CHECK_STR("%p of -1", fmt("%p", L(-1)), "0xffffffffffffffff");
	CHECK_STR("%p kernel address", fmt("%p", L(0xffffffff81000000)), "0xffffffff81000000");
	CHECK_STR("%10p", fmt("%10p|", L(0x1234)), "    0x1234|");
	CHECK_STR("%-10p", fmt("%-10p|", L(0x1234)), "0x1234    |");
	CHECK_STR("%010p zero-pads after 0x", fmt("%010p", L(0x1234)), "0x00001234");
	CHECK_STR("%.8p", fmt("%.8p", L(0x1234)), "0x00001234");
}

static void test_chars(void)
{
	CHECK_STR("%c", fmt("%c", L('A')), "A");
	CHECK_STR("%c low byte", fmt("%c", L(0x141)), "A");
	CHECK_STR("%3c", fmt("%3c|", L('A')), "  A|");
	CHECK_STR("%-3c", fmt("%-3c|", L('A')), "A  |");
	CHECK_STR("%#c printable", fmt("%#c", L('A')), "A");
	CHECK_STR("%#c newline", fmt("%#c", L('\n')), "\\n");
	CHECK_STR("%#c tab", fmt("%#c", L('\t')), "\\t");
	CHECK_STR("%#c quote", fmt("%#c", L('\'')), "\\'");
	CHECK_STR("%#c backslash", fmt("%#c", L('\\')), "\\\\");
	CHECK_STR("%#c \\001", fmt("%#c", L(1)), "\\001");
	CHECK_STR("%#c 0xff", fmt("%#c", L(0xff)), "\\377");
	CHECK_STR("%#c DEL", fmt("%#c", L(0x7f)), "\\177");
	CHECK_STR("%#c NUL", fmt("%#c", L(0)), "\\000");
	fmt("[%c]", L(0));
	CHECK("%c of 0 writes a NUL byte", out.len == 3 && out.p[1] == '\0');
}

static void test_strings(void)
{
	CHECK_STR("%s", fmt("%s", "hello"), "hello");
	CHECK_STR("%s empty", fmt("[%s]", ""), "[]");
	CHECK_STR("%.3s truncates", fmt("%.3s", "hello"), "hel");
	CHECK_STR("%8.3s", fmt("%8.3s|", "hello"), "     hel|");
	CHECK_STR("%-8s", fmt("%-8s|", "hello"), "hello   |");
	CHECK_STR("%3s wider string", fmt("%3s", "hello"), "hello");
	CHECK_STR("%.0s: precision 0 dropped, whole string", fmt("%.0s", "hello"), "hello");
	CHECK_STR("%.*s 0", fmt("[%.*s]", L(0), "hello"), "[]");
	CHECK_STR("%.*s 2", fmt("%.*s", L(2), "hello"), "he");
	CHECK_STR("%.*s negative is 0", fmt("[%.*s]", L(-2), "hello"), "[]");
	CHECK_STR("%*s negative", fmt("%*s|", L(-7), "ab"), "ab     |");
	CHECK_STR("%*.*s", fmt("%*.*s|", L(5), L(2), "hello"), "   he|");
	fmt("%0s|", "ab");
	CHECK("%0s appends a NUL", out.len == 4 && memcmp(out.p, "ab\0|", 4) == 0);
	CHECK_STR("%%", fmt("100%%"), "100%");
	CHECK_STR("lone % at end", fmt("100%"), "100%");
	CHECK_STR("mixed", fmt("%s=%d (%x)%%\n", "n", L(-1), L(26)), "n=-1 (1a)%\n");
}

static void test_binary(void)
{
	fmt("%b", L(0x0102030405060708));
	CHECK("%b: 8 bytes native order", out.len == 8 && out.p[0] == 0x08 && out.p[7] == 0x01);
	CHECK_STR("%1b", fmt("%1b", L(0x4241)), "A");
	CHECK_STR("%2b", fmt("%2b", L(0x4241)), "AB");
	fmt("%4b", L(0x41424344));
	CHECK("%4b", out.len == 4 && memcmp(out.p, "DCBA", 4) == 0);
	fmt("%8b", L(0x41));
	CHECK("%8b", out.len == 8 && out.p[0] == 'A' && out.p[1] == 0);
	CHECK_STR("%.2b", fmt("%.2b", L(0x4241)), "AB");
	fmt("%3b", L(0x41));
	CHECK("%3b: bad width means 8 bytes", out.len == 8 && out.p[0] == 'A');
	fmt("%4.1b", L(0x41));
	CHECK("%4.1b: NUL padded before", out.len == 4 && memcmp(out.p, "\0\0\0A", 4) == 0);
	fmt("%-4.1b", L(0x41));
	CHECK("%-4.1b: NUL padded after", out.len == 4 && memcmp(out.p, "A\0\0\0", 4) == 0);
	fmt("%.3b", L(0x41));
	CHECK("%.3b: bad precision means 8", out.len == 8);
}

static void test_memory(void)
{
	CHECK_STR("%m one byte", fmt("%m", L(0x1000)), "a");
	CHECK_STR("%.5m", fmt("%.5m", L(0x1001)), "bcdef");
	CHECK_STR("%6.2m", fmt("%6.2m|", L(0x1000)), "    ab|");
	CHECK_STR("%-6.2m", fmt("%-6.2m|", L(0x1000)), "ab    |");
	CHECK_STR("%M", fmt("%M", L(0x1000)), "61");
	CHECK_STR("%.3M", fmt("%.3M", L(0x1000)), "616263");
	CHECK_STR("%8.2M", fmt("%8.2M|", L(0x1000)), "    6162|");
	CHECK_STR("%-8.2M", fmt("%-8.2M|", L(0x1000)), "6162    |");
	CHECK_STR("%.*m", fmt("%.*m", L(3), L(0x1002)), "cde");
	st_buf_reset(&out);
	st_buf_puts(&out, "kept ");
	{
		struct st_fmt pf;
		char *err;
		size_t pos;
		st_value a[1] = { { .n = 0x10 } };

		st_fmt_parse("x=%.2m y", 8, &pf, &err, &pos);
		CHECK("unreadable %m fails", st_buf_format(&out, &pf, a, read_mem, NULL) == -1);
		CHECK_STR("and prints nothing of that printf", out.p, "kept ");
		CHECK("no reader fails", st_buf_format(&out, &pf, a, NULL, NULL) == -1);
		st_fmt_free(&pf);
	}
}

static void test_buf(void)
{
	struct st_buf b;
	int i;

	st_buf_init(&b);
	st_buf_long(&b, 0);
	st_buf_puts(&b, " ");
	st_buf_long(&b, INT64_MIN);
	st_buf_append(&b, " x", 2);
	CHECK_STR("st_buf_long", b.p, "0 -9223372036854775808 x");
	st_buf_reset(&b);
	for (i = 0; i < 1000; i++)
		st_buf_puts(&b, "0123456789");
	CHECK("st_buf grows", b.len == 10000 && b.p[9999] == '9' && b.p[10000] == 0);
	st_buf_free(&b);
}

int main(void)
{
	st_buf_init(&out);
	test_integers();
	test_pointer();
	test_chars();
	test_strings();
	test_binary();
	test_memory();
	test_buf();
	st_buf_free(&out);
	return check_failures != 0;
}
