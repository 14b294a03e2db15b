/* lower.c - an elaborated program to a plan: sources, probes, bytecode.
 *
 * Registers: a frame's locals occupy registers 0..nlocals-1 (their symbol
 * index); temporaries are allocated above them like a stack and released at
 * the end of each statement.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/frontend.h"
#include "lowering/btf.h"
#include "lowering/ctypes.h"
#include "lowering/catalog.h"
#include "lowering/families.h"
#include "lowering/kprobe_ctx.h"
#include "lowering/inkernel.h"
#include "lowering/family_process.h"
#include "lowering/uelf.h"
#include "lowering/plan.h"
#include "tapset/builtins.h"

#define GROW(arr, n, cap) do { \
	if ((n) >= (cap)) { \
		(cap) = (cap) ? (cap) * 2 : 16; \
		(arr) = realloc((arr), sizeof(*(arr)) * (cap)); \
		if (!(arr)) abort(); \
	} \
} while (0)

struct patch_list {
	uint32_t *at;
	uint32_t n, cap;
};

struct loop {
	struct patch_list breaks, continues;
	struct loop *outer;
};

struct lower {
	const struct st_program *prog;
	struct st_catalog *catalog;
	struct st_plan *plan;
	uint32_t cap_sources, cap_probes, cap_code, cap_nums, cap_strs, cap_fmts, cap_fe;
	char *err;

	/* the code being generated */
	struct st_code *code;
	uint32_t cap_insn;
	uint32_t top, nlocals;       /* next free temporary; locals below */
	uint32_t iter_depth, try_depth;
	struct loop *loop;
	/* inside foreach (b in @hist_xxx(g)): g and b, for reads of
	 * @hist_xxx(g)[b] that stap takes from the loop's snapshot */
	const struct st_symbol *hist_fe_stat, *hist_fe_key;
	int source;                  /* the handler's source, -1 in functions */
	const struct st_probe_inst *pi; /* the probe being lowered, NULL in functions */
	/* locals of the probe assigned so far: a bound one no longer holds the
	 * event's value (kernel reads index only by that) */
	const struct st_symbol *written[32];
	uint32_t nwritten;
	bool written_overflow;
	struct st_family_point fp;
	uint32_t ntemps_fmt;
	/* a .return handler's @entry values: expressions and their registers */
	const struct st_expr **eslot;
	uint32_t neslot, cap_eslot, eslot_base, npairs;
	/* MAXACTION as stap 4.8 counts it (see "action counting" below) */
	bool running;                /* this body subtracts a running count */
	uint32_t pending;            /* statements counted but not yet subtracted */
	uint8_t *fstate;             /* per function: 0 unknown, 1 visiting, 2 loop-free, 3 has loops */
	uint32_t *fcost;             /* per loop-free function: its longest path */
	uint8_t *fstack;             /* per function: 0x80 known | ST_STACK_* it reads */
};

static void fail(struct lower *L, const struct st_loc *loc, const char *fmt, ...)
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

static uint32_t num_const(struct lower *L, int64_t v)
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

static uint32_t str_const(struct lower *L, const char *s)
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

static uint32_t fmt_const(struct lower *L, const struct st_fmt *f)
{
	struct st_plan *p = L->plan;

	GROW(p->fmts, p->nfmts, L->cap_fmts);
	p->fmts[p->nfmts] = f;
	return p->nfmts++;
}

/* ---- emitting ---- */

