/* family_kernel.h - kernel probe points and their context.
 *
 *   kernel.function("P")[.call|.exported|.inline][.return[.maxactive(N)]]
 *   module("M").function("P")[...]          M may be a glob ("*")
 *   kernel.statement(ADDR)[.absolute], module("M").statement(ADDR)
 *   kernel.statement("f@file:line")         needs the kernel's DWARF: an error
 *   kprobe.function("f")[.return], kprobe.module("m").function("f")[.return]
 *   kprobe.statement(ADDR).absolute
 *
 * Functions come from the catalog's kernel symbols (kallsyms), their
 * parameters and types from its BTF (vmlinux or the module's).  Each
 * concrete point is a tracefs kprobe/kretprobe event (ST_SRC_KPROBE) whose
 * fetch arguments the source collects as the handlers read context
 * (kprobe_ctx.c).  On a kernel with no kprobes the points resolve to one
 * clear error naming the probe. */
#ifndef ST_LOWERING_FAMILY_KERNEL_H
#define ST_LOWERING_FAMILY_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "frontend/ast.h"

struct st_catalog;
struct st_family_point;
struct btf;

/* Group of our kprobe events in plans and recordings (live: "staplet_<pid>",
 * runtime/dynevent.h), the same as our uprobes'. */
#define ST_KPROBE_SYSTEM "staplet"

#define ST_KPARAM_MAX 6     /* parameters in registers (x86-64) */

struct st_kparam {
	char name[64];
	char fetch[8];       /* fetch type: u64 s32 ...; "" when not fetchable (a struct by value) */
	uint32_t type;       /* BTF type id */
	bool is_ptr;
};

/* One kprobe site: where the event goes and what BTF says about it. */
struct st_kprobe_site {
	const struct st_probe_point *pp;
	char func[128];      /* the function (probefunc()); "" for an address without symbol */
	char module[64];     /* "" for vmlinux */
	char target[192];    /* kprobe_events target: "vfs_read", "9p:v9fs_open", "vfs_read+4", "0x..." */
	char event[64];      /* our event name in the staplet group */
	bool ret, stmt;
	uint32_t maxactive;
	bool proto;          /* BTF knows the prototype */
	struct st_kparam params[ST_KPARAM_MAX];
	uint32_t nparams;
	char ret_fetch[8];   /* "" for void */
	uint32_t ret_type;
	const struct btf *btf;
	struct st_kprobe_site *entry;   /* .return: the paired entry site */
};

bool st_kernel_is_family(const struct st_probe_point *pp);
/* Concrete points, one per matching function, or a negative errno with
 * *err saying why. */
int st_kernel_expand(struct st_catalog *c, struct st_arena *arena, const struct st_probe_point *pp,
		     int (*add)(void *arg, struct st_probe_point *concrete), void *arg, char **err);
int st_kernel_classify(const struct st_probe_point *pp, struct st_family_point *fp);
/* The entry site paired with a .return site (same function, entry event). */
const struct st_kprobe_site *st_kernel_entry_site(const struct st_kprobe_site *ret);

/* The fetch type of a BTF type: pointers and longs u64, ints by size and sign. */
const char *st_kprobe_fetch_type(const struct btf *btf, uint32_t id);
/* "TYPE" as stap -L prints it: "struct file*", "size_t", "char const*". */
void st_kprobe_type_name(const struct btf *btf, uint32_t id, char *buf, size_t n);
/* The fetch args of function `func` from BTF, every parameter by name
 * ("file=%di:u64 ...") or "return=$retval:TYPE"; 0 or -ENOENT. */
int st_kprobe_fetchargs(const struct btf *btf, const char *func, bool is_return, char *buf, size_t n);
/* The kprobe_events line: "p:GROUP/EVENT TARGET FETCHARGS", "r[N]:..." */
int st_kprobe_definition(char *buf, size_t n, const char *group, const char *event, const char *target,
			 bool is_return, uint32_t maxactive, const char *fetch);

#endif
