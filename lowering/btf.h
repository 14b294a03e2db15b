/* btf.h - tracepoint arguments ($prev, $prev->pid) from the kernel's BTF.
 *
 * A tracepoint's TP_PROTO arguments are the parameters (after `void *ctx`)
 * of the function prototype behind the `btf_trace_<event>` typedef.  A path
 * `$arg->m1->m2` resolves to a struct st_btf_cap (lowering/source.h): which
 * ctx argument, which pointers to follow, where and how wide the final read
 * is.  The BPF program that performs it is lowering/bpf_capture.h's.
 */
#ifndef ST_LOWERING_BTF_H
#define ST_LOWERING_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include "lowering/source.h"

/* Resolve "$arg" or "$arg->m->n" at tracepoint `event`.  0 with *cap filled
 * (all but cap->field and cap->path); -ENOENT when the event has no BTF
 * prototype or no such argument (msg says which); -EINVAL with a stap-like
 * message for a bad member chain. */
int st_btf_tp_resolve(const char *event, const char *path, struct st_btf_cap *cap, char *msg, size_t msgsz);

struct st_arena;
struct btf;

/* A member chain in general: a root, an optional @cast type, then steps
 * ->member and [index] (a constant, or the value of an earlier direct cap
 * of the same source: an index known at the event). */
struct st_btf_step {
	const char *member;   /* NULL: an index */
	int64_t cidx;
	uint32_t idx_cap;     /* cap number + 1; 0: the constant cidx */
};
#define ST_BTF_MAX_STEPS 16
struct st_btf_chain {
	uint8_t root;         /* ST_BTF_ROOT_* (source.h) */
	const struct btf *btf;/* the types to walk; NULL: vmlinux's */
	uint32_t arg;         /* ROOT_CTX: record offset; ROOT_ARG: set by the resolver */
	uint32_t size;        /* ROOT_CTX: field size */
	bool is_signed;       /* ROOT_CTX */
	const char *event;    /* ROOT_ARG: the tracepoint; ROOT_FUNC: the function */
	const char *argname;  /* ROOT_ARG, ROOT_FUNC: "prev"; ROOT_FUNC: "return" too */
	const char *cast;     /* @cast's type, or NULL: the root's own type */
	struct st_btf_step step[ST_BTF_MAX_STEPS];
	uint32_t nsteps;
	bool want_string;     /* kernel_string(chain): the string it names */
	uint32_t strn;        /* its byte limit, 0: 256 */
	int32_t delta;        /* ROOT_ARG: the walk starts at $arg + delta
			       * (@container_of(...)->m: a constant offset) */
};

/* Resolve a chain into *cap (all but field and path).  0, or -ENOENT /
 * -EINVAL with a message. */
int st_btf_chain_resolve(const struct st_btf_chain *ch, struct st_btf_cap *cap, char *msg, size_t msgsz);

/* The record field holding the cap of `ch` keyed by `path` at source s,
 * adding it when new; NULL with msg and *rc as st_btf_source_field. */
const char *st_btf_source_chain(struct st_source *s, struct st_arena *arena, const struct st_btf_chain *ch,
				const char *path, char *msg, size_t msgsz, int *rc);

/* Add cap c (all but field and path) keyed by `path` to s, unless one has
 * that path: its record field. */
const char *st_btf_source_add_cap(struct st_source *s, struct st_arena *arena, const struct st_btf_cap *c,
				  const char *path);

/* -L's variables of tracepoint `event`: its TP_PROTO arguments as stap
 * lists them, "$prev:struct task_struct* ..."; "" without BTF. */
void st_btf_tp_signature(const char *event, char *buf, size_t n);

/* The number of TP_PROTO arguments of `event`, -ENOENT without BTF. */
int st_btf_tp_nargs(const char *event);
/* Resolve against the BTF file at path (another kernel's, for -r) instead
 * of the running kernel's; before the first resolution. */
void st_btf_vmlinux_from(const char *path);


struct st_expr;
struct st_arena;

/* "$a->b->c" for a member chain rooted at a context variable; false when
 * the expression is not one. */
bool st_btf_expr_path(const struct st_expr *e, char *buf, size_t n);

/* The record field holding `path` at tracepoint source s (event `event`),
 * adding a cap when new; NULL with msg set when it does not resolve
 * (*rc: -ENOENT no such argument / no BTF, -EINVAL bad member). */
const char *st_btf_source_field(struct st_source *s, struct st_arena *arena, const char *event, const char *path,
				char *msg, size_t msgsz, int *rc);

/* After lowering: format fields a capturing source's handlers read become
 * caps of the same-named argument.  0, or -EINVAL with msg. */
struct st_catalog;
int st_btf_source_finish(struct st_source *s, struct st_arena *arena, struct st_catalog *cat, char *msg,
			 size_t msgsz);

/* The syscall record field `name` of s as a direct cap (made when new):
 * its number + 1 for st_btf_step.idx_cap, or -EINVAL with msg. */
int st_btf_ctx_index(struct st_source *s, struct st_arena *arena, struct st_catalog *cat, const char *name,
		     char *msg, size_t msgsz);

/* &@cast(p, "type")->m->n: the byte offset of the member path (embedded
 * members only: no pointer in between) into *off and sizeof(type) into
 * *size, for &@cast(p, "type")[i].  0, or -ENOENT / -EINVAL with msg. */
int st_btf_cast_addr(const struct btf *b, const char *type, const char *const *members, uint32_t nmembers,
		     uint32_t *size, uint32_t *off, char *msg, size_t msgsz);

/* @defined(@cast(p, "type")->m->n): the kernel's BTF has the type and the
 * member path (through pointers and bitfields as well). */
bool st_btf_cast_defined(const struct btf *b, const char *type, const char *const *members, uint32_t nmembers);

/* The types @cast's module string names: "kernel", "kernel<h.h>", a module
 * ("nfsd") or a colon-separated list of them, searched in order as stap
 * does: the BTF of the first loaded module it names (split over vmlinux's,
 * so kernel types resolve in it too), else NULL for vmlinux's own. */
const struct btf *st_btf_for_cast(struct st_catalog *c, const char *module);

#endif
