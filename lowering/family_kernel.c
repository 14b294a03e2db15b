/* family_kernel.c - kernel probe points: which exist (the catalog's kernel
 * symbols), what BTF says of their parameters, and the kprobe each becomes.
 * See family_kernel.h; context variables are kprobe_ctx.c's.
 *
 * Each concrete point is registered with its site, as process points are:
 * classification finds it again by the point it expanded to. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "frontend/frontend.h"
#include "lowering/catalog.h"
#include "lowering/families.h"
#include "lowering/family_kernel.h"

/* Sites live for the run: lowering and listing read them after expansion. */
static struct st_kprobe_site **sites;
static uint32_t nsites;
static bool cleanup_registered;

static void sites_free(void)
{
	for (uint32_t i = 0; i < nsites; i++)
		free(sites[i]);
	free(sites);
	sites = NULL;
	nsites = 0;
}

static int register_site(struct st_kprobe_site *s)
{
	struct st_kprobe_site **n = realloc(sites, sizeof(*n) * (nsites + 1));

	if (!n)
		return -ENOMEM;
	if (!cleanup_registered) {
		atexit(sites_free);
		cleanup_registered = true;
	}
	sites = n;
	sites[nsites++] = s;
	return 0;
}

static bool comp_is(const struct st_probe_point *pp, uint32_t i, const char *name)
{
	return i < pp->ncomp && strcmp(pp->comp[i].name, name) == 0;
}

static bool str_arg(const struct st_probe_point *pp, uint32_t i)
{
	return i < pp->ncomp && pp->comp[i].has_arg && pp->comp[i].arg_is_string;
}

static bool num_arg(const struct st_probe_point *pp, uint32_t i)
{
	return i < pp->ncomp && pp->comp[i].has_arg && !pp->comp[i].arg_is_string;
}

/* What a point says: its parts, by component. */
struct shape {
	bool kprobe;                 /* kprobe.*: exact names, no DWARF forms */
	const char *module;          /* module("M") / kprobe.module("M"); NULL: vmlinux */
	uint32_t fi;                 /* index of function/statement */
	bool stmt, addr, absolute;   /* statement; by number; .absolute */
	const char *pattern;         /* function or statement string */
	uint64_t address;
	bool ret, call, exported, inline_;
	uint32_t maxactive;
};

static int parse_shape(const struct st_probe_point *pp, struct shape *sh)
{
	uint32_t i;

	memset(sh, 0, sizeof(*sh));
	if (comp_is(pp, 0, "kernel") && !pp->comp[0].has_arg) {
		i = 1;
	} else if (comp_is(pp, 0, "module") && str_arg(pp, 0)) {
		sh->module = pp->comp[0].arg_str;
		i = 1;
	} else if (comp_is(pp, 0, "kprobe") && !pp->comp[0].has_arg) {
		sh->kprobe = true;
		i = 1;
		if (comp_is(pp, 1, "module") && str_arg(pp, 1)) {
			sh->module = pp->comp[1].arg_str;
			i = 2;
		}
	} else {
		return -1;
	}
	sh->fi = i;
	if (comp_is(pp, i, "function") && str_arg(pp, i)) {
		sh->pattern = pp->comp[i].arg_str;
	} else if (comp_is(pp, i, "statement") && (str_arg(pp, i) || num_arg(pp, i)) && !(sh->kprobe && sh->module)) {
		sh->stmt = true;
		sh->addr = num_arg(pp, i);
		sh->pattern = sh->addr ? NULL : pp->comp[i].arg_str;
		sh->address = sh->addr ? (uint64_t)pp->comp[i].arg_num : 0;
		if (sh->kprobe && !sh->addr)
			return -1;
	} else {
		return -1;
	}
	for (i++; i < pp->ncomp; i++) {
		const char *n = pp->comp[i].name;

		if (!strcmp(n, "maxactive") && num_arg(pp, i) && sh->ret && !sh->stmt)
			sh->maxactive = (uint32_t)pp->comp[i].arg_num;
		else if (pp->comp[i].has_arg)
			return -1;
		else if (!strcmp(n, "return") && !sh->stmt && !sh->ret)
			sh->ret = true;
		else if (!strcmp(n, "call") && !sh->stmt && !sh->kprobe && !sh->ret)
			sh->call = true;
		else if (!strcmp(n, "exported") && !sh->stmt && !sh->kprobe && !sh->ret)
			sh->exported = true;
		else if (!strcmp(n, "inline") && !sh->stmt && !sh->kprobe && !sh->ret)
			sh->inline_ = true;
		else if ((!strcmp(n, "absolute") && sh->addr && !sh->module) || (!strcmp(n, "nearest") && sh->stmt))
			sh->absolute = sh->absolute || !strcmp(n, "absolute");
		else
			return -1;
	}
	/* kprobe.statement(ADDR) is always an absolute address */
	if (sh->kprobe && sh->stmt && !sh->absolute)
		return -1;
	return 0;
}

