/* btf.c - resolve tracepoint argument paths through vmlinux BTF (btf.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "frontend/ast.h"
#include "lowering/btf.h"
#include "lowering/catalog.h"
#include "lowering/family_kernel.h"
#include "frontend/base_arena.h"

static struct btf *vmlinux;
static bool tried;
static const char *vmlinux_path;   /* -r: another kernel's BTF (st_btf_vmlinux_from) */

void st_btf_vmlinux_from(const char *path)
{
	vmlinux_path = path;
}

static void vmlinux_free(void)
{
	btf__free(vmlinux);
	vmlinux = NULL;
}

static struct btf *vmlinux_btf(void)
{
	if (!tried) {
		tried = true;
		vmlinux = vmlinux_path ? btf__parse(vmlinux_path, NULL) : btf__load_vmlinux_btf();
		if (!vmlinux)
			vmlinux = NULL;
		else
			atexit(vmlinux_free);
	}
	return vmlinux;
}

/* Through typedefs and qualifiers. */
static const struct btf_type *skip_mods(const struct btf *b, uint32_t id, uint32_t *out)
{
	const struct btf_type *t = btf__type_by_id(b, id);

	while (t && (btf_is_typedef(t) || btf_is_const(t) || btf_is_volatile(t) || btf_is_restrict(t) ||
		     btf_is_type_tag(t))) {
		id = t->type;
		t = btf__type_by_id(b, id);
	}
	if (out)
		*out = id;
	return t;
}

static const struct btf_type *tp_proto(const struct btf *b, const char *event)
{
	char name[256];
	int id;
	const struct btf_type *t;

	snprintf(name, sizeof(name), "btf_trace_%s", event);
	id = btf__find_by_name_kind(b, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return NULL;
	t = skip_mods(b, (uint32_t)id, NULL);
	if (t && btf_is_ptr(t))
		t = skip_mods(b, t->type, NULL);
	return t && btf_is_func_proto(t) ? t : NULL;
}

/* The typedef's prototype has no parameter names; the static function
 * __bpf_trace_<template> has them.  The template of a DEFINE_EVENT is not in
 * BTF: take the __bpf_trace_ function with the same parameter types whose
 * name shares the longest prefix with the event, leaving out those of other
 * events (6.1: sched_process_exit's template sched_process_template ties
 * with the event sched_process_hang, whose task is `tsk`). */
static bool same_params(const struct btf *b, const struct btf_type *x, const struct btf_type *y)
{
	const struct btf_param *px = btf_params(x), *py = btf_params(y);

	if (btf_vlen(x) != btf_vlen(y))
		return false;
	for (uint32_t i = 0; i < btf_vlen(x); i++)
		if (px[i].type != py[i].type)
			return false;
	(void)b;
	return true;
}

static bool other_event(const struct btf *b, const char *name)
{
	char tn[256];

	snprintf(tn, sizeof(tn), "btf_trace_%s", name);
	return btf__find_by_name_kind(b, tn, BTF_KIND_TYPEDEF) > 0;
}

static const struct btf_type *named_proto(const struct btf *b, const struct btf_type *fp, const char *event)
{
	static const char pfx[] = "__bpf_trace_";
	const struct btf_type *best = NULL;
	size_t best_len = 0, el = strlen(event);
	uint32_t n = btf__type_cnt(b);

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(b, id), *pt;
		const char *nm;
		size_t k = 0;

		if (!btf_is_func(t))
			continue;
		nm = btf__name_by_offset(b, t->name_off);
		if (!nm || strncmp(nm, pfx, sizeof(pfx) - 1))
			continue;
		nm += sizeof(pfx) - 1;
		pt = btf__type_by_id(b, t->type);
		if (!pt || !btf_is_func_proto(pt) || !same_params(b, pt, fp))
			continue;
		if (!strcmp(nm, event))
			return pt;
		while (k < el && nm[k] == event[k])
			k++;
		if ((!best || k > best_len) && other_event(b, nm))
			continue;
		if (!best || k > best_len) {
			best = pt;
			best_len = k;
		}
	}
	return best;
}

