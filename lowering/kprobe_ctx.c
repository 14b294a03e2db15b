/* kprobe_ctx.c - context at kernel probes as kprobe fetch arguments
 * (kprobe_ctx.h).  Everything a handler reads is fetched by the kprobe at
 * the event, so live runs and both recording formats see the same values,
 * and `perf script` / `trace-cmd report` print them by name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "frontend/frontend.h"
#include "lowering/btf.h"
#include "lowering/family_kernel.h"
#include "lowering/kprobe_ctx.h"
#include "lowering/site_vars.h"
#include "lowering/source.h"

static const char *const arg_regs[] = { "%di", "%si", "%dx", "%cx", "%r8", "%r9" };

/* Member chains resolved so far: field name -> fetch spec.  Names are a
 * hash of the spec, so a report re-lowering the script finds the same. */
struct chain { char field[16]; char spec[256]; };
static struct chain *chains;
static uint32_t nchains;
static bool chains_registered;

static void chains_free(void)
{
	free(chains);
	chains = NULL;
	nchains = 0;
}

static const struct st_kparam *find_param(const struct st_kprobe_site *s, const char *name)
{
	for (uint32_t i = 0; i < s->nparams; i++)
		if (!strcmp(s->params[i].name, name))
			return &s->params[i];
	return NULL;
}

/* Field name and fetch spec of `$name` at site s; false when unavailable. */
static bool var_fetch(const void *site, const char *name, char *field, size_t flen, char *spec, size_t slen)
{
	const struct st_kprobe_site *s = site;
	const struct st_kparam *p;

	if (!strcmp(name, "return")) {
		if (!s->ret || !s->ret_fetch[0])
			return false;
		snprintf(field, flen, "ret");
		snprintf(spec, slen, "$retval:%s", s->ret_fetch);
		return true;
	}
	if (s->ret || s->stmt || !(p = find_param(s, name)) || !p->fetch[0])
		return false;
	snprintf(field, flen, "p_%s", name);
	snprintf(spec, slen, "%s:%s", arg_regs[p - s->params], p->fetch);
	return true;
}

/* The kprobe site as st_site_ops sees it (site_vars.h). */
static const void *ops_site(const struct st_family_point *fp) { return fp->ksite; }
static bool ops_is_return(const void *s) { return ((const struct st_kprobe_site *)s)->ret; }
static const void *ops_entry(const void *s) { return st_kernel_entry_site(s); }

static void ops_point_at(struct st_family_point *fp, const void *site)
{
	fp->ksite = site;
	snprintf(fp->event, sizeof(fp->event), "%s", fp->ksite->event);
}

const struct st_site_ops st_kprobe_site_ops = {
	ops_site, ops_is_return, ops_entry, var_fetch, st_kernel_pretty, ops_point_at,
};

enum st_ctxvar_kind st_kernel_var(const struct st_family_point *fp, const char *name, bool dollar, char *fbuf,
				  const char **field, enum st_type *type)
{
	return dollar ? st_site_var(&st_kprobe_site_ops, fp, name, fbuf, ST_FIELD_NAME_MAX, field, type) : ST_CTX_NONE;
}