bool st_kernel_is_family(const struct st_probe_point *pp)
{
	struct shape sh;

	return parse_shape(pp, &sh) == 0;
}

static char *point_text(const struct st_probe_point *pp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (uint32_t i = 0; i < pp->ncomp; i++) {
		fprintf(f, "%s%s", i ? "." : "", pp->comp[i].name);
		if (pp->comp[i].has_arg && pp->comp[i].arg_is_string)
			fprintf(f, "(\"%s\")", pp->comp[i].arg_str);
		else if (pp->comp[i].has_arg)
			fprintf(f, "(%#llx)", (unsigned long long)pp->comp[i].arg_num);
	}
	fclose(f);
	return buf;
}

static int fail(char **err, int rc, const char *fmt, const char *a, const char *b)
{
	free(*err);
	if (asprintf(err, fmt, a, b) < 0)
		*err = NULL;
	return rc;
}

/* ---- BTF: prototypes and their types ---- */

static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id, uint32_t *out)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (out)
		*out = id;
	return t;
}

const char *st_kprobe_fetch_type(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = skip_mods(btf, id, NULL);

	if (!t)
		return "u64";
	if (btf_is_int(t)) {
		bool sign = btf_int_encoding(t) & BTF_INT_SIGNED;

		switch (t->size) {
		case 1: return sign ? "s8" : "u8";
		case 2: return sign ? "s16" : "u16";
		case 4: return sign ? "s32" : "u32";
		case 8: return sign ? "s64" : "u64";
		default: return "";
		}
	}
	if (btf_is_enum(t))
		return t->size == 8 ? "s64" : t->size == 4 ? "s32" : t->size == 2 ? "s16" : "s8";
	if (btf_is_ptr(t) || btf_is_enum64(t))
		return "u64";
	return "";      /* a struct or union by value: not in one register */
}

/* stap's type names: "struct file*", "char const*", "size_t". */
void st_kprobe_type_name(const struct btf *btf, uint32_t id, char *buf, size_t n)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *nm;
	char inner[160];

	if (!id || !t) {
		snprintf(buf, n, "void");
		return;
	}
	nm = btf__name_by_offset(btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		st_kprobe_type_name(btf, t->type, inner, sizeof(inner));
		snprintf(buf, n, "%s*", inner);
		return;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
		st_kprobe_type_name(btf, t->type, inner, sizeof(inner));
		snprintf(buf, n, "%s %s", inner, btf_is_const(t) ? "const" : "volatile");
		return;
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		st_kprobe_type_name(btf, t->type, buf, n);
		return;
	case BTF_KIND_STRUCT: snprintf(buf, n, "struct %s", nm && *nm ? nm : "{...}"); return;
	case BTF_KIND_UNION: snprintf(buf, n, "union %s", nm && *nm ? nm : "{...}"); return;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: snprintf(buf, n, "enum %s", nm && *nm ? nm : "{...}"); return;
	case BTF_KIND_FUNC_PROTO: snprintf(buf, n, "void"); return;   /* a function pointer's target */
	case BTF_KIND_ARRAY:
		st_kprobe_type_name(btf, btf_array(t)->type, inner, sizeof(inner));
		snprintf(buf, n, "%s[%u]", inner, btf_array(t)->nelems);
		return;
	default:
		snprintf(buf, n, "%s", nm && *nm ? nm : "void");
	}
}