int st_btf_tp_nargs(const char *event)
{
	const struct btf *b = vmlinux_btf();
	const struct btf_type *fp = b ? tp_proto(b, event) : NULL;

	return fp && btf_vlen(fp) > 0 ? (int)btf_vlen(fp) - 1 : -ENOENT;
}

void st_btf_tp_signature(const char *event, char *buf, size_t n)
{
	const struct btf *b = vmlinux_btf();
	const struct btf_type *fp = b ? tp_proto(b, event) : NULL;
	const struct btf_param *prm;
	size_t used = 0;
	char tn[160];

	buf[0] = 0;
	if (!fp || !(fp = named_proto(b, fp, event)))
		return;
	prm = btf_params(fp);
	/* parameter 0 is the tracepoint's private data pointer */
	for (uint32_t i = 1; i < btf_vlen(fp) && used < n; i++) {
		const char *pn = btf__name_by_offset(b, prm[i].name_off);

		st_kprobe_type_name(b, prm[i].type, tn, sizeof(tn));
		used += (size_t)snprintf(buf + used, n - used, "%s$%s:%s", used ? " " : "", pn ? pn : "?", tn);
	}
}

/* Where a bitfield member sits: bits from its first byte, and its width. */
struct bitpos {
	uint32_t bit, size;
};

/* Member `name` of struct/union `t`, looking into anonymous members;
 * its byte offset added to *off.  -1 when absent, -2 for a bitfield
 * (then *off is its first byte and *bf, when not NULL, places it). */
static int find_member_bits(const struct btf *b, const struct btf_type *t, const char *name, uint32_t *off,
			    uint32_t *type, struct bitpos *bf)
{
	const struct btf_member *m = btf_members(t);

	for (uint32_t i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(b, m->name_off);
		uint32_t bit = btf_member_bit_offset(t, i);

		if (mn && *mn) {
			if (strcmp(mn, name))
				continue;
			*off += bit / 8;
			*type = m->type;
			if (btf_member_bitfield_size(t, i) || bit % 8) {
				if (bf) {
					bf->bit = bit % 8;
					bf->size = btf_member_bitfield_size(t, i);
				}
				return -2;
			}
			return 0;
		} else {
			const struct btf_type *in = skip_mods(b, m->type, NULL);
			uint32_t sub = *off + bit / 8;
			int r;

			if (!in || !(btf_is_struct(in) || btf_is_union(in)))
				continue;
			r = find_member_bits(b, in, name, &sub, type, bf);
			if (r == 0 || r == -2)
				*off = sub;
			if (r != -1)
				return r;
		}
	}
	return -1;
}

static int find_member(const struct btf *b, const struct btf_type *t, const char *name, uint32_t *off,
		       uint32_t *type)
{
	return find_member_bits(b, t, name, off, type, NULL);
}

/* A `struct task_struct *`: true with the offset of its pid member. */
static bool task_pointer(const struct btf *b, uint32_t id, uint32_t *pid_off)
{
	const struct btf_type *t = skip_mods(b, id, NULL);
	const char *n;
	uint32_t off = 0, mt = 0;

	if (!t || !btf_is_ptr(t) || !(t = skip_mods(b, t->type, NULL)) || !btf_is_struct(t))
		return false;
	n = btf__name_by_offset(b, t->name_off);
	if (!n || strcmp(n, "task_struct") || find_member(b, t, "pid", &off, &mt) != 0)
		return false;
	*pid_off = off;
	return true;
}

static void type_name(const struct btf *b, const struct btf_type *t, char *buf, size_t n)
{
	const char *nm = btf__name_by_offset(b, t->name_off);

	snprintf(buf, n, "%s %s", btf_is_union(t) ? "union" : "struct", nm && *nm ? nm : "{...}");
}

