/* frontend.h - passes 1 and 2: script text to an elaborated, typed program.
 *
 * Diagnostics are printed as stap prints them, to opts->diag:
 *   parse error: expected ';'
 *           at: operator '}' at t.stp:3:1
 *        source: }
 *                ^
 *   semantic error: type mismatch (long vs. string): identifier 'x' at t.stp:2:5
 *           source: x = "a"
 *                   ^
 * and the functions return a negative count of errors.
 */
#ifndef ST_FRONTEND_FRONTEND_H
#define ST_FRONTEND_FRONTEND_H

#include <stdbool.h>
#include <stdio.h>
#include "frontend/ast.h"

/* Built-in probe families live in lowering (they need the kernel's catalog);
 * the frontend asks about them through this interface. */
struct st_point_resolver {
	void *ctx;
	/* Expand a built-in point (globs allowed) into concrete points: call
	 * add(arg, concrete) for each, in order.  Returns the number of matches
	 * (0: no match), or a negative errno with *err set (malloc'd) when the
	 * family itself is unknown or malformed, or -ENODATA (no *err) when
	 * the point is one stap's tapset offers but that never fires on this
	 * kernel (syscall.send on x86_64): it resolves to no probe, silently. */
	int (*expand)(void *ctx, const struct st_probe_point *pp,
		      int (*add)(void *arg, struct st_probe_point *concrete), void *arg, char **err);
	/* The type of a context variable at a concrete point: `$name` when
	 * dollar, else a family-bound bare name (syscall `name`, `retval`, args).
	 * ST_T_UNKNOWN when there is none. */
	enum st_type (*var_type)(void *ctx, const struct st_probe_point *pp, const char *name, bool dollar);
	/* @defined(@cast(p, "type", "module")->m->n) and @defined(&@cast(0, "type")):
	 * whether the type (module NULL: the kernel) has that member path.
	 * NULL: every @cast counts as defined. */
	bool (*cast_defined)(void *ctx, const char *type, const char *module, const char *const *members,
			     uint32_t nmembers);
	/* The built-in point shapes ("timer.s(number)"), NULL-terminated: the
	 * names suggested for a point that matches nothing.  May be NULL. */
	const char *const *(*probe_types)(void);
	/* Points the concrete point's family allows in the printable form, e.g.
	 * "syscall.getppid" -> "kernel.trace(\"syscalls:sys_enter_getppid\")" is
	 * NOT done: pp() prints the point as the user wrote it, expanded. */
};

struct st_define { const char *name, *value; };

struct st_compile_opts {
	int argc;                      /* script arguments: $1.. @1.. $# @# */
	char **argv;
	const char **tapset_dirs;      /* -I dirs and the standard tapset directory */
	uint32_t ntapset_dirs;
	const struct st_define *defines; /* -D NAME=VALUE */
	uint32_t ndefines;
	bool guru;                     /* -g */
	bool no_warnings;              /* -w */
	bool unoptimized;              /* -u */
	bool werror;                   /* -W: a warning fails the pass, as an error would */
	const char *compatible;        /* --compatible=VER, or NULL */
	const char *kernel_release;    /* for %( kernel_v ...; uname -r */
	const char *arch;              /* for %( arch ...; "x86_64" */
	const char *runtime;           /* "kernel" */
	int verbose;
	FILE *diag;                    /* stderr */
	const struct st_point_resolver *resolver;
};

/* Pass 1: parse one script (file name + text) and the tapset.  NULL on
 * errors (already printed). */
struct st_program *st_parse(const char *name, const char *text, const struct st_compile_opts *opts);
/* Pass 2.  0, or the negative number of errors (printed). */
int st_elaborate(struct st_program *prog, const struct st_compile_opts *opts);
void st_program_free(struct st_program *prog);

/* -p1: the parse tree as script text that re-parses to the same tree. */
void st_program_print(FILE *out, const struct st_program *prog);
/* -p2: probes (expanded), functions, globals and locals with types. */
void st_program_print_elaborated(FILE *out, const struct st_program *prog);

#endif
