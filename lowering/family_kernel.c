/* family_kernel.c - kernel function probe points: which exist (kallsyms),
 * how they read their arguments (BTF), and the tracefs kprobe definition
 * that serves each.  See family_kernel.h. */
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

const char *st_kallsyms_path = "/proc/kallsyms";

static bool comp_is(const struct st_probe_point *pp, uint32_t i, const char *name)
{
	return i < pp->ncomp && strcmp(pp->comp[i].name, name) == 0;
}

static bool str_arg(const struct st_probe_point *pp, uint32_t i)
{
	return i < pp->ncomp && pp->comp[i].has_arg && pp->comp[i].arg_is_string;
}

/* The index of the function/statement component, or -1: kernel.function(P),
 * module(M).function(P), kernel.statement(P), kprobe.function(F),
 * kprobe.module(M).function(F); suffixes .call, .return, .exported. */
static int func_comp(const struct st_probe_point *pp)
{
	uint32_t i;

	if (comp_is(pp, 0, "kernel") && !pp->comp[0].has_arg)
		i = 1;
	else if (comp_is(pp, 0, "module") && str_arg(pp, 0))
		i = 1;
	else if (comp_is(pp, 0, "kprobe") && !pp->comp[0].has_arg)
		i = comp_is(pp, 1, "module") && str_arg(pp, 1) ? 2 : 1;
	else
		return -1;
	if (!(comp_is(pp, i, "function") || comp_is(pp, i, "statement")) || !str_arg(pp, i))
		return -1;
	for (uint32_t j = i + 1; j < pp->ncomp; j++)
		if (!(comp_is(pp, j, "call") || comp_is(pp, j, "return") || comp_is(pp, j, "exported") ||
		      comp_is(pp, j, "nearest") || comp_is(pp, j, "maxactive")))
			return -1;
	return (int)i;
}

bool st_kernel_is_family(const struct st_probe_point *pp)
{
	return func_comp(pp) >= 0;
}

static bool is_return(const struct st_probe_point *pp)
{
	for (uint32_t j = 0; j < pp->ncomp; j++)
		if (comp_is(pp, j, "return"))
			return true;
	return false;
}

/* "func@file:line" -> "func" */
static void func_name(const char *pat, char *out, size_t n)
{
	snprintf(out, n, "%.*s", (int)strcspn(pat, "@:+"), pat);
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
			fprintf(f, "(%lld)", (long long)pp->comp[i].arg_num);
	}
	fclose(f);
	return buf;
}

int st_kernel_expand(struct st_catalog *c, struct st_arena *arena, const struct st_probe_point *pp,
		     int (*add)(void *arg, struct st_probe_point *concrete), void *arg, char **err)
{
	int fi = func_comp(pp), count = 0;
	char pat[256], line[512], sym[256], type;
	unsigned long long addr;
	FILE *f;

	if (fi < 0)
		return 0;
	if (!c->ops->has(c, ST_CAP_KPROBES) && !c->ops->has(c, ST_CAP_FENTRY)) {
		char *t = point_text(pp);

		if (asprintf(err, "probe point %s cannot attach: this kernel lacks kprobes (no kprobe_events) "
			     "and BPF fentry", t ? t : "?") < 0)
			*err = NULL;
		free(t);
		return -EOPNOTSUPP;
	}
	func_name(pp->comp[fi].arg_str, pat, sizeof(pat));
	if (comp_is(pp, 0, "kprobe") && strpbrk(pat, "*?[")) {
		if (asprintf(err, "kprobe.function(\"%s\"): wildcards are not allowed in kprobe probes", pat) < 0)
			*err = NULL;
		return -EINVAL;
	}
	f = fopen(st_kallsyms_path, "re");
	if (!f) {
		if (asprintf(err, "cannot read %s: kernel symbols are needed for %s probes", st_kallsyms_path,
			     pp->comp[0].name) < 0)
			*err = NULL;
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		struct st_probe_point *p;
		size_t len;

		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) != 3 || (type != 't' && type != 'T'))
			continue;
		if (!strncmp(sym, "__pfx_", 6) || strchr(sym, '.') || fnmatch(pat, sym, 0) != 0)
			continue;
		/* one concrete point per function: the pattern component narrowed to it */
		p = (void *)st_arena_alloc(arena, sizeof(*p));
		*p = *pp;
		p->comp = (void *)st_arena_alloc(arena, sizeof(*p->comp) * pp->ncomp);
		memcpy(p->comp, pp->comp, sizeof(*p->comp) * pp->ncomp);
		len = strlen(sym);
		p->comp[fi].arg_str = st_arena_strndup(arena, sym, len, len);
		count++;
		if (add(arg, p) < 0) {
			fclose(f);
			return -ECANCELED;
		}
		if (!strpbrk(pat, "*?["))
			break;       /* static duplicates: the first is the probe */
	}
	fclose(f);
	return count;
}