/* The scalar at type id: size and signedness; false when not a scalar. */
static bool scalar(const struct btf *b, uint32_t id, uint32_t *size, bool *is_signed)
{
	const struct btf_type *t = skip_mods(b, id, NULL);

	if (!t)
		return false;
	if (btf_is_ptr(t)) {
		*size = 8;
		*is_signed = false;
		return true;
	}
	if (btf_is_int(t)) {
		*size = t->size;
		*is_signed = (btf_int_encoding(t) & BTF_INT_SIGNED) != 0;
		return *size == 1 || *size == 2 || *size == 4 || *size == 8;
	}
	if (btf_is_enum(t)) {
		*size = t->size;
		*is_signed = true;
		return *size == 1 || *size == 2 || *size == 4 || *size == 8;
	}
	if (btf_is_enum64(t)) {
		*size = 8;
		*is_signed = false;
		return true;
	}
	return false;
}

static bool char_array(const struct btf *b, const struct btf_type *t, uint32_t *len)
{
	const struct btf_array *a;
	const struct btf_type *el;

	if (!btf_is_array(t))
		return false;
	a = btf_array(t);
	el = skip_mods(b, a->type, NULL);
	if (!el || !btf_is_int(el) || el->size != 1)
		return false;
	*len = a->nelems;
	return true;
}

/* ROOT_ARG: the TP_PROTO parameter named ch->argname: cap->arg and its type. */
static int tp_arg(const struct btf *b, const char *event, const char *arg, struct st_btf_cap *cap,
		  uint32_t *id, char *msg, size_t msgsz)
{
	const struct btf_type *fp = tp_proto(b, event);
	const struct btf_param *prm;
	uint32_t i, n;

	if (!fp) {
		snprintf(msg, msgsz, "tracepoint %s has no BTF prototype (btf_trace_%s)", event, event);
		return -ENOENT;
	}
	fp = named_proto(b, fp, event);
	if (!fp) {
		snprintf(msg, msgsz, "tracepoint %s: no __bpf_trace_ function names its arguments", event);
		return -ENOENT;
	}
	prm = btf_params(fp);
	n = btf_vlen(fp);
	for (i = 1; i < n; i++) {
		const char *pn = btf__name_by_offset(b, prm[i].name_off);

		if (pn && !strcmp(pn, arg))
			break;
	}
	if (i >= n) {
		snprintf(msg, msgsz, "unable to find tracepoint variable '$%s'", arg);
		return -ENOENT;
	}
	cap->arg = i - 1;
	*id = prm[i].type;
	return 0;
}

/* ROOT_FUNC: parameter ch->argname of function ch->event (or "return",
 * its return value): cap->arg and its type. */
static int func_arg(const struct btf *b, const char *func, const char *arg, struct st_btf_cap *cap, uint32_t *id,
		    char *msg, size_t msgsz)
{
	int fid = btf__find_by_name_kind(b, func, BTF_KIND_FUNC);
	const struct btf_type *fp = fid > 0 ? btf__type_by_id(b, btf__type_by_id(b, (uint32_t)fid)->type) : NULL;
	const struct btf_param *prm;

	if (!fp || !btf_is_func_proto(fp)) {
		snprintf(msg, msgsz, "kernel function %s has no BTF prototype", func);
		return -ENOENT;
	}
	if (!strcmp(arg, "return") && fp->type) {
		cap->arg = ST_BTF_ARG_RETURN;
		*id = fp->type;
		return 0;
	}
	prm = btf_params(fp);
	for (uint32_t i = 0; i < btf_vlen(fp) && i < 6; i++) {
		const char *pn = btf__name_by_offset(b, prm[i].name_off);

		if (pn && !strcmp(pn, arg)) {
			cap->arg = i;
			*id = prm[i].type;
			return 0;
		}
	}
	snprintf(msg, msgsz, "unable to find context variable '$%s' of %s", arg, func);
	return -ENOENT;
}

static const struct btf_type *named_type(const struct btf *b, const char *name, uint32_t *id);

/* The walk's state: v holds a pointer value of type t (!lval), or the
 * object of type t sits at v + off + x * stride (lval; x the value of cap
 * px - 1, none when px is 0). */
