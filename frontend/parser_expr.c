/* parser_expr.c - expressions: literals, operators by precedence climbing,
 * values, target suffixes, print and @ operators. */
#include <assert.h>
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/parser_int.h"

/* ---- literals ---- */

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

struct st_expr *string_literal(struct parser *P)
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
bool signed_number(struct parser *P, int64_t *out)
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

void nest_enter(struct parser *P, int levels)
{
	P->depth += levels;
	if (P->depth > ST_PARSE_MAX_NESTING)
		fail_at(P, peek(P), "nesting too deep (more than " NEST_STR(ST_PARSE_MAX_NESTING) " levels)");
}

void nest_leave(struct parser *P, int levels)
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

struct st_expr *parse_expr(struct parser *P)
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
void parse_key_list(struct parser *P, struct st_expr *e, const char *close)
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

struct st_expr *array_name(struct parser *P)
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

/* The comma-separated arguments of a call, after its '(', up to and with
 * its ')'. */
static void call_args(struct parser *P, struct st_expr *e)
{
	if (!is_op(peek(P), ")"))
		for (;;) {
			push_arg(P, e, parse_expr(P));
			if (!is_op(peek(P), ","))
				break;
			next(P);
		}
	expect_op(P, ")");
}

static const struct { const char *name; enum st_stat_op op; } stat_ops[] = {
	{ "@count", ST_AGG_COUNT }, { "@sum", ST_AGG_SUM }, { "@min", ST_AGG_MIN },
	{ "@max", ST_AGG_MAX }, { "@avg", ST_AGG_AVG }, { "@variance", ST_AGG_VARIANCE },
};

bool stat_op_name(const char *s, enum st_stat_op *op)
{
	size_t i;

	for (i = 0; i < sizeof stat_ops / sizeof *stat_ops; i++)
		if (!strcmp(s, stat_ops[i].name)) {
			*op = stat_ops[i].op;
			return true;
		}
	return false;
}

struct st_expr *parse_at_operator(struct parser *P, const struct st_token *t)
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
		call_args(P, e);
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

struct st_expr *parse_value(struct parser *P)
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
		call_args(P, e);
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
