/* lower_ctx.c - context variables: $target reads, @cast chains, BTF captures,
 * syscall arguments and the fields a probe's source must carry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lowering/lower_int.h"
#include "lowering/memflow.h"
#include "lowering/uelf.h"

static bool cast_module_kernel(const struct st_expr *c);
static int64_t syscall_arg_call(const struct st_expr *e);

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

/* A field name that outlives the caller's buffer it may be in. */
static const char *field_kept(struct lower *L, const char *field, const char *fbuf)
{
	return field == fbuf ? st_arena_strndup(L->plan->arena, field, strlen(field), strlen(field)) : field;
}

/* A syscall event's record field that expression x reads, as is: $fd,
 * a bound `fd`, pointer_arg(1).  NULL when x is none of these. */
static const char *syscall_field_of(struct lower *L, const struct st_expr *x)
{
	const char *field = NULL;
	char fbuf[ST_FIELD_NAME_MAX];
	enum st_type t;

	if (!L->fp.syscall)
		return NULL;
	if (x->kind == ST_E_TARGET && x->str[0] == '$' && x->str[1] != '$') {
		enum st_ctxvar_kind k = st_family_var(L->catalog, &L->fp, x->str, true, fbuf, &field, &t);

		return k == ST_CTX_FIELD || k == ST_CTX_SYSCALL_ARG ? field_kept(L, field, fbuf) : NULL;
	}
	if (x->kind == ST_E_VAR && x->sym && x->sym->kind == ST_SYM_LOCAL && L->pi && !was_written(L, x->sym)) {
		for (uint32_t i = 0; i < L->pi->nbindings; i++) {
			enum st_ctxvar_kind k;

			if (L->pi->bindings[i].sym != x->sym)
				continue;
			k = st_family_var(L->catalog, &L->fp, L->pi->bindings[i].name, false, fbuf, &field, &t);
			if ((k == ST_CTX_SYSCALL_ARG && !strchr("SATRK", st_syscall_conv(L->catalog, &L->fp,
									      L->pi->bindings[i].name))) ||
			    k == ST_CTX_FIELD)
				return field_kept(L, field, fbuf);
		}
		return NULL;
	}
	if (syscall_arg_call(x))
		return st_syscall_arg_field(L->catalog, &L->fp, syscall_arg_call(x));
	return NULL;
}

static int cast_layout(struct lower *L, const struct st_expr *x, const char *const *mem, uint32_t n,
		       uint32_t *size, uint32_t *off, char *msg, size_t msgsz);
static bool cast_module_kernel(const struct st_expr *c);
static const struct btf *cast_btf(struct lower *L, const struct st_expr *c);

/* A number known when lowering: a literal, or &@cast(0, "type")->m->n
 * (@offsetof).  false otherwise. */