static const struct btf_type *func_proto(const struct btf *btf, const char *func)
{
	int id = btf ? btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) : -ENOENT;
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, (uint32_t)id) : NULL;

	t = t ? btf__type_by_id(btf, t->type) : NULL;
	return t && btf_is_func_proto(t) ? t : NULL;
}

/* The site's parameters and return type from BTF, when it knows them. */
static void site_proto(struct st_kprobe_site *s)
{
	const struct btf_type *proto = s->stmt ? NULL : func_proto(s->btf, s->func);
	const struct btf_param *p;

	if (!proto)
		return;
	s->proto = true;
	s->ret_type = proto->type;
	snprintf(s->ret_fetch, sizeof(s->ret_fetch), "%s", proto->type ? st_kprobe_fetch_type(s->btf, proto->type) : "");
	p = btf_params(proto);
	for (uint16_t i = 0; i < btf_vlen(proto) && s->nparams < ST_KPARAM_MAX; i++) {
		struct st_kparam *k = &s->params[s->nparams];
		const char *name = btf__name_by_offset(s->btf, p[i].name_off);
		const struct btf_type *t;

		if (!name || !*name)
			break;     /* varargs */
		snprintf(k->name, sizeof(k->name), "%s", name);
		snprintf(k->fetch, sizeof(k->fetch), "%s", st_kprobe_fetch_type(s->btf, p[i].type));
		k->type = p[i].type;
		t = skip_mods(s->btf, p[i].type, NULL);
		k->is_ptr = t && btf_is_ptr(t);
		s->nparams++;
	}
}

int st_kprobe_fetchargs(const struct btf *btf, const char *func, bool ret, char *buf, size_t n)
{
	static const char *const regs[] = { "%di", "%si", "%dx", "%cx", "%r8", "%r9" };
	const struct btf_type *proto = func_proto(btf, func);
	const struct btf_param *p;
	size_t used = 0;

	buf[0] = 0;
	if (!proto)
		return -ENOENT;
	if (ret) {
		snprintf(buf, n, "return=$retval:%s", proto->type ? st_kprobe_fetch_type(btf, proto->type) : "u64");
		return 0;
	}
	p = btf_params(proto);
	for (uint16_t i = 0; i < btf_vlen(proto) && i < 6; i++) {
		const char *name = btf__name_by_offset(btf, p[i].name_off), *ft = st_kprobe_fetch_type(btf, p[i].type);
		int w;

		if (!name || !*name)
			break;     /* varargs */
		if (!*ft)
			continue;
		w = snprintf(buf + used, n - used, "%s%s=%s:%s", used ? " " : "", name, regs[i], ft);
		if (w < 0 || (size_t)w >= n - used)
			return -ENOSPC;
		used += (size_t)w;
	}
	return 0;
}

int st_kprobe_definition(char *buf, size_t n, const char *group, const char *event, const char *target, bool ret,
			 uint32_t maxactive, const char *fetch)
{
	char kind[16];
	int w;

	if (ret && maxactive)
		snprintf(kind, sizeof(kind), "r%u", maxactive);
	else
		snprintf(kind, sizeof(kind), "%c", ret ? 'r' : 'p');
	w = snprintf(buf, n, "%s:%s/%s %s%s%s", kind, group, event, target, fetch && *fetch ? " " : "",
		     fetch ? fetch : "");
	return w < 0 || (size_t)w >= n ? -ENOSPC : 0;
}

/* ---- sites and their event names ---- */

