/* test_kprobe - kernel probe points over a fake catalog (kernel symbols
 * and an in-memory BTF): expansion, event names and targets, the fetch
 * args context reads become, member chains, and the error on a kernel
 * without kprobes.  No root, no kernel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "frontend/frontend.h"
#include "lowering/btf.h"
#include "lowering/catalog.h"
#include "lowering/families.h"
#include "lowering/family_kernel.h"
#include "lowering/kprobe_ctx.h"
#include "lowering/source.h"
#include "tests/unit/check.h"

static bool with_kprobes;
static struct btf *fake_btf;

static const struct st_ksym syms[] = {
	{ "vfs_read", NULL, 0xffffffff81300000ull, true, false },
	{ "vfs_write", NULL, 0xffffffff81300100ull, false, false },
	{ "vfs_nobtf", NULL, 0xffffffff81300200ull, false, false },
	{ "do_nothing", NULL, 0xffffffff81300300ull, false, true },
	{ "_text", NULL, 0xffffffff81000000ull + 0x1000000ull, false, false },
	{ "v9fs_open", "9p", 0xffffffffc0001000ull, false, false },
};

static bool fake_has(struct st_catalog *c, enum st_capability cap)
{
	(void)c;
	return cap == ST_CAP_KPROBES && with_kprobes;
}

static int fake_ksyms(struct st_catalog *c, const char *module, const char *glob, bool traceable,
		      int (*fn)(void *arg, const struct st_ksym *sym), void *arg)
{
	int n = 0;

	(void)c;
	(void)traceable;
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		const struct st_ksym *s = &syms[i];

		if ((module ? !s->module || (strcmp(module, "*") && strcmp(module, s->module)) : s->module != NULL) ||
		    (strcmp(glob, s->name) && !(glob[strlen(glob) - 1] == '*' && !strncmp(glob, s->name, strlen(glob) - 1))))
			continue;
		n++;
		if (fn(arg, s))
			break;
	}
	return n;
}

static const struct btf *fake_kbtf(struct st_catalog *c, const char *module)
{
	(void)c;
	return module ? NULL : fake_btf;
}

static const struct st_ksym *fake_at(struct st_catalog *c, uint64_t addr, uint64_t *off)
{
	(void)c;
	if (addr >= syms[0].addr && addr < syms[1].addr) {
		*off = addr - syms[0].addr;
		return &syms[0];
	}
	if (addr >= syms[5].addr && addr < syms[5].addr + 0x100) {
		*off = addr - syms[5].addr;
		return &syms[5];
	}
	return NULL;
}

static bool fake_loaded(struct st_catalog *c, const char *name)
{
	(void)c;
	return !strcmp(name, "9p");
}

static bool fake_text(struct st_catalog *c, const char *name, uint64_t *addr)
{
	(void)c;
	*addr = 0xffffffffc0000000ull;
	return !strcmp(name, "9p");
}

static const struct st_catalog_ops fake_ops = { NULL, NULL, fake_has, NULL, fake_ksyms, fake_kbtf, fake_at,
						fake_loaded, fake_text };
static struct st_catalog fake = { &fake_ops };

/* vfs_read(struct file *file, char *buf, size_t count) -> ssize_t, with
 * struct file { long f_pos @8; struct inode *f_inode @16; unsigned int
 * f_flags:4 @24 }, struct inode { unsigned long i_ino @0; char i_name[8] @8 };
 * vfs_write(struct file *file, int how); void do_nothing(void). */
static struct btf *make_btf(void)
{
	struct btf *b = btf__new_empty();
	int lng = btf__add_int(b, "long int", 8, BTF_INT_SIGNED);
	int ulng = btf__add_int(b, "long unsigned int", 8, 0);
	int chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	int uint = btf__add_int(b, "unsigned int", 4, 0);
	int in = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int sizet = btf__add_typedef(b, "size_t", ulng);
	int ssizet = btf__add_typedef(b, "ssize_t", lng);
	int arr = btf__add_array(b, in, chr, 8);
	int inode = btf__add_struct(b, "inode", 16);
	int pinode, file, pfile, pchar, proto;

