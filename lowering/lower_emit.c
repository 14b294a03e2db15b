/* lower_emit.c - bytecode emission: the plan's constant pools, instructions,
 * jump patching, temporaries and code units (in the style of Lua's lcode.c).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lowering/lower_int.h"

void fail(struct lower *L, const struct st_loc *loc, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (L->err)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (loc && loc->file) {
		if (asprintf(&L->err, "%s at %s:%u:%u", msg ? msg : "?", loc->file, loc->line, loc->col) < 0)
			L->err = NULL;
		free(msg);
	} else {
		L->err = msg;
	}
}

/* ---- pools ---- */

uint32_t num_const(struct lower *L, int64_t v)
{
	struct st_plan *p = L->plan;
	uint32_t i;

	for (i = 0; i < p->nnums; i++)
		if (p->nums[i] == v)
			return i;
	GROW(p->nums, p->nnums, L->cap_nums);
	p->nums[p->nnums] = v;
	return p->nnums++;
}

uint32_t str_const(struct lower *L, const char *s)
{
	struct st_plan *p = L->plan;
	uint32_t i;

	for (i = 0; i < p->nstrs; i++)
		if (strcmp(p->strs[i], s) == 0)
			return i;
	GROW(p->strs, p->nstrs, L->cap_strs);
	p->strs[p->nstrs] = st_arena_strndup(p->arena, s, strlen(s), strlen(s));
	return p->nstrs++;
}

uint32_t fmt_const(struct lower *L, const struct st_fmt *f)
{
	struct st_plan *p = L->plan;

	GROW(p->fmts, p->nfmts, L->cap_fmts);
	p->fmts[p->nfmts] = f;
	return p->nfmts++;
}

/* ---- emitting ---- */

uint32_t emit(struct lower *L, const struct st_loc *loc, const char *near, int op, int aux,
		     uint32_t a, uint32_t b, uint32_t c)
{
	struct st_code *k = L->code;
	uint32_t at = k->ninsn;

	/* an operand that does not fit its 16-bit slot would run other code
	 * (after an error, such as running out of registers, the plan is
	 * thrown away) */
	assert(op >= 0 && op < ST_OP_COUNT_ && aux >= 0 && aux <= 0xff);
	assert(L->err || (a <= 0xffff && b <= 0xffff && c <= 0xffff));

	if (k->ninsn >= L->cap_insn) {
		L->cap_insn = L->cap_insn ? L->cap_insn * 2 : 64;
		k->insn = realloc(k->insn, sizeof(*k->insn) * L->cap_insn);
		k->loc = realloc(k->loc, sizeof(*k->loc) * L->cap_insn);
		if (!k->insn || !k->loc)
			abort();
	}
	k->insn[at] = (struct st_insn){ (uint8_t)op, (uint8_t)aux, (uint16_t)a, (uint16_t)b, (uint16_t)c };
	k->loc[at] = (struct st_insn_loc){ near, loc ? loc->file : NULL, loc ? loc->line : 0, loc ? loc->col : 0 };
	k->ninsn++;
	return at;
}

/* stap names the @min/@hist_log/... token an operator in its error
 * locations ("near operator '@min'"); the AST calls it an identifier. */
const char *op_near(struct lower *L, const struct st_expr *e)
{
	static const char ident[] = "identifier '@";
	char buf[128];

	if (!e->near || strncmp(e->near, ident, sizeof(ident) - 1))
		return e->near;
	snprintf(buf, sizeof(buf), "operator '@%s", e->near + sizeof(ident) - 1);
	return st_arena_strndup(L->plan->arena, buf, strlen(buf), sizeof(buf));
}

void set_target(struct lower *L, uint32_t at, uint32_t target)
{
	assert(at < L->code->ninsn);
	L->code->insn[at].b = (uint16_t)(target & 0xffff);
	L->code->insn[at].c = (uint16_t)(target >> 16);
}

uint32_t here(struct lower *L)
{
	return L->code->ninsn;
}

void patch_add(struct patch_list *pl, uint32_t at)
{
	GROW(pl->at, pl->n, pl->cap);
	pl->at[pl->n++] = at;
}

void patch_all(struct lower *L, struct patch_list *pl, uint32_t target)
{
	uint32_t i;

	for (i = 0; i < pl->n; i++)
		set_target(L, pl->at[i], target);
	free(pl->at);
	memset(pl, 0, sizeof(*pl));
}

uint32_t temp(struct lower *L, uint32_t n)
{
	uint32_t r = L->top;

	L->top += n;
	if (L->top > L->code->nregs)
		L->code->nregs = L->top;
	if (L->top >= ST_REG_NONE)
		fail(L, NULL, "handler too large: out of registers");
	return r;
}

uint32_t load_num(struct lower *L, const struct st_expr *e, int64_t v)
{
	uint32_t r = temp(L, 1), k = num_const(L, v);

	E(L, e, ST_OP_LOADN, 0, r, k & 0xffff, k >> 16);
	return r;
}

/* Parse a synthesised format (text is freed) into one the plan owns. */
const struct st_fmt *own_fmt(struct lower *L, const struct st_loc *loc, char *text, size_t len)
{
	struct st_fmt *f = calloc(1, sizeof(*f));
	char *err = NULL;
	size_t errpos;

	if (!f || !text)
		abort();
	L->plan->owned_fmts = realloc(L->plan->owned_fmts, sizeof(f) * (L->plan->nowned_fmts + 1));
	if (!L->plan->owned_fmts)
		abort();
	L->plan->owned_fmts[L->plan->nowned_fmts++] = f;
	if (st_fmt_parse(text, len, f, &err, &errpos) < 0) {
		fail(L, loc, "internal: print format: %s", err ? err : "?");
		free(err);
		free(text);
		return NULL;
	}
	free(text);
	return f;
}

/* ---- code units ---- */

struct st_code *code_begin(struct lower *L, const char *name, uint32_t nlocals)
{
	struct st_plan *p = L->plan;

	GROW(p->code, p->ncode, L->cap_code);
	L->code = &p->code[p->ncode++];
	memset(L->code, 0, sizeof(*L->code));
	L->code->name = name;
	L->code->nregs = nlocals;
	L->cap_insn = 0;
	L->nlocals = nlocals;
	L->top = nlocals;
	L->iter_depth = L->try_depth = 0;
	L->loop = NULL;
	L->running = false;
	L->pending = 0;
	return L->code;
}

/* The string-typed locals from symbol `from` on (parameters come from the
 * caller): the VM starts them as "" (stap reads an unset string as ""). */
void string_locals(struct lower *L, struct st_symbol *const *locals, uint32_t nlocals, uint32_t from)
{
	uint16_t *regs;
	uint32_t i, n = 0;

	for (i = from; i < nlocals; i++)
		n += locals[i]->type == ST_T_STRING && !locals[i]->is_array;
	if (!n)
		return;
	regs = (uint16_t *)(void *)st_arena_alloc(L->plan->arena, sizeof(*regs) * n);
	n = 0;
	for (i = from; i < nlocals; i++)
		if (locals[i]->type == ST_T_STRING && !locals[i]->is_array)
			regs[n++] = (uint16_t)locals[i]->index;
	L->code->str_locals = regs;
	L->code->nstr_locals = n;
}

