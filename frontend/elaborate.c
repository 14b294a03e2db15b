/* elaborate.c - pass 2: probe aliases and built-in point expansion, one
 * instance per concrete point with its own copy of the body, then name
 * resolution (locals, globals, functions, builtins, context variables). */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/elab.h"
#include "frontend/suggest.h"
#include "frontend/optimize.h"
#include "tapset/builtins.h"

void st_sem_error(struct elab *E, const struct st_loc *loc, const char *near, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	st_diag_error(&E->diag, "semantic error", NULL, near, loc, "%s", buf);
}

/* ---- alias expansion ---- */

struct expansion {
	struct elab *E;
	struct st_probe *origin;
	struct st_stmt **pre, **post;    /* prologues (outermost last), epilogues */
	uint32_t npre, npost;
	struct st_expr *cond;
	int depth;
	struct st_probe_point *user_pt;  /* the alias name the script's point matched, or NULL */
};

static bool comp_matches(const struct st_pp_component *pat, const struct st_pp_component *name)
{
	if (fnmatch(pat->name, name->name, 0) != 0)
		return false;
	if (pat->has_arg != name->has_arg)
		return false;
	if (!pat->has_arg)
		return true;
	if (pat->arg_is_string != name->arg_is_string)
		return false;
	return pat->arg_is_string ? strcmp(pat->arg_str, name->arg_str) == 0 : pat->arg_num == name->arg_num;
}

static struct st_expr *and_cond(struct elab *E, struct st_expr *a, struct st_expr *b)
{
	struct st_expr *e;

	if (!a)
		return b;
	if (!b)
		return a;
	e = st_expr_new(E->pool, ST_E_LOGICAL, &b->loc, "operator '&&'");
	e->op = 'A';
	e->a = a;
	e->b = b;
	return e;
}

static void make_instance(struct expansion *X, struct st_probe_point *pt)
{
	struct elab *E = X->E;
	struct st_probe_inst *in = st_pool_zalloc(E->pool, sizeof *in);
	struct st_stmt *body = st_pool_zalloc(E->pool, sizeof *body);
	uint32_t i;

	body->kind = ST_S_BLOCK;
	body->loc = X->origin->body->loc;
	body->near = X->origin->body->near;
	for (i = X->npre; i-- > 0;)
		st_pool_push(E->pool, (void ***)&body->body, &body->nbody, st_stmt_clone(E->pool, X->pre[i]));
	st_pool_push(E->pool, (void ***)&body->body, &body->nbody, st_stmt_clone(E->pool, X->origin->body));
	for (i = 0; i < X->npost; i++)
		st_pool_push(E->pool, (void ***)&body->body, &body->nbody, st_stmt_clone(E->pool, X->post[i]));
	in->point = pt;
	in->pp = st_point_str(E->pool, pt, false);
	in->user_pp = X->user_pt ? st_point_str(E->pool, X->user_pt, false) : in->pp;
	in->origin = X->origin;
	in->body = body;
	in->cond = st_expr_clone(E->pool, X->cond);
	st_pool_push(E->pool, (void ***)&E->prog->insts, &E->prog->ninsts, in);
}

struct add_ctx { struct expansion *X; int n; };

static int add_concrete(void *arg, struct st_probe_point *concrete)
{
	struct add_ctx *a = arg;

	make_instance(a->X, concrete);
	a->n++;
	return 0;
}

static int expand_point(struct expansion *X, struct st_probe_point *pt, bool optional);

/* The alias name `name` that the script's point pt matched, with pt's
 * suffix components beyond it: "scheduler.*" -> "scheduler.cpu_off". */
static struct st_probe_point *user_point(struct elab *E, const struct st_probe_point *name,
					 const struct st_probe_point *pt)
{
	struct st_probe_point *u = st_point_clone(E->pool, name);
	struct st_pp_component *c = st_pool_zalloc(E->pool, pt->ncomp * sizeof *c);

	st_copy(c, name->comp, name->ncomp * sizeof *c);
	st_copy(c + name->ncomp, pt->comp + name->ncomp, (pt->ncomp - name->ncomp) * sizeof *c);
	u->comp = c;
	u->ncomp = pt->ncomp;
	return u;
}

static bool alias_name_matches(const struct st_probe_point *name, const struct st_probe_point *pt)
{
	uint32_t k;

	if (name->ncomp > pt->ncomp)
		return false;
	for (k = 0; k < name->ncomp; k++)
		if (!comp_matches(&pt->comp[k], &name->comp[k]))
			return false;
	return true;
}

