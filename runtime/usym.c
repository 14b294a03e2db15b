/* usym.c - user-space symbols: per-process mapping tables and a cache of
 * ELF function tables (see usym.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/usym.h"
#include <elfutils/libdwelf.h>
#include <unistd.h>
#include "lowering/uelf.h"

struct umap {
	uint64_t start, end, pgoff;
	const char *path;        /* interned: a module */
};

struct uproc {
	int32_t pid;
	bool proc_read;          /* /proc/PID/maps was read in (once) */
	struct umap *m;
	uint32_t n, cap;
};

struct usym_fn { uint64_t vaddr, size; const char *name; };

struct module {
	char *path;
	bool loaded;
	struct st_uelf *elf;     /* NULL: unreadable, no symbols */
	struct st_uelf *dbg;     /* its separate debuginfo (by build-id), or NULL */
	struct usym_fn *fn;      /* by vaddr */
	uint32_t nfn;
};

static struct uproc *procs;
static uint32_t nprocs, cap_procs;
static struct module *mods;
static uint32_t nmods, cap_mods;

static struct module *module_get(const char *path)
{
	for (uint32_t i = 0; i < nmods; i++)
		if (!strcmp(mods[i].path, path))
			return &mods[i];
	if (nmods == cap_mods) {
		struct module *n = realloc(mods, sizeof(*n) * (cap_mods ? cap_mods * 2 : 16));

		if (!n)
			return NULL;
		mods = n;
		cap_mods = cap_mods ? cap_mods * 2 : 16;
	}
	memset(&mods[nmods], 0, sizeof(mods[nmods]));
	if (!(mods[nmods].path = strdup(path)))
		return NULL;
	return &mods[nmods++];
}

static int fn_cmp(const void *a, const void *b)
{
	const struct usym_fn *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* A stripped library's local functions (__libc_start_call_main) are in
 * its debuginfo file, found by build-id as gdb and perf find it. */
static struct st_uelf *debug_file(struct st_uelf *u)
{
	const unsigned char *id;
	struct st_uelf *d = NULL;
	char path[512], *err = NULL;
	ssize_t n = dwelf_elf_gnu_build_id(u->elf, (const void **)&id);
	int len;

	if (n < 2 || n > 64)
		return NULL;
	len = snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%02x/", id[0]);
	for (ssize_t i = 1; i < n; i++)
		len += snprintf(path + len, sizeof(path) - (size_t)len, "%02x", id[i]);
	snprintf(path + len, sizeof(path) - (size_t)len, ".debug");
	if (access(path, R_OK) < 0 || st_uelf_open(path, &d, &err) < 0) {
		free(err);
		return NULL;
	}
	return d;
}

static void add_fns(struct module *m, const struct st_uelf *u)
{
	for (uint32_t i = 0; u && i < u->nfuncs; i++)
		m->fn[m->nfn++] = (struct usym_fn){ u->funcs[i].vaddr, u->funcs[i].size, u->funcs[i].name };
}

/* The function table, read on first use: names are wanted rarely
 * compared with how often files are mapped. */
static void module_load(struct module *m)
{
	char *err = NULL;
	uint32_t n;

	m->loaded = true;
	if (m->path[0] != '/' || st_uelf_open(m->path, &m->elf, &err) < 0) {
		free(err);
		m->elf = NULL;
		return;
	}
	m->dbg = debug_file(m->elf);
	n = m->elf->nfuncs + (m->dbg ? m->dbg->nfuncs : 0);
	m->fn = calloc(n ? n : 1, sizeof(*m->fn));
	if (!m->fn)
		return;
	add_fns(m, m->elf);
	add_fns(m, m->dbg);
	qsort(m->fn, m->nfn, sizeof(*m->fn), fn_cmp);
}

static struct uproc *proc_find(int32_t pid, bool create)
{
	for (uint32_t i = 0; i < nprocs; i++)
		if (procs[i].pid == pid)
			return &procs[i];
	if (!create)
		return NULL;
	if (nprocs == cap_procs) {
		struct uproc *n = realloc(procs, sizeof(*n) * (cap_procs ? cap_procs * 2 : 64));

		if (!n)
			return NULL;
		procs = n;
		cap_procs = cap_procs ? cap_procs * 2 : 64;
	}
	memset(&procs[nprocs], 0, sizeof(procs[nprocs]));
	procs[nprocs].pid = pid;
	return &procs[nprocs++];
}

static void proc_add(struct uproc *p, uint64_t start, uint64_t end, uint64_t pgoff, const char *path)
{
	struct module *mod = module_get(path);

	if (!mod)
		return;
	/* A new mapping replaces what it overlaps (mmap MAP_FIXED, munmap
	 * followed by reuse): later records win. */
	for (uint32_t i = 0; i < p->n; i++)
		if (p->m[i].start < end && start < p->m[i].end)
			p->m[i--] = p->m[--p->n];
	if (p->n == p->cap) {
		struct umap *n = realloc(p->m, sizeof(*n) * (p->cap ? p->cap * 2 : 16));

		if (!n)
			return;
		p->m = n;
		p->cap = p->cap ? p->cap * 2 : 16;
	}
	p->m[p->n++] = (struct umap){ start, end, pgoff, mod->path };
}

void st_usym_mmap(int32_t pid, uint64_t start, uint64_t len, uint64_t pgoff, const char *path)
{
	struct uproc *p = proc_find(pid, true);

	if (p && *path)
		proc_add(p, start, start + len, pgoff, path);
}

void st_usym_exec(int32_t pid)
{
	struct uproc *p = proc_find(pid, true);

	if (p) {
		p->n = 0;
		p->proc_read = true;   /* what /proc shows now may be a later program */
	}
}

void st_usym_fork(int32_t pid, int32_t ppid)
{
	struct uproc *pp = proc_find(ppid, false);
	struct uproc *p;
	uint32_t n;

	if (!pp || !pp->n)
		return;
	n = pp->n;
	p = proc_find(pid, true);   /* may move procs[]: find the parent again */
	pp = proc_find(ppid, false);
	if (!p || !pp)
		return;
	p->n = 0;
	for (uint32_t i = 0; i < n; i++)
		proc_add(p, pp->m[i].start, pp->m[i].end, pp->m[i].pgoff, pp->m[i].path);
}

void st_usym_exit(int32_t pid)
{
	struct uproc *p = proc_find(pid, false);

	if (p) {
		free(p->m);
		*p = procs[--nprocs];
	}
}

int st_usym_proc_maps(int32_t pid, st_usym_map_fn fn, void *ctx)
{
	char path[64], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, off;
		char perms[8];
		int name = 0;

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &lo, &hi, perms, &off, &name) < 4 || !name)
			continue;
		line[strcspn(line, "\n")] = 0;
		if (perms[2] == 'x' && line[name])
			fn(ctx, lo, hi, off, line + name);
	}
	fclose(f);
	return 0;
}

