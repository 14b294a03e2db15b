/* families.h - built-in probe families, as lowering classifies them. */
#ifndef ST_LOWERING_FAMILIES_H
#define ST_LOWERING_FAMILIES_H

#include <stdbool.h>
#include <stdint.h>
#include "frontend/ast.h"
#include "lowering/source.h"

struct st_catalog;
struct st_point_resolver;
struct st_uprobe_site;
struct st_kprobe_site;

struct st_family_point {
	enum st_source_kind kind;
	int64_t seq;                 /* begin/end/error */
	uint64_t period_ns;          /* timer */
	char system[128], event[128];/* tracepoint */
	bool syscall, is_return;
	char syscall_name[128];
	const struct st_uprobe_site *usite; /* ST_SRC_UPROBE: lowering/family_process.c */
	const struct st_kprobe_site *ksite; /* ST_SRC_KPROBE: lowering/family_kernel.c */
	uint32_t perf_type;          /* ST_SRC_PERF */
	uint64_t perf_config, perf_period;
	bool perf_freq;              /* perf_period is a frequency in Hz */
	char symbol[128];            /* ST_SRC_KPROBE: kernel function */
	uint8_t task_role;           /* enum st_task_role (plan.h): process.begin/end, .thread.* */
	bool target_scoped;          /* process probes: limited to the -c/-x target's tree */
	char task_path[256];         /* process("PATH").end/.thread.*: the executable */
};

/* Classify a concrete point; -ENOENT when it is not a built-in family. */
int st_family_classify(const struct st_probe_point *pp, struct st_family_point *fp);

enum st_ctxvar_kind {
	ST_CTX_NONE,
	ST_CTX_FIELD,          /* a raw field of the event: *field */
	ST_CTX_SYSCALL_NAME,   /* syscall `name` */
	ST_CTX_EVENT_NAME,     /* $$name */
	ST_CTX_SYSCALL_ARG,    /* a syscall argument by stap's name: *field, st_syscall_conv() */
	ST_CTX_SYSCALL_ARGSTR, /* syscall `argstr`: st_syscall_args() */
	ST_CTX_SYSCALL_RETSTR, /* syscall `retstr`: "-2 (ENOENT)" from field *field */
};

/* One argument of a syscall as stap names and prints it. */
struct st_syscall_arg {
	char name[48], field[48];
	char conv;             /* see lowering/syscall_names.h */
};

/* The arguments of syscall fp->syscall_name in order; count (<= max). */
uint32_t st_syscall_args(struct st_catalog *c, const struct st_family_point *fp, struct st_syscall_arg *out,
			 uint32_t max);
/* How stap-named argument `name` reads: its conv char, 0 if unknown. */
char st_syscall_conv(struct st_catalog *c, const struct st_family_point *fp, const char *name);

/* The raw field of syscall argument n (1-based) at a syscall entry point. */
const char *st_syscall_arg_field(struct st_catalog *c, const struct st_family_point *fp, int64_t n);
/* A .return point's paired entry point, for @entry; -ENOENT when none. */
int st_family_entry_point(const struct st_family_point *ret, struct st_family_point *entry);

/* Room for the name of an event field a context variable reads. */
#define ST_FIELD_NAME_MAX 160

/* How `name` (with its '$' when dollar) reads at a point; *field may point
 * into fbuf (the caller's, ST_FIELD_NAME_MAX bytes). */
enum st_ctxvar_kind st_family_var(struct st_catalog *c, const struct st_family_point *fp, const char *name,
				  bool dollar, char *fbuf, const char **field, enum st_type *type);

void st_resolver_free(struct st_point_resolver *r);

/* Dynamic probes (uprobes and kprobes, whose events staplet creates with
 * fetch arguments): the calls lowering makes of either family. */
struct st_arena;
bool st_family_dynamic(const struct st_family_point *fp);
/* $$parms, $$return, $x$ ...: printf format and the targets it prints; -1 */
int st_family_pretty(const struct st_family_point *fp, const char *name, char *fmt, size_t flen, char targets[][64],
		     uint32_t max);
/* $param in a .return probe, read at the entry */
bool st_family_entry_var(const struct st_family_point *fp, const char *target);
/* user_string($p) (user) / kernel_string($p): the field holding the
 * string the probe fetched, written to buf (ST_FIELD_NAME_MAX bytes), or NULL */
const char *st_family_string_field(const struct st_family_point *fp, const char *target, bool user, char *buf);
void st_family_source_init(struct st_source *s, const struct st_family_point *fp, struct st_arena *arena);
void st_family_source_fetch(struct st_source *s, const struct st_family_point *fp, struct st_arena *arena);

/* The probe point shapes the built-in families serve, in stap's
 * --dump-probe-types form ("process(string).function(string).return");
 * NULL-terminated. */
const char *const *st_family_probe_types(void);

#endif
