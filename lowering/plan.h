/* plan.h - what lowering produces and the runtime executes.
 *
 * A plan is data only: event sources (what to attach), probes (which handler
 * runs for which source), handler and function bytecode for the runtime's
 * register VM, globals, and constant pools.  It holds no fds and knows no file
 * format.  `-p3` prints it (st_plan_print).
 */
#ifndef ST_LOWERING_PLAN_H
#define ST_LOWERING_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "lowering/source.h"
#include "lowering/bytecode.h"
#include "frontend/base_arena.h"
#include "frontend/base_types.h"

struct st_program;
struct st_catalog;
struct st_compile_opts;
struct st_point_resolver;

/* Bytecode for one handler or function. */
struct st_code {
	const char *name;            /* function name or the probe's pp */
	struct st_insn *insn;
	uint32_t ninsn;
	struct st_insn_loc *loc;     /* per instruction, for run-time errors */
	uint32_t nregs;              /* frame size: locals first, then temporaries */
	uint32_t nparams;
	uint32_t niters;             /* foreach iterator slots */
	uint32_t ntries;             /* nesting depth of try blocks */
	enum st_type ret;            /* functions: return type */
	/* string locals (not parameters): they start as "", as stap's unset
	 * string reads; the other registers start as 0.  In plan->arena,
	 * shared with bulk copies of the code. */
	const uint16_t *str_locals;
	uint32_t nstr_locals;
};

struct st_insn_loc {
	const char *near;            /* "operator '/'" */
	const char *file;
	uint32_t line, col;
};

/* process.begin/end, process.thread.begin/end: the session derives them
 * from the task tracepoints (runtime/proctree.c), not one per event. */
enum st_task_role {
	ST_TASK_NONE,
	ST_TASK_PROC_BEGIN,          /* on task:task_newtask without CLONE_THREAD, as the child */
	ST_TASK_PROC_END,            /* on sched:sched_process_exit with group_dead */
	ST_TASK_THREAD_BEGIN,        /* on task:task_newtask with CLONE_THREAD, as the thread */
	ST_TASK_THREAD_END,          /* on sched:sched_process_exit of a thread that is not the leader */
};

struct st_plan_probe {
	uint32_t source;             /* index into plan->sources */
	uint32_t code;               /* index into plan->code: the handler */
	const char *pp;              /* pp() */
	const char *pn;              /* pn(): the point at the script's level (alias name) */
	const char *location;        /* FILE:LINE:COL of the script's probe (-t's report) */
	uint8_t task_role;           /* enum st_task_role */
	bool target_scoped;          /* a process probe without a pid: with -c/-x, the target's tree only */
	const char *task_path;       /* process("PATH").end/.thread.*: the executable, else NULL */
	uint32_t bulk_code;          /* the source has `ink`: code for bulk events (inkernel.h) */
};

struct st_plan_global {
	const char *name;
	enum st_type type;           /* value type */
	bool is_array;
	struct st_map_type map;      /* arrays: key/value types (and stats shape) */
	struct st_stat_shape shape;  /* scalar stats */
	uint32_t size;               /* declared size, 0 = MAXMAPENTRIES */
	bool wrap;
	bool has_init;
	st_value init;               /* literal initialiser (string in plan->strs) */
	bool auto_print;             /* written but never read: printed at exit */
	bool in_script;              /* declared by the script, not a tapset (--format=json lists these) */
};

/* A foreach: which array, how to order, where keys/value go. */
struct st_plan_foreach {
	uint32_t global;             /* the array */
	int sort_column;             /* -1 none, 0 value, 1.. key */
	int sort_dir;                /* +1, -1, 0 */
	enum st_stat_op sort_agg;
	uint32_t nkeys;
	uint32_t filter_mask;        /* key columns fixed by a[*, k] filters */
};

struct st_plan {
	struct st_source *sources;
	uint32_t nsources;
	struct st_plan_probe *probes;
	uint32_t nprobes;
	struct st_code *code;        /* script functions first (by st_function.index), then handlers */
	uint32_t ncode;
	struct st_plan_global *globals;
	uint32_t nglobals;
	int64_t *nums;               /* constant pools */
	uint32_t nnums;
	const char **strs;
	uint32_t nstrs;
	const struct st_fmt **fmts;
	uint32_t nfmts;
	struct st_fmt **owned_fmts;  /* formats lowering synthesised (print, println, ...) */
	uint32_t nowned_fmts;
	struct st_plan_foreach *foreachs;
	uint32_t nforeachs;
	const char *script_name;
	struct st_arena *arena;      /* owns the plan's strings and arrays */
};

/* A point resolver for the frontend over a catalog (built-in probe families:
 * begin/end/error/never, timer.*, kernel.trace, syscall.*, nd_syscall.*). */
void st_resolver_init(struct st_point_resolver *r, struct st_catalog *catalog);

/* Lower an elaborated program.  0, or a negative errno with *err set. */
int st_lower(const struct st_program *prog, struct st_catalog *catalog, struct st_plan **out, char **err);
void st_plan_free(struct st_plan *plan);
/* -p3 */
void st_plan_print(FILE *out, const struct st_plan *plan);

#endif
