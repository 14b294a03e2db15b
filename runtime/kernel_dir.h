/* kernel_dir.h - another kernel's symbols and BTF, from its unpacked
 * package, as a catalog for `-r KREL --kernel-dir DIR` (runtime/kernel_dir.c). */
#ifndef ST_RUNTIME_KERNEL_DIR_H
#define ST_RUNTIME_KERNEL_DIR_H

#include <stddef.h>
#include "lowering/catalog.h"

/* A catalog of kernel `release` unpacked under dir ("/" for the installed
 * ones), with events' names and fields from `events` (this machine's; the
 * catalog frees it).  *btf_path is the raw BTF it resolves against (valid
 * until the catalog is freed).  NULL with msg filled when the symbols or
 * the BTF cannot be found (events is then freed too). */
struct st_catalog *st_catalog_kernel_dir(const char *dir, const char *release, struct st_catalog *events,
					 const char **btf_path, char *msg, size_t size);

#endif