/* Whether an alias is named by all of pt (not only a prefix of it). */
static bool has_exact_alias(const struct st_program *prog, const struct st_probe_point *pt)
{
	for (uint32_t i = 0; i < prog->nprobes; i++)
		for (uint32_t j = 0; prog->probes[i]->is_alias && j < prog->probes[i]->nalias_names; j++)
			if (prog->probes[i]->alias_names[j]->ncomp == pt->ncomp &&
			    alias_name_matches(prog->probes[i]->alias_names[j], pt))
				return true;
	return false;
}

/* Try the aliases whose names match pt; returns matches, or -1 if none.
 * As stap, a suffix is attached to an alias only when no alias matches
 * the whole point: vfs.read.return is the vfs.read.return alias, not
 * vfs.read's points with .return, whatever order the tapset defines them. */
static int expand_aliases(struct expansion *X, struct st_probe_point *pt, bool optional)
{
	struct st_program *prog = X->E->prog;
	uint32_t i, j, q;
	int found = 0, any = -1;
	bool exact = has_exact_alias(prog, pt);

	for (i = 0; i < prog->nprobes; i++) {
		struct st_probe *a = prog->probes[i];

		if (!a->is_alias)
			continue;
		for (j = 0; j < a->nalias_names; j++) {
			struct st_probe_point *name = a->alias_names[j];
			struct expansion sub;

			if (!alias_name_matches(name, pt))
				continue;
			if (name->ncomp < pt->ncomp && exact)
				continue;
			if (any < 0)
				any = 0;
			sub = *X;
			sub.depth++;
			if (!X->depth)
				sub.user_pt = user_point(X->E, name, pt);
			if (a->alias_epilogue) {
				sub.post = st_pool_zalloc(X->E->pool, (X->npost + 1) * sizeof *sub.post);
				sub.post[0] = a->body;
				st_copy(sub.post + 1, X->post, X->npost * sizeof *sub.post);
				sub.npost = X->npost + 1;
			} else {
				sub.pre = st_pool_zalloc(X->E->pool, (X->npre + 1) * sizeof *sub.pre);
				st_copy(sub.pre, X->pre, X->npre * sizeof *sub.pre);
				sub.pre[X->npre] = a->body;
				sub.npre = X->npre + 1;
			}
			for (q = 0; q < a->npoints; q++) {
				struct st_probe_point *np = st_point_clone(X->E->pool, a->points[q]);
				int r;

				/* Suffix components beyond the alias name go onto each body point. */
				if (pt->ncomp > name->ncomp) {
					struct st_pp_component *c = st_pool_zalloc(X->E->pool,
						(np->ncomp + pt->ncomp - name->ncomp) * sizeof *c);

					st_copy(c, np->comp, np->ncomp * sizeof *c);
					st_copy(c + np->ncomp, pt->comp + name->ncomp, (pt->ncomp - name->ncomp) * sizeof *c);
					np->comp = c;
					np->ncomp += pt->ncomp - name->ncomp;
				}
				sub.cond = and_cond(X->E, X->cond, np->cond);
				r = expand_point(&sub, np, optional || np->optional);
				if (r > 0) {
					found += r;
					any += r;
					if (np->sufficient)
						break;
				}
			}
			break;
		}
	}
	return any < 0 ? -1 : found + (any == 0 ? 0 : 0);
}

/* stap's second line: where the point stopped matching anything known */
static void mismatch_error(struct elab *E, const struct st_probe_point *pt)
{
	const struct st_point_resolver *R = E->opts ? E->opts->resolver : NULL;
	char msg[640];
	uint32_t k = st_point_mismatch(E->prog, R && R->probe_types ? R->probe_types() : NULL, pt, msg, sizeof msg);
	const struct st_pp_component *c = &pt->comp[k];

	if (c->near)
		st_sem_error(E, &c->loc, c->near, "%s", msg);
	else
		st_sem_error(E, &pt->loc, st_pool_printf(E->pool, "identifier '%s'", c->name), "%s", msg);
}

