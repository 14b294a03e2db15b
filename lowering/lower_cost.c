/* lower_cost.c - what a handler costs and needs, decided by walking its
 * body: MAXACTION counting and the callchains it reads at the event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lowering/lower_int.h"

/* ---- action counting (MAXACTION), as stap 4.8's translator does it ----
 *
 * A body with no loops that calls only such functions checks once at entry
 * that its longest path fits (ST_OP_TICK aux 1: actions_left < N fails) and
 * subtracts nothing.  Any other body keeps a running count: statements are
 * queued in L->pending and subtracted (ST_OP_TICK aux 0, failing at <= 0)
 * at stap's fixed points, or as soon as ten are queued.  The error names
 * the statement token at that point. */

static bool stmt_loopy(struct lower *L, const struct st_stmt *s);

static bool func_loopy(struct lower *L, const struct st_function *f);

static bool expr_loopy(struct lower *L, const struct st_expr *e)
{
	uint32_t i;

	if (!e)
		return false;
	if (e->kind == ST_E_CALL && e->func && func_loopy(L, e->func))
		return true;
	if (expr_loopy(L, e->a) || expr_loopy(L, e->b) || expr_loopy(L, e->c))
		return true;
	for (i = 0; i < e->nargs; i++)
		if (expr_loopy(L, e->args[i]))
			return true;
	return false;
}

static bool stmt_loopy(struct lower *L, const struct st_stmt *s)
{
	uint32_t i;

	if (!s)
		return false;
	switch (s->kind) {
	case ST_S_WHILE:
	case ST_S_FOR:
	case ST_S_FOREACH:
		return true;
	case ST_S_BLOCK:
		for (i = 0; i < s->nbody; i++)
			if (stmt_loopy(L, s->body[i]))
				return true;
		return false;
	default:
		return expr_loopy(L, s->expr) || expr_loopy(L, s->cond) || stmt_loopy(L, s->then) ||
		       stmt_loopy(L, s->els);
	}
}

static uint32_t stmt_cost(struct lower *L, const struct st_stmt *s);

/* A loop-free function's longest path; recursion counts as a loop. */
static bool func_loopy(struct lower *L, const struct st_function *f)
{
	uint8_t *st = &L->fstate[f->index];

	if (*st == 0) {
		*st = 1;
		if (f->body && stmt_loopy(L, f->body)) {
			*st = 3;
		} else {
			L->fcost[f->index] = f->body ? stmt_cost(L, f->body) : 0;
			if (*st == 1)
				*st = 2;
		}
	} else if (*st == 1) {
		*st = 3;
	}
	return *st == 3;
}

/* The calls in an expression: each adds its callee's longest path. */
static uint32_t expr_cost(struct lower *L, const struct st_expr *e)
{
	uint32_t i, n = 0;

	if (!e)
		return 0;
	if (e->kind == ST_E_CALL && e->func && !func_loopy(L, e->func))
		n += L->fcost[e->func->index];
	n += expr_cost(L, e->a) + expr_cost(L, e->b) + expr_cost(L, e->c);
	for (i = 0; i < e->nargs; i++)
		n += expr_cost(L, e->args[i]);
	return n;
}

static uint32_t stmt_cost(struct lower *L, const struct st_stmt *s)
{
	uint32_t i, n = 0, t, e;

	if (!s)
		return 0;
	switch (s->kind) {
	case ST_S_NULL:
		return 0;
	case ST_S_BLOCK:
		for (i = 0; i < s->nbody; i++)
			n += stmt_cost(L, s->body[i]);
		return n;
	case ST_S_IF:
		t = stmt_cost(L, s->then);
		e = stmt_cost(L, s->els);
		return 1 + expr_cost(L, s->cond) + (t > e ? t : e);
	case ST_S_TRY:
		return stmt_cost(L, s->then) + stmt_cost(L, s->els);
	case ST_S_RETURN:      /* stap does not count a return value's calls */
	case ST_S_BREAK:
	case ST_S_CONTINUE:
	case ST_S_NEXT:
		return 1;
	default:
		return 1 + expr_cost(L, s->expr);
	}
}

/* stap names a one-statement block by its statement. */
static const struct st_stmt *tok_stmt(const struct st_stmt *s)
{
	while (s && s->kind == ST_S_BLOCK && s->nbody == 1)
		s = s->body[0];
	return s;
}