	btf__add_field(b, "i_ino", ulng, 0, 0);
	btf__add_field(b, "i_name", arr, 64, 0);
	pinode = btf__add_ptr(b, inode);
	file = btf__add_struct(b, "file", 32);
	btf__add_field(b, "f_pos", lng, 64, 0);
	btf__add_field(b, "f_inode", pinode, 128, 0);
	btf__add_field(b, "f_flags", uint, 192, 4);
	pfile = btf__add_ptr(b, file);
	pchar = btf__add_ptr(b, chr);
	proto = btf__add_func_proto(b, ssizet);
	btf__add_func_param(b, "file", pfile);
	btf__add_func_param(b, "buf", pchar);
	btf__add_func_param(b, "count", sizet);
	btf__add_func(b, "vfs_read", BTF_FUNC_GLOBAL, proto);
	proto = btf__add_func_proto(b, in);
	btf__add_func_param(b, "file", pfile);
	btf__add_func_param(b, "how", in);
	btf__add_func(b, "vfs_write", BTF_FUNC_GLOBAL, proto);
	proto = btf__add_func_proto(b, 0);
	btf__add_func(b, "do_nothing", BTF_FUNC_GLOBAL, proto);
	return b;
}

static struct st_probe_point *got[16];
static int ngot;
static int collect(void *arg, struct st_probe_point *p)
{
	(void)arg;
	if (ngot < 16)
		got[ngot++] = p;
	return 0;
}

static struct st_pp_component comp[4];

static struct st_probe_point point(const char *first, const char *module, const char *func, const char *suffix)
{
	struct st_probe_point pp = { .comp = comp };

	memset(comp, 0, sizeof(comp));
	comp[0].name = first;
	if (module) {
		comp[0].has_arg = comp[0].arg_is_string = true;
		comp[0].arg_str = module;
	}
	comp[1] = (struct st_pp_component){ .name = "function", .has_arg = true, .arg_is_string = true, .arg_str = func };
	pp.ncomp = 2;
	if (suffix)
		comp[pp.ncomp++].name = suffix;
	return pp;
}

static int expand(struct st_arena *a, struct st_probe_point *pp, char **err)
{
	ngot = 0;
	free(*err);
	*err = NULL;
	return st_kernel_expand(&fake, a, pp, collect, NULL, err);
}

/* The fetch args a source gets when handlers read `fields`. */
static const char *fetch_of(struct st_family_point *fp, struct st_arena *a, char **fields, uint32_t n)
{
	static struct st_source s;

	memset(&s, 0, sizeof(s));
	s.kind = ST_SRC_KPROBE;
	st_kernel_source_init(&s, fp, a);
	s.fields = fields;
	s.nfields = n;
	st_kernel_source_fetch(&s, fp, a);
	return s.probe_fetch;
}

static void chains(struct st_family_point *fp, struct st_arena *a)
{
	struct st_btf_chain ch = { .root = ST_BTF_ROOT_ARG, .argname = "file" };
	const char *f;
	char msg[256], *fields[1];

	ch.step[0].member = "f_inode";
	ch.step[1].member = "i_ino";
	ch.nsteps = 2;
	f = st_kernel_chain_field(fp, &ch, msg, sizeof(msg));
	CHECK("chain $file->f_inode->i_ino resolves", f && !strncmp(f, "c_", 2));
	fields[0] = (char *)(f ? f : "");
	CHECK_STR("chain: one dereference per pointer, then the member", fetch_of(fp, a, fields, 1),
		  (snprintf(msg, sizeof(msg), "%s=+0(+16(%%di)):u64", f ? f : ""), msg));

	memset(&ch, 0, sizeof(ch));
	ch = (struct st_btf_chain){ .root = ST_BTF_ROOT_ARG, .argname = "file", .want_string = true };
	ch.step[0].member = "f_inode";
	ch.step[1].member = "i_name";
	ch.nsteps = 2;
	f = st_kernel_chain_field(fp, &ch, msg, sizeof(msg));
	fields[0] = (char *)(f ? f : "");
	CHECK_STR("kernel_string($file->f_inode->i_name): a char array's string", fetch_of(fp, a, fields, 1),
		  (snprintf(msg, sizeof(msg), "%s=+8(+16(%%di)):string", f ? f : ""), msg));

	ch = (struct st_btf_chain){ .root = ST_BTF_ROOT_ARG, .argname = "file" };
	ch.step[0].member = "f_flags";
	ch.nsteps = 1;
	f = st_kernel_chain_field(fp, &ch, msg, sizeof(msg));
	fields[0] = (char *)(f ? f : "");
	CHECK_STR("bitfield member: kprobe's bit type", fetch_of(fp, a, fields, 1),
		  (snprintf(msg, sizeof(msg), "%s=+24(%%di):b4@0/8", f ? f : ""), msg));

	ch = (struct st_btf_chain){ .root = ST_BTF_ROOT_ARG, .argname = "file" };
	ch.step[0].member = "f_nope";
	ch.nsteps = 1;
	CHECK("unknown member: stap's message", !st_kernel_chain_field(fp, &ch, msg, sizeof(msg)) &&
	      strstr(msg, "unable to find member 'f_nope' for struct file"));
}