static int expand_point(struct expansion *X, struct st_probe_point *pt, bool optional)
{
	struct elab *E = X->E;
	const struct st_point_resolver *R = E->opts ? E->opts->resolver : NULL;
	struct add_ctx a = { X, 0 };
	char *err = NULL;
	int r;

	if (X->depth > 30) {
		st_sem_error(E, &pt->loc, st_pool_printf(E->pool, "identifier '%s'", pt->comp[0].name),
			     "recursive loop in alias expansion");
		return 0;
	}
	r = expand_aliases(X, pt, optional);
	if (r >= 0) {
		if (r == 0 && !optional)
			goto unresolved;
		return r;
	}
	if (!R || !R->expand) {
		err = NULL;
		r = 0;
	} else
		r = R->expand(R->ctx, pt, add_concrete, &a, &err);
	if (r == -ENODATA && !err)
		return 0;
	if (r < 0 && !optional) {
		st_sem_error(E, &pt->loc, st_pool_printf(E->pool, "identifier '%s'", pt->comp[0].name),
			     "while resolving probe point");
		if (err && E->diag.out)
			fprintf(E->diag.out, "semantic error: %s\n", err);
		else if (!err)
			mismatch_error(E, pt);
		free(err);
		return 0;
	}
	free(err);
	if (r > 0)
		return a.n ? a.n : r;
	if (optional)
		return 0;
unresolved:
	st_sem_error(E, &pt->loc, st_pool_printf(E->pool, "identifier '%s'", pt->comp[0].name),
		     "while resolving probe point");
	mismatch_error(E, pt);
	return 0;
}

static void expand_probe(struct elab *E, struct st_probe *p)
{
	uint32_t i;

	for (i = 0; i < p->npoints; i++) {
		struct expansion X = { .E = E, .origin = p, .cond = p->points[i]->cond };
		int r = expand_point(&X, p->points[i], p->points[i]->optional);

		if (r > 0 && p->points[i]->sufficient)
			break;
	}
}

/* ---- name resolution ---- */

struct frame {
	struct elab *E;
	struct st_symbol ***locals;
	uint32_t *nlocals;
	struct st_probe_inst *inst;      /* NULL in functions */
	const char *file;
	bool in_tapset_fn;               /* a tapset function's body: the script's globals are not its names */
	struct st_function **queue;      /* functions still to resolve */
	uint32_t nqueue;
	struct st_symbol *iterating[16]; /* arrays of the enclosing foreach loops */
	uint32_t niterating;
	bool value_discarded;            /* the next expression is a statement's: its value is dropped */
};

/* stap refuses to change an array while a foreach walks it (pass 2). */
static void check_not_iterating(struct frame *F, const struct st_expr *e, const struct st_symbol *s)
{
	uint32_t i;

	for (i = 0; s && i < F->niterating && i < 16; i++)
		if (F->iterating[i] == s) {
			st_sem_error(F->E, &e->loc, e->near, "variable '%s' modified during 'foreach' iteration", s->name);
			return;
		}
}

/* Does stmt (a function body) assign to an element of the array `name`?
 * stap looks at the called function's own statements only, not at what
 * it calls in turn; deleting one element counts, deleting the whole array
 * does not. */
static bool expr_writes(const struct st_expr *e, const char *name)
{
	uint32_t i;

	if (!e)
		return false;
	if ((e->kind == ST_E_ASSIGN || e->kind == ST_E_INCDEC || e->kind == ST_E_AGG_ADD) &&
	    e->a->kind == ST_E_INDEX && e->a->a->kind == ST_E_VAR && !strcmp(e->a->a->str, name))
		return true;
	for (i = 0; i < e->nargs; i++)
		if (expr_writes(e->args[i], name))
			return true;
	return expr_writes(e->a, name) || (e->kind != ST_E_CAST && expr_writes(e->b, name)) ||
	       expr_writes(e->c, name);
}

static bool stmt_writes(const struct st_stmt *s, const char *name)
{
	uint32_t i;

	if (!s)
		return false;
	if (s->kind == ST_S_DELETE && s->expr->kind == ST_E_INDEX && s->expr->a->kind == ST_E_VAR &&
	    !strcmp(s->expr->a->str, name))
		return true;
	if ((s->kind != ST_S_DELETE && expr_writes(s->expr, name)) || expr_writes(s->init, name) ||
	    expr_writes(s->cond, name) || expr_writes(s->step, name) ||
	    stmt_writes(s->then, name) || stmt_writes(s->els, name))
		return true;
	for (i = 0; i < s->nbody; i++)
		if (stmt_writes(s->body[i], name))
			return true;
	return false;
}

static void check_call_in_foreach(struct frame *F, const struct st_expr *call, const struct st_function *f)
{
	uint32_t i;

	for (i = 0; i < F->niterating && i < 16; i++)
		if (F->iterating[i] && stmt_writes(f->body, F->iterating[i]->name)) {
			st_sem_error(F->E, &call->loc, call->near, "function call modifies var '%s' during 'foreach' iteration",
				     F->iterating[i]->name);
			return;
		}
}

static struct st_symbol *new_local(struct frame *F, const char *name, const struct st_loc *loc)
{
	struct st_symbol *s = st_pool_zalloc(F->E->pool, sizeof *s);