struct walk {
	const struct btf *b;
	const struct btf_type *t;
	uint32_t id, off, px, stride;
	bool lval;
	bool cast_base;              /* at @cast(addr, "T") itself: [i] is the i-th T from addr */
	struct bitpos bits;          /* the chain ended at a bitfield (bits.size > 0) */
	struct st_btf_cap *cap;
	char *msg;
	size_t msgsz;
};

/* Follow the pointer of type w->t: read it when it sits in memory. */
static int walk_deref(struct walk *w)
{
	struct st_btf_cap *c = w->cap;

	if (w->lval) {
		if (c->nhops >= ST_BTF_MAX_HOPS) {
			snprintf(w->msg, w->msgsz, "member chain too long (at most %d pointers)", ST_BTF_MAX_HOPS);
			return -EINVAL;
		}
		c->hop[c->nhops] = w->off;
		c->hop_idx[c->nhops] = w->px;
		c->hop_stride[c->nhops++] = w->stride;
	}
	w->off = w->px = w->stride = 0;
	w->lval = true;
	w->t = skip_mods(w->b, w->t->type, &w->id);
	return 0;
}

static int walk_index(struct walk *w, const struct st_btf_step *st)
{
	__s64 sz;
	int rc;

	if (w->t && btf_is_array(w->t) && w->lval) {
		w->t = skip_mods(w->b, btf_array(w->t)->type, &w->id);
	} else if (w->cast_base && w->t && !btf_is_ptr(w->t)) {
		/* stap: @cast(p, "int")[1] is the int after the one at p */
	} else if (w->t && btf_is_ptr(w->t)) {
		if ((rc = walk_deref(w)) < 0)
			return rc;
	} else {
		snprintf(w->msg, w->msgsz, "index applied to a value that is neither an array nor a pointer");
		return -EINVAL;
	}
	sz = btf__resolve_size(w->b, w->id);
	if (sz <= 0) {
		snprintf(w->msg, w->msgsz, "index into elements of unknown size");
		return -EINVAL;
	}
	if (!st->idx_cap) {
		w->off += (uint32_t)(st->cidx * sz);
		return 0;
	}
	if (w->px) {
		snprintf(w->msg, w->msgsz, "two indexes known only at the event without a pointer between them");
		return -EINVAL;
	}
	w->px = st->idx_cap;
	w->stride = (uint32_t)sz;
	return 0;
}

static int walk_member(struct walk *w, const char *mem)
{
	char tn[160];
	uint32_t mtype = 0;
	struct bitpos bf = { 0, 0 };
	int r;

	if (w->bits.size) {
		snprintf(w->msg, w->msgsz, "member '%s' accessed on a bitfield", mem);
		return -EINVAL;
	}

	if (w->t && btf_is_ptr(w->t)) {
		if ((r = walk_deref(w)) < 0)
			return r;
	} else if (!w->lval) {
		snprintf(w->msg, w->msgsz, "member '%s' accessed on a value that is not a pointer to a struct", mem);
		return -EINVAL;
	}
	if (!w->t || !(btf_is_struct(w->t) || btf_is_union(w->t))) {
		snprintf(w->msg, w->msgsz, "member '%s' accessed on a non-struct type", mem);
		return -EINVAL;
	}
	type_name(w->b, w->t, tn, sizeof(tn));
	r = find_member_bits(w->b, w->t, mem, &w->off, &mtype, &bf);
	if (r == -1) {
		snprintf(w->msg, w->msgsz, "unable to find member '%s' for %s", mem, tn);
		return -EINVAL;
	}
	if (r == -2 && (!bf.size || bf.bit + bf.size > 64)) {
		snprintf(w->msg, w->msgsz, "member '%s' of %s is a bitfield (not supported)", mem, tn);
		return -EINVAL;
	}
	if (r == -2)
		w->bits = bf;        /* read in the capture program, then shifted */
	w->t = skip_mods(w->b, mtype, &w->id);
	return 0;
}

