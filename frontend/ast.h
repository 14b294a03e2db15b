/* ast.h - the script as the frontend hands it on: parsed (pass 1), then
 * elaborated and typed (pass 2).
 *
 * Pass 1 fills the syntax.  Pass 2 (st_elaborate) expands probe aliases and
 * probe-point wildcards, resolves every name to a symbol, and gives every
 * expression a type.  Lowering reads only elaborated programs: for each
 * st_probe_inst a concrete built-in probe point and a typed body.
 *
 * All nodes live in the program's pool and are freed with it.
 */
#ifndef ST_FRONTEND_AST_H
#define ST_FRONTEND_AST_H

#include <stdbool.h>
#include <stdint.h>
#include "frontend/base_arena.h"
#include "frontend/base_types.h"
#include "frontend/format.h"

struct st_expansion;

struct st_loc {
	const char *file;      /* script file name, "<input>" for -e, tapset path */
	uint32_t line, col;    /* 1-based */
	/* a token from a macro body: the invocation it came through (whose
	 * own loc names the next one out), for "in expansion of macro" */
	const struct st_expansion *expansion;
};

struct st_expansion {
	const char *desc;      /* "operator '@foo'" */
	struct st_loc loc;
};

/* ---- symbols (pass 2) ---- */

enum st_sym_kind {
	ST_SYM_LOCAL,          /* probe or function local (parameters included) */
	ST_SYM_GLOBAL,
};

struct st_symbol {
	enum st_sym_kind kind;
	const char *name;
	enum st_type type;     /* long, string, stats; for arrays the value type */
	bool is_array;
	uint8_t nkeys;
	enum st_type key[9];
	uint32_t index;        /* slot: locals per probe/function frame, globals program-wide */
	struct st_loc loc;     /* declaration (or first use for locals) */
	struct st_global *global; /* ST_SYM_GLOBAL: its declaration */
	/* pass 2: where the value type and each key type were first inferred
	 * (stap's "type was first inferred here"); near NULL until then */
	struct st_loc tloc, kloc[9], aloc;   /* aloc: where the arity was set */
	const char *tnear, *knear[9], *anear;
	bool opt_read, opt_written; /* pass 2 elision (optimize.c): uses that survive */
	/* pass 2, locals: every write counted; the value of the only one when
	 * it is a typed context value ($var, @cast, a member chain of one, or
	 * its address), which `v->m` reads through (stap's autocast) */
	uint32_t nassign;
	const struct st_expr *typed;
	bool typed_used;       /* some `v->m` reads through it: v counts as read */
};

/* ---- expressions ---- */

enum st_expr_kind {
	ST_E_NUM,          /* num */
	ST_E_STR,          /* str */
	ST_E_VAR,          /* name -> sym: a scalar local/global, or a whole array (foreach, delete, in) */
	ST_E_TARGET,       /* $name, $$name ... (context variable); name keeps the '$'s */
	ST_E_INDEX,        /* base[args]: base is ST_E_VAR of an array; args may hold NULL for `*` (delete, in, foreach filter) */
	ST_E_CALL,         /* name(args) -> func (script/tapset function) or builtin */
	ST_E_UNARY,        /* op: '-', '+', '!', '~' on a */
	ST_E_BINARY,       /* op: + - * / % << >> >>> & | ^ ; a op b (longs) */
	ST_E_LOGICAL,      /* op: && || */
	ST_E_COMPARE,      /* op: < > <= >= == != on two longs or two strings */
	ST_E_CONCAT,       /* a . b */
	ST_E_REGEX,        /* a =~ b (op '=') or a !~ b (op '!'); b is ST_E_STR */
	ST_E_TERNARY,      /* a ? b : c */
	ST_E_ASSIGN,       /* a op= b; op: '=' or the binary op ('+', '.', '<' for <<=, '>' for >>= ...) */
	ST_E_INCDEC,       /* ++a, a++, --a, a--: op '+' or '-', post */
	ST_E_AGG_ADD,      /* a <<< b */
	ST_E_IN,           /* [args] in base: args as ST_E_INDEX args; base ST_E_VAR array */
	ST_E_STAT,         /* @count(a) ...: stat_op, a is ST_E_VAR or ST_E_INDEX of stats */
	ST_E_HIST,         /* @hist_log(a) / @hist_linear(a, lo, hi, width): a stats; only printed or indexed */
	ST_E_HIST_BUCKET,  /* @hist_xxx(a)[b]: a is ST_E_HIST */
	ST_E_PRINT,        /* the print family: print_kind, fmt/args */
	ST_E_DEFINED,      /* @defined(a): folded to a number in pass 2 */
	ST_E_ENTRY,        /* @entry(a) */
	ST_E_CAST,         /* @cast(a, "type"[, "module"]) with members */
	ST_E_MEMBER,       /* a->name (members of $vars and @cast) */
	/* additions (frontend branch): */
	ST_E_ATOP,         /* @var @const @perf @kregister @uregister @kderef @uderef: str = "@var", args */
	ST_E_PROBEWRITE,   /* @probewrite(a): folded to a number in pass 2 */
	ST_E_EMBEDDED,     /* %{ code %} as an expression (guru): str = code */
	ST_E_ADDR,         /* &a: address of a context expression */
};

