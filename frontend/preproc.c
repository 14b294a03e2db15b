/* preproc.c - @define macros and %( cond %? a %: b %) conditionals.
 *
 * Works on whole token vectors: macros expand first (in both branches of a
 * conditional, as stap does), then the condition picks a branch whose tokens
 * are expanded again, recursively. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "frontend/lexer.h"

struct st_macro {
	const char *name;
	struct st_token name_tok;   /* for "first defined here"; a copy: definitions may come from a macro body being expanded */
	const char **params;
	uint32_t nparams;
	struct st_token *body;
	uint32_t nbody;
};

struct pp {
	struct st_lexctx *lx;
	struct st_macro_table local, *library;
	struct st_tokvec *out;
	int errors;
	int depth;
	uint64_t expanded;        /* macro body tokens pasted so far */
	uint64_t steps, max_steps; /* tokens visited, and the bound on them */
	bool recovering;          /* after an error: dropping tokens up to a top-level keyword */
};

static void pp_error_label(struct pp *P, const char *label, const struct st_token *t, const char *msg)
{
	st_diag_error(P->lx->diag, "parse error", label, st_token_desc(P->lx->pool, t), &t->loc, "%s", msg);
	P->errors++;
}

static void pp_error(struct pp *P, const struct st_token *t, const char *msg)
{
	pp_error_label(P, "saw", t, msg);
}

static bool is_op(const struct st_token *t, const char *op)
{
	return t->kind == ST_TOK_OP && strcmp(t->text, op) == 0;
}

static struct st_macro *find_macro(struct pp *P, const char *name)
{
	uint32_t i;

	for (i = 0; i < P->local.n; i++)
		if (strcmp(P->local.v[i]->name, name) == 0)
			return P->local.v[i];
	if (P->library)
		for (i = 0; i < P->library->n; i++)
			if (strcmp(P->library->v[i]->name, name) == 0)
				return P->library->v[i];
	return NULL;
}

/* Index just past the %) that closes the %( at t[i] (i points after it). */
static uint32_t skip_cond(const struct st_token *t, uint32_t n, uint32_t i)
{
	int depth = 1;

	for (; i < n; i++) {
		if (is_op(&t[i], "%("))
			depth++;
		else if (is_op(&t[i], "%)") && --depth == 0)
			return i + 1;
	}
	return n;
}

static void expand(struct pp *P, const struct st_token *t, uint32_t n, struct st_tokvec *out);

/* ---- conditions ---- */

static const char *config_value(struct pp *P, const char *name)
{
	/* Read once per lookup; conditions on CONFIG_ are rare. */
	const char *rel = P->lx->opts && P->lx->opts->kernel_release ? P->lx->opts->kernel_release : NULL;
	char path[512], line[512];
	FILE *f = NULL;
	const char *val = "";
	size_t nl = strlen(name);

	if (rel) {
		snprintf(path, sizeof path, "/boot/config-%s", rel);
		f = fopen(path, "r");
	}
	if (!f)
		return "";
	while (fgets(line, sizeof line, f))
		if (strncmp(line, name, nl) == 0 && line[nl] == '=') {
			char *v = line + nl + 1;

			v[strcspn(v, "\n")] = 0;
			if (*v == '"') {
				v++;
				v[strcspn(v, "\"")] = 0;
			}
			val = st_pool_strndup(P->lx->pool, v, strlen(v));
			break;
		}
	fclose(f);
	return val;
}

static int compare_op(const char *op, int c)
{
	if (!strcmp(op, "==")) return c == 0;
	if (!strcmp(op, "!=")) return c != 0;
	if (!strcmp(op, "<")) return c < 0;
	if (!strcmp(op, "<=")) return c <= 0;
	if (!strcmp(op, ">")) return c > 0;
	if (!strcmp(op, ">=")) return c >= 0;
	return -1;
}

static bool is_relop(const struct st_token *t)
{
	return t->kind == ST_TOK_OP && compare_op(t->text, 0) >= 0;
}

