/* types.c - type inference: every variable, array key and value, function
 * parameter and return value gets long, string or stats, iterated to a fixed
 * point across all probes and functions; a last pass reports conflicts. */
#include <string.h>
#include "frontend/elab.h"
#include "tapset/builtins.h"

struct infer {
	struct elab *E;
	bool changed;
	bool report;
	struct st_function *func;   /* for return */
	const struct st_probe_inst *inst;  /* the probe being typed, or NULL */
	/* A builtin without a value (exit, log, error, ...) is an untyped
	 * function in stap's tapset: a call where a value is wanted gives it
	 * that type, for every call, as a script function's return. */
	enum st_type vtype[ST_BI_COUNT];
	struct st_loc vloc[ST_BI_COUNT];
	const char *vnear[ST_BI_COUNT];
};

/* Give slot *t the type `want`; a conflict is reported at e in the last pass. */
static void unify(struct infer *I, enum st_type *t, enum st_type want, const struct st_expr *e)
{
	if (want == ST_T_UNKNOWN)
		return;
	if (*t == ST_T_UNKNOWN) {
		*t = want;
		I->changed = true;
	} else if (*t != want && I->report && e)
		st_sem_error(I->E, &e->loc, e->near, "type mismatch (%s vs. %s)", st_type_name(want), st_type_name(*t));
}

/* A typed slot that remembers where its type was first inferred: a
 * variable's value, an array key (index >= 0), a function parameter (its
 * position as index) or a function's return value. */
struct slot {
	enum st_type *t;
	struct st_loc *loc;
	const char **near;
	int index;
};

static struct slot sym_slot(struct st_symbol *s, int index)
{
	return (struct slot){ &s->type, &s->tloc, &s->tnear, index };
}

static struct slot key_slot(struct st_symbol *s, int i)
{
	return (struct slot){ &s->key[i], &s->kloc[i], &s->knear[i], i };
}

/* stap's pair: "type mismatch (WANT)" where the slot was met again, then
 * "type was first inferred here (HAD)" where it got its type. */
static void mismatch(struct infer *I, struct slot sl, enum st_type want, const struct st_expr *e)
{
	char idx[32] = "";
	bool printed;

	if (sl.index >= 0)
		snprintf(idx, sizeof idx, "index %d ", sl.index);
	printed = st_diag_error(&I->E->diag, "semantic error", NULL, e->near, &e->loc, "%stype mismatch (%s)",
				idx, st_type_name(want));
	if (printed && *sl.near) {
		I->E->diag.no_dedupe = true;
		if (sl.index >= 0)
			st_diag_error(&I->E->diag, "semantic error", NULL, *sl.near, sl.loc,
				      "type of index %d was first inferred here (%s)", sl.index, st_type_name(*sl.t));
		else
			st_diag_error(&I->E->diag, "semantic error", NULL, *sl.near, sl.loc,
				      "type was first inferred here (%s)", st_type_name(*sl.t));
		I->E->diag.no_dedupe = false;
	}
}

static void unify_slot(struct infer *I, struct slot sl, enum st_type want, const struct st_expr *e)
{
	if (want == ST_T_UNKNOWN)
		return;
	if (*sl.t == ST_T_UNKNOWN) {
		*sl.t = want;
		I->changed = true;
		if (e) {
			*sl.loc = e->loc;
			*sl.near = e->near;
		}
	} else if (*sl.t != want && I->report && e)
		mismatch(I, sl, want, e);
}

/* The type a literal has before it is visited (stap types literals when
 * it makes them, so they steer the other side of = and ==). */
static enum st_type known(const struct st_expr *e)
{
	return e->kind == ST_E_NUM ? ST_T_LONG : e->kind == ST_E_STR ? ST_T_STRING : ST_T_UNKNOWN;
}

/* Expressions that report their own conflict with the wanted type. */
static bool self_checked(const struct st_expr *e)
{
	return e->kind == ST_E_NUM || e->kind == ST_E_STR || e->kind == ST_E_VAR || e->kind == ST_E_INDEX ||
	       (e->kind == ST_E_CALL && (e->func || (e->builtin >= 0 && st_builtins[e->builtin].ret == ST_T_VOID)));
}

