/* test_plan_file.c - the compiled-plan file (runtime/plan_file.h): a
 * lowered plan survives encode -> decode (same -p3 listing, same bytes
 * again); every cut of the file, a foreign magic or version, forged counts
 * and out-of-range indexes or operands are refused with a message and no
 * crash; the identity checks name the difference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/frontend.h"
#include "lowering/families.h"
#include "lowering/plan.h"
#include "runtime/plan_check.h"
#include "runtime/plan_file.h"
#include "tests/unit/check.h"
#include "tests/unit/fake_lower.h"

static const char script[] =
	"global a, s, last\n"
	"function f(x) { return x * 2 }\n"
	"probe kernel.trace(\"syscalls:sys_enter_read\") { a[execname(), $fd]++; s <<< f($count); last = \"r\" }\n"
	"probe end { foreach ([e, d] in a- limit 3) printf(\"%s %d %d\\n\", e, d, a[e, d]);\n"
	"  if (@count(s)) print(@hist_log(s)); try { println(1 / 0) } catch (m) { println(m, last) } }\n";

static struct st_program *prog;

static struct st_plan *lower(const char *text)
{
	struct st_plan *plan;
	char *err;

	if (fake_lower(text, &prog, &plan, &err) < 0)
		fprintf(stderr, "lowering failed: %s\n", err ? err : "?");
	free(err);
	return plan;
}

static char *listing(const struct st_plan *p)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	st_plan_print(f, p);
	fclose(f);
	return s;
}

static void meta_init(struct st_plan_meta *m)
{
	static char *argv[] = { "one", "two words" };

	memset(m, 0, sizeof(*m));
	m->release = "6.1.0-test";
	m->arch = "x86_64";
	m->btf_hash = 0x1234;
	m->btf_size = 99;
	m->script_name = "t.stp";
	m->script = (char *)script;
	m->argc = 2;
	m->argv = argv;
	st_limits_default(&m->limits);
}

/* encode plan with the test meta */
static struct st_wbuf encode(const struct st_plan *p)
{
	struct st_plan_meta m;
	struct st_wbuf b = { 0 };

	meta_init(&m);
	st_planfile_encode(p, &m, &b);
	return b;
}

/* decode must fail, naming `want` */
static void refused(const char *name, const uint8_t *p, size_t len, const char *want)
{
	struct st_plan *out = NULL;
	struct st_plan_meta m;
	char *err = NULL;
	int r = st_planfile_decode(p, len, &out, &m, &err);

	if (r == 0 || !err || !strstr(err, want))
		fprintf(stderr, "%s: r=%d err=%s\n", name, r, err ? err : "(none)");
	CHECK(name, r < 0 && out == NULL && err && strstr(err, want));
	free(err);
	if (r == 0) {
		st_plan_free(out);
		st_plan_meta_free(&m);
	}
}

static void test_round_trip(struct st_plan *p)
{
	struct st_wbuf b = encode(p), b2 = { 0 };
	struct st_plan *q = NULL;
	struct st_plan_meta m;
	char *err = NULL, *l1, *l2;
	int r = st_planfile_decode(b.p, b.len, &q, &m, &err);

	CHECK("round trip: decodes", r == 0 && q);
	if (r) {
		fprintf(stderr, "%s\n", err);
		free(err);
		st_wbuf_free(&b);
		return;
	}
	l1 = listing(p);
	l2 = listing(q);
	CHECK("round trip: the same -p3 listing", !strcmp(l1, l2));
	CHECK_STR("round trip: release", m.release, "6.1.0-test");
	CHECK("round trip: BTF fingerprint", m.btf_hash == 0x1234 && m.btf_size == 99);
	CHECK("round trip: script arguments", m.argc == 2 && !strcmp(m.argv[1], "two words"));
	CHECK("round trip: script text", m.script && !strcmp(m.script, script));
	CHECK("round trip: limits", m.limits.maxstringlen == 512 && m.limits.maxmapentries == 2048);
	st_planfile_encode(q, &m, &b2);
	CHECK("round trip: encoding the decoded plan gives the same bytes", b.len == b2.len && !memcmp(b.p, b2.p, b.len));
	free(l1);
	free(l2);
	st_wbuf_free(&b2);
	st_plan_free(q);
	st_plan_meta_free(&m);
	st_wbuf_free(&b);
}

static void test_cuts(struct st_plan *p)
{
	struct st_wbuf b = encode(p);
	size_t ok = 0;

	for (size_t n = 0; n < b.len; n++) {
		struct st_plan *q = NULL;
		struct st_plan_meta m;
		char *err = NULL;

		if (st_planfile_decode(b.p, n, &q, &m, &err) < 0 && err && !q)
			ok++;
		else if (q) {
			st_plan_free(q);
			st_plan_meta_free(&m);
		}
		free(err);
	}
	CHECK("every cut of the file is refused with a message", ok == b.len);
	st_wbuf_free(&b);
}

static void test_header(struct st_plan *p)
{
	struct st_wbuf b = encode(p);

	b.p[0] = 'X';
	refused("a foreign magic is refused", b.p, b.len, "not a staplet plan file");
	b.p[0] = 'S';
	b.p[8] = 9;
	refused("another version is refused", b.p, b.len, "version 9");
	b.p[8] = 1;
	/* the meta section's length past the end of the file */
	b.p[12] = b.p[13] = b.p[14] = 0xff;
	refused("a section longer than the file is refused", b.p, b.len, "cut short");
	st_wbuf_free(&b);
}

/* change the plan in memory, encode, expect the decoder to refuse */
static void forged(const char *name, struct st_plan *p, const char *want)
{
	struct st_wbuf b = encode(p);

	refused(name, b.p, b.len, want);
	st_wbuf_free(&b);
}

