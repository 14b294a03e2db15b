/* lower_expr.c - expressions to bytecode: operators, assignments, calls,
 * prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lowering/lower_int.h"

/* ---- expressions ---- */

static bool is_local(const struct st_expr *e)
{
	return e->kind == ST_E_VAR && e->sym && e->sym->kind == ST_SYM_LOCAL;
}

/* The register holding e's value: a local's own register, or a temporary. */
uint32_t expr_any(struct lower *L, const struct st_expr *e)
{
	uint32_t r;

	if (is_local(e))
		return e->sym->index;
	r = temp(L, 1);
	expr_to(L, e, r);
	return r;
}

/* Whether evaluating e assigns the local s (x++, ++x, x = ..., x += ...). */
static bool writes_local(const struct st_expr *e, const struct st_symbol *s)
{
	uint32_t i;

	if (!e)
		return false;
	if ((e->kind == ST_E_INCDEC || e->kind == ST_E_ASSIGN) && e->a && e->a->kind == ST_E_VAR && e->a->sym == s)
		return true;
	if (writes_local(e->a, s) || writes_local(e->b, s) || writes_local(e->c, s))
		return true;
	for (i = 0; i < e->nargs; i++)
		if (writes_local(e->args[i], s))
			return true;
	return false;
}

/* The left operand of a binary operator, read before the right one is
 * evaluated: `a + a++` adds a's value from before the increment, as stap's
 * left-to-right evaluation gives. */
static uint32_t left_operand(struct lower *L, const struct st_expr *left, const struct st_expr *right)
{
	uint32_t r;

	if (!is_local(left) || !writes_local(right, left->sym))
		return expr_any(L, left);
	r = temp(L, 1);
	E(L, left, ST_OP_MOV, 0, r, left->sym->index, 0);
	return r;
}

uint32_t global_index(struct lower *L, const struct st_expr *var)
{
	if (!var || var->kind != ST_E_VAR || !var->sym || var->sym->kind != ST_SYM_GLOBAL) {
		fail(L, var ? &var->loc : NULL, "expected a global variable");
		return 0;
	}
	return var->sym->index;
}

/* Evaluate index expressions into consecutive registers; NULL keys (`*`)
 * leave their register untouched and clear their bit in *mask. */
uint32_t keys_to_regs(struct lower *L, struct st_expr **keys, uint32_t n, uint32_t *mask)
{
	uint32_t base = temp(L, n ? n : 1), i;

	if (mask)
		*mask = 0;
	for (i = 0; i < n; i++) {
		if (!keys[i])
			continue;
		if (mask)
			*mask |= 1u << i;
		expr_to(L, keys[i], base + i);
	}
	return base;
}

static int binary_op(int op)
{
	switch (op) {
	case '+': return ST_OP_ADD;
	case '-': return ST_OP_SUB;
	case '*': return ST_OP_MUL;
	case '/': return ST_OP_DIV;
	case '%': return ST_OP_MOD;
	case '<' + 256: return ST_OP_SHL;   /* << (the parser's codes) */
	case '>' + 256: return ST_OP_SHR;   /* >> */
	case '>' + 512: return ST_OP_USHR;  /* >>> */
	case '&': return ST_OP_AND;
	case '|': return ST_OP_OR;
	case '^': return ST_OP_XOR;
	case '.': return ST_OP_CONCAT;
	}
	return -1;
}

/* Store the value in register v into an lvalue. */
static void note_write(struct lower *L, const struct st_expr *lv)
{
	if (lv->kind != ST_E_VAR || !lv->sym || lv->sym->kind != ST_SYM_LOCAL)
		return;
	for (uint32_t i = 0; i < L->nwritten; i++)
		if (L->written[i] == lv->sym)
			return;
	if (L->nwritten < sizeof(L->written) / sizeof(L->written[0]))
		L->written[L->nwritten++] = lv->sym;
	else
		L->written_overflow = true;
}

bool was_written(const struct lower *L, const struct st_symbol *s)
{
	for (uint32_t i = 0; i < L->nwritten; i++)
		if (L->written[i] == s)
			return true;
	return L->written_overflow;
}

