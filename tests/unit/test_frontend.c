/* test_frontend.c - passes 1 and 2: parse/print/reparse fixed point,
 * precedence, error messages, elaboration with a fake resolver, golden
 * cases (tests/golden/parse) and the stap examples corpus (pass 1). */
#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include "tests/unit/check.h"
#include "frontend/frontend.h"
#include "tests/unit/fake_resolver.h"

static char *args_store[8];

static void default_opts(struct st_compile_opts *o, FILE *diag)
{
	memset(o, 0, sizeof *o);
	o->diag = diag;
	o->arch = "x86_64";
	o->kernel_release = "6.1.0-13-amd64";
	o->runtime = "kernel";
	o->resolver = &fake_resolver;
	o->argv = args_store;
	/* -u: these checks look at resolution and types, not at elision
	 * (the golden cases run optimized, as stap does by default) */
	o->unoptimized = true;
}

/* Parse (+ elaborate) text; returns stderr text (malloc'd) and the program. */
static char *run(const char *text, bool elab, struct st_compile_opts *o, struct st_program **out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct st_program *p;

	o->diag = f;
	p = st_parse("t.stp", text, o);
	if (p && elab)
		st_elaborate(p, o);
	fclose(f);
	if (out)
		*out = p;
	else
		st_program_free(p);
	return buf;
}

static char *print_prog(const struct st_program *p, bool elaborated)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (elaborated)
		st_program_print_elaborated(f, p);
	else
		st_program_print(f, p);
	fclose(f);
	return buf;
}

static void check_fixpoint(const char *name, const char *text)
{
	struct st_compile_opts o;
	struct st_program *p, *q;
	char *e1, *e2, *a, *b, *body;

	default_opts(&o, NULL);
	e1 = run(text, false, &o, &p);
	CHECK_STR(name, e1, "");
	if (!p) {
		free(e1);
		return;
	}
	a = print_prog(p, false);
	body = strstr(a, "\n# file t.stp\n");
	e2 = run(body ? body : a, false, &o, &q);
	CHECK_STR(name, e2, "");
	if (q) {
		b = print_prog(q, false);
		CHECK_STR(name, b, a);
		free(b);
	}
	st_program_free(p);
	st_program_free(q);
	free(a);
	free(e1);
	free(e2);
}

static void check_error(const char *name, const char *text, bool elab, const char *want)
{
	struct st_compile_opts o;
	char *e;

	default_opts(&o, NULL);
	e = run(text, elab, &o, NULL);
	CHECK_STR(name, e, want);
	free(e);
}

static void check_expr_print(const char *name, const char *expr, const char *want)
{
	struct st_compile_opts o;
	struct st_program *p;
	char text[512], *e, *a, *got;

	snprintf(text, sizeof text, "probe begin { %s }", expr);
	default_opts(&o, NULL);
	e = run(text, false, &o, &p);
	free(e);
	if (!p) {
		CHECK(name, p != NULL);
		return;
	}
	a = print_prog(p, false);
	got = strstr(a, "{\n  ");
	if (got) {
		got += 4;
		got[strcspn(got, ";")] = 0;
	}
	CHECK_STR(name, got, want);
	free(a);
	st_program_free(p);
}

static void test_precedence(void)
{
	check_expr_print("prec mul over add", "x = 1 + 2 * 3", "(x) = ((1) + ((2) * (3)))");
	check_expr_print("prec concat below add", "s = a . b + c", "(s) = ((a) . ((b) + (c)))");
	check_expr_print("prec shift below concat", "s = a << b . c", "(s) = ((a) << ((b) . (c)))");
	check_expr_print("prec rel and eq share", "x = a < b == c", "(x) = (((a) < (b)) == (c))");
	check_expr_print("prec ternary right", "x = a ? b : c ? d : e", "(x) = ((a)?(b):((c)?(d):(e)))");
	check_expr_print("prec assign right", "x = y = 3", "(x) = ((y) = (3))");
	check_expr_print("prec in", "x = k in a && 1", "(x) = (([k] in a) && (1))");
	check_expr_print("prec unary", "x = -a * !b", "(x) = ((-(a)) * (!(b)))");
	check_expr_print("prec bit", "x = a | b ^ c & d", "(x) = ((a) | ((b) ^ ((c) & (d))))");
	check_expr_print("string glue", "x = \"a\" \"b\"", "(x) = (\"ab\")");
	check_expr_print("hex wraps", "x = 0xffffffffffffffff", "(x) = (-1)");
	check_expr_print("octal", "x = 010", "(x) = (8)");
	check_expr_print("agg add", "a <<< 1 + 2", "(a) <<< ((1) + (2))");
	check_expr_print("postincr", "x++", "(x)++");
}