static struct st_insn *find_op(struct st_plan *p, enum st_op op)
{
	for (uint32_t c = 0; c < p->ncode; c++)
		for (uint32_t i = 0; i < p->code[c].ninsn; i++)
			if (p->code[c].insn[i].op == op)
				return &p->code[c].insn[i];
	return NULL;
}

static void test_forged(struct st_plan *p)
{
	struct st_insn *in, keep;
	uint32_t u;

	u = p->probes[0].source;
	p->probes[0].source = p->nsources;
	forged("a probe naming a source past the table is refused", p, "probe 0: source");
	p->probes[0].source = u;

	in = find_op(p, ST_OP_LOADN);
	CHECK("the script has a LOADN", in);
	if (in) {
		keep = *in;
		in->b = (uint16_t)p->nnums;
		in->c = 0;
		forged("a constant index past the pool is refused", p, "number");
		*in = keep;
		in->a = 0xfff0;
		forged("a register outside the frame is refused", p, "outside a frame");
		*in = keep;
		in->op = ST_OP_COUNT_ + 3;
		forged("an unknown operation is refused", p, "unknown operation");
		*in = keep;
	}
	in = find_op(p, ST_OP_JZ);
	CHECK("the script has a JZ", in);
	if (in) {
		keep = *in;
		in->b = 0xffff;
		in->c = 0xff;
		forged("a jump past the code is refused", p, "jump target");
		*in = keep;
	}
	in = find_op(p, ST_OP_CALL);
	CHECK("the script has a CALL", in);
	if (in) {
		keep = *in;
		in->c = (uint16_t)p->ncode;
		forged("a call past the code is refused", p, "function");
		*in = keep;
	}
	in = find_op(p, ST_OP_MADD);
	CHECK("the script has a MADD", in);
	if (in) {
		keep = *in;
		in->b = (uint16_t)p->nglobals;
		forged("a global past the table is refused", p, "global");
		*in = keep;
	}
	in = find_op(p, ST_OP_FORMAT);
	CHECK("the script has a FORMAT", in);
	if (in) {
		keep = *in;
		in->c = (uint16_t)p->nfmts;
		forged("a format past the table is refused", p, "format");
		*in = keep;
	}
	{
		struct st_code *k = &p->code[p->probes[0].code];
		struct st_insn last = k->insn[k->ninsn - 1];

		k->insn[k->ninsn - 1].op = ST_OP_NOP;
		forged("code that runs off its end is refused", p, "runs off its end");
		k->insn[k->ninsn - 1] = last;
	}
	{
		const struct st_fmt *f = p->fmts[0];
		struct st_fmt_spec *s = NULL;

		for (uint32_t i = 0; i < f->nspec && !s; i++)
			if (f->spec[i].conv == ST_FMT_LITERAL)
				s = &f->spec[i];
		CHECK("the first format has a literal", s);
		if (s) {
			size_t keep_len = s->litlen;

			s->litlen = 100000;
			forged("a format literal outside its text is refused", p, "literal outside the text");
			s->litlen = keep_len;
		}
	}
	u = p->sources[0].nfields;
	CHECK("the first source has fields", u > 0);
	p->sources[0].nfields = 0;
	forged("a field read past its source's fields is refused", p, "field");
	p->sources[0].nfields = u;
	{
		struct st_wbuf b = encode(p);
		struct st_plan *q = NULL;
		struct st_plan_meta m;
		char *err = NULL;

		CHECK("the plan decodes again after the forgeries are undone",
		      st_planfile_decode(b.p, b.len, &q, &m, &err) == 0);
		if (q) {
			st_plan_free(q);
			st_plan_meta_free(&m);
		}
		free(err);
		st_wbuf_free(&b);
	}
}

static void test_counts(struct st_plan *p)
{
	struct st_wbuf b = encode(p);
	/* the plan section: u32 length, its strings (u32 count, each with its
	 * NUL), the script name's string index, then the in-kernel table's count */
	uint32_t meta_len, nstrs;
	size_t at;

	memcpy(&meta_len, b.p + 12, 4);
	at = 16 + meta_len + 4;
	memcpy(&nstrs, b.p + at, 4);
	at += 4;
	for (uint32_t i = 0; i < nstrs; i++)
		at += strlen((const char *)b.p + at) + 1;
	at += 4;
	b.p[at] = b.p[at + 1] = b.p[at + 2] = 0xff;
	refused("a forged count is refused before it allocates", b.p, b.len, "exceeds the file");
	st_wbuf_free(&b);
}

static void test_identity(void)
{
	struct st_plan_meta m;
	uint8_t id[ST_BUILD_ID_MAX];
	uint32_t len = 0;
	char msg[512];

	CHECK("this test binary's build-id is read", st_build_id_read("/proc/self/exe", id, &len) == 0 && len == 20);
	CHECK("a file that is not ELF is refused", st_build_id_read("/proc/self/cmdline", id, &len) < 0);
	meta_init(&m);
	m.btf_size = 0;
	CHECK("another release is named", st_plan_meta_check(&m, NULL, msg, sizeof(msg)) < 0 &&
	      strstr(msg, "compiled for kernel 6.1.0-test"));
	m.arch = "sparc";
	CHECK("another machine is named", st_plan_meta_check(&m, NULL, msg, sizeof(msg)) < 0 &&
	      strstr(msg, "compiled for sparc"));
}

int main(void)
{
	struct st_plan *p = lower(script);

	CHECK("the test script lowers", p != NULL);
	if (!p)
		return 1;
	test_round_trip(p);
	test_cuts(p);
	test_header(p);
	test_forged(p);
	test_counts(p);
	test_identity();
	st_plan_free(p);
	st_program_free(prog);
	return check_failures != 0;
}
