/* lexer.h - tokens of the script language, the node pool, and the pass-1
 * front: tokenizer (lexer.c) and preprocessor (preproc.c). */
#ifndef ST_FRONTEND_LEXER_H
#define ST_FRONTEND_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "frontend/ast.h"
#include "frontend/diag.h"
#include "frontend/frontend.h"

/* memcpy for vectors that may be empty: memcpy(d, NULL, 0) is undefined. */
static inline void st_copy(void *dst, const void *src, size_t n)
{
	if (n)
		__builtin_memcpy(dst, src, n);
}

/* ---- allocation: every node of a program lives in one pool ---- */
struct st_fe_pool;
struct st_fe_pool *st_pool_new(void);
void st_pool_free(struct st_fe_pool *p);
void *st_pool_zalloc(struct st_fe_pool *p, size_t n);
char *st_pool_strndup(struct st_fe_pool *p, const char *s, size_t n);
char *st_pool_printf(struct st_fe_pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append `item` to a growable pointer vector (*v, *n), sized in the pool. */
void st_pool_push(struct st_fe_pool *p, void ***v, uint32_t *n, void *item);

enum st_tok_kind {
	ST_TOK_EOF,
	ST_TOK_IDENT,      /* also $name, @name, keywords (is_keyword set) */
	ST_TOK_NUMBER,
	ST_TOK_STRING,
	ST_TOK_OP,
	ST_TOK_EMBEDDED,   /* %{ ... %} */
};

struct st_token {
	enum st_tok_kind kind;
	bool keyword;
	bool ws_before;
	bool comment_before;    /* a comment precedes it (stap < 2.0 glues no strings across one) */
	const char *error;      /* a $N out of range: reported only if the token is used */         /* whitespace or comment precedes it: probe point globs glue */
	const char *text;       /* NUL-terminated: identifier/operator text, string value, number text */
	uint32_t len;           /* strings: value length */
	struct st_loc loc;
};

struct st_tokvec {
	struct st_token *v;
	uint32_t n, cap;
};

void st_tokvec_push(struct st_tokvec *tv, const struct st_token *t);
void st_tokvec_free(struct st_tokvec *tv);

/* stap's description of a token: "identifier 'x'", "operator '/'", "keyword" ... */
const char *st_token_desc(struct st_fe_pool *pool, const struct st_token *t);

struct st_lexctx {
	struct st_fe_pool *pool;
	struct st_diag *diag;
	const struct st_compile_opts *opts;
	bool expand_args;       /* substitute $1 @1 $# @# */
	bool library;           /* a .stpm file: its macros are visible everywhere */
};

/* Tokenize a whole file (appends to out; no EOF token).  Returns errors count. */
int st_lex(struct st_lexctx *lx, const char *file, const char *text, struct st_tokvec *out);

/* Macros visible everywhere (from .stpm files) are kept in this table. */
struct st_macro;
struct st_macro_table { struct st_macro **v; uint32_t n; };

/* Expand @define macros and %( %) conditionals: in -> out (ends with EOF). */
int st_preprocess(struct st_lexctx *lx, const struct st_tokvec *in, struct st_tokvec *out,
		  struct st_macro_table *library);

#endif