static void store(struct lower *L, const struct st_expr *lv, uint32_t v)
{
	uint32_t base, save = L->top;

	note_write(L, lv);
	switch (lv->kind) {
	case ST_E_VAR:
		if (lv->sym->kind == ST_SYM_LOCAL) {
			if (lv->sym->index != v)
				E(L, lv, ST_OP_MOV, 0, lv->sym->index, v, 0);
		} else {
			E(L, lv, ST_OP_GSET, 0, v, lv->sym->index, 0);
		}
		break;
	case ST_E_INDEX:
		base = keys_to_regs(L, lv->args, lv->nargs, NULL);
		E(L, lv, ST_OP_MSET, 0, v, global_index(L, lv->a), base);
		break;
	default:
		fail(L, &lv->loc, "cannot assign to this expression");
	}
	L->top = save;
}

/* Load an lvalue's current value into dst. */
static void load_lvalue(struct lower *L, const struct st_expr *lv, uint32_t dst)
{
	expr_to(L, lv, dst);
}

static void assign_to(struct lower *L, const struct st_expr *e, uint32_t dst)
{
	const struct st_expr *lv = e->a;
	uint32_t v;

	note_write(L, lv);
	if (e->op == '=') {
		if (is_local(lv) && e->b->kind == ST_E_STR) {
			/* stap strlcpy()s into the local's MAXSTRINGLEN buffer */
			uint32_t k = str_const(L, e->b->str);

			E(L, e, ST_OP_LOADST, 0, lv->sym->index, k & 0xffff, k >> 16);
			if (dst != lv->sym->index)
				E(L, e, ST_OP_MOV, 0, dst, lv->sym->index, 0);
			return;
		}
		if (is_local(lv)) {
			expr_to(L, e->b, lv->sym->index);
			if (dst != lv->sym->index)
				E(L, e, ST_OP_MOV, 0, dst, lv->sym->index, 0);
			return;
		}
		expr_to(L, e->b, dst);
		store(L, lv, dst);
		return;
	}
	/* a[k] += v on a long array: one hash lookup. */
	if (e->op == '+' && lv->kind == ST_E_INDEX && lv->type == ST_T_LONG) {
		uint32_t save = L->top, base;

		expr_to(L, e->b, dst);
		base = keys_to_regs(L, lv->args, lv->nargs, NULL);
		E(L, e, ST_OP_MADD, 0, dst, global_index(L, lv->a), base);
		L->top = save;
		return;
	}
	v = temp(L, 1);
	expr_to(L, e->b, v);
	load_lvalue(L, lv, dst);
	if (binary_op(e->op) < 0) {
		fail(L, &e->loc, "unsupported assignment operator");
		return;
	}
	E(L, e, binary_op(e->op), 0, dst, dst, v);
	store(L, lv, dst);
}

static void incdec_to(struct lower *L, const struct st_expr *e, uint32_t dst)
{
	const struct st_expr *lv = e->a;
	int64_t delta = e->op == '+' ? 1 : -1;
	uint32_t one;

	if (lv->kind == ST_E_INDEX) {
		uint32_t save = L->top, base, d = temp(L, 1), k = num_const(L, delta);

		E(L, e, ST_OP_LOADN, 0, d, k & 0xffff, k >> 16);
		base = keys_to_regs(L, lv->args, lv->nargs, NULL);
		E(L, e, ST_OP_MADD, 0, d, global_index(L, lv->a), base);
		if (e->post) {
			uint32_t kk = num_const(L, delta);
			uint32_t t = temp(L, 1);

			E(L, e, ST_OP_LOADN, 0, t, kk & 0xffff, kk >> 16);
			E(L, e, ST_OP_SUB, 0, dst, d, t);
		} else {
			E(L, e, ST_OP_MOV, 0, dst, d, 0);
		}
		L->top = save;
		return;
	}
	one = load_num(L, e, delta);
	note_write(L, lv);
	if (is_local(lv)) {
		uint32_t r = lv->sym->index;

		if (e->post)
			E(L, e, ST_OP_MOV, 0, dst, r, 0);
		E(L, e, ST_OP_ADD, 0, r, r, one);
		if (!e->post && dst != r)
			E(L, e, ST_OP_MOV, 0, dst, r, 0);
		return;
	}
	{
		uint32_t t = temp(L, 1);

		load_lvalue(L, lv, t);
		if (e->post)
			E(L, e, ST_OP_MOV, 0, dst, t, 0);
		E(L, e, ST_OP_ADD, 0, t, t, one);
		store(L, lv, t);
		if (!e->post)
			E(L, e, ST_OP_MOV, 0, dst, t, 0);
	}
}

/* The stats variable an extractor or <<< names: global index, key base and
 * whether it is an array element. */
