/* parser.c - recursive descent over preprocessed tokens, following stap's
 * grammar and precedence (relational and equality share one level, `.` sits
 * between shift and additive, `<<<` at assignment level). */
#include <errno.h>
#include <assert.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/parser.h"
#include "tapset/builtins.h"

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

static const struct st_token *peek(struct parser *P) { return &P->t[P->pos]; }
static const struct st_token *peekn(struct parser *P, uint32_t k)
{
	return &P->t[P->pos + k < P->n ? P->pos + k : P->n - 1];
}
static const struct st_token *next(struct parser *P)
{
	const struct st_token *t = &P->t[P->pos];

	if (P->pos + 1 < P->n)
		P->pos++;
	return t;
}

static bool is_op(const struct st_token *t, const char *op)
{
	return t->kind == ST_TOK_OP && strcmp(t->text, op) == 0;
}
static bool is_kw(const struct st_token *t, const char *kw)
{
	return t->kind == ST_TOK_IDENT && t->keyword && strcmp(t->text, kw) == 0;
}
static bool is_ident(const struct st_token *t)
{
	return t->kind == ST_TOK_IDENT && !t->keyword;
}

static const char *desc(struct parser *P, const struct st_token *t)
{
	return st_token_desc(P->pool, t);
}

/* stap says "saw:" for the token it stopped at and "at:" for one it
 * reports from earlier; both end the parse of this file. */
static _Noreturn void fail_label(struct parser *P, const char *label, const struct st_token *t, const char *msg)
{
	if (t >= P->t && t < P->t + P->n)
		P->fail_pos = (uint32_t)(t - P->t);
	st_diag_error(P->diag, "parse error", label, desc(P, t), &t->loc, "%s", msg);
	P->errors++;
	longjmp(P->fail, 1);
}

static _Noreturn void fail_at(struct parser *P, const struct st_token *t, const char *msg)
{
	fail_label(P, "saw", t, msg);
}

static const struct st_token *expect_op(struct parser *P, const char *op)
{
	if (!is_op(peek(P), op))
		fail_at(P, peek(P), st_pool_printf(P->pool, "expected '%s'", op));
	return next(P);
}

static const struct st_token *expect_ident(struct parser *P)
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

static struct st_expr *enew(struct parser *P, enum st_expr_kind k, const struct st_token *t)
{
	return st_expr_new(P->pool, k, &t->loc, desc(P, t));
}

static struct st_stmt *snew(struct parser *P, enum st_stmt_kind k, const struct st_token *t)
{
	struct st_stmt *s = st_pool_zalloc(P->pool, sizeof *s);

	s->kind = k;
	s->loc = t->loc;
	s->near = desc(P, t);
	return s;
}

static void push_arg(struct parser *P, struct st_expr *e, struct st_expr *a)
{
	st_pool_push(P->pool, (void ***)&e->args, &e->nargs, a);
}

/* ---- literals ---- */

/* --compatible=VER older than v */
static bool before_version(struct parser *P, const char *v)
{
	return P->opts && P->opts->compatible && strverscmp(P->opts->compatible, v) < 0;
}

static int64_t number_value(struct parser *P, const struct st_token *t)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(t->text, &end, 0);
	if (errno || *end || t->text[0] == '-')
		fail_at(P, t, "number invalid or out of range");
	return (int64_t)v;
}

static struct st_expr *string_literal(struct parser *P)
{
	const struct st_token *t = next(P);
	struct st_expr *e = enew(P, ST_E_STR, t);

	e->str = t->text;
	e->strlen = t->len;
	/* Adjacent literals glue: "a" "b" is "ab" (before 2.0, not across a comment). */
	while (peek(P)->kind == ST_TOK_STRING && !(peek(P)->comment_before && before_version(P, "2.0"))) {
		const struct st_token *u = next(P);
		char *s = st_pool_zalloc(P->pool, e->strlen + u->len + 1);

		st_copy(s, e->str, e->strlen);
		st_copy(s + e->strlen, u->text, u->len);
		e->str = s;
		e->strlen += u->len;
	}
	e->type = ST_T_STRING;
	return e;
}

/* A literal number with an optional leading minus (probe point arguments,
 * global initialisers, histogram parameters). */
static bool signed_number(struct parser *P, int64_t *out)
{
	bool neg = false;

	if (is_op(peek(P), "-") && peekn(P, 1)->kind == ST_TOK_NUMBER) {
		next(P);
		neg = true;
	}
	if (peek(P)->kind != ST_TOK_NUMBER)
		return false;
	*out = number_value(P, next(P));
	if (neg)
		*out = (int64_t)(0 - (uint64_t)*out);
	return true;
}

/* ---- expressions ---- */

static struct st_expr *parse_expr(struct parser *P);
static struct st_stmt *parse_stmt(struct parser *P);
static struct st_stmt *parse_block(struct parser *P);

static bool is_assign_op(const struct st_token *t)
{
	static const char *const ops[] = { "=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=", ".=" };
	size_t i;

	if (t->kind != ST_TOK_OP)
		return false;
	for (i = 0; i < sizeof ops / sizeof *ops; i++)
		if (!strcmp(t->text, ops[i]))
			return true;
	return false;
}