/* Position of s among the current function's parameters, else -1. */
static int param_pos(struct infer *I, const struct st_symbol *s)
{
	uint32_t i;

	for (i = 0; I->func && i < I->func->nparams; i++)
		if (I->func->params[i].sym == s)
			return (int)i;
	return -1;
}

static enum st_type expr(struct infer *I, struct st_expr *e, enum st_type want);

static void stats_shape(struct infer *I, struct st_expr *e)
{
	struct st_expr *a = e->a;
	struct st_symbol *s = a->kind == ST_E_INDEX ? a->a->sym : a->sym;
	struct st_stat_shape *sh;

	if (!s || !s->global || !I->report)
		return;
	sh = &s->global->shape;
	if (e->kind == ST_E_HIST) {
		if (e->hist == ST_HIST_LINEAR && (e->hist_width <= 0 || e->hist_hi < e->hist_lo)) {   /* lo == hi: one bucket */
			st_sem_error(I->E, &e->loc, e->near, "histogram parameters out of range");
			return;
		}
		if (sh->hist == ST_HIST_NONE) {
			sh->hist = e->hist;
			sh->lo = e->hist_lo;
			sh->hi = e->hist_hi;
			sh->width = e->hist_width;
		} else if (sh->hist != e->hist || sh->lo != e->hist_lo || sh->hi != e->hist_hi || sh->width != e->hist_width)
			st_sem_error(I->E, &e->loc, e->near, "conflicting histogram options for %s", s->name);
	} else if (e->kind == ST_E_STAT && e->stat_op == ST_AGG_VARIANCE && e->hist_lo) {
		if (sh->variance_shift && sh->variance_shift != e->hist_lo)
			st_sem_error(I->E, &e->loc, e->near, "conflicting variance shift for %s", s->name);
		sh->variance_shift = (int)e->hist_lo;
	}
}

static void index_keys(struct infer *I, const struct st_expr *base, struct st_symbol *s, struct st_expr **args, uint32_t n)
{
	uint32_t i;

	if (s && s->nkeys && s->nkeys != n && I->report &&
	    st_diag_error(&I->E->diag, "semantic error", NULL, base->near, &base->loc,
			  "inconsistent arity (%u vs %u)", s->nkeys, n) && s->anear) {
		I->E->diag.no_dedupe = true;
		st_diag_error(&I->E->diag, "semantic error", NULL, s->anear, &s->aloc, "arity %u first inferred here", s->nkeys);
		I->E->diag.no_dedupe = false;
	}
	for (i = 0; i < n && i < 9; i++) {
		enum st_type k = ST_T_UNKNOWN;

		if (s)
			k = s->key[i];
		if (!args[i])
			continue;
		k = expr(I, args[i], known(args[i]) ? ST_T_UNKNOWN : k);
		if (s)
			/* a variable key already reported the clash as its own */
			unify_slot(I, key_slot(s, (int)i), k, !I->report || known(args[i]) || !self_checked(args[i]) ? args[i] : NULL);
	}
}

static enum st_type expr(struct infer *I, struct st_expr *e, enum st_type want)
{
	uint32_t i;
	enum st_type t;
	struct st_symbol *s;