static void context(struct st_arena *a)
{
	struct st_probe_point pp = point("kernel", NULL, "vfs_read", NULL);
	struct st_family_point fp, efp;
	const char *field = NULL;
	enum st_type t;
	char *err = NULL, fmt[256], targets[8][64], *fields[8], fbuf[ST_FIELD_NAME_MAX], sbuf[ST_FIELD_NAME_MAX];

	CHECK("vfs_read expands", expand(a, &pp, &err) == 1);
	CHECK("classify the concrete point", ngot == 1 && st_family_classify(got[0], &fp) == 0 &&
	      fp.kind == ST_SRC_KPROBE && fp.ksite && !strcmp(fp.event, "vfs_read") &&
	      !strcmp(fp.system, "staplet") && !strcmp(fp.ksite->target, "vfs_read"));
	CHECK("$count is parameter 3", st_family_var(&fake, &fp, "$count", true, fbuf, &field, &t) == ST_CTX_FIELD &&
	      !strcmp(field, "p_count") && t == ST_T_LONG);
	CHECK("no $return at the entry", st_family_var(&fake, &fp, "$return", true, fbuf, &field, &t) == ST_CTX_NONE);
	CHECK("$$parms prints every parameter", st_kernel_pretty(&fp, "$$parms", fmt, sizeof(fmt), targets, 8) == 3 &&
	      !strcmp(fmt, "file=%#x buf=%#x count=%#x") && !strcmp(targets[2], "$count"));
	CHECK("$count$ prints as an unsigned", st_kernel_pretty(&fp, "$count$", fmt, sizeof(fmt), targets, 8) == 1 &&
	      !strcmp(fmt, "%u"));
	fields[0] = "p_count";
	fields[1] = (char *)st_kernel_string_field(&fp, "$buf", true, sbuf);
	fields[2] = "karg_2_u64";
	fields[3] = "karg_7_s32";
	fields[4] = "kreg_di";
	fields[5] = "kreg_ax_32";
	CHECK_STR("fetch args of what handlers read", fetch_of(&fp, a, fields, 6),
		  "p_count=%dx:u64 ustr_p_buf=+0(%si):ustring karg_2_u64=%si:u64 karg_7_s32=+8(%sp):s32 "
		  "kreg_di=%di:s64 kreg_ax_32=%ax:s32");
	CHECK("register names", st_kernel_reg_field("rdi", fmt, sizeof(fmt)) && !strcmp(fmt, "kreg_di") &&
	      st_kernel_reg_field("eax", fmt, sizeof(fmt)) && !strcmp(fmt, "kreg_ax_32") &&
	      st_kernel_reg_field("r12", fmt, sizeof(fmt)) && !strcmp(fmt, "kreg_r12") &&
	      !st_kernel_reg_field("xmm0", fmt, sizeof(fmt)));
	chains(&fp, a);

	pp = point("kernel", NULL, "vfs_read", "return");
	CHECK("vfs_read.return expands", expand(a, &pp, &err) == 1 && st_family_classify(got[0], &fp) == 0 &&
	      fp.is_return && !strcmp(fp.event, "vfs_read__return"));
	CHECK("$return of ssize_t", st_family_var(&fake, &fp, "$return", true, fbuf, &field, &t) == ST_CTX_FIELD &&
	      !strcmp(field, "ret"));
	fields[0] = "ret";
	CHECK_STR("$return fetches $retval", fetch_of(&fp, a, fields, 1), "ret=$retval:s64");
	CHECK("$count in .return: an entry read", st_family_entry_var(&fp, "$count") &&
	      st_family_entry_point(&fp, &efp) == 0 && !strcmp(efp.event, "vfs_read") && !efp.is_return);
	CHECK("$$return", st_kernel_pretty(&fp, "$$return", fmt, sizeof(fmt), targets, 8) == 1 &&
	      !strcmp(fmt, "return=%#x"));

	pp = point("kernel", NULL, "do_nothing", "return");
	CHECK("void function: no $return", expand(a, &pp, &err) == 1 && st_family_classify(got[0], &fp) == 0 &&
	      st_family_var(&fake, &fp, "$return", true, fbuf, &field, &t) == ST_CTX_NONE);
	free(err);
}

