/* memflow.c - follow event pointers to the user-memory reads of a handler
 * (memflow.h). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "lowering/memflow.h"

#include "tapset/builtins.h"

#define MF_ROOTS 8       /* pointers one value may hold */
#define MF_VARS 64       /* locals followed per frame */
#define MF_DEPTH 6       /* nested function calls followed */

struct mf_root {
	const char *field;
	int64_t off;
};

struct mf_roots {
	struct mf_root r[MF_ROOTS];
	uint32_t n;
};

/* The locals of one frame (probe body or function call) that may hold an
 * event pointer. */
struct mf_env {
	const struct st_symbol *sym[MF_VARS];
	struct mf_roots roots[MF_VARS];
	uint32_t n;
	bool changed;
};

struct mf {
	const struct st_memflow_ops *ops;
	const struct st_function *stack[MF_DEPTH];
	uint32_t depth;
};

bool st_memflow_builtin(int builtin, enum st_ucap_kind *kind, uint32_t *size)
{
	*size = 0;
	*kind = ST_UCAP_MEM;
	switch (builtin) {
	case ST_BI_USER_STRING: case ST_BI_USER_STRING_N: case ST_BI_USER_STRING_QUOTED:
	case ST_BI_USER_STRING2: case ST_BI_USER_STRING_ERR: case ST_BI_USER_STRING_WARN:
	case ST_BI_USER_STRING_N_QUOTED:
		*kind = ST_UCAP_STRING;
		return true;
	case ST_BI_GET_ARGV:
		*kind = ST_UCAP_ARGV;
		return true;
	case ST_BI_USER_CHAR: case ST_BI_USER_INT8: case ST_BI_USER_UINT8:
		*size = 1;
		return true;
	case ST_BI_USER_SHORT: case ST_BI_USER_INT16: case ST_BI_USER_UINT16: case ST_BI_USER_USHORT:
		*size = 2;
		return true;
	case ST_BI_USER_INT: case ST_BI_USER_INT32: case ST_BI_USER_UINT32:
		*size = 4;
		return true;
	case ST_BI_USER_LONG: case ST_BI_USER_INT64: case ST_BI_USER_UINT64:
		*size = 8;
		return true;
	case ST_BI_STRUCT_TIMESPEC_U: case ST_BI_STRUCT_RLIMIT_U:
		*size = 16;
		return true;
	case ST_BI_STRUCT_SOCKADDR_U:
		*size = 128;     /* its second argument says how much */
		return true;
	}
	return false;
}

static void roots_add(struct mf_roots *to, const char *field, int64_t off)
{
	for (uint32_t i = 0; i < to->n; i++)
		if (to->r[i].off == off && !strcmp(to->r[i].field, field))
			return;
	if (to->n < MF_ROOTS)
		to->r[to->n++] = (struct mf_root){ field, off };
}

static struct mf_roots *env_find(struct mf_env *env, const struct st_symbol *sym)
{
	for (uint32_t i = 0; i < env->n; i++)
		if (env->sym[i] == sym)
			return &env->roots[i];
	return NULL;
}

/* sym may hold what `from` holds: a change makes the frame scan again. */
static void env_join(struct mf_env *env, const struct st_symbol *sym, const struct mf_roots *from)
{
	struct mf_roots *to = env_find(env, sym);

	if (!from->n)
		return;
	if (!to) {
		if (env->n == MF_VARS)
			return;
		env->sym[env->n] = sym;
		to = &env->roots[env->n++];
		to->n = 0;
	}
	for (uint32_t i = 0; i < from->n; i++) {
		uint32_t before = to->n;

		roots_add(to, from->r[i].field, from->r[i].off);
		env->changed |= to->n != before;
	}
}

/* The event pointers e may evaluate to. */
static void roots_of(struct mf *m, struct mf_env *env, const struct st_expr *e, struct mf_roots *out)
{
	const char *field;
	struct mf_roots *v;

	out->n = 0;
	if (!e)
		return;
	field = m->ops->field_of(m->ops->ctx, e);
	if (field) {
		roots_add(out, field, 0);
		return;
	}
	switch (e->kind) {
	case ST_E_VAR:
		v = e->sym && e->sym->kind == ST_SYM_LOCAL ? env_find(env, e->sym) : NULL;
		if (v)
			*out = *v;
		return;
	case ST_E_BINARY:
		if ((e->op == '+' || e->op == '-') && e->b && e->b->kind == ST_E_NUM) {
			roots_of(m, env, e->a, out);
			for (uint32_t i = 0; i < out->n; i++)
				out->r[i].off += e->op == '+' ? e->b->num : -e->b->num;
		} else if (e->op == '+' && e->a && e->a->kind == ST_E_NUM) {
			roots_of(m, env, e->b, out);
			for (uint32_t i = 0; i < out->n; i++)
				out->r[i].off += e->a->num;
		}
		return;
	case ST_E_TERNARY: {
		struct mf_roots c;

		roots_of(m, env, e->b, out);
		roots_of(m, env, e->c, &c);
		for (uint32_t i = 0; i < c.n; i++)
			roots_add(out, c.r[i].field, c.r[i].off);
		return;
	}
	case ST_E_ASSIGN:
		if (e->op == '=')
			roots_of(m, env, e->b, out);
		return;
	default:
		return;
	}
}

static void scan_s(struct mf *m, struct mf_env *env, const struct st_stmt *s);
static void scan_e(struct mf *m, struct mf_env *env, const struct st_expr *e);

