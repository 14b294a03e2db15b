/* optimize.c - pass 2 elision before type inference, in stap's order: a
 * relaxation loop of (uses, never-assigned warnings on the first round),
 * dead assignments, side-effect-free statements and function
 * reachability; then probes whose body is gone. */
#include <stdlib.h>
#include <string.h>
#include "frontend/optimize.h"
#include "tapset/builtins.h"

struct opt {
	struct elab *E;
	bool changed;
	bool quiet;             /* stap warns on the first round only */
	uint8_t *seen;          /* per function: visited by the current walk */
	struct st_probe_inst *inst;   /* frame being rewritten (NULL: a function) */
};

/* ---- edit distance suggestions ---- */

static uint32_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	uint32_t *row = calloc(lb + 1, sizeof *row), d;

	if (!row)
		abort();
	for (j = 0; j <= lb; j++)
		row[j] = (uint32_t)j;
	for (i = 1; i <= la; i++) {
		uint32_t diag = row[0];

		row[0] = (uint32_t)i;
		for (j = 1; j <= lb; j++) {
			uint32_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

struct cand { const char *name; uint32_t dist; };

static int cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	if (a->dist != b->dist)
		return a->dist < b->dist ? -1 : 1;
	return strcmp(a->name, b->name);
}

void st_similar(const char *target, const char *const *names, uint32_t n, uint32_t max,
		char *buf, size_t size)
{
	struct cand *c = calloc(n + 1, sizeof *c);
	uint32_t i, k = 0, out = 0;
	size_t at = 0;

	if (!c)
		abort();
	buf[0] = 0;
	for (i = 0; i < n; i++) {
		uint32_t j, d;

		if (!names[i] || !*names[i])
			continue;
		for (j = 0; j < k && strcmp(c[j].name, names[i]); j++)
			;
		if (j < k)
			continue;
		d = edit_distance(target, names[i]);
		if (d > 7)
			continue;
		c[k].name = names[i];
		c[k++].dist = d;
	}
	qsort(c, k, sizeof *c, cand_cmp);
	for (i = 0; i < k && out < max; i++, out++) {
		int w = snprintf(buf + at, size - at, "%s%s", out ? ", " : "", c[i].name);

		if (w < 0 || (size_t)w >= size - at)
			break;
		at += (size_t)w;
	}
	free(c);
}

/* ---- uses: which symbols are read and written by what probes reach ---- */

static void use_stmt(struct opt *O, struct st_stmt *s);

static void mark(struct st_symbol *s, bool write)
{
	if (!s)
		return;
	if (write)
		s->opt_written = true;
	else
		s->opt_read = true;
}

/* The variable (or array) an lvalue names is read as well (x += 1, x++). */
static void mark_read_too(const struct st_expr *a)
{
	if (a->kind == ST_E_INDEX && a->a->kind == ST_E_VAR)
		a = a->a;
	if (a->kind == ST_E_VAR)
		mark(a->sym, false);
}

static void use_expr(struct opt *O, struct st_expr *e, bool write)
{
	uint32_t i;

	if (!e)
		return;
	for (i = 0; i < e->nargs; i++)
		use_expr(O, e->args[i], false);
	switch (e->kind) {
	case ST_E_VAR:
		mark(e->sym, write);
		return;
	case ST_E_INDEX:
	case ST_E_IN:
		if (e->a->kind == ST_E_VAR)
			mark(e->a->sym, write && e->kind == ST_E_INDEX);
		else
			use_expr(O, e->a, write);
		return;
	case ST_E_ASSIGN:
	case ST_E_AGG_ADD:
		use_expr(O, e->b, false);
		use_expr(O, e->a, true);
		if (e->kind == ST_E_ASSIGN && e->op != '=')
			mark_read_too(e->a);
		return;
	case ST_E_INCDEC:
		/* once: walking the operand twice is exponential in `-- -- --x` */
		use_expr(O, e->a, true);
		mark_read_too(e->a);
		return;
	case ST_E_CALL:
		if (e->func && !O->seen[e->func->index]) {
			uint32_t k;

			O->seen[e->func->index] = 1;
			for (k = 0; k < e->func->nparams; k++)
				mark(e->func->params[k].sym, true);
			use_stmt(O, e->func->body);
		}
		return;
	default:
		use_expr(O, e->a, false);
		if (e->kind != ST_E_CAST)
			use_expr(O, e->b, false);
		use_expr(O, e->c, false);
		return;
	}
}

static void use_stmt(struct opt *O, struct st_stmt *s)
{
	uint32_t i;

	if (!s)
		return;
	use_expr(O, s->expr, s->kind == ST_S_DELETE);
	use_expr(O, s->init, false);
	use_expr(O, s->cond, false);
	use_expr(O, s->step, false);
	if (s->kind == ST_S_FOREACH) {
		use_expr(O, s->fe_array, false);
		for (i = 0; i < s->fe_nkeys; i++) {
			use_expr(O, s->fe_keys[i], true);
			if (s->fe_filter)
				use_expr(O, s->fe_filter[i], false);
		}
		use_expr(O, s->fe_value, true);
		use_expr(O, s->fe_limit, false);
	}
	use_expr(O, s->catch_var, true);
	use_stmt(O, s->then);
	use_stmt(O, s->els);
	for (i = 0; i < s->nbody; i++)
		use_stmt(O, s->body[i]);
}

static void clear_syms(struct st_symbol **v, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		v[i]->opt_read = v[i]->opt_written = false;
}

/* Walk every probe (body and condition) and what it calls; mark the
 * functions reached as used. */
static void collect_uses(struct opt *O)
{
	struct st_program *prog = O->E->prog;
	uint32_t i;

	memset(O->seen, 0, prog->nfuncs + 1);
	for (i = 0; i < prog->nglobals; i++)
		if (prog->globals[i]->sym)
			prog->globals[i]->sym->opt_read = prog->globals[i]->sym->opt_written = false;
	for (i = 0; i < prog->nfuncs; i++)
		clear_syms(prog->funcs[i]->locals, prog->funcs[i]->nlocals);
	for (i = 0; i < prog->ninsts; i++) {
		struct st_probe_inst *in = prog->insts[i];
		uint32_t k;

		clear_syms(in->locals, in->nlocals);
		for (k = 0; k < in->nbindings; k++)
			in->bindings[k].sym->opt_written = true;
		use_stmt(O, in->body);
		use_expr(O, in->cond, false);
	}
	for (i = 0; i < prog->nfuncs; i++)
		prog->funcs[i]->used = O->seen[i];
}

/* ---- side effects ---- */

static bool builtin_pure(int id)
{
	static const char *const impure[] = { "randint", "system", "srand", NULL };
	uint32_t i;

	if (id < 0 || st_builtins[id].ret == ST_T_VOID)
		return false;
	for (i = 0; impure[i]; i++)
		if (!strcmp(st_builtins[id].name, impure[i]))
			return false;
	return true;
}

static bool stmt_effect(struct opt *O, const struct st_stmt *s, int depth);

/* Does writing `target` matter: a global, a context variable, or (depth 0)
 * a local of the frame being looked at; a called function's locals do not. */
static bool write_effect(const struct st_expr *t, int depth)
{
	while (t && t->kind == ST_E_INDEX)
		return true;    /* arrays are global */
	if (!t || t->kind != ST_E_VAR || !t->sym)
		return true;
	return t->sym->kind == ST_SYM_GLOBAL || depth == 0;
}

static bool expr_effect(struct opt *O, const struct st_expr *e, int depth)
{
	uint32_t i;

	if (!e)
		return false;
	for (i = 0; i < e->nargs; i++)
		if (expr_effect(O, e->args[i], depth))
			return true;
	switch (e->kind) {
	case ST_E_ASSIGN:
	case ST_E_AGG_ADD:
	case ST_E_INCDEC:
		if (write_effect(e->a, depth))
			return true;
		if (e->a->kind == ST_E_INDEX && expr_effect(O, e->a, depth))
			return true;
		return expr_effect(O, e->b, depth);
	case ST_E_CALL:
		if (e->func) {
			if (O->seen[e->func->index])
				return false;
			O->seen[e->func->index] = 1;
			return stmt_effect(O, e->func->body, depth + 1);
		}
		return !builtin_pure(e->builtin);
	case ST_E_PRINT:
		if (e->print < ST_PRINT_SPRINT)
			return true;
		break;
	case ST_E_EMBEDDED:
		return true;
	default:
		break;
	}
	return expr_effect(O, e->a, depth) || (e->kind != ST_E_CAST && expr_effect(O, e->b, depth)) ||
	       expr_effect(O, e->c, depth);
}

static bool stmt_effect(struct opt *O, const struct st_stmt *s, int depth)
{
	uint32_t i;

	if (!s)
		return false;
	if (s->kind == ST_S_DELETE && write_effect(s->expr, depth))
		return true;
	if (s->kind == ST_S_NEXT)
		return true;
	if (expr_effect(O, s->expr, depth) || expr_effect(O, s->init, depth) ||
	    expr_effect(O, s->cond, depth) || expr_effect(O, s->step, depth))
		return true;
	if (s->kind == ST_S_FOREACH) {
		if (expr_effect(O, s->fe_limit, depth))
			return true;
		for (i = 0; s->fe_filter && i < s->fe_nkeys; i++)
			if (expr_effect(O, s->fe_filter[i], depth))
				return true;
		if (depth == 0 && (s->fe_nkeys || s->fe_value))
			return true;
	}
	if (stmt_effect(O, s->then, depth) || stmt_effect(O, s->els, depth))
		return true;
	for (i = 0; i < s->nbody; i++)
		if (stmt_effect(O, s->body[i], depth))
			return true;
	return false;
}

static bool pure(struct opt *O, const struct st_expr *e)
{
	memset(O->seen, 0, O->E->prog->nfuncs + 1);
	return !expr_effect(O, e, 0);
}

/* ---- warnings ---- */

static bool user_file(struct opt *O, const struct st_loc *loc)
{
	return loc->file && O->E->prog->nfiles && !strcmp(loc->file, O->E->prog->files[0]);
}

static void warn(struct opt *O, const char *desc, const struct st_loc *loc, const char *msg)
{
	if (!O->quiet && user_file(O, loc))
		st_diag_warning(&O->E->diag, desc, loc, "%s", msg);
}

static void push_name(const char ***v, uint32_t *n, const char *name)
{
	*v = realloc(*v, (*n + 1) * sizeof **v);
	if (!*v)
		abort();
	(*v)[(*n)++] = name;
}

static void global_names(struct opt *O, const char ***v, uint32_t *n)
{
	struct st_program *prog = O->E->prog;
	uint32_t i;

	for (i = 0; i < prog->nglobals; i++) {
		struct st_symbol *s = prog->globals[i]->sym;

		if (s && (s->opt_read || s->opt_written))
			push_name(v, n, prog->globals[i]->name);
	}
}

static void never_assigned(struct opt *O, struct st_symbol **locals, uint32_t nlocals, uint32_t first)
{
	uint32_t i, k;

	for (i = first; i < nlocals; i++) {
		struct st_symbol *s = locals[i];
		const char **names = NULL;
		uint32_t n = 0;
		char sim[512], msg[700];

		if (!s->opt_read || s->opt_written)
			continue;
		for (k = 0; k < nlocals; k++)
			if (strcmp(locals[k]->name, s->name))
				push_name(&names, &n, locals[k]->name);
		global_names(O, &names, &n);
		for (k = 0; k < n; k++)
			if (!strcmp(names[k], s->name))
				names[k] = NULL;
		st_similar(s->name, names, n, 5, sim, sizeof sim);
		free(names);
		snprintf(msg, sizeof msg, "never-assigned local variable '%s'%s%s%s", s->name,
			 *sim ? " (similar: " : "", sim, *sim ? ")" : "");
		warn(O, st_pool_printf(O->E->pool, "identifier '%s'", s->name), &s->loc, msg);
	}
}

static int func_cmp(const void *a, const void *b)
{
	return strcmp((*(struct st_function *const *)a)->name, (*(struct st_function *const *)b)->name);
}

static void warn_never_assigned(struct opt *O)
{
	struct st_program *prog = O->E->prog;
	struct st_function **fs = calloc(prog->nfuncs + 1, sizeof *fs);
	uint32_t i, n = 0;

	if (!fs)
		abort();
	for (i = 0; i < prog->ninsts; i++)
		never_assigned(O, prog->insts[i]->locals, prog->insts[i]->nlocals, 0);
	for (i = 0; i < prog->nfuncs; i++)
		if (prog->funcs[i]->used)
			fs[n++] = prog->funcs[i];
	qsort(fs, n, sizeof *fs, func_cmp);    /* stap walks its functions by name */
	for (i = 0; i < n; i++)
		never_assigned(O, fs[i]->locals, fs[i]->nlocals, fs[i]->nparams);
	free(fs);
	for (i = 0; i < prog->nglobals; i++) {
		struct st_global *g = prog->globals[i];
		const char **names = NULL;
		uint32_t k = 0;
		char sim[512], msg[700];

		if (!g->sym || !g->sym->opt_read || g->sym->opt_written || g->has_init)
			continue;
		/* stap's list keeps the variable itself */
		global_names(O, &names, &k);
		st_similar(g->name, names, k, 5, sim, sizeof sim);
		free(names);
		snprintf(msg, sizeof msg, "never-assigned global variable '%s'%s%s%s", g->name,
			 *sim ? " (similar: " : "", sim, *sim ? ")" : "");
		warn(O, st_pool_printf(O->E->pool, "identifier '%s'", g->name), &g->loc, msg);
	}
}

/* ---- dead assignments: `x = e` to a local nobody reads becomes `e` ---- */

static bool is_binding(const struct st_probe_inst *in, const struct st_symbol *s)
{
	uint32_t i;

	for (i = 0; in && i < in->nbindings; i++)
		if (in->bindings[i].sym == s)
			return true;
	return false;
}

static void dead_assign_stmt(struct opt *O, struct st_stmt *s);

static void dead_assign_expr(struct opt *O, struct st_expr **ep)
{
	struct st_expr *e = *ep;
	uint32_t i;

	if (!e)
		return;
	for (i = 0; i < e->nargs; i++)
		dead_assign_expr(O, &e->args[i]);
	dead_assign_expr(O, &e->a);
	if (e->kind != ST_E_CAST)
		dead_assign_expr(O, &e->b);
	dead_assign_expr(O, &e->c);
	if (e->kind == ST_E_ASSIGN && e->a->kind == ST_E_VAR && e->a->sym &&
	    e->a->sym->kind == ST_SYM_LOCAL && !e->a->sym->opt_read && !e->a->sym->typed_used &&
	    !is_binding(O->inst, e->a->sym)) {
		warn(O, e->near, &e->loc, st_pool_printf(O->E->pool, "Eliding assignment to '%s'", e->a->str));
		*ep = e->b;
		O->changed = true;
	}
}

static void dead_assign_stmt(struct opt *O, struct st_stmt *s)
{
	uint32_t i;

	if (!s)
		return;
	dead_assign_expr(O, &s->expr);
	dead_assign_expr(O, &s->init);
	dead_assign_expr(O, &s->cond);
	dead_assign_expr(O, &s->step);
	dead_assign_stmt(O, s->then);
	dead_assign_stmt(O, s->els);
	for (i = 0; i < s->nbody; i++)
		dead_assign_stmt(O, s->body[i]);
}

/* ---- side-effect-free statements ---- */

static struct st_stmt *dead_stmt(struct opt *O, struct st_stmt *s);
static struct st_stmt *empty_block(struct opt *O, const struct st_stmt *like, const struct st_loc *loc);

static void dead_block(struct opt *O, struct st_stmt *s)
{
	struct st_stmt **keep = NULL;
	uint32_t i, n = 0, k;

	for (i = 0; i < s->nbody; i++) {
		struct st_stmt *c = dead_stmt(O, s->body[i]);

		if (!c)
			continue;
		if (c->kind == ST_S_BLOCK) {   /* no block scope: flatten */
			for (k = 0; k < c->nbody; k++)
				st_pool_push(O->E->pool, (void ***)&keep, &n, c->body[k]);
		} else
			st_pool_push(O->E->pool, (void ***)&keep, &n, c);
	}
	s->body = keep;
	s->nbody = n;
}

static struct st_stmt *dead_stmt(struct opt *O, struct st_stmt *s)
{
	if (!s)
		return NULL;
	switch (s->kind) {
	case ST_S_NULL:
		return NULL;
	case ST_S_BLOCK:
		dead_block(O, s);
		return s->nbody == 0 ? NULL : s->nbody == 1 ? s->body[0] : s;
	case ST_S_TRY:
		s->then = dead_stmt(O, s->then);
		if (!s->then)
			return NULL;
		/* a catch whose body went away still catches: keep it, empty */
		if (s->els && !(s->els = dead_stmt(O, s->els)))
			s->els = empty_block(O, NULL, &s->loc);
		return s;
	case ST_S_IF:
		s->then = dead_stmt(O, s->then);
		s->els = dead_stmt(O, s->els);
		if (s->then)
			return s;
		if (s->els) {
			struct st_expr *not = st_expr_new(O->E->pool, ST_E_UNARY, &s->cond->loc, s->cond->near);

			not->op = '!';
			not->a = s->cond;
			s->cond = not;
			s->then = s->els;
			s->els = NULL;
			return s;
		}
		if (pure(O, s->cond))
			return NULL;
		s->kind = ST_S_EXPR;
		s->expr = s->cond;
		s->cond = NULL;
		s->loc = s->expr->loc;
		s->near = s->expr->near;
		return s;
	case ST_S_FOREACH:
		s->then = dead_stmt(O, s->then);
		return s->then ? s : NULL;
	case ST_S_FOR:
	case ST_S_WHILE:
		s->then = dead_stmt(O, s->then);
		if (s->then)
			return s;
		if (pure(O, s->init) && pure(O, s->cond) && pure(O, s->step))
			return NULL;
		s->then = st_pool_zalloc(O->E->pool, sizeof *s->then);
		s->then->kind = ST_S_NULL;
		s->then->loc = s->loc;
		s->then->near = s->near;
		return s;
	case ST_S_EXPR:
		if (!pure(O, s->expr))
			return s;
		warn(O, s->near, &s->loc, "Eliding side-effect-free expression ");
		O->changed = true;
		return NULL;
	default:
		return s;
	}
}

static struct st_stmt *empty_block(struct opt *O, const struct st_stmt *like, const struct st_loc *loc)
{
	struct st_stmt *b = st_pool_zalloc(O->E->pool, sizeof *b);

	b->kind = ST_S_BLOCK;
	b->loc = like ? like->loc : *loc;
	b->near = like ? like->near : NULL;
	return b;
}

/* Keep the body a block: lowering and -p1 printing expect one. */
static struct st_stmt *as_block(struct opt *O, struct st_stmt *s, struct st_stmt *old)
{
	struct st_stmt *b;

	if (s && s->kind == ST_S_BLOCK)
		return s;
	b = empty_block(O, old, old ? &old->loc : NULL);
	if (s)
		st_pool_push(O->E->pool, (void ***)&b->body, &b->nbody, s);
	return b;
}

static void dead_stmts(struct opt *O)
{
	struct st_program *prog = O->E->prog;
	uint32_t i;

	for (i = 0; i < prog->ninsts; i++) {
		struct st_probe_inst *in = prog->insts[i];
		struct st_stmt *b;

		if (!in->body)
			continue;
		O->inst = in;
		b = dead_stmt(O, in->body);
		in->body = b ? as_block(O, b, in->body) : NULL;
	}
	O->inst = NULL;
	for (i = 0; i < prog->nfuncs; i++) {
		struct st_function *f = prog->funcs[i];
		struct st_stmt *b;

		if (!f->used || !f->body)
			continue;
		b = dead_stmt(O, f->body);
		if (!b)
			warn(O, st_pool_printf(O->E->pool, "identifier '%s'", f->name), &f->loc,
			     st_pool_printf(O->E->pool, "side-effect-free function '%s'", f->name));
		f->body = as_block(O, b, f->body);
	}
}

static void dead_assigns(struct opt *O)
{
	struct st_program *prog = O->E->prog;
	uint32_t i;

	for (i = 0; i < prog->ninsts; i++) {
		O->inst = prog->insts[i];
		dead_assign_stmt(O, prog->insts[i]->body);
	}
	O->inst = NULL;
	for (i = 0; i < prog->nfuncs; i++)
		if (prog->funcs[i]->used)
			dead_assign_stmt(O, prog->funcs[i]->body);
}

/* ---- constant conditions ----
 * `@defined(x) ? x : y` and `if (!@defined(x)) ...` (the @choose_defined
 * idiom) keep only the branch the constant picks, as stap's constant
 * folding does: the other branch may name context variables this probe
 * point lacks, and must not reach type inference or lowering. */

static bool is_num(const struct st_expr *e)
{
	return e && e->kind == ST_E_NUM;
}

static void make_num(struct st_expr *e, int64_t v)
{
	e->kind = ST_E_NUM;
	e->num = v;
	e->type = ST_T_LONG;
	e->a = e->b = e->c = NULL;
	e->nargs = 0;
}

static void fold_stmt(struct opt *O, struct st_stmt **sp);

static void fold_expr(struct opt *O, struct st_expr **ep)
{
	struct st_expr *e = *ep;
	uint32_t i;

	if (!e)
		return;
	for (i = 0; i < e->nargs; i++)
		fold_expr(O, &e->args[i]);
	fold_expr(O, &e->a);
	if (e->kind != ST_E_CAST)
		fold_expr(O, &e->b);
	fold_expr(O, &e->c);
	switch (e->kind) {
	case ST_E_TERNARY:
		if (is_num(e->a)) {
			*ep = e->a->num ? e->b : e->c;
			O->changed = true;
		}
		break;
	case ST_E_UNARY:
		if (is_num(e->a) && (e->op == '!' || e->op == '~')) {
			make_num(e, e->op == '!' ? !e->a->num : ~e->a->num);
			O->changed = true;
		}
		break;
	case ST_E_LOGICAL:
		/* only when the left operand decides: the right one is not evaluated */
		if (is_num(e->a) && (e->op == 'A' ? !e->a->num : !!e->a->num)) {
			make_num(e, e->op != 'A');
			O->changed = true;
		} else if (is_num(e->a) && is_num(e->b)) {
			make_num(e, !!e->b->num);
			O->changed = true;
		}
		break;
	default:
		break;
	}
}

static void fold_stmt(struct opt *O, struct st_stmt **sp)
{
	struct st_stmt *s = *sp;
	uint32_t i;

	if (!s)
		return;
	fold_expr(O, &s->expr);
	fold_expr(O, &s->init);
	fold_expr(O, &s->cond);
	fold_expr(O, &s->step);
	fold_expr(O, &s->fe_limit);
	for (i = 0; s->fe_filter && i < s->fe_nkeys; i++)
		fold_expr(O, &s->fe_filter[i]);
	fold_stmt(O, &s->then);
	fold_stmt(O, &s->els);
	for (i = 0; i < s->nbody; i++)
		fold_stmt(O, &s->body[i]);
	if (s->kind == ST_S_IF && is_num(s->cond)) {
		struct st_stmt *keep = s->cond->num ? s->then : s->els;

		*sp = keep ? keep : empty_block(O, s, &s->loc);
		O->changed = true;
	}
}

static void fold_consts(struct opt *O)
{
	struct st_program *prog = O->E->prog;
	uint32_t i;

	for (i = 0; i < prog->ninsts; i++)
		fold_stmt(O, &prog->insts[i]->body);
	for (i = 0; i < prog->nfuncs; i++)
		if (prog->funcs[i]->used)
			fold_stmt(O, &prog->funcs[i]->body);
}

/* ---- what is left ---- */

/* Drop the locals nothing refers to any more and renumber the rest
 * (parameters stay first, bindings stay). */
static void prune_locals(struct st_symbol ***v, uint32_t *n, uint32_t first, const struct st_probe_inst *in)
{
	uint32_t i, k = 0;

	for (i = 0; i < *n; i++) {
		struct st_symbol *s = (*v)[i];

		if (i >= first && !s->opt_read && !s->opt_written && !is_binding(in, s))
			continue;
		s->index = k;
		(*v)[k++] = s;
	}
	*n = k;
}

static void drop_elided_probes(struct opt *O)
{
	struct st_program *prog = O->E->prog;
	uint32_t i, k = 0;

	for (i = 0; i < prog->ninsts; i++) {
		struct st_probe_inst *in = prog->insts[i];

		if (in->body) {
			prog->insts[k++] = in;
			continue;
		}
		warn(O, "keyword", &in->origin->loc,
		     st_pool_printf(O->E->pool, "Probe '%s' has been elided", in->point->comp[0].name));
	}
	prog->ninsts = k;
}

/* A global only folded-away code used is not used (stap elides it,
 * silently): no type to infer, nothing to print at the end. */
static void forget_unused_globals(struct opt *O)
{
	struct st_program *prog = O->E->prog;
	uint32_t i;

	for (i = 0; i < prog->nglobals; i++) {
		struct st_global *g = prog->globals[i];

		if (g->sym && !g->sym->opt_read && !g->sym->opt_written)
			g->read = g->written = false;
	}
}

void st_optimize(struct elab *E)
{
	struct st_program *prog = E->prog;
	struct opt O = { .E = E };
	uint32_t i, round;

	O.seen = calloc(prog->nfuncs + 1, 1);
	if (!O.seen)
		abort();
	for (i = 0; i < prog->nfuncs; i++)
		prog->funcs[i]->index = i;
	if (E->opts && E->opts->unoptimized) {
		fold_consts(&O);   /* even unoptimized, as stap: @defined needs it */
		collect_uses(&O);
		forget_unused_globals(&O);
		free(O.seen);
		return;
	}
	for (round = 0; round < 64; round++) {
		O.changed = false;
		O.quiet = round > 0;
		collect_uses(&O);
		if (round == 0)
			warn_never_assigned(&O);
		fold_consts(&O);
		dead_assigns(&O);
		dead_stmts(&O);
		if (!O.changed)
			break;
	}
	O.quiet = false;
	collect_uses(&O);
	drop_elided_probes(&O);
	collect_uses(&O);
	forget_unused_globals(&O);
	for (i = 0; i < prog->ninsts; i++)
		prune_locals(&prog->insts[i]->locals, &prog->insts[i]->nlocals, 0, prog->insts[i]);
	for (i = 0; i < prog->nfuncs; i++)
		if (prog->funcs[i]->used)
			prune_locals(&prog->funcs[i]->locals, &prog->funcs[i]->nlocals,
				     prog->funcs[i]->nparams, NULL);
	free(O.seen);
}