static uint32_t emit(struct lower *L, const struct st_loc *loc, const char *near, int op, int aux,
		     uint32_t a, uint32_t b, uint32_t c)
{
	struct st_code *k = L->code;
	uint32_t at = k->ninsn;

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

#define E(L, e, op, aux, a, b, c) emit((L), &(e)->loc, (e)->near, (op), (aux), (a), (b), (c))

/* stap names the @min/@hist_log/... token an operator in its error
 * locations ("near operator '@min'"); the AST calls it an identifier. */
static const char *op_near(struct lower *L, const struct st_expr *e)
{
	static const char ident[] = "identifier '@";
	char buf[128];

	if (!e->near || strncmp(e->near, ident, sizeof(ident) - 1))
		return e->near;
	snprintf(buf, sizeof(buf), "operator '@%s", e->near + sizeof(ident) - 1);
	return st_arena_strndup(L->plan->arena, buf, strlen(buf), sizeof(buf));
}

static void set_target(struct lower *L, uint32_t at, uint32_t target)
{
	L->code->insn[at].b = (uint16_t)(target & 0xffff);
	L->code->insn[at].c = (uint16_t)(target >> 16);
}

static uint32_t here(struct lower *L)
{
	return L->code->ninsn;
}

static void patch_add(struct patch_list *pl, uint32_t at)
{
	GROW(pl->at, pl->n, pl->cap);
	pl->at[pl->n++] = at;
}

static void patch_all(struct lower *L, struct patch_list *pl, uint32_t target)
{
	uint32_t i;

	for (i = 0; i < pl->n; i++)
		set_target(L, pl->at[i], target);
	free(pl->at);
	memset(pl, 0, sizeof(*pl));
}

static uint32_t temp(struct lower *L, uint32_t n)
{
	uint32_t r = L->top;

	L->top += n;
	if (L->top > L->code->nregs)
		L->code->nregs = L->top;
	if (L->top >= ST_REG_NONE)
		fail(L, NULL, "handler too large: out of registers");
	return r;
}

static uint32_t load_num(struct lower *L, const struct st_expr *e, int64_t v)
{
	uint32_t r = temp(L, 1), k = num_const(L, v);

	E(L, e, ST_OP_LOADN, 0, r, k & 0xffff, k >> 16);
	return r;
}

/* ---- expressions ---- */

static void expr_to(struct lower *L, const struct st_expr *e, uint32_t dst);

static bool is_local(const struct st_expr *e)
{
	return e->kind == ST_E_VAR && e->sym && e->sym->kind == ST_SYM_LOCAL;
}

/* The register holding e's value: a local's own register, or a temporary. */
static uint32_t expr_any(struct lower *L, const struct st_expr *e)
{
	uint32_t r;

	if (is_local(e))
		return e->sym->index;
	r = temp(L, 1);
	expr_to(L, e, r);
	return r;
}

static uint32_t global_index(struct lower *L, const struct st_expr *var)
{
	if (!var || var->kind != ST_E_VAR || !var->sym || var->sym->kind != ST_SYM_GLOBAL) {
		fail(L, var ? &var->loc : NULL, "expected a global variable");
		return 0;
	}
	return var->sym->index;
}

/* Evaluate index expressions into consecutive registers; NULL keys (`*`)
 * leave their register untouched and clear their bit in *mask. */
static uint32_t keys_to_regs(struct lower *L, struct st_expr **keys, uint32_t n, uint32_t *mask)
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

static void field_load(struct lower *L, const struct st_expr *e, const char *field, uint32_t dst);

static bool cast_module_kernel(const struct st_expr *c);
static int64_t syscall_arg_call(const struct st_expr *e);
static bool was_written(const struct lower *L, const struct st_symbol *s);

/* A cap's value; when its read faulted in the kernel (its bit in
 * stap_btf_faults), stap's error first: the handler's try/catch sees it. */
static void cap_load(struct lower *L, const struct st_expr *e, const char *f, uint32_t dst)
{
	const struct st_source *s = &L->plan->sources[L->source];
	uint32_t i, save = L->top, t, j, base;

	for (i = 0; i < s->nbtf && strcmp(s->btf[i].field, f); i++)
		;
	if (i < s->nbtf && i < 64 && !s->btf[i].direct) {
		t = temp(L, 1);
		field_load(L, e, "stap_btf_faults", t);
		E(L, e, ST_OP_AND, 0, t, t, load_num(L, e, (int64_t)(1ull << i)));
		j = E(L, e, ST_OP_JZ, 0, t, 0, 0);
		base = temp(L, 2);
		field_load(L, e, "stap_btf_faddr", base);
		E(L, e, ST_OP_MOV, 0, base + 1, load_num(L, e, s->btf[i].is_string), 0);
		E(L, e, ST_OP_BUILTIN, ST_BI_KREAD_FAULT & 0xff, t, base, ST_BI_KREAD_FAULT >> 8);
		set_target(L, j, here(L));
		L->top = save;
	}
	field_load(L, e, f, dst);
}

/* A syscall event's record field that expression x reads, as is: $fd,
 * a bound `fd`, pointer_arg(1).  NULL when x is none of these. */
static const char *syscall_field_of(struct lower *L, const struct st_expr *x)
{
	const char *field = NULL;
	enum st_type t;

	if (!L->fp.syscall)
		return NULL;
	if (x->kind == ST_E_TARGET && x->str[0] == '$' && x->str[1] != '$') {
		enum st_ctxvar_kind k = st_family_var(L->catalog, &L->fp, x->str, true, &field, &t);

		return k == ST_CTX_FIELD || k == ST_CTX_SYSCALL_ARG ? field : NULL;
	}
	if (x->kind == ST_E_VAR && x->sym && x->sym->kind == ST_SYM_LOCAL && L->pi && !was_written(L, x->sym)) {
		for (uint32_t i = 0; i < L->pi->nbindings; i++) {
			enum st_ctxvar_kind k;

			if (L->pi->bindings[i].sym != x->sym)
				continue;
			k = st_family_var(L->catalog, &L->fp, L->pi->bindings[i].name, false, &field, &t);
			if ((k == ST_CTX_SYSCALL_ARG && st_syscall_conv(L->catalog, &L->fp, L->pi->bindings[i].name) != 'S') ||
			    k == ST_CTX_FIELD)
				return field;
		}
		return NULL;
	}
	if (syscall_arg_call(x))
		return st_syscall_arg_field(L->catalog, &L->fp, syscall_arg_call(x));
	return NULL;
}

static int cast_layout(const struct st_expr *x, const char *const *mem, uint32_t n, uint32_t *size,
		       uint32_t *off, char *msg, size_t msgsz);
static bool cast_module_kernel(const struct st_expr *c);

/* A number known when lowering: a literal, or &@cast(0, "type")->m->n
 * (@offsetof).  false otherwise. */
static bool const_offset(const struct st_expr *x, int64_t *v)
{
	const char *mem[16];
	uint32_t n = 0, size, off;
	char msg[256];

	if (x->kind == ST_E_NUM) {
		*v = x->num;
		return true;
	}
	if (x->kind != ST_E_ADDR)
		return false;
	for (x = x->a; x && x->kind == ST_E_MEMBER && n < 16; x = x->a)
		mem[n++] = x->str;
	if (!x || x->kind != ST_E_CAST || !x->a || x->a->kind != ST_E_NUM || x->a->num || !cast_module_kernel(x))
		return false;
	for (uint32_t i = 0; i < n / 2; i++) {
		const char *t = mem[i];

		mem[i] = mem[n - 1 - i];
		mem[n - 1 - i] = t;
	}
	if (cast_layout(x, mem, n, &size, &off, msg, sizeof(msg)) < 0)
		return false;
	*v = off;
	return true;
}

/* The root of a chain: a tracepoint argument, a syscall record field, or
 * task_current().  false with *why when x is none. */
static bool chain_root(struct lower *L, const struct st_expr *x, struct st_btf_chain *ch, char *key, size_t n,
		       const char **why)
{
	const char *f;
	int64_t d;

	if (x->kind == ST_E_CALL && !x->func && x->builtin == ST_BI_TASK_CURRENT) {
		ch->root = ST_BTF_ROOT_TASK;
		snprintf(key, n, "task_current()");
		return true;
	}
	if ((f = syscall_field_of(L, x))) {
		ch->root = ST_BTF_ROOT_CTX;
		ch->argname = f;
		snprintf(key, n, "$%s", f);
		return true;
	}
	if (!L->fp.syscall && x->kind == ST_E_BINARY && (x->op == '-' || x->op == '+') && x->a->kind == ST_E_TARGET &&
	    x->a->str[0] == '$' && x->a->str[1] != '$' && const_offset(x->b, &d) && d > INT32_MIN && d < INT32_MAX) {
		/* $arg - offsetof(...): @container_of's object, at the event */
		ch->root = ST_BTF_ROOT_ARG;
		ch->event = L->fp.event;
		ch->argname = x->a->str + 1;
		ch->delta = (int32_t)(x->op == '-' ? -d : d);
		snprintf(key, n, "(%s%+d)", x->a->str, ch->delta);
		return true;
	}
	if (!L->fp.syscall && x->kind == ST_E_TARGET && x->str[0] == '$' && x->str[1] != '$') {
		ch->root = ST_BTF_ROOT_ARG;
		ch->event = L->fp.event;
		ch->argname = x->str + 1;
		snprintf(key, n, "%s", x->str);
		return true;
	}
	*why = L->fp.syscall ? "staplet reads kernel memory from task_current() or a syscall argument only" :
			       "staplet reads kernel memory from task_current() or a tracepoint argument only";
	return false;
}

/* An index known at the event: a constant, or an argument the record
 * carries (its cap).  false with *why otherwise. */
static bool chain_index(struct lower *L, const struct st_expr *x, struct st_btf_step *st, char *key, size_t n,
			char *msg, size_t msgsz, const char **why)
{
	struct st_source *s = &L->plan->sources[L->source];
	const char *f;
	int rc;

	if (x->kind == ST_E_NUM) {
		st->cidx = x->num;
		snprintf(key, n, "[%lld]", (long long)x->num);
		return true;
	}
	if ((f = syscall_field_of(L, x))) {
		rc = st_btf_ctx_index(s, L->plan->arena, L->catalog, f, msg, msgsz);
		if (rc < 0) {
			*why = msg;
			return false;
		}
		st->idx_cap = (uint32_t)rc;
		snprintf(key, n, "[$%s]", f);
		return true;
	}
	if (!L->fp.syscall && x->kind == ST_E_TARGET && x->str[0] == '$' && x->str[1] != '$' &&
	    st_btf_source_field(s, L->plan->arena, L->fp.event, x->str, msg, msgsz, &rc)) {
		for (uint32_t i = 0; i < s->nbtf; i++)
			if (!strcmp(s->btf[i].path, x->str) && s->btf[i].direct)
				st->idx_cap = i + 1;
		if (st->idx_cap) {
			snprintf(key, n, "[%s]", x->str);
			return true;
		}
	}
	*why = "staplet indexes kernel memory in a probe only by a constant or an argument of the event";
	return false;
}

/* __st_kread*(dst, arg) into dst: one read of the run-time walk */
static void kread_call(struct lower *L, const struct st_expr *e, int id, int64_t arg, uint32_t dst)
{
	uint32_t save = L->top, base = temp(L, 2);

	E(L, e, ST_OP_MOV, 0, base, dst, 0);
	E(L, e, ST_OP_MOV, 0, base + 1, load_num(L, e, arg), 0);
	E(L, e, ST_OP_BUILTIN, (uint32_t)id & 0xff, dst, base, (uint32_t)id >> 8);
	L->top = save;
}

static void add_const(struct lower *L, const struct st_expr *e, int64_t v, uint32_t dst)
{
	uint32_t save = L->top;

	if (v)
		E(L, e, ST_OP_ADD, 0, dst, dst, load_num(L, e, v));
	L->top = save;
}

/* @cast(p, "struct T")->a->b where no capture program reads it at the
 * event (begin/end/timer probes, functions, uprobes, or a root the capture
 * cannot start from): the same BTF walk at run time, one live read per
 * pointer (runtime/kread.h), when the handler runs.  steps[n-1] is the
 * first step.  1: dst loaded; -1: failed. */
static int chain_live(struct lower *L, const struct st_expr *e, const struct st_expr *cast,
		      const struct st_expr *const *steps, uint32_t n, uint32_t dst)
{
	struct st_btf_chain ch = { .root = ST_BTF_ROOT_TASK, .cast = cast->str };
	struct st_btf_cap c;
	char msg[512];

	while (n-- > 0) {
		struct st_btf_step *st = &ch.step[ch.nsteps++];

		if (steps[n]->kind == ST_E_MEMBER) {
			st->member = steps[n]->str;
		} else if (steps[n]->nargs == 1 && steps[n]->args[0]->kind == ST_E_NUM) {
			st->cidx = steps[n]->args[0]->num;
		} else {
			fail(L, &steps[n]->loc, "staplet indexes kernel memory read at run time only by a constant");
			return -1;
		}
	}
	if (st_btf_chain_resolve(&ch, &c, msg, sizeof(msg)) < 0) {
		fail(L, &e->loc, "%s", msg);
		return -1;
	}
	expr_to(L, cast->a, dst);
	if (cast->a->kind == ST_E_CALL && !cast->a->func && cast->a->builtin == ST_BI_TASK_CURRENT)
		kread_call(L, e, ST_BI_KREAD_TASK, 0, dst);     /* a tid: its task_struct */
	for (uint32_t h = 0; h < c.nhops; h++) {
		add_const(L, e, (int32_t)c.hop[h], dst);
		kread_call(L, e, ST_BI_KREAD_VALUE, 8, dst);
	}
	add_const(L, e, (int32_t)c.off, dst);
	if (c.addr)
		return 1;
	kread_call(L, e, ST_BI_KREAD_VALUE, (int64_t)(c.bit_size ? c.bit_read : c.size) | (int64_t)c.is_signed << 8 |
		   (int64_t)c.bit_shift << 16 | (int64_t)c.bit_size << 24, dst);
	return 1;
}

/* kernel_string(chain) reads the string (want_string); else the value.
 * 1: dst loaded; 0: e is no chain; -1: failed (L->err set). */
static int chain_to(struct lower *L, const struct st_expr *e, bool want_string, uint32_t strn, uint32_t dst)
{
	const struct st_expr *steps[ST_BTF_MAX_STEPS], *x = e, *cast = NULL;
	struct st_btf_chain ch = { .want_string = want_string, .strn = strn };
	char key[1024], part[256], msg[512];
	const char *why = NULL, *f;
	uint32_t n = 0;
	size_t at;
	int rc;

	while (x && (x->kind == ST_E_MEMBER || (x->kind == ST_E_INDEX && x->a->kind != ST_E_VAR))) {
		if (n >= ST_BTF_MAX_STEPS) {
			fail(L, &e->loc, "member chain too long (at most %d steps)", ST_BTF_MAX_STEPS);
			return -1;
		}
		steps[n++] = x;
		x = x->a;
	}
	if (!x || (!n && !want_string) || !(x->kind == ST_E_CAST || x->kind == ST_E_TARGET || want_string))
		return 0;
	if (x->kind == ST_E_CAST && (!cast_module_kernel(x) || (!x->b && L->fp.kind == ST_SRC_UPROBE && L->fp.usite))) {
		/* a user-space type: stap looks in the module's DWARF */
		const char *mod = x->b && x->b->kind == ST_E_STR ? x->b->str : L->fp.usite ? st_uprobe_site_path(L->fp.usite) : "?";

		if (!st_uelf_has_type(mod, x->str))
			fail(L, &x->loc, "type definition '%s' not found in '%s': operator '@cast'", x->str, mod);
		else
			fail(L, &x->loc, "staplet reads no user-space memory through @cast types ('%s' of '%s')",
			     x->str, mod);
		return -1;
	}
	if ((L->source < 0 || (L->fp.kind != ST_SRC_TRACEPOINT && L->fp.kind != ST_SRC_KPROBE)) &&
	    x->kind == ST_E_CAST && n && !want_string && cast_module_kernel(x))
		return chain_live(L, e, x, steps, n, dst);
	if (L->source < 0 || (L->fp.kind != ST_SRC_TRACEPOINT && L->fp.kind != ST_SRC_KPROBE)) {
		fail(L, &e->loc, "staplet reads kernel memory only in tracepoint and syscall probes (a BPF "
		     "program there), not %s", L->source < 0 ? "in functions" : "at this probe point");
		return -1;
	}
	if (!n && x->kind != ST_E_CAST) {
		/* kernel_string($x): a TP_PROTO pointer only; the event's own
		 * fields and syscall arguments keep their usual meaning */
		const char *field = NULL;
		enum st_type t;

		if (x->kind != ST_E_TARGET || L->fp.syscall ||
		    st_family_var(L->catalog, &L->fp, x->str, true, &field, &t) != ST_CTX_NONE)
			return 0;
	}
	if (x->kind == ST_E_CAST) {
		cast = x;
		if (!cast_module_kernel(x)) {
			fail(L, &x->loc, "staplet resolves @cast types in the kernel's BTF only");
			return -1;
		}
		ch.cast = x->str;
		x = x->a;
	}
	if (!chain_root(L, x, &ch, part, sizeof(part), &why)) {
		if (!n && !ch.cast)
			return 0;       /* kernel_string(x) of another value */
		/* read when the handler runs; kernel_string() of it then reads
		 * the string live too */
		if (n && ch.cast)
			return want_string ? 0 : chain_live(L, e, cast, steps, n, dst);
		fail(L, &x->loc, "%s", why);
		return -1;
	}
	at = (size_t)snprintf(key, sizeof(key), "%s%s%s%s", want_string ? "kernel_string:" : "",
			      ch.cast ? "@cast:" : "", ch.cast ? ch.cast : "", part);
	while (n-- > 0 && at < sizeof(key)) {
		struct st_btf_step *st = &ch.step[ch.nsteps++];

		if (steps[n]->kind == ST_E_MEMBER) {
			st->member = steps[n]->str;
			snprintf(part, sizeof(part), "->%s", st->member);
		} else if (steps[n]->nargs != 1 ||
			   !chain_index(L, steps[n]->args[0], st, part, sizeof(part), msg, sizeof(msg), &why)) {
			fail(L, &steps[n]->loc, "%s", why ? why : "one index per []");
			return -1;
		}
		at += (size_t)snprintf(key + at, sizeof(key) - at, "%s", part);
	}
	if (want_string && strn)
		snprintf(key + at, sizeof(key) - at, ":%u", strn);
	if (L->fp.kind == ST_SRC_KPROBE) {
		/* a kprobe fetches the chain itself (kprobe_ctx.h) */
		f = st_kernel_chain_field(&L->fp, &ch, msg, sizeof(msg));
		if (!f) {
			fail(L, &e->loc, "%s", msg);
			return -1;
		}
		field_load(L, e, f, dst);
		return 1;
	}
	if (L->fp.syscall)
		L->plan->sources[L->source].btf_ctx = true;
	f = st_btf_source_chain(&L->plan->sources[L->source], L->plan->arena, &ch, key, msg, sizeof(msg), &rc);
	if (!f) {
		fail(L, &e->loc, "%s", msg);
		return -1;
	}
	cap_load(L, e, f, dst);
	return 1;
}

/* $arg / $arg->m->n at a tracepoint: a BTF capture (lowering/btf.h). */
static bool btf_to(struct lower *L, const struct st_expr *e, uint32_t dst)
{
	char path[512], msg[512];
	const char *f;
	int rc;

	if (L->source >= 0 && (L->fp.kind == ST_SRC_TRACEPOINT || L->fp.kind == ST_SRC_KPROBE) &&
	    e->kind == ST_E_MEMBER)
		return chain_to(L, e, false, 0, dst) != 0 || L->err;
	if (L->source < 0 || L->fp.kind != ST_SRC_TRACEPOINT || L->fp.syscall || !st_btf_expr_path(e, path, sizeof(path)))
		return false;
	f = st_btf_source_field(&L->plan->sources[L->source], L->plan->arena, L->fp.event, path, msg, sizeof(msg), &rc);
	if (!f && (rc != -ENOENT || e->kind == ST_E_MEMBER))
		fail(L, &e->loc, "%s", msg);
	else if (f)
		cap_load(L, e, f, dst);
	return f || L->err;
}

/* The kernel's types are the ones staplet has (vmlinux BTF): @cast's
 * module names the kernel, with or without a header. */
static bool cast_module_kernel(const struct st_expr *c)
{
	const char *m = c->b && c->b->kind == ST_E_STR ? c->b->str : NULL;

	return !c->b || (m && (!strcmp(m, "kernel") || !strncmp(m, "kernel<", 7)));
}

/* A user-space header ("<stdio.h>") or program path: DWARF (ctypes.h). */
static const char *cast_module_user(const struct st_expr *c)
{
	const char *m = c->b && c->b->kind == ST_E_STR ? c->b->str : NULL;

	return m && (m[0] == '<' || m[0] == '/') ? m : NULL;
}

static int cast_layout(const struct st_expr *x, const char *const *mem, uint32_t n, uint32_t *size,
		       uint32_t *off, char *msg, size_t msgsz)
{
	uint64_t sz = 0, o = 0;
	int r;

	if (!cast_module_user(x))
		return st_btf_cast_addr(x->str, mem, n, size, off, msg, msgsz);
	r = st_ctype_layout(cast_module_user(x), x->str, mem, n, &sz, &o, msg, msgsz);
	*size = (uint32_t)sz;
	*off = (uint32_t)o;
	return r;
}

/* &@cast(p, "type"[, "kernel<h.h>"])->m(->n...), &@cast(p, "type")[i] and &@cast(p, "type"):
 * address arithmetic on the BTF layout, no memory read.  false when e is
 * not of that shape. */
static bool cast_addr_to(struct lower *L, const struct st_expr *e, uint32_t dst)
{
	const char *mem[16];
	const struct st_expr *x = e->a, *idx = NULL;
	uint32_t n = 0, size = 0, off = 0;
	char msg[512];

	for (; x && x->kind == ST_E_MEMBER && n < 16; x = x->a)
		mem[n++] = x->str;
	if (x && x->kind == ST_E_INDEX && x->nargs == 1 && x->a && x->a->kind == ST_E_CAST) {
		idx = x->args[0];
		x = x->a;
	}
	if (!x || x->kind != ST_E_CAST)
		return false;
	for (uint32_t i = 0; i < n / 2; i++) {
		const char *t = mem[i];

		mem[i] = mem[n - 1 - i];
		mem[n - 1 - i] = t;
	}
	if (!cast_module_kernel(x) && !cast_module_user(x)) {
		fail(L, &x->loc, "staplet resolves @cast types in the kernel's BTF, a header's or a program's DWARF only");
		return true;
	}
	/* &@cast(p, "type") alone is p (@container_of's object address);
	 * the type must still exist */
	if (cast_layout(x, mem, n, &size, &off, msg, sizeof(msg)) < 0) {
		fail(L, &e->loc, "%s", msg);
		return true;
	}
	expr_to(L, x->a, dst);
	if (idx) {
		uint32_t save = L->top, r = temp(L, 1);

		expr_to(L, idx, r);
		E(L, e, ST_OP_MUL, 0, r, r, load_num(L, e, size));
		E(L, e, ST_OP_ADD, 0, dst, dst, r);
		L->top = save;
	}
	if (off) {
		uint32_t save = L->top;

		E(L, e, ST_OP_ADD, 0, dst, dst, load_num(L, e, off));
		L->top = save;
	}
	return true;
}

static void target_to(struct lower *L, const struct st_expr *e, uint32_t dst)
{
	const char *field = NULL;
	enum st_type t;

	if (L->source < 0) {
		fail(L, &e->loc, "context variable %s used outside a probe", e->str);
		return;
	}
	switch (st_family_var(L->catalog, &L->fp, e->str, true, &field, &t)) {
	case ST_CTX_FIELD:
		field_load(L, e, field, dst);
		return;
	case ST_CTX_EVENT_NAME: {
		uint32_t k = str_const(L, field && *field ? field : L->fp.event);

		E(L, e, ST_OP_LOADS, 0, dst, k & 0xffff, k >> 16);
		return;
	}
	default:
		if (!btf_to(L, e, dst))
			fail(L, &e->loc, "unable to find context variable %s", e->str);
	}
}

static uint32_t source_field(struct lower *L, const char *field)
{
	struct st_source *s = &L->plan->sources[L->source];
	uint32_t i;

	for (i = 0; i < s->nfields; i++)
		if (strcmp(s->fields[i], field) == 0)
			return i;
	s->fields = realloc(s->fields, sizeof(char *) * (s->nfields + 1));
	if (!s->fields)
		abort();
	s->fields[s->nfields] = (char *)st_arena_strndup(L->plan->arena, field, strlen(field), strlen(field));
	return s->nfields++;
}

/* user_string*($ptr) at a tracepoint: ask the backend to copy the string
 * at the event (st_source.captures). */
static void source_capture(struct lower *L, const char *field)
{
	struct st_source *s = &L->plan->sources[L->source];

	source_field(L, field);
	for (uint32_t i = 0; i < s->ncaptures; i++)
		if (strcmp(s->captures[i], field) == 0)
			return;
	s->captures = realloc(s->captures, sizeof(char *) * (s->ncaptures + 1));
	if (!s->captures)
		abort();
	s->captures[s->ncaptures++] = (char *)st_arena_strndup(L->plan->arena, field, strlen(field), strlen(field));
}

static void field_load(struct lower *L, const struct st_expr *e, const char *field, uint32_t dst)
{
	E(L, e, ST_OP_FIELD, 0, dst, source_field(L, field), 0);
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

static bool was_written(const struct lower *L, const struct st_symbol *s)
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

static void count_call(struct lower *L, const struct st_expr *e);

static bool is_user_string_call(const struct st_expr *e)
{
	return e->kind == ST_E_CALL && !e->func && e->nargs >= 1 &&
	       (e->builtin == ST_BI_USER_STRING || e->builtin == ST_BI_USER_STRING_N ||
		e->builtin == ST_BI_USER_STRING_QUOTED || e->builtin == ST_BI_USER_STRING2 ||
		e->builtin == ST_BI_USER_STRING_ERR);
}

/* pointer_arg(N) and its kin: syscall argument N as an address */
static int64_t syscall_arg_call(const struct st_expr *e)
{
	if (e->kind != ST_E_CALL || e->func || e->nargs != 1 || e->args[0]->kind != ST_E_NUM)
		return 0;
	switch (e->builtin) {
	case ST_BI_POINTER_ARG: case ST_BI_ULONG_ARG: case ST_BI_LONG_ARG:
	case ST_BI_U64_ARG: case ST_BI_S64_ARG:
		return e->args[0]->num;
	}
	return 0;
}

/* Any of int_arg(N) ... pointer_arg(N) with a constant N. */
static bool is_arg_call(const struct st_expr *e)
{
	if (e->kind != ST_E_CALL || e->func || e->nargs != 1 || e->args[0]->kind != ST_E_NUM)
		return false;
	switch (e->builtin) {
	case ST_BI_INT_ARG: case ST_BI_S32_ARG: case ST_BI_UINT_ARG: case ST_BI_U32_ARG:
	case ST_BI_POINTER_ARG: case ST_BI_ULONG_ARG: case ST_BI_LONG_ARG:
	case ST_BI_U64_ARG: case ST_BI_S64_ARG:
		return true;
	}
	return false;
}

/* user_string*(addr) at a tracepoint, addr a pointer field ($ptr, or
 * pointer_arg(N) at a syscall entry): ask the backend to copy the string
 * at the event, while the pointer is valid. */
static void ustring_capture(struct lower *L, const struct st_expr *addr)
{
	const char *field = NULL;
	enum st_type t;

	if (addr->kind == ST_E_TARGET) {
		if (st_family_var(L->catalog, &L->fp, addr->str, true, &field, &t) != ST_CTX_FIELD)
			field = NULL;
	} else if (syscall_arg_call(addr)) {
		field = st_syscall_arg_field(L->catalog, &L->fp, syscall_arg_call(addr));
	}
	if (field)
		source_capture(L, field);
}

/* task_cpu($p), task_execname($p) ... of a task_struct pointer argument
 * at a tracepoint: the task's fields as they are at the event (stap reads
 * them there), not from /proc later, when the task may have moved on. */
static bool task_call_to(struct lower *L, const struct st_expr *e, uint32_t dst)
{
	static const struct { int builtin; const char *member; } m[] = {
		{ ST_BI_TASK_CPU, "cpu" }, { ST_BI_TASK_CPU, "thread_info->cpu" },   /* by kernel config */
		{ ST_BI_TASK_STATE, "__state" }, { ST_BI_TASK_STATE, "state" },
		{ ST_BI_TASK_TID, "pid" }, { ST_BI_TASK_PID, "tgid" },
	};
	struct st_btf_cap cap;
	char path[512], msg[512];
	const char *f = NULL;
	int rc;

	if (L->source < 0 || L->fp.kind != ST_SRC_TRACEPOINT || L->fp.syscall || e->func || e->nargs != 1 ||
	    e->args[0]->kind != ST_E_TARGET || !st_btf_expr_path(e->args[0], path, sizeof(path)) ||
	    st_btf_tp_resolve(L->fp.event, path, &cap, msg, sizeof(msg)) < 0 || !cap.is_task)
		return false;
	if (e->builtin == ST_BI_TASK_EXECNAME) {
		/* comm is a char array: its string, read in the capture program */
		struct st_expr comm = { .kind = ST_E_MEMBER, .a = e->args[0], .str = "comm", .loc = e->loc,
					.near = e->near, .type = ST_T_STRING };

		return chain_to(L, &comm, true, 0, dst) > 0 || L->err;
	}
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]) && !f; i++) {
		if (m[i].builtin != e->builtin || !st_btf_expr_path(e->args[0], path, sizeof(path)))
			continue;
		/* a member the kernel lacks (cpu moves by config): the next one */
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "->%s", m[i].member);
		if (st_btf_tp_resolve(L->fp.event, path, &cap, msg, sizeof(msg)) == 0)
			f = st_btf_source_field(&L->plan->sources[L->source], L->plan->arena, L->fp.event, path, msg,
						sizeof(msg), &rc);
	}
	if (!f)
		return false;
	field_load(L, e, f, dst);
	return true;
}