static void test_fixpoints(void)
{
	check_fixpoint("fix globals", "global a = 1, b = \"s\\n\", c[100], d%, e%[5]\nprivate global f\nprobe begin { a = 2 }");
	check_fixpoint("fix probe", "global a\nprobe begin, timer.ms(10)?, syscall.{open,close}! if (a > 1) {\n"
		       "a[1,\"x\"] <<< 3; foreach ([k, v] in a- limit 5) printf(\"%d %s\\n\", k, v);\n"
		       "if (x) next else delete a[*, 1]; s = \"a\" . x; b += -3 * (4 + 5) % 2;\n"
		       "try { x++ } catch (m) { println(m) } while (1) { break; continue }\n"
		       "for (i = 0; i < 3; i++) ; print(@hist_log(q)); z = @count(q);\n"
		       "foreach (v = [k1, k2+] in arr[*, 3]) {} foreach (k in s @sum -) {}\n"
		       "x = @hist_linear(q, 0, 100, 10)[2]; y = @variance(q, 3) }");
	check_fixpoint("fix function", "function f:long(x:long, y) { return x + y }\nfunction g(s:string):3 { println(s) }\n"
		       "probe begin { f(1, 2); g(\"a\") }");
	check_fixpoint("fix alias", "probe foo = begin { x = 1 }\nprobe foo += end { }\nprobe bar = foo.baz(\"x\").*, end { } , { y = 2 }\nprobe foo { }");
	check_fixpoint("fix target", "probe kernel.function(\"x\").return { print($x->y[3], &$z, $$vars, @entry($p), "
		       "@cast(p, \"task_struct\", \"kernel\")->pid, q[1] in a, [1,2] in a, @defined($x), s =~ \"a.*\", s !~ \"b\") }");
}

static const char *ERR_PREFIX = "parse error: ";