	s->kind = ST_SYM_LOCAL;
	s->name = name;
	s->loc = *loc;
	s->index = *F->nlocals;
	st_pool_push(F->E->pool, (void ***)F->locals, F->nlocals, s);
	return s;
}

static struct st_symbol *find_local(struct frame *F, const char *name)
{
	uint32_t i;

	for (i = 0; i < *F->nlocals; i++)
		if (!strcmp((*F->locals)[i]->name, name))
			return (*F->locals)[i];
	return NULL;
}

/* The script (files[0]) or a tapset file: note a tapset file in use. */
static void use_file(struct elab *E, const char *file)
{
	uint32_t i;

	if (!file || (E->prog->nfiles && !strcmp(file, E->prog->files[0])))
		return;
	for (i = 0; i < E->nused_files; i++)
		if (!strcmp(E->used_files[i], file))
			return;
	st_pool_push(E->pool, (void ***)&E->used_files, &E->nused_files, (void *)file);
}

static bool file_used(const struct elab *E, const char *file)
{
	uint32_t i;

	for (i = 0; file && i < E->nused_files; i++)
		if (!strcmp(E->used_files[i], file))
			return true;
	return false;
}

static struct st_global *find_global(struct frame *F, const char *name)
{
	struct st_program *prog = F->E->prog;
	uint32_t i;

	for (i = 0; i < prog->nglobals; i++) {
		struct st_global *g = prog->globals[i];

		if (strcmp(g->name, name) || (g->is_private && F->file && strcmp(g->loc.file, F->file)))
			continue;
		/* stap lets a script's global take over a tapset function's
		 * variable of the same name, with a cross-file warning; stap's
		 * functions are mostly C, ours are script code, where a script's
		 * `global n` would silently change their results */
		if (F->in_tapset_fn && !g->is_tapset)
			continue;
		return g;
	}
	return NULL;
}

static struct st_symbol *implicit_global(struct frame *F, const struct st_expr *e)
{
	struct st_program *prog = F->E->prog;
	struct st_global *g = st_pool_zalloc(F->E->pool, sizeof *g);
	struct st_symbol *s = st_pool_zalloc(F->E->pool, sizeof *s);

	g->name = e->str;
	g->loc = e->loc;
	g->is_array = true;
	s->kind = ST_SYM_GLOBAL;
	s->name = g->name;
	s->loc = g->loc;
	s->index = prog->nglobals;
	s->global = g;
	s->is_array = true;
	g->sym = s;
	st_pool_push(F->E->pool, (void ***)&prog->globals, &prog->nglobals, g);
	return s;
}

/* An array nobody declared: stap's pass 2 refuses it (locals cannot be
 * arrays).  It still gets a global slot so the rest of the pass goes on and
 * the error is said once per name. */
static struct st_symbol *undeclared_array(struct frame *F, const struct st_expr *e, uint32_t nkeys)
{
	st_sem_error(F->E, &e->loc, e->near, "unresolved arity-%u global array %s, missing global declaration?",
		     nkeys, e->str);
	return implicit_global(F, e);
}

static struct st_symbol *resolve_name(struct frame *F, struct st_expr *e, bool array, uint32_t nkeys)
{
	struct st_symbol *s = find_local(F, e->str);
	struct st_global *g;
	const struct st_point_resolver *R = F->E->opts ? F->E->opts->resolver : NULL;

	if (s && !array)
		return s;
	g = find_global(F, e->str);
	if (g) {
		use_file(F->E, g->loc.file);
		return g->sym;
	}
	if (array)
		return undeclared_array(F, e, nkeys);
	if (F->inst && R && R->var_type) {
		enum st_type t = R->var_type(R->ctx, F->inst->point, e->str, false);

		if (t != ST_T_UNKNOWN) {
			struct st_ctxvar_binding *nb;

			s = new_local(F, e->str, &e->loc);
			s->type = t;
			nb = st_pool_zalloc(F->E->pool, (F->inst->nbindings + 1) * sizeof *nb);
			st_copy(nb, F->inst->bindings, F->inst->nbindings * sizeof *nb);
			nb[F->inst->nbindings].name = e->str;
			nb[F->inst->nbindings].sym = s;
			F->inst->bindings = nb;
			F->inst->nbindings++;
			return s;
		}
	}
	return new_local(F, e->str, &e->loc);
}

static struct st_function *find_function(struct elab *E, const char *name, uint32_t nargs, bool *name_exists)
{
	struct st_program *prog = E->prog;
	struct st_function *best = NULL;
	uint32_t i;