static uint32_t stats_target(struct lower *L, const struct st_expr *s, uint32_t *base, int *is_array)
{
	if (s->kind == ST_E_INDEX) {
		*is_array = 1;
		*base = keys_to_regs(L, s->args, s->nargs, NULL);
		return global_index(L, s->a);
	}
	*is_array = 0;
	*base = 0;
	return global_index(L, s);
}

/* The parser's comparison codes: < > l(<=) g(>=) e(==) n(!=). */
static int cmp_aux(int op)
{
	switch (op) {
	case 'e': return '=';
	case 'n': return '!';
	}
	return op;
}

static void logical_to(struct lower *L, const struct st_expr *e, uint32_t dst)
{
	uint32_t j1, j2, end;

	expr_to(L, e->a, dst);
	j1 = E(L, e, e->op == 'A' ? ST_OP_JZ : ST_OP_JNZ, 0, dst, 0, 0);
	expr_to(L, e->b, dst);
	j2 = E(L, e, e->op == 'A' ? ST_OP_JZ : ST_OP_JNZ, 0, dst, 0, 0);
	{
		uint32_t k = num_const(L, e->op == 'A' ? 1 : 0);

		E(L, e, ST_OP_LOADN, 0, dst, k & 0xffff, k >> 16);
	}
	end = E(L, e, ST_OP_JMP, 0, 0, 0, 0);
	set_target(L, j1, here(L));
	set_target(L, j2, here(L));
	{
		uint32_t k = num_const(L, e->op == 'A' ? 0 : 1);

		E(L, e, ST_OP_LOADN, 0, dst, k & 0xffff, k >> 16);
	}
	set_target(L, end, here(L));
}

static const struct st_fmt *print_format(struct lower *L, const struct st_expr *e);

static void print_to(struct lower *L, const struct st_expr *e, uint32_t dst)
{
	bool to_string = e->print >= ST_PRINT_SPRINT;
	const struct st_fmt *f;
	uint32_t base, i;

	/* print(@hist_log(x)) draws the histogram */
	if (e->nargs == 1 && e->args[0]->kind == ST_E_HIST &&
	    (e->print == ST_PRINT_PRINT || e->print == ST_PRINT_SPRINT ||
	     e->print == ST_PRINT_PRINTLN || e->print == ST_PRINT_SPRINTLN)) {
		const struct st_expr *h = e->args[0];
		int arr;
		uint32_t kb, g = stats_target(L, h->a, &kb, &arr);

		E(L, e, ST_OP_HPRINT, arr | (to_string ? 2 : 0), dst, g, kb);
		return;
	}
	f = print_format(L, e);
	if (!f)
		return;
	base = temp(L, e->nargs ? e->nargs : 1);
	for (i = 0; i < e->nargs; i++)
		expr_to(L, e->args[i], base + i);
	E(L, e, ST_OP_FORMAT, to_string, dst, base, fmt_const(L, f));
}