static void proc_map_add(void *ctx, uint64_t lo, uint64_t hi, uint64_t off, const char *name)
{
	proc_add(ctx, lo, hi, off, name);
}

static void proc_read_maps(struct uproc *p)
{
	p->proc_read = true;
	st_usym_proc_maps(p->pid, proc_map_add, p);
}

static const struct umap *map_find(const struct uproc *p, uint64_t addr)
{
	for (uint32_t i = 0; p && i < p->n; i++)
		if (addr >= p->m[i].start && addr < p->m[i].end)
			return &p->m[i];
	return NULL;
}

void st_usym_lookup(int32_t pid, uint64_t addr, bool live, struct st_usym *out)
{
	struct uproc *p = proc_find(pid, live);
	const struct umap *m = map_find(p, addr);
	struct module *mod;
	uint64_t foff, vaddr = 0;
	bool in_load = false;

	memset(out, 0, sizeof(*out));
	if (!m && p && live && !p->proc_read) {
		proc_read_maps(p);
		m = map_find(p, addr);
	}
	if (!m || !(mod = module_get(m->path)))
		return;
	out->module = mod->path;
	if (!mod->loaded)
		module_load(mod);
	/* mapped address -> file offset -> the ELF's link-time address */
	foff = addr - m->start + m->pgoff;
	for (uint32_t i = 0; mod->elf && i < mod->elf->nloads; i++)
		if (foff >= mod->elf->loads[i].offset &&
		    foff < mod->elf->loads[i].offset + mod->elf->loads[i].filesz) {
			vaddr = foff - mod->elf->loads[i].offset + mod->elf->loads[i].vaddr;
			in_load = true;
			break;
		}
	out->offset = in_load ? vaddr : foff;
	if (!in_load || !mod->nfn || vaddr < mod->fn[0].vaddr)
		return;
	{
		uint32_t lo = 0, hi = mod->nfn;

		while (hi - lo > 1) {
			uint32_t mid = (lo + hi) / 2;

			if (mod->fn[mid].vaddr <= vaddr)
				lo = mid;
			else
				hi = mid;
		}
		if (mod->fn[lo].size && vaddr >= mod->fn[lo].vaddr + mod->fn[lo].size)
			return;
		out->name = mod->fn[lo].name;
		out->offset = vaddr - mod->fn[lo].vaddr;
		out->size = mod->fn[lo].size;
	}
}

void st_usym_reset(void)
{
	for (uint32_t i = 0; i < nprocs; i++)
		free(procs[i].m);
	free(procs);
	procs = NULL;
	nprocs = cap_procs = 0;
	for (uint32_t i = 0; i < nmods; i++) {
		if (mods[i].elf)
			st_uelf_close(mods[i].elf);
		if (mods[i].dbg)
			st_uelf_close(mods[i].dbg);
		free(mods[i].fn);
		free(mods[i].path);
	}
	free(mods);
	mods = NULL;
	nmods = cap_mods = 0;
}
