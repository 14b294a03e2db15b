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
};

const char *st_type_name(enum st_type t)
{
	switch (t) {
	case ST_T_LONG: return "long";
	case ST_T_STRING: return "string";
	case ST_T_STATS: return "stats";
	case ST_T_VOID: return "void";
	default: return "unknown";
	}
}

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
		if (e->hist == ST_HIST_LINEAR && (e->hist_width <= 0 || e->hist_hi <= e->hist_lo)) {
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

static void index_keys(struct infer *I, struct st_symbol *s, struct st_expr **args, uint32_t n)
{
	uint32_t i;

	if (s && s->nkeys && s->nkeys != n && I->report)
		st_sem_error(I->E, &args[0]->loc, args[0]->near, "inconsistent arity (%u vs %u)", n, s->nkeys);
	for (i = 0; i < n && i < 9; i++) {
		enum st_type k = ST_T_UNKNOWN;

		if (s)
			k = s->key[i];
		if (!args[i])
			continue;
		k = expr(I, args[i], k);
		if (s)
			unify(I, &s->key[i], k, args[i]);
	}
}

static enum st_type expr(struct infer *I, struct st_expr *e, enum st_type want)
{
	uint32_t i;
	enum st_type t;
	struct st_symbol *s;

	switch (e->kind) {
	case ST_E_NUM: return ST_T_LONG;
	case ST_E_STR: return ST_T_STRING;
	case ST_E_VAR:
		s = e->sym;
		if (!s)
			return ST_T_UNKNOWN;
		if (s->is_array && I->report) {
			st_sem_error(I->E, &e->loc, e->near, "array used as scalar");
			return ST_T_UNKNOWN;
		}
		if (s->type != ST_T_STATS)
			unify(I, &s->type, want, e);
		e->type = s->type;
		return s->type;
	case ST_E_INDEX:
		if (e->a->kind != ST_E_VAR) {
			expr(I, e->a, ST_T_LONG);
			expr(I, e->args[0], ST_T_LONG);
			return e->type = ST_T_LONG;
		}
		s = e->a->sym;
		index_keys(I, s, e->args, e->nargs);
		if (!s)
			return ST_T_UNKNOWN;
		if (s->type != ST_T_STATS)
			unify(I, &s->type, want, e);
		return e->type = s->type;
	case ST_E_CALL:
		if (e->func) {
			struct st_function *f = e->func;

			for (i = 0; i < e->nargs; i++) {
				struct st_symbol *p = f->params[i].sym;

				t = expr(I, e->args[i], p ? p->type : ST_T_UNKNOWN);
				if (p)
					unify(I, &p->type, t, e->args[i]);
			}
			if (f->type == ST_T_UNKNOWN && f->declared)
				f->type = f->declared;
			if (f->type != ST_T_VOID)
				unify(I, &f->type, want, e);
			return e->type = f->type;
		}
		if (e->builtin >= 0) {
			const struct st_builtin *b = &st_builtins[e->builtin];

			for (i = 0; i < e->nargs; i++) {
				t = expr(I, e->args[i], b->arg[i]);
				if (I->report && t != ST_T_UNKNOWN && t != b->arg[i])
					st_sem_error(I->E, &e->args[i]->loc, e->args[i]->near, "type mismatch (%s vs. %s)",
						     st_type_name(b->arg[i]), st_type_name(t));
			}
			return e->type = b->ret;
		}
		return ST_T_UNKNOWN;
	case ST_E_UNARY: case ST_E_BINARY: case ST_E_LOGICAL:
		t = expr(I, e->a, ST_T_LONG);
		if (I->report && t != ST_T_LONG && t != ST_T_UNKNOWN)
			st_sem_error(I->E, &e->a->loc, e->a->near, "type mismatch (long vs. %s)", st_type_name(t));
		if (e->b) {
			t = expr(I, e->b, ST_T_LONG);
			if (I->report && t != ST_T_LONG && t != ST_T_UNKNOWN)
				st_sem_error(I->E, &e->b->loc, e->b->near, "type mismatch (long vs. %s)", st_type_name(t));
		}
		return e->type = ST_T_LONG;
	case ST_E_COMPARE: {
		enum st_type l = expr(I, e->a, ST_T_UNKNOWN), r = expr(I, e->b, l);

		if (l == ST_T_UNKNOWN && r != ST_T_UNKNOWN)
			l = expr(I, e->a, r);
		if (I->report && l != r && l != ST_T_UNKNOWN && r != ST_T_UNKNOWN)
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
			enum st_type l = expr(I, e->a, ST_T_UNKNOWN), r;

			if (l == ST_T_STATS && I->report)
				st_sem_error(I->E, &e->loc, e->near, "aggregate assignment not permitted; use <<<");
			r = expr(I, e->b, l != ST_T_UNKNOWN ? l : want);
			if (l == ST_T_UNKNOWN)
				l = expr(I, e->a, r);
			else if (I->report && r != ST_T_UNKNOWN && r != l && l != ST_T_STATS)
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
			index_keys(I, s, a->args, a->nargs);
		if (s) {
			if (s->kind != ST_SYM_GLOBAL && I->report)
				st_sem_error(I->E, &a->loc, a->near, "aggregate operator on a local variable");
			unify(I, &s->type, ST_T_STATS, a);
			a->type = ST_T_STATS;
		}
		expr(I, e->b, ST_T_LONG);
		return e->type = ST_T_LONG;
	}
	case ST_E_IN:
		s = e->a->sym;
		index_keys(I, s, e->args, e->nargs);
		return e->type = ST_T_LONG;
	case ST_E_STAT: case ST_E_HIST: {
		struct st_expr *a = e->a;

		s = a->kind == ST_E_INDEX ? a->a->sym : a->kind == ST_E_VAR ? a->sym : NULL;
		if (a->kind == ST_E_INDEX)
			index_keys(I, s, a->args, a->nargs);
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
			if (I->report && e->fmt && i < e->fmt->nargs && t != ST_T_UNKNOWN && w != ST_T_UNKNOWN && t != w)
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
			enum st_type t = expr(I, s->expr, I->func->type == ST_T_VOID ? ST_T_UNKNOWN : I->func->type);

			if (I->func->type == ST_T_VOID)
				I->func->type = ST_T_UNKNOWN;
			unify(I, &I->func->type, t, s->expr);
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

			unify(I, &k->type, a->key[i], s->fe_keys[i]);
			unify(I, &a->key[i], k->type, s->fe_keys[i]);
			s->fe_keys[i]->type = k->type;
			if (s->fe_filter && s->fe_filter[i])
				unify(I, &a->key[i], expr(I, s->fe_filter[i], a->key[i]), s->fe_filter[i]);
		}
		if (a && s->fe_value) {
			enum st_type vt = a->type == ST_T_STATS ? ST_T_UNKNOWN : a->type;

			unify(I, &s->fe_value->sym->type, vt, s->fe_value);
			if (a->type != ST_T_STATS)
				unify(I, &a->type, s->fe_value->sym->type, s->fe_value);
			s->fe_value->type = s->fe_value->sym->type;
		}
		if (s->fe_limit)
			expr(I, s->fe_limit, ST_T_LONG);
		break;
	}
	case ST_S_TRY:
		if (s->catch_var)
			unify(I, &s->catch_var->sym->type, ST_T_STRING, s->catch_var);
		break;
	case ST_S_DELETE:
		if (s->expr->kind == ST_E_INDEX)
			index_keys(I, s->expr->a->sym, s->expr->args, s->expr->nargs);
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
			st_sem_error(E, &s->loc, st_pool_printf(E->pool, "identifier '%s'", s->name), "unresolved type");
		for (k = 0; k < s->nkeys; k++)
			if (s->key[k] == ST_T_UNKNOWN)
				s->key[k] = ST_T_LONG;
		if (s->type == ST_T_STATS)
			st_stat_shape_init(&prog->globals[i]->shape);
	}
}