/* int_arg(N) ... from the calling convention, register("rdi"),
 * returnval() at a kprobe: fetched by the kprobe at the event. */
static bool kprobe_call_to(struct lower *L, const struct st_expr *e, uint32_t dst)
{
	const char *t = NULL;
	char f[48];

	if (e->func)
		return false;
	switch (e->builtin) {
	case ST_BI_INT_ARG: case ST_BI_S32_ARG: t = "s32"; break;
	case ST_BI_UINT_ARG: case ST_BI_U32_ARG: t = "u32"; break;
	case ST_BI_LONG_ARG: case ST_BI_S64_ARG: t = "s64"; break;
	case ST_BI_ULONG_ARG: case ST_BI_POINTER_ARG: case ST_BI_U64_ARG: t = "u64"; break;
	case ST_BI_REGISTER: case ST_BI_U_REGISTER:
		if (e->args[0]->kind != ST_E_STR || !st_kernel_reg_field(e->args[0]->str, f, sizeof(f))) {
			fail(L, &e->loc, "%s: unknown register name%s", st_builtins[e->builtin].name,
			     e->args[0]->kind == ST_E_STR ? "" : " (a constant string is needed)");
			return true;
		}
		field_load(L, e, f, dst);
		if (e->builtin == ST_BI_U_REGISTER && strstr(f, "_32")) {
			/* the unsigned 32-bit view: mask the sign extension */
			uint32_t save = L->top;

			E(L, e, ST_OP_AND, 0, dst, dst, load_num(L, e, 0xffffffffll));
			L->top = save;
		}
		return true;
	case ST_BI_RETURNVAL:
		if (!L->fp.is_return)
			return false;
		field_load(L, e, "kretval", dst);
		return true;
	default:
		return false;
	}
	if (e->args[0]->kind != ST_E_NUM || !st_kernel_arg_field(e->args[0]->num, t, f, sizeof(f)))
		return false;
	field_load(L, e, f, dst);
	return true;
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
		const char *f = st_family_string_field(&L->fp, e->args[0]->str,
						       e->builtin == ST_BI_USER_STRING || e->builtin == ST_BI_USER_STRING_N);

		if (f) {
			field_load(L, e, f, dst);
			return;
		}
	}
	if (L->source >= 0 && L->fp.kind == ST_SRC_KPROBE && kprobe_call_to(L, e, dst))
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