static bool is_eqop(const struct st_token *t)
{
	return is_op(t, "==") || is_op(t, "!=");
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* stap's errors in conditions name the token they are about ("at:"). */
static int cond_error(struct pp *P, const struct st_token *t, const char *msg)
{
	pp_error_label(P, "at", t, msg);
	return -1;
}

/* kernel_v, kernel_vr, systemtap_v: version order, globs for == and != */
static int version_test(struct pp *P, const char *have, const struct st_token *op, const struct st_token *r)
{
	if (r->kind != ST_TOK_STRING)
		return cond_error(P, r, "expected string literal");
	if (!is_relop(op))
		return cond_error(P, op, "expected comparison operator");
	if (has_glob(r->text)) {
		if (!is_eqop(op))
			return cond_error(P, op, "wildcard not allowed with order comparison operators");
		return (fnmatch(r->text, have, FNM_NOESCAPE) == 0) == is_op(op, "==");
	}
	return compare_op(op->text, strverscmp(have, r->text));
}

/* arch, runtime, systemtap_privilege, CONFIG_x == "glob" */
static int match_test(struct pp *P, const char *have, const struct st_token *op, const struct st_token *r)
{
	if (r->kind != ST_TOK_STRING)
		return cond_error(P, r, "expected string literal");
	if (!is_eqop(op))
		return cond_error(P, op, "expected '==' or '!='");
	return (fnmatch(r->text, have, FNM_NOESCAPE) == 0) == is_op(op, "==");
}

static int number_test(struct pp *P, long long a, const struct st_token *op, long long b)
{
	if (!is_relop(op))
		return cond_error(P, op, "expected comparison operator");
	return compare_op(op->text, a < b ? -1 : a > b);
}

static int config_test(struct pp *P, const char *name, const struct st_token *op, const struct st_token *r)
{
	const char *have = config_value(P, name);
	char *end;
	long long a, b;

	if (r->kind == ST_TOK_STRING)
		return match_test(P, have, op, r);
	if (r->kind == ST_TOK_NUMBER) {
		a = strtoll(have, &end, 0);
		if (!*have || *end)   /* not a number: false whatever the operator */
			return is_relop(op) ? 0 : cond_error(P, op, "expected comparison operator");
		return number_test(P, a, op, strtoll(r->text, NULL, 0));
	}
	if (r->kind == ST_TOK_IDENT && !strncmp(r->text, "CONFIG_", 7)) {
		const char *other = config_value(P, r->text);
		char *end2;

		a = strtoll(have, &end, 0);
		b = strtoll(other, &end2, 0);
		if (*have && !*end && *other && !*end2)
			return number_test(P, a, op, b);
		if (!is_relop(op))
			return cond_error(P, op, "expected comparison operator");
		return compare_op(op->text, strcmp(have, other));
	}
	return cond_error(P, r, "expected string, number literal or other CONFIG_... as right side operand");
}

/* One `lhs op rhs` at t[*i], as stap evaluates it; 0/1, or -1 after an error. */
static int eval_comparison(struct pp *P, const struct st_token *t, uint32_t n, uint32_t *i)
{
	const struct st_compile_opts *o = P->lx->opts;
	const struct st_token *l, *op, *r;
	const char *name;

	if (*i + 3 > n)
		return -2;   /* the caller names the %( */
	l = &t[*i];
	op = &t[*i + 1];
	r = &t[*i + 2];
	*i += 3;
	name = l->kind == ST_TOK_IDENT && !l->keyword ? l->text : "";
	if (!strcmp(name, "kernel_v") || !strcmp(name, "kernel_vr") || !strcmp(name, "systemtap_v")) {
		char buf[256];

		snprintf(buf, sizeof buf, "%s", !strcmp(name, "systemtap_v") ? (o && o->compatible ? o->compatible : "5.0") :
			 o && o->kernel_release ? o->kernel_release : "");
		if (!strcmp(name, "kernel_v"))
			buf[strcspn(buf, "-")] = 0;
		return version_test(P, buf, op, r);
	}
	if (!strcmp(name, "arch"))
		return match_test(P, o && o->arch ? o->arch : "x86_64", op, r);
	if (!strcmp(name, "runtime"))
		return match_test(P, o && o->runtime ? o->runtime : "kernel", op, r);
	if (!strcmp(name, "systemtap_privilege")) {
		if (r->kind != ST_TOK_STRING)
			return cond_error(P, r, "expected string literal");
		if (!is_eqop(op))
			return cond_error(P, op, "expected '==' or '!='");
		return (strcmp(r->text, "stapdev") == 0) == is_op(op, "==");
	}
	if (!strcmp(name, "guru_mode")) {
		long long rhs;

		if (r->kind != ST_TOK_NUMBER)
			return cond_error(P, r, "expected number");
		rhs = strtoll(r->text, NULL, 0);
		if (rhs != 0 && rhs != 1)
			return cond_error(P, op, "expected 0 or 1");
		if (!is_eqop(op))
			return cond_error(P, op, "expected '==' or '!='");
		return number_test(P, o && o->guru ? 1 : 0, op, rhs);
	}
	if (!strncmp(name, "CONFIG_", 7))
		return config_test(P, name, op, r);
	if (l->kind == ST_TOK_STRING && r->kind == ST_TOK_STRING) {
		if (!is_relop(op))
			return cond_error(P, op, "expected comparison operator");
		return compare_op(op->text, strcmp(l->text, r->text));
	}
	if (l->kind == ST_TOK_NUMBER && r->kind == ST_TOK_NUMBER)
		return number_test(P, strtoll(l->text, NULL, 0), op, strtoll(r->text, NULL, 0));
	if (l->kind == ST_TOK_STRING && r->kind == ST_TOK_NUMBER && op->kind == ST_TOK_OP)
		return cond_error(P, r, "expected string literal as right value");
	if (l->kind == ST_TOK_NUMBER && r->kind == ST_TOK_STRING && op->kind == ST_TOK_OP)
		return cond_error(P, r, "expected number literal as right value");
	return cond_error(P, l, "expected 'arch', 'kernel_v', 'kernel_vr', 'systemtap_v',\n"
			  "             'runtime', 'systemtap_privilege', 'CONFIG_...', or\n"
			  "             comparison between strings or integers");
}

/* cond := and-term ('||' and-term)*;  and-term := comparison ('&&' comparison)*
 * `at` is the %( for stap's errors about the whole condition.  Returns 0/1,
 * or -1 after an error with *stop just past the tokens it consumed. */
static int eval_condition(struct pp *P, const struct st_token *at, const struct st_token *t, uint32_t n,
			  uint32_t *stop)
{
	uint32_t i = 0;
	int any = 0, all = 1, v;

	for (;;) {
		v = eval_comparison(P, t, n, &i);
		*stop = i;
		if (v == -2)
			return cond_error(P, at, "incomplete condition after '%('");
		if (v < 0)
			return -1;
		all = all && v;
		if (i < n && is_op(&t[i], "&&")) {
			i++;
			continue;
		}
		any = any || all;
		all = 1;
		if (i < n && is_op(&t[i], "||")) {
			i++;
			continue;
		}
		break;
	}
	if (i < n)
		return cond_error(P, at, "expected '%?' marker for conditional");
	return any;
}

/* ---- macros ---- */

static uint32_t parse_define(struct pp *P, const struct st_token *t, uint32_t n, uint32_t i)
{
	struct st_macro *m;
	uint32_t start, end;

	/* t[i] is @define */
	if (i + 1 >= n || t[i + 1].kind != ST_TOK_IDENT || t[i + 1].keyword) {
		pp_error(P, &t[i + 1 < n ? i + 1 : i], "expected identifier");
		return n;
	}
	if (!strcmp(t[i + 1].text, "define")) {
		/* stap goes on with the would-be body as ordinary tokens */
		pp_error_label(P, "at", &t[i + 1], "attempt to redefine '@define'");
		P->recovering = true;
		return i + 2;
	}
	m = st_pool_zalloc(P->lx->pool, sizeof *m);
	m->name = st_pool_printf(P->lx->pool, "@%s", t[i + 1].text);
	m->name_tok = t[i + 1];
	if (find_macro(P, m->name) && P->local.n && find_macro(P, m->name) != NULL) {
		uint32_t k;
		for (k = 0; k < P->local.n; k++)
			if (!strcmp(P->local.v[k]->name, m->name)) {
				pp_error_label(P, "at", &t[i + 1], st_pool_printf(P->lx->pool,
					       "attempt to redefine macro '%s' in the same file", m->name));
				pp_error_label(P, "at", &P->local.v[k]->name_tok, st_pool_printf(P->lx->pool,
					       "macro '%s' first defined here", m->name));
				break;
			}
	}
	i += 2;
	if (i < n && is_op(&t[i], "(")) {
		i++;
		while (i < n && !is_op(&t[i], ")")) {
			if (t[i].kind != ST_TOK_IDENT) {
				pp_error(P, &t[i], "expected identifier");
				return n;
			}
			st_pool_push(P->lx->pool, (void ***)&m->params, &m->nparams, (void *)t[i].text);
			i++;
			if (i < n && is_op(&t[i], ","))
				i++;
			else if (i < n && !is_op(&t[i], ")")) {
				pp_error(P, &t[i], "expected ',' or ')'");
				return n;
			}
		}
		i++;
	}
	if (i >= n || !is_op(&t[i], "%(")) {
		pp_error(P, &t[i < n ? i : n - 1], "expected '%('");
		return n;
	}
	start = i + 1;
	end = skip_cond(t, n, start);
	if (end > n || (end == n && !(end > start && is_op(&t[end - 1], "%)")))) {
		pp_error_label(P, "at", &t[i - 1], "incomplete macro definition - missing '%)'");
		return n;
	}
	/* A copy in the pool: a definition met while expanding another macro
	 * sits in a buffer freed after that expansion. */
	m->nbody = end - 1 - start;
	m->body = st_pool_zalloc(P->lx->pool, (m->nbody + 1) * sizeof *m->body);
	st_copy(m->body, &t[start], m->nbody * sizeof *m->body);
	st_pool_push(P->lx->pool, (void ***)&P->local.v, &P->local.n, m);
	return end;
}

/* @name or @name(args): returns the index after the invocation. */
static uint32_t invoke(struct pp *P, struct st_macro *m, const struct st_token *t, uint32_t n, uint32_t i,
		       struct st_tokvec *out)
{
	const struct st_token *at = &t[i];
	uint32_t argstart[64], argend[64], nargs = 0, k, j;
	struct st_tokvec body = { 0 };
	struct st_expansion *exp;

	i++;
	if (m->nparams > 0) {
		int depth = 0;
		const struct st_token *toomany = NULL;

		if (i >= n || !is_op(&t[i], "(")) {
			pp_error(P, at, "expected '(' for macro invocation");
			return i;
		}
		i++;
		argstart[0] = i;
		for (; i < n; i++) {
			if (is_op(&t[i], "(") || is_op(&t[i], "[") || is_op(&t[i], "{"))
				depth++;
			else if ((is_op(&t[i], ")") || is_op(&t[i], "]") || is_op(&t[i], "}")) && depth > 0)
				depth--;
			else if (depth == 0 && (is_op(&t[i], ",") || is_op(&t[i], ")"))) {
				if (nargs + 1 == m->nparams && is_op(&t[i], ",") && !toomany)
					toomany = &t[i];
				if (nargs < 64)
					argend[nargs++] = i;
				if (is_op(&t[i], ")"))
					break;
				if (nargs < 64)
					argstart[nargs] = i + 1;
			}
		}
		if (i >= n) {
			pp_error(P, at, "could not find end of macro invocation");
			return n;
		}
		i++;
		if (nargs != m->nparams) {
			pp_error_label(P, "at", nargs > m->nparams ? toomany : &t[i - 1],
				       st_pool_printf(P->lx->pool, "too %s parameters for macro '%s' (expected %u)",
						      nargs > m->nparams ? "many" : "few", m->name, m->nparams));
			return i;
		}
	}
	if (++P->depth > 200) {
		pp_error(P, at, "macro expansion too deep");
		P->depth--;
		return n;
	}
	exp = st_pool_zalloc(P->lx->pool, sizeof(*exp));
	exp->desc = st_pool_printf(P->lx->pool, "operator '%s'", at->text);
	exp->loc = at->loc;
	for (k = 0; k < m->nbody; k++) {
		const struct st_token *b = &m->body[k];

		if (b->kind == ST_TOK_IDENT && b->text[0] == '@') {
			for (j = 0; j < m->nparams; j++)
				if (!strcmp(b->text + 1, m->params[j]))
					break;
			if (j < m->nparams) {
				/* an argument's tokens came through @param, then @macro */
				struct st_expansion *px = st_pool_zalloc(P->lx->pool, sizeof(*px));
				uint32_t a;

				px->desc = st_pool_printf(P->lx->pool, "operator '%s'", b->text);
				px->loc = b->loc;
				px->loc.expansion = exp;
				for (a = argstart[j]; a < argend[j]; a++) {
					st_tokvec_push(&body, &t[a]);
					body.v[body.n - 1].loc.expansion = px;
				}
				continue;
			}
		}
		st_tokvec_push(&body, b);
		body.v[body.n - 1].loc.expansion = exp;
	}
	/* Macros calling several others, or using a parameter twice, grow
	 * exponentially without getting deep (stap itself runs out of
	 * memory): cap the total of the substituted bodies. */
	P->expanded += body.n;
	if (P->expanded > (1u << 18)) {
		pp_error(P, at, "macro expansion too large");
		st_tokvec_free(&body);
		P->depth--;
		return n;
	}
	expand(P, body.v, body.n, out);
	st_tokvec_free(&body);
	P->depth--;
	return i;
}

/* After an error stap skips to the next top-level keyword; what it skips
 * never reaches the parser (a file may end up empty after preprocessing). */
static void emit(struct pp *P, struct st_tokvec *out, const struct st_token *tk)
{
	static const char *const resume[] = { "probe", "global", "function", "private" };
	size_t k;

	if (P->recovering) {
		for (k = 0; k < sizeof resume / sizeof *resume; k++)
			if (tk->kind == ST_TOK_IDENT && tk->keyword && !strcmp(tk->text, resume[k]))
				break;
		if (k == sizeof resume / sizeof *resume && tk->kind != ST_TOK_EMBEDDED)
			return;
		P->recovering = false;
	}
	st_tokvec_push(out, tk);
}

/* %( cond %? then [%: else] %) at t[i]: the chosen branch, expanded.
 * Returns the index to go on from. */
static uint32_t conditional(struct pp *P, const struct st_token *t, uint32_t n, uint32_t i, struct st_tokvec *out)
{
	const struct st_token *tk = &t[i], *bad = NULL;
	uint32_t end = skip_cond(t, n, i + 1), q, colon = 0, c = 0, cend, stop = 0;
	struct st_tokvec cond = { 0 };
	int depth = 0, v;

	bool open = end == n && !(end > i + 1 && is_op(&t[end - 1], "%)"));

	if (open)   /* stap takes the branch, then meets the end of the file */
		end = n + 1;
	for (q = i + 1; q < end - 1; q++) {
		if (is_op(&t[q], "%("))
			depth++;
		else if (is_op(&t[q], "%)"))
			depth--;
		else if (depth || !(is_op(&t[q], "%?") || is_op(&t[q], "%:")))
			continue;
		else if (is_op(&t[q], "%?") && !c)
			c = q;
		else if (is_op(&t[q], "%:") && c && !colon)
			colon = q;
		else if (!bad)
			bad = &t[q];   /* a second %? or %: */
	}
	cend = c ? c : end - 1;
	/* A condition holds no conditional: one that does is malformed, and
	 * expanding it would expand the nested one's own condition again for
	 * each level left open (exponential in the nesting), so it ends there. */
	for (q = i + 1; q < cend; q++)
		if (is_op(&t[q], "%(")) {
			cend = q;
			break;
		}
	if (cend - i - 1 < 3 && i + 4 <= n) {
		/* stap reads `l op r` right through a %) that comes too early */
		uint32_t k = 0;

		if (eval_comparison(P, &t[i + 1], 3, &k) == -1) {
			P->recovering = true;
			return i + 4;
		}
	}
	expand(P, &t[i + 1], cend - i - 1, &cond);
	v = eval_condition(P, tk, cond.v, cond.n, &stop);
	st_tokvec_free(&cond);
	if (v < 0) {
		/* stap has read the failed comparison; the rest is stray */
		P->recovering = true;
		return c ? c : i + 1 + stop < end - open ? i + 1 + stop : end - open;
	}
	if (!c) {
		pp_error_label(P, "at", tk, "expected '%?' marker for conditional");
		P->recovering = true;
		return end - open;
	}
	if (bad) {
		pp_error_label(P, "at", bad, is_op(bad, "%?") ? "incomplete conditional - missing '%('" :
			       "invalid conditional - duplicate '%:'");
		P->recovering = true;
		return end - open;
	}
	if (v > 0)
		expand(P, &t[c + 1], (colon ? colon : end - 1) - c - 1, out);
	else if (colon)
		expand(P, &t[colon + 1], end - 1 - colon - 1, out);
	if (open) {
		pp_error_label(P, "at", tk, "incomplete conditional at end of file");
		return n;
	}
	return end;
}

static void expand(struct pp *P, const struct st_token *t, uint32_t n, struct st_tokvec *out)
{
	uint32_t i = 0;

	while (i < n) {
		const struct st_token *tk = &t[i];

		/* A failed condition that stap reads on from re-expands the
		 * conditionals nested in it: each level doubles the work
		 * (found by fuzz_frontend: 2.7 KB ran for minutes).  Bound the
		 * tokens visited, far above what any real script needs. */
		if (++P->steps > P->max_steps) {
			if (P->steps == P->max_steps + 1)
				pp_error(P, tk, "preprocessing too long (conditionals nested too deeply)");
			return;
		}
		if (tk->kind == ST_TOK_IDENT && !strcmp(tk->text, "@define")) {
			i = parse_define(P, t, n, i);
			continue;
		}
		if (tk->kind == ST_TOK_IDENT && tk->text[0] == '@') {
			struct st_macro *m = find_macro(P, tk->text);

			if (m) {
				i = invoke(P, m, t, n, i, out);
				continue;
			}
		}
		if (is_op(tk, "%(")) {
			i = conditional(P, t, n, i, out);
			continue;
		}
		if (is_op(tk, "%?") || is_op(tk, "%:") || is_op(tk, "%)")) {
			P->lx->diag->site = tk->text;   /* three places in stap: each prints once */
			pp_error_label(P, "at", tk, "incomplete conditional - missing '%('");
			P->lx->diag->site = NULL;
			P->recovering = true;
			i++;
			continue;
		}
		if (tk->error) {
			st_diag_error(P->lx->diag, "parse error", "at", "junk ''", &tk->loc, "%s", tk->error);
			P->errors++;
		} else
			emit(P, out, tk);
		i++;
	}
}

int st_preprocess(struct st_lexctx *lx, const struct st_tokvec *in, struct st_tokvec *out,
		  struct st_macro_table *library)
{
	struct pp P = { .lx = lx, .library = library, .out = out };
	struct st_token eof = { .kind = ST_TOK_EOF };

	P.max_steps = (1u << 20) + 64 * (uint64_t)in->n;
	expand(&P, in->v, in->n, out);
	if (in->n)
		eof.loc = in->v[in->n - 1].loc;
	st_tokvec_push(out, &eof);
	/* A library (.stpm) file exports its macros. */
	if (library && lx->library) {
		uint32_t k;
		for (k = 0; k < P.local.n; k++)
			st_pool_push(lx->pool, (void ***)&library->v, &library->n, P.local.v[k]);
	}
	return P.errors;
}
