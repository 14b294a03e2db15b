/* test_format.c - printf format parsing (pass 1), following stap's
 * print_format::string_to_components: one flag, optional single 'l',
 * conversions d i u o x X p c s b m M and %%. */
#include <stdlib.h>
#include <string.h>
#include "frontend/format.h"
#include "tests/unit/check.h"

static const char *parse_error(const char *f, size_t *pos)
{
	static char msg[128];
	struct st_fmt fmt;
	char *err = NULL;

	*pos = (size_t)-1;
	if (st_fmt_parse(f, strlen(f), &fmt, &err, pos) == 0) {
		st_fmt_free(&fmt);
		return "ok";
	}
	snprintf(msg, sizeof(msg), "%s", err);
	free(err);
	return msg;
}

/* The specs, one letter per spec: L literal, else the conversion letter. */
static const char *shape(const char *f)
{
	static const char letters[] = "LduoxXpcsbmM";
	static char buf[64];
	struct st_fmt fmt;
	char *err = NULL;
	size_t pos, i;

	if (st_fmt_parse(f, strlen(f), &fmt, &err, &pos) != 0) {
		free(err);
		return "error";
	}
	for (i = 0; i < fmt.nspec && i < sizeof(buf) - 1; i++)
		buf[i] = letters[fmt.spec[i].conv];
	buf[i] = '\0';
	st_fmt_free(&fmt);
	return buf;
}

static void test_errors(void)
{
	static const char invalid[] = "invalid or missing conversion specifier";
	static const char trailing[] = "trailing incomplete print format conversion";
	static const char *bad[] = { "%lld", "%llu", "%hd", "%hhd", "%Ld", "%zd", "%jd", "%qd",
				     "%e", "%f", "%g", "%n", "%a", "%+-d", "%-+5d", "% #x", "%ll", "%5.2lf" };
	size_t pos, i;
	char name[64];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "rejects %s", bad[i]);
		CHECK_STR(name, parse_error(bad[i], &pos), invalid);
	}
	CHECK_STR("%lld message", parse_error("ab %lld", &pos), invalid);
	CHECK("%lld error at the second l", pos == 5);
	CHECK_STR("%+-d", parse_error("%+-d", &pos), invalid);
	CHECK("%+-d error at -", pos == 2);
	CHECK_STR("%5 at end", parse_error("x%5", &pos), trailing);
	CHECK("trailing error at the %", pos == 1);
	CHECK_STR("%- at end", parse_error("%-", &pos), trailing);
	CHECK_STR("%.5 at end", parse_error("%.5", &pos), trailing);
	CHECK_STR("%5. at end", parse_error("%5.", &pos), trailing);
	CHECK_STR("%5l at end", parse_error("%5l", &pos), trailing);
	CHECK_STR("%*s ok", parse_error("%*s", &pos), "ok");
}

static void test_accepts(void)
{
	static const char *good[] = { "%d", "%i", "%u", "%o", "%x", "%X", "%p", "%c", "%s", "%b", "%m", "%M",
				      "%ld", "%lx", "%ls", "%-5d", "%+d", "% d", "%#x", "%05d", "%*d", "%.*s",
				      "%*.*s", "%1b", "%2b", "%4b", "%8b", "%.3m", "%#m", "%%", "" };
	size_t pos, i;
	char name[64];

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(name, sizeof(name), "accepts \"%s\"", good[i]);
		CHECK_STR(name, parse_error(good[i], &pos), "ok");
	}
	CHECK_STR("literal and conversions", shape("a%db%sc"), "LdLsL");
	CHECK_STR("%% splits the literal", shape("a%%b"), "LL");
	CHECK_STR("lone % at the end is literal", shape("100%"), "L");
	CHECK_STR("%. at the end vanishes", shape("ab%."), "L");
	CHECK_STR("%l at the end vanishes", shape("%l"), "");
	CHECK_STR("every conversion", shape("%d%i%u%o%x%X%p%c%s%b%m%M"), "dduoxXpcsbmM");
}

static void test_specs(void)
{
	struct st_fmt f;
	char *err;
	size_t pos;
	const char *text = "x%%y%-5.3ld|%0d|%.0s|%#08x|%-08d|%p|%*.*s|%c%b%m%M";

	CHECK("parse ok", st_fmt_parse(text, strlen(text), &f, &err, &pos) == 0);
	CHECK("text copied", f.text && strcmp(f.text, text) == 0);
	CHECK("literal 1 is x%", f.spec[0].conv == ST_FMT_LITERAL && f.spec[0].litlen == 2 &&
	      memcmp(f.spec[0].lit, "x%", 2) == 0);
	CHECK("literal 2 is y", f.spec[1].litlen == 1 && f.spec[1].lit[0] == 'y');
	CHECK("%-5.3ld", f.spec[2].conv == ST_FMT_SIGNED && f.spec[2].flags == ST_FMT_F_LEFT &&
	      f.spec[2].width == 5 && f.spec[2].precision == 3);
	CHECK("%0d: zero flag, no width", f.spec[4].flags == ST_FMT_F_ZERO && f.spec[4].width == ST_FMT_NONE);
	CHECK("%.0s: precision 0 is dropped as stap's translator does",
	      f.spec[6].conv == ST_FMT_STRING && f.spec[6].precision == ST_FMT_NONE);
	CHECK("%#08x: one flag, the 0 is part of the width",
	      f.spec[8].flags == ST_FMT_F_ALT && f.spec[8].width == 8);
	CHECK("%-08d: one flag, width 8", f.spec[10].flags == ST_FMT_F_LEFT && f.spec[10].width == 8);
	CHECK("%p implies #", f.spec[12].conv == ST_FMT_POINTER && (f.spec[12].flags & ST_FMT_F_ALT));
	CHECK("%*.*s stars", f.spec[14].width == ST_FMT_STAR && f.spec[14].precision == ST_FMT_STAR);
	/* args: d d s x d p * * s c b m M */
	CHECK("nargs", f.nargs == 13);
	CHECK("argtypes", f.argtype[0] == ST_T_LONG && f.argtype[1] == ST_T_LONG &&
	      f.argtype[2] == ST_T_STRING && f.argtype[3] == ST_T_LONG && f.argtype[5] == ST_T_LONG &&
	      f.argtype[6] == ST_T_LONG && f.argtype[7] == ST_T_LONG && f.argtype[8] == ST_T_STRING &&
	      f.argtype[9] == ST_T_LONG && f.argtype[10] == ST_T_LONG && f.argtype[11] == ST_T_LONG &&
	      f.argtype[12] == ST_T_LONG);
	st_fmt_free(&f);
	CHECK("embedded NUL kept in literal",
	      st_fmt_parse("a\0b", 3, &f, &err, &pos) == 0 && f.nspec == 1 && f.spec[0].litlen == 3);
	st_fmt_free(&f);
}

int main(void)
{
	test_errors();
	test_accepts();
	test_specs();
	return check_failures != 0;
}