static int op_code(const char *op)
{
	if (!strcmp(op, "<<") || !strcmp(op, "<<=")) return '<' + 256;   /* shift left */
	if (!strcmp(op, ">>") || !strcmp(op, ">>=")) return '>' + 256;   /* arithmetic shift right */
	if (!strcmp(op, ">>>")) return '>' + 512;                         /* logical shift right */
	if (!strcmp(op, "<=")) return 'l';
	if (!strcmp(op, ">=")) return 'g';
	if (!strcmp(op, "==")) return 'e';
	if (!strcmp(op, "!=")) return 'n';
	if (!strcmp(op, "&&")) return 'A';
	if (!strcmp(op, "||")) return 'O';
	return (unsigned char)op[0];
}

static struct st_expr *parse_ternary(struct parser *P);

/* Every recursion of the parser, and every operator of a left-associative
 * chain, is one level of the tree later passes walk recursively: bound it,
 * so a script cannot overflow the stack here or in those passes. */
#define NEST_STR2(n) #n
#define NEST_STR(n) NEST_STR2(n)

static void nest_enter(struct parser *P, int levels)
{
	P->depth += levels;
	if (P->depth > ST_PARSE_MAX_NESTING)
		fail_at(P, peek(P), "nesting too deep (more than " NEST_STR(ST_PARSE_MAX_NESTING) " levels)");
}

static void nest_leave(struct parser *P, int levels)
{
	P->depth -= levels;
	assert(P->depth >= 0);
}

typedef struct st_expr *(*level_fn)(struct parser *P);

static struct st_expr *nested(struct parser *P, level_fn f)
{
	struct st_expr *e;

	nest_enter(P, 1);
	e = f(P);
	nest_leave(P, 1);
	return e;
}

static struct st_expr *parse_assignment(struct parser *P)
{
	struct st_expr *l = parse_ternary(P), *e;
	const struct st_token *t = peek(P);

	if (is_assign_op(t)) {
		next(P);
		e = enew(P, ST_E_ASSIGN, t);
		e->op = !strcmp(t->text, "=") ? '=' : op_code(t->text);
		e->a = l;
		e->b = nested(P, parse_assignment);
		return e;
	}
	if (is_op(t, "<<<")) {
		next(P);
		e = enew(P, ST_E_AGG_ADD, t);
		e->a = l;
		e->b = nested(P, parse_assignment);
		return e;
	}
	return l;
}

static struct st_expr *parse_expr(struct parser *P)
{
	return nested(P, parse_assignment);
}

static struct st_expr *binary(struct parser *P, int limit);

static struct st_expr *parse_ternary(struct parser *P)
{
	struct st_expr *c = binary(P, 1), *e;
	const struct st_token *t = peek(P);

	if (!is_op(t, "?"))
		return c;
	next(P);
	e = enew(P, ST_E_TERNARY, t);
	e->a = c;
	e->b = parse_expr(P);
	expect_op(P, ":");
	e->c = nested(P, parse_ternary);
	return e;
}

static struct st_expr *parse_unary(struct parser *P);

/* The binary operators, loosest first (stap's grammar).  Level PREC_IN is
 * `k in a` / `[k, ...] in a`, which is not a binary operator: its operand
 * is a comparison, and the looser levels take it as theirs. */
enum { PREC_IN = 6, PREC_COMPARE = 7 };

static const struct binop {
	const char *op;
	uint8_t prec;
	uint8_t kind;          /* enum st_expr_kind */
} binops[] = {
	{ "||", 1, ST_E_LOGICAL }, { "&&", 2, ST_E_LOGICAL },
	{ "|", 3, ST_E_BINARY }, { "^", 4, ST_E_BINARY }, { "&", 5, ST_E_BINARY },
	{ "<", 7, ST_E_COMPARE }, { ">", 7, ST_E_COMPARE }, { "<=", 7, ST_E_COMPARE },
	{ ">=", 7, ST_E_COMPARE }, { "==", 7, ST_E_COMPARE }, { "!=", 7, ST_E_COMPARE },
	{ "=~", 7, ST_E_REGEX }, { "!~", 7, ST_E_REGEX },
	{ "<<", 8, ST_E_BINARY }, { ">>", 8, ST_E_BINARY }, { ">>>", 8, ST_E_BINARY },
	{ ".", 9, ST_E_CONCAT },
	{ "+", 10, ST_E_BINARY }, { "-", 10, ST_E_BINARY },
	{ "*", 11, ST_E_BINARY }, { "/", 11, ST_E_BINARY }, { "%", 11, ST_E_BINARY },
};

static const struct binop *binop_of(const struct st_token *t)
{
	if (t->kind != ST_TOK_OP)
		return NULL;
	for (size_t i = 0; i < sizeof(binops) / sizeof(binops[0]); i++)
		if (!strcmp(binops[i].op, t->text))
			return &binops[i];
	return NULL;
}

static struct st_expr *parse_array_in(struct parser *P);

/* Precedence climbing (Lua's subexpr): the operators binding at least as
 * tightly as `limit`, all left-associative.  Each operator of a chain is one
 * more level of the tree, so it counts against the nesting bound. */