static void call_to(struct lower *L, const struct st_expr *e, uint32_t dst)
{
	uint32_t base, i;

	/* user_string($p) at a uprobe or kprobe, kernel_string($p) at a
	 * kprobe: the string the probe fetched */
	if (L->source >= 0 && st_family_dynamic(&L->fp) && e->func == NULL &&
	    (e->builtin == ST_BI_USER_STRING || e->builtin == ST_BI_USER_STRING_N ||
	     e->builtin == ST_BI_KERNEL_STRING || e->builtin == ST_BI_KERNEL_STRING2) &&
	    e->args[0]->kind == ST_E_TARGET) {
		char buf[ST_FIELD_NAME_MAX];
		const char *f = st_family_string_field(&L->fp, e->args[0]->str,
						       e->builtin == ST_BI_USER_STRING || e->builtin == ST_BI_USER_STRING_N,
						       buf);

		if (f) {
			field_load(L, e, f, dst);
			return;
		}
	}
	if (L->source >= 0 && L->fp.kind == ST_SRC_KPROBE && kprobe_call_to(L, e, dst))
		return;
	/* user_string($argv[0]), user_string($r->name) at a uprobe */
	if (L->source >= 0 && L->fp.kind == ST_SRC_UPROBE && e->func == NULL &&
	    (e->builtin == ST_BI_USER_STRING || e->builtin == ST_BI_USER_STRING_N) &&
	    (e->args[0]->kind == ST_E_MEMBER || e->args[0]->kind == ST_E_INDEX) && uprobe_chain_to(L, e->args[0], true, dst))
		return;
	if (task_call_to(L, e, dst))
		return;
	if (L->source >= 0 && L->fp.kind == ST_SRC_TRACEPOINT && is_user_string_call(e))
		ustring_capture(L, e->args[0]);
	/* kernel_string(chain) at a tracepoint (the capture program reads
	 * it) or a kprobe (a fetch arg) */
	if (L->source >= 0 && (L->fp.kind == ST_SRC_TRACEPOINT || L->fp.kind == ST_SRC_KPROBE) && !e->func &&
	    (e->builtin == ST_BI_KERNEL_STRING || e->builtin == ST_BI_KERNEL_STRING2 ||
	     (e->builtin == ST_BI_KERNEL_STRING_N && e->args[1]->kind == ST_E_NUM && e->args[1]->num >= 0))) {
		uint32_t lim = e->builtin == ST_BI_KERNEL_STRING_N ? (uint32_t)(e->args[1]->num > 255 ? 255 :
						e->args[1]->num) : 0;
		int r = chain_to(L, e->args[0], true, lim, dst);

		if (r)
			return;
	}
	/* int_arg(N) ... pointer_arg(N) at a uprobe: the calling convention's
	 * argument N, fetched by the uprobe */
	if (L->source >= 0 && L->fp.kind == ST_SRC_UPROBE && e->func == NULL && e->nargs == 1 &&
	    e->args[0]->kind == ST_E_NUM) {
		const char *t = NULL;
		char f[48];

		switch (e->builtin) {
		case ST_BI_INT_ARG: case ST_BI_S32_ARG: t = "s32"; break;
		case ST_BI_UINT_ARG: case ST_BI_U32_ARG: t = "u32"; break;
		case ST_BI_LONG_ARG: case ST_BI_S64_ARG: t = "s64"; break;
		case ST_BI_ULONG_ARG: case ST_BI_POINTER_ARG: case ST_BI_U64_ARG: t = "u64"; break;
		default: break;
		}
		snprintf(f, sizeof(f), "uarg_%lld_%s", (long long)e->args[0]->num, t ? t : "");
		if (t && st_process_abi_field(f)) {
			field_load(L, e, f, dst);
			return;
		}
	}
	base = temp(L, e->nargs ? e->nargs : 1);

	for (i = 0; i < e->nargs; i++) {
		if (e->func && e->args[i]->kind == ST_E_STR) {
			/* a script function's string parameter is a MAXSTRINGLEN buffer */
			uint32_t k = str_const(L, e->args[i]->str);

			E(L, e->args[i], ST_OP_LOADST, 0, base + i, k & 0xffff, k >> 16);
			continue;
		}
		expr_to(L, e->args[i], base + i);
	}
	if (e->func) {
		if (!e->func->body) {
			fail(L, &e->loc, "function '%s' has an embedded-C body, which staplet does not run",
			     e->func->name);
			return;
		}
		E(L, e, ST_OP_CALL, 0, dst, base, e->func->index);
		count_call(L, e);
	} else if (e->builtin >= 0) {
		E(L, e, ST_OP_BUILTIN, e->builtin & 0xff, dst, base, (uint32_t)e->builtin >> 8);
		count_call(L, e);
		/* exit() where a value is wanted (`c && exit()`): 0 or "", as
		 * stap's untyped tapset function returns */
		if (st_builtins[e->builtin].ret == ST_T_VOID && (e->type == ST_T_LONG || e->type == ST_T_STRING)) {
			uint32_t k = e->type == ST_T_LONG ? num_const(L, 0) : str_const(L, "");

			E(L, e, e->type == ST_T_LONG ? ST_OP_LOADN : ST_OP_LOADS, 0, dst, k & 0xffff, k >> 16);
		}
	} else {
		fail(L, &e->loc, "unresolved function '%s'", e->str);
	}
}