static const struct st_fmt *own_fmt(struct lower *L, const struct st_loc *loc, char *text, size_t len);

/* $$parms, $$vars, $x$ ... at a uprobe: sprintf of the targets they print. */
static bool pretty_to(struct lower *L, const struct st_expr *e, uint32_t dst)
{
	char fmt[1024], targets[32][64];
	const struct st_fmt *f;
	uint32_t base;
	int n = st_family_pretty(&L->fp, e->str, fmt, sizeof(fmt), targets, 32);

	if (n < 0)
		return false;
	base = temp(L, n ? (uint32_t)n : 1);
	for (int i = 0; i < n; i++) {
		struct st_expr t = { .kind = ST_E_TARGET, .type = ST_T_LONG, .loc = e->loc, .near = e->near,
				     .str = targets[i] };

		target_to(L, &t, base + (uint32_t)i);
	}
	f = own_fmt(L, &e->loc, strdup(fmt), strlen(fmt));
	if (f)
		E(L, e, ST_OP_FORMAT, 1, dst, base, fmt_const(L, f));
	return true;
}

static void expr_to(struct lower *L, const struct st_expr *e, uint32_t dst)
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
		a = expr_any(L, e->a);
		b = expr_any(L, e->b);
		E(L, e, e->kind == ST_E_CONCAT ? ST_OP_CONCAT : binary_op(e->op), 0, dst, a, b);
		break;
	case ST_E_COMPARE:
		a = expr_any(L, e->a);
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

/* Parse a synthesised format (text is freed) into one the plan owns. */
static const struct st_fmt *own_fmt(struct lower *L, const struct st_loc *loc, char *text, size_t len)
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

/* ---- statements ---- */

static void stmt(struct lower *L, const struct st_stmt *s);

/* ---- action counting (MAXACTION), as stap 4.8's translator does it ----
 *
 * A body with no loops that calls only such functions checks once at entry
 * that its longest path fits (ST_OP_TICK aux 1: actions_left < N fails) and
 * subtracts nothing.  Any other body keeps a running count: statements are
 * queued in L->pending and subtracted (ST_OP_TICK aux 0, failing at <= 0)
 * at stap's fixed points, or as soon as ten are queued.  The error names
 * the statement token at that point. */

static bool stmt_loopy(struct lower *L, const struct st_stmt *s);

static bool func_loopy(struct lower *L, const struct st_function *f);

static bool expr_loopy(struct lower *L, const struct st_expr *e)
{
	uint32_t i;

	if (!e)
		return false;
	if (e->kind == ST_E_CALL && e->func && func_loopy(L, e->func))
		return true;
	if (expr_loopy(L, e->a) || expr_loopy(L, e->b) || expr_loopy(L, e->c))
		return true;
	for (i = 0; i < e->nargs; i++)
		if (expr_loopy(L, e->args[i]))
			return true;
	return false;
}

static bool stmt_loopy(struct lower *L, const struct st_stmt *s)
{
	uint32_t i;

	if (!s)
		return false;
	switch (s->kind) {
	case ST_S_WHILE:
	case ST_S_FOR:
	case ST_S_FOREACH:
		return true;
	case ST_S_BLOCK:
		for (i = 0; i < s->nbody; i++)
			if (stmt_loopy(L, s->body[i]))
				return true;
		return false;
	default:
		return expr_loopy(L, s->expr) || expr_loopy(L, s->cond) || stmt_loopy(L, s->then) ||
		       stmt_loopy(L, s->els);
	}
}

static uint32_t stmt_cost(struct lower *L, const struct st_stmt *s);

/* A loop-free function's longest path; recursion counts as a loop. */
static bool func_loopy(struct lower *L, const struct st_function *f)
{
	uint8_t *st = &L->fstate[f->index];

	if (*st == 0) {
		*st = 1;
		if (f->body && stmt_loopy(L, f->body)) {
			*st = 3;
		} else {
			L->fcost[f->index] = f->body ? stmt_cost(L, f->body) : 0;
			if (*st == 1)
				*st = 2;
		}
	} else if (*st == 1) {
		*st = 3;
	}
	return *st == 3;
}

/* The calls in an expression: each adds its callee's longest path. */
static uint32_t expr_cost(struct lower *L, const struct st_expr *e)
{
	uint32_t i, n = 0;

	if (!e)
		return 0;
	if (e->kind == ST_E_CALL && e->func && !func_loopy(L, e->func))
		n += L->fcost[e->func->index];
	n += expr_cost(L, e->a) + expr_cost(L, e->b) + expr_cost(L, e->c);
	for (i = 0; i < e->nargs; i++)
		n += expr_cost(L, e->args[i]);
	return n;
}

