/* family_kernel.h - kernel function probes: kernel.function("P")[.call|.return],
 * module("M").function("P")[...], kernel.statement("P"), kprobe.function("f")[.return],
 * kprobe.module("m").function("f")[.return].  They become tracefs kprobe
 * events (ST_SRC_KPROBE); on a kernel with neither kprobes nor BPF fentry
 * they resolve to one clear error naming the probe. */
#ifndef ST_LOWERING_FAMILY_KERNEL_H
#define ST_LOWERING_FAMILY_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "frontend/ast.h"

struct st_catalog;
struct st_family_point;
struct btf;

bool st_kernel_is_family(const struct st_probe_point *pp);
/* Concrete points (one per matching kernel function in kallsyms), or a
 * negative errno with *err saying why. */
int st_kernel_expand(struct st_catalog *c, struct st_arena *arena, const struct st_probe_point *pp,
		     int (*add)(void *arg, struct st_probe_point *concrete), void *arg, char **err);
int st_kernel_classify(const struct st_probe_point *pp, struct st_family_point *fp);

/* The fetch args of function `func` from BTF: parameter i in the x86-64
 * argument registers (%di %si %dx %cx %r8 %r9) typed from its BTF type, or
 * for a return probe "return=$retval:TYPE".  0, or -ENOENT when BTF has no
 * such function. */
int st_kprobe_fetchargs(const struct btf *btf, const char *func, bool is_return, char *buf, size_t n);
/* The kprobe_events line: "p:GROUP/EVENT SYMBOL[+OFF] FETCHARGS" or "r:...". */
int st_kprobe_definition(char *buf, size_t n, const char *group, const char *event, const char *symbol,
			 uint64_t offset, bool is_return, const char *fetch);
/* kallsyms file to read (tests point it at a fixture); default /proc/kallsyms. */
extern const char *st_kallsyms_path;

#endif
