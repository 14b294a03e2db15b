/* lexer.c - script text to tokens, with command-line arguments ($1 @1 $#
 * @#) substituted as the tokens are read, as stap does. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/base_arena.h"
#include "frontend/lexer.h"

/* ---- pool ---- */

/* The frontend's pool is the shared arena (frontend/base_arena.h), never
 * reset: nodes live until the program is freed. */
struct st_fe_pool { struct st_arena arena; };

struct st_fe_pool *st_pool_new(void)
{
	struct st_fe_pool *p = calloc(1, sizeof *p);

	if (!p)
		abort();
	st_arena_init(&p->arena, 65536);
	return p;
}

void st_pool_free(struct st_fe_pool *p)
{
	if (!p)
		return;
	st_arena_free(&p->arena);
	free(p);
}

void *st_pool_zalloc(struct st_fe_pool *p, size_t n)
{
	return st_arena_zalloc(&p->arena, n);
}

char *st_pool_strndup(struct st_fe_pool *p, const char *s, size_t n)
{
	char *r = st_pool_zalloc(p, n + 1);

	memcpy(r, s, n);
	return r;
}

char *st_pool_printf(struct st_fe_pool *p, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	r = st_pool_zalloc(p, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(r, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return r;
}

/* Vectors double in the pool; the old copy stays until the pool dies, which
 * is cheap next to the rest of the tree. */
void st_pool_push(struct st_fe_pool *p, void ***v, uint32_t *n, void *item)
{
	if ((*n & (*n - 1)) == 0) {
		void **nv = st_pool_zalloc(p, (*n ? *n * 2 : 1) * sizeof(void *));

		if (*n)
			st_copy(nv, *v, *n * sizeof(void *));
		*v = nv;
	}
	(*v)[(*n)++] = item;
}

void st_tokvec_push(struct st_tokvec *tv, const struct st_token *t)
{
	if (tv->n == tv->cap) {
		tv->cap = tv->cap ? tv->cap * 2 : 256;
		tv->v = realloc(tv->v, tv->cap * sizeof *tv->v);
		if (!tv->v)
			abort();
	}
	tv->v[tv->n++] = *t;
}

void st_tokvec_free(struct st_tokvec *tv)
{
	free(tv->v);
	memset(tv, 0, sizeof *tv);
}

static const char *const keywords[] = {
	"probe", "global", "private", "function", "if", "else", "for", "foreach", "in", "limit",
	"return", "delete", "while", "break", "continue", "next", "string", "long", "try", "catch",
};

const char *st_token_desc(struct st_fe_pool *pool, const struct st_token *t)
{
	switch (t->kind) {
	case ST_TOK_EOF: return "end of file";
	case ST_TOK_IDENT:   /* stap lexes @name as an operator */
		return t->keyword ? "keyword" :
		       st_pool_printf(pool, "%s '%s'", t->text[0] == '@' ? "operator" : "identifier", t->text);
	case ST_TOK_NUMBER: return st_pool_printf(pool, "number '%s'", t->text);
	case ST_TOK_STRING: return st_pool_printf(pool, "string '%s'", t->text);
	case ST_TOK_OP: return st_pool_printf(pool, "operator '%s'", t->text);
	case ST_TOK_EMBEDDED: return "embedded-code";
	}
	return "junk";
}

/* Longest operators first so that the first match is the longest. */
static const char *const operators[] = {
	"<<<", ">>>", "<<=", ">>=",
	"%{", "%}", "%(", "%?", "%:", "%)",
	"==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=",
	"|=", "^=", ".=", "=~", "!~", "->", "<<", ">>",
	"+", "-", "*", "/", "%", "<", ">", "=", "!", "~", "&", "|", "^", ".", ",", ";", ":",
	"?", "(", ")", "[", "]", "{", "}",
};

struct lexer {
	struct st_lexctx *lx;
	const char *file, *text, *p;
	uint32_t line, col;
	struct st_tokvec *out;
	int errors;
	bool in_arg;            /* lexing a $N argument: no nested substitution */
	bool comment;           /* a comment since the last token */
	struct st_loc arg_loc;  /* where the $N was */
};

static void advance(struct lexer *L, size_t n)
{
	while (n-- && *L->p) {
		if (*L->p == '\n') {
			L->line++;
			L->col = 1;
		} else
			L->col++;
		L->p++;
	}
}

static void lex_error(struct lexer *L, struct st_loc loc, const char *msg)
{
	if (L->in_arg)
		loc = L->arg_loc;   /* stap points at the $N the text came from */
	st_diag_error(L->lx->diag, "parse error", "at", "junk ''", &loc, "%s", msg);
	L->errors++;
}

static void emit(struct lexer *L, enum st_tok_kind k, const char *text, uint32_t len, struct st_loc loc, bool ws)
{
	struct st_token t = { .kind = k, .text = text, .len = len, .loc = loc, .ws_before = ws,
			      .comment_before = L->comment };
	size_t i;

	L->comment = false;
	if (L->in_arg)
		t.loc = L->arg_loc;
	if (k == ST_TOK_IDENT)
		for (i = 0; i < sizeof keywords / sizeof *keywords; i++)
			if (strcmp(text, keywords[i]) == 0)
				t.keyword = true;
	st_tokvec_push(L->out, &t);
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* A string literal, escapes decoded into the value. */
static void lex_string(struct lexer *L, struct st_loc loc, bool ws)
{
	size_t cap = 64, n = 0;
	char *buf = malloc(cap);

	advance(L, 1);
	for (;;) {
		int c = (unsigned char)*L->p;

		if (c == 0) {
			lex_error(L, loc, "Could not find matching closing quote");
			free(buf);
			return;
		}
		if (n + 4 >= cap)
			buf = realloc(buf, cap *= 2);
		if (c == '"') {
			advance(L, 1);
			break;
		}
		if (c == '\\' && L->p[1]) {
			int e = (unsigned char)L->p[1], v;

			advance(L, 2);
			switch (e) {
			case 'n': buf[n++] = '\n'; break;
			case 't': buf[n++] = '\t'; break;
			case 'r': buf[n++] = '\r'; break;
			case 'a': buf[n++] = '\a'; break;
			case 'b': buf[n++] = '\b'; break;
			case 'f': buf[n++] = '\f'; break;
			case 'v': buf[n++] = '\v'; break;
			case 'x':
				for (v = 0; isxdigit((unsigned char)*L->p); advance(L, 1))
					v = ((v << 4) + hexval((unsigned char)*L->p)) & 0xff;   /* a byte: the last two digits count */
				buf[n++] = (char)v;
				break;
			case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
				v = e - '0';
				for (int i = 0; i < 2 && *L->p >= '0' && *L->p <= '7'; i++, advance(L, 1))
					v = v * 8 + (*L->p - '0');
				buf[n++] = (char)v;
				break;
			case '\n':
				break;  /* line continuation */
			default:
				buf[n++] = (char)e;  /* \\ \" and unknown escapes keep the character */
			}
			continue;
		}
		buf[n++] = (char)c;
		advance(L, 1);
	}
	emit(L, ST_TOK_STRING, st_pool_strndup(L->lx->pool, buf, n), (uint32_t)n, loc, ws);
	free(buf);
}

static void lex_text(struct lexer *L);

/* $1 pastes the argument's tokens, @1 makes it a string, $# @# the count. */
static void substitute_arg(struct lexer *L, const char *name, struct st_loc loc, bool ws)
{
	const struct st_compile_opts *o = L->lx->opts;
	int argc = o ? o->argc : 0;
	long n;
	char *end;

	if (name[1] == '#') {
		char *s = st_pool_printf(L->lx->pool, "%d", argc);
		emit(L, name[0] == '$' ? ST_TOK_NUMBER : ST_TOK_STRING, s, (uint32_t)strlen(s), loc, ws);
		return;
	}
	n = strtol(name + 1, &end, 10);
	if (L->in_arg) {
		lex_error(L, loc, "invalid nested substitution of command line arguments");
		return;
	}
	if (n < 1 || n > argc) {
		char msg[80];

		struct st_token t = { .kind = ST_TOK_IDENT, .text = "", .loc = loc, .ws_before = ws };

		/* stap substitutes lazily: an unused branch may name a missing argument. */
		snprintf(msg, sizeof msg, "command line argument out of range [1-%d]", argc);
		t.error = st_pool_strndup(L->lx->pool, msg, strlen(msg));
		st_tokvec_push(L->out, &t);
		return;
	}
	if (name[0] == '@') {
		const char *a = o->argv[n - 1];
		emit(L, ST_TOK_STRING, st_pool_strndup(L->lx->pool, a, strlen(a)), (uint32_t)strlen(a), loc, ws);
		return;
	}
	{
		struct lexer sub = *L;

		sub.text = sub.p = o->argv[n - 1];
		sub.line = sub.col = 1;
		sub.in_arg = true;
		sub.arg_loc = loc;
		sub.errors = 0;
		lex_text(&sub);
		L->errors += sub.errors;
	}
}

static void lex_text(struct lexer *L)
{
	bool ws = true;

	for (;;) {
		const char *p = L->p;
		struct st_loc loc = { .file = L->file, .line = L->line, .col = L->col };
		size_t i, n;

		if (!*p)
			return;
		if (isspace((unsigned char)*p)) {
			advance(L, 1);
			ws = true;
			continue;
		}
		if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*L->p && *L->p != '\n')
				advance(L, 1);
			ws = L->comment = true;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			advance(L, e ? (size_t)(e + 2 - p) : strlen(p));
			ws = L->comment = true;
			continue;
		}
		if (*p == '"') {
			lex_string(L, loc, ws);
			ws = false;
			continue;
		}
		if (isdigit((unsigned char)*p)) {
			for (n = 0; isalnum((unsigned char)p[n]); n++)
				;
			emit(L, ST_TOK_NUMBER, st_pool_strndup(L->lx->pool, p, n), 0, loc, ws);
			advance(L, n);
			ws = false;
			continue;
		}
		if ((*p == '$' || *p == '@') && (p[1] == '#' || isdigit((unsigned char)p[1])) && L->lx->expand_args) {
			char name[32];

			for (n = 1; n < 30 && (p[n] == '#' ? n == 1 : isdigit((unsigned char)p[n])); n++)
				;
			memcpy(name, p, n);
			name[n] = 0;
			advance(L, n);
			substitute_arg(L, name, loc, ws);
			ws = false;
			continue;
		}
		if (isalpha((unsigned char)*p) || *p == '_' || *p == '$' || *p == '@') {
			for (n = 1; isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '$'; n++)
				;
			emit(L, ST_TOK_IDENT, st_pool_strndup(L->lx->pool, p, n), (uint32_t)n, loc, ws);
			advance(L, n);
			ws = false;
			continue;
		}
		if (p[0] == '%' && p[1] == '{') {
			const char *e = strstr(p + 2, "%}");

			if (!e) {
				lex_error(L, loc, "Could not find matching '%}' to close embedded function block");
				advance(L, strlen(p));
				return;
			}
			emit(L, ST_TOK_EMBEDDED, st_pool_strndup(L->lx->pool, p + 2, (size_t)(e - p - 2)),
			     (uint32_t)(e - p - 2), loc, ws);
			advance(L, (size_t)(e + 2 - p));
			ws = false;
			continue;
		}
		for (i = 0; i < sizeof operators / sizeof *operators; i++) {
			n = strlen(operators[i]);
			if (strncmp(p, operators[i], n) == 0)
				break;
		}
		if (i == sizeof operators / sizeof *operators) {
			/* stap makes any other character a one-character operator,
			 * and the parser rejects it where it stands. */
			emit(L, ST_TOK_OP, st_pool_strndup(L->lx->pool, p, 1), 1, loc, ws);
			advance(L, 1);
			ws = false;
			continue;
		}
		emit(L, ST_TOK_OP, operators[i], (uint32_t)n, loc, ws);
		advance(L, n);
		ws = false;
	}
}

int st_lex(struct st_lexctx *lx, const char *file, const char *text, struct st_tokvec *out)
{
	struct lexer L = { .lx = lx, .file = file, .text = text, .p = text, .line = 1, .col = 1, .out = out };

	lex_text(&L);
	return L.errors;
}
