/* ktable.c - the running kernel's functions for lowering (ktable.h).
 *
 * kallsyms lists a static function once per definition, so a name may
 * repeat; a probe on the name takes the first, as kprobe_events does, and
 * wildcards list each name once.  "traceable" follows what bpftrace and
 * perf probe offer: names in available_filter_functions (when tracefs lets
 * us read it) that are not on the kprobe blacklist. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "runtime/ktable.h"

struct kbtf {
	char *module;        /* NULL: vmlinux */
	struct btf *btf;
};

struct st_ktable {
	char *kallsyms, *tracing, *btf_dir;
	bool loaded;
	struct st_ksym *syms;        /* kallsyms order */
	bool *dup;                   /* syms[i] repeats an earlier (module, name) */
	uint32_t nsyms;
	struct st_ksym **by_addr;
	char **filter, **blacklist;  /* sorted "name" / "name\tmodule" */
	uint32_t nfilter, nblacklist;
	bool have_filter;
	struct kbtf *btfs;
	uint32_t nbtfs;
};

static char *dup_or(const char *s, const char *dflt)
{
	char *r = strdup(s ? s : dflt);

	if (!r)
		abort();
	return r;
}

struct st_ktable *st_ktable_new(const char *kallsyms, const char *tracing, const char *btf_dir)
{
	struct st_ktable *t = calloc(1, sizeof(*t));

	if (!t)
		abort();
	t->kallsyms = dup_or(kallsyms, "/proc/kallsyms");
	t->tracing = dup_or(tracing, "/sys/kernel/tracing");
	t->btf_dir = dup_or(btf_dir, "/sys/kernel/btf");
	return t;
}