enum st_print_kind {
	ST_PRINT_PRINT, ST_PRINT_PRINTLN, ST_PRINT_PRINTD, ST_PRINT_PRINTDLN, ST_PRINT_PRINTF,
	ST_PRINT_SPRINT, ST_PRINT_SPRINTLN, ST_PRINT_SPRINTD, ST_PRINT_SPRINTDLN, ST_PRINT_SPRINTF,
};

struct st_function;
struct st_global;

struct st_expr {
	enum st_expr_kind kind;
	enum st_type type;         /* pass 2 */
	struct st_loc loc;
	const char *near;          /* stap's token description for errors: "operator '/'", "identifier 'x'" */
	int op;                    /* operator character or token code, per kind */
	bool post;                 /* ST_E_INCDEC: postfix */
	int64_t num;               /* ST_E_NUM */
	const char *str;           /* ST_E_STR value; names for VAR/TARGET/CALL/MEMBER; @cast type */
	uint32_t strlen;           /* ST_E_STR: length (strings may not hold NUL, but keep it exact) */
	struct st_expr *a, *b, *c;
	struct st_expr **args;     /* INDEX keys, CALL arguments, PRINT values, IN keys */
	uint32_t nargs;
	struct st_symbol *sym;     /* VAR (and INDEX base VAR) after pass 2 */
	struct st_function *func;  /* CALL to a script or tapset function */
	int builtin;               /* CALL to a builtin: index in st_builtins[], else -1 */
	enum st_stat_op stat_op;   /* ST_E_STAT */
	enum st_hist_kind hist;    /* ST_E_HIST */
	int64_t hist_lo, hist_hi, hist_width;
	enum st_print_kind print;  /* ST_E_PRINT */
	struct st_fmt *fmt;        /* ST_E_PRINT printf/sprintf: parsed format */
	const char *delim;         /* ST_E_PRINT printd family: the delimiter literal */
};

/* ---- statements ---- */

enum st_stmt_kind {
	ST_S_NULL,
	ST_S_BLOCK,        /* body[nbody] */
	ST_S_EXPR,         /* expr */
	ST_S_IF,           /* cond, then, els (may be NULL) */
	ST_S_WHILE,        /* cond, then */
	ST_S_FOR,          /* init (expr or NULL), cond (or NULL), step (or NULL), then */
	ST_S_FOREACH,      /* see fields below */
	ST_S_BREAK,
	ST_S_CONTINUE,
	ST_S_NEXT,
	ST_S_RETURN,       /* expr may be NULL */
	ST_S_DELETE,       /* expr: ST_E_VAR (scalar, stats or whole array) or ST_E_INDEX (args may hold NULL = `*`) */
	ST_S_TRY,          /* then = try block, els = catch block, catch_var (may be NULL) */
};

struct st_stmt {
	enum st_stmt_kind kind;
	struct st_loc loc;
	const char *near;
	struct st_expr *expr, *cond, *init, *step;
	struct st_stmt *then, *els;
	struct st_stmt **body;
	uint32_t nbody;

	/* ST_S_FOREACH: foreach (value = [keys...] in array[filter] sort limit) then */
	struct st_expr *fe_value;      /* ST_E_VAR local, or NULL */
	struct st_expr **fe_keys;      /* nkeys ST_E_VAR locals */
	uint32_t fe_nkeys;
	struct st_expr *fe_array;      /* ST_E_VAR of a global array, or ST_E_HIST (buckets) */
	struct st_expr **fe_filter;    /* NULL, or fe_nkeys entries: NULL = `*`, else an expression */
	int fe_sort_column;            /* -1 none, 0 value, 1..nkeys key */
	int fe_sort_dir;               /* +1 ascending, -1 descending, 0 none */
	enum st_stat_op fe_sort_agg;   /* for stats arrays: `@sum-` etc; @count by default */
	struct st_expr *fe_limit;      /* or NULL */

	struct st_expr *catch_var;     /* ST_S_TRY: ST_E_VAR local or NULL */
};

/* ---- probe points ---- */

struct st_pp_component {
	const char *name;              /* may hold '*' globs; "**" spans components */
	const char *near;              /* its first token, for errors about it */
	struct st_loc loc;
	bool has_arg;
	bool arg_is_string;
	const char *arg_str;
	int64_t arg_num;
};