static void test_errors(void)
{
	(void)ERR_PREFIX;
	check_error("err expected literal",
		    "probe begin {\n  x = 1 +\n}\n", false,
		    "parse error: expected literal string or number\n"
		    "        saw: operator '}' at t.stp:3:1\n"
		    "     source: }\n"
		    "             ^\n\n"
		    "1 parse error.\n");
	check_error("err return outside function", "probe begin { return }", false,
		    "parse error: found 'return' not in function context\n"
		    "        saw: keyword at t.stp:1:15\n"
		    "     source: probe begin { return }\n"
		    "                           ^\n\n"
		    "1 parse error.\n");
	check_error("err bad format", "probe begin { printf(\"%q\", 1) }", false,
		    "parse error: invalid or missing conversion specifier\n"
		    "        saw: operator ',' at t.stp:1:26\n"
		    "     source: probe begin { printf(\"%q\", 1) }\n"
		    "                                      ^\n\n"
		    "1 parse error.\n");
	check_error("err format not literal", "probe begin { printf(x, 1) }", false,
		    "parse error: expected literal string\n"
		    "        saw: identifier 'x' at t.stp:1:22\n"
		    "     source: probe begin { printf(x, 1) }\n"
		    "                                  ^\n\n"
		    "1 parse error.\n");
	check_error("err arg out of range", "probe begin { x = $1 }", false,
		    "parse error: command line argument out of range [1-0]\n"
		    "         at: junk '' at t.stp:1:19\n"
		    "     source: probe begin { x = $1 }\n"
		    "                               ^\n\n"
		    "1 parse error.\n");
	check_error("err multiple sort", "probe begin { foreach (k+ in a-) x }", false,
		    "parse error: multiple sort directives\n"
		    "        saw: operator '-' at t.stp:1:31\n"
		    "     source: probe begin { foreach (k+ in a-) x }\n"
		    "                                           ^\n\n"
		    "1 parse error.\n");
	check_error("err unterminated string", "probe begin { x = \"abc }", false,
		    "parse error: Could not find matching closing quote\n"
		    "         at: junk '' at t.stp:1:19\n"
		    "     source: probe begin { x = \"abc }\n"
		    "                               ^\n\n"
		    "1 parse error.\n");
	check_error("err number range", "probe begin { x = 99999999999999999999 }", false,
		    "parse error: number invalid or out of range\n"
		    "        saw: number '99999999999999999999' at t.stp:1:19\n"
		    "     source: probe begin { x = 99999999999999999999 }\n"
		    "                               ^\n\n"
		    "1 parse error.\n");
	check_error("err unresolved function", "probe begin { f(1) }", true,
		    "semantic error: unresolved function f: identifier 'f' at t.stp:1:15\n"
		    "        source: probe begin { f(1) }\n"
		    "                              ^\n\n");
	check_error("err unresolved probe", "probe foo { }", true,
		    "semantic error: while resolving probe point: identifier 'foo' at t.stp:1:7\n"
		    "        source: probe foo { }\n"
		    "                      ^\n\n"
		    "semantic error: no match: identifier 'foo' at :1:7\n"
		    "        source: probe foo { }\n"
		    "                      ^\n\n");
	check_error("err type mismatch", "global x\nprobe begin { x = 1; x = \"a\" }", true,
		    "semantic error: type mismatch (string): identifier 'x' at t.stp:2:22\n"
		    "        source: probe begin { x = 1; x = \"a\" }\n"
		    "                                     ^\n\n"
		    "semantic error: type was first inferred here (long): identifier 'x' at :2:15\n"
		    "        source: probe begin { x = 1; x = \"a\" }\n"
		    "                              ^\n\n");
}