static uint32_t stmt_cost(struct lower *L, const struct st_stmt *s)
{
	uint32_t i, n = 0, t, e;

	if (!s)
		return 0;
	switch (s->kind) {
	case ST_S_NULL:
		return 0;
	case ST_S_BLOCK:
		for (i = 0; i < s->nbody; i++)
			n += stmt_cost(L, s->body[i]);
		return n;
	case ST_S_IF:
		t = stmt_cost(L, s->then);
		e = stmt_cost(L, s->els);
		return 1 + expr_cost(L, s->cond) + (t > e ? t : e);
	case ST_S_TRY:
		return stmt_cost(L, s->then) + stmt_cost(L, s->els);
	case ST_S_RETURN:      /* stap does not count a return value's calls */
	case ST_S_BREAK:
	case ST_S_CONTINUE:
	case ST_S_NEXT:
		return 1;
	default:
		return 1 + expr_cost(L, s->expr);
	}
}

/* stap names a one-statement block by its statement. */
static const struct st_stmt *tok_stmt(const struct st_stmt *s)
{
	while (s && s->kind == ST_S_BLOCK && s->nbody == 1)
		s = s->body[0];
	return s;
}

/* stap's record_actions(n, tok, update). */
static void count(struct lower *L, uint32_t n, const struct st_loc *loc, const char *near, bool update)
{
	if (!L->running)
		return;
	L->pending += n;
	if ((update && L->pending > 0) || L->pending >= 10) {
		emit(L, loc, near, ST_OP_TICK, 0, 0, L->pending & 0xffff, L->pending >> 16);
		L->pending = 0;
	}
}

static void count_s(struct lower *L, uint32_t n, const struct st_stmt *s, bool update)
{
	s = tok_stmt(s);
	if (s)
		count(L, n, &s->loc, s->near, update);
}

/* After a call: a loop-free callee's longest path, and any queued count. */
static void count_call(struct lower *L, const struct st_expr *e)
{
	if (L->running && !(e->func && func_loopy(L, e->func)))
		count(L, e->func ? L->fcost[e->func->index] : 0, &e->loc, e->near, true);
}

/* A body's start: pick the mode; a loop-free body checks its longest path
 * (a function's failure names its declaration, a probe's nothing). */
static void count_begin(struct lower *L, const struct st_stmt *body, const struct st_function *f)
{
	uint32_t n;

	L->pending = 0;
	L->running = false;
	if (f ? func_loopy(L, f) : stmt_loopy(L, body)) {
		L->running = true;
		return;
	}
	n = f ? L->fcost[f->index] : stmt_cost(L, body);
	if (!n)
		return;
	if (f) {
		char near[300];

		snprintf(near, sizeof(near), "identifier '%s'", f->name);
		emit(L, &f->loc, st_arena_strndup(L->plan->arena, near, strlen(near), sizeof(near)),
		     ST_OP_TICK, 1, 0, n & 0xffff, n >> 16);
	} else {
		emit(L, NULL, NULL, ST_OP_TICK, 1, 0, n & 0xffff, n >> 16);
	}
}

static void count_end(struct lower *L, const struct st_stmt *body)
{
	count_s(L, 0, body, true);
	L->running = false;
}

static void cond_jump_false(struct lower *L, const struct st_expr *c, struct patch_list *out)
{
	uint32_t save = L->top, r = expr_any(L, c);

	patch_add(out, E(L, c, ST_OP_JZ, 0, r, 0, 0));
	L->top = save;
}

static void loop_body(struct lower *L, const struct st_stmt *body, struct loop *lp)
{
	lp->outer = L->loop;
	L->loop = lp;
	stmt(L, body);
	L->loop = lp->outer;
}

/* foreach (b in @hist_xxx(x)): stap walks every bucket index of the shape,
 * empty ones included, so this is a plain counting loop over 0..nbuckets-1
 * (capped by `limit`); the body reads counts through @hist_xxx(x)[b]. */
static void hist_foreach_stmt(struct lower *L, const struct st_stmt *s)
{
	const struct st_expr *h = s->fe_array;
	const struct st_expr *var = h->a->kind == ST_E_INDEX ? h->a->a : h->a;
	const struct st_plan_global *pg = &L->plan->globals[global_index(L, var)];
	uint32_t n = pg->is_array ? pg->map.shape.nbuckets : pg->shape.nbuckets;
	uint32_t save = L->top, b, lim, cond, one, top, exit_j, k;
	struct loop lp = { 0 };

	if (s->fe_nkeys != 1 || s->fe_value || s->fe_filter || s->fe_sort_dir) {
		fail(L, &s->loc, "foreach over histogram buckets takes one key and no sort");
		return;
	}
	b = s->fe_keys[0]->sym->index;
	lim = temp(L, 1);
	cond = temp(L, 1);
	one = temp(L, 1);
	k = num_const(L, n);
	emit(L, &s->loc, s->near, ST_OP_LOADN, 0, lim, k & 0xffff, k >> 16);
	if (s->fe_limit) {
		uint32_t r = expr_any(L, s->fe_limit), j;

		/* the smaller of the bucket count and the limit */
		emit(L, &s->loc, s->near, ST_OP_CMP, '<', cond, r, lim);
		j = emit(L, &s->loc, s->near, ST_OP_JZ, 0, cond, 0, 0);
		emit(L, &s->loc, s->near, ST_OP_MOV, 0, lim, r, 0);
		set_target(L, j, here(L));
	}
	k = num_const(L, 0);
	emit(L, &s->loc, s->near, ST_OP_LOADN, 0, b, k & 0xffff, k >> 16);
	k = num_const(L, 1);
	emit(L, &s->loc, s->near, ST_OP_LOADN, 0, one, k & 0xffff, k >> 16);
	count(L, 1, &s->loc, s->near, true);
	top = emit(L, &s->loc, s->near, ST_OP_CMP, '<', cond, b, lim);
	exit_j = emit(L, &s->loc, s->near, ST_OP_JZ, 0, cond, 0, 0);
	{
		const struct st_symbol *ps = L->hist_fe_stat, *pk = L->hist_fe_key;

		L->hist_fe_stat = var->kind == ST_E_VAR && h->a->kind != ST_E_INDEX ? var->sym : NULL;
		L->hist_fe_key = s->fe_keys[0]->sym;
		loop_body(L, s->then, &lp);
		L->hist_fe_stat = ps;
		L->hist_fe_key = pk;
	}
	count_s(L, 1, s->then, true);
	patch_all(L, &lp.continues, here(L));
	emit(L, &s->loc, s->near, ST_OP_ADD, 0, b, b, one);
	set_target(L, emit(L, &s->loc, s->near, ST_OP_JMP, 0, 0, 0, 0), top);
	set_target(L, exit_j, here(L));
	patch_all(L, &lp.breaks, here(L));
	L->top = save;
}

static void foreach_stmt(struct lower *L, const struct st_stmt *s)
{
	struct st_plan *p = L->plan;
	struct st_plan_foreach *fe;
	struct loop lp = { 0 };
	uint32_t slot = L->iter_depth++, keybase, valreg = ST_REG_NONE, limit = ST_REG_NONE;
	uint32_t filt = 0, mask = 0, top, i, save = L->top, idx;

	if (s->fe_array->kind == ST_E_HIST) {
		L->iter_depth--;
		hist_foreach_stmt(L, s);
		return;
	}
	if (L->iter_depth > L->code->niters)
		L->code->niters = L->iter_depth;
	GROW(p->foreachs, p->nforeachs, L->cap_fe);
	idx = p->nforeachs++;
	fe = &p->foreachs[idx];
	memset(fe, 0, sizeof(*fe));
	fe->global = global_index(L, s->fe_array);
	fe->sort_column = s->fe_sort_column;
	fe->sort_dir = s->fe_sort_dir;
	fe->sort_agg = s->fe_sort_agg;
	fe->nkeys = s->fe_nkeys;
	if (s->fe_limit)
		limit = expr_any(L, s->fe_limit);
	if (s->fe_filter) {
		filt = keys_to_regs(L, s->fe_filter, s->fe_nkeys, &mask);
		p->foreachs[idx].filter_mask = mask;
	}
	emit(L, &s->loc, s->near, ST_OP_ITER_INIT, 0, slot, limit, idx);
	emit(L, &s->loc, s->near, ST_OP_NOP, 0, filt, 0, 0);
	keybase = temp(L, s->fe_nkeys);
	if (s->fe_value)
		valreg = s->fe_value->sym->index;
	count(L, 1, &s->loc, s->near, true);
	top = emit(L, &s->loc, s->near, ST_OP_ITER_NEXT, 0, slot, 0, 0);
	count(L, 1, &s->loc, s->near, false);
	emit(L, &s->loc, s->near, ST_OP_NOP, 0, keybase, valreg, 0);
	for (i = 0; i < s->fe_nkeys; i++)
		if (s->fe_keys[i]->sym->index != keybase + i)
			emit(L, &s->loc, s->near, ST_OP_MOV, 0, s->fe_keys[i]->sym->index, keybase + i, 0);
	loop_body(L, s->then, &lp);
	count_s(L, 0, s->then, true);
	patch_all(L, &lp.continues, top);
	set_target(L, emit(L, &s->loc, s->near, ST_OP_JMP, 0, 0, 0, 0), top);
	set_target(L, top, here(L));
	patch_all(L, &lp.breaks, here(L));
	emit(L, &s->loc, s->near, ST_OP_ITER_END, 0, slot, 0, 0);
	L->iter_depth--;
	L->top = save;
}