static bool const_offset(struct lower *L, const struct st_expr *x, int64_t *v)
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
	if (cast_layout(L, x, mem, n, &size, &off, msg, sizeof(msg)) < 0)
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
	    x->a->str[0] == '$' && x->a->str[1] != '$' && const_offset(L, x->b, &d) && d > INT32_MIN && d < INT32_MAX) {
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
	struct st_btf_chain ch = { .root = ST_BTF_ROOT_TASK, .cast = cast->str, .btf = cast_btf(L, cast) };
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

/* $p->m[i] (or user_string() of it) at a uprobe: a fetch argument reads
 * it from user memory at the event (family_process.h).  1: dst loaded;
 * 0: e is no chain from a context variable; -1: failed. */
int uprobe_chain_to(struct lower *L, const struct st_expr *e, bool want_string, uint32_t dst)
{
	struct st_uelf_step st[ST_BTF_MAX_STEPS];
	const struct st_expr *x = e;
	uint32_t n = 0;
	char msg[512];
	const char *f;
	bool is_str;

	for (; x->kind == ST_E_MEMBER || (x->kind == ST_E_INDEX && x->a->kind != ST_E_VAR); x = x->a)
		n++;
	if (x->kind != ST_E_TARGET || (!n && !want_string) || n > ST_BTF_MAX_STEPS)
		return 0;
	x = e;
	for (uint32_t i = n; i-- > 0; x = x->a) {
		st[i].member = x->kind == ST_E_MEMBER ? x->str : NULL;
		st[i].index = 0;
		if (x->kind == ST_E_INDEX) {
			if (x->nargs != 1 || x->args[0]->kind != ST_E_NUM) {
				fail(L, &x->loc, "staplet indexes user memory read at the event only by a constant");
				return -1;
			}
			st[i].index = x->args[0]->num;
		}
	}
	f = st_process_chain_field(&L->fp, x->str, st, n, want_string, &is_str, msg, sizeof(msg));
	if (!f) {
		fail(L, &e->loc, "%s", msg);
		return -1;
	}
	field_load(L, e, f, dst);
	return 1;
}

/* kernel_string(chain) reads the string (want_string); else the value.
 * 1: dst loaded; 0: e is no chain; -1: failed (L->err set). */
/* $field[i] of a char array field of the event (a tracepoint's format, as
 * --compatible=4.1 scripts see sched_switch's $next_comm): byte i of it, 0
 * past the string.  0 when e is not one. */
static int field_byte_to(struct lower *L, const struct st_expr *x, const struct st_expr *ix, uint32_t dst)
{
	const char *field = NULL;
	char fbuf[ST_FIELD_NAME_MAX];
	enum st_type t;
	uint32_t save, base;

	if (x->kind != ST_E_TARGET || L->fp.kind != ST_SRC_TRACEPOINT || L->fp.syscall || ix->kind != ST_E_INDEX ||
	    ix->nargs != 1 || ix->args[0]->kind != ST_E_NUM ||
	    st_family_var(L->catalog, &L->fp, x->str, true, fbuf, &field, &t) != ST_CTX_FIELD || t != ST_T_STRING)
		return 0;
	save = L->top;
	base = temp(L, 2);
	field_load(L, x, field, base);
	E(L, ix, ST_OP_MOV, 0, base + 1, load_num(L, ix, ix->args[0]->num), 0);
	E(L, ix, ST_OP_BUILTIN, ST_BI_FIELD_BYTE & 0xff, dst, base, ST_BI_FIELD_BYTE >> 8);
	L->top = save;
	return 1;
}

int chain_to(struct lower *L, const struct st_expr *e, bool want_string, uint32_t strn, uint32_t dst)
{
	const struct st_expr *steps[ST_BTF_MAX_STEPS], *x = e, *cast = NULL;
	struct st_btf_chain ch = { .want_string = want_string, .strn = strn };
	char key[1024], part[256], msg[512];
	const char *why = NULL, *f;
	uint32_t n = 0;
	size_t at;
	int rc;

	if (L->source >= 0 && L->fp.kind == ST_SRC_UPROBE && !want_string && (rc = uprobe_chain_to(L, e, false, dst)))
		return rc;
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
	if (n == 1 && !want_string && field_byte_to(L, x, steps[0], dst))
		return 1;
	if (!n && x->kind != ST_E_CAST) {
		/* kernel_string($x): a TP_PROTO pointer only; the event's own
		 * fields and syscall arguments keep their usual meaning */
		const char *field = NULL;
		char fbuf[ST_FIELD_NAME_MAX];
		enum st_type t;

		if (x->kind != ST_E_TARGET || L->fp.syscall ||
		    st_family_var(L->catalog, &L->fp, x->str, true, fbuf, &field, &t) != ST_CTX_NONE)
			return 0;
	}
	if (x->kind == ST_E_CAST) {
		cast = x;
		if (!cast_module_kernel(x)) {
			fail(L, &x->loc, "staplet resolves @cast types in the kernel's BTF only");
			return -1;
		}
		ch.cast = x->str;
		ch.btf = cast_btf(L, x);
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
bool btf_to(struct lower *L, const struct st_expr *e, uint32_t dst)
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

/* @cast's module names the kernel (with or without a header) or kernel
 * modules: their types are BTF's (vmlinux's, a loaded module's). */
static bool cast_module_kernel(const struct st_expr *c)
{
	const char *m = c->b && c->b->kind == ST_E_STR ? c->b->str : NULL;

	return !c->b || (m && m[0] != '<' && m[0] != '/');
}

static const struct btf *cast_btf(struct lower *L, const struct st_expr *c)
{
	return st_btf_for_cast(L->catalog, c->b && c->b->kind == ST_E_STR ? c->b->str : NULL);
}

/* A user-space header ("<stdio.h>") or program path: DWARF (ctypes.h). */
static const char *cast_module_user(const struct st_expr *c)
{
	const char *m = c->b && c->b->kind == ST_E_STR ? c->b->str : NULL;

	return m && (m[0] == '<' || m[0] == '/') ? m : NULL;
}

static int cast_layout(struct lower *L, const struct st_expr *x, const char *const *mem, uint32_t n,
		       uint32_t *size, uint32_t *off, char *msg, size_t msgsz)
{
	uint64_t sz = 0, o = 0;
	int r;

	if (!cast_module_user(x))
		return st_btf_cast_addr(cast_btf(L, x), x->str, mem, n, size, off, msg, msgsz);
	r = st_ctype_layout(cast_module_user(x), x->str, mem, n, &sz, &o, msg, msgsz);
	*size = (uint32_t)sz;
	*off = (uint32_t)o;
	return r;
}

/* &@cast(p, "type"[, "kernel<h.h>"])->m(->n...), &@cast(p, "type")[i] and &@cast(p, "type"):
 * address arithmetic on the BTF layout, no memory read.  false when e is
 * not of that shape. */
bool cast_addr_to(struct lower *L, const struct st_expr *e, uint32_t dst)
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
	if (cast_layout(L, x, mem, n, &size, &off, msg, sizeof(msg)) < 0) {
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

void target_to(struct lower *L, const struct st_expr *e, uint32_t dst)
{
	const char *field = NULL;
	char fbuf[ST_FIELD_NAME_MAX];
	enum st_type t;

	if (L->source < 0) {
		fail(L, &e->loc, "context variable %s used outside a probe", e->str);
		return;
	}
	switch (st_family_var(L->catalog, &L->fp, e->str, true, fbuf, &field, &t)) {
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

/* User memory a handler reads at a tracepoint: ask the backend to copy it
 * at the event (st_source.captures, lowering/memflow.h). */
static void source_capture(struct lower *L, const char *field, enum st_ucap_kind kind, uint32_t size, int64_t off,
			   const char *len_field)
{
	source_field(L, field);
	if (len_field)
		source_field(L, len_field);
	st_ucap_add(&L->plan->sources[L->source], L->plan->arena, field, kind, size, off, len_field);
}

void field_load(struct lower *L, const struct st_expr *e, const char *field, uint32_t dst)
{
	E(L, e, ST_OP_FIELD, 0, dst, source_field(L, field), 0);
}

bool is_user_string_call(const struct st_expr *e)
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
bool is_arg_call(const struct st_expr *e)
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
void ustring_capture(struct lower *L, const struct st_expr *addr)
{
	const char *field = NULL;
	char fbuf[ST_FIELD_NAME_MAX];
	enum st_type t;

	if (addr->kind == ST_E_TARGET) {
		if (st_family_var(L->catalog, &L->fp, addr->str, true, fbuf, &field, &t) != ST_CTX_FIELD)
			field = NULL;
	} else if (syscall_arg_call(addr)) {
		field = st_syscall_arg_field(L->catalog, &L->fp, syscall_arg_call(addr));
	}
	if (field)
		source_capture(L, field, ST_UCAP_STRING, 0, 0, NULL);
}

/* task_cpu($p), task_execname($p) ... of a task_struct pointer argument
 * at a tracepoint: the task's fields as they are at the event (stap reads
 * them there), not from /proc later, when the task may have moved on. */
bool task_call_to(struct lower *L, const struct st_expr *e, uint32_t dst)
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
bool kprobe_call_to(struct lower *L, const struct st_expr *e, uint32_t dst)
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

/* $$parms, $$vars, $x$ ... at a uprobe: sprintf of the targets they print. */
bool pretty_to(struct lower *L, const struct st_expr *e, uint32_t dst)
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

/* A syscall argument into dst: as its variable reads (printing false) or as
 * argstr prints it (printing true: flags become their symbolic strings). */
static void syscall_arg_load(struct lower *L, const struct st_expr *at, const char *field, char conv, bool printing,
			     uint32_t dst)
{
	int bi = -1;

	switch (conv) {
	case 'S': bi = ST_BI_USER_STRING_QUOTED; break;
	case 'A': bi = ST_BI_GET_ARGV; break;
	case 'T': bi = ST_BI_STRUCT_TIMESPEC_U; break;
	case 'R': bi = ST_BI_STRUCT_RLIMIT_U; break;
	case 'K': bi = ST_BI_STRUCT_SOCKADDR_U; break;
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
		uint32_t save = L->top, r = temp(L, 2), k = num_const(L, conv == 'T');

		/* the string, argv or struct the pointer leads to, copied at the event */
		if (strchr("SATRK", conv) && L->source >= 0 && L->fp.kind == ST_SRC_TRACEPOINT)
			source_capture(L, field, conv == 'A' ? ST_UCAP_ARGV : conv == 'S' ? ST_UCAP_STRING : ST_UCAP_MEM,
				       conv == 'K' ? 128 : 16, 0, conv == 'K' ? "addrlen" : NULL);
		field_load(L, at, field, r);
		if (conv == 'K')
			field_load(L, at, "addrlen", r + 1);    /* the sockaddr's length */
		else    /* __get_argv's `first`, _struct_timespec_u's count */
			E(L, at, ST_OP_LOADN, 0, r + 1, k & 0xffff, k >> 16);
		E(L, at, ST_OP_BUILTIN, (uint32_t)bi & 0xff, dst, r, (uint32_t)bi >> 8);
		L->top = save;
	}
}

/* A synthesised format the plan owns; NULL after fail(). */
static const struct st_fmt *argstr_fmt(struct lower *L, const struct st_expr *at, const char *text)
{
	struct st_fmt *f = calloc(1, sizeof(*f));
	char *err = NULL;
	size_t errpos;

	if (!f)
		abort();
	L->plan->owned_fmts = realloc(L->plan->owned_fmts, sizeof(f) * (L->plan->nowned_fmts + 1));
	if (!L->plan->owned_fmts)
		abort();
	L->plan->owned_fmts[L->plan->nowned_fmts++] = f;
	if (st_fmt_parse(text, strlen(text), f, &err, &errpos) < 0) {
		fail(L, &at->loc, "internal: argstr format: %s", err ? err : "?");
		free(err);
		return NULL;
	}
	return f;
}

/* argstr: the arguments as stap's syscall tapset prints them, through a
 * synthesised format.  open's and openat's mode ('m', last) shows only when
 * the flags hold O_CREAT, as in stap: two formats and a test. */
static void syscall_argstr(struct lower *L, const struct st_expr *at, uint32_t dst)
{
	struct st_syscall_arg a[8];
	uint32_t n = st_syscall_args(L->catalog, &L->fp, a, 8), i, k = 0, base, save = L->top, j_short, j_end;
	char text[256] = "", short_text[256] = "";
	const char *flags = NULL;
	const struct st_fmt *f, *fs;

	for (i = 0; i < n; i++) {
		const char *conv;

		switch (a[i].conv) {
		case '-': continue;
		case 'd': conv = "%d"; break;
		case 'u': conv = "%u"; break;
		case 'p': conv = "%p"; break;
		case 'x': conv = "%#x"; break;
		case 'o': case 'm': conv = "%#o"; break;
		default: conv = "%s"; break;
		}
		if (a[i].conv == 'O')
			flags = a[i].field;
		if (a[i].conv != 'm' || !flags)
			snprintf(short_text, sizeof(short_text), "%s", text);
		if (k++)
			strcat(text, ", ");
		strcat(text, conv);
		if (a[i].conv != 'm' || !flags)
			snprintf(short_text, sizeof(short_text), "%s", text);
	}
	base = temp(L, k ? k : 1);
	for (i = 0, k = 0; i < n; i++)
		if (a[i].conv != '-')
			syscall_arg_load(L, at, a[i].field, a[i].conv, true, base + k++);
	f = argstr_fmt(L, at, text);
	if (!f)
		return;
	if (!strcmp(text, short_text)) {
		E(L, at, ST_OP_FORMAT, 1, dst, base, fmt_const(L, f));
		L->top = save;
		return;
	}
	fs = argstr_fmt(L, at, short_text);
	if (!fs)
		return;
	{
		uint32_t r = temp(L, 1);

		field_load(L, at, flags, r);
		E(L, at, ST_OP_AND, 0, r, r, load_num(L, at, 0100));    /* O_CREAT */
		j_short = E(L, at, ST_OP_JZ, 0, r, 0, 0);
	}
	E(L, at, ST_OP_FORMAT, 1, dst, base, fmt_const(L, f));
	j_end = E(L, at, ST_OP_JMP, 0, 0, 0, 0);
	set_target(L, j_short, here(L));
	E(L, at, ST_OP_FORMAT, 1, dst, base, fmt_const(L, fs));
	set_target(L, j_end, here(L));
	L->top = save;
}

void bind_context(struct lower *L, const struct st_probe_inst *pi)
{
	uint32_t i;

	for (i = 0; i < pi->nbindings; i++) {
		const struct st_ctxvar_binding *b = &pi->bindings[i];
		const char *field = NULL;
		char fbuf[ST_FIELD_NAME_MAX];
		enum st_type t;
		struct st_expr fake = { 0 };

		fake.loc = pi->point->loc;
		fake.near = b->name;
		switch (st_family_var(L->catalog, &L->fp, b->name, false, fbuf, &field, &t)) {
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

static const char *memflow_field_of(void *ctx, const struct st_expr *e)
{
	struct lower *L = ctx;
	const char *field = NULL;
	char fbuf[ST_FIELD_NAME_MAX];
	enum st_type t;

	if (L->fp.syscall)
		return syscall_field_of(L, e);
	if (e->kind == ST_E_TARGET && st_family_var(L->catalog, &L->fp, e->str, true, fbuf, &field, &t) == ST_CTX_FIELD)
		return field_kept(L, field, fbuf);
	return NULL;
}

static void memflow_want(void *ctx, const char *field, enum st_ucap_kind kind, uint32_t size, int64_t off,
			 const char *len_field)
{
	source_capture(ctx, field, kind, size, off, len_field);
}

/* The user memory a tracepoint handler reads, followed through its locals
 * and the functions it calls: copied at the event (memflow.h). */
void memflow_probe(struct lower *L, const struct st_probe_inst *pi)
{
	const struct st_memflow_ops ops = { L, memflow_field_of, memflow_want };

	if (L->source >= 0 && L->fp.kind == ST_SRC_TRACEPOINT)
		st_memflow_scan(&ops, pi->body, pi->cond);
}