static struct st_expr *binary(struct parser *P, int limit)
{
	struct st_expr *l = limit <= PREC_IN ? parse_array_in(P) : parse_unary(P);
	int chain = 0, ceiling = PREC_COMPARE + 100;

	for (;;) {
		const struct st_token *t = peek(P);
		const struct binop *b = binop_of(t);
		struct st_expr *e;

		if (!b || b->prec < limit || b->prec >= ceiling) {
			nest_leave(P, chain);
			return l;
		}
		nest_enter(P, 1);
		chain++;
		next(P);
		e = enew(P, (enum st_expr_kind)b->kind, t);
		e->a = l;
		if (b->kind == ST_E_REGEX) {
			/* stap: the pattern is a literal ('=' or '!' kept as the op),
			 * and nothing binding as tightly as a comparison follows */
			e->op = t->text[0];
			if (peek(P)->kind != ST_TOK_STRING)
				fail_at(P, peek(P), "expected literal string");
			e->b = string_literal(P);
			ceiling = PREC_COMPARE;
		} else {
			e->op = op_code(t->text);
			e->b = binary(P, b->prec + 1);
		}
		l = e;
	}
}

/* Keys of `[k1, *, k3]` (in, delete filters): NULL stands for `*`. */
static void parse_key_list(struct parser *P, struct st_expr *e, const char *close)
{
	if (is_op(peek(P), close)) {
		fail_at(P, peek(P), "unexpected ']'");
	}
	for (;;) {
		if (is_op(peek(P), "*") && (is_op(peekn(P, 1), ",") || is_op(peekn(P, 1), close))) {
			next(P);
			push_arg(P, e, NULL);
		} else
			push_arg(P, e, parse_expr(P));
		if (is_op(peek(P), ",")) {
			next(P);
			continue;
		}
		expect_op(P, close);
		return;
	}
}

static struct st_expr *array_name(struct parser *P)
{
	const struct st_token *t;
	struct st_expr *v;

	t = expect_ident(P);
	v = enew(P, ST_E_VAR, t);
	v->str = t->text;
	return v;
}

static struct st_expr *parse_array_in(struct parser *P)
{
	const struct st_token *t = peek(P);
	struct st_expr *e, *k = NULL;

	if (is_op(t, "[")) {
		next(P);
		e = enew(P, ST_E_IN, t);
		parse_key_list(P, e, "]");
		if (!is_kw(peek(P), "in"))
			fail_at(P, peek(P), "expected 'in'");
	} else {
		k = binary(P, PREC_COMPARE);
		if (!is_kw(peek(P), "in"))
			return k;
		e = enew(P, ST_E_IN, peek(P));
		push_arg(P, e, k);
	}
	e->loc = peek(P)->loc;
	e->near = desc(P, peek(P));
	next(P);
	e->a = array_name(P);
	return e;
}

static struct st_expr *parse_value(struct parser *P);

static struct st_expr *parse_postfix(struct parser *P, struct st_expr *e)
{
	const struct st_token *t = peek(P);

	if (is_op(t, "++") || is_op(t, "--")) {
		struct st_expr *u;

		next(P);
		u = enew(P, ST_E_INCDEC, t);
		u->op = t->text[0];
		u->post = true;
		u->a = e;
		return u;
	}
	return e;
}

static struct st_expr *parse_unary(struct parser *P)
{
	const struct st_token *t = peek(P);
	struct st_expr *e;

	if (is_op(t, "-") || is_op(t, "+") || is_op(t, "!") || is_op(t, "~")) {
		next(P);
		e = enew(P, ST_E_UNARY, t);
		e->op = t->text[0];
		e->a = nested(P, parse_unary);
		return e;
	}
	if (is_op(t, "++") || is_op(t, "--")) {
		next(P);
		e = enew(P, ST_E_INCDEC, t);
		e->op = t->text[0];
		e->a = nested(P, parse_unary);
		return e;
	}
	return parse_postfix(P, parse_value(P));
}

/* $var, @cast and @var are typed context values; since 2.6 any other value
 * may take the same suffixes too (an autocast, typed at elaboration). */
static bool native_target(const struct st_expr *e)
{
	while (e->kind == ST_E_MEMBER || (e->kind == ST_E_INDEX && e->a->kind != ST_E_VAR))
		e = e->a;
	return e->kind == ST_E_TARGET || e->kind == ST_E_CAST || (e->kind == ST_E_ATOP && !strcmp(e->str, "@var"));
}

static bool all_dollars_str(const char *s)
{
	return s[strspn(s, "$")] == 0;
}

static bool all_dollars(const struct st_token *t)
{
	return t->kind == ST_TOK_IDENT && all_dollars_str(t->text);
}

/* `$` or `$$` after a value: pretty-print it (glued to a name where there
 * is one, as the lexer glues `$p$`). */
static struct st_expr *pretty_suffix(struct parser *P, struct st_expr *e)
{
	const struct st_token *t = next(P);
	struct st_expr *m;

	if (e->kind == ST_E_TARGET || (e->kind == ST_E_MEMBER && !all_dollars_str(e->str))) {
		e->str = st_pool_printf(P->pool, "%s%s", e->str, t->text);
		return e;
	}
	m = enew(P, ST_E_MEMBER, t);
	m->str = t->text;
	m->a = e;
	return m;
}