	for (i = 0; i < prog->nfuncs; i++) {
		struct st_function *f = prog->funcs[i];

		if (strcmp(f->name, name))
			continue;
		*name_exists = true;
		if (f->nparams != nargs)
			continue;
		/* Script functions win over tapset ones; then declaration order. */
		if (!best || (best->is_tapset && !f->is_tapset))
			best = f;
	}
	return best;
}

static void resolve_stmt(struct frame *F, struct st_stmt *s);

static void mark_access(struct st_symbol *s, bool write)
{
	if (s && s->global) {
		if (write) {
			s->global->written = true;
		} else {
			s->global->read = true;
			s->global->used = true;
		}
	}
}

/* The read half of `g++;` or `g += x;` as a statement: read, not used. */
static void mark_update(struct st_symbol *s, bool discarded)
{
	if (!discarded)
		mark_access(s, false);
	else if (s && s->global)
		s->global->read = true;
}

static void resolve_expr(struct frame *F, struct st_expr *e, bool write);

static void resolve_args(struct frame *F, struct st_expr *e)
{
	uint32_t i;

	for (i = 0; i < e->nargs; i++)
		if (e->args[i])
			resolve_expr(F, e->args[i], false);
}

static void resolve_array_base(struct frame *F, struct st_expr *base, uint32_t nkeys, bool write)
{
	if (base->kind != ST_E_VAR) {
		resolve_expr(F, base, write);
		return;
	}
	base->sym = resolve_name(F, base, true, nkeys);
	if (base->sym) {
		if (base->sym->global)
			base->sym->global->is_array = true;
		base->sym->is_array = true;
		if (!base->sym->nkeys && nkeys <= 9) {
			base->sym->nkeys = (uint8_t)nkeys;
			base->sym->aloc = base->loc;
			base->sym->anear = base->near;
		}
		mark_access(base->sym, write);
		if (write)
			check_not_iterating(F, base, base->sym);
	}
}

/* A context variable's type comes from the point's family (a tracepoint's
 * __data_loc char[] field is a string, lowering must know it).  Pretty forms
 * ($$vars, $$parms, $x$, $x$$ ...) are strings whatever the point; anything
 * else the resolver cannot type stays unknown and types.c defaults it. */
static enum st_type target_type(struct frame *F, const char *name)
{
	const struct st_point_resolver *R = F->E->opts ? F->E->opts->resolver : NULL;
	enum st_type t = ST_T_UNKNOWN;
	size_t n = strlen(name);

	if (F->inst && R && R->var_type)
		t = R->var_type(R->ctx, F->inst->point, name, true);
	if (t == ST_T_UNKNOWN && (!strncmp(name, "$$", 2) || (n > 1 && name[n - 1] == '$')))
		t = ST_T_STRING;
	return t;
}

/* The @cast under `&`, members and an index: @defined(&@cast(0, T)->m). */
static const struct st_expr *cast_path(const struct st_expr *e)
{
	if (e->kind == ST_E_ADDR)
		e = e->a;
	while (e && (e->kind == ST_E_MEMBER || (e->kind == ST_E_INDEX && e->a->kind != ST_E_VAR)))
		e = e->a;
	return e && e->kind == ST_E_CAST ? e : NULL;
}

/* Ask the resolver whether the @cast's type has the member path. */
static int cast_defined(const struct st_point_resolver *R, const struct st_expr *e)
{
	const char *mem[32];
	const struct st_expr *c = cast_path(e);
	uint32_t n = 0;

	if (e->kind == ST_E_ADDR)
		e = e->a;
	for (; e && e != c; e = e->a)
		if (e->kind == ST_E_MEMBER) {
			if (n == 32)
				return 1;
			mem[n++] = e->str;
		}
	for (uint32_t i = 0; i < n / 2; i++) {
		const char *t = mem[i];

		mem[i] = mem[n - 1 - i];
		mem[n - 1 - i] = t;
	}
	return R->cast_defined(R->ctx, c->str, c->b && c->b->kind == ST_E_STR ? c->b->str : NULL, mem, n);
}

/* `->m` or `[i]` on a value: the chain must start at a typed context value
 * ($var, @cast, @var, @entry of one); on anything else (an autocast of a
 * plain number or string) there is no type to dereference. */
static void check_autocast(struct elab *E, const struct st_expr *e)
{
	const struct st_expr *b = e->a;

	while (b->kind == ST_E_MEMBER || (b->kind == ST_E_INDEX && b->a->kind != ST_E_VAR) || b->kind == ST_E_ENTRY)
		b = b->a;
	if (b->kind == ST_E_TARGET || b->kind == ST_E_CAST || (b->kind == ST_E_ATOP && !strcmp(b->str, "@var")))
		return;
	if (e->a->kind == ST_E_MEMBER || (e->a->kind == ST_E_INDEX && e->a->a->kind != ST_E_VAR))
		return;   /* reported at the first suffix */
	st_sem_error(E, &e->loc, e->near, "unknown type in dereference");
	st_sem_error(E, &e->loc, e->near, "unresolved type ");   /* stap's type pass says it too */
}