/* stap's record_actions(n, tok, update). */
void count(struct lower *L, uint32_t n, const struct st_loc *loc, const char *near, bool update)
{
	if (!L->running)
		return;
	L->pending += n;
	if ((update && L->pending > 0) || L->pending >= 10) {
		emit(L, loc, near, ST_OP_TICK, 0, 0, L->pending & 0xffff, L->pending >> 16);
		L->pending = 0;
	}
}

void count_s(struct lower *L, uint32_t n, const struct st_stmt *s, bool update)
{
	s = tok_stmt(s);
	if (s)
		count(L, n, &s->loc, s->near, update);
}

/* After a call: a loop-free callee's longest path, and any queued count. */
void count_call(struct lower *L, const struct st_expr *e)
{
	if (L->running && !(e->func && func_loopy(L, e->func)))
		count(L, e->func ? L->fcost[e->func->index] : 0, &e->loc, e->near, true);
}

/* A body's start: pick the mode; a loop-free body checks its longest path
 * (a function's failure names its declaration, a probe's nothing). */
void count_begin(struct lower *L, const struct st_stmt *body, const struct st_function *f)
{
	uint32_t n;

	L->pending = 0;
	L->running = false;
	if (f ? func_loopy(L, f) : stmt_loopy(L, body)) {
		L->running = true;
		return;
	}
	n = f ? L->fcost[f->index] : stmt_cost(L, body);
	if (!n)
		return;
	if (f) {
		char near[300];

		snprintf(near, sizeof(near), "identifier '%s'", f->name);
		emit(L, &f->loc, st_arena_strndup(L->plan->arena, near, strlen(near), sizeof(near)),
		     ST_OP_TICK, 1, 0, n & 0xffff, n >> 16);
	} else {
		emit(L, NULL, NULL, ST_OP_TICK, 1, 0, n & 0xffff, n >> 16);
	}
}

void count_end(struct lower *L, const struct st_stmt *body)
{
	count_s(L, 0, body, true);
	L->running = false;
}

/* ---- stacks: which handlers read the callchain at the event ---- */

static unsigned builtin_stack(int id)
{
	switch (id) {
	case ST_BI_BACKTRACE: case ST_BI_PRINT_BACKTRACE: case ST_BI_SPRINT_BACKTRACE:
	case ST_BI_STACK:
		return ST_STACK_KERNEL;
	case ST_BI_UBACKTRACE: case ST_BI_PRINT_UBACKTRACE: case ST_BI_SPRINT_UBACKTRACE:
	case ST_BI_PRINT_UBACKTRACE_BRIEF: case ST_BI_USTACK:
		return ST_STACK_USER;
	}
	return 0;
}

/* A function's needs include its callees'; recursion adds nothing new. */
static unsigned func_stack(struct lower *L, const struct st_function *f)
{
	uint8_t *m = &L->fstack[f->index];

	if (!(*m & 0x80)) {
		*m = 0x80;
		*m |= (uint8_t)stmt_stack(L, f->body);
	}
	return *m & 0x7f;
}

unsigned expr_stack(struct lower *L, const struct st_expr *e)
{
	unsigned n = 0;

	if (!e)
		return 0;
	if (e->kind == ST_E_CALL)
		n |= e->func ? func_stack(L, e->func) : builtin_stack(e->builtin);
	n |= expr_stack(L, e->a) | expr_stack(L, e->b) | expr_stack(L, e->c);
	for (uint32_t i = 0; i < e->nargs; i++)
		n |= expr_stack(L, e->args[i]);
	return n;
}

unsigned stmt_stack(struct lower *L, const struct st_stmt *s)
{
	unsigned n = 0;

	if (!s)
		return 0;
	for (uint32_t i = 0; i < s->nbody; i++)
		n |= stmt_stack(L, s->body[i]);
	for (uint32_t i = 0; s->fe_filter && i < s->fe_nkeys; i++)
		n |= expr_stack(L, s->fe_filter[i]);
	return n | expr_stack(L, s->expr) | expr_stack(L, s->cond) | expr_stack(L, s->init) |
	       expr_stack(L, s->step) | expr_stack(L, s->fe_array) | expr_stack(L, s->fe_limit) |
	       stmt_stack(L, s->then) | stmt_stack(L, s->els);
}