/* `->member`, `[index]` and a `$`/`$$` pretty-print suffix after a value;
 * `$`/`$$` glued to a name were lexed into the identifier. */
static struct st_expr *target_suffixes(struct parser *P, struct st_expr *e)
{
	if (!native_target(e) && before_version(P, "2.6"))
		return e;
	while (!((e->kind == ST_E_TARGET || e->kind == ST_E_MEMBER) && strlen(e->str) > 1 &&
		 e->str[strlen(e->str) - 1] == '$')) {   /* not after $p$ or ->m$ */
		const struct st_token *t = peek(P);

		if (is_op(t, "->")) {
			struct st_expr *m;
			const struct st_token *name;

			next(P);
			m = enew(P, ST_E_MEMBER, t);
			name = next(P);
			if (name->kind != ST_TOK_IDENT)
				fail_at(P, name, "expected field name");
			m->str = name->text;
			m->a = e;
			e = m;
			continue;
		}
		if (is_op(t, "[")) {
			struct st_expr *ix;

			next(P);
			ix = enew(P, ST_E_INDEX, t);
			ix->a = e;
			push_arg(P, ix, parse_expr(P));
			expect_op(P, "]");
			e = ix;
			continue;
		}
		if (all_dollars(t)) {
			e = pretty_suffix(P, e);
			break;
		}
		return e;
	}
	if (is_op(peek(P), "->") || is_op(peek(P), "["))
		fail_at(P, peek(P), "-> and [ are not accepted for a pretty-printing variable");
	return e;
}

static const struct { const char *name; enum st_print_kind kind; } print_fns[] = {
	{ "print", ST_PRINT_PRINT }, { "println", ST_PRINT_PRINTLN }, { "printd", ST_PRINT_PRINTD },
	{ "printdln", ST_PRINT_PRINTDLN }, { "printf", ST_PRINT_PRINTF }, { "sprint", ST_PRINT_SPRINT },
	{ "sprintln", ST_PRINT_SPRINTLN }, { "sprintd", ST_PRINT_SPRINTD }, { "sprintdln", ST_PRINT_SPRINTDLN },
	{ "sprintf", ST_PRINT_SPRINTF },
};

/* stap's argument loop: a delimiter must separate at least two values and
 * print/sprint need one; a missing value is found where the next would be
 * (a ')' taken as the separator, then the expression after it). */
static struct st_expr *parse_print(struct parser *P, const struct st_token *t, enum st_print_kind kind)
{
	struct st_expr *e = enew(P, ST_E_PRINT, t);
	bool fmt = kind == ST_PRINT_PRINTF || kind == ST_PRINT_SPRINTF;
	bool delim = kind == ST_PRINT_PRINTD || kind == ST_PRINT_PRINTDLN || kind == ST_PRINT_SPRINTD ||
		     kind == ST_PRINT_SPRINTDLN;
	bool consumed = false;
	int min_args = kind == ST_PRINT_PRINT || kind == ST_PRINT_SPRINT ? 1 : 0;

	e->print = kind;
	e->str = t->text;
	expect_op(P, "(");
	if (fmt || delim) {
		struct st_expr *lit;

		if (peek(P)->kind != ST_TOK_STRING)
			fail_at(P, next(P), "expected literal string");
		lit = string_literal(P);
		if (fmt) {
			char *err = NULL;
			size_t pos = 0;

			e->fmt = st_pool_zalloc(P->pool, sizeof *e->fmt);
			if (st_fmt_parse(lit->str, lit->strlen, e->fmt, &err, &pos) < 0) {
				const char *m = err ? st_pool_printf(P->pool, "%s", err) : "invalid format";

				free(err);
				e->fmt = NULL;
				fail_at(P, peek(P), m);
			}
			st_pool_push(P->pool, (void ***)&P->prog->fmts, &P->prog->nfmts, e->fmt);
		} else {
			e->delim = lit->str;
			min_args = 2;
		}
		e->a = lit;
		consumed = true;
	}
	while (min_args || !is_op(peek(P), ")")) {
		if (consumed) {
			if (!is_op(peek(P), ",") && !is_op(peek(P), ")"))
				fail_at(P, next(P), "expected one of ', )'");
			next(P);
		}
		push_arg(P, e, parse_expr(P));
		consumed = true;
		if (min_args)
			min_args--;
	}
	expect_op(P, ")");
	return e;
}

static const struct { const char *name; enum st_stat_op op; } stat_ops[] = {
	{ "@count", ST_AGG_COUNT }, { "@sum", ST_AGG_SUM }, { "@min", ST_AGG_MIN },
	{ "@max", ST_AGG_MAX }, { "@avg", ST_AGG_AVG }, { "@variance", ST_AGG_VARIANCE },
};

static bool stat_op_name(const char *s, enum st_stat_op *op)
{
	size_t i;

	for (i = 0; i < sizeof stat_ops / sizeof *stat_ops; i++)
		if (!strcmp(s, stat_ops[i].name)) {
			*op = stat_ops[i].op;
			return true;
		}
	return false;
}