/* The end of the chain: what the cap reads there. */
static int walk_final(struct walk *w, const struct st_btf_chain *ch)
{
	struct st_btf_cap *c = w->cap;
	uint32_t len;

	if (!w->lval && !ch->want_string && ch->root == ST_BTF_ROOT_ARG && !ch->cast && !ch->nsteps &&
	    task_pointer(w->b, w->id, &c->off)) {
		/* staplet names a task by its tid (task_current(), the task_*()
		 * functions, the scheduler tapset): a task_struct pointer
		 * argument reads as its task's pid field */
		c->size = 4;
		c->is_signed = true;
		c->is_task = true;
		return 0;
	}
	if (!w->lval && !ch->want_string) {
		c->direct = true;
		if (ch->root == ST_BTF_ROOT_CTX) {
			c->size = ch->size;
			c->is_signed = ch->is_signed;
		} else if (ch->root == ST_BTF_ROOT_TASK) {
			c->size = 8;
		} else if (!scalar(w->b, w->id, &c->size, &c->is_signed)) {
			snprintf(w->msg, w->msgsz, "tracepoint variable '$%s' is not a scalar or pointer", ch->argname);
			return -EINVAL;
		}
		return 0;
	}
	if (!w->lval) {              /* kernel_string($ptr): the string at the pointer */
		w->lval = true;
		w->t = NULL;
		len = 0;
	}
	c->off = w->off;
	c->hop_idx[c->nhops] = w->px;
	c->hop_stride[c->nhops] = w->stride;
	if (ch->want_string) {
		if (w->t && btf_is_ptr(w->t))
			c->str_ptr = true;
		else if (w->t && !char_array(w->b, w->t, &len)) {
			snprintf(w->msg, w->msgsz, "kernel_string of a value that is neither a char array nor a pointer");
			return -EINVAL;
		}
		c->is_string = true;
		c->size = ch->strn ? ch->strn + 1 : 256;
		if (c->size > 256)
			c->size = 256;
		return 0;
	}
	if (w->bits.size) {
		if (ch->want_string || !scalar(w->b, w->id, &c->size, &c->is_signed)) {
			snprintf(w->msg, w->msgsz, "the member chain ends at a bitfield that is not an integer");
			return -EINVAL;
		}
		c->bit_shift = w->bits.bit;
		c->bit_size = w->bits.size;
		c->bit_read = (w->bits.bit + w->bits.size + 7) / 8;
		c->size = 8;
		return 0;
	}
	if (w->t && btf_is_array(w->t)) {    /* an array is its address, as in stap */
		c->addr = true;
		c->size = 8;
		return 0;
	}
	if (!scalar(w->b, w->id, &c->size, &c->is_signed)) {
		snprintf(w->msg, w->msgsz, "the member chain ends at a struct, not a scalar, pointer or array");
		return -EINVAL;
	}
	return 0;
}