/* A value whose type pass 2 knows: $var (not $$...), @cast, a member chain
 * of one, or the address of one. */
static bool typed_value(const struct st_expr *e)
{
	if (e->kind == ST_E_ADDR)
		e = e->a;
	while (e && (e->kind == ST_E_MEMBER || (e->kind == ST_E_INDEX && e->a->kind != ST_E_VAR)))
		e = e->a;
	return e && (e->kind == ST_E_CAST || (e->kind == ST_E_TARGET && e->str[1] != '$'));
}

/* A write to a local: `v = value` (value) or any other (NULL). */
static void note_assign(struct st_symbol *s, const struct st_expr *value)
{
	if (!s || s->kind != ST_SYM_LOCAL)
		return;
	s->nassign++;
	s->typed = s->nassign == 1 && value && typed_value(value) ? value : NULL;
}

/* `v->m` with v a local assigned once from a typed value: the chain
 * continues from that value (`fh = &@cast(a, "args")->fh` makes `fh->x`
 * @cast(a, "args")->fh->x), as stap types such a local. */
static void autocast_local(struct frame *F, struct st_expr *e)
{
	struct st_symbol *s = e->a->kind == ST_E_VAR ? e->a->sym : NULL;

	if (!s || s->kind != ST_SYM_LOCAL || s->nassign != 1 || !s->typed)
		return;
	s->typed_used = true;
	e->a = st_expr_clone(F->E->pool, s->typed->kind == ST_E_ADDR ? s->typed->a : s->typed);
}

static void resolve_expr(struct frame *F, struct st_expr *e, bool write)
{
	struct elab *E = F->E;
	bool discarded = F->value_discarded;

	F->value_discarded = false;     /* only the statement's own expression */
	switch (e->kind) {
	case ST_E_VAR:
		e->sym = resolve_name(F, e, false, 0);
		mark_access(e->sym, write);
		if (write)
			check_not_iterating(F, e, e->sym);
		break;
	case ST_E_INDEX:
		resolve_args(F, e);
		if (e->a->kind == ST_E_VAR)
			resolve_array_base(F, e->a, e->nargs, write);
		else {
			resolve_expr(F, e->a, write);
			check_autocast(E, e);
		}
		break;
	case ST_E_IN:
		resolve_args(F, e);
		resolve_array_base(F, e->a, e->nargs, false);
		break;
	case ST_E_CALL: {
		bool exists = false;
		struct st_function *f = find_function(E, e->str, e->nargs, &exists);

		resolve_args(F, e);
		if (f) {
			e->func = f;
			if (f->is_tapset)
				use_file(E, f->loc.file);
			check_call_in_foreach(F, e, f);
			if (!f->used) {
				f->used = true;
				st_pool_push(E->pool, (void ***)&F->queue, &F->nqueue, f);
			}
			break;
		}
		e->builtin = st_builtin_find(e->str, (int)e->nargs);
		if (e->builtin >= 0)
			break;
		if (exists || st_builtin_exists(e->str))
			st_sem_error(E, &e->loc, e->near, "arity mismatch found (function '%s' takes a different number of args)", e->str);
		else
			st_sem_error(E, &e->loc, e->near, "unresolved function %s", e->str);
		break;
	}
	case ST_E_TARGET:
		if (write && !(E->opts && E->opts->guru))
			st_sem_error(E, &e->loc, e->near, "write to target variable not permitted; need stap -g");
		e->type = target_type(F, e->str);
		break;
	case ST_E_ASSIGN:
		resolve_expr(F, e->b, false);
		resolve_expr(F, e->a, true);
		if (e->a->kind == ST_E_VAR)
			note_assign(e->a->sym, e->op == '=' ? e->b : NULL);
		if (e->op != '=' && e->a->sym)
			mark_update(e->a->sym, discarded);
		if (e->a->kind == ST_E_INDEX && e->a->a->sym && e->op != '=')
			mark_update(e->a->a->sym, discarded);
		break;
	case ST_E_INCDEC:
		/* read and written; resolving the operand twice would be
		 * exponential in nested `-- -- --x` */
		resolve_expr(F, e->a, true);
		if (e->a->kind == ST_E_VAR)
			note_assign(e->a->sym, NULL);
		if (e->a->kind == ST_E_VAR && e->a->sym)
			mark_update(e->a->sym, discarded);
		else if (e->a->kind == ST_E_INDEX && e->a->a->kind == ST_E_VAR && e->a->a->sym)
			mark_update(e->a->a->sym, discarded);
		break;
	case ST_E_AGG_ADD:
		resolve_expr(F, e->b, false);
		resolve_expr(F, e->a, true);
		break;
	case ST_E_DEFINED: {
		/* Folded now: a context variable the point has, or anything else that resolves. */
		struct st_expr *a = e->a;
		int v = 1;
		const struct st_point_resolver *R = E->opts ? E->opts->resolver : NULL;

		char path[512];

		if (a->kind == ST_E_MEMBER && st_member_path(a, path, sizeof(path))) {
			v = F->inst && R && R->var_type && R->var_type(R->ctx, F->inst->point, path, true) != ST_T_UNKNOWN;
			a = NULL;
		}
		if (a && cast_path(a) && R && R->cast_defined)
			v = cast_defined(R, a);
		while (a && (a->kind == ST_E_MEMBER || (a->kind == ST_E_INDEX && a->a->kind != ST_E_VAR)))
			a = a->a;
		if (a && a->kind == ST_E_TARGET)
			v = F->inst && R && R->var_type && R->var_type(R->ctx, F->inst->point, a->str, true) != ST_T_UNKNOWN;
		e->kind = ST_E_NUM;
		e->num = v;
		e->type = ST_T_LONG;
		e->a = NULL;
		break;
	}
	case ST_E_PROBEWRITE:
		e->kind = ST_E_NUM;
		e->num = 0;
		e->type = ST_T_LONG;
		e->a = NULL;
		break;
	case ST_E_MEMBER:
		resolve_expr(F, e->a, false);
		autocast_local(F, e);
		check_autocast(E, e);
		break;
	case ST_E_EMBEDDED:
		if (!(E->opts && E->opts->guru))
			st_sem_error(E, &e->loc, e->near, "embedded code in unprivileged script; need stap -g");
		else
			st_sem_error(E, &e->loc, e->near, "embedded C code is not supported by staplet");
		break;
	default:
		if (e->a)
			resolve_expr(F, e->a, false);
		if (e->b && e->kind != ST_E_CAST)
			resolve_expr(F, e->b, false);
		if (e->c)
			resolve_expr(F, e->c, false);
		resolve_args(F, e);
		break;
	}
}