static struct st_expr *parse_at_operator(struct parser *P, const struct st_token *t)
{
	const char *n = t->text;
	struct st_expr *e;
	enum st_stat_op sop;

	if (stat_op_name(n, &sop)) {
		e = enew(P, ST_E_STAT, t);
		e->stat_op = sop;
		expect_op(P, "(");
		e->a = parse_expr(P);
		if (sop == ST_AGG_VARIANCE && is_op(peek(P), ",")) {
			next(P);
			if (!signed_number(P, &e->hist_lo))
				fail_at(P, peek(P), "expected literal number");
		}
		expect_op(P, ")");
		return e;
	}
	if (!strcmp(n, "@hist_log") || !strcmp(n, "@hist_linear")) {
		e = enew(P, ST_E_HIST, t);
		e->hist = n[6] == 'l' && n[7] == 'o' ? ST_HIST_LOG : ST_HIST_LINEAR;
		expect_op(P, "(");
		e->a = parse_expr(P);
		if (e->hist == ST_HIST_LINEAR) {
			int64_t *v[3] = { &e->hist_lo, &e->hist_hi, &e->hist_width };
			int i;

			for (i = 0; i < 3; i++) {
				expect_op(P, ",");
				if (!signed_number(P, v[i]))
					fail_at(P, peek(P), "expected literal number");
			}
		}
		expect_op(P, ")");
		if (is_op(peek(P), "[")) {
			const struct st_token *b = next(P);
			struct st_expr *x = enew(P, ST_E_HIST_BUCKET, b);

			x->a = e;
			x->b = parse_expr(P);
			expect_op(P, "]");
			return x;
		}
		return e;
	}
	if (!strcmp(n, "@defined") || !strcmp(n, "@entry") || !strcmp(n, "@probewrite")) {
		e = enew(P, !strcmp(n, "@defined") ? ST_E_DEFINED : !strcmp(n, "@entry") ? ST_E_ENTRY : ST_E_PROBEWRITE, t);
		expect_op(P, "(");
		e->a = parse_expr(P);
		expect_op(P, ")");
		return target_suffixes(P, e);
	}
	if (!strcmp(n, "@cast")) {
		e = enew(P, ST_E_CAST, t);
		expect_op(P, "(");
		e->a = parse_expr(P);
		expect_op(P, ",");
		if (peek(P)->kind != ST_TOK_STRING)
			fail_at(P, peek(P), "expected literal string");
		e->str = string_literal(P)->str;
		if (is_op(peek(P), ",")) {
			next(P);
			if (peek(P)->kind != ST_TOK_STRING)
				fail_at(P, peek(P), "expected literal string");
			e->b = string_literal(P);
		}
		expect_op(P, ")");
		return target_suffixes(P, e);
	}
	if (!strcmp(n, "@perf")) {
		e = enew(P, ST_E_ATOP, t);
		e->str = n;
		expect_op(P, "(");
		if (peek(P)->kind != ST_TOK_STRING)
			fail_at(P, peek(P), "expected literal string");
		push_arg(P, e, string_literal(P));
		if (!e->args[0]->strlen)
			fail_at(P, peek(P), "expected non-empty string");
		expect_op(P, ")");
		return target_suffixes(P, e);
	}
	if (!strcmp(n, "@var") || !strcmp(n, "@const") || !strcmp(n, "@kregister") ||
	    !strcmp(n, "@uregister") || !strcmp(n, "@kderef") || !strcmp(n, "@uderef") || !strcmp(n, "@enum")) {
		bool needs_guru = strcmp(n, "@var") != 0;

		if (needs_guru && !(P->opts && P->opts->guru) && !P->is_tapset)
			fail_at(P, t, st_pool_printf(P->pool, "using %s operator in unprivileged script; need stap -g", n));
		e = enew(P, ST_E_ATOP, t);
		e->str = n;
		expect_op(P, "(");
		if (!is_op(peek(P), ")"))
			for (;;) {
				push_arg(P, e, parse_expr(P));
				if (!is_op(peek(P), ","))
					break;
				next(P);
			}
		expect_op(P, ")");
		return target_suffixes(P, e);
	}
	/* stap's lexer makes "@name" an operator token; it names it twice */
	st_diag_error(P->diag, "parse error", "saw", st_pool_printf(P->pool, "operator '%s'", n), &t->loc,
		      "unknown operator %s", n);
	P->fail_pos = t >= P->t && t < P->t + P->n ? (uint32_t)(t - P->t) : P->fail_pos;
	P->errors++;
	longjmp(P->fail, 1);
}

static struct st_expr *parse_value_base(struct parser *P);

static struct st_expr *parse_value(struct parser *P)
{
	return target_suffixes(P, parse_value_base(P));
}

static struct st_expr *parse_value_base(struct parser *P)
{
	const struct st_token *t = peek(P);
	struct st_expr *e;
	size_t i;

