/* family_process.c - process(...) probe points (see family_process.h).
 *
 * Expansion resolves PATH as stap does (a glob over the file system, a bare
 * name on $PATH, symlinks to the real file) and the pattern over each ELF
 * file's symbols (or USDT notes) into concrete points that print as stap
 * prints them:
 *   process("/abs/path").function("add@src.c:12").return
 * Each concrete point is registered with what it resolved to (file offset,
 * parameters); classification finds it again, or resolves it afresh when
 * lowering is handed a point that was not expanded here.
 *
 * Context variables become fields of the uprobe event whose fetch arguments
 * the source collects as handlers read them:
 *   $param   p_NAME = its DWARF location at entry (or the SysV register)
 *   $argN    argN   = USDT operand N, or the Nth integer argument register
 *   $return  ret    = %ax at a uretprobe
 *   user_string($x)  str_<field> = +0(<location>):ustring
 */
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "frontend/frontend.h"
#include "lowering/family_process.h"
#include "lowering/plan.h"
#include "lowering/site_vars.h"
#include "lowering/source.h"
#include "lowering/uelf.h"
#include "frontend/base_arena.h"

enum site_kind { U_FUNC, U_STMT, U_PLT, U_MARK, U_BEGIN };

struct st_uprobe_site {
	const struct st_probe_point *pp;
	enum site_kind kind;
	char *path;
	uint64_t offset;
	uint64_t ref_ctr;            /* USDT semaphore, file offset (0: none) */
	bool ret;
	char event[64];
	char name[128];              /* function / mark name */
	struct st_uelf_var *vars;    /* params (function) or operands (mark: arg1..) */
	uint32_t nvars;
	char ret_type[8];
	bool have_dwarf;
	struct st_uprobe_site *entry;   /* .return: its paired entry site (for @entry) */
	char func[128];              /* the function the site is in (ppfunc()) */
	char where[600];             /* .statement: "func@/abs/file.c:LINE", as stap prints it */
	struct chain { char field[24]; char spec[200]; } *chains;   /* $p->m ... fetches */
	uint32_t nchains;
};

static struct st_uelf **elf_cache;
static uint32_t nelf_cache;
static struct st_uprobe_site **sites;
static uint32_t nsites;
static bool cleanup_registered;

static void free_site(struct st_uprobe_site *s)
{
	if (!s)
		return;
	st_uelf_vars_free(s->vars, s->nvars);
	free(s->chains);
	free(s->path);
	free(s);
}

void st_process_cache_free(void)
{
	for (uint32_t i = 0; i < nelf_cache; i++)
		st_uelf_close(elf_cache[i]);
	for (uint32_t i = 0; i < nsites; i++)
		free_site(sites[i]);
	free(elf_cache);
	free(sites);
	elf_cache = NULL;
	sites = NULL;
	nelf_cache = nsites = 0;
}

static struct st_uelf *elf_get(const char *path, char **err)
{
	struct st_uelf *u, **n;

	for (uint32_t i = 0; i < nelf_cache; i++)
		if (!strcmp(elf_cache[i]->path, path))
			return elf_cache[i];
	if (st_uelf_open(path, &u, err) < 0)
		return NULL;
	n = realloc(elf_cache, sizeof(*n) * (nelf_cache + 1));
	if (!n) {
		st_uelf_close(u);
		return NULL;
	}
	if (!cleanup_registered) {
		atexit(st_process_cache_free);
		cleanup_registered = true;
	}
	elf_cache = n;
	elf_cache[nelf_cache++] = u;
	return u;
}

static bool comp_is(const struct st_probe_point *pp, uint32_t i, const char *name)
{
	return i < pp->ncomp && !strcmp(pp->comp[i].name, name);
}

/* process[("PATH")].end, process[("PATH")].thread.begin/end and
 * process.begin: the session derives them from task tracepoints
 * (runtime/proctree.c).  process("PATH").begin stays a uprobe on the entry
 * point, which fires as PATH starts running. */
static uint8_t task_role(const struct st_probe_point *pp)
{
	bool path = pp->comp[0].has_arg;

	if (pp->ncomp == 2 && comp_is(pp, 1, "begin") && !path)
		return ST_TASK_PROC_BEGIN;
	if (pp->ncomp == 2 && comp_is(pp, 1, "end"))
		return ST_TASK_PROC_END;
	if (pp->ncomp == 3 && comp_is(pp, 1, "thread") && comp_is(pp, 2, "begin"))
		return ST_TASK_THREAD_BEGIN;
	if (pp->ncomp == 3 && comp_is(pp, 1, "thread") && comp_is(pp, 2, "end"))
		return ST_TASK_THREAD_END;
	return ST_TASK_NONE;
}

bool st_process_is_family(const struct st_probe_point *pp)
{
	return pp->ncomp >= 2 && comp_is(pp, 0, "process") &&
	       (!pp->comp[0].has_arg || pp->comp[0].arg_is_string);
}

