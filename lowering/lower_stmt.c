/* lower_stmt.c - statements to bytecode: control flow, foreach, delete,
 * try/catch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lowering/lower_int.h"

/* ---- statements ---- */

void cond_jump_false(struct lower *L, const struct st_expr *c, struct patch_list *out)
{
	uint32_t save = L->top, r = expr_any(L, c);

	patch_add(out, E(L, c, ST_OP_JZ, 0, r, 0, 0));
	L->top = save;
}

static void loop_body(struct lower *L, const struct st_stmt *body, struct loop *lp)
{
	lp->outer = L->loop;
	L->loop = lp;
	stmt(L, body);
	L->loop = lp->outer;
}

/* foreach (b in @hist_xxx(x)): stap walks every bucket index of the shape,
 * empty ones included, so this is a plain counting loop over 0..nbuckets-1
 * (capped by `limit`); the body reads counts through @hist_xxx(x)[b]. */
static void hist_foreach_stmt(struct lower *L, const struct st_stmt *s)
{
	const struct st_expr *h = s->fe_array;
	const struct st_expr *var = h->a->kind == ST_E_INDEX ? h->a->a : h->a;
	const struct st_plan_global *pg = &L->plan->globals[global_index(L, var)];
	uint32_t n = pg->is_array ? pg->map.shape.nbuckets : pg->shape.nbuckets;
	uint32_t save = L->top, b, lim, cond, one, top, exit_j, k;
	struct loop lp = { 0 };

	if (s->fe_nkeys != 1 || s->fe_value || s->fe_filter || s->fe_sort_dir) {
		fail(L, &s->loc, "foreach over histogram buckets takes one key and no sort");
		return;
	}
	b = s->fe_keys[0]->sym->index;
	lim = temp(L, 1);
	cond = temp(L, 1);
	one = temp(L, 1);
	k = num_const(L, n);
	emit(L, &s->loc, s->near, ST_OP_LOADN, 0, lim, k & 0xffff, k >> 16);
	if (s->fe_limit) {
		uint32_t r = expr_any(L, s->fe_limit), j;

		/* the smaller of the bucket count and the limit */
		emit(L, &s->loc, s->near, ST_OP_CMP, '<', cond, r, lim);
		j = emit(L, &s->loc, s->near, ST_OP_JZ, 0, cond, 0, 0);
		emit(L, &s->loc, s->near, ST_OP_MOV, 0, lim, r, 0);
		set_target(L, j, here(L));
	}
	k = num_const(L, 0);
	emit(L, &s->loc, s->near, ST_OP_LOADN, 0, b, k & 0xffff, k >> 16);
	k = num_const(L, 1);
	emit(L, &s->loc, s->near, ST_OP_LOADN, 0, one, k & 0xffff, k >> 16);
	count(L, 1, &s->loc, s->near, true);
	top = emit(L, &s->loc, s->near, ST_OP_CMP, '<', cond, b, lim);
	exit_j = emit(L, &s->loc, s->near, ST_OP_JZ, 0, cond, 0, 0);
	{
		const struct st_symbol *ps = L->hist_fe_stat, *pk = L->hist_fe_key;

		L->hist_fe_stat = var->kind == ST_E_VAR && h->a->kind != ST_E_INDEX ? var->sym : NULL;
		L->hist_fe_key = s->fe_keys[0]->sym;
		loop_body(L, s->then, &lp);
		L->hist_fe_stat = ps;
		L->hist_fe_key = pk;
	}
	count_s(L, 1, s->then, true);
	patch_all(L, &lp.continues, here(L));
	emit(L, &s->loc, s->near, ST_OP_ADD, 0, b, b, one);
	set_target(L, emit(L, &s->loc, s->near, ST_OP_JMP, 0, 0, 0, 0), top);
	set_target(L, exit_j, here(L));
	patch_all(L, &lp.breaks, here(L));
	L->top = save;
}

