/* plan_check.h - the identity of what a plan was resolved against (kernel
 * release, BTF fingerprint, traced files' build-ids): taken when a plan is
 * written, compared before one runs (runtime/plan_check.c).
 */
#ifndef ST_RUNTIME_PLAN_CHECK_H
#define ST_RUNTIME_PLAN_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include "runtime/plan_file.h"

/* The GNU build-id note of an ELF file: 0 (len 0 when it has none), or a
 * negative errno (-ENOEXEC: not ELF). */
int st_build_id_read(const char *path, uint8_t *id, uint32_t *len);
/* A 64-bit fingerprint and the size of a BTF blob: 0 or a negative errno. */
int st_btf_fingerprint(const char *path, uint64_t *hash, uint64_t *size);

/* Fill meta's release (the running kernel's when NULL), machine, BTF
 * fingerprint (from btf_path, default /sys/kernel/btf/vmlinux) and the
 * build-ids of the files plan traces: 0, or a negative errno with msg. */
int st_plan_meta_identify(struct st_plan_meta *meta, const struct st_plan *plan, const char *release,
			  const char *btf_path, char *msg, size_t size);
/* Compare meta with this machine: 0, or a negative errno with msg naming
 * the first difference. */
int st_plan_meta_check(const struct st_plan_meta *meta, const char *btf_path, char *msg, size_t size);

#endif
