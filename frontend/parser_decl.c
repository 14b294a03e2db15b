/* parser_decl.c - probe points (brace alternatives, markers, conditions) and
 * the top-level declarations: probes, aliases, functions, globals. */
#include <setjmp.h>
#include <string.h>
#include "frontend/parser_int.h"

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

void parse_probe(struct parser *P, const struct st_token *kw)
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

void parse_function(struct parser *P, const struct st_token *kw, bool priv)
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

void parse_global(struct parser *P, bool priv)
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
