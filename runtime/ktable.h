/* ktable.h - the running kernel's functions, as the live catalog offers
 * them to lowering (lowering/catalog.h: ksyms, kbtf, ksym_at,
 * module_loaded): text symbols from /proc/kallsyms, which of them ftrace
 * and kprobes can hook, and the BTF of vmlinux and of loaded modules.
 * Everything is read on first use and kept for the run. */
#ifndef ST_RUNTIME_KTABLE_H
#define ST_RUNTIME_KTABLE_H

#include <stdbool.h>
#include <stdint.h>
#include "lowering/catalog.h"

struct st_ktable;

/* Paths: NULL for the kernel's own (/proc/kallsyms, the tracing directory,
 * /sys/kernel/btf); tests point them at fixtures. */
struct st_ktable *st_ktable_new(const char *kallsyms, const char *tracing, const char *btf_dir);
void st_ktable_free(struct st_ktable *t);

int st_ktable_each(struct st_ktable *t, const char *module, const char *glob, bool traceable,
		   int (*fn)(void *arg, const struct st_ksym *sym), void *arg);
const struct btf *st_ktable_btf(struct st_ktable *t, const char *module);
const struct st_ksym *st_ktable_at(struct st_ktable *t, uint64_t addr, uint64_t *off);
bool st_ktable_module_loaded(struct st_ktable *t, const char *name);
bool st_ktable_module_text(struct st_ktable *t, const char *name, uint64_t *addr);

#endif