static void foreach_stmt(struct lower *L, const struct st_stmt *s)
{
	struct st_plan *p = L->plan;
	struct st_plan_foreach *fe;
	struct loop lp = { 0 };
	uint32_t slot = L->iter_depth++, keybase, valreg = ST_REG_NONE, limit = ST_REG_NONE;
	uint32_t filt = 0, mask = 0, top, i, save = L->top, idx;

	if (s->fe_array->kind == ST_E_HIST) {
		L->iter_depth--;
		hist_foreach_stmt(L, s);
		return;
	}
	if (L->iter_depth > L->code->niters)
		L->code->niters = L->iter_depth;
	GROW(p->foreachs, p->nforeachs, L->cap_fe);
	idx = p->nforeachs++;
	fe = &p->foreachs[idx];
	memset(fe, 0, sizeof(*fe));
	fe->global = global_index(L, s->fe_array);
	fe->sort_column = s->fe_sort_column;
	fe->sort_dir = s->fe_sort_dir;
	fe->sort_agg = s->fe_sort_agg;
	fe->nkeys = s->fe_nkeys;
	if (s->fe_limit)
		limit = expr_any(L, s->fe_limit);
	if (s->fe_filter) {
		filt = keys_to_regs(L, s->fe_filter, s->fe_nkeys, &mask);
		p->foreachs[idx].filter_mask = mask;
	}
	emit(L, &s->loc, s->near, ST_OP_ITER_INIT, 0, slot, limit, idx);
	emit(L, &s->loc, s->near, ST_OP_NOP, 0, filt, 0, 0);
	keybase = temp(L, s->fe_nkeys);
	if (s->fe_value)
		valreg = s->fe_value->sym->index;
	count(L, 1, &s->loc, s->near, true);
	top = emit(L, &s->loc, s->near, ST_OP_ITER_NEXT, 0, slot, 0, 0);
	count(L, 1, &s->loc, s->near, false);
	emit(L, &s->loc, s->near, ST_OP_NOP, 0, keybase, valreg, 0);
	for (i = 0; i < s->fe_nkeys; i++)
		if (s->fe_keys[i]->sym->index != keybase + i)
			emit(L, &s->loc, s->near, ST_OP_MOV, 0, s->fe_keys[i]->sym->index, keybase + i, 0);
	loop_body(L, s->then, &lp);
	count_s(L, 0, s->then, true);
	patch_all(L, &lp.continues, top);
	set_target(L, emit(L, &s->loc, s->near, ST_OP_JMP, 0, 0, 0, 0), top);
	set_target(L, top, here(L));
	patch_all(L, &lp.breaks, here(L));
	emit(L, &s->loc, s->near, ST_OP_ITER_END, 0, slot, 0, 0);
	L->iter_depth--;
	L->top = save;
}

static void delete_stmt(struct lower *L, const struct st_stmt *s)
{
	const struct st_expr *t = s->expr;
	uint32_t base, mask;

	if (t->kind == ST_E_VAR) {
		if (t->sym->kind == ST_SYM_LOCAL) {
			uint32_t k = t->type == ST_T_STRING ? str_const(L, "") : num_const(L, 0);

			emit(L, &s->loc, s->near, t->type == ST_T_STRING ? ST_OP_LOADS : ST_OP_LOADN, 0,
			     t->sym->index, k & 0xffff, k >> 16);
			return;
		}
		emit(L, &s->loc, s->near, ST_OP_GCLEAR, 0, 0, t->sym->index, 0);
		return;
	}
	if (t->kind != ST_E_INDEX) {
		fail(L, &s->loc, "cannot delete this expression");
		return;
	}
	base = keys_to_regs(L, t->args, t->nargs, &mask);
	if (mask == (1u << t->nargs) - 1)
		emit(L, &s->loc, s->near, ST_OP_MDEL, 0, 0, global_index(L, t->a), base);
	else
		emit(L, &s->loc, s->near, ST_OP_MDELW, mask, 0, global_index(L, t->a), base);
}

static void try_stmt(struct lower *L, const struct st_stmt *s)
{
	uint32_t reg = s->catch_var ? s->catch_var->sym->index : ST_REG_NONE;
	uint32_t t, j;

	L->try_depth++;
	if (L->try_depth > L->code->ntries)
		L->code->ntries = L->try_depth;
	count(L, 0, &s->loc, s->near, true);
	t = emit(L, &s->loc, s->near, ST_OP_TRY, 0, reg, 0, 0);
	stmt(L, s->then);
	count_s(L, 0, s->then, true);
	emit(L, &s->loc, s->near, ST_OP_TRY_END, 0, 0, 0, 0);
	L->try_depth--;
	j = emit(L, &s->loc, s->near, ST_OP_JMP, 0, 0, 0, 0);
	set_target(L, t, here(L));
	/* catching counts one more */
	count(L, 1, &s->loc, s->near, true);
	if (s->els) {
		stmt(L, s->els);
		count_s(L, 0, s->els, true);
	}
	set_target(L, j, here(L));
}