static void free_names(char **v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void st_ktable_free(struct st_ktable *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->nsyms; i++) {
		free((char *)t->syms[i].name);
		free((char *)t->syms[i].module);
	}
	free(t->syms);
	free(t->dup);
	free(t->by_addr);
	free_names(t->filter, t->nfilter);
	free_names(t->blacklist, t->nblacklist);
	/* split BTFs first: they refer to vmlinux's */
	for (uint32_t i = t->nbtfs; i-- > 0;) {
		btf__free(t->btfs[i].btf);
		free(t->btfs[i].module);
	}
	free(t->btfs);
	free(t->kallsyms);
	free(t->tracing);
	free(t->btf_dir);
	free(t);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_addr(const void *a, const void *b)
{
	const struct st_ksym *x = *(const struct st_ksym *const *)a, *y = *(const struct st_ksym *const *)b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* "name" or "name\tmodule": the key of the filter and blacklist sets. */
static char *key_of(const char *name, const char *module)
{
	char *k;

	if (asprintf(&k, "%s%s%s", name, module ? "\t" : "", module ? module : "") < 0)
		abort();
	return k;
}

static void push_name(char ***v, uint32_t *n, char *s)
{
	char **nv = realloc(*v, sizeof(**v) * (*n + 1));

	if (!nv)
		abort();
	*v = nv;
	nv[(*n)++] = s;
}

/* available_filter_functions: "name" or "name [module]" per line. */
static void load_filter(struct st_ktable *t)
{
	char path[512], line[512], name[256], mod[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/available_filter_functions", t->tracing);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		int n = sscanf(line, "%255s [%127[^]]", name, mod);

		if (n >= 1)
			push_name(&t->filter, &t->nfilter, key_of(name, n == 2 ? mod : NULL));
	}
	t->have_filter = !ferror(f) && t->nfilter > 0;
	fclose(f);
	qsort(t->filter, t->nfilter, sizeof(char *), cmp_name);
}

/* debugfs kprobes/blacklist: "0xSTART-0xEND\tname" (modules: "\t[mod]" after). */
static void load_blacklist(struct st_ktable *t)
{
	static const char *const paths[] = { "/sys/kernel/debug/kprobes/blacklist" };
	char line[512], name[256], mod[128];
	FILE *f = fopen(paths[0], "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		int n = sscanf(line, "%*s %255s [%127[^]]", name, mod);

		if (n >= 1)
			push_name(&t->blacklist, &t->nblacklist, key_of(name, n == 2 ? mod : NULL));
	}
	fclose(f);
	qsort(t->blacklist, t->nblacklist, sizeof(char *), cmp_name);
}

struct name_ix { const char *name, *module; uint32_t i; };

static int cmp_ix(const void *a, const void *b)
{
	const struct name_ix *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	if (!r)
		r = strcmp(x->module ? x->module : "", y->module ? y->module : "");
	return r ? r : (x->i > y->i) - (x->i < y->i);
}

/* dup[i]: an earlier symbol has the same name in the same module. */
static void mark_dups(struct st_ktable *t)
{
	struct name_ix *ix = calloc(t->nsyms ? t->nsyms : 1, sizeof(*ix));

	t->dup = calloc(t->nsyms ? t->nsyms : 1, sizeof(bool));
	if (!ix || !t->dup)
		abort();
	for (uint32_t i = 0; i < t->nsyms; i++)
		ix[i] = (struct name_ix){ t->syms[i].name, t->syms[i].module, i };
	qsort(ix, t->nsyms, sizeof(*ix), cmp_ix);
	for (uint32_t i = 1; i < t->nsyms; i++)
		if (!strcmp(ix[i].name, ix[i - 1].name) &&
		    !strcmp(ix[i].module ? ix[i].module : "", ix[i - 1].module ? ix[i - 1].module : "")) {
			t->dup[ix[i].i] = true;
			t->syms[ix[i].i].ambiguous = t->syms[ix[i - 1].i].ambiguous = true;
		}
	free(ix);
}

static bool in_set(char **v, uint32_t n, const struct st_ksym *s)
{
	char *k = key_of(s->name, s->module);
	bool r = n && bsearch(&k, v, n, sizeof(char *), cmp_name) != NULL;

	free(k);
	return r;
}

static int load(struct st_ktable *t)
{
	char line[512], name[256], mod[128], type;
	unsigned long long addr;
	uint32_t cap = 0, nexp = 0;
	char **exp = NULL;
	FILE *f;

	if (t->loaded)
		return t->nsyms ? 0 : -ENOENT;
	t->loaded = true;
	f = fopen(t->kallsyms, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		int n = sscanf(line, "%llx %c %255s [%127[^]]", &addr, &type, name, mod);
		struct st_ksym *s;

		if (n >= 3 && !strncmp(name, "__ksymtab_", 10)) {
			push_name(&exp, &nexp, key_of(name + 10, n == 4 ? mod : NULL));
			continue;
		}
		/* text only; no __pfx_ padding stubs or compiler clones (foo.isra.0) */
		if (n < 3 || (type != 't' && type != 'T') || !strncmp(name, "__pfx_", 6) || strchr(name, '.'))
			continue;
		if (t->nsyms == cap) {
			cap = cap ? cap * 2 : 4096;
			t->syms = realloc(t->syms, sizeof(*t->syms) * cap);
			if (!t->syms)
				abort();
		}
		s = &t->syms[t->nsyms++];
		s->name = dup_or(name, "");
		s->module = n == 4 ? dup_or(mod, "") : NULL;
		s->addr = addr;
	}
	fclose(f);
	qsort(exp, nexp, sizeof(char *), cmp_name);
	for (uint32_t i = 0; i < t->nsyms; i++)
		t->syms[i].exported = in_set(exp, nexp, &t->syms[i]);
	free_names(exp, nexp);
	t->by_addr = calloc(t->nsyms ? t->nsyms : 1, sizeof(*t->by_addr));
	if (!t->by_addr)
		abort();
	for (uint32_t i = 0; i < t->nsyms; i++)
		t->by_addr[i] = &t->syms[i];
	qsort(t->by_addr, t->nsyms, sizeof(*t->by_addr), cmp_addr);
	mark_dups(t);
	load_filter(t);
	load_blacklist(t);
	return t->nsyms ? 0 : -ENOENT;
}

int st_ktable_each(struct st_ktable *t, const char *module, const char *glob, bool traceable,
		   int (*fn)(void *arg, const struct st_ksym *sym), void *arg)
{
	int rc = load(t), count = 0;

	if (rc < 0)
		return rc;
	for (uint32_t i = 0; i < t->nsyms; i++) {
		const struct st_ksym *s = &t->syms[i];

		if (t->dup[i] || (module ? !s->module || fnmatch(module, s->module, 0) : s->module != NULL) ||
		    fnmatch(glob, s->name, 0))
			continue;
		if (traceable && ((t->have_filter && !in_set(t->filter, t->nfilter, s)) ||
				  in_set(t->blacklist, t->nblacklist, s)))
			continue;
		count++;
		if (fn(arg, s))
			break;
	}
	return count;
}

const struct st_ksym *st_ktable_at(struct st_ktable *t, uint64_t addr, uint64_t *off)
{
	uint32_t lo = 0, hi;

	if (load(t) < 0)
		return NULL;
	hi = t->nsyms;
	while (lo < hi) {            /* the last symbol at or below addr */
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->by_addr[mid]->addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	*off = addr - t->by_addr[lo - 1]->addr;
	return t->by_addr[lo - 1];
}

bool st_ktable_module_loaded(struct st_ktable *t, const char *name)
{
	if (load(t) < 0)
		return false;
	for (uint32_t i = 0; i < t->nsyms; i++)
		if (t->syms[i].module && !strcmp(t->syms[i].module, name))
			return true;
	return false;
}

/* /sys/module/M/sections/.text: the section's address (root only). */
bool st_ktable_module_text(struct st_ktable *t, const char *name, uint64_t *addr)
{
	char path[512];
	unsigned long long a;
	FILE *f;
	int n;

	(void)t;
	if (strchr(name, '/') || !strcmp(name, ".."))
		return false;
	snprintf(path, sizeof(path), "/sys/module/%s/sections/.text", name);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fscanf(f, "%llx", &a);
	fclose(f);
	*addr = a;
	return n == 1 && a;
}

const struct btf *st_ktable_btf(struct st_ktable *t, const char *module)
{
	const struct btf *base = NULL;
	struct kbtf *nb;
	struct btf *b;
	char path[512];

	for (uint32_t i = 0; i < t->nbtfs; i++)
		if ((!module && !t->btfs[i].module) || (module && t->btfs[i].module && !strcmp(module, t->btfs[i].module)))
			return t->btfs[i].btf;
	if (module && (strchr(module, '/') || !strcmp(module, "..") || !(base = st_ktable_btf(t, NULL))))
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", t->btf_dir, module ? module : "vmlinux");
	b = module ? btf__parse_split(path, (struct btf *)base) : btf__parse(path, NULL);
	if (!b)
		return NULL;
	nb = realloc(t->btfs, sizeof(*nb) * (t->nbtfs + 1));
	if (!nb) {
		btf__free(b);
		return NULL;
	}
	t->btfs = nb;
	nb[t->nbtfs].module = module ? dup_or(module, "") : NULL;
	nb[t->nbtfs].btf = b;
	return nb[t->nbtfs++].btf;
}