/* Inputs the fuzzer found: each must fail cleanly (ASan/UBSan builds check how). */
static void test_fuzz_regressions(void)
{
	struct st_compile_opts o;
	char *e;

	default_opts(&o, NULL);
	/* exponential macro fan-out: stap itself runs out of memory */
	e = run("@define a %( 1 %)\n@define b %( @a @a @a @a %)\n@define c %( @b @b @b @b %)\n"
		"@define d %( @c @c @c @c %)\n@define e %( @d @d @d @d %)\n@define f %( @e @e @e @e %)\n"
		"@define g %( @f @f @f @f %)\n@define h %( @g @g @g @g %)\n@define i %( @h @h @h @h %)\n"
		"@define j %( @i @i @i @i %)\n@define k %( @j @j @j @j %)\nprobe begin { x = @k }", false, &o, NULL);
	CHECK("fuzz macro fan-out", e && strstr(e, "macro expansion too large"));
	free(e);
	/* a parameter used twice doubles its argument at each nesting level:
	 * the cap counts substituted tokens, not body tokens (fuzzer OOM) */
	{
		char src[512] = "@define d(x) %( @x @x %)\nprobe begin { x = ";
		int k;

		for (k = 0; k < 40; k++)
			strcat(src, "@d(");
		strcat(src, "1");
		for (k = 0; k < 40; k++)
			strcat(src, ")");
		strcat(src, " }");
		e = run(src, false, &o, NULL);
		CHECK("fuzz macro argument doubling", e && strstr(e, "macro expansion too large"));
		free(e);
	}
	/* a probe binding a context variable as its first local (memcpy of no bindings) */
	e = run("probe syscall.read { print(name) }", true, &o, NULL);
	CHECK_STR("fuzz first binding", e, "");
	free(e);
	/* a macro redefined from inside another macro's expansion (the first
	 * definition's token lived in a freed expansion buffer) */
	e = run("@define outer %( @define m %( 1 %) @define m %( 2 %) %)\n@outer\nprobe begin { }", false, &o, NULL);
	CHECK("fuzz redefine in expansion", e && strstr(e, "macro '@m' first defined here"));
	free(e);
	/* a macro defined inside another's expansion, used after it */
	e = run("@define outer %( @define inner %( 7 %) %)\n@outer\nprobe begin { x = @inner }", false, &o, NULL);
	CHECK("fuzz macro defined in expansion", e != NULL);
	free(e);
	/* 60 nested decrements: resolved in linear time */
	{
		struct timespec a, b;

		clock_gettime(CLOCK_MONOTONIC, &a);
		e = run("probe begin { x = 1; x = ------------------------------------------------------------"
			"------------------------------------------------------------x }", true, &o, NULL);
		clock_gettime(CLOCK_MONOTONIC, &b);
		CHECK("fuzz nested decrement fast", (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 1000);
		free(e);
	}
}

static void test_elaborate(void)
{
	struct st_compile_opts o;
	struct st_program *p;
	char *e;

	default_opts(&o, NULL);
	e = run("global n, s\nprobe syscall.* { n[name] <<< fd; s = name }\nprobe end { foreach (k in n) printf(\"%s %d\\n\", k, @count(n[k])) }",
		true, &o, &p);
	CHECK_STR("elab syscall clean", e, "");
	free(e);
	CHECK("elab syscall insts", p && p->ninsts == 5);
	if (p && p->ninsts == 5) {
		CHECK_STR("elab pp", p->insts[0]->pp, "syscall.open");
		CHECK("elab binding", p->insts[0]->nbindings == 2);
		CHECK("elab n stats", p->globals[0]->sym->type == ST_T_STATS && p->globals[0]->sym->key[0] == ST_T_STRING);
		CHECK("elab s string", p->globals[1]->sym->type == ST_T_STRING);
		CHECK("elab own body", p->insts[0]->body != p->insts[1]->body);
	}
	st_program_free(p);

	e = run("probe a = begin { x = 1 }\nprobe a += end { y = 2 }\nprobe b = a { z = 3 }\nprobe b { print(x) }", true, &o, &p);
	CHECK_STR("elab alias clean", e, "");
	free(e);
	CHECK("elab alias insts", p && p->ninsts == 2);
	if (p && p->ninsts == 2) {
		CHECK("elab alias prologue order", p->insts[0]->body->nbody == 3);
		CHECK_STR("elab alias pp", p->insts[1]->pp, "end");
	}
	st_program_free(p);

	e = run("function f(a) { return a . \"x\" }\nfunction g() { }\nprobe begin { s = f(\"q\"); g() }", true, &o, &p);
	CHECK_STR("elab func clean", e, "");
	free(e);
	if (p) {
		CHECK("elab func types", p->funcs[0]->type == ST_T_STRING && p->funcs[0]->params[0].sym->type == ST_T_STRING);
		CHECK("elab void", p->funcs[1]->type == ST_T_VOID);
		e = print_prog(p, true);
		CHECK("elab p2 print", strstr(e, "function f:string(a:string)") != NULL);
		free(e);
	}
	st_program_free(p);

	/* $target types come from the resolver: a string field stays a string. */
	e = run("global s\nprobe syscall.open { s = $filename . $$name; n = $fd + 1; v = $$parms }", true, &o, &p);
	CHECK_STR("target types clean", e, "");
	free(e);
	CHECK("target string", p && p->globals[0]->sym->type == ST_T_STRING);
	if (p) {
		struct st_stmt *b = p->insts[0]->body;

		while (b->kind == ST_S_BLOCK && b->nbody)
			b = b->body[0];
		CHECK("target expr string", b->kind == ST_S_EXPR && b->expr->b->a->type == ST_T_STRING);
	}
	st_program_free(p);
	check_error("target string mismatch", "probe syscall.open { n = $filename + 1 }", true,
		    "semantic error: type mismatch (long vs. string): identifier '$filename' at t.stp:1:26\n"
		    "        source: probe syscall.open { n = $filename + 1 }\n"
		    "                                         ^\n\n");

	e = run("probe never? , timer.ms(100) { exit() }", true, &o, &p);
	CHECK_STR("elab optional", e, "");
	free(e);
	st_program_free(p);

	args_store[0] = "5";
	args_store[1] = "hello";
	o.argc = 2;
	e = run("probe timer.ms($1) { printf(\"%s %d\\n\", @2, $# ) }\n%( $# == 2 %? probe end {} %: error %)", true, &o, &p);
	CHECK_STR("args clean", e, "");
	free(e);
	CHECK("args points", p && p->ninsts == 2 && p->insts[0]->point->comp[1].arg_num == 5);
	st_program_free(p);
	o.argc = 0;

	e = run("@define sq(x) %( (@x * @x) %)\n%( kernel_v >= \"2.6\" && arch == \"x86_*\" %? probe begin { y = @sq(3) } %)", true, &o, &p);
	CHECK_STR("macro+cond clean", e, "");
	free(e);
	CHECK("macro+cond insts", p && p->ninsts == 1);
	st_program_free(p);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

/* tests/golden/parse/NAME.stp + NAME.expected: what the frontend prints
 * to stderr, then, when the script is accepted, its -p1 tree.  A first line
 * "# args: [-g] [-w] [-u] [-p1] [-p2] [-t] [--] ARG..." sets guru mode, no warnings,
 * no elision, pass 1 only (no elaboration: the case stap -p1 can check, see verify-stap.sh),
 * our tapset's library macros (the tapset/ .stpm files), and the script arguments. */
static void test_golden(void)
{
	DIR *d = opendir("tests/golden/parse");
	struct dirent *de;
	int n = 0;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[512], name[300], *text, *want, *got, *tree = NULL, *argv[16], *hdr = NULL;
		size_t l = strlen(de->d_name), glen = 0;
		struct st_compile_opts o;
		struct st_program *p;
		bool pass1_only = false, print_p2 = false;
		static const char *our_tapset[] = { "build/tests/ourstpm" };
		FILE *f;

		if (l < 5 || strcmp(de->d_name + l - 4, ".stp"))
			continue;
		snprintf(path, sizeof path, "tests/golden/parse/%s", de->d_name);
		text = slurp(path);
		snprintf(path, sizeof path, "tests/golden/parse/%.*s.expected", (int)(l - 4), de->d_name);
		want = slurp(path);
		default_opts(&o, NULL);
		o.unoptimized = false;
		if (text && !strncmp(text, "# args:", 7)) {
			char *tok, *save = NULL;
			bool opts = true;

			hdr = strndup(text + 7, strcspn(text + 7, "\n"));
			o.argv = argv;
			for (tok = strtok_r(hdr, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
				if (opts && !strcmp(tok, "-g"))
					o.guru = true;
				else if (opts && !strcmp(tok, "-w"))
					o.no_warnings = true;
				else if (opts && !strcmp(tok, "-p1"))
					pass1_only = true;
				else if (opts && !strcmp(tok, "-u"))
					o.unoptimized = true;
				else if (opts && !strcmp(tok, "-p2"))
					print_p2 = true;
				else if (opts && !strcmp(tok, "-t")) {
					/* the .stpm files only: -p1 trees print tapset globals */
					if (system("rm -rf build/tests/ourstpm && mkdir -p build/tests/ourstpm && for f in "
						   "tapset/*.stpm; do ln -s \"$PWD/$f\" build/tests/ourstpm/; done") != 0)
						printf("note: no stpm macros\n");
					o.tapset_dirs = our_tapset;
					o.ntapset_dirs = 1;
				}
				else if (opts && !strcmp(tok, "--"))
					opts = false;
				else if (o.argc < 16)
					argv[o.argc++] = tok;
			}
		}
		f = open_memstream(&got, &glen);
		o.diag = f;
		p = st_parse(de->d_name, text ? text : "", &o);
		if (p) {
			tree = print_prog(p, false);
			if (pass1_only)
				fputs(tree, f);
			else if (st_elaborate(p, &o) == 0) {
				if (print_p2)   /* what survives elision */
					st_program_print_elaborated(f, p);
				else
					fputs(tree, f);
			}
		}
		fclose(f);
		snprintf(name, sizeof name, "golden %s", de->d_name);
		if (getenv("GOLDEN_REGEN")) {
			/* GOLDEN_REGEN=1: write what we print; review the diff, check rejects with verify-stap.sh */
			FILE *w = fopen(path, "w");

			if (w) {
				fputs(got, w);
				fclose(w);
			}
		} else
			CHECK_STR(name, got, want ? want : "(missing .expected)");
		st_program_free(p);
		free(tree);
		free(hdr);
		free(text);
		free(want);
		free(got);
		n++;
	}
	closedir(d);
	printf("golden parse cases: %d\n", n);
}

/* The stap command line that runs an example: its .meta test_installcheck
 * (else test_check) line, or another .meta of its directory naming it
 * (py3example.meta runs pyexample.stp), else its #! line. */
static char *example_cmdline(const char *path, const char *base)
{
	char meta[1100], dir[1024], *m, *line;
	const char *keys[] = { "test_installcheck:", "test_check:" };
	size_t k;
	FILE *ls;

	snprintf(meta, sizeof meta, "%.*s.meta", (int)(strlen(path) - 4), path);
	m = slurp(meta);
	if (!m) {
		snprintf(dir, sizeof dir, "grep -l -e ' %s' %.*s/*.meta 2>/dev/null | head -1", base,
			 (int)(base - path - 1), path);
		ls = popen(dir, "r");
		if (ls && fgets(meta, sizeof meta, ls)) {
			meta[strcspn(meta, "\n")] = 0;
			m = slurp(meta);
		}
		if (ls)
			pclose(ls);
	}
	for (k = 0; m && k < 2; k++)
		if ((line = strstr(m, keys[k])) && strstr(line, base)) {
			char *end = strchr(line, '\n'), *r;

			if (end)
				*end = 0;
			r = strdup(line + strlen(keys[k]));
			free(m);
			return r;
		}
	free(m);
	m = slurp(path);
	if (m && m[0] == '#' && m[1] == '!') {
		char *r;

		m[strcspn(m, "\n")] = 0;
		r = malloc(strlen(m) + strlen(base) + 2);
		sprintf(r, "%s %s", m + 2, base);
		free(m);
		return r;
	}
	free(m);
	return NULL;
}

/* Examples stap -p1 itself rejects as they are run: the template's
 * placeholder probe point, and graphcall.stp which has no .meta line and
 * needs a second argument (stap: "command line argument out of range"). */
static const struct { const char *file, *first_line; } corpus_rejects[] = {
	{ "security-bandaid-template.stp", "parse error: expected literal string or number\n" },
	{ "graphcall.stp", "parse error: command line argument out of range [1-0]\n" },
};

/* Pass 1 on every example, run as its .meta line runs it. */
static void test_corpus(void)
{
	FILE *list = popen("find /usr/share/systemtap/examples -name '*.stp' | sort", "r");
	char path[1024];
	int ok = 0, total = 0;
	struct utsname u;

	static const char *stpm_dirs[] = { "build/tests/stpm" };

	if (!list)
		return;
	/* Only library macros (.stpm), ours (with the procfs exporters' json
	 * and prometheus macros): our parser would read tapset .stp files too. */
	if (system("rm -rf build/tests/stpm && mkdir -p build/tests/stpm && "
		   "for f in tapset/*.stpm; do ln -s \"$PWD/$f\" build/tests/stpm/; done") != 0)
		printf("note: no stpm macros\n");
	uname(&u);
	while (fgets(path, sizeof path, list)) {
		char *text, *argv[16], *args;
		struct st_compile_opts o;
		struct st_program *p;
		char *e;
		int argc = 0;
		const char *base, *want_err = NULL;
		size_t i;

		path[strcspn(path, "\n")] = 0;
		text = slurp(path);
		if (!text)
			continue;
		default_opts(&o, NULL);
		o.kernel_release = u.release;
		o.tapset_dirs = stpm_dirs;
		o.ntapset_dirs = 1;
		base = strrchr(path, '/') + 1;
		/* Library files that other examples load with -I: privileged as stap's tapsets are. */
		if (strstr(path, "/tapset/"))
			o.guru = true;
		args = example_cmdline(path, base);
		if (args) {
			/* a small shell-like split: quotes group and are removed; a `cmd`
			 * substitution (a kernel address) becomes a placeholder number */
			char *r = args, *w, *tok;
			bool after = false, skip_value = false;

			while (*r) {
				while (*r == ' ' || *r == '\t')
					r++;
				if (!*r)
					break;
				tok = w = r;
				while (*r && *r != ' ' && *r != '\t') {
					if (*r == '`') {
						char *close = strchr(r + 1, '`');
						size_t n;

						r = close ? close + 1 : r + strlen(r);
						n = (size_t)(r - w) < 16 ? (size_t)(r - w) : 16;
						memcpy(w, "ffffffff81000000", n);
						w += n;
					} else if (*r == '\'' || *r == '"') {
						char q = *r++;

						while (*r && *r != q)
							*w++ = *r++;
						if (*r)
							r++;
					} else
						*w++ = *r++;
				}
				if (*r)
					r++;
				*w = 0;
				if (after) {
					/* options may follow the script: skip them and their values */
					if (skip_value) {
						skip_value = false;
						continue;
					}
					if (tok[0] == '-') {
						skip_value = tok[1] && !tok[2] && strchr("TcxoDIGSsdm", tok[1]);
						continue;
					}
					if (argc < 16)
						argv[argc++] = tok;
				} else if (tok[0] == '-' && tok[1] != '-' && strchr(tok, 'g'))
					o.guru = true;
				else if (strstr(tok, base))
					after = true;
			}
		}
		o.argc = argc;
		o.argv = argv;
		for (i = 0; i < sizeof corpus_rejects / sizeof *corpus_rejects; i++)
			if (!strcmp(base, corpus_rejects[i].file))
				want_err = corpus_rejects[i].first_line;
		e = run(text, false, &o, &p);
		total++;
		if (want_err ? !p && e && !strncmp(e, want_err, strlen(want_err)) : p != NULL)
			ok++;
		else
			printf("corpus miss %s (%s):\n%s", path, args ? args : "no args", e);
		st_program_free(p);
		free(e);
		free(args);
		free(text);
	}
	pclose(list);
	printf("corpus: %d/%d as expected\n", ok, total);
	CHECK("corpus pass 1", total == 0 || ok == total);
}

static void test_speed(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct st_compile_opts o;
	struct st_program *p;
	struct timespec a, b;
	int i;
	double ms;
	char *e;

	fputs("global n, s\n", f);
	for (i = 0; i < 1000; i++)
		fprintf(f, "function f%d(x) {\n  if (x > %d) return x * 2 + n[x]\n  s[x, \"k\"] <<< x\n  return f%d(x - 1)\n}\n",
			i, i, i ? i - 1 : 0);
	fputs("probe begin { println(f999(3)) }\n", f);
	fclose(f);
	default_opts(&o, NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	e = run(buf, true, &o, &p);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	/* the figure is reported, not asserted: speed is a benchmark, and a
	 * timed test fails on a busy machine */
	printf("speed: 5000 lines in %.1f ms\n", ms);
	CHECK_STR("a 5000-line script parses and elaborates clean", e, "");
	free(e);
	free(buf);
	st_program_free(p);
}

int main(void)
{
	test_precedence();
	test_fixpoints();
	test_errors();
	test_elaborate();
	test_fuzz_regressions();
	test_golden();
	test_corpus();
	test_speed();
	fake_resolver_release();
	free(fake_owned);
	return check_failures != 0;
}
