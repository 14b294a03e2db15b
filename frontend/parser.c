/* parser.c - recursive descent over preprocessed tokens, following stap's
 * grammar and precedence (relational and equality share one level, `.` sits
 * between shift and additive, `<<<` at assignment level).  This file holds
 * the driver (top-level declarations, recovery after an error) and the
 * helpers every part uses; parser_expr.c, parser_stmt.c and parser_decl.c
 * parse expressions, statements, and probe points with declarations, over
 * parser_int.h. */
#include <setjmp.h>
#include <string.h>
#include "frontend/parser_int.h"

/* Report at t and abandon the declaration (st_parse_tokens resumes). */
_Noreturn void fail_label(struct parser *P, const char *label, const struct st_token *t, const char *msg)
{
	if (t >= P->t && t < P->t + P->n)
		P->fail_pos = (uint32_t)(t - P->t);
	st_diag_error(P->diag, "parse error", label, desc(P, t), &t->loc, "%s", msg);
	P->errors++;
	longjmp(P->fail, 1);
}

const struct st_token *expect_op(struct parser *P, const char *op)
{
	if (!is_op(peek(P), op))
		fail_at(P, peek(P), st_pool_printf(P->pool, "expected '%s'", op));
	return next(P);
}

const struct st_token *expect_ident(struct parser *P)
{
	if (!is_ident(peek(P)))
		fail_at(P, peek(P), "expected identifier");
	return next(P);
}

struct st_expr *st_expr_new(struct st_fe_pool *pool, enum st_expr_kind kind, const struct st_loc *loc, const char *near)
{
	struct st_expr *e = st_pool_zalloc(pool, sizeof *e);

	e->kind = kind;
	e->loc = *loc;
	e->near = near;
	e->builtin = -1;
	return e;
}

struct st_expr *enew(struct parser *P, enum st_expr_kind k, const struct st_token *t)
{
	return st_expr_new(P->pool, k, &t->loc, desc(P, t));
}

struct st_stmt *snew(struct parser *P, enum st_stmt_kind k, const struct st_token *t)
{
	struct st_stmt *s = st_pool_zalloc(P->pool, sizeof *s);

	s->kind = k;
	s->loc = t->loc;
	s->near = desc(P, t);
	return s;
}

void push_arg(struct parser *P, struct st_expr *e, struct st_expr *a)
{
	st_pool_push(P->pool, (void ***)&e->args, &e->nargs, a);
}

/* --compatible=VER older than v */
bool before_version(struct parser *P, const char *v)
{
	return P->opts && P->opts->compatible && strverscmp(P->opts->compatible, v) < 0;
}

static void parse_toplevel(struct parser *P)
{
	const struct st_token *t = peek(P);
	bool priv = false;

	if (is_kw(t, "private")) {
		next(P);
		priv = true;
		t = peek(P);
		if (!is_kw(t, "global") && !is_kw(t, "function")) {
			/* `private x` is a private global. */
			if (is_ident(t)) {
				parse_global(P, true);
				return;
			}
			fail_at(P, t, "expected 'global' or 'function'");
		}
	}
	if (is_kw(t, "probe") && !priv) {
		next(P);
		parse_probe(P, t);
	} else if (is_kw(t, "global")) {
		next(P);
		parse_global(P, priv);
	} else if (is_kw(t, "function")) {
		next(P);
		parse_function(P, t, priv);
	} else if (t->kind == ST_TOK_EMBEDDED && !priv) {
		next(P);
		if (!(P->opts && P->opts->guru) && !P->is_tapset) {
			/* reported, but stap goes on with the next token as it is */
			st_diag_error(P->diag, "parse error", "saw", desc(P, t), &t->loc,
				      "embedded code in unprivileged script; need stap -g");
			P->errors++;
			return;
		}
		/* a script's own top-level C cannot run here; say so once, where it is */
		if (!P->is_tapset && P->diag)
			st_diag_warning(P->diag, desc(P, t), &t->loc,
					"embedded C code is not supported by staplet and is ignored");
		st_pool_push(P->pool, (void ***)&P->prog->embedded, &P->prog->nembedded, (void *)t->text);
	} else if (is_op(t, ";")) {
		next(P);
	} else
		fail_at(P, t, "expected 'probe', 'global', 'private', 'function', or '%{'");
}

int st_parse_tokens(struct st_program *prog, struct st_fe_pool *pool, struct st_diag *diag,
		    const struct st_compile_opts *opts, const struct st_tokvec *toks, bool is_tapset)
{
	struct parser P = { .prog = prog, .pool = pool, .diag = diag, .opts = opts,
			    .t = toks->v, .n = toks->n, .is_tapset = is_tapset,
			    .first_global = prog->nglobals };

	while (peek(&P)->kind != ST_TOK_EOF) {
		P.decl_start = P.pos;
		if (setjmp(P.fail)) {
			/* Resynchronise as stap does: from the token that failed (but
			 * past where this declaration began), at the next top-level
			 * keyword or embedded-code block. */
			const struct st_token *t;

			P.in_function = false;
			P.loop_depth = 0;
			P.depth = 0;
			if (P.errors > 50)
				break;
			P.pos = P.fail_pos > P.decl_start ? P.fail_pos : P.decl_start + 1;
			if (P.pos >= P.n)
				P.pos = P.n - 1;
			while ((t = peek(&P))->kind != ST_TOK_EOF && !is_kw(t, "probe") && !is_kw(t, "global") &&
			       !is_kw(t, "function") && !is_kw(t, "private") && t->kind != ST_TOK_EMBEDDED)
				next(&P);
			continue;
		}
		parse_toplevel(&P);
	}
	return P.errors;
}