	if (is_op(t, "(")) {
		next(P);
		e = parse_expr(P);
		expect_op(P, ")");
		return target_suffixes(P, e);
	}
	if (t->kind == ST_TOK_NUMBER) {
		next(P);
		e = enew(P, ST_E_NUM, t);
		e->num = number_value(P, t);
		e->type = ST_T_LONG;
		return e;
	}
	if (t->kind == ST_TOK_STRING)
		return string_literal(P);
	if (is_op(t, "&")) {
		const struct st_token *u;

		next(P);
		u = peek(P);
		if (before_version(P, "2.6") && !(u->kind == ST_TOK_IDENT && (u->text[0] == '$' ||
		    !strcmp(u->text, "@cast") || !strcmp(u->text, "@var"))))
			fail_at(P, u, "expected @cast, @var or $var");
		e = enew(P, ST_E_ADDR, t);
		e->a = parse_value(P);
		return e;
	}
	if (t->kind == ST_TOK_EMBEDDED) {
		next(P);
		if (!(P->opts && P->opts->guru) && !P->is_tapset)
			fail_at(P, t, "embedded expression code in unprivileged script; need stap -g");
		e = enew(P, ST_E_EMBEDDED, t);
		e->str = t->text;
		return e;
	}
	if (t->kind != ST_TOK_IDENT || t->keyword)
		fail_at(P, t, "expected literal string or number");
	next(P);
	if (t->text[0] == '@')
		return parse_at_operator(P, t);
	if (t->text[0] == '$') {
		e = enew(P, ST_E_TARGET, t);
		e->str = t->text;
		return target_suffixes(P, e);
	}
	if (is_op(peek(P), "(")) {
		for (i = 0; i < sizeof print_fns / sizeof *print_fns; i++)
			if (!strcmp(t->text, print_fns[i].name))
				return parse_print(P, t, print_fns[i].kind);
		next(P);
		e = enew(P, ST_E_CALL, t);
		e->str = t->text;
		if (!is_op(peek(P), ")"))
			for (;;) {
				push_arg(P, e, parse_expr(P));
				if (!is_op(peek(P), ","))
					break;
				next(P);
			}
		expect_op(P, ")");
		return target_suffixes(P, e);
	}
	e = enew(P, ST_E_VAR, t);
	e->str = t->text;
	if (is_op(peek(P), "[")) {
		struct st_expr *ix = enew(P, ST_E_INDEX, peek(P));

		next(P);
		ix->a = e;
		ix->loc = t->loc;
		ix->near = e->near;
		parse_key_list(P, ix, "]");
		return target_suffixes(P, ix);
	}
	return target_suffixes(P, e);
}

/* ---- statements ---- */

static void push_stmt(struct parser *P, struct st_stmt *b, struct st_stmt *s)
{
	st_pool_push(P->pool, (void ***)&b->body, &b->nbody, s);
}

static struct st_stmt *parse_block(struct parser *P)
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

static struct st_stmt *parse_stmt(struct parser *P)
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

/* ---- probe points ---- */

/* One expanded point: its components and the markers written after it
 * (inside braces each alternative may carry its own ?, ! and if). */
typedef struct {
	struct st_pp_component *c;
	uint32_t n;
	bool opt, suff;
	struct st_expr *cond;
} complist;

struct pplist { complist *v; uint32_t n; };

static void pl_push(struct parser *P, struct pplist *l, complist c)
{
	complist *nv = st_pool_zalloc(P->pool, (l->n + 1) * sizeof *nv);

	if (l->n)
		st_copy(nv, l->v, l->n * sizeof *nv);
	nv[l->n++] = c;
	l->v = nv;
}

static complist cl_concat(struct parser *P, complist a, complist b)
{
	complist r = { st_pool_zalloc(P->pool, (a.n + b.n + 1) * sizeof *r.c), a.n + b.n, b.opt, b.suff, b.cond };

	if (a.n)
		st_copy(r.c, a.c, a.n * sizeof *r.c);
	if (b.n)
		st_copy(r.c + a.n, b.c, b.n * sizeof *r.c);
	return r;
}

/* One component: glob-glued name, optional (literal). */
static struct st_pp_component parse_component(struct parser *P)
{
	struct st_pp_component c = { 0 };
	const struct st_token *t = peek(P);
	char buf[1024];
	size_t len = 0;

	/* an @name left over (no such macro) is an operator to stap */
	if (!((t->kind == ST_TOK_IDENT && t->text[0] != '@') || is_op(t, "*") || t->kind == ST_TOK_NUMBER))
		fail_at(P, t, "expected identifier or '*' or '{'");
	c.loc = t->loc;
	c.near = desc(P, t);
	for (;;) {
		size_t l = strlen(t->text);

		if (len + l >= sizeof buf)
			fail_at(P, t, "probe point component too long");
		memcpy(buf + len, t->text, l);
		len += l;
		next(P);
		t = peek(P);
		if (t->ws_before || !(t->kind == ST_TOK_IDENT || is_op(t, "*") || t->kind == ST_TOK_NUMBER))
			break;
	}
	c.name = st_pool_strndup(P->pool, buf, len);
	if (is_op(peek(P), "(")) {
		next(P);
		c.has_arg = true;
		if (peek(P)->kind == ST_TOK_STRING) {
			c.arg_is_string = true;
			c.arg_str = string_literal(P)->str;
		} else if (!signed_number(P, &c.arg_num))
			fail_at(P, peek(P), "expected literal string or number");
		expect_op(P, ")");
	}
	return c;
}