int st_kernel_pretty(const struct st_family_point *fp, const char *name, char *fmt, size_t flen,
		     char targets[][64], uint32_t max)
{
	const struct st_kprobe_site *s = fp->ksite, *params;
	const struct st_kparam *p;
	uint32_t n = 0;
	size_t len = strlen(name), pos;
	char *buf = NULL, base[128];
	size_t blen = 0;
	FILE *f;

	if (!s || name[0] != '$' || len < 2 || (name[1] != '$' && name[len - 1] != '$'))
		return -1;
	/* in a .return probe, the parameters as they were at the entry */
	params = s->ret ? st_kernel_entry_site(s) : s;
	if (!params)
		return -1;
	f = open_memstream(&buf, &blen);
	if (!f)
		return -1;
	if (!strcmp(name, "$$parms") || !strcmp(name, "$$vars") || !strcmp(name, "$$locals")) {
		/* BTF names parameters only: locals need DWARF */
		if (strcmp(name, "$$locals") && !s->stmt)
			for (uint32_t i = 0; i < params->nparams; i++) {
				if (i)
					fputc(' ', f);
				st_site_pretty_one(&st_kprobe_site_ops, params, params->params[i].name, f, targets, max, &n);
			}
	} else if (!strcmp(name, "$$return") && s->ret && s->ret_fetch[0]) {
		st_site_pretty_one(&st_kprobe_site_ops, s, "return", f, targets, max, &n);
	} else if (name[1] != '$') {
		/* $x$ / $x$$: a base type prints as stap's pretty printer does */
		for (pos = len; pos > 1 && name[pos - 1] == '$'; pos--)
			;
		snprintf(base, sizeof(base), "%.*s", (int)(pos - 1), name + 1);
		p = find_param(params, base);
		if (!p || !p->fetch[0] || max < 1 || s->stmt)
			goto none;
		fputs(p->is_ptr ? "%#x" : p->fetch[0] == 'u' ? "%u" : "%i", f);
		snprintf(targets[n++], 64, "$%.60s", base);
	} else {
		goto none;
	}
	fclose(f);
	snprintf(fmt, flen, "%s", buf ? buf : "");
	free(buf);
	return (int)n;
none:
	fclose(f);
	free(buf);
	return -1;
}

const char *st_kernel_string_field(const struct st_family_point *fp, const char *target, bool user, char *buf)
{
	char field[96], spec[96];

	if (!st_site_fetch(&st_kprobe_site_ops, fp, target, field, sizeof(field), spec, sizeof(spec)))
		return NULL;
	snprintf(buf, ST_FIELD_NAME_MAX, "%s_%s", user ? "ustr" : "kstr", field);
	return buf;
}

/* ---- member chains ---- */