int st_kernel_classify(const struct st_probe_point *pp, struct st_family_point *fp)
{
	int fi = func_comp(pp);
	char fn[96];

	if (fi < 0)
		return -ENOENT;
	memset(fp, 0, sizeof(*fp));
	fp->kind = ST_SRC_KPROBE;
	fp->is_return = is_return(pp);
	func_name(pp->comp[fi].arg_str, fn, sizeof(fn));
	snprintf(fp->symbol, sizeof(fp->symbol), "%s", fn);
	snprintf(fp->system, sizeof(fp->system), "staplet");
	snprintf(fp->event, sizeof(fp->event), "%s%s", fn, fp->is_return ? "__return" : "");
	return 0;
}

/* The fetch type of a BTF type: pointers and longs are 64-bit, ints keep
 * their size and sign. */
static const char *fetch_type(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	if (!t)
		return "u64";
	if (btf_is_int(t)) {
		bool sign = btf_int_encoding(t) & BTF_INT_SIGNED;

		switch (t->size) {
		case 1: return sign ? "s8" : "u8";
		case 2: return sign ? "s16" : "u16";
		case 4: return sign ? "s32" : "u32";
		default: return sign ? "s64" : "u64";
		}
	}
	if (btf_is_enum(t))
		return t->size == 8 ? "s64" : "s32";
	return "u64";   /* pointers; structs by value are not fetched */
}

int st_kprobe_fetchargs(const struct btf *btf, const char *func, bool ret, char *buf, size_t n)
{
	static const char *const regs[] = { "%di", "%si", "%dx", "%cx", "%r8", "%r9" };
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	const struct btf_type *proto;
	const struct btf_param *p;
	size_t used = 0;

	buf[0] = 0;
	if (id < 0)
		return -ENOENT;
	proto = btf__type_by_id(btf, btf__type_by_id(btf, (uint32_t)id)->type);
	if (!proto || !btf_is_func_proto(proto))
		return -ENOENT;
	if (ret) {
		snprintf(buf, n, "return=$retval:%s", proto->type ? fetch_type(btf, proto->type) : "u64");
		return 0;
	}
	p = btf_params(proto);
	for (uint16_t i = 0; i < btf_vlen(proto) && i < 6; i++) {
		const char *name = btf__name_by_offset(btf, p[i].name_off);
		int w;

		if (!name || !*name)
			break;     /* varargs */
		w = snprintf(buf + used, n - used, "%s%s=%s:%s", used ? " " : "", name, regs[i],
			     fetch_type(btf, p[i].type));
		if (w < 0 || (size_t)w >= n - used)
			return -ENOSPC;
		used += (size_t)w;
	}
	return 0;
}

int st_kprobe_definition(char *buf, size_t n, const char *group, const char *event, const char *symbol,
			 uint64_t offset, bool ret, const char *fetch)
{
	int w;

	if (offset)
		w = snprintf(buf, n, "%c:%s/%s %s+%llu%s%s", ret ? 'r' : 'p', group, event, symbol,
			     (unsigned long long)offset, fetch && *fetch ? " " : "", fetch ? fetch : "");
	else
		w = snprintf(buf, n, "%c:%s/%s %s%s%s", ret ? 'r' : 'p', group, event, symbol,
			     fetch && *fetch ? " " : "", fetch ? fetch : "");
	return w < 0 || (size_t)w >= n ? -ENOSPC : 0;
}