static void resolve_local_var(struct frame *F, struct st_expr *v)
{
	v->sym = find_local(F, v->str);
	if (!v->sym)
		v->sym = new_local(F, v->str, &v->loc);
	note_assign(v->sym, NULL);   /* a foreach key or value, a catch variable */
}

static void resolve_stmt(struct frame *F, struct st_stmt *s)
{
	uint32_t i;

	if (!s)
		return;
	if (s->kind == ST_S_IF && s->cond && s->cond->kind == ST_E_DEFINED) {
		/* if (@defined(...)) folds now, as stap's pass 2 does, so the
		 * branch not taken may name what this point does not have. */
		struct st_stmt *keep;

		resolve_expr(F, s->cond, false);
		keep = s->cond->num ? s->then : s->els;
		if (keep) {
			*s = *keep;
		} else {
			s->kind = ST_S_NULL;
			s->cond = NULL;
			s->then = s->els = NULL;
		}
		resolve_stmt(F, s);
		return;
	}
	if (s->expr) {
		F->value_discarded = s->kind == ST_S_EXPR;
		resolve_expr(F, s->expr, s->kind == ST_S_DELETE);
	}
	if (s->kind == ST_S_DELETE && s->expr->kind == ST_E_VAR && s->expr->sym)
		mark_access(s->expr->sym, true);
	if (s->init)
		resolve_expr(F, s->init, false);
	if (s->cond)
		resolve_expr(F, s->cond, false);
	if (s->step)
		resolve_expr(F, s->step, false);
	if (s->kind == ST_S_FOREACH) {
		if (s->fe_array->kind == ST_E_VAR)
			resolve_array_base(F, s->fe_array, s->fe_nkeys, false);
		else
			resolve_expr(F, s->fe_array, false);
		for (i = 0; i < s->fe_nkeys; i++) {
			resolve_local_var(F, s->fe_keys[i]);
			if (s->fe_filter && s->fe_filter[i])
				resolve_expr(F, s->fe_filter[i], false);
		}
		if (s->fe_value)
			resolve_local_var(F, s->fe_value);
		if (s->fe_limit)
			resolve_expr(F, s->fe_limit, false);
	}
	if (s->kind == ST_S_TRY && s->catch_var)
		resolve_local_var(F, s->catch_var);
	if (s->kind == ST_S_FOREACH && s->fe_array->kind == ST_E_VAR) {
		if (F->niterating < 16)
			F->iterating[F->niterating] = s->fe_array->sym;
		F->niterating++;
		resolve_stmt(F, s->then);
		F->niterating--;
	} else
		resolve_stmt(F, s->then);
	resolve_stmt(F, s->els);
	for (i = 0; i < s->nbody; i++)
		resolve_stmt(F, s->body[i]);
}