static uint32_t fnv(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* "vfs_read", "vfs_read__return", "m_9p__v9fs_open", "vfs_read_4",
 * "addr_ffffffff81234567": names tracefs accepts, unique per site. */
static void make_event(struct st_kprobe_site *s, uint64_t off)
{
	char base[256], key[300];
	size_t i, n;

	if (s->func[0] && off)
		snprintf(base, sizeof(base), "%s%s%s_%llx", s->module[0] ? s->module : "", s->module[0] ? "__" : "",
			 s->func, (unsigned long long)off);
	else if (s->func[0])
		snprintf(base, sizeof(base), "%s%s%s%s", s->module[0] ? s->module : "", s->module[0] ? "__" : "",
			 s->func, s->ret ? "__return" : "");
	else
		snprintf(base, sizeof(base), "addr_%s", s->target + 2);
	if (s->module[0])
		snprintf(key, sizeof(key), "m_%s", base);
	else
		snprintf(key, sizeof(key), "%s", base);
	for (i = 0; key[i]; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= 'A' && key[i] <= 'Z') ||
		      (key[i] >= '0' && key[i] <= '9') || key[i] == '_'))
			key[i] = '_';
	n = strlen(key);
	if (n < sizeof(s->event))
		memcpy(s->event, key, n + 1);
	else
		snprintf(s->event, sizeof(s->event), "%.50s_%08x", key, fnv(key));
}

static struct st_kprobe_site *site_new(struct st_catalog *c, const struct shape *sh, const struct st_ksym *sym,
				       uint64_t off, uint64_t abs_addr)
{
	struct st_kprobe_site *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->ret = sh->ret;
	s->stmt = sh->stmt;
	s->maxactive = sh->maxactive;
	if (sym) {
		snprintf(s->func, sizeof(s->func), "%s", sym->name);
		snprintf(s->module, sizeof(s->module), "%s", sym->module ? sym->module : "");
		/* a name kallsyms repeats: kprobe_events wants it by address */
		if (sym->ambiguous)
			snprintf(s->target, sizeof(s->target), "0x%llx", (unsigned long long)(sym->addr + off));
		else if (off)
			snprintf(s->target, sizeof(s->target), "%s%s%s+%llu", sym->module ? sym->module : "",
				 sym->module ? ":" : "", sym->name, (unsigned long long)off);
		else
			snprintf(s->target, sizeof(s->target), "%s%s%s", sym->module ? sym->module : "",
				 sym->module ? ":" : "", sym->name);
	} else {
		snprintf(s->target, sizeof(s->target), "0x%llx", (unsigned long long)abs_addr);
	}
	s->btf = c->ops->kbtf ? c->ops->kbtf(c, sym && sym->module ? sym->module : NULL) : NULL;
	if (!s->stmt || !off)
		s->stmt = false;     /* a statement at a function's first byte is its entry */
	site_proto(s);
	make_event(s, off);
	return s;
}

/* ---- expansion ---- */

struct emit {
	struct st_catalog *c;
	struct st_arena *arena;
	const struct st_probe_point *pp;
	const struct shape *sh;
	bool wild;
	int (*add)(void *arg, struct st_probe_point *concrete);
	void *arg;
	int count, rc;
};

/* The concrete point: the pattern narrowed to one function, as written
 * otherwise (module("*") becomes the function's module). */
static int emit_point(struct emit *em, struct st_kprobe_site *s, const char *arg)
{
	const struct st_probe_point *pp = em->pp;
	struct st_probe_point *p = (void *)st_arena_alloc(em->arena, sizeof(*p));
	size_t len;

	*p = *pp;
	p->comp = (void *)st_arena_alloc(em->arena, sizeof(*p->comp) * pp->ncomp);
	memcpy(p->comp, pp->comp, sizeof(*p->comp) * pp->ncomp);
	if (arg) {
		len = strlen(arg);
		p->comp[em->sh->fi].arg_str = st_arena_strndup(em->arena, arg, len, len);
	}
	if (em->sh->module && s->module[0] && em->sh->fi >= 1) {
		len = strlen(s->module);
		p->comp[em->sh->fi - 1].arg_str = st_arena_strndup(em->arena, s->module, len, len);
	}
	s->pp = p;
	if (register_site(s) < 0) {
		free(s);
		return -ENOMEM;
	}
	em->count++;
	return em->add(em->arg, p) < 0 ? -ECANCELED : 0;
}