/* The shape of a point: which component names what, and its suffixes. */
struct shape {
	enum site_kind kind;
	const char *path;            /* NULL: no path */
	const char *pattern;         /* function/statement/plt/mark argument */
	const char *provider;        /* .provider("p") */
	uint32_t last;               /* index of the component holding pattern */
	bool ret, call, exported, inline_;
};

static int parse_shape(const struct st_probe_point *pp, struct shape *sh, char **err)
{
	uint32_t i = 1;

	memset(sh, 0, sizeof(*sh));
	sh->path = pp->comp[0].has_arg ? pp->comp[0].arg_str : NULL;
	if (comp_is(pp, 1, "library")) {
		if (!pp->comp[1].has_arg || !pp->comp[1].arg_is_string)
			goto bad;
		sh->path = pp->comp[1].arg_str;     /* the library itself holds the code */
		i = 2;
	}
	if (comp_is(pp, i, "provider") && pp->comp[i].has_arg && pp->comp[i].arg_is_string) {
		sh->provider = pp->comp[i].arg_str;
		i++;
	}
	if (i >= pp->ncomp)
		goto bad;
	sh->last = i;
	if (comp_is(pp, i, "function"))
		sh->kind = U_FUNC;
	else if (comp_is(pp, i, "statement"))
		sh->kind = U_STMT;
	else if (comp_is(pp, i, "plt"))
		sh->kind = U_PLT;
	else if (comp_is(pp, i, "mark"))
		sh->kind = U_MARK;
	else if (comp_is(pp, i, "begin") && pp->ncomp == i + 1 && sh->path)
		sh->kind = U_BEGIN;
	else
		goto bad;
	if (sh->kind != U_BEGIN && sh->kind != U_PLT && (!pp->comp[i].has_arg || !pp->comp[i].arg_is_string))
		goto bad;
	sh->pattern = pp->comp[i].has_arg ? pp->comp[i].arg_str : "*";
	if (sh->provider && sh->kind != U_MARK)
		goto bad;
	for (i++; i < pp->ncomp; i++) {
		if (pp->comp[i].has_arg)
			goto bad;
		if (comp_is(pp, i, "return") && (sh->kind == U_FUNC || sh->kind == U_PLT) && !sh->ret)
			sh->ret = true;
		else if (comp_is(pp, i, "call") && sh->kind == U_FUNC && !sh->ret)
			sh->call = true;
		else if (comp_is(pp, i, "exported") && sh->kind == U_FUNC && !sh->ret)
			sh->exported = true;
		else if (comp_is(pp, i, "inline") && sh->kind == U_FUNC && !sh->ret)
			sh->inline_ = true;
		else if (comp_is(pp, i, "nearest") && sh->kind == U_STMT)
			;
		else
			goto bad;
	}
	if (!sh->path)
		goto nopath;
	return 0;
bad:
	if (asprintf(err, "unsupported process probe point") < 0)
		*err = NULL;
	return -EINVAL;
nopath:
	if (asprintf(err, "process probes need a path: process(\"PATH\")") < 0)
		*err = NULL;
	return -EINVAL;
}