int st_btf_chain_resolve(const struct st_btf_chain *ch, struct st_btf_cap *cap, char *msg, size_t msgsz)
{
	const struct btf *b = ch->btf ? ch->btf : vmlinux_btf();
	struct walk w = { .b = b, .cap = cap, .msg = msg, .msgsz = msgsz };
	bool named_root = ch->root == ST_BTF_ROOT_ARG || ch->root == ST_BTF_ROOT_FUNC;
	int rc;

	memset(cap, 0, sizeof(*cap));
	cap->root = ch->root;
	cap->arg = ch->arg;
	if (!b) {
		snprintf(msg, msgsz, "no kernel BTF (/sys/kernel/btf/vmlinux) to read kernel memory");
		return -ENOENT;
	}
	if (ch->root == ST_BTF_ROOT_ARG && (rc = tp_arg(b, ch->event, ch->argname, cap, &w.id, msg, msgsz)) < 0)
		return rc;
	if (ch->root == ST_BTF_ROOT_FUNC && (rc = func_arg(b, ch->event, ch->argname, cap, &w.id, msg, msgsz)) < 0)
		return rc;
	if (ch->cast) {
		if (!(w.t = named_type(b, ch->cast, &w.id))) {
			snprintf(msg, msgsz, "type definition '%s' not found in 'kernel'", ch->cast);
			return -ENOENT;
		}
		w.lval = true;
		w.cast_base = true;
	} else if (named_root) {
		w.t = skip_mods(b, w.id, &w.id);
	} else if (ch->nsteps || ch->want_string) {
		snprintf(msg, msgsz, "a member read needs the pointer's type: @cast(ptr, \"struct name\")->member");
		return -EINVAL;
	}
	for (uint32_t i = 0; i < ch->nsteps; i++) {
		const struct st_btf_step *st = &ch->step[i];

		if (named_root && !ch->cast && i == 0 && st->member && !(w.t && btf_is_ptr(w.t))) {
			snprintf(msg, msgsz, "'$%s' is not a pointer to a struct", ch->argname);
			return -EINVAL;
		}
		rc = st->member ? walk_member(&w, st->member) : walk_index(&w, st);
		if (rc < 0)
			return rc;
		w.cast_base = false;
	}
	rc = walk_final(&w, ch);
	if (rc == 0 && ch->delta && !cap->direct) {
		/* the root's offset joins its first addition (int32 in the program) */
		if (cap->nhops)
			cap->hop[0] += (uint32_t)ch->delta;
		else
			cap->off += (uint32_t)ch->delta;
	}
	return rc;
}

int st_btf_tp_resolve(const char *event, const char *path, struct st_btf_cap *cap, char *msg, size_t msgsz)
{
	struct st_btf_chain ch = { .root = ST_BTF_ROOT_ARG, .event = event };
	char buf[512], *p, *q;

	snprintf(buf, sizeof(buf), "%s", path[0] == '$' ? path + 1 : path);
	ch.argname = buf;
	for (p = strstr(buf, "->"); p; p = q) {
		*p = 0;
		p += 2;
		q = strstr(p, "->");
		if (ch.nsteps >= ST_BTF_MAX_STEPS) {
			snprintf(msg, msgsz, "member chain too long: %s", path);
			return -EINVAL;
		}
		ch.step[ch.nsteps++].member = p;
	}
	return st_btf_chain_resolve(&ch, cap, msg, msgsz);
}

bool st_btf_expr_path(const struct st_expr *e, char *buf, size_t n)
{
	return st_member_path(e, buf, n);
}

static const char *add_cap(struct st_source *s, struct st_arena *arena, struct st_btf_cap *c, const char *name,
			   const char *path)
{
	char buf[32];

	if (!name) {
		snprintf(buf, sizeof(buf), "stap_btf%u", s->nbtf);
		name = buf;
	}
	c->field = st_arena_strndup(arena, name, strlen(name), strlen(name));
	c->path = st_arena_strndup(arena, path, strlen(path), strlen(path));
	s->btf = realloc(s->btf, sizeof(*s->btf) * (s->nbtf + 1));
	if (!s->btf)
		abort();
	s->btf[s->nbtf] = *c;
	return s->btf[s->nbtf++].field;
}

static const char *find_cap(const struct st_source *s, const char *path)
{
	for (uint32_t i = 0; i < s->nbtf; i++)
		if (!strcmp(s->btf[i].path, path))
			return s->btf[i].field;
	return NULL;
}

const char *st_btf_source_field(struct st_source *s, struct st_arena *arena, const char *event, const char *path,
				char *msg, size_t msgsz, int *rc)
{
	struct st_btf_cap c;
	const char *f = find_cap(s, path);

	if (f)
		return f;
	*rc = st_btf_tp_resolve(event, path, &c, msg, msgsz);
	return *rc < 0 ? NULL : add_cap(s, arena, &c, NULL, path);
}

const char *st_btf_source_add_cap(struct st_source *s, struct st_arena *arena, const struct st_btf_cap *c,
				  const char *path)
{
	struct st_btf_cap copy = *c;
	const char *f = find_cap(s, path);

	return f ? f : add_cap(s, arena, &copy, NULL, path);
}