static int emit_function(void *arg, const struct st_ksym *sym)
{
	struct emit *em = arg;
	struct st_kprobe_site *s;

	if (em->sh->exported && !sym->exported)
		return 0;
	/* a wildcard covers functions BTF describes, as bpftrace's does */
	if (em->wild && em->c->ops->kbtf && !func_proto(em->c->ops->kbtf(em->c, sym->module), sym->name))
		return 0;
	s = site_new(em->c, em->sh, sym, 0, 0);
	if (!s) {
		em->rc = -ENOMEM;
		return 1;
	}
	em->rc = emit_point(em, s, sym->name);
	return em->rc < 0;
}

/* "f@file:line", "*@fs/proc*.c": source positions only DWARF knows. */
static int dwarf_error(const struct st_probe_point *pp, char **err)
{
	char *t = point_text(pp);
	int r = fail(err, -EOPNOTSUPP, "%s needs the kernel's debuginfo (DWARF) for source files and lines, "
		     "which staplet reads from linux-image-%s-dbg (/usr/lib/debug/boot); BTF and kallsyms "
		     "name functions only", t ? t : "?", "$(uname -r)");

	free(t);
	return r;
}

static int first_sym(void *arg, const struct st_ksym *sym)
{
	*(const struct st_ksym **)arg = sym;
	return 1;
}

static int expand_address(struct emit *em, char **err)
{
	const struct shape *sh = em->sh;
	struct st_catalog *c = em->c;
	const struct st_ksym *sym = NULL, *text = NULL;
	uint64_t addr = sh->address, off = 0;
	struct st_kprobe_site *s;

	if (!c->ops->ksym_at || !c->ops->ksyms)
		return fail(err, -ENOENT, "%s%s", "no kernel symbols to place a statement probe", "");
	if (sh->module) {
		uint64_t text;

		/* relative to the module's .text, as stap's module("M").statement(ADDR) */
		if (strpbrk(sh->module, "*?[") || !c->ops->module_text || !c->ops->module_text(c, sh->module, &text))
			return 0;     /* not loaded: no match */
		addr += text;
	} else if (!sh->absolute) {
		/* stap's kernel.statement(ADDR) is an address of the vmlinux
		 * image: relocate it by where _text landed (KASLR) */
		c->ops->ksyms(c, NULL, "_text", false, first_sym, &text);
		if (text)
			addr = addr - 0xffffffff81000000ull + text->addr;
	}
	sym = c->ops->ksym_at(c, addr, &off);
	if (sh->module && (!sym || !sym->module || strcmp(sym->module, sh->module)))
		return fail(err, -ENOENT, "module(\"%s\").statement(%s): the address is not in the module's text",
			    sh->module, "ADDR");
	s = site_new(c, sh, sym, sym ? off : 0, addr);
	if (!s)
		return -ENOMEM;
	return emit_point(em, s, NULL);
}