static void delete_stmt(struct lower *L, const struct st_stmt *s)
{
	const struct st_expr *t = s->expr;
	uint32_t base, mask;

	if (t->kind == ST_E_VAR) {
		if (t->sym->kind == ST_SYM_LOCAL) {
			uint32_t k = t->type == ST_T_STRING ? str_const(L, "") : num_const(L, 0);

			emit(L, &s->loc, s->near, t->type == ST_T_STRING ? ST_OP_LOADS : ST_OP_LOADN, 0,
			     t->sym->index, k & 0xffff, k >> 16);
			return;
		}
		emit(L, &s->loc, s->near, ST_OP_GCLEAR, 0, 0, t->sym->index, 0);
		return;
	}
	if (t->kind != ST_E_INDEX) {
		fail(L, &s->loc, "cannot delete this expression");
		return;
	}
	base = keys_to_regs(L, t->args, t->nargs, &mask);
	if (mask == (1u << t->nargs) - 1)
		emit(L, &s->loc, s->near, ST_OP_MDEL, 0, 0, global_index(L, t->a), base);
	else
		emit(L, &s->loc, s->near, ST_OP_MDELW, mask, 0, global_index(L, t->a), base);
}

static void try_stmt(struct lower *L, const struct st_stmt *s)
{
	uint32_t reg = s->catch_var ? s->catch_var->sym->index : ST_REG_NONE;
	uint32_t t, j;

	L->try_depth++;
	if (L->try_depth > L->code->ntries)
		L->code->ntries = L->try_depth;
	count(L, 0, &s->loc, s->near, true);
	t = emit(L, &s->loc, s->near, ST_OP_TRY, 0, reg, 0, 0);
	stmt(L, s->then);
	count_s(L, 0, s->then, true);
	emit(L, &s->loc, s->near, ST_OP_TRY_END, 0, 0, 0, 0);
	L->try_depth--;
	j = emit(L, &s->loc, s->near, ST_OP_JMP, 0, 0, 0, 0);
	set_target(L, t, here(L));
	/* catching counts one more */
	count(L, 1, &s->loc, s->near, true);
	if (s->els) {
		stmt(L, s->els);
		count_s(L, 0, s->els, true);
	}
	set_target(L, j, here(L));
}

static void stmt(struct lower *L, const struct st_stmt *s)
{
	struct patch_list out = { 0 };
	struct loop lp = { 0 };
	uint32_t save = L->top, top, i, r;

	if (!s || L->err)
		return;
	switch (s->kind) {
	case ST_S_NULL:
		break;
	case ST_S_BLOCK:
		for (i = 0; i < s->nbody; i++)
			stmt(L, s->body[i]);
		break;
	case ST_S_EXPR:
		r = temp(L, 1);
		expr_to(L, s->expr, r);
		count_s(L, 1, s, false);
		break;
	case ST_S_IF:
		count(L, 1, &s->loc, s->near, true);
		cond_jump_false(L, s->cond, &out);
		stmt(L, s->then);
		count_s(L, 0, s->then, true);
		if (s->els) {
			uint32_t j = emit(L, &s->loc, s->near, ST_OP_JMP, 0, 0, 0, 0);

			patch_all(L, &out, here(L));
			stmt(L, s->els);
			count_s(L, 0, s->els, true);
			set_target(L, j, here(L));
		} else {
			patch_all(L, &out, here(L));
		}
		break;
	case ST_S_WHILE:
	case ST_S_FOR:
		if (s->kind == ST_S_FOR && s->init) {
			r = temp(L, 1);
			expr_to(L, s->init, r);
			count(L, 1, &s->init->loc, s->init->near, false);
			L->top = save;
		}
		count(L, 1, &s->loc, s->near, true);
		top = here(L);
		count(L, 1, &s->loc, s->near, false);
		if (s->cond)
			cond_jump_false(L, s->cond, &out);
		loop_body(L, s->then, &lp);
		count_s(L, 0, s->then, true);
		patch_all(L, &lp.continues, here(L));
		if (s->kind == ST_S_FOR && s->step) {
			r = temp(L, 1);
			expr_to(L, s->step, r);
			count(L, 1, &s->step->loc, s->step->near, false);
			L->top = save;
		}
		set_target(L, emit(L, &s->loc, s->near, ST_OP_JMP, 0, 0, 0, 0), top);
		patch_all(L, &out, here(L));
		patch_all(L, &lp.breaks, here(L));
		break;
	case ST_S_FOREACH:
		foreach_stmt(L, s);
		break;
	case ST_S_BREAK:
	case ST_S_CONTINUE:
		if (!L->loop) {
			/* stap's translator (pass 3) refuses it the same way */
			fail(L, &s->loc, "cannot '%s' outside loop: keyword", s->kind == ST_S_BREAK ? "break" : "continue");
			break;
		}
		count(L, 1, &s->loc, s->near, true);
		patch_add(s->kind == ST_S_BREAK ? &L->loop->breaks : &L->loop->continues,
			  emit(L, &s->loc, s->near, ST_OP_JMP, 0, 0, 0, 0));
		break;
	case ST_S_NEXT:
		count(L, 1, &s->loc, s->near, true);
		emit(L, &s->loc, s->near, ST_OP_NEXT, 0, 0, 0, 0);
		break;
	case ST_S_RETURN:
		if (s->expr) {
			r = expr_any(L, s->expr);
			count(L, 1, &s->loc, s->near, true);
			emit(L, &s->loc, s->near, ST_OP_RET, 0, r, 0, 0);
		} else {
			count(L, 1, &s->loc, s->near, true);
			emit(L, &s->loc, s->near, ST_OP_RET0, 0, 0, 0, 0);
		}
		break;
	case ST_S_DELETE:
		delete_stmt(L, s);
		count(L, 1, &s->loc, s->near, false);
		break;
	case ST_S_TRY:
		try_stmt(L, s);
		break;
	}
	L->top = save;
}

/* ---- code units ---- */

static struct st_code *code_begin(struct lower *L, const char *name, uint32_t nlocals)
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
static void string_locals(struct lower *L, struct st_symbol *const *locals, uint32_t nlocals, uint32_t from)
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

static void lower_function(struct lower *L, const struct st_function *f)
{
	struct st_code *k = code_begin(L, f->name, f->nlocals);

	string_locals(L, f->locals, f->nlocals, f->nparams);

	k->nparams = f->nparams;
	k->ret = f->type;
	L->source = -1;
	L->pi = NULL;
	/* unreachable (tapset) functions were never resolved: an empty body
	 * keeps code indexes equal to function indexes */
	if (f->body && f->used) {
		count_begin(L, f->body, f);
		stmt(L, f->body);
		count_end(L, f->body);
	}
	emit(L, &f->loc, NULL, ST_OP_RET0, 0, 0, 0, 0);
}

static int source_for(struct lower *L, const struct st_family_point *fp, const struct st_probe_inst *pi)
{
	struct st_plan *p = L->plan;
	struct st_source *s;
	char name[300];
	uint32_t i;

	switch (fp->kind) {
	case ST_SRC_TRACEPOINT:
	case ST_SRC_UPROBE:
	case ST_SRC_KPROBE:
		snprintf(name, sizeof(name), "%s:%s", fp->system, fp->event);
		break;
	case ST_SRC_TIMER:
		snprintf(name, sizeof(name), "timer:%llu", (unsigned long long)fp->period_ns);
		break;
	default:
		snprintf(name, sizeof(name), "%s", pi->pp);
		break;
	}
	/* Tracepoints and timers are shared by every probe on them; begin/end
	 * each get their own so that their sequence numbers order them. */
	if (fp->kind == ST_SRC_TRACEPOINT || fp->kind == ST_SRC_UPROBE || fp->kind == ST_SRC_KPROBE)
		for (i = 0; i < p->nsources; i++)
			if (p->sources[i].kind == fp->kind && strcmp(p->sources[i].name, name) == 0)
				return (int)i;
	GROW(p->sources, p->nsources, L->cap_sources);
	s = &p->sources[p->nsources];
	memset(s, 0, sizeof(*s));
	s->kind = fp->kind;
	s->name = (char *)st_arena_strndup(p->arena, name, strlen(name), strlen(name));
	s->seq = fp->seq;
	s->period_ns = fp->period_ns;
	s->optional = pi->point->optional;
	st_family_source_init(s, fp, p->arena);
	if (fp->kind == ST_SRC_PERF) {
		s->perf_type = fp->perf_type;
		s->perf_config = fp->perf_config;
		s->perf_period = fp->perf_period;
		s->perf_freq = fp->perf_freq;
	}
	if (fp->kind == ST_SRC_TRACEPOINT || fp->kind == ST_SRC_UPROBE || fp->kind == ST_SRC_KPROBE) {
		s->system = (char *)st_arena_strndup(p->arena, fp->system, strlen(fp->system), 127);
		s->event = (char *)st_arena_strndup(p->arena, fp->event, strlen(fp->event), 127);
	}
	return (int)p->nsources++;
}

/* A syscall argument into dst: as its variable reads (printing false) or as
 * argstr prints it (printing true: flags become their symbolic strings). */
static void syscall_arg_load(struct lower *L, const struct st_expr *at, const char *field, char conv, bool printing,
			     uint32_t dst)
{
	int bi = -1;

	switch (conv) {
	case 'S': bi = ST_BI_USER_STRING_QUOTED; break;
	case 'O': bi = printing ? ST_BI_OPEN_FLAG_STR : -1; break;
	case 'P': bi = printing ? ST_BI_MPROT_STR : -1; break;
	case 'M': bi = printing ? ST_BI_MMAP_FLAGS : -1; break;
	case 'C': bi = printing ? ST_BI_FORK_FLAGS : -1; break;
	case 'G': bi = printing ? ST_BI_SIGNAL_NAME : -1; break;
	case 'D': bi = printing ? ST_BI_DFD_STR : -1; break;
	}
	if (bi < 0) {
		field_load(L, at, field, dst);
		if (conv == 'd' || conv == 'G') {
			/* int arguments travel as unsigned longs: stap's __int32() */
			uint32_t save = L->top, r = temp(L, 1), k = num_const(L, 32);

			E(L, at, ST_OP_LOADN, 0, r, k & 0xffff, k >> 16);
			E(L, at, ST_OP_SHL, 0, dst, dst, r);
			E(L, at, ST_OP_SHR, 0, dst, dst, r);
			L->top = save;
		}
		return;
	} else {
		uint32_t save = L->top, r = temp(L, 1);

		field_load(L, at, field, r);
		E(L, at, ST_OP_BUILTIN, (uint32_t)bi & 0xff, dst, r, (uint32_t)bi >> 8);
		L->top = save;
	}
}