const char *st_btf_source_chain(struct st_source *s, struct st_arena *arena, const struct st_btf_chain *ch,
				const char *path, char *msg, size_t msgsz, int *rc)
{
	struct st_btf_cap c;
	const char *f = find_cap(s, path);

	if (f)
		return f;
	*rc = st_btf_chain_resolve(ch, &c, msg, msgsz);
	if (*rc < 0)
		return NULL;
	/* a record field read directly keeps its name (report's catalog) */
	return add_cap(s, arena, &c, ch->root == ST_BTF_ROOT_CTX && c.direct ? path + 1 : NULL, path);
}

/* A syscall record's field as a direct ROOT_CTX cap named like it. */
static const char *ctx_field_cap(struct st_source *s, struct st_arena *arena, struct st_catalog *cat,
				 const char *name, char *msg, size_t msgsz)
{
	const struct st_catalog_field *f = NULL;
	uint32_t n = 0;
	char path[160];
	int rc;

	if (cat && cat->ops->fields(cat, s->system, s->event, &f, &n) == 0)
		for (uint32_t i = 0; i < n; i++)
			if (!strcmp(f[i].name, name)) {
				struct st_btf_chain ch = { .root = ST_BTF_ROOT_CTX, .arg = f[i].offset,
							   .size = f[i].size, .is_signed = f[i].is_signed };

				snprintf(path, sizeof(path), "$%s", name);
				return st_btf_source_chain(s, arena, &ch, path, msg, msgsz, &rc);
			}
	snprintf(msg, msgsz, "%s:%s has no field '%s'", s->system, s->event, name);
	return NULL;
}

int st_btf_source_finish(struct st_source *s, struct st_arena *arena, struct st_catalog *cat, char *msg,
			 size_t msgsz)
{
	int rc;

	if (!s->nbtf)
		return 0;
	if (s->ncaptures) {
		snprintf(msg, msgsz, "%s:%s: a probe reads both user strings and kernel memory at one event, "
			 "which staplet does not capture together", s->system, s->event);
		return -EINVAL;
	}
	/* The record is the capture's: a format field the handlers also read
	 * must be a TP_PROTO argument of the same name (or, on a syscall
	 * event, the record's field). */
	for (uint32_t i = 0; i < s->nfields; i++) {
		char path[160];
		const char *f;

		if (!strncmp(s->fields[i], "stap_btf", 8))
			continue;
		if (s->btf_ctx) {
			f = find_cap(s, (snprintf(path, sizeof(path), "$%s", s->fields[i]), path));
			if (!f && !(f = ctx_field_cap(s, arena, cat, s->fields[i], msg, msgsz)))
				return -EINVAL;
			s->fields[i] = (char *)f;
			continue;
		}
		snprintf(path, sizeof(path), "$%s", s->fields[i]);
		f = st_btf_source_field(s, arena, s->event, path, msg, msgsz, &rc);
		if (!f) {
			snprintf(msg, msgsz, "kernel.trace(\"%s\"): field '%s' is not a tracepoint argument, and the "
				 "probe reads arguments through BTF (staplet reads one or the other per probe)",
				 s->event, s->fields[i]);
			return -EINVAL;
		}
		s->fields[i] = (char *)f;
	}
	return 0;
}

/* A syscall record field as an index cap: its cap number + 1. */
int st_btf_ctx_index(struct st_source *s, struct st_arena *arena, struct st_catalog *cat, const char *name,
		     char *msg, size_t msgsz)
{
	const char *f = ctx_field_cap(s, arena, cat, name, msg, msgsz);

	if (!f)
		return -EINVAL;
	for (uint32_t i = 0; i < s->nbtf; i++)
		if (s->btf[i].field == f)
			return (int)i + 1;
	return -EINVAL;
}

