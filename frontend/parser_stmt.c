/* parser_stmt.c - statements: blocks, loops, foreach, try/catch. */
#include <setjmp.h>
#include <string.h>
#include "frontend/parser_int.h"

/* ---- statements ---- */

static void push_stmt(struct parser *P, struct st_stmt *b, struct st_stmt *s)
{
	st_pool_push(P->pool, (void ***)&b->body, &b->nbody, s);
}

struct st_stmt *parse_block(struct parser *P)
{
	const struct st_token *t = expect_op(P, "{");
	struct st_stmt *b = snew(P, ST_S_BLOCK, t);

	while (!is_op(peek(P), "}")) {
		if (peek(P)->kind == ST_TOK_EOF)
			fail_at(P, peek(P), "unexpected end of file");
		push_stmt(P, b, parse_stmt(P));
	}
	next(P);
	return b;
}

static struct st_expr *foreach_var(struct parser *P)
{
	return array_name(P);
}

/* An optional +/- after a foreach variable; at most one per loop. */
static void sort_suffix(struct parser *P, struct st_stmt *s, int column)
{
	const struct st_token *t = peek(P);

	if (!is_op(t, "+") && !is_op(t, "-"))
		return;
	if (s->fe_sort_dir)
		fail_at(P, t, "multiple sort directives");
	next(P);
	s->fe_sort_dir = t->text[0] == '+' ? 1 : -1;
	s->fe_sort_column = column;
}

static struct st_stmt *parse_foreach(struct parser *P, const struct st_token *kw)
{
	struct st_stmt *s = snew(P, ST_S_FOREACH, kw);
	bool value_sorted = false;

	s->fe_sort_column = -1;
	expect_op(P, "(");
	if (is_ident(peek(P)) && is_op(peekn(P, 1), "=")) {
		s->fe_value = foreach_var(P);
		next(P);
	} else if (is_ident(peek(P)) && (is_op(peekn(P, 1), "+") || is_op(peekn(P, 1), "-")) && is_op(peekn(P, 2), "=")) {
		s->fe_value = foreach_var(P);
		sort_suffix(P, s, 0);
		next(P);
		value_sorted = true;
	}
	(void)value_sorted;
	if (is_op(peek(P), "[")) {
		next(P);
		for (;;) {
			st_pool_push(P->pool, (void ***)&s->fe_keys, &s->fe_nkeys, foreach_var(P));
			sort_suffix(P, s, (int)s->fe_nkeys);
			if (is_op(peek(P), ",")) {
				next(P);
				continue;
			}
			expect_op(P, "]");
			break;
		}
	} else {
		st_pool_push(P->pool, (void ***)&s->fe_keys, &s->fe_nkeys, foreach_var(P));
		sort_suffix(P, s, 1);
	}
	if (!is_kw(peek(P), "in"))
		fail_at(P, peek(P), "expected 'in'");
	next(P);
	if (peek(P)->kind == ST_TOK_IDENT && (!strcmp(peek(P)->text, "@hist_log") || !strcmp(peek(P)->text, "@hist_linear")))
		s->fe_array = parse_at_operator(P, next(P));
	else
		s->fe_array = array_name(P);
	if (is_op(peek(P), "[")) {
		struct st_expr tmp = { 0 };
		uint32_t i;

		next(P);
		parse_key_list(P, &tmp, "]");
		s->fe_filter = st_pool_zalloc(P->pool, (tmp.nargs > s->fe_nkeys ? tmp.nargs : s->fe_nkeys) * sizeof(void *) + 1);
		for (i = 0; i < tmp.nargs; i++)
			s->fe_filter[i] = tmp.args[i];
		if (tmp.nargs != s->fe_nkeys)
			fail_at(P, peek(P), "array index filter must match the number of keys");
	}
	if (peek(P)->kind == ST_TOK_IDENT && stat_op_name(peek(P)->text, &s->fe_sort_agg)) {
		next(P);
		if (!is_op(peek(P), "+") && !is_op(peek(P), "-"))
			fail_at(P, peek(P), "expected sort directive");
	}
	sort_suffix(P, s, 0);
	if (is_kw(peek(P), "limit")) {
		next(P);
		s->fe_limit = parse_expr(P);
	}
	expect_op(P, ")");
	P->loop_depth++;
	s->then = parse_stmt(P);
	P->loop_depth--;
	return s;
}