static uint64_t fnv(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static void make_event(struct st_uprobe_site *s)
{
	static const char *const prefix[] = { "f", "s", "plt", "m", "begin" };
	char clean[41], buf[32];
	uint64_t h = fnv(s->path, 0xcbf29ce484222325ull);
	size_t i;

	snprintf(buf, sizeof(buf), ":%llx:%d", (unsigned long long)s->offset, s->ret);
	h = fnv(buf, h);
	for (i = 0; s->name[i] && i < sizeof(clean) - 1; i++) {
		char c = s->name[i];

		clean[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_';
	}
	clean[i] = 0;
	snprintf(s->event, sizeof(s->event), "%s%s_%s_%08x", prefix[s->kind], s->ret ? "r" : "", clean,
		 (unsigned)(h ^ (h >> 32)));
}

/* A statement is not at a function's entry: its variables are those in
 * scope at its address, where they are there (DWARF), and it names the
 * function and source line it resolved to. */
static int stmt_scope(struct st_uprobe_site *s, struct st_uelf *u, uint64_t vaddr)
{
	char fn[120], file[400];
	int line = 0, rc;

	rc = st_uelf_stmt_scope(u, vaddr, fn, sizeof(fn), file, sizeof(file), &line, &s->vars, &s->nvars);
	if (rc == -ENOMEM)
		return rc;
	if (rc == 0 && fn[0]) {
		snprintf(s->func, sizeof(s->func), "%s", fn);
		snprintf(s->where, sizeof(s->where), "%s@%s:%d", fn, file, line);
	}
	return 0;
}

/* Resolve one concrete site; NULL with *err set on failure. */
static struct st_uprobe_site *site_new(struct st_uelf *u, enum site_kind kind, const char *name, uint64_t vaddr,
				       bool ret, char **err)
{
	struct st_uprobe_site *s = calloc(1, sizeof(*s));
	int64_t off = st_uelf_file_offset(u, vaddr);

	if (!s || !(s->path = strdup(u->path))) {
		free(s);
		return NULL;
	}
	if (off < 0) {
		if (asprintf(err, "%s: address 0x%llx of %s is in no loaded segment", u->path,
			     (unsigned long long)vaddr, name) < 0)
			*err = NULL;
		free_site(s);
		return NULL;
	}
	s->kind = kind;
	s->offset = (uint64_t)off;
	s->ret = ret;
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->ret_type, sizeof(s->ret_type), "s64");
	if (kind == U_FUNC || kind == U_STMT) {
		if (kind == U_FUNC && st_uelf_params(u, name, &s->vars, &s->nvars, s->ret_type) < 0) {
			free_site(s);
			return NULL;
		}
		s->have_dwarf = u->dwarf != NULL;
		snprintf(s->func, sizeof(s->func), "%s", name);
		if (kind == U_STMT && stmt_scope(s, u, vaddr) < 0) {
			free_site(s);
			return NULL;
		}
	}
	if (kind == U_PLT)
		snprintf(s->func, sizeof(s->func), "%s", name);
	make_event(s);
	return s;
}

static int register_site(struct st_uprobe_site *s)
{
	struct st_uprobe_site **n = realloc(sites, sizeof(*n) * (nsites + 1));

	if (!n)
		return -ENOMEM;
	sites = n;
	sites[nsites++] = s;
	return 0;
}

static int mark_vars(struct st_uprobe_site *s, const char *args, char **err)
{
	char *copy = strdup(args), *save = NULL, *tok;
	uint32_t n = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		struct st_uelf_var *nv = realloc(s->vars, sizeof(*nv) * (n + 1));

		if (!nv) {
			free(copy);
			return -ENOMEM;
		}
		s->vars = nv;
		memset(&nv[n], 0, sizeof(nv[n]));
		s->nvars = ++n;
		if (asprintf(&nv[n - 1].name, "arg%u", n) < 0) {
			nv[n - 1].name = NULL;
			free(copy);
			return -ENOMEM;
		}
		/* an operand we cannot express stays unreadable ($argN errors) */
		if (st_uelf_sdt_arg(tok, nv[n - 1].loc, sizeof(nv[n - 1].loc), nv[n - 1].type) < 0)
			nv[n - 1].loc[0] = 0;
	}
	free(copy);
	(void)err;
	return 0;
}

/* ---- expansion ---- */

struct emit {
	struct st_arena *arena;
	const struct st_probe_point *pp;
	const struct shape *sh;
	const char *path;
	int (*add)(void *arg, struct st_probe_point *concrete);
	void *arg;
	int count;
};

static const char *arena_str(struct st_arena *a, const char *s)
{
	return st_arena_strndup(a, s, strlen(s), strlen(s));
}

/* The concrete point: process("/abs").<comp>("arg")[suffixes as written]. */
static int emit_point(struct emit *em, const char *arg, struct st_uprobe_site *site)
{
	const struct st_probe_point *pp = em->pp;
	uint32_t first = em->sh->last, n = 1 + pp->ncomp - first, i;
	struct st_probe_point *p = (void *)st_arena_alloc(em->arena, sizeof(*p));

	memset(p, 0, sizeof(*p));
	if (em->sh->provider)
		n++;
	p->comp = (void *)st_arena_alloc(em->arena, sizeof(*p->comp) * n);
	memset(p->comp, 0, sizeof(*p->comp) * n);
	p->ncomp = n;
	p->optional = pp->optional;
	p->sufficient = pp->sufficient;
	p->cond = pp->cond;
	p->loc = pp->loc;
	p->comp[0].name = "process";
	p->comp[0].has_arg = p->comp[0].arg_is_string = true;
	p->comp[0].arg_str = arena_str(em->arena, em->path);
	i = 1;
	if (em->sh->provider)
		p->comp[i++] = pp->comp[first - 1];
	for (uint32_t k = first; k < pp->ncomp; k++)
		p->comp[i++] = pp->comp[k];
	if (arg) {
		p->comp[n - (pp->ncomp - first)].has_arg = true;
		p->comp[n - (pp->ncomp - first)].arg_is_string = true;
		p->comp[n - (pp->ncomp - first)].arg_str = arena_str(em->arena, arg);
	}
	site->pp = p;
	if (register_site(site) < 0) {
		free_site(site);
		return -ENOMEM;
	}
	em->count++;
	return em->add(em->arg, p) < 0 ? -ECANCELED : 0;
}

static void split_at(const char *pattern, char *fn, size_t fl, char *file, size_t fil, int *line)
{
	const char *at = strchr(pattern, '@'), *colon;

	*line = 0;
	file[0] = 0;
	if (!at) {
		snprintf(fn, fl, "%s", pattern);
		return;
	}
	snprintf(fn, fl, "%.*s", (int)(at - pattern), pattern);
	colon = strrchr(at, ':');
	if (colon) {
		snprintf(file, fil, "%.*s", (int)(colon - at - 1), at + 1);
		*line = atoi(colon + 1);
	} else {
		snprintf(file, fil, "%s", at + 1);
	}
}

