/* cli_plan.h - the command line's compiled plans: `-p4 -m NAME` writes the
 * lowered plan as the file NAME, and `run NAME` (or a plan given where a
 * script goes) reads it back and checks it against this machine
 * (runtime/cli_plan.c). */
#ifndef ST_RUNTIME_CLI_PLAN_H
#define ST_RUNTIME_CLI_PLAN_H

#include <stdbool.h>
#include "runtime/plan_file.h"

/* What the command line knows of the script a plan was lowered from. */
struct st_cli_plan_src {
	const char *script_name, *script;
	int argc;
	char **argv;
	struct st_limits limits;
	const char *release;         /* -r: the kernel resolved against; NULL: this one */
	const char *btf_path;        /* its BTF; NULL: /sys/kernel/btf/vmlinux */
};

/* Write the plan as path: 0, or 1 after printing the error. */
int st_cli_plan_save(const char *path, const struct st_plan *plan, const struct st_cli_plan_src *src, int verbose);
/* Whether path is a plan file (by its first bytes). */
bool st_cli_is_plan(const char *path);
/* Read path and check it against this machine: 0, or 1 after printing
 * why nothing will be attached. */
int st_cli_plan_load(const char *path, struct st_plan **plan, struct st_plan_meta *meta, int verbose);

/* The catalog to lower against: this kernel's, or for -r naming another
 * kernel (with -p3/-p4) its package's symbols and BTF from kernel_dir
 * (default "/": the installed /boot files), *btf_path then its BTF and
 * *other true.  NULL after printing why (-r another kernel for a run). */
struct st_catalog *st_cli_release_catalog(const char *release, const char *kernel_dir, int last_pass,
					  const char **btf_path, bool *other);

#endif