static uint32_t fnv(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* A resolved chain as one fetch arg: each hop dereferences, the end reads
 * its type there.  false (msg) for what fetch args cannot say. */
static bool cap_spec(const struct st_btf_cap *c, const struct st_kprobe_site *s, char *spec, size_t n, char *msg,
		     size_t msgsz)
{
	char a[192], b[200];

	if (c->arg == ST_BTF_ARG_RETURN)
		snprintf(a, sizeof(a), "$retval");
	else
		snprintf(a, sizeof(a), "%s", arg_regs[c->arg]);
	for (uint32_t i = 0; i <= c->nhops; i++)
		if (c->hop_idx[i]) {
			snprintf(msg, msgsz, "an index known only at the event is not supported at kernel probes");
			return false;
		}
	for (uint32_t i = 0; i < c->nhops; i++) {
		snprintf(b, sizeof(b), "%+d(%.180s)", (int32_t)c->hop[i], a);
		snprintf(a, sizeof(a), "%.180s", b);
	}
	if (c->direct) {
		snprintf(spec, n, "%s:%c%u", a, c->is_signed ? 's' : 'u', c->size * 8);
		return true;
	}
	if (c->addr) {
		if (c->off) {
			snprintf(msg, msgsz, "the address of an embedded array needs arithmetic that kprobe fetch "
				 "arguments do not do (%s)", s->func);
			return false;
		}
		snprintf(spec, n, "%s:u64", a);
		return true;
	}
	snprintf(b, sizeof(b), "%+d(%.180s)", (int32_t)c->off, a);
	if (c->is_string && c->str_ptr)
		snprintf(spec, n, "+0(%s):string", b);
	else if (c->is_string)
		snprintf(spec, n, "%s:string", b);
	else if (c->bit_size)
		snprintf(spec, n, "%s:b%u@%u/%u", b, c->bit_size, c->bit_shift, c->bit_read <= 1 ? 8 :
			 c->bit_read <= 2 ? 16 : c->bit_read <= 4 ? 32 : 64);
	else
		snprintf(spec, n, "%s:%c%u", b, c->is_signed ? 's' : 'u', c->size * 8);
	return true;
}

const char *st_kernel_chain_field(const struct st_family_point *fp, struct st_btf_chain *ch, char *msg,
				  size_t msgsz)
{
	const struct st_kprobe_site *s = fp->ksite;
	struct st_btf_cap cap;
	char spec[256];
	struct chain *n;

	if (!s) {
		snprintf(msg, msgsz, "not a kernel probe");
		return NULL;
	}
	if (ch->root != ST_BTF_ROOT_ARG) {
		snprintf(msg, msgsz, "staplet reads kernel memory at kernel probes from the function's "
			 "parameters and $return only");
		return NULL;
	}
	if (!s->proto) {
		snprintf(msg, msgsz, "BTF has no prototype for %s: its parameters are unknown", s->func[0] ? s->func : s->target);
		return NULL;
	}
	if (s->stmt || (s->ret && strcmp(ch->argname, "return"))) {
		snprintf(msg, msgsz, "$%s: parameters are readable at a function's entry only", ch->argname);
		return NULL;
	}
	ch->root = ST_BTF_ROOT_FUNC;
	ch->event = s->func;
	if (!ch->btf)   /* @cast($p, "T", "module"): the module's types (over the kernel's) */
		ch->btf = s->btf;
	if (st_btf_chain_resolve(ch, &cap, msg, msgsz) < 0 || !cap_spec(&cap, s, spec, sizeof(spec), msg, msgsz))
		return NULL;
	for (uint32_t i = 0; i < nchains; i++)
		if (!strcmp(chains[i].spec, spec))
			return chains[i].field;
	n = realloc(chains, sizeof(*n) * (nchains + 1));
	if (!n)
		abort();
	if (!chains_registered) {
		atexit(chains_free);
		chains_registered = true;
	}
	chains = n;
	snprintf(chains[nchains].spec, sizeof(chains[nchains].spec), "%s", spec);
	snprintf(chains[nchains].field, sizeof(chains[nchains].field), "c_%08x", fnv(spec));
	return chains[nchains++].field;
}

/* ---- ABI reads: int_arg(N), register() ---- */

bool st_kernel_arg_field(long long n, const char *type, char *field, size_t len)
{
	if (n < 1 || n > 64 || !type || (strcmp(type, "s32") && strcmp(type, "u32") && strcmp(type, "s64") &&
					  strcmp(type, "u64")))
		return false;
	snprintf(field, len, "karg_%lld_%s", n, type);
	return true;
}

/* stap's x86-64 register names: rax/eax/ax ..., r8-r15, rip, rsp, flags. */
bool st_kernel_reg_field(const char *reg, char *field, size_t len)
{
	static const char *const two[] = { "ax", "bx", "cx", "dx", "si", "di", "bp", "sp", "ip" };
	const char *r = reg;
	bool is32 = false;

	if (!strcmp(reg, "flags") || !strcmp(reg, "eflags")) {
		snprintf(field, len, "kreg_flags");
		return true;
	}
	if (r[0] == 'r' && r[1] >= '0' && r[1] <= '9') {
		int k = atoi(r + 1);

		if (k < 8 || k > 15)
			return false;
		snprintf(field, len, "kreg_r%d", k);
		return true;
	}
	if ((r[0] == 'r' || r[0] == 'e') && strlen(r) == 3) {
		is32 = r[0] == 'e';
		r++;
	}
	for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++)
		if (!strcmp(r, two[i])) {
			snprintf(field, len, "kreg_%s%s", two[i], is32 ? "_32" : "");
			return true;
		}
	return false;
}