static void points(struct st_arena *a)
{
	struct st_probe_point pp = point("kernel", NULL, "vfs_*", "return");
	struct st_family_point fp;
	char *err = NULL;
	char sig[256];

	with_kprobes = false;
	CHECK("kernel.function is the kernel family", st_kernel_is_family(&pp));
	CHECK("no kprobes: -EOPNOTSUPP", expand(a, &pp, &err) == -EOPNOTSUPP);
	CHECK_STR("no kprobes: the error names the probe and what is missing", err,
		  "probe point kernel.function(\"vfs_*\").return cannot attach: this kernel lacks kprobes "
		  "(no kprobe_events) and BPF fentry");
	with_kprobes = true;
	CHECK("glob: functions BTF describes", expand(a, &pp, &err) == 2 && ngot == 2 &&
	      !strcmp(got[0]->comp[1].arg_str, "vfs_read") && !strcmp(got[1]->comp[1].arg_str, "vfs_write"));
	CHECK("-L signature", st_family_classify(got[0], &fp) == 0 &&
	      (st_kernel_signature(fp.ksite, sig, sizeof(sig)), !strcmp(sig, "$return:ssize_t $file:struct file* "
									     "$buf:char* $count:size_t")));
	pp = point("kernel", NULL, "vfs_nobtf", NULL);
	CHECK("an exact name without BTF still probes", expand(a, &pp, &err) == 1);
	pp = point("kernel", NULL, "vfs_*", "exported");
	CHECK(".exported: __ksymtab_ entries only", expand(a, &pp, &err) == 1 && !strcmp(got[0]->comp[1].arg_str,
											  "vfs_read"));
	pp = point("kernel", NULL, "do_nothing", NULL);
	CHECK("a repeated name is probed by address", expand(a, &pp, &err) == 1 &&
	      st_family_classify(got[0], &fp) == 0 && !strcmp(fp.ksite->target, "0xffffffff81300300"));
	pp = point("kprobe", NULL, "vfs_*", NULL);
	CHECK("kprobe.function: no wildcards", expand(a, &pp, &err) == -EINVAL && err && strstr(err, "wildcards"));
	pp = point("kernel", NULL, "vfs_read@fs/read_write.c", NULL);
	CHECK("a source file needs DWARF, named by its package", expand(a, &pp, &err) == -EOPNOTSUPP &&
	      strstr(err, "linux-image-") && strstr(err, "-dbg"));
	pp = point("module", "9p", "v9fs_open", NULL);
	CHECK("module function", expand(a, &pp, &err) == 1 && st_family_classify(got[0], &fp) == 0 &&
	      !strcmp(fp.ksite->target, "9p:v9fs_open") && !strcmp(fp.event, "m_9p__v9fs_open"));
	pp = point("module", "ext4", "ext4_*", NULL);
	CHECK("a module not loaded: no match", expand(a, &pp, &err) == 0);
	pp = point("module", "*", "v9fs_*", NULL);
	CHECK("module(\"*\").function(glob): functions BTF describes", expand(a, &pp, &err) == 0);
	pp = point("module", "*", "v9fs_open", NULL);
	CHECK("module(\"*\") names the function's module", expand(a, &pp, &err) == 1 &&
	      !strcmp(got[0]->comp[0].arg_str, "9p"));

	memset(comp, 0, sizeof(comp));
	comp[0].name = "kernel";
	comp[1] = (struct st_pp_component){ .name = "statement", .has_arg = true, .arg_num = (int64_t)0xffffffff81300010ull };
	comp[2].name = "absolute";
	pp = (struct st_probe_point){ .comp = comp, .ncomp = 3 };
	CHECK("statement(ADDR).absolute: function+offset", expand(a, &pp, &err) == 1 &&
	      st_family_classify(got[0], &fp) == 0 && !strcmp(fp.ksite->target, "vfs_read+16") &&
	      !strcmp(fp.event, "vfs_read_10"));
	comp[1].arg_num = (int64_t)0xffffffff80300010ull;
	pp.ncomp = 2;
	CHECK("statement(ADDR): relocated by _text", expand(a, &pp, &err) == 1 &&
	      st_family_classify(got[0], &fp) == 0 && !strcmp(fp.ksite->target, "vfs_read+16"));
	comp[0] = (struct st_pp_component){ .name = "module", .has_arg = true, .arg_is_string = true, .arg_str = "9p" };
	comp[1].arg_num = 0x1008;
	CHECK("module(M).statement(ADDR): relative to the module's .text", expand(a, &pp, &err) == 1 &&
	      st_family_classify(got[0], &fp) == 0 && !strcmp(fp.ksite->target, "9p:v9fs_open+8"));
	comp[1].arg_num = 0x9000;
	CHECK("module(M).statement(ADDR) outside its text: an error", expand(a, &pp, &err) == -ENOENT);
	comp[0].arg_str = "ext4";
	CHECK("module(M).statement(ADDR), M not loaded: no match", expand(a, &pp, &err) == 0);
	free(err);
}

