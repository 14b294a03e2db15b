/* lower_entry.c - @entry: a .return probe's paired entry handler.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lowering/lower_int.h"

/* ---- @entry: a .return probe's paired entry handler ----
 *
 * @entry(expr), and parameters read in a .return probe (stap reads them at
 * the entry), are evaluated by a handler on the entry uprobe, which pushes
 * them on a per-thread stack; the return handler pops them first thing. */

static void entry_collect_e(struct lower *L, const struct st_expr *e);

static bool entry_consts(const struct st_expr *e)
{
	for (uint32_t i = 1; i < e->nargs; i++)
		if (e->args[i]->kind != ST_E_NUM && e->args[i]->kind != ST_E_STR)
			return false;
	return true;
}

/* An entry slot's expression evaluated at the entry: @entry(x) is x, and
 * f(@entry(p), consts) is f(p, consts). */
static void entry_eval(struct lower *L, const struct st_expr *e, uint32_t r)
{
	struct st_expr call, *args[8];

	if (e->kind == ST_E_ENTRY) {
		expr_to(L, e->a, r);
		return;
	}
	if (e->kind != ST_E_CALL || e->nargs > 8 || e->args[0]->kind != ST_E_ENTRY) {
		expr_to(L, e, r);
		return;
	}
	call = *e;
	memcpy(args, e->args, sizeof(*args) * e->nargs);
	args[0] = e->args[0]->a;
	call.args = args;
	expr_to(L, &call, r);
}

/* $arg in a syscall .return probe: a parameter, read at the entry as stap
 * reads a function's parameters in its .return probes. */
static bool syscall_entry_var(struct lower *L, const char *name)
{
	struct st_family_point efp;
	const char *field = NULL;
	char fbuf[ST_FIELD_NAME_MAX];
	enum st_type t;

	if (!L->fp.syscall || !L->fp.is_return || name[0] != '$' || name[1] == '$' || !strcmp(name, "$return") ||
	    st_family_entry_point(&L->fp, &efp) < 0)
		return false;
	return st_family_var(L->catalog, &efp, name, true, fbuf, &field, &t) == ST_CTX_FIELD;
}

static void entry_add(struct lower *L, const struct st_expr *e)
{
	GROW(L->eslot, L->neslot, L->cap_eslot);
	L->eslot[L->neslot++] = e;
}

static void entry_collect_e(struct lower *L, const struct st_expr *e)
{
	if (!e)
		return;
	if (e->kind == ST_E_ENTRY) {
		entry_add(L, e);
		return;
	}
	if (e->kind == ST_E_TARGET && (st_family_entry_var(&L->fp, e->str) || syscall_entry_var(L, e->str) ||
	    (st_family_dynamic(&L->fp) && L->fp.is_return && strncmp(e->str, "$return", 7) &&
	     ((!strncmp(e->str, "$$", 2) && strcmp(e->str, "$$return") && strcmp(e->str, "$$name")) ||
	      (e->str[1] != '$' && e->str[strlen(e->str) - 1] == '$'))))) {
		entry_add(L, e);
		return;
	}
	/* user_string($param): the string at the entry, as the entry fetched it */
	if (is_user_string_call(e) && e->args[0]->kind == ST_E_TARGET && entry_consts(e) &&
	    (st_family_entry_var(&L->fp, e->args[0]->str) || syscall_entry_var(L, e->args[0]->str))) {
		entry_add(L, e);
		return;
	}
	/* int_arg(N) and its kin in a syscall .return probe: the argument as
	 * it was at the entry (the return event carries only the result) */
	if (L->fp.syscall && L->fp.is_return && is_arg_call(e)) {
		entry_add(L, e);
		return;
	}
	/* user_string(@entry(p)): the string is read at the entry, where p is
	 * still valid (a capture there), as long as the rest is constant */
	if (is_user_string_call(e) && e->args[0]->kind == ST_E_ENTRY && entry_consts(e)) {
		entry_add(L, e);
		return;
	}
	entry_collect_e(L, e->a);
	entry_collect_e(L, e->b);
	entry_collect_e(L, e->c);
	for (uint32_t i = 0; i < e->nargs; i++)
		entry_collect_e(L, e->args[i]);
}

static void entry_collect_s(struct lower *L, const struct st_stmt *s)
{
	if (!s)
		return;
	entry_collect_e(L, s->expr);
	entry_collect_e(L, s->cond);
	entry_collect_e(L, s->init);
	entry_collect_e(L, s->step);
	entry_collect_e(L, s->fe_limit);
	if (s->fe_filter)
		for (uint32_t i = 0; i < s->fe_nkeys; i++)
			entry_collect_e(L, s->fe_filter[i]);
	entry_collect_s(L, s->then);
	entry_collect_s(L, s->els);
	for (uint32_t i = 0; i < s->nbody; i++)
		entry_collect_s(L, s->body[i]);
}

void lower_entry_pair(struct lower *L, const struct st_probe_inst *pi)
{
	struct st_plan *p = L->plan;
	struct st_family_point ret = L->fp;
	uint32_t code, save, n;
	int src;

	entry_collect_e(L, pi->cond);
	entry_collect_s(L, pi->body);
	if (!(n = L->neslot))
		return;
	if (st_family_entry_point(&ret, &L->fp) < 0) {
		fail(L, &pi->point->loc, "no entry point to pair with %s", pi->pp);
		return;
	}
	src = source_for(L, &L->fp, pi);
	code = p->ncode;
	code_begin(L, pi->pp, pi->nlocals);
	string_locals(L, pi->locals, pi->nlocals, 0);
	L->source = src;
	E(L, &(struct st_expr){ .loc = pi->point->loc }, ST_OP_EPUSH, 0, 0, n, L->npairs);
	L->neslot = 0;      /* evaluate for real here, not from the stash */
	for (uint32_t i = 0; i < n; i++) {
		const struct st_expr *e = L->eslot[i];
		uint32_t r;

		save = L->top;
		r = temp(L, 1);
		entry_eval(L, e, r);
		E(L, e, ST_OP_ESET, e->type == ST_T_STRING, r, i, L->npairs);
		L->top = save;
	}
	L->neslot = n;
	emit(L, &pi->point->loc, NULL, ST_OP_RET0, 0, 0, 0, 0);
	plan_add_probe(L, pi, src, code);
	L->npairs++;
	L->fp = ret;
}

