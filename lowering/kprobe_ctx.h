/* kprobe_ctx.h - context at kernel probes: what each context read becomes
 * among the kprobe event's fetch arguments.
 *
 * Handlers read record fields by name; each name says what the kprobe
 * fetches into it (x86-64: arguments in %di %si %dx %cx %r8 %r9, the rest
 * above the return address on the stack):
 *   p_NAME          parameter NAME, typed from BTF       %si:u64
 *   ret             $return at a kretprobe               $retval:s64
 *   kstr_F / ustr_F the kernel / user string field F points to  +0(%si):string
 *   karg_N_T        int_arg(N) ... (T: s32 u32 s64 u64)  %dx:s32, +8(%sp):u64
 *   kreg_R, kreg_R_32  register("rR") / ("eR")           %di:u64, %di:s32
 *   kretval         returnval()                          $retval:s64
 *   c_HASH          a member chain through BTF           +16(+8(%di)):u32
 */
#ifndef ST_LOWERING_KPROBE_CTX_H
#define ST_LOWERING_KPROBE_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include "frontend/ast.h"
#include "lowering/families.h"

struct st_arena;
struct st_source;
struct st_btf_chain;
struct st_kprobe_site;

/* st_family_var at a kprobe (fbuf: ST_FIELD_NAME_MAX bytes) */
enum st_ctxvar_kind st_kernel_var(const struct st_family_point *fp, const char *name, bool dollar, char *fbuf,
				  const char **field, enum st_type *type);
/* kernel_string($p) (user false) / user_string($p): the field holding the
 * string the kprobe fetched, written to buf (ST_FIELD_NAME_MAX bytes);
 * NULL when $p is no fetchable pointer here. */
const char *st_kernel_string_field(const struct st_family_point *fp, const char *target, bool user, char *buf);
/* $vars, @entry's paired entry point and parameters read there, over
 * site_vars.h */
struct st_site_ops;
extern const struct st_site_ops st_kprobe_site_ops;
/* $$parms $$vars $$locals $$return $x$ $x$$: the printf format and the
 * `$name` targets it prints (as st_process_pretty); -1 when not one. */
int st_kernel_pretty(const struct st_family_point *fp, const char *name, char *fmt, size_t flen,
		     char targets[][64], uint32_t max);
/* A member chain rooted at a parameter or $return (ch->root, event and
 * btf are set here): the field its fetch arg fills; NULL with msg. */
const char *st_kernel_chain_field(const struct st_family_point *fp, struct st_btf_chain *ch, char *msg,
				  size_t msgsz);
/* int_arg(N) and its kin ("s32", "u32", "s64", "u64"); register(NAME):
 * the field, or false for an argument or register that does not exist. */
bool st_kernel_arg_field(long long n, const char *type, char *field, size_t len);
bool st_kernel_reg_field(const char *reg, char *field, size_t len);
/* Fill a new ST_SRC_KPROBE source, and (after each handler adds fields)
 * its fetch arguments from the fields it reads. */
void st_kernel_source_init(struct st_source *s, const struct st_family_point *fp, struct st_arena *arena);
void st_kernel_source_fetch(struct st_source *s, const struct st_family_point *fp, struct st_arena *arena);
/* -L: "$file:struct file* $buf:char* ..." ("" without BTF). */
void st_kernel_signature(const struct st_kprobe_site *s, char *buf, size_t n);

#endif
