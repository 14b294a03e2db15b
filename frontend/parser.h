/* parser.h - tokens to the pass-1 tree. */
#ifndef ST_FRONTEND_PARSER_H
#define ST_FRONTEND_PARSER_H

#include "frontend/lexer.h"

/* Deepest nesting a script may have: parentheses, blocks, unary operators,
 * ternaries, assignments and each operator of a chain count one level.
 * Deeper scripts get a parse error rather than a stack overflow in the
 * recursive passes. */
#define ST_PARSE_MAX_NESTING 500

/* Parse one preprocessed file into prog.  Returns the number of errors. */
int st_parse_tokens(struct st_program *prog, struct st_fe_pool *pool, struct st_diag *diag,
		    const struct st_compile_opts *opts, const struct st_tokvec *toks, bool is_tapset);

/* Helpers shared with elaboration. */
struct st_expr *st_expr_new(struct st_fe_pool *pool, enum st_expr_kind kind, const struct st_loc *loc, const char *near);
struct st_stmt *st_stmt_clone(struct st_fe_pool *pool, const struct st_stmt *s);
struct st_expr *st_expr_clone(struct st_fe_pool *pool, const struct st_expr *e);
struct st_probe_point *st_point_clone(struct st_fe_pool *pool, const struct st_probe_point *pp);
/* The point as text: kernel.function("x").return? */
char *st_point_str(struct st_fe_pool *pool, const struct st_probe_point *pp, bool marks);

#endif