void expr_to(struct lower *L, const struct st_expr *e, uint32_t dst)
{
	uint32_t save = L->top, a, b, k, j, base, mask;
	int arr;

	if (L->err)
		return;
	for (uint32_t i = 0; i < L->neslot; i++)
		if (L->eslot[i] == e) {     /* saved by the paired entry handler */
			E(L, e, ST_OP_MOV, 0, dst, L->eslot_base + i, 0);
			return;
		}
	if (e->kind == ST_E_TARGET && st_family_dynamic(&L->fp) && pretty_to(L, e, dst))
		return;
	if (e->kind == ST_E_ATOP && !strcmp(e->str, "@uregister") && L->fp.kind == ST_SRC_UPROBE &&
	    L->source >= 0 && e->nargs == 1 && e->args[0]->kind == ST_E_NUM) {
		char f[32];

		snprintf(f, sizeof(f), "ureg_%lld", (long long)e->args[0]->num);
		if (st_process_abi_field(f)) {
			field_load(L, e, f, dst);
			return;
		}
		fail(L, &e->loc, "@uregister(%lld): no such register", (long long)e->args[0]->num);
		return;
	}
	switch (e->kind) {
	case ST_E_NUM:
		k = num_const(L, e->num);
		E(L, e, ST_OP_LOADN, 0, dst, k & 0xffff, k >> 16);
		break;
	case ST_E_STR:
		k = str_const(L, e->str);
		E(L, e, ST_OP_LOADS, 0, dst, k & 0xffff, k >> 16);
		break;
	case ST_E_VAR:
		if (e->sym->kind == ST_SYM_LOCAL) {
			if (e->sym->index != dst)
				E(L, e, ST_OP_MOV, 0, dst, e->sym->index, 0);
		} else if (e->sym->is_array) {
			fail(L, &e->loc, "array '%s' used as a scalar", e->str);
		} else {
			E(L, e, ST_OP_GGET, 0, dst, e->sym->index, 0);
		}
		break;
	case ST_E_TARGET:
		target_to(L, e, dst);
		break;
	case ST_E_MEMBER:
		if (!btf_to(L, e, dst) && !chain_to(L, e, false, 0, dst))
			fail(L, &e->loc, "staplet reads kernel memory only in tracepoint and syscall probes, "
			     "from task_current() or an argument of the event");
		break;
	case ST_E_INDEX:
		if (e->a->kind != ST_E_VAR) {     /* ...->arr[i]: kernel memory */
			if (!chain_to(L, e, false, 0, dst))
				fail(L, &e->loc, "staplet reads kernel memory only in tracepoint and syscall "
				     "probes, from task_current() or an argument of the event");
			break;
		}
		base = keys_to_regs(L, e->args, e->nargs, NULL);
		E(L, e, ST_OP_MGET, 0, dst, global_index(L, e->a), base);
		break;
	case ST_E_CALL:
		call_to(L, e, dst);
		break;
	case ST_E_UNARY:
		a = expr_any(L, e->a);
		if (e->op == '-')
			E(L, e, ST_OP_NEG, 0, dst, a, 0);
		else if (e->op == '!')
			E(L, e, ST_OP_NOT, 0, dst, a, 0);
		else if (e->op == '~')
			E(L, e, ST_OP_BNOT, 0, dst, a, 0);
		else if (a != dst)
			E(L, e, ST_OP_MOV, 0, dst, a, 0);
		break;
	case ST_E_BINARY:
	case ST_E_CONCAT:
		a = left_operand(L, e->a, e->b);
		b = expr_any(L, e->b);
		E(L, e, e->kind == ST_E_CONCAT ? ST_OP_CONCAT : binary_op(e->op), 0, dst, a, b);
		break;
	case ST_E_COMPARE:
		a = left_operand(L, e->a, e->b);
		b = expr_any(L, e->b);
		E(L, e, e->a->type == ST_T_STRING ? ST_OP_SCMP : ST_OP_CMP, cmp_aux(e->op), dst, a, b);
		break;
	case ST_E_LOGICAL:
		logical_to(L, e, dst);
		break;
	case ST_E_REGEX:
		a = expr_any(L, e->a);
		if (e->b->kind != ST_E_STR) {
			fail(L, &e->b->loc, "regular expression must be a string literal");
			break;
		}
		E(L, e, ST_OP_REGEX, e->op == '!', dst, a, str_const(L, e->b->str));
		break;
	case ST_E_TERNARY:
		if (e->a->kind == ST_E_NUM) {   /* @defined(...) ? x : y: stap drops the dead branch */
			expr_to(L, e->a->num ? e->b : e->c, dst);
			break;
		}
		a = expr_any(L, e->a);
		j = E(L, e, ST_OP_JZ, 0, a, 0, 0);
		expr_to(L, e->b, dst);
		k = E(L, e, ST_OP_JMP, 0, 0, 0, 0);
		set_target(L, j, here(L));
		expr_to(L, e->c, dst);
		set_target(L, k, here(L));
		break;
	case ST_E_ASSIGN:
		assign_to(L, e, dst);
		break;
	case ST_E_INCDEC:
		incdec_to(L, e, dst);
		break;
	case ST_E_AGG_ADD:
		a = expr_any(L, e->b);
		{
			uint32_t g = stats_target(L, e->a, &base, &arr);

			E(L, e, ST_OP_SADD, arr, a, g, base);
		}
		if (a != dst)
			E(L, e, ST_OP_MOV, 0, dst, a, 0);
		break;
	case ST_E_IN:
		base = keys_to_regs(L, e->args, e->nargs, &mask);
		if (mask == (1u << e->nargs) - 1)
			E(L, e, ST_OP_MHAS, 0, dst, global_index(L, e->a), base);
		else
			E(L, e, ST_OP_MHASW, mask, dst, global_index(L, e->a), base);
		break;
	case ST_E_STAT: {
		uint32_t g = stats_target(L, e->a, &base, &arr);

		emit(L, &e->loc, op_near(L, e), ST_OP_SGET, e->stat_op | (arr << 7), dst, g, base);
		break;
	}
	case ST_E_HIST_BUCKET: {
		uint32_t g;

		expr_to(L, e->b, dst);
		g = stats_target(L, e->a->a, &base, &arr);
		/* In foreach (b in @hist_xxx(g)), stap reads @hist_xxx(g)[b]
		 * from the aggregate it took at the loop's start, without the
		 * empty check: an empty histogram reads 0 in every bucket. */
		if (!arr && L->hist_fe_stat && e->a->a->kind == ST_E_VAR && e->a->a->sym == L->hist_fe_stat &&
		    e->b->kind == ST_E_VAR && e->b->sym == L->hist_fe_key)
			arr |= 2;
		/* stap blames the @hist_xxx token, not the '[' */
		emit(L, &e->a->loc, op_near(L, e->a), ST_OP_HBUCKET, arr, dst, g, base);
		break;
	}
	case ST_E_PRINT:
		print_to(L, e, dst);
		break;
	case ST_E_DEFINED:
		k = num_const(L, e->num);
		E(L, e, ST_OP_LOADN, 0, dst, k & 0xffff, k >> 16);
		break;
	case ST_E_HIST:
		fail(L, &e->loc, "a histogram can only be printed or indexed");
		break;
	case ST_E_CAST:     /* @cast(p, "type") alone is p, as in stap */
		expr_to(L, e->a, dst);
		break;
	case ST_E_ADDR:
		if (!cast_addr_to(L, e, dst))
			fail(L, &e->loc, "staplet does not support this expression yet");
		break;
	case ST_E_ENTRY:    /* the .return probes' ones are saved (lower_entry_pair) */
		fail(L, &e->loc, "@entry is only valid in .return probes");
		break;
	default:
		fail(L, &e->loc, "staplet does not support this expression yet");
	}
	L->top = save;
	if (dst >= L->top && dst < ST_REG_NONE && dst >= L->code->nregs)
		L->code->nregs = dst + 1;
}

/* print/println/printd/...: synthesise the equivalent printf format. */
static const struct st_fmt *print_format(struct lower *L, const struct st_expr *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	uint32_t i;
	bool delim = e->print == ST_PRINT_PRINTD || e->print == ST_PRINT_PRINTDLN ||
		     e->print == ST_PRINT_SPRINTD || e->print == ST_PRINT_SPRINTDLN;
	bool nl = e->print == ST_PRINT_PRINTLN || e->print == ST_PRINT_SPRINTLN ||
		  e->print == ST_PRINT_PRINTDLN || e->print == ST_PRINT_SPRINTDLN;

	if (e->print == ST_PRINT_PRINTF || e->print == ST_PRINT_SPRINTF)
		return e->fmt;
	m = open_memstream(&text, &len);
	if (!m)
		abort();
	for (i = 0; i < e->nargs; i++) {
		if (i && delim && e->delim) {
			const char *d;

			for (d = e->delim; *d; d++)
				fputs(*d == '%' ? "%%" : (char[]){ *d, 0 }, m);
		}
		fputs(e->args[i]->type == ST_T_STRING ? "%s" : "%d", m);
	}
	if (nl)
		fputc('\n', m);
	fclose(m);
	return own_fmt(L, &e->loc, text, len);
}

