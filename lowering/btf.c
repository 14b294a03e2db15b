/* btf.c - resolve tracepoint argument paths through vmlinux BTF (btf.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "frontend/ast.h"
#include "lowering/btf.h"
#include "runtime/value.h"

static struct btf *vmlinux;
static bool tried;

static void vmlinux_free(void)
{
	btf__free(vmlinux);
	vmlinux = NULL;
}

static struct btf *vmlinux_btf(void)
{
	if (!tried) {
		tried = true;
		vmlinux = btf__load_vmlinux_btf();
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
 * name shares the longest prefix with the event. */
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

/* The last bitfield find_member() met: bit offset from *off's byte, width. */
static uint32_t bf_bit, bf_size;

/* Member `name` of struct/union `t`, looking into anonymous members;
 * its byte offset added to *off.  -1 when absent, -2 for a bitfield
 * (then *off is its first byte and bf_bit, bf_size place it). */
static int find_member(const struct btf *b, const struct btf_type *t, const char *name, uint32_t *off,
		       uint32_t *type)
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
				bf_bit = bit % 8;
				bf_size = btf_member_bitfield_size(t, i);
				return -2;
			}
			return 0;
		} else {
			const struct btf_type *in = skip_mods(b, m->type, NULL);
			uint32_t sub = *off + bit / 8;
			int r;

			if (!in || !(btf_is_struct(in) || btf_is_union(in)))
				continue;
			r = find_member(b, in, name, &sub, type);
			if (r == 0)
				*off = sub;
			if (r != -1)
				return r;
		}
	}
	return -1;
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

int st_btf_tp_resolve(const char *event, const char *path, struct st_btf_cap *cap, char *msg, size_t msgsz)
{
	const struct btf *b = vmlinux_btf();
	const struct btf_type *fp, *t;
	const struct btf_param *prm;
	char arg[128];
	const char *p = path, *q;
	uint32_t id = 0, i, n;
	size_t len;

	memset(cap, 0, sizeof(*cap));
	if (!b) {
		snprintf(msg, msgsz, "no kernel BTF (/sys/kernel/btf/vmlinux) to read tracepoint arguments");
		return -ENOENT;
	}
	fp = tp_proto(b, event);
	if (!fp) {
		snprintf(msg, msgsz, "tracepoint %s has no BTF prototype (btf_trace_%s)", event, event);
		return -ENOENT;
	}
	if (*p == '$')
		p++;
	q = strstr(p, "->");
	len = q ? (size_t)(q - p) : strlen(p);
	if (len >= sizeof(arg))
		len = sizeof(arg) - 1;
	memcpy(arg, p, len);
	arg[len] = 0;
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
	id = prm[i].type;
	if (!q && task_pointer(b, id, &cap->off)) {
		/* staplet names a task by its tid (task_current(), the task_*()
		 * functions, the scheduler tapset): a task_struct pointer
		 * argument reads as its task's pid field */
		cap->size = 4;
		cap->is_signed = true;
		cap->is_task = true;
		return 0;
	}
	if (!q) {
		cap->direct = true;
		if (!scalar(b, id, &cap->size, &cap->is_signed)) {
			snprintf(msg, msgsz, "tracepoint variable '$%s' is not a scalar or pointer", arg);
			return -EINVAL;
		}
		return 0;
	}
	/* v is a pointer value; `off` accumulates within the pointee. */
	bool have_ptr_val = true;   /* v holds a pointer we have not yet added an offset to */
	uint32_t off = 0;

	t = skip_mods(b, id, &id);
	while (q) {
		char mem[128], tn[160];
		uint32_t mtype;
		int r;

		p = q + 2;
		q = strstr(p, "->");
		len = q ? (size_t)(q - p) : strlen(p);
		if (len >= sizeof(mem))
			len = sizeof(mem) - 1;
		memcpy(mem, p, len);
		mem[len] = 0;
		if (t && btf_is_ptr(t)) {
			/* dereference: when we already sit inside a struct at
			 * `off`, the pointer lives there and must be read. */
			if (!have_ptr_val) {
				if (cap->nhops >= ST_BTF_MAX_HOPS) {
					snprintf(msg, msgsz, "member chain too long: %s", path);
					return -EINVAL;
				}
				cap->hop[cap->nhops++] = off;
				off = 0;
			}
			have_ptr_val = false;
			t = skip_mods(b, t->type, &id);
		} else if (have_ptr_val) {
			snprintf(msg, msgsz, "'$%s' is not a pointer to a struct", arg);
			return -EINVAL;
		}
		if (!t || !(btf_is_struct(t) || btf_is_union(t))) {
			snprintf(msg, msgsz, "member '%s' accessed on a non-struct type", mem);
			return -EINVAL;
		}
		type_name(b, t, tn, sizeof(tn));
		r = find_member(b, t, mem, &off, &mtype);
		if (r == -1) {
			snprintf(msg, msgsz, "unable to find member '%s' for %s", mem, tn);
			return -EINVAL;
		}
		if (r == -2 && (q || !bf_size || bf_bit + bf_size > 64)) {
			snprintf(msg, msgsz, "member '%s' of %s is a bitfield (not supported)", mem, tn);
			return -EINVAL;
		}
		t = skip_mods(b, mtype, &id);
		if (r == -2) {
			/* the bytes that hold it, then shifts in the capture program */
			cap->off = off;
			cap->bit_shift = bf_bit;
			cap->bit_size = bf_size;
			cap->bit_read = (bf_bit + bf_size + 7) / 8;
			if (!scalar(b, id, &cap->size, &cap->is_signed)) {
				snprintf(msg, msgsz, "%s is not a scalar, pointer or char array", path);
				return -EINVAL;
			}
			cap->size = 8;
			return 0;
		}
	}
	cap->off = off;
	if (t && char_array(b, t, &cap->size)) {
		cap->is_string = true;
		if (cap->size == 0 || cap->size > 256)
			cap->size = 256;
		return 0;
	}
	if (!scalar(b, id, &cap->size, &cap->is_signed)) {
		snprintf(msg, msgsz, "%s is not a scalar, pointer or char array", path);
		return -EINVAL;
	}
	return 0;
}