int st_kernel_expand(struct st_catalog *c, struct st_arena *arena, const struct st_probe_point *pp,
		     int (*add)(void *arg, struct st_probe_point *concrete), void *arg, char **err)
{
	struct shape sh;
	struct emit em = { c, arena, pp, &sh, false, add, arg, 0, 0 };
	char fn[256];
	int r;

	if (parse_shape(pp, &sh) < 0)
		return 0;
	if (!c->ops->has(c, ST_CAP_KPROBES)) {
		char *t = point_text(pp);

		r = fail(err, -EOPNOTSUPP, "probe point %s cannot attach: this kernel lacks kprobes (no "
			 "kprobe_events) and BPF fentry%s", t ? t : "?", "");
		free(t);
		return r;
	}
	if (sh.stmt && sh.pattern)
		return dwarf_error(pp, err);
	if (sh.addr)
		return (r = expand_address(&em, err)) < 0 ? r : em.count;
	if (strchr(sh.pattern, '@'))
		return dwarf_error(pp, err);
	snprintf(fn, sizeof(fn), "%.*s", (int)strcspn(sh.pattern, ":+"), sh.pattern);
	em.wild = strpbrk(fn, "*?[") != NULL;
	if (sh.kprobe && (em.wild || (sh.module && strpbrk(sh.module, "*?["))))
		return fail(err, -EINVAL, "kprobe.function(\"%s\"): wildcards are not allowed in kprobe probes%s",
			    fn, "");
	/* inline copies have no symbol: only DWARF lists them */
	if (sh.inline_)
		return 0;
	if (!c->ops->ksyms)
		return fail(err, -ENOENT, "%s%s", "no kernel symbols (/proc/kallsyms) to resolve kernel functions", "");
	if (sh.module && !strpbrk(sh.module, "*?[") && c->ops->module_loaded && !c->ops->module_loaded(c, sh.module))
		return 0;     /* stap: no match (a `?` point is skipped) */
	r = c->ops->ksyms(c, sh.module, fn, em.wild, emit_function, &em);
	if (em.rc < 0)
		return em.rc;
	if (r < 0)
		return fail(err, r, "cannot read the kernel's symbols: %s%s", strerror(-r), "");
	return em.count;
}

/* ---- classification ---- */

static const struct st_kprobe_site *site_for(const struct st_probe_point *pp)
{
	for (uint32_t i = 0; i < nsites; i++)
		if (sites[i]->pp == pp)
			return sites[i];
	/* the same point text (a point copied after expansion) */
	for (uint32_t i = 0; i < nsites; i++) {
		const struct st_probe_point *q = sites[i]->pp;
		bool same = q && q->ncomp == pp->ncomp;

		for (uint32_t k = 0; same && k < pp->ncomp; k++)
			same = !strcmp(q->comp[k].name, pp->comp[k].name) && q->comp[k].has_arg == pp->comp[k].has_arg &&
			       (!q->comp[k].has_arg ||
				(q->comp[k].arg_is_string ? pp->comp[k].arg_is_string &&
				 !strcmp(q->comp[k].arg_str, pp->comp[k].arg_str) : q->comp[k].arg_num == pp->comp[k].arg_num));
		if (same)
			return sites[i];
	}
	return NULL;
}

int st_kernel_classify(const struct st_probe_point *pp, struct st_family_point *fp)
{
	const struct st_kprobe_site *s;

	if (!st_kernel_is_family(pp))
		return -ENOENT;
	s = site_for(pp);
	if (!s)
		return -ENOENT;
	memset(fp, 0, sizeof(*fp));
	fp->kind = ST_SRC_KPROBE;
	fp->ksite = s;
	fp->is_return = s->ret;
	snprintf(fp->symbol, sizeof(fp->symbol), "%s", s->func);
	snprintf(fp->system, sizeof(fp->system), "%s", ST_KPROBE_SYSTEM);
	snprintf(fp->event, sizeof(fp->event), "%s", s->event);
	return 0;
}

const struct st_kprobe_site *st_kernel_entry_site(const struct st_kprobe_site *r)
{
	struct st_kprobe_site *e, *rs = (struct st_kprobe_site *)r;

	if (!r->ret)
		return NULL;
	if (r->entry)
		return r->entry;
	e = malloc(sizeof(*e));
	if (!e)
		return NULL;
	*e = *r;
	e->pp = NULL;
	e->ret = false;
	e->maxactive = 0;
	e->entry = NULL;
	make_event(e, 0);
	if (register_site(e) < 0) {
		free(e);
		return NULL;
	}
	return rs->entry = e;
}