static int expand_functions(struct emit *em, struct st_uelf *u, char **err)
{
	char fn[256], file[256], buf[512];
	int line, r;

	split_at(em->sh->pattern, fn, sizeof(fn), file, sizeof(file), &line);
	/* .inline: staplet probes out-of-line code only; inlined copies have
	 * no symbol of their own */
	if (em->sh->inline_)
		return 0;
	for (uint32_t i = 0; i < u->nfuncs; i++) {
		const struct st_uelf_func *f = &u->funcs[i];
		struct st_uprobe_site *s;
		bool dup = false;

		if (fnmatch(fn, f->name, 0) != 0 || (em->sh->exported && !f->global))
			continue;
		for (uint32_t j = 0; j < i && !dup; j++)
			dup = u->funcs[j].vaddr == f->vaddr && !strcmp(u->funcs[j].name, f->name);
		if (dup)
			continue;
		if (st_uelf_decl(u, f->name, buf, sizeof(buf))) {
			if (file[0] && fnmatch(file, buf, 0) != 0 && !strstr(buf, file))
				continue;
		} else if (file[0]) {
			continue;
		}
		s = site_new(u, U_FUNC, f->name, f->vaddr, em->sh->ret, err);
		if (!s)
			return *err ? -EINVAL : -ENOMEM;
		{
			char decl[256], full[600];

			if (st_uelf_decl(u, f->name, decl, sizeof(decl)))
				snprintf(full, sizeof(full), "%s@%s", f->name, decl);
			else
				snprintf(full, sizeof(full), "%s", f->name);
			r = emit_point(em, full, s);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int expand_statement(struct emit *em, struct st_uelf *u, char **err)
{
	char fn[256], file[256];
	struct st_uprobe_site *s;
	uint64_t vaddr;
	int line;

	split_at(em->sh->pattern, fn, sizeof(fn), file, sizeof(file), &line);
	if (!file[0] || line <= 0) {
		if (asprintf(err, "statement probes take \"FUNC@FILE:LINE\"") < 0)
			*err = NULL;
		return -EINVAL;
	}
	if (st_uelf_line_addr(u, fn, file, line, &vaddr) < 0)
		return 0;
	s = site_new(u, U_STMT, em->sh->pattern, vaddr, false, err);
	if (!s)
		return *err ? -EINVAL : -ENOMEM;
	return emit_point(em, s->where[0] ? s->where : em->sh->pattern, s);
}

static int expand_plt(struct emit *em, struct st_uelf *u, char **err)
{
	for (uint32_t i = 0; i < u->nplt; i++) {
		struct st_uprobe_site *s;
		int r;

		if (fnmatch(em->sh->pattern, u->plt[i].name, 0) != 0)
			continue;
		s = site_new(u, U_PLT, u->plt[i].name, u->plt[i].vaddr, em->sh->ret, err);
		if (!s)
			return *err ? -EINVAL : -ENOMEM;
		r = emit_point(em, u->plt[i].name, s);
		if (r < 0)
			return r;
	}
	return 0;
}

static int expand_marks(struct emit *em, struct st_uelf *u, char **err)
{
	for (uint32_t i = 0; i < u->nnotes; i++) {
		const struct st_uelf_note *n = &u->notes[i];
		struct st_uprobe_site *s;
		int64_t sem = 0;
		int r;

		if (fnmatch(em->sh->pattern, n->name, 0) != 0 ||
		    (em->sh->provider && fnmatch(em->sh->provider, n->provider, 0) != 0))
			continue;
		s = site_new(u, U_MARK, n->name, n->pc, false, err);
		if (!s)
			return *err ? -EINVAL : -ENOMEM;
		/* the semaphore is data: its file offset comes from its own segment */
		if (n->semaphore) {
			sem = st_uelf_file_offset(u, n->semaphore);
		}
		s->ref_ctr = sem > 0 ? (uint64_t)sem : 0;
		snprintf(s->name, sizeof(s->name), "%s_%s", n->provider, n->name);
		make_event(s);          /* named provider_mark; $$name is the mark alone */
		snprintf(s->name, sizeof(s->name), "%s", n->name);
		if (mark_vars(s, n->args, err) < 0) {
			free_site(s);
			return -ENOMEM;
		}
		r = emit_point(em, n->name, s);
		if (r < 0)
			return r;
	}
	return 0;
}

static int expand_begin(struct emit *em, struct st_uelf *u, char **err)
{
	struct st_uprobe_site *s = site_new(u, U_BEGIN, "begin", st_uelf_entry(u), false, err);

	if (!s)
		return *err ? -EINVAL : -ENOMEM;
	return emit_point(em, NULL, s);
}

static int set_err(char **err, int rc, const char *fmt, const char *arg)
{
	free(*err);
	if (asprintf(err, fmt, arg) < 0)
		*err = NULL;
	return rc;
}

/* Expand the point over one resolved file. */
static int expand_file(struct emit *em, const char *path, char **err)
{
	struct st_uelf *u = elf_get(path, err);

	if (!u)
		return -ENOENT;
	em->path = path;
	switch (em->sh->kind) {
	case U_FUNC: return expand_functions(em, u, err);
	case U_STMT: return expand_statement(em, u, err);
	case U_PLT: return expand_plt(em, u, err);
	case U_MARK: return expand_marks(em, u, err);
	case U_BEGIN: return expand_begin(em, u, err);
	}
	return -EINVAL;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[{") != NULL;
}

static bool seen_before(char **seen, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (seen[i] && !strcmp(seen[i], path))
			return true;
	return false;
}

/* As stap does: every executable regular file the pattern matches, by its
 * real path, once; a file that does not resolve the rest of the point is
 * skipped (the caller reports "no match" when none did). */
static int expand_glob(struct emit *em, const char *pattern, char **err)
{
	glob_t g;
	char **seen;
	int r = glob(pattern, GLOB_BRACE, NULL, &g);

	if (r) {
		free(*err);
		if (asprintf(err, "glob %s error (%d)", pattern, r) < 0)
			*err = NULL;
		return -ENOENT;
	}
	seen = calloc(g.gl_pathc + 1, sizeof(*seen));
	r = seen ? 0 : -ENOMEM;
	for (size_t i = 0; i < g.gl_pathc && r == 0; i++) {
		struct stat st;
		char *e = NULL;

		if (access(g.gl_pathv[i], X_OK) || stat(g.gl_pathv[i], &st) || !S_ISREG(st.st_mode))
			continue;
		seen[i] = realpath(g.gl_pathv[i], NULL);
		if (!seen[i] || seen_before(seen, i, seen[i]))
			continue;
		r = expand_file(em, seen[i], &e);
		free(e);
		if (r != -ECANCELED && r != -ENOMEM)
			r = 0;
	}
	for (size_t i = 0; seen && i < g.gl_pathc; i++)
		free(seen[i]);
	free(seen);
	globfree(&g);
	return r;
}

/* A name without '/' is looked up on $PATH; an absolute or relative path
 * that names no file resolves nothing ("no match", as stap says). */
static int expand_path(struct emit *em, const char *name, char **err)
{
	char *path;
	int r;

	if (has_glob(name))
		return expand_glob(em, name, err);
	path = st_uelf_resolve_path(name);
	if (!path)
		return strchr(name, '/') ? 0 : set_err(err, -ENOENT, "cannot find executable '%s'", name);
	r = expand_file(em, path, err);
	free(path);
	return r;
}

int st_process_expand(struct st_arena *arena, const struct st_probe_point *pp,
		      int (*add)(void *arg, struct st_probe_point *concrete), void *arg, char **err)
{
	struct shape sh;
	struct emit em = { arena, pp, &sh, NULL, add, arg, 0 };
	char *path;
	int r;

	if (task_role(pp)) {
		if (pp->comp[0].has_arg) {
			path = st_uelf_resolve_path(pp->comp[0].arg_str);
			if (!path) {
				if (pp->optional)
					return 0;
				return set_err(err, -ENOENT, "cannot find executable '%s'", pp->comp[0].arg_str);
			}
			free(path);
		}
		return add(arg, (struct st_probe_point *)pp) < 0 ? -ECANCELED : 1;
	}
	r = parse_shape(pp, &sh, err);
	if (r < 0)
		return r;
	r = expand_path(&em, sh.path, err);
	if (r < 0)
		return r;
	/* the elaborator decides whether an optional point may match nothing */
	return em.count ? em.count : set_err(err, -ENOENT, "%s", "no match");
}

/* ---- classification and context variables ---- */

static int resolve_one(void *arg, struct st_probe_point *concrete)
{
	*(struct st_probe_point **)arg = concrete;
	return -1;     /* the first is enough */
}

static const struct st_uprobe_site *site_for(const struct st_probe_point *pp)
{
	struct st_probe_point *first = NULL;
	struct st_arena *arena;
	char *err = NULL;

	for (uint32_t i = 0; i < nsites; i++)
		if (sites[i]->pp == pp)
			return sites[i];
	/* not expanded here: resolve it now (its points live until exit) */
	arena = calloc(1, sizeof(*arena));
	if (!arena)
		return NULL;
	st_arena_init(arena, 4096);
	st_process_expand(arena, pp, resolve_one, &first, &err);
	free(err);
	if (first)
		for (uint32_t i = 0; i < nsites; i++)
			if (sites[i]->pp == first) {
				sites[i]->pp = pp;   /* the arena's copy is not needed */
				st_arena_free(arena);
				free(arena);
				return sites[i];
			}
	st_arena_free(arena);
	free(arena);
	return NULL;
}

int st_process_classify(const struct st_probe_point *pp, struct st_family_point *fp)
{
	uint8_t role = task_role(pp);
	const struct st_uprobe_site *s;

	memset(fp, 0, sizeof(*fp));
	/* stap: a process probe without a PID or PATH watches every process,
	 * or under -c/-x the target's tree; one with a PATH watches every
	 * process running PATH, -c/-x or not (-x only sets target()).  No
	 * process(PID) form reaches here. */
	fp->target_scoped = !pp->comp[0].has_arg;
	if (role) {
		bool begin = role == ST_TASK_PROC_BEGIN || role == ST_TASK_THREAD_BEGIN;

		fp->kind = ST_SRC_TRACEPOINT;
		fp->task_role = role;
		snprintf(fp->system, sizeof(fp->system), "%s", begin ? "task" : "sched");
		snprintf(fp->event, sizeof(fp->event), "%s", begin ? "task_newtask" : "sched_process_exit");
		if (pp->comp[0].has_arg) {
			char *path = st_uelf_resolve_path(pp->comp[0].arg_str);

			if (!path)
				return -ENOENT;
			snprintf(fp->task_path, sizeof(fp->task_path), "%s", path);
			free(path);
		}
		return 0;
	}
	s = site_for(pp);
	if (!s)
		return -ENOENT;
	fp->kind = ST_SRC_UPROBE;
	fp->usite = s;
	fp->is_return = s->ret;
	snprintf(fp->system, sizeof(fp->system), "%s", ST_UPROBE_SYSTEM);
	snprintf(fp->event, sizeof(fp->event), "%s", s->event);
	return 0;
}

static const struct st_uelf_var *find_var(const struct st_uprobe_site *s, const char *name)
{
	for (uint32_t i = 0; i < s->nvars; i++)
		if (!strcmp(s->vars[i].name, name))
			return &s->vars[i];
	return NULL;
}

/* Field name and fetch spec of a `$name`; false when unavailable. */
static bool var_fetch(const void *site, const char *name, char *field, size_t flen, char *spec, size_t slen)
{
	static const char *const abi[] = { "%di", "%si", "%dx", "%cx", "%r8", "%r9" };
	const struct st_uprobe_site *s = site;
	const struct st_uelf_var *v;

	if (!strcmp(name, "return")) {
		if (!s->ret || !s->ret_type[0])
			return false;
		snprintf(field, flen, "ret");
		snprintf(spec, slen, "%%ax:%s", s->ret_type);
		return true;
	}
	if (s->ret && s->kind != U_MARK)
		return false;  /* parameters at a return: @entry is not supported yet */
	if (s->kind == U_MARK || !strncmp(name, "arg", 3)) {
		char *end;
		long n = !strncmp(name, "arg", 3) ? strtol(name + 3, &end, 10) : 0;

		if (n >= 1 && !*end) {
			if (s->kind == U_MARK) {
				v = find_var(s, name);
				if (!v || !v->loc[0])
					return false;
				snprintf(field, flen, "%s", name);
				snprintf(spec, slen, "%s:%s", v->loc, v->type);
				return true;
			}
			if (s->kind == U_FUNC || s->kind == U_PLT) {
				if ((uint32_t)n <= s->nvars && s->vars[n - 1].loc[0]) {
					v = &s->vars[n - 1];
					snprintf(field, flen, "%s", name);
					snprintf(spec, slen, "%s:%s", v->loc, v->type);
					return true;
				}
				if (n > 6 || s->have_dwarf)
					return false;
				snprintf(field, flen, "%s", name);
				snprintf(spec, slen, "%s:s64", abi[n - 1]);
				return true;
			}
		}
	}
	if (s->kind != U_FUNC && s->kind != U_STMT)
		return false;
	v = find_var(s, name);
	if (!v || !v->loc[0] || !v->type[0])
		return false;
	snprintf(field, flen, "p_%s", name);
	snprintf(spec, slen, "%s:%s", v->loc, v->type);
	return true;
}

/* The entry site paired with a return site: same place, no .return.  Its
 * event is the one a probe on the function's entry uses, so both share it. */
static struct st_uprobe_site *entry_site(const struct st_uprobe_site *r)
{
	struct st_uprobe_site *e, *rs = (struct st_uprobe_site *)r;

	if (!r->ret || r->kind != U_FUNC)
		return NULL;
	if (r->entry)
		return r->entry;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	*e = *r;
	e->pp = NULL;
	e->ret = false;
	e->entry = NULL;
	e->vars = NULL;
	e->nvars = 0;
	if (!(e->path = strdup(r->path)) ||
	    (r->nvars && !(e->vars = calloc(r->nvars, sizeof(*e->vars))))) {
		free_site(e);
		return NULL;
	}
	for (uint32_t i = 0; i < r->nvars; i++, e->nvars++) {
		e->vars[i] = r->vars[i];
		if (!(e->vars[i].name = strdup(r->vars[i].name))) {
			free_site(e);
			return NULL;
		}
	}
	make_event(e);
	if (register_site(e) < 0) {
		free_site(e);
		return NULL;
	}
	return rs->entry = e;
}

/* The uprobe site as st_site_ops sees it (site_vars.h). */
static const void *ops_site(const struct st_family_point *fp) { return fp->usite; }
static bool ops_is_return(const void *s) { return ((const struct st_uprobe_site *)s)->ret; }
static const void *ops_entry(const void *s) { return entry_site(s); }

static void ops_point_at(struct st_family_point *fp, const void *site)
{
	fp->usite = site;
	snprintf(fp->event, sizeof(fp->event), "%s", fp->usite->event);
}

const struct st_site_ops st_uprobe_site_ops = {
	ops_site, ops_is_return, ops_entry, var_fetch, st_process_pretty, ops_point_at,
};

enum st_ctxvar_kind st_process_var(const struct st_family_point *fp, const char *name, bool dollar, char *fbuf,
				   const char **field, enum st_type *type)
{
	if (!fp->usite || !dollar)
		return ST_CTX_NONE;
	if (!strcmp(name, "$$name")) {
		*type = ST_T_STRING;
		*field = fp->usite->name;    /* the mark or PLT entry, not our event's name */
		return ST_CTX_EVENT_NAME;
	}
	return st_site_var(&st_uprobe_site_ops, fp, name, fbuf, ST_FIELD_NAME_MAX, field, type);
}

int st_process_pretty(const struct st_family_point *fp, const char *name, char *fmt, size_t flen,
		      char targets[][64], uint32_t max)
{
	const struct st_uprobe_site *s = fp->usite;
	const struct st_uelf_var *v;
	uint32_t n = 0;
	size_t len = strlen(name), pos;
	char *buf = NULL, base[128];
	size_t blen = 0;
	FILE *f;

	if (!s || name[0] != '$' || len < 2 || (name[1] != '$' && name[len - 1] != '$'))
		return -1;
	f = open_memstream(&buf, &blen);
	if (!f)
		return -1;
	if (!strcmp(name, "$$parms") || !strcmp(name, "$$vars") || !strcmp(name, "$$locals")) {
		/* at a function's entry staplet knows its parameters (no
		 * locals: stap prints none there either for optimised code); at
		 * a statement the variables in scope there */
		bool parms = !strcmp(name, "$$parms"), locals = !strcmp(name, "$$locals"), any = false;

		for (uint32_t i = 0; i < s->nvars; i++) {
			if ((parms && !s->vars[i].is_param) || (locals && s->vars[i].is_param))
				continue;
			if (any)
				fputc(' ', f);
			any = true;
			st_site_pretty_one(&st_uprobe_site_ops, s, s->vars[i].name, f, targets, max, &n);
		}
	} else if (!strcmp(name, "$$return")) {
		if (!s->ret || !s->ret_type[0]) {
			fclose(f);
			free(buf);
			return -1;
		}
		st_site_pretty_one(&st_uprobe_site_ops, s, "return", f, targets, max, &n);
	} else if (name[1] != '$') {
		/* $x$ / $x$$: a base type prints as stap's pretty printer does */
		for (pos = len; pos > 1 && name[pos - 1] == '$'; pos--)
			;
		snprintf(base, sizeof(base), "%.*s", (int)(pos - 1), name + 1);
		v = find_var(s, base);
		if (!v || !v->loc[0] || max < 1) {
			fclose(f);
			free(buf);
			return -1;
		}
		fputs(v->is_pointer ? "%#x" : v->type[0] == 'u' ? "%u" : "%i", f);
		snprintf(targets[n++], 64, "$%.60s", base);
	} else {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	snprintf(fmt, flen, "%s", buf ? buf : "");
	free(buf);
	return (int)n;
}

const char *st_process_chain_field(const struct st_family_point *fp, const char *target,
				   const struct st_uelf_step *steps, uint32_t nsteps, bool want_string,
				   bool *is_string, char *msg, size_t msglen)
{
	struct st_uprobe_site *s = (struct st_uprobe_site *)fp->usite;
	const struct st_uelf_var *v;
	struct st_uelf *u;
	struct chain *nc;
	char spec[sizeof(nc->spec)], *err = NULL;
	bool ptr = false;
	int rc;

	*is_string = want_string;
	if (!s || (s->kind != U_FUNC && s->kind != U_STMT) || s->ret || target[0] != '$' || target[1] == '$') {
		snprintf(msg, msglen, "staplet follows user-space pointers from parameters and locals of "
			 ".function and .statement probes only");
		return NULL;
	}
	if (!(v = find_var(s, target + 1)) || !(u = elf_get(s->path, &err))) {
		free(err);
		snprintf(msg, msglen, "unable to find context variable %s", target);
		return NULL;
	}
	rc = st_uelf_var_chain(u, v, steps, nsteps, want_string, spec, sizeof(spec), &ptr, msg, msglen);
	if (rc < 0) {
		if (rc == -E2BIG)
			snprintf(msg, msglen, "%s: member chain too long for a fetch argument", target);
		return NULL;
	}
	for (uint32_t i = 0; i < s->nchains; i++)
		if (!strcmp(s->chains[i].spec, spec))
			return s->chains[i].field;
	nc = realloc(s->chains, sizeof(*nc) * (s->nchains + 1));
	if (!nc)
		return NULL;
	s->chains = nc;
	nc = &s->chains[s->nchains];
	snprintf(nc->field, sizeof(nc->field), "%sc_%u", want_string ? "str_" : "", s->nchains);
	snprintf(nc->spec, sizeof(nc->spec), "%s", spec);
	s->nchains++;
	return nc->field;
}

const char *st_process_string_field(const struct st_family_point *fp, const char *target, char *buf)
{
	char field[ST_FIELD_NAME_MAX - 8], spec[96];

	if (!st_site_fetch(&st_uprobe_site_ops, fp, target, field, sizeof(field), spec, sizeof(spec)) || spec[0] == '\\')
		return NULL;
	snprintf(buf, ST_FIELD_NAME_MAX, "str_%s", field);
	return buf;
}

void st_process_source_init(struct st_source *s, const struct st_family_point *fp, struct st_arena *arena)
{
	const struct st_uprobe_site *u = fp->usite;

	s->probe_path = (char *)arena_str(arena, u->path);
	s->probe_offset = u->offset;
	s->probe_ref_ctr = u->ref_ctr;
	s->probe_return = u->ret;
	s->probe_fetch = (char *)arena_str(arena, "");
	if (u->func[0])
		s->probe_func = (char *)arena_str(arena, u->func);
}

/* uarg_N_T: the dwarfless *_arg(N) of the x86-64 calling convention (the
 * first six in registers, the rest on the stack above the return address);
 * ureg_N: @uregister(N), a DWARF register number. */
static bool abi_spec(const char *field, char *spec, size_t len)
{
	static const char *const args[] = { "di", "si", "dx", "cx", "r8", "r9" };
	static const char *const dwarf[] = { "ax", "dx", "cx", "bx", "si", "di", "bp", "sp", "r8", "r9",
					     "r10", "r11", "r12", "r13", "r14", "r15", "ip" };
	char type[8];
	int n;

	if (sscanf(field, "uarg_%d_%3s", &n, type) == 2 && n >= 1 && n <= 64 &&
	    (!strcmp(type, "s32") || !strcmp(type, "u32") || !strcmp(type, "s64") || !strcmp(type, "u64"))) {
		if (n <= 6)
			snprintf(spec, len, "%%%s:%s", args[n - 1], type);
		else
			snprintf(spec, len, "+%d(%%sp):%s", 8 * (n - 6), type);
		return true;
	}
	if (sscanf(field, "ureg_%d", &n) == 1 && n >= 0 && n < (int)(sizeof(dwarf) / sizeof(dwarf[0]))) {
		snprintf(spec, len, "%%%s:u64", dwarf[n]);
		return true;
	}
	return false;
}

bool st_process_abi_field(const char *field)
{
	char spec[64];

	return abi_spec(field, spec, sizeof(spec));
}

/* The spec of one field the handlers read, by its name. */
static bool field_spec(const struct st_uprobe_site *u, const char *field, char *spec, size_t len)
{
	char name[160], f2[160];
	bool str = !strncmp(field, "str_", 4);
	const char *base = str ? field + 4 : field;

	if (abi_spec(field, spec, len))
		return true;
	for (uint32_t i = 0; i < u->nchains; i++)
		if (!strcmp(u->chains[i].field, field)) {
			snprintf(spec, len, "%s", u->chains[i].spec);
			return true;
		}
	if (!strncmp(base, "p_", 2))
		snprintf(name, sizeof(name), "%s", base + 2);
	else if (!strcmp(base, "ret"))
		snprintf(name, sizeof(name), "return");
	else
		snprintf(name, sizeof(name), "%s", base);
	if (!var_fetch(u, name, f2, sizeof(f2), spec, len) || strcmp(f2, base))
		return false;
	if (str) {
		char *colon = strrchr(spec, ':');

		if (colon)
			*colon = 0;
		memmove(spec + 3, spec, strlen(spec) + 1);
		memcpy(spec, "+0(", 3);
		strncat(spec, "):ustring", len - strlen(spec) - 1);
	}
	return true;
}

void st_process_source_fetch(struct st_source *s, const struct st_family_point *fp, struct st_arena *arena)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	for (uint32_t i = 0; i < s->nfields; i++) {
		char spec[256];

		if (field_spec(fp->usite, s->fields[i], spec, sizeof(spec)))
			fprintf(f, "%s%s=%s", i ? " " : "", s->fields[i], spec);
	}
	fclose(f);
	s->probe_fetch = (char *)st_arena_strndup(arena, buf, len, len);
	free(buf);
}

const char *st_uprobe_site_path(const struct st_uprobe_site *u)
{
	return u ? u->path : NULL;
}