/* "struct iocb", "iocb", "union u": a struct/union/typedef of vmlinux BTF. */
static const struct btf_type *named_type(const struct btf *b, const char *name, uint32_t *id)
{
	static const struct { const char *prefix; int kind; } k[] = {
		{ "struct ", BTF_KIND_STRUCT }, { "union ", BTF_KIND_UNION },
	};
	int r;

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (!strncmp(name, k[i].prefix, strlen(k[i].prefix))) {
			r = btf__find_by_name_kind(b, name + strlen(k[i].prefix), k[i].kind);
			return r > 0 ? skip_mods(b, (uint32_t)r, id) : NULL;
		}
	if ((r = btf__find_by_name_kind(b, name, BTF_KIND_STRUCT)) > 0 ||
	    (r = btf__find_by_name_kind(b, name, BTF_KIND_UNION)) > 0 ||
	    (r = btf__find_by_name_kind(b, name, BTF_KIND_TYPEDEF)) > 0)
		return skip_mods(b, (uint32_t)r, id);
	return NULL;
}

const struct btf *st_btf_for_cast(struct st_catalog *c, const char *module)
{
	char part[64];

	while (module && *module && c && c->ops->kbtf) {
		size_t n = strcspn(module, ":");

		snprintf(part, sizeof(part), "%.*s", (int)n, module);
		if (strcmp(part, "kernel") && strncmp(part, "kernel<", 7)) {
			const struct btf *b = c->ops->kbtf(c, part);

			if (b)
				return b;
		}
		module += n + (module[n] == ':');
	}
	return NULL;
}

int st_btf_cast_addr(const struct btf *b, const char *type, const char *const *members, uint32_t nmembers,
		     uint32_t *size, uint32_t *off, char *msg, size_t msgsz)
{
	if (!b)
		b = vmlinux_btf();
	const struct btf_type *t;
	uint32_t id = 0;
	char tn[128];
	__s64 sz;

	if (!b) {
		snprintf(msg, msgsz, "no kernel BTF (/sys/kernel/btf/vmlinux) to resolve @cast to '%s'", type);
		return -ENOENT;
	}
	if (!(t = named_type(b, type, &id))) {
		snprintf(msg, msgsz, "type definition '%s' not found in 'kernel'", type);
		return -ENOENT;
	}
	sz = btf__resolve_size(b, id);
	*size = sz > 0 ? (uint32_t)sz : 0;
	*off = 0;
	for (uint32_t i = 0; i < nmembers; i++) {
		uint32_t mt = 0;
		int r;

		type_name(b, t, tn, sizeof(tn));
		if (!btf_is_struct(t) && !btf_is_union(t)) {
			snprintf(msg, msgsz, "member '%s' accessed on a non-struct type", members[i]);
			return -EINVAL;
		}
		if ((r = find_member(b, t, members[i], off, &mt)) == -1) {
			snprintf(msg, msgsz, "unable to find member '%s' for %s", members[i], tn);
			return -EINVAL;
		}
		if (r == -2) {
			snprintf(msg, msgsz, "member '%s' of %s is a bitfield: it has no address", members[i], tn);
			return -EINVAL;
		}
		t = skip_mods(b, mt, NULL);
		if (i + 1 < nmembers && t && btf_is_ptr(t)) {
			snprintf(msg, msgsz, "the address of a member through pointer '%s' needs a read of "
				 "kernel memory, which staplet does not do here", members[i]);
			return -EINVAL;
		}
	}
	return 0;
}

bool st_btf_cast_defined(const struct btf *b, const char *type, const char *const *members, uint32_t nmembers)
{
	if (!b)
		b = vmlinux_btf();
	const struct btf_type *t;
	uint32_t id = 0;

	if (!b || !(t = named_type(b, type, &id)))
		return false;
	for (uint32_t i = 0; i < nmembers; i++) {
		uint32_t off = 0, mt = 0;

		if (t && btf_is_ptr(t))   /* @defined looks through pointers too */
			t = skip_mods(b, t->type, NULL);
		if (!t || !(btf_is_struct(t) || btf_is_union(t)) || find_member(b, t, members[i], &off, &mt) == -1)
			return false;
		t = skip_mods(b, mt, NULL);
	}
	return true;
}