/* argstr: the arguments as stap's syscall tapset prints them, through a
 * synthesised format. */
static void syscall_argstr(struct lower *L, const struct st_expr *at, uint32_t dst)
{
	struct st_syscall_arg a[8];
	uint32_t n = st_syscall_args(L->catalog, &L->fp, a, 8), i, k = 0, base, save = L->top;
	char text[256] = "";
	struct st_fmt *f;
	char *err = NULL;
	size_t errpos;

	for (i = 0; i < n; i++) {
		const char *conv;

		switch (a[i].conv) {
		case '-': continue;
		case 'd': conv = "%d"; break;
		case 'u': conv = "%u"; break;
		case 'p': conv = "%p"; break;
		case 'x': conv = "%#x"; break;
		case 'o': conv = "%#o"; break;
		default: conv = "%s"; break;
		}
		if (k++)
			strcat(text, ", ");
		strcat(text, conv);
	}
	base = temp(L, k ? k : 1);
	for (i = 0, k = 0; i < n; i++)
		if (a[i].conv != '-')
			syscall_arg_load(L, at, a[i].field, a[i].conv, true, base + k++);
	f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	L->plan->owned_fmts = realloc(L->plan->owned_fmts, sizeof(f) * (L->plan->nowned_fmts + 1));
	if (!L->plan->owned_fmts)
		abort();
	L->plan->owned_fmts[L->plan->nowned_fmts++] = f;
	if (st_fmt_parse(text, strlen(text), f, &err, &errpos) < 0) {
		fail(L, &at->loc, "internal: argstr format: %s", err ? err : "?");
		free(err);
		return;
	}
	E(L, at, ST_OP_FORMAT, 1, dst, base, fmt_const(L, f));
	L->top = save;
}

static void bind_context(struct lower *L, const struct st_probe_inst *pi)
{
	uint32_t i;

	for (i = 0; i < pi->nbindings; i++) {
		const struct st_ctxvar_binding *b = &pi->bindings[i];
		const char *field = NULL;
		enum st_type t;
		struct st_expr fake = { 0 };

		fake.loc = pi->point->loc;
		fake.near = b->name;
		switch (st_family_var(L->catalog, &L->fp, b->name, false, &field, &t)) {
		case ST_CTX_FIELD:
			field_load(L, &fake, field, b->sym->index);
			break;
		case ST_CTX_SYSCALL_NAME: {
			uint32_t k = str_const(L, L->fp.syscall_name);

			E(L, &fake, ST_OP_LOADS, 0, b->sym->index, k & 0xffff, k >> 16);
			break;
		}
		case ST_CTX_SYSCALL_ARG:
			syscall_arg_load(L, &fake, field, st_syscall_conv(L->catalog, &L->fp, b->name), false,
					 b->sym->index);
			break;
		case ST_CTX_SYSCALL_RETSTR: {
			uint32_t save = L->top, r = temp(L, 1);

			field_load(L, &fake, field, r);
			E(L, &fake, ST_OP_BUILTIN, ST_BI_RETSTR & 0xff, b->sym->index, r, ST_BI_RETSTR >> 8);
			L->top = save;
			break;
		}
		case ST_CTX_SYSCALL_ARGSTR:
			syscall_argstr(L, &fake, b->sym->index);
			break;
		default:
			fail(L, &pi->point->loc, "cannot bind '%s' at %s", b->name, pi->pp);
		}
	}
}

/* ---- @entry: a .return probe's paired entry handler ----
 *
 * @entry(expr), and parameters read in a .return probe (stap reads them at
 * the entry), are evaluated by a handler on the entry uprobe, which pushes
 * them on a per-thread stack; the return handler pops them first thing. */

static void entry_collect_e(struct lower *L, const struct st_expr *e);

static bool entry_consts(const struct st_expr *e)
{
	for (uint32_t i = 1; i < e->nargs; i++)
		if (e->args[i]->kind != ST_E_NUM && e->args[i]->kind != ST_E_STR)
			return false;
	return true;
}

/* An entry slot's expression evaluated at the entry: @entry(x) is x, and
 * f(@entry(p), consts) is f(p, consts). */
static void entry_eval(struct lower *L, const struct st_expr *e, uint32_t r)
{
	struct st_expr call, *args[8];

	if (e->kind == ST_E_ENTRY) {
		expr_to(L, e->a, r);
		return;
	}
	if (e->kind != ST_E_CALL || e->nargs > 8 || e->args[0]->kind != ST_E_ENTRY) {
		expr_to(L, e, r);
		return;
	}
	call = *e;
	memcpy(args, e->args, sizeof(*args) * e->nargs);
	args[0] = e->args[0]->a;
	call.args = args;
	expr_to(L, &call, r);
}

/* $arg in a syscall .return probe: a parameter, read at the entry as stap
 * reads a function's parameters in its .return probes. */
static bool syscall_entry_var(struct lower *L, const char *name)
{
	struct st_family_point efp;
	const char *field = NULL;
	enum st_type t;

	if (!L->fp.syscall || !L->fp.is_return || name[0] != '$' || name[1] == '$' || !strcmp(name, "$return") ||
	    st_family_entry_point(&L->fp, &efp) < 0)
		return false;
	return st_family_var(L->catalog, &efp, name, true, &field, &t) == ST_CTX_FIELD;
}

static void entry_add(struct lower *L, const struct st_expr *e)
{
	GROW(L->eslot, L->neslot, L->cap_eslot);
	L->eslot[L->neslot++] = e;
}

static void entry_collect_e(struct lower *L, const struct st_expr *e)
{
	if (!e)
		return;
	if (e->kind == ST_E_ENTRY) {
		entry_add(L, e);
		return;
	}
	if (e->kind == ST_E_TARGET && (st_family_entry_var(&L->fp, e->str) || syscall_entry_var(L, e->str) ||
	    (st_family_dynamic(&L->fp) && L->fp.is_return && strncmp(e->str, "$return", 7) &&
	     ((!strncmp(e->str, "$$", 2) && strcmp(e->str, "$$return") && strcmp(e->str, "$$name")) ||
	      (e->str[1] != '$' && e->str[strlen(e->str) - 1] == '$'))))) {
		entry_add(L, e);
		return;
	}
	/* user_string($param): the string at the entry, as the entry fetched it */
	if (is_user_string_call(e) && e->args[0]->kind == ST_E_TARGET && entry_consts(e) &&
	    (st_family_entry_var(&L->fp, e->args[0]->str) || syscall_entry_var(L, e->args[0]->str))) {
		entry_add(L, e);
		return;
	}
	/* int_arg(N) and its kin in a syscall .return probe: the argument as
	 * it was at the entry (the return event carries only the result) */
	if (L->fp.syscall && L->fp.is_return && is_arg_call(e)) {
		entry_add(L, e);
		return;
	}
	/* user_string(@entry(p)): the string is read at the entry, where p is
	 * still valid (a capture there), as long as the rest is constant */
	if (is_user_string_call(e) && e->args[0]->kind == ST_E_ENTRY && entry_consts(e)) {
		entry_add(L, e);
		return;
	}
	entry_collect_e(L, e->a);
	entry_collect_e(L, e->b);
	entry_collect_e(L, e->c);
	for (uint32_t i = 0; i < e->nargs; i++)
		entry_collect_e(L, e->args[i]);
}

static void entry_collect_s(struct lower *L, const struct st_stmt *s)
{
	if (!s)
		return;
	entry_collect_e(L, s->expr);
	entry_collect_e(L, s->cond);
	entry_collect_e(L, s->init);
	entry_collect_e(L, s->step);
	entry_collect_e(L, s->fe_limit);
	if (s->fe_filter)
		for (uint32_t i = 0; i < s->fe_nkeys; i++)
			entry_collect_e(L, s->fe_filter[i]);
	entry_collect_s(L, s->then);
	entry_collect_s(L, s->els);
	for (uint32_t i = 0; i < s->nbody; i++)
		entry_collect_s(L, s->body[i]);
}

static void lower_entry_pair(struct lower *L, const struct st_probe_inst *pi)
{
	struct st_plan *p = L->plan;
	struct st_family_point ret = L->fp;
	struct st_plan_probe *pp;
	uint32_t code, save, n;
	int src;

	entry_collect_e(L, pi->cond);
	entry_collect_s(L, pi->body);
	if (!(n = L->neslot))
		return;
	if (st_family_entry_point(&ret, &L->fp) < 0) {
		fail(L, &pi->point->loc, "no entry point to pair with %s", pi->pp);
		return;
	}
	src = source_for(L, &L->fp, pi);
	code = p->ncode;
	code_begin(L, pi->pp, pi->nlocals);
	string_locals(L, pi->locals, pi->nlocals, 0);
	L->source = src;
	E(L, &(struct st_expr){ .loc = pi->point->loc }, ST_OP_EPUSH, 0, 0, n, L->npairs);
	L->neslot = 0;      /* evaluate for real here, not from the stash */
	for (uint32_t i = 0; i < n; i++) {
		const struct st_expr *e = L->eslot[i];
		uint32_t r;

		save = L->top;
		r = temp(L, 1);
		entry_eval(L, e, r);
		E(L, e, ST_OP_ESET, e->type == ST_T_STRING, r, i, L->npairs);
		L->top = save;
	}
	L->neslot = n;
	emit(L, &pi->point->loc, NULL, ST_OP_RET0, 0, 0, 0, 0);
	st_family_source_fetch(&p->sources[src], &L->fp, p->arena);
	GROW(p->probes, p->nprobes, L->cap_probes);
	pp = &p->probes[p->nprobes++];
	memset(pp, 0, sizeof(*pp));
	pp->source = (uint32_t)src;
	pp->code = code;
	pp->pp = pi->pp;
	pp->pn = pi->user_pp ? pi->user_pp : pi->pp;
	pp->target_scoped = L->fp.target_scoped;
	L->npairs++;
	L->fp = ret;
}

/* ---- stacks: which handlers read the callchain at the event ---- */

static unsigned stmt_stack(struct lower *L, const struct st_stmt *s);