static void resolve_function(struct elab *E, struct st_function *f, struct frame *caller)
{
	struct frame F = { .E = E, .locals = &f->locals, .nlocals = &f->nlocals, .file = f->loc.file,
			   .in_tapset_fn = f->is_tapset };
	uint32_t i;

	for (i = 0; i < f->nparams; i++) {
		f->params[i].sym = new_local(&F, f->params[i].name, &f->loc);
		f->params[i].sym->type = f->params[i].declared;
	}
	if (f->embedded) {
		if (!f->is_tapset)
			st_sem_error(E, &f->loc, st_pool_printf(E->pool, "identifier '%s'", f->name),
				     "embedded C code is not supported by staplet");
	} else
		resolve_stmt(&F, f->body);
	for (i = 0; i < F.nqueue; i++)
		st_pool_push(E->pool, (void ***)&caller->queue, &caller->nqueue, F.queue[i]);
}

/* Resolve the probes' bodies and the functions they reach; then add the
 * plain probes (e.g. argv.stp's `probe init`) of the tapset files that
 * resolution used, and resolve those, until no file joins. */
static void resolve_all(struct elab *E)
{
	struct st_program *prog = E->prog;
	bool *pulled = st_pool_zalloc(E->pool, prog->nprobes + 1);
	struct frame top = { .E = E };
	uint32_t i, q, done = 0, nq = 0;

	for (;;) {
		for (i = done; i < prog->ninsts; i++) {
			struct st_probe_inst *in = prog->insts[i];
			struct frame F = { .E = E, .locals = &in->locals, .nlocals = &in->nlocals, .inst = in,
					   .file = in->origin->loc.file };

			resolve_stmt(&F, in->body);
			if (in->cond)
				resolve_expr(&F, in->cond, false);
			for (q = 0; q < F.nqueue; q++)
				st_pool_push(E->pool, (void ***)&top.queue, &top.nqueue, F.queue[q]);
		}
		done = prog->ninsts;
		for (; nq < top.nqueue; nq++)
			resolve_function(E, top.queue[nq], &top);
		for (i = 0; i < prog->nprobes; i++) {
			struct st_probe *p = prog->probes[i];

			if (!p->is_alias && p->is_tapset && !pulled[i] && file_used(E, p->loc.file)) {
				pulled[i] = true;
				expand_probe(E, p);
			}
		}
		if (prog->ninsts == done)
			break;
	}
}

int st_elaborate(struct st_program *prog, const struct st_compile_opts *opts)
{
	struct elab E = { .prog = prog, .opts = opts, .pool = prog->pool };
	uint32_t i;

	E.diag.out = opts ? opts->diag : stderr;
	E.diag.quiet_warnings = opts && opts->no_warnings;
	for (i = 0; i < prog->nfiles; i++)
		st_diag_add_file(&E.diag, prog->files[i], prog->file_texts[i]);
	for (i = 0; i < prog->nglobals; i++) {
		struct st_global *g = prog->globals[i];
		struct st_symbol *s = st_pool_zalloc(E.pool, sizeof *s);

		s->kind = ST_SYM_GLOBAL;
		s->name = g->name;
		s->loc = g->loc;
		s->index = i;
		s->global = g;
		s->is_array = g->is_array;
		if (g->has_init)
			s->type = g->init->type;
		g->sym = s;
	}
	for (i = 0; i < prog->nprobes; i++)
		if (!prog->probes[i]->is_alias && !prog->probes[i]->is_tapset)
			expand_probe(&E, prog->probes[i]);
	resolve_all(&E);
	if (E.diag.errors == 0)
		st_optimize(&E);
	if (E.diag.errors == 0 && prog->ninsts == 0)
		st_diag_error(&E.diag, "semantic error", NULL, NULL, NULL, "no probes found");
	if (E.diag.errors == 0)
		st_infer_types(&E);
	st_diag_summary(&E.diag);
	st_diag_free(&E.diag);
	return -(E.diag.errors + (opts && opts->werror ? E.diag.warnings : 0));
}