struct st_probe_point {
	struct st_pp_component *comp;
	uint32_t ncomp;
	bool optional;                 /* ? */
	bool sufficient;               /* ! */
	struct st_expr *cond;          /* if (expr), or NULL */
	struct st_loc loc;
};

/* ---- declarations ---- */

struct st_global {
	const char *name;
	struct st_loc loc;
	struct st_symbol *sym;
	bool is_array;                 /* declared with [N] or used with index */
	uint32_t size;                 /* global a[N]; 0 = MAXMAPENTRIES */
	bool wrap;                     /* global a% */
	bool is_tapset;
	bool is_private;
	bool has_init;
	struct st_expr *init;          /* literal: ST_E_NUM or ST_E_STR */
	struct st_stat_shape shape;    /* stats: histogram shape/variance shift, from pass 2 */
	bool read, written;            /* pass 2: for unused-variable warnings and the automatic end print */
	bool used;                     /* read for its value, not only by a statement `g++;` or `g += x;`
	                                * (stap prints at exit a global written and not both read and used) */
};

struct st_param {
	const char *name;
	enum st_type declared;         /* :long / :string, or ST_T_UNKNOWN */
	struct st_symbol *sym;
};

struct st_function {
	const char *name;
	struct st_loc loc;
	enum st_type declared;         /* return type annotation or ST_T_UNKNOWN */
	enum st_type type;             /* pass 2: ST_T_LONG, ST_T_STRING or ST_T_VOID */
	struct st_loc rloc;            /* pass 2: the return value that first gave the type */
	const char *rnear;
	struct st_param *params;
	uint32_t nparams;
	struct st_stmt *body;          /* NULL for embedded-C bodies */
	const char *embedded;          /* %{ ... %} body text, if any */
	int priority;
	bool is_tapset;
	bool is_private;               /* addition: `private function` */
	bool used;                     /* pass 2: reachable from a probe */
	struct st_symbol **locals;     /* pass 2: params first, then locals */
	uint32_t nlocals;
	uint32_t index;                /* position in program->funcs */
};

/* A probe as written: `probe P1, P2 if (c) { body }`, or an alias definition. */
struct st_probe {
	struct st_probe_point **points;
	uint32_t npoints;
	struct st_stmt *body;
	struct st_loc loc;
	bool is_alias;                 /* probe NAME = ... / NAME += ... */
	bool alias_epilogue;           /* += */
	struct st_probe_point **alias_names; /* the names it defines (for `probe a, b = ...`) */
	uint32_t nalias_names;
	bool is_tapset;
};

/* A variable that a built-in probe family binds by name (syscall.* `name`,
 * `retval`, arguments): the local slot to fill from the event before the body. */
struct st_ctxvar_binding {
	const char *name;
	struct st_symbol *sym;
};

/* One concrete probe after pass 2: a built-in probe point (no aliases, no
 * wildcards) and the body to run there (alias prologue + user body +
 * epilogue). */
struct st_probe_inst {
	struct st_probe_point *point;  /* concrete, built-in */
	const char *pp;                /* printable point, as pp() returns it */
	const char *user_pp;           /* the point at the script's level: the alias
					* name it matched, wildcards filled (-l) */
	struct st_probe *origin;       /* the user probe it came from */
	struct st_stmt *body;
	struct st_expr *cond;          /* arming condition (ANDed through alias levels), or NULL */
	struct st_symbol **locals;
	uint32_t nlocals;
	struct st_ctxvar_binding *bindings;
	uint32_t nbindings;
};

struct st_program {
	struct st_global **globals;
	uint32_t nglobals;
	struct st_function **funcs;
	uint32_t nfuncs;
	struct st_probe **probes;      /* as parsed: user probes and aliases (tapset ones too) */
	uint32_t nprobes;
	struct st_probe_inst **insts;  /* pass 2 */
	uint32_t ninsts;
	const char **files;            /* the files parsed: [0] the script */
	uint32_t nfiles;
	/* additions (frontend branch): */
	struct st_fe_pool *pool;       /* owns every node (an st_arena, lexer.c) */
	const char **embedded;         /* top-level %{ %} blocks (guru) */
	uint32_t nembedded;
	const char **file_texts;       /* nfiles entries: the text of files[i] (for diagnostics) */
	struct st_fmt **fmts;          /* every parsed printf format, freed with the program */
	uint32_t nfmts;
};

/* "$a->b->c" for a member chain rooted at a context variable ($a alone
 * too); false when e is not one or buf is too small. */
bool st_member_path(const struct st_expr *e, char *buf, size_t n);

#endif