	switch (e->kind) {
	case ST_E_NUM:
		if (I->report && want == ST_T_STRING)
			st_sem_error(I->E, &e->loc, e->near, "type mismatch: expected string but found long");
		return ST_T_LONG;
	case ST_E_STR:
		if (I->report && want == ST_T_LONG)
			st_sem_error(I->E, &e->loc, e->near, "type mismatch: expected long but found string");
		return ST_T_STRING;
	case ST_E_VAR:
		s = e->sym;
		if (!s)
			return ST_T_UNKNOWN;
		if (s->is_array && I->report) {
			st_sem_error(I->E, &e->loc, e->near, "array used as scalar");
			return ST_T_UNKNOWN;
		}
		if (s->type != ST_T_STATS && want != ST_T_STATS)
			unify_slot(I, sym_slot(s, param_pos(I, s)), want, e);
		if (s->type == ST_T_UNKNOWN && I->report && !s->tnear) {
			s->tloc = e->loc;   /* where "unresolved type" points */
			s->tnear = e->near;
		}
		e->type = s->type;
		return s->type;
	case ST_E_INDEX:
		if (e->a->kind != ST_E_VAR) {
			expr(I, e->a, ST_T_LONG);
			expr(I, e->args[0], ST_T_LONG);
			return e->type = ST_T_LONG;
		}
		s = e->a->sym;
		index_keys(I, e->a, s, e->args, e->nargs);
		if (!s)
			return ST_T_UNKNOWN;
		if (s->type != ST_T_STATS && want != ST_T_STATS)
			unify_slot(I, sym_slot(s, -1), want, e);
		if (s->type == ST_T_UNKNOWN && I->report && !s->tnear) {
			s->tloc = e->a->loc;
			s->tnear = e->a->near;
		}
		return e->type = s->type;
	case ST_E_CALL:
		if (e->func) {
			struct st_function *f = e->func;

			for (i = 0; i < e->nargs; i++) {
				struct st_symbol *p = f->params[i].sym;

				t = expr(I, e->args[i], p && !known(e->args[i]) ? p->type : ST_T_UNKNOWN);
				if (p)
					unify_slot(I, sym_slot(p, (int)i), t, !I->report || known(e->args[i]) || !self_checked(e->args[i]) ? e->args[i] : NULL);
			}
			if (f->type == ST_T_UNKNOWN && f->declared)
				f->type = f->declared;
			if (f->type != ST_T_VOID && want != ST_T_STATS)
				unify_slot(I, (struct slot){ &f->type, &f->rloc, &f->rnear, -1 }, want, e);
			return e->type = f->type;
		}
		if (e->builtin >= 0) {
			const struct st_builtin *b = &st_builtins[e->builtin];

			for (i = 0; i < e->nargs; i++) {
				t = expr(I, e->args[i], known(e->args[i]) ? ST_T_UNKNOWN : b->arg[i]);
				if (!I->report || t == ST_T_UNKNOWN || t == b->arg[i])
					continue;
				if (known(e->args[i]))   /* stap words this one the other way round */
					st_sem_error(I->E, &e->args[i]->loc, e->args[i]->near,
						     "type mismatch: expected %s but found %s",
						     st_type_name(t), st_type_name(b->arg[i]));
				else if (!self_checked(e->args[i]))
					st_sem_error(I->E, &e->args[i]->loc, e->args[i]->near, "type mismatch (%s vs. %s)",
						     st_type_name(b->arg[i]), st_type_name(t));
			}
			if (b->ret == ST_T_VOID) {
				struct slot sl = { &I->vtype[e->builtin], &I->vloc[e->builtin], &I->vnear[e->builtin], -1 };

				if (want != ST_T_STATS)
					unify_slot(I, sl, want, e);
				e->type = *sl.t == ST_T_UNKNOWN ? ST_T_VOID : *sl.t;
				return *sl.t;
			}
			return e->type = b->ret;
		}
		return ST_T_UNKNOWN;
	case ST_E_UNARY: case ST_E_BINARY: case ST_E_LOGICAL:
		t = expr(I, e->a, ST_T_LONG);
		if (I->report && t != ST_T_LONG && t != ST_T_UNKNOWN && !self_checked(e->a))
			st_sem_error(I->E, &e->a->loc, e->a->near, "type mismatch (long vs. %s)", st_type_name(t));
		if (e->b) {
			t = expr(I, e->b, ST_T_LONG);
			if (I->report && t != ST_T_LONG && t != ST_T_UNKNOWN && !self_checked(e->b))
				st_sem_error(I->E, &e->b->loc, e->b->near, "type mismatch (long vs. %s)", st_type_name(t));
		}
		return e->type = ST_T_LONG;
	case ST_E_COMPARE: {
		/* stap: the left side wants the right's type if already known
		 * (a literal), the right side wants the left's */
		enum st_type l = expr(I, e->a, known(e->b)), r;

		/* two clashing literals: stap reports the left one only */
		r = expr(I, e->b, known(e->a) && known(e->b) && known(e->a) != known(e->b) ? ST_T_UNKNOWN : l);

		if (l == ST_T_UNKNOWN && r != ST_T_UNKNOWN)
			l = expr(I, e->a, r);
		if (I->report && l != r && l != ST_T_UNKNOWN && r != ST_T_UNKNOWN &&
		    !self_checked(e->a) && !self_checked(e->b))
			st_sem_error(I->E, &e->loc, e->near, "type mismatch (%s vs. %s)", st_type_name(l), st_type_name(r));
		return e->type = ST_T_LONG;
	}
	case ST_E_CONCAT:
		expr(I, e->a, ST_T_STRING);
		expr(I, e->b, ST_T_STRING);
		return e->type = ST_T_STRING;
	case ST_E_REGEX:
		expr(I, e->a, ST_T_STRING);
		if (e->b->kind != ST_E_STR && I->report)
			st_sem_error(I->E, &e->b->loc, e->b->near, "regex must be a literal string");
		expr(I, e->b, ST_T_STRING);
		return e->type = ST_T_LONG;
	case ST_E_TERNARY:
		expr(I, e->a, ST_T_LONG);
		t = expr(I, e->b, want);
		if (t == ST_T_UNKNOWN)
			t = expr(I, e->c, want);
		else
			expr(I, e->c, t);
		if (e->b->type == ST_T_UNKNOWN && t != ST_T_UNKNOWN)
			expr(I, e->b, t);
		return e->type = t;
	case ST_E_ASSIGN:
		if (e->op == '=') {
			/* as stap: the left wants the context's type, else the
			 * right's if known (a literal); the right wants the
			 * context's, else its own, else the left's */
			enum st_type l = expr(I, e->a, want ? want : known(e->b)), r;

			if (l == ST_T_STATS && I->report)
				st_sem_error(I->E, &e->loc, e->near, "aggregate assignment not permitted; use <<<");
			r = expr(I, e->b, want ? want : known(e->b) ? ST_T_UNKNOWN : l == ST_T_STATS ? ST_T_UNKNOWN : l);
			if (l == ST_T_UNKNOWN)
				l = expr(I, e->a, r);
			else if (I->report && r != ST_T_UNKNOWN && r != l && l != ST_T_STATS &&
				 !self_checked(e->a) && !self_checked(e->b))
				st_sem_error(I->E, &e->loc, e->near, "type mismatch (%s vs. %s)", st_type_name(l), st_type_name(r));
			return e->type = l;
		}
		t = e->op == '.' ? ST_T_STRING : ST_T_LONG;
		expr(I, e->a, t);
		expr(I, e->b, t);
		return e->type = t;
	case ST_E_INCDEC:
		expr(I, e->a, ST_T_LONG);
		return e->type = ST_T_LONG;
	case ST_E_AGG_ADD: {
		struct st_expr *a = e->a;

		s = a->kind == ST_E_INDEX ? a->a->sym : a->sym;
		if (a->kind == ST_E_INDEX)
			index_keys(I, a->a, s, a->args, a->nargs);
		if (s) {
			if (s->kind != ST_SYM_GLOBAL && I->report)
				st_sem_error(I->E, &a->loc, a->near, "stat locals not supported, missing global declaration? ");
			unify(I, &s->type, ST_T_STATS, a);
			a->type = ST_T_STATS;
		}
		expr(I, e->b, ST_T_LONG);
		return e->type = ST_T_LONG;
	}
	case ST_E_IN:
		s = e->a->sym;
		index_keys(I, e->a, s, e->args, e->nargs);
		return e->type = ST_T_LONG;
	case ST_E_STAT: case ST_E_HIST: {
		struct st_expr *a = e->a;

		s = a->kind == ST_E_INDEX ? a->a->sym : a->kind == ST_E_VAR ? a->sym : NULL;
		if (a->kind == ST_E_INDEX)
			index_keys(I, a->a, s, a->args, a->nargs);
		if (s)
			unify(I, &s->type, ST_T_STATS, a);
		else if (I->report)
			st_sem_error(I->E, &a->loc, a->near, "expected aggregate");
		a->type = ST_T_STATS;
		stats_shape(I, e);
		return e->type = e->kind == ST_E_STAT ? ST_T_LONG : ST_T_STATS;
	}
	case ST_E_HIST_BUCKET:
		expr(I, e->a, ST_T_STATS);
		expr(I, e->b, ST_T_LONG);
		return e->type = ST_T_LONG;
	case ST_E_PRINT:
		for (i = 0; i < e->nargs; i++) {
			enum st_type w = e->fmt && i < e->fmt->nargs ? e->fmt->argtype[i] : ST_T_UNKNOWN;

			t = expr(I, e->args[i], w);
			if (I->report && e->fmt && i < e->fmt->nargs && t != ST_T_UNKNOWN && w != ST_T_UNKNOWN && t != w &&
			    !self_checked(e->args[i]))
				st_sem_error(I->E, &e->args[i]->loc, e->args[i]->near, "type mismatch (%s vs. %s)",
					     st_type_name(w), st_type_name(t));
		}
		if (e->fmt && e->nargs != e->fmt->nargs && I->report)
			st_sem_error(I->E, &e->loc, e->near, e->nargs > e->fmt->nargs ?
				     "too many arguments to print format" : "not enough arguments to print format");
		return e->type = e->print >= ST_PRINT_SPRINT ? ST_T_STRING : ST_T_VOID;
	case ST_E_ENTRY:
		return e->type = expr(I, e->a, want);
	case ST_E_TARGET: {
		const struct st_point_resolver *R = I->E->opts ? I->E->opts->resolver : NULL;

		/* A tracepoint's string fields are strings; the point knows. */
		if (e->type == ST_T_UNKNOWN && I->inst && R && R->var_type && !strchr(e->str + 1, '$'))
			e->type = R->var_type(R->ctx, I->inst->point, e->str, true);
		if (e->type == ST_T_UNKNOWN)
			e->type = want != ST_T_UNKNOWN ? want : ST_T_LONG;
		return e->type;
	}
	case ST_E_MEMBER: {
		/* $arg->m->n: the point knows the member's type (BTF). */
		const struct st_point_resolver *R = I->E->opts ? I->E->opts->resolver : NULL;
		char path[512];

		if (I->inst && R && R->var_type && st_member_path(e, path, sizeof(path)))
			e->type = R->var_type(R->ctx, I->inst->point, path, true);
		if (e->type == ST_T_UNKNOWN)
			e->type = ST_T_LONG;
		return e->type;
	}
	case ST_E_EMBEDDED:
		return e->type = strstr(e->str, "/* string */") ? ST_T_STRING : ST_T_LONG;
	default:
		if (e->a)
			expr(I, e->a, ST_T_UNKNOWN);
		for (i = 0; i < e->nargs; i++)
			if (e->args[i])
				expr(I, e->args[i], ST_T_UNKNOWN);
		return e->type = ST_T_LONG;
	}
}