int main(void)
{
	char buf[512];
	struct st_arena arena;

	CHECK("definition entry", st_kprobe_definition(buf, sizeof(buf), "staplet_42", "vfs_read", "vfs_read",
						       false, 0, "file=%di:u64 count=%dx:u64") == 0 &&
	      !strcmp(buf, "p:staplet_42/vfs_read vfs_read file=%di:u64 count=%dx:u64"));
	CHECK("definition return, maxactive", st_kprobe_definition(buf, sizeof(buf), "g", "vfs_read__return",
								   "vfs_read", true, 20, "ret=$retval:s64") == 0 &&
	      !strcmp(buf, "r20:g/vfs_read__return vfs_read ret=$retval:s64"));
	CHECK("definition module", st_kprobe_definition(buf, sizeof(buf), "g", "e", "9p:v9fs_open", false, 0, "") == 0 &&
	      !strcmp(buf, "p:g/e 9p:v9fs_open"));
	CHECK("definition too long", st_kprobe_definition(buf, 8, "g", "e", "function", false, 0, NULL) == -ENOSPC);

	fake_btf = make_btf();
	CHECK("fake BTF", fake_btf != NULL);
	CHECK("BTF fetch args of vfs_read", st_kprobe_fetchargs(fake_btf, "vfs_read", false, buf, sizeof(buf)) == 0);
	CHECK_STR("registers and types", buf, "file=%di:u64 buf=%si:u64 count=%dx:u64");
	CHECK("BTF return", st_kprobe_fetchargs(fake_btf, "vfs_write", true, buf, sizeof(buf)) == 0);
	CHECK_STR("int return is s32", buf, "return=$retval:s32");
	CHECK("unknown function", st_kprobe_fetchargs(fake_btf, "nope", false, buf, sizeof(buf)) == -ENOENT);

	st_arena_init(&arena, 4096);
	with_kprobes = true;
	points(&arena);
	context(&arena);
	st_arena_free(&arena);
	btf__free(fake_btf);
	return check_failures != 0;
}