static bool any_marked(const struct pplist *l, bool cond)
{
	uint32_t i;

	for (i = 0; i < l->n; i++)
		if (cond ? l->v[i].cond != NULL : l->v[i].opt)
			return true;
	return false;
}

/* `?`/`!` and `if (cond)` after a point (or a brace alternative): applied to
 * every expansion; stap refuses to set either twice. */
static void parse_markers(struct parser *P, struct pplist *l, bool allow_cond)
{
	uint32_t i;

	if (is_op(peek(P), "?") || is_op(peek(P), "!")) {
		bool suff = peek(P)->text[0] == '!';

		if (any_marked(l, false))
			fail_at(P, peek(P), "'?' or '!' respecified");
		next(P);
		for (i = 0; i < l->n; i++) {
			l->v[i].opt = true;
			l->v[i].suff = suff;
		}
	}
	if (is_kw(peek(P), "if") && allow_cond) {
		struct st_expr *cond;
		const struct st_token *close;

		next(P);
		expect_op(P, "(");
		cond = parse_expr(P);
		close = expect_op(P, ")");
		if (any_marked(l, true))
			fail_at(P, close, "condition respecified");
		for (i = 0; i < l->n; i++)
			l->v[i].cond = cond;
	}
}

/* A dotted sequence with brace alternatives: the product of the choices. */
static struct pplist parse_pp_seq(struct parser *P, const struct st_token *start, bool allow_cond)
{
	struct pplist cur = { 0 };
	complist empty = { 0 };

	pl_push(P, &cur, empty);
	for (;;) {
		struct pplist alts = { 0 }, nxt = { 0 };
		uint32_t i, j;

		if (is_op(peek(P), "{")) {
			next(P);
			for (;;) {
				struct pplist sub = parse_pp_seq(P, peek(P), allow_cond);

				parse_markers(P, &sub, allow_cond);
				for (i = 0; i < sub.n; i++)
					pl_push(P, &alts, sub.v[i]);
				if (is_op(peek(P), ",")) {
					next(P);
					continue;
				}
				if (!is_op(peek(P), "}"))
					fail_at(P, peek(P), "expected one of ', { } = +='");
				next(P);
				break;
			}
		} else {
			complist one = { st_pool_zalloc(P->pool, sizeof *one.c), 1, false, false, NULL };

			one.c[0] = parse_component(P);
			pl_push(P, &alts, one);
		}
		for (i = 0; i < cur.n; i++)
			for (j = 0; j < alts.n; j++)
				pl_push(P, &nxt, cl_concat(P, cur.v[i], alts.v[j]));
		cur = nxt;
		if (!is_op(peek(P), "."))
			return cur;
		if (any_marked(&cur, false) || any_marked(&cur, true))
			fail_label(P, "at", start, "'?', '!' or condition must only be specified in suffix");
		next(P);
	}
}

/* Points up to `{`, `=` or `+=`: returns them in *out. */
static void parse_points(struct parser *P, struct st_probe_point ***out, uint32_t *nout, bool alias_names)
{
	for (;;) {
		const struct st_token *start = peek(P);
		struct pplist l = parse_pp_seq(P, start, !alias_names);
		uint32_t i;

		parse_markers(P, &l, !alias_names);
		for (i = 0; i < l.n; i++) {
			struct st_probe_point *pp = st_pool_zalloc(P->pool, sizeof *pp);

			pp->comp = l.v[i].c;
			pp->ncomp = l.v[i].n;
			pp->optional = l.v[i].opt;
			pp->sufficient = l.v[i].suff;
			pp->cond = l.v[i].cond;
			pp->loc = start->loc;
			st_pool_push(P->pool, (void ***)out, nout, pp);
		}
		if (is_op(peek(P), ",")) {
			next(P);
			continue;
		}
		if (is_op(peek(P), "{") || is_op(peek(P), "=") || is_op(peek(P), "+="))
			return;
		if (is_op(peek(P), ".") || is_op(peek(P), "(") || is_kw(peek(P), "if") || is_op(peek(P), "?") || is_op(peek(P), "!"))
			fail_at(P, peek(P), "expected one of ', { } = +='");
		fail_at(P, peek(P), "expected one of '. , ( ? ! { = +='");
	}
}

static void parse_probe(struct parser *P, const struct st_token *kw)
{
	struct st_probe *pr = st_pool_zalloc(P->pool, sizeof *pr);
	struct st_probe_point **pts = NULL;
	uint32_t npts = 0;

	const struct st_token *first = peek(P);

	pr->loc = kw->loc;
	pr->is_tapset = P->is_tapset;
	parse_points(P, &pts, &npts, false);
	if (is_op(peek(P), "=") || is_op(peek(P), "+=")) {
		if (npts == 1 && pts[0]->optional)
			fail_label(P, "at", first, "probe point alias name cannot be optional nor sufficient");
		pr->is_alias = true;
		pr->alias_epilogue = peek(P)->text[0] == '+';
		pr->alias_names = pts;
		pr->nalias_names = npts;
		next(P);
		pts = NULL;
		npts = 0;
		parse_points(P, &pts, &npts, false);
	}
	pr->points = pts;
	pr->npoints = npts;
	pr->body = parse_block(P);
	st_pool_push(P->pool, (void ***)&P->prog->probes, &P->prog->nprobes, pr);
	/* probe NAME = PP { prologue }, { epilogue } */
	if (pr->is_alias && !pr->alias_epilogue && is_op(peek(P), ",") && is_op(peekn(P, 1), "{")) {
		struct st_probe *ep = st_pool_zalloc(P->pool, sizeof *ep);

		next(P);
		*ep = *pr;
		ep->alias_epilogue = true;
		ep->body = parse_block(P);
		st_pool_push(P->pool, (void ***)&P->prog->probes, &P->prog->nprobes, ep);
	}
}