static void stmt(struct infer *I, struct st_stmt *s)
{
	uint32_t i;

	if (!s)
		return;
	switch (s->kind) {
	case ST_S_RETURN:
		if (s->expr && I->func) {
			struct st_function *f = I->func;
			enum st_type t = expr(I, s->expr, f->type == ST_T_VOID || known(s->expr) ? ST_T_UNKNOWN : f->type);

			if (f->type == ST_T_VOID)
				f->type = ST_T_UNKNOWN;
			unify_slot(I, (struct slot){ &f->type, &f->rloc, &f->rnear, -1 }, t, s->expr);
		}
		break;
	case ST_S_FOREACH: {
		struct st_symbol *a = s->fe_array->kind == ST_E_VAR ? s->fe_array->sym : NULL;

		if (s->fe_array->kind != ST_E_VAR) {
			expr(I, s->fe_array, ST_T_UNKNOWN);
			for (i = 0; i < s->fe_nkeys; i++)
				unify(I, &s->fe_keys[i]->sym->type, ST_T_LONG, s->fe_keys[i]);
		}
		if (a && a->nkeys && a->nkeys != s->fe_nkeys && I->report)
			st_sem_error(I->E, &s->fe_array->loc, s->fe_array->near, "inconsistent arity (%u vs %u)", s->fe_nkeys, a->nkeys);
		for (i = 0; a && i < s->fe_nkeys && i < 9; i++) {
			struct st_symbol *k = s->fe_keys[i]->sym;

			unify_slot(I, sym_slot(k, -1), a->key[i], s->fe_keys[i]);
			/* stap reports a clash once, at the key variable */
			unify_slot(I, key_slot(a, (int)i), k->type, I->report ? NULL : s->fe_keys[i]);
			s->fe_keys[i]->type = k->type;
			if (s->fe_filter && s->fe_filter[i])
				unify(I, &a->key[i], expr(I, s->fe_filter[i], a->key[i]), s->fe_filter[i]);
		}
		if (a && s->fe_value) {
			enum st_type vt = a->type == ST_T_STATS ? ST_T_UNKNOWN : a->type;

			unify_slot(I, sym_slot(s->fe_value->sym, -1), vt, s->fe_value);
			if (a->type != ST_T_STATS)
				unify_slot(I, sym_slot(a, -1), s->fe_value->sym->type, s->fe_value);
			s->fe_value->type = s->fe_value->sym->type;
		}
		if (s->fe_limit)
			expr(I, s->fe_limit, ST_T_LONG);
		break;
	}
	case ST_S_TRY:
		/* the message is a string; a catch variable nothing reads is
		 * elided with its type, as stap's optimizer drops it: stap then
		 * reports "unresolved type" at it (not with -u) */
		if (s->catch_var && (s->catch_var->sym->opt_read ||
				     (I->E->opts && I->E->opts->unoptimized)))
			unify(I, &s->catch_var->sym->type, ST_T_STRING, s->catch_var);
		else if (s->catch_var && I->report)
			st_sem_error(I->E, &s->catch_var->loc,
				     st_pool_printf(I->E->pool, "identifier '%s'", s->catch_var->str), "unresolved type ");
		break;
	case ST_S_DELETE:
		if (s->expr->kind == ST_E_INDEX)
			index_keys(I, s->expr->a, s->expr->a->sym, s->expr->args, s->expr->nargs);
		break;
	default:
		if (s->expr)
			expr(I, s->expr, ST_T_UNKNOWN);
	}
	if (s->init)
		expr(I, s->init, ST_T_UNKNOWN);
	if (s->cond)
		expr(I, s->cond, ST_T_LONG);
	if (s->step)
		expr(I, s->step, ST_T_UNKNOWN);
	stmt(I, s->then);
	stmt(I, s->els);
	for (i = 0; i < s->nbody; i++)
		stmt(I, s->body[i]);
}