bool st_btf_expr_path(const struct st_expr *e, char *buf, size_t n)
{
	return st_member_path(e, buf, n);
}

const char *st_btf_source_field(struct st_source *s, struct st_arena *arena, const char *event, const char *path,
				char *msg, size_t msgsz, int *rc)
{
	struct st_btf_cap c;
	char name[32];

	for (uint32_t i = 0; i < s->nbtf; i++)
		if (!strcmp(s->btf[i].path, path))
			return s->btf[i].field;
	*rc = st_btf_tp_resolve(event, path, &c, msg, msgsz);
	if (*rc < 0)
		return NULL;
	snprintf(name, sizeof(name), "stap_btf%u", s->nbtf);
	c.field = st_arena_strndup(arena, name, strlen(name), strlen(name));
	c.path = st_arena_strndup(arena, path, strlen(path), strlen(path));
	s->btf = realloc(s->btf, sizeof(*s->btf) * (s->nbtf + 1));
	if (!s->btf)
		abort();
	s->btf[s->nbtf] = c;
	return s->btf[s->nbtf++].field;
}

int st_btf_source_finish(struct st_source *s, struct st_arena *arena, char *msg, size_t msgsz)
{
	int rc;

	if (!s->nbtf)
		return 0;
	/* The record is the capture's: a format field the handlers also read
	 * must be a TP_PROTO argument of the same name. */
	for (uint32_t i = 0; i < s->nfields; i++) {
		char path[160];
		const char *f;

		if (!strncmp(s->fields[i], "stap_btf", 8))
			continue;
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

int st_btf_cast_addr(const char *type, const char *const *members, uint32_t nmembers, uint32_t *size,
		     uint32_t *off, char *msg, size_t msgsz)
{
	const struct btf *b = vmlinux_btf();
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

bool st_btf_cast_defined(const char *type, const char *const *members, uint32_t nmembers)
{
	const struct btf *b = vmlinux_btf();
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