void stmt(struct lower *L, const struct st_stmt *s)
{
	struct patch_list out = { 0 };
	struct loop lp = { 0 };
	uint32_t save = L->top, top, i, r;

	if (!s || L->err)
		return;
	switch (s->kind) {
	case ST_S_NULL:
		break;
	case ST_S_BLOCK:
		for (i = 0; i < s->nbody; i++)
			stmt(L, s->body[i]);
		break;
	case ST_S_EXPR:
		r = temp(L, 1);
		expr_to(L, s->expr, r);
		count_s(L, 1, s, false);
		break;
	case ST_S_IF:
		count(L, 1, &s->loc, s->near, true);
		cond_jump_false(L, s->cond, &out);
		stmt(L, s->then);
		count_s(L, 0, s->then, true);
		if (s->els) {
			uint32_t j = emit(L, &s->loc, s->near, ST_OP_JMP, 0, 0, 0, 0);

			patch_all(L, &out, here(L));
			stmt(L, s->els);
			count_s(L, 0, s->els, true);
			set_target(L, j, here(L));
		} else {
			patch_all(L, &out, here(L));
		}
		break;
	case ST_S_WHILE:
	case ST_S_FOR:
		if (s->kind == ST_S_FOR && s->init) {
			r = temp(L, 1);
			expr_to(L, s->init, r);
			count(L, 1, &s->init->loc, s->init->near, false);
			L->top = save;
		}
		count(L, 1, &s->loc, s->near, true);
		top = here(L);
		count(L, 1, &s->loc, s->near, false);
		if (s->cond)
			cond_jump_false(L, s->cond, &out);
		loop_body(L, s->then, &lp);
		count_s(L, 0, s->then, true);
		patch_all(L, &lp.continues, here(L));
		if (s->kind == ST_S_FOR && s->step) {
			r = temp(L, 1);
			expr_to(L, s->step, r);
			count(L, 1, &s->step->loc, s->step->near, false);
			L->top = save;
		}
		set_target(L, emit(L, &s->loc, s->near, ST_OP_JMP, 0, 0, 0, 0), top);
		patch_all(L, &out, here(L));
		patch_all(L, &lp.breaks, here(L));
		break;
	case ST_S_FOREACH:
		foreach_stmt(L, s);
		break;
	case ST_S_BREAK:
	case ST_S_CONTINUE:
		if (!L->loop) {
			/* stap's translator (pass 3) refuses it the same way */
			fail(L, &s->loc, "cannot '%s' outside loop: keyword", s->kind == ST_S_BREAK ? "break" : "continue");
			break;
		}
		count(L, 1, &s->loc, s->near, true);
		patch_add(s->kind == ST_S_BREAK ? &L->loop->breaks : &L->loop->continues,
			  emit(L, &s->loc, s->near, ST_OP_JMP, 0, 0, 0, 0));
		break;
	case ST_S_NEXT:
		count(L, 1, &s->loc, s->near, true);
		emit(L, &s->loc, s->near, ST_OP_NEXT, 0, 0, 0, 0);
		break;
	case ST_S_RETURN:
		if (s->expr) {
			r = expr_any(L, s->expr);
			count(L, 1, &s->loc, s->near, true);
			emit(L, &s->loc, s->near, ST_OP_RET, 0, r, 0, 0);
		} else {
			count(L, 1, &s->loc, s->near, true);
			emit(L, &s->loc, s->near, ST_OP_RET0, 0, 0, 0, 0);
		}
		break;
	case ST_S_DELETE:
		delete_stmt(L, s);
		count(L, 1, &s->loc, s->near, false);
		break;
	case ST_S_TRY:
		try_stmt(L, s);
		break;
	}
	L->top = save;
}

