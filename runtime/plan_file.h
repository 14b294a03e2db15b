/* plan_file.h - a lowered plan as one file (`-p4 -m NAME`), and back.
 *
 * The file holds the plan with everything lowering resolved (sources with
 * their uprobe offsets and fetch arguments, BTF capture offsets, bytecode,
 * formats, globals) and what it was resolved against: the kernel release,
 * a fingerprint of the kernel's BTF, and the build-id of every traced file.
 * A run from the file needs no tapset, no DWARF and no compile; the reader
 * treats the file as untrusted: every count, index and string is checked
 * (runtime/plan_verify.c checks the bytecode's operands).
 *
 * Layout (little-endian): "STPLAN\r\n", u32 version, u32 meta bytes, meta,
 * u32 plan bytes, plan.  Sections are length-prefixed so that a reader of
 * a later minor layout can skip what it does not know.
 */
#ifndef ST_RUNTIME_PLAN_FILE_H
#define ST_RUNTIME_PLAN_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "frontend/base_types.h"
#include "lowering/plan.h"
#include "runtime/bytes.h"

#define ST_PLANFILE_MAGIC "STPLAN\r\n"
#define ST_PLANFILE_VERSION 1u
#define ST_PLANFILE_MAX_BYTES (256u << 20)
#define ST_BUILD_ID_MAX 64

/* A file the plan's probes trace, with the build-id it had. */
struct st_plan_traced {
	char *path;
	uint8_t build_id[ST_BUILD_ID_MAX];
	uint32_t build_id_len;       /* 0: the file had none */
};

/* What the plan was resolved against, and what made it. */
struct st_plan_meta {
	char *release;               /* the kernel's `uname -r` */
	char *arch;
	uint64_t btf_hash;           /* of the vmlinux BTF; 0 with btf_size 0: none read */
	uint64_t btf_size;
	char *script_name;
	char *script;                /* the source text, for recordings made from the plan */
	uint32_t argc;
	char **argv;
	struct st_limits limits;
	struct st_plan_traced *files;
	uint32_t nfiles;
};

/* Append the file's bytes to out: 0 or -ENOMEM. */
int st_planfile_encode(const struct st_plan *plan, const struct st_plan_meta *meta, struct st_wbuf *out);
/* Parse p[0..len): 0 with *plan and *meta filled (free with st_plan_free
 * and st_plan_meta_free), or -EINVAL with *err (malloc'd) naming what is
 * wrong. */
int st_planfile_decode(const uint8_t *p, size_t len, struct st_plan **plan, struct st_plan_meta *meta, char **err);
/* Whether p starts like a plan file. */
bool st_planfile_is(const uint8_t *p, size_t len);
void st_plan_meta_free(struct st_plan_meta *meta);

/* Whole files: 0, or a negative errno with *err set. */
int st_planfile_write(const char *path, const struct st_plan *plan, const struct st_plan_meta *meta, char **err);
int st_planfile_read(const char *path, struct st_plan **plan, struct st_plan_meta *meta, char **err);

/* Check a decoded plan's indexes and bytecode operands: 0, or -EINVAL with
 * msg filled (runtime/plan_verify.c). */
int st_plan_verify(const struct st_plan *plan, char *msg, size_t size);

#endif