static bool abi_spec(const char *field, char *spec, size_t len)
{
	char type[8], reg[8];
	int n;

	if (sscanf(field, "karg_%d_%3s", &n, type) == 2 && n >= 1 && n <= 64) {
		if (n <= 6)
			snprintf(spec, len, "%s:%s", arg_regs[n - 1], type);
		else
			snprintf(spec, len, "+%d(%%sp):%s", 8 * (n - 6), type);
		return true;
	}
	if (!strcmp(field, "kretval")) {
		snprintf(spec, len, "$retval:s64");
		return true;
	}
	if (sscanf(field, "kreg_%7[a-z0-9]", reg) == 1) {
		snprintf(spec, len, "%%%s:%s", reg, strstr(field, "_32") ? "s32" : "s64");
		return true;
	}
	return false;
}

/* The spec of one field the handlers read, by its name. */
static bool field_spec(const struct st_kprobe_site *s, const char *field, char *spec, size_t len)
{
	bool kstr = !strncmp(field, "kstr_", 5), ustr = !strncmp(field, "ustr_", 5);
	const char *base = kstr || ustr ? field + 5 : field;
	char name[96], f2[96];

	if (abi_spec(field, spec, len))
		return true;
	if (!strncmp(field, "c_", 2)) {
		for (uint32_t i = 0; i < nchains; i++)
			if (!strcmp(chains[i].field, field)) {
				snprintf(spec, len, "%s", chains[i].spec);
				return true;
			}
		return false;
	}
	if (!strncmp(base, "p_", 2))
		snprintf(name, sizeof(name), "%s", base + 2);
	else if (!strcmp(base, "ret"))
		snprintf(name, sizeof(name), "return");
	else
		return false;
	if (!var_fetch(s, name, f2, sizeof(f2), spec, len) || strcmp(f2, base))
		return false;
	if (kstr || ustr) {
		char loc[96];

		snprintf(loc, sizeof(loc), "%.*s", (int)strcspn(spec, ":"), spec);
		snprintf(spec, len, "+0(%s):%s", loc, ustr ? "ustring" : "string");
	}
	return true;
}

void st_kernel_source_init(struct st_source *s, const struct st_family_point *fp, struct st_arena *arena)
{
	const struct st_kprobe_site *k = fp->ksite;

	s->probe_func = (char *)st_arena_strndup(arena, k->func, strlen(k->func), strlen(k->func));
	s->probe_symbol = (char *)st_arena_strndup(arena, k->target, strlen(k->target), strlen(k->target));
	s->probe_return = k->ret;
	s->probe_maxactive = k->maxactive;
	s->probe_fetch = (char *)st_arena_strndup(arena, "", 0, 0);
}

void st_kernel_source_fetch(struct st_source *s, const struct st_family_point *fp, struct st_arena *arena)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool first = true;

	if (!f)
		return;
	for (uint32_t i = 0; i < s->nfields; i++) {
		char spec[256];

		if (field_spec(fp->ksite, s->fields[i], spec, sizeof(spec))) {
			fprintf(f, "%s%s=%s", first ? "" : " ", s->fields[i], spec);
			first = false;
		}
	}
	fclose(f);
	s->probe_fetch = (char *)st_arena_strndup(arena, buf, len, len);
	free(buf);
}

void st_kernel_signature(const struct st_kprobe_site *s, char *buf, size_t n)
{
	size_t used = 0;
	char tn[160];

	buf[0] = 0;
	if (s->ret && s->ret_fetch[0]) {
		st_kprobe_type_name(s->btf, s->ret_type, tn, sizeof(tn));
		used += (size_t)snprintf(buf + used, n - used, "$return:%s", tn);
	}
	for (uint32_t i = 0; i < s->nparams && used < n; i++) {
		st_kprobe_type_name(s->btf, s->params[i].type, tn, sizeof(tn));
		used += (size_t)snprintf(buf + used, n - used, "%s$%s:%s", used ? " " : "", s->params[i].name, tn);
	}
}