static enum st_type type_annotation(struct parser *P)
{
	const struct st_token *t;

	next(P);  /* ':' */
	t = next(P);
	if (is_kw(t, "long"))
		return ST_T_LONG;
	if (is_kw(t, "string"))
		return ST_T_STRING;
	fail_at(P, t, "expected 'long' or 'string'");
}

static void parse_function(struct parser *P, const struct st_token *kw, bool priv)
{
	struct st_function *f = st_pool_zalloc(P->pool, sizeof *f);
	const struct st_token *name = expect_ident(P);

	f->name = name->text;
	f->loc = name->loc;
	f->is_tapset = P->is_tapset;
	f->is_private = priv;
	f->priority = P->is_tapset ? 1 : 0;
	if (is_op(peek(P), ":"))
		f->declared = type_annotation(P);
	expect_op(P, "(");
	while (!is_op(peek(P), ")")) {
		struct st_param *np = st_pool_zalloc(P->pool, (f->nparams + 1) * sizeof *np);
		const struct st_token *pn = expect_ident(P);
		uint32_t k;

		for (k = 0; k < f->nparams; k++)
			if (!strcmp(f->params[k].name, pn->text))
				fail_at(P, pn, "duplicate parameter names");
		if (f->nparams)
			st_copy(np, f->params, f->nparams * sizeof *np);
		np[f->nparams].name = pn->text;
		if (is_op(peek(P), ":"))
			np[f->nparams].declared = type_annotation(P);
		f->params = np;
		f->nparams++;
		if (is_op(peek(P), ","))
			next(P);
		else if (!is_op(peek(P), ")"))
			fail_at(P, peek(P), "expected ',' or ')'");
	}
	next(P);
	if (is_op(peek(P), ":")) {
		int64_t prio;

		next(P);
		if (!signed_number(P, &prio))
			fail_at(P, peek(P), "expected literal number");
		f->priority = (int)prio;
	}
	if (peek(P)->kind == ST_TOK_EMBEDDED) {
		const struct st_token *e = next(P);

		if (!(P->opts && P->opts->guru) && !P->is_tapset) {
			/* stap has consumed the block: recovery starts after it */
			st_diag_error(P->diag, "parse error", "saw", desc(P, e), &e->loc,
				      "embedded code in unprivileged script; need stap -g");
			P->errors++;
			P->fail_pos = P->pos;
			longjmp(P->fail, 1);
		}
		f->embedded = e->text;
	} else {
		P->in_function = true;
		f->body = parse_block(P);
		P->in_function = false;
	}
	f->index = P->prog->nfuncs;
	st_pool_push(P->pool, (void ***)&P->prog->funcs, &P->prog->nfuncs, f);
}

static void parse_global(struct parser *P, bool priv)
{
	for (;;) {
		const struct st_token *name = expect_ident(P);
		struct st_global *g = st_pool_zalloc(P->pool, sizeof *g);
		uint32_t k;

		/* stap checks the globals of this file only (privates are per file) */
		for (k = P->first_global; k < P->prog->nglobals; k++)
			if (!strcmp(P->prog->globals[k]->name, name->text))
				fail_at(P, name, P->prog->globals[k]->is_private == priv ? "duplicate global name" :
					"global versus private variable declaration conflict");

		g->name = name->text;
		g->loc = name->loc;
		g->is_private = priv;
		g->is_tapset = P->is_tapset;
		if (is_op(peek(P), "%")) {
			next(P);
			g->wrap = true;
			g->is_array = true;
		}
		if (is_op(peek(P), "[")) {
			int64_t n;

			next(P);
			if (!signed_number(P, &n) || n <= 0)
				fail_at(P, peek(P), "expected literal number");
			g->size = (uint32_t)n;
			g->is_array = true;
			expect_op(P, "]");
		} else if (is_op(peek(P), "=")) {
			const struct st_token *t;
			int64_t v;

			next(P);
			t = peek(P);
			g->has_init = true;
			if (t->kind == ST_TOK_STRING)
				g->init = string_literal(P);
			else if (signed_number(P, &v)) {
				g->init = enew(P, ST_E_NUM, t);
				g->init->num = v;
				g->init->type = ST_T_LONG;
			} else
				fail_at(P, t, "expected literal string or number");
		}
		st_pool_push(P->pool, (void ***)&P->prog->globals, &P->prog->nglobals, g);
		if (!is_op(peek(P), ","))
			break;
		next(P);
	}
	if (is_op(peek(P), ";"))
		next(P);
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