/* A frame to its fixpoint: assignments later in the body (or in a loop)
 * reach reads earlier in it. */
static void scan_frame(struct mf *m, struct mf_env *env, const struct st_stmt *body, const struct st_expr *cond)
{
	for (int round = 0; round < 4; round++) {
		env->changed = false;
		scan_e(m, env, cond);
		scan_s(m, env, body);
		if (!env->changed)
			break;
	}
}

/* A call to a script function: its parameters hold what the arguments
 * hold; follow them into its body. */
static void scan_call(struct mf *m, struct mf_env *env, const struct st_expr *e)
{
	const struct st_function *f = e->func;
	struct mf_env *fenv;
	bool any = false;

	if (!f->body || m->depth == MF_DEPTH || e->nargs != f->nparams)
		return;
	for (uint32_t i = 0; i < m->depth; i++)
		if (m->stack[i] == f)
			return;         /* recursion: the outer frame covers it */
	fenv = calloc(1, sizeof(*fenv));
	if (!fenv)
		abort();
	for (uint32_t i = 0; i < e->nargs; i++) {
		struct mf_roots r;

		roots_of(m, env, e->args[i], &r);
		if (r.n && f->params[i].sym) {
			env_join(fenv, f->params[i].sym, &r);
			any = true;
		}
	}
	if (any) {
		m->stack[m->depth++] = f;
		scan_frame(m, fenv, f->body, NULL);
		m->depth--;
	}
	free(fenv);
}

static void scan_e(struct mf *m, struct mf_env *env, const struct st_expr *e)
{
	enum st_ucap_kind kind;
	uint32_t size;

	if (!e)
		return;
	if (e->kind == ST_E_ASSIGN && e->op == '=' && e->a && e->a->kind == ST_E_VAR && e->a->sym &&
	    e->a->sym->kind == ST_SYM_LOCAL) {
		struct mf_roots r;

		roots_of(m, env, e->b, &r);
		env_join(env, e->a->sym, &r);
	}
	if (e->kind == ST_E_CALL && !e->func && e->nargs >= 1 && st_memflow_builtin(e->builtin, &kind, &size)) {
		struct mf_roots r;
		const char *len_field = NULL;

		roots_of(m, env, e->args[0], &r);
		if (e->builtin == ST_BI_STRUCT_SOCKADDR_U && e->nargs > 1)
			len_field = m->ops->field_of(m->ops->ctx, e->args[1]);
		for (uint32_t i = 0; i < r.n; i++)
			m->ops->want(m->ops->ctx, r.r[i].field, kind, size, r.r[i].off, len_field);
	}
	if (e->kind == ST_E_CALL && e->func)
		scan_call(m, env, e);
	scan_e(m, env, e->a);
	scan_e(m, env, e->b);
	scan_e(m, env, e->c);
	for (uint32_t i = 0; i < e->nargs; i++)
		scan_e(m, env, e->args[i]);
}

static void scan_s(struct mf *m, struct mf_env *env, const struct st_stmt *s)
{
	if (!s)
		return;
	scan_e(m, env, s->expr);
	scan_e(m, env, s->cond);
	scan_e(m, env, s->init);
	scan_e(m, env, s->step);
	scan_s(m, env, s->then);
	scan_s(m, env, s->els);
	for (uint32_t i = 0; i < s->nbody; i++)
		scan_s(m, env, s->body[i]);
	scan_e(m, env, s->fe_limit);
	for (uint32_t i = 0; s->fe_filter && i < s->fe_nkeys; i++)
		scan_e(m, env, s->fe_filter[i]);
}

void st_memflow_scan(const struct st_memflow_ops *ops, const struct st_stmt *body, const struct st_expr *cond)
{
	struct mf m = { .ops = ops };
	struct mf_env *env = calloc(1, sizeof(*env));

	assert(ops && ops->field_of && ops->want);
	if (!env)
		abort();
	scan_frame(&m, env, body, cond);
	free(env);
}

void st_ucap_add(struct st_source *s, struct st_arena *arena, const char *field, enum st_ucap_kind kind,
		 uint32_t size, int64_t off, const char *len_field)
{
	struct st_ucap *c;

	for (uint32_t i = 0; i < s->ncaptures; i++) {
		c = &s->captures[i];
		if (c->kind != kind || strcmp(c->field, field) || !c->len_field != !len_field ||
		    (len_field && (c->off != off || strcmp(c->len_field, len_field))))
			continue;
		if (len_field)
			return;
		if (kind != ST_UCAP_MEM && c->off == off)
			return;
		if (kind == ST_UCAP_MEM) {
			/* one range from the lowest offset to the highest end */
			int64_t lo = c->off < off ? c->off : off;
			int64_t hi = c->off + c->size > off + size ? c->off + c->size : off + size;

			if (hi - lo <= 4096) {
				c->off = lo;
				c->size = (uint32_t)(hi - lo);
				return;
			}
		}
	}
	s->captures = realloc(s->captures, sizeof(*s->captures) * (s->ncaptures + 1));
	if (!s->captures)
		abort();
	c = &s->captures[s->ncaptures++];
	c->field = st_arena_strndup(arena, field, strlen(field), strlen(field));
	c->kind = (uint8_t)kind;
	c->size = size;
	c->off = off;
	c->len_field = len_field ? st_arena_strndup(arena, len_field, strlen(len_field), strlen(len_field)) : NULL;
}
