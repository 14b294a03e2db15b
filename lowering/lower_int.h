/* lower_int.h - private to lowering/lower*.c: the lowering state and the
 * helpers its files share.
 *
 * Registers: a frame's locals occupy registers 0..nlocals-1 (their symbol
 * index); temporaries are allocated above them like a stack and released at
 * the end of each statement.
 */
#ifndef STAPLET_LOWER_INT_H
#define STAPLET_LOWER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "frontend/frontend.h"
#include "lowering/btf.h"
#include "lowering/ctypes.h"
#include "lowering/catalog.h"
#include "lowering/families.h"
#include "lowering/inkernel.h"
#include "lowering/family_process.h"
#include "lowering/uelf.h"
#include "lowering/plan.h"
#include "tapset/builtins.h"

#define GROW(arr, n, cap) do { \
	if ((n) >= (cap)) { \
		(cap) = (cap) ? (cap) * 2 : 16; \
		(arr) = realloc((arr), sizeof(*(arr)) * (cap)); \
		if (!(arr)) abort(); \
	} \
} while (0)

struct patch_list {
	uint32_t *at;
	uint32_t n, cap;
};

struct loop {
	struct patch_list breaks, continues;
	struct loop *outer;
};

struct lower {
	const struct st_program *prog;
	struct st_catalog *catalog;
	struct st_plan *plan;
	uint32_t cap_sources, cap_probes, cap_code, cap_nums, cap_strs, cap_fmts, cap_fe;
	char *err;

	/* the code being generated */
	struct st_code *code;
	uint32_t cap_insn;
	uint32_t top, nlocals;       /* next free temporary; locals below */
	uint32_t iter_depth, try_depth;
	struct loop *loop;
	/* inside foreach (b in @hist_xxx(g)): g and b, for reads of
	 * @hist_xxx(g)[b] that stap takes from the loop's snapshot */
	const struct st_symbol *hist_fe_stat, *hist_fe_key;
	int source;                  /* the handler's source, -1 in functions */
	const struct st_probe_inst *pi; /* the probe being lowered, NULL in functions */
	/* locals of the probe assigned so far: a bound one no longer holds the
	 * event's value (kernel reads index only by that) */
	const struct st_symbol *written[32];
	uint32_t nwritten;
	bool written_overflow;
	struct st_family_point fp;
	uint32_t ntemps_fmt;
	/* a .return handler's @entry values: expressions and their registers */
	const struct st_expr **eslot;
	uint32_t neslot, cap_eslot, eslot_base, npairs;
	/* MAXACTION as stap 4.8 counts it (lower_cost.c) */
	bool running;                /* this body subtracts a running count */
	uint32_t pending;            /* statements counted but not yet subtracted */
	uint8_t *fstate;             /* per function: 0 unknown, 1 visiting, 2 loop-free, 3 has loops */
	uint32_t *fcost;             /* per loop-free function: its longest path */
	uint8_t *fstack;             /* per function: 0x80 known | ST_STACK_* it reads */
};

#define E(L, e, op, aux, a, b, c) emit((L), &(e)->loc, (e)->near, (op), (aux), (a), (b), (c))

/* lower_emit.c */
void fail(struct lower *L, const struct st_loc *loc, const char *fmt, ...);
uint32_t num_const(struct lower *L, int64_t v);
uint32_t str_const(struct lower *L, const char *s);
uint32_t fmt_const(struct lower *L, const struct st_fmt *f);
uint32_t emit(struct lower *L, const struct st_loc *loc, const char *near, int op, int aux,
	      uint32_t a, uint32_t b, uint32_t c);
const char *op_near(struct lower *L, const struct st_expr *e);
void set_target(struct lower *L, uint32_t at, uint32_t target);
uint32_t here(struct lower *L);
void patch_add(struct patch_list *pl, uint32_t at);
void patch_all(struct lower *L, struct patch_list *pl, uint32_t target);
uint32_t temp(struct lower *L, uint32_t n);
uint32_t load_num(struct lower *L, const struct st_expr *e, int64_t v);
const struct st_fmt *own_fmt(struct lower *L, const struct st_loc *loc, char *text, size_t len);
struct st_code *code_begin(struct lower *L, const char *name, uint32_t nlocals);
void string_locals(struct lower *L, struct st_symbol *const *locals, uint32_t nlocals, uint32_t from);

/* lower_expr.c */
uint32_t expr_any(struct lower *L, const struct st_expr *e);
uint32_t global_index(struct lower *L, const struct st_expr *var);
uint32_t keys_to_regs(struct lower *L, struct st_expr **keys, uint32_t n, uint32_t *mask);
bool was_written(const struct lower *L, const struct st_symbol *s);
void expr_to(struct lower *L, const struct st_expr *e, uint32_t dst);

/* lower_ctx.c */
int uprobe_chain_to(struct lower *L, const struct st_expr *e, bool want_string, uint32_t dst);
int chain_to(struct lower *L, const struct st_expr *e, bool want_string, uint32_t strn, uint32_t dst);
bool btf_to(struct lower *L, const struct st_expr *e, uint32_t dst);
bool cast_addr_to(struct lower *L, const struct st_expr *e, uint32_t dst);
void target_to(struct lower *L, const struct st_expr *e, uint32_t dst);
void field_load(struct lower *L, const struct st_expr *e, const char *field, uint32_t dst);
bool is_user_string_call(const struct st_expr *e);
bool is_arg_call(const struct st_expr *e);
void ustring_capture(struct lower *L, const struct st_expr *addr);
bool task_call_to(struct lower *L, const struct st_expr *e, uint32_t dst);
bool pretty_to(struct lower *L, const struct st_expr *e, uint32_t dst);
void bind_context(struct lower *L, const struct st_probe_inst *pi);
/* the user memory a tracepoint handler reads, copied at the event (memflow.h) */
void memflow_probe(struct lower *L, const struct st_probe_inst *pi);

/* lower_cost.c */
void count(struct lower *L, uint32_t n, const struct st_loc *loc, const char *near, bool update);
void count_s(struct lower *L, uint32_t n, const struct st_stmt *s, bool update);
void count_call(struct lower *L, const struct st_expr *e);
void count_begin(struct lower *L, const struct st_stmt *body, const struct st_function *f);
void count_end(struct lower *L, const struct st_stmt *body);
unsigned expr_stack(struct lower *L, const struct st_expr *e);
unsigned stmt_stack(struct lower *L, const struct st_stmt *s);

/* lower.c */
void plan_add_probe(struct lower *L, const struct st_probe_inst *pi, int src, uint32_t code);

/* lower_stmt.c */
void cond_jump_false(struct lower *L, const struct st_expr *c, struct patch_list *out);
void stmt(struct lower *L, const struct st_stmt *s);

/* lower_source.c */
int source_for(struct lower *L, const struct st_family_point *fp, const struct st_probe_inst *pi);
void lower_task_sources(struct lower *L);

/* lower_entry.c */
void lower_entry_pair(struct lower *L, const struct st_probe_inst *pi);

#endif