static unsigned builtin_stack(int id)
{
	switch (id) {
	case ST_BI_BACKTRACE: case ST_BI_PRINT_BACKTRACE: case ST_BI_SPRINT_BACKTRACE:
	case ST_BI_STACK:
		return ST_STACK_KERNEL;
	case ST_BI_UBACKTRACE: case ST_BI_PRINT_UBACKTRACE: case ST_BI_SPRINT_UBACKTRACE:
	case ST_BI_PRINT_UBACKTRACE_BRIEF: case ST_BI_USTACK:
		return ST_STACK_USER;
	}
	return 0;
}

/* A function's needs include its callees'; recursion adds nothing new. */
static unsigned func_stack(struct lower *L, const struct st_function *f)
{
	uint8_t *m = &L->fstack[f->index];

	if (!(*m & 0x80)) {
		*m = 0x80;
		*m |= (uint8_t)stmt_stack(L, f->body);
	}
	return *m & 0x7f;
}

static unsigned expr_stack(struct lower *L, const struct st_expr *e)
{
	unsigned n = 0;

	if (!e)
		return 0;
	if (e->kind == ST_E_CALL)
		n |= e->func ? func_stack(L, e->func) : builtin_stack(e->builtin);
	n |= expr_stack(L, e->a) | expr_stack(L, e->b) | expr_stack(L, e->c);
	for (uint32_t i = 0; i < e->nargs; i++)
		n |= expr_stack(L, e->args[i]);
	return n;
}

static unsigned stmt_stack(struct lower *L, const struct st_stmt *s)
{
	unsigned n = 0;

	if (!s)
		return 0;
	for (uint32_t i = 0; i < s->nbody; i++)
		n |= stmt_stack(L, s->body[i]);
	for (uint32_t i = 0; s->fe_filter && i < s->fe_nkeys; i++)
		n |= expr_stack(L, s->fe_filter[i]);
	return n | expr_stack(L, s->expr) | expr_stack(L, s->cond) | expr_stack(L, s->init) |
	       expr_stack(L, s->step) | expr_stack(L, s->fe_array) | expr_stack(L, s->fe_limit) |
	       stmt_stack(L, s->then) | stmt_stack(L, s->els);
}

static void lower_probe(struct lower *L, const struct st_probe_inst *pi)
{
	struct st_plan *p = L->plan;
	struct st_plan_probe *pp;
	struct patch_list skip = { 0 };
	uint32_t code;
	int src;

	if (st_family_classify(pi->point, &L->fp) < 0) {
		fail(L, &pi->point->loc, "probe point %s has no event source", pi->pp);
		return;
	}
	L->neslot = 0;
	if (L->fp.is_return && (st_family_dynamic(&L->fp) || L->fp.syscall))
		lower_entry_pair(L, pi);
	src = source_for(L, &L->fp, pi);
	code = p->ncode;
	code_begin(L, pi->pp, pi->nlocals + L->neslot);
	string_locals(L, pi->locals, pi->nlocals, 0);
	L->source = src;
	L->pi = pi;
	L->nwritten = 0;
	L->written_overflow = false;
	if (L->neslot) {
		L->eslot_base = pi->nlocals;
		E(L, &(struct st_expr){ .loc = pi->point->loc }, ST_OP_EPOP, 0, L->eslot_base, L->neslot, L->npairs - 1);
	}
	bind_context(L, pi);
	if (pi->cond)
		cond_jump_false(L, pi->cond, &skip);
	count_begin(L, pi->body, NULL);
	stmt(L, pi->body);
	count_end(L, pi->body);
	p->sources[src].stack |= (uint8_t)(stmt_stack(L, pi->body) | expr_stack(L, pi->cond));
	patch_all(L, &skip, here(L));
	emit(L, &pi->point->loc, NULL, ST_OP_RET0, 0, 0, 0, 0);
	st_family_source_fetch(&p->sources[src], &L->fp, p->arena);

	GROW(p->probes, p->nprobes, L->cap_probes);
	pp = &p->probes[p->nprobes++];
	memset(pp, 0, sizeof(*pp));
	pp->source = (uint32_t)src;
	pp->code = code;
	pp->pp = pi->pp;
	pp->pn = pi->user_pp ? pi->user_pp : pi->pp;
	pp->task_role = L->fp.task_role;
	pp->target_scoped = L->fp.target_scoped;
	if (L->fp.task_path[0])
		pp->task_path = st_arena_strndup(p->arena, L->fp.task_path, strlen(L->fp.task_path),
						 sizeof(L->fp.task_path));
	L->neslot = 0;
}

/* A tracepoint source no probe names, for the session's own use. */
static void need_tracepoint(struct lower *L, const char *system, const char *event)
{
	struct st_plan *p = L->plan;
	char name[256];
	struct st_source *s;

	snprintf(name, sizeof(name), "%s:%s", system, event);
	for (uint32_t i = 0; i < p->nsources; i++)
		if (p->sources[i].kind == ST_SRC_TRACEPOINT && !strcmp(p->sources[i].name, name))
			return;
	GROW(p->sources, p->nsources, L->cap_sources);
	s = &p->sources[p->nsources++];
	memset(s, 0, sizeof(*s));
	s->kind = ST_SRC_TRACEPOINT;
	s->name = (char *)st_arena_strndup(p->arena, name, strlen(name), strlen(name));
	s->system = (char *)st_arena_strndup(p->arena, system, strlen(system), strlen(system));
	s->event = (char *)st_arena_strndup(p->arena, event, strlen(event), strlen(event));
}

/* Process probes follow the -c/-x target's process tree (task_newtask) and
 * process("PATH").end/.thread.* the executables (sched_process_exec):
 * runtime/proctree.c. */
static void lower_task_sources(struct lower *L)
{
	bool scoped = false, paths = false;

	for (uint32_t i = 0; i < L->plan->nprobes; i++) {
		scoped |= L->plan->probes[i].target_scoped;
		paths |= L->plan->probes[i].task_path != NULL;
	}
	if (scoped)
		need_tracepoint(L, "task", "task_newtask");
	if (paths)
		need_tracepoint(L, "sched", "sched_process_exec");
}

static void lower_globals(struct lower *L)
{
	const struct st_program *prog = L->prog;
	struct st_plan *p = L->plan;
	uint32_t i, k;

	p->nglobals = prog->nglobals;
	p->globals = calloc(prog->nglobals ? prog->nglobals : 1, sizeof(*p->globals));
	if (!p->globals)
		abort();
	for (i = 0; i < prog->nglobals; i++) {
		const struct st_global *g = prog->globals[i];
		const struct st_symbol *s = g->sym;
		struct st_plan_global *pg = &p->globals[s ? s->index : i];

		pg->name = g->name;
		pg->type = s ? s->type : ST_T_LONG;
		pg->is_array = s && s->is_array;
		pg->size = g->size;
		pg->wrap = g->wrap;
		pg->shape = g->shape;
		st_stat_shape_init(&pg->shape);
		/* stap prints only the script's own write-only globals, not a
		 * tapset's (argv.stp's argv is written and may go unread) */
		pg->auto_print = g->written && !g->read && prog->nfiles && g->loc.file &&
				 !strcmp(g->loc.file, prog->files[0]);
		if (pg->is_array) {
			pg->map.nkeys = s->nkeys;
			for (k = 0; k < s->nkeys; k++)
				pg->map.key[k] = s->key[k];
			pg->map.value = s->type;
			pg->map.shape = pg->shape;
		}
		if (g->has_init && g->init) {
			pg->has_init = true;
			if (g->init->kind == ST_E_STR) {
				/* str_const may grow p->strs: index after the call */
				uint32_t si = str_const(L, g->init->str);

				pg->init.s = p->strs[si];
			} else
				pg->init.n = g->init->num;
		}
	}
}

int st_lower(const struct st_program *prog, struct st_catalog *catalog, struct st_plan **out, char **err)
{
	struct lower L = { 0 };
	struct st_plan *p = calloc(1, sizeof(*p));
	uint32_t i;

	if (!p)
		abort();
	p->arena = malloc(sizeof(*p->arena));
	if (!p->arena)
		abort();
	st_arena_init(p->arena, 65536);
	p->script_name = prog->nfiles ? prog->files[0] : "<input>";
	L.prog = prog;
	L.catalog = catalog;
	L.plan = p;
	L.fstate = calloc(prog->nfuncs + 1, 1);
	L.fcost = calloc(prog->nfuncs + 1, sizeof(*L.fcost));
	L.fstack = calloc(prog->nfuncs + 1, 1);
	if (!L.fstate || !L.fcost || !L.fstack)
		abort();
	lower_globals(&L);
	/* functions keep their program index as their code index */
	for (i = 0; i < prog->nfuncs && !L.err; i++)
		lower_function(&L, prog->funcs[i]);
	for (i = 0; i < prog->ninsts && !L.err; i++)
		lower_probe(&L, prog->insts[i]);
	if (!L.err)
		lower_task_sources(&L);
	free(L.eslot);
	for (i = 0; i < p->nsources && !L.err; i++) {
		char msg[512];

		if (st_btf_source_finish(&p->sources[i], p->arena, L.catalog, msg, sizeof(msg)) < 0)
			fail(&L, NULL, "%s", msg);
	}
	if (!L.err)
		st_inkernel_plan(p);
	free(L.fstate);
	free(L.fstack);
	free(L.fcost);
	if (L.err) {
		*err = L.err;
		st_plan_free(p);
		return -EINVAL;
	}
	*out = p;
	return 0;
}

void st_plan_free(struct st_plan *p)
{
	uint32_t i;

	if (!p)
		return;
	for (i = 0; i < p->ncode; i++) {
		free(p->code[i].insn);
		free(p->code[i].loc);
	}
	for (i = 0; i < p->nsources; i++) {
		free(p->sources[i].fields);
		free(p->sources[i].captures);
		free(p->sources[i].btf);
	}
	for (i = 0; i < p->nowned_fmts; i++) {
		st_fmt_free(p->owned_fmts[i]);
		free(p->owned_fmts[i]);
	}
	free(p->owned_fmts);
	free(p->code);
	free(p->sources);
	free(p->probes);
	free(p->globals);
	free(p->nums);
	free(p->strs);
	free(p->fmts);
	free(p->foreachs);
	st_arena_free(p->arena);
	free(p->arena);
	free(p);
}
