/* parser_int.h - what parser.c, parser_expr.c, parser_stmt.c and
 * parser_decl.c share: the parser state, token helpers, and each part's
 * entry points.  Private to the parser. */
#ifndef ST_FRONTEND_PARSER_INT_H
#define ST_FRONTEND_PARSER_INT_H

#include <setjmp.h>
#include <string.h>
#include "frontend/parser.h"

struct parser {
	struct st_program *prog;
	struct st_fe_pool *pool;
	struct st_diag *diag;
	const struct st_compile_opts *opts;
	const struct st_token *t;
	uint32_t n, pos;
	uint32_t fail_pos;      /* the token the last error was reported at */
	uint32_t decl_start;    /* where the top-level declaration being parsed began */
	uint32_t first_global;  /* this file's globals start here in prog->globals */
	bool is_tapset;
	bool in_function;
	int loop_depth;
	int depth;              /* nesting of expressions and statements (ST_PARSE_MAX_NESTING) */
	int errors;
	jmp_buf fail;           /* one error abandons the declaration; parsing resumes at the next one */
};

static inline const struct st_token *peek(struct parser *P) { return &P->t[P->pos]; }
static inline const struct st_token *peekn(struct parser *P, uint32_t k)
{
	return &P->t[P->pos + k < P->n ? P->pos + k : P->n - 1];
}
static inline const struct st_token *next(struct parser *P)
{
	const struct st_token *t = &P->t[P->pos];

	if (P->pos + 1 < P->n)
		P->pos++;
	return t;
}

static inline bool is_op(const struct st_token *t, const char *op)
{
	return t->kind == ST_TOK_OP && strcmp(t->text, op) == 0;
}
static inline bool is_kw(const struct st_token *t, const char *kw)
{
	return t->kind == ST_TOK_IDENT && t->keyword && strcmp(t->text, kw) == 0;
}
static inline bool is_ident(const struct st_token *t)
{
	return t->kind == ST_TOK_IDENT && !t->keyword;
}

static inline const char *desc(struct parser *P, const struct st_token *t)
{
	return st_token_desc(P->pool, t);
}

/* parser.c: errors, tokens, nodes */
/* stap says "saw:" for the token it stopped at and "at:" for one it
 * reports from earlier; both end the parse of this file (longjmp). */
_Noreturn void fail_label(struct parser *P, const char *label, const struct st_token *t, const char *msg);
static inline _Noreturn void fail_at(struct parser *P, const struct st_token *t, const char *msg)
{
	fail_label(P, "saw", t, msg);
}
const struct st_token *expect_op(struct parser *P, const char *op);
const struct st_token *expect_ident(struct parser *P);
struct st_expr *enew(struct parser *P, enum st_expr_kind k, const struct st_token *t);
struct st_stmt *snew(struct parser *P, enum st_stmt_kind k, const struct st_token *t);
void push_arg(struct parser *P, struct st_expr *e, struct st_expr *a);
/* --compatible=VER older than v */
bool before_version(struct parser *P, const char *v);

/* parser_expr.c */
struct st_expr *string_literal(struct parser *P);
bool signed_number(struct parser *P, int64_t *out);
/* one level deeper (fails past ST_PARSE_MAX_NESTING), and back */
void nest_enter(struct parser *P, int levels);
void nest_leave(struct parser *P, int levels);
struct st_expr *parse_expr(struct parser *P);
struct st_expr *parse_value(struct parser *P);
struct st_expr *parse_at_operator(struct parser *P, const struct st_token *t);
struct st_expr *array_name(struct parser *P);
void parse_key_list(struct parser *P, struct st_expr *e, const char *close);
bool stat_op_name(const char *s, enum st_stat_op *op);

/* parser_stmt.c */
struct st_stmt *parse_stmt(struct parser *P);
struct st_stmt *parse_block(struct parser *P);

/* parser_decl.c */
void parse_probe(struct parser *P, const struct st_token *kw);
void parse_function(struct parser *P, const struct st_token *kw, bool priv);
void parse_global(struct parser *P, bool priv);

#endif