static struct st_stmt *parse_stmt_here(struct parser *P);

struct st_stmt *parse_stmt(struct parser *P)
{
	struct st_stmt *s;

	nest_enter(P, 1);
	s = parse_stmt_here(P);
	nest_leave(P, 1);
	return s;
}

static struct st_stmt *parse_stmt_here(struct parser *P)
{
	const struct st_token *t = peek(P);
	struct st_stmt *s;

	if (is_op(t, ";")) {
		next(P);
		return snew(P, ST_S_NULL, t);
	}
	if (is_op(t, "{"))
		return parse_block(P);
	if (t->kind == ST_TOK_EMBEDDED) {
		if (!(P->opts && P->opts->guru) && !P->is_tapset)
			fail_at(P, t, "embedded code in unprivileged script; need stap -g");
		next(P);
		s = snew(P, ST_S_EXPR, t);
		s->expr = enew(P, ST_E_EMBEDDED, t);
		s->expr->str = t->text;
		return s;
	}
	if (is_kw(t, "if")) {
		next(P);
		s = snew(P, ST_S_IF, t);
		expect_op(P, "(");
		s->cond = parse_expr(P);
		expect_op(P, ")");
		s->then = parse_stmt(P);
		if (is_kw(peek(P), "else")) {
			next(P);
			s->els = parse_stmt(P);
		}
		return s;
	}
	if (is_kw(t, "while")) {
		next(P);
		s = snew(P, ST_S_WHILE, t);
		expect_op(P, "(");
		s->cond = parse_expr(P);
		expect_op(P, ")");
		P->loop_depth++;
		s->then = parse_stmt(P);
		P->loop_depth--;
		return s;
	}
	if (is_kw(t, "for")) {
		next(P);
		s = snew(P, ST_S_FOR, t);
		expect_op(P, "(");
		if (!is_op(peek(P), ";"))
			s->init = parse_expr(P);
		expect_op(P, ";");
		if (!is_op(peek(P), ";"))
			s->cond = parse_expr(P);
		expect_op(P, ";");
		if (!is_op(peek(P), ")"))
			s->step = parse_expr(P);
		expect_op(P, ")");
		P->loop_depth++;
		s->then = parse_stmt(P);
		P->loop_depth--;
		return s;
	}
	if (is_kw(t, "foreach")) {
		next(P);
		return parse_foreach(P, t);
	}
	if (is_kw(t, "break") || is_kw(t, "continue")) {
		/* outside a loop stap accepts it at -p1/-p2 and refuses it when
		 * translating ("cannot 'break' outside loop"): lowering does */
		next(P);
		s = snew(P, t->text[0] == 'b' ? ST_S_BREAK : ST_S_CONTINUE, t);
		if (is_op(peek(P), ";"))
			next(P);
		return s;
	}
	if (is_kw(t, "next")) {
		next(P);
		s = snew(P, ST_S_NEXT, t);
		if (is_op(peek(P), ";"))
			next(P);
		return s;
	}
	if (is_kw(t, "return")) {
		next(P);
		if (!P->in_function)
			fail_at(P, t, "found 'return' not in function context");
		s = snew(P, ST_S_RETURN, t);
		if (!is_op(peek(P), ";") && !is_op(peek(P), "}"))
			s->expr = parse_expr(P);
		if (is_op(peek(P), ";"))
			next(P);
		return s;
	}
	if (is_kw(t, "delete")) {
		next(P);
		s = snew(P, ST_S_DELETE, t);
		s->expr = parse_value(P);
		if (is_op(peek(P), ";"))
			next(P);
		return s;
	}
	if (is_kw(t, "try")) {
		next(P);
		s = snew(P, ST_S_TRY, t);
		s->then = parse_block(P);
		if (!is_kw(peek(P), "catch"))
			fail_at(P, peek(P), "expected 'catch'");
		next(P);
		if (is_op(peek(P), "(")) {
			next(P);
			s->catch_var = array_name(P);
			expect_op(P, ")");
		}
		s->els = parse_block(P);
		return s;
	}
	if (t->kind == ST_TOK_IDENT && t->keyword && !is_kw(t, "string") && !is_kw(t, "long"))
		fail_at(P, t, "expected statement");
	s = snew(P, ST_S_EXPR, t);
	s->expr = parse_expr(P);
	if (is_op(peek(P), ";"))
		next(P);
	return s;
}