static void check_resolved(struct infer *I, struct st_symbol **syms, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (syms[i]->type == ST_T_UNKNOWN)
			/* stap types a never-assigned local as long; read as 0. */
			syms[i]->type = ST_T_LONG;
}

static void round_all(struct infer *I)
{
	struct st_program *prog = I->E->prog;
	uint32_t i;

	for (i = 0; i < prog->ninsts; i++) {
		I->func = NULL;
		I->inst = prog->insts[i];
		stmt(I, prog->insts[i]->body);
		if (prog->insts[i]->cond)
			expr(I, prog->insts[i]->cond, ST_T_LONG);
	}
	for (i = 0; i < prog->nfuncs; i++) {
		struct st_function *f = prog->funcs[i];

		if (!f->used)
			continue;
		if (f->type == ST_T_UNKNOWN && f->declared)
			f->type = f->declared;
		I->func = f;
		I->inst = NULL;
		if (f->body)
			stmt(I, f->body);
	}
}

void st_infer_types(struct elab *E)
{
	struct infer I = { .E = E };
	struct st_program *prog = E->prog;
	uint32_t i, k, rounds = 0;

	do {
		I.changed = false;
		round_all(&I);
	} while (I.changed && ++rounds < 100);
	I.report = true;
	round_all(&I);
	for (i = 0; i < prog->nfuncs; i++) {
		struct st_function *f = prog->funcs[i];

		if (!f->used)
			continue;
		if (f->type == ST_T_UNKNOWN)
			f->type = f->embedded ? ST_T_LONG : ST_T_VOID;
		check_resolved(&I, f->locals, f->nlocals);
	}
	for (i = 0; i < prog->ninsts; i++)
		check_resolved(&I, prog->insts[i]->locals, prog->insts[i]->nlocals);
	for (i = 0; i < prog->nglobals; i++) {
		struct st_symbol *s = prog->globals[i]->sym;

		if (s->type == ST_T_UNKNOWN && (prog->globals[i]->read || prog->globals[i]->written))
			st_sem_error(E, s->tnear ? &s->tloc : &s->loc,
				     s->tnear ? s->tnear : st_pool_printf(E->pool, "identifier '%s'", s->name), "unresolved type ");
		for (k = 0; k < s->nkeys; k++)
			if (s->key[k] == ST_T_UNKNOWN)
				s->key[k] = ST_T_LONG;
		if (s->type == ST_T_STATS)
			st_stat_shape_init(&prog->globals[i]->shape);
	}
}
