/* uelf.h - what user-space probes need from an ELF file, through elfutils:
 * function symbols and their file offsets, USDT (.note.stapsdt) sites, PLT
 * slots, and from DWARF the parameters of a function as uprobe fetch
 * arguments, its return type, and source lines.
 *
 * Offsets are file offsets, as tracefs uprobe_events and the perf uprobe PMU
 * want them: st_value - p_vaddr + p_offset of the PT_LOAD holding the address.
 */
#ifndef ST_LOWERING_UELF_H
#define ST_LOWERING_UELF_H

#include <stdbool.h>
#include <stdint.h>

struct st_uelf_func {
	char *name;
	uint64_t vaddr, size;
	bool global;           /* STB_GLOBAL/STB_WEAK in .dynsym: `.exported` */
};

struct st_uelf_note {          /* one USDT site */
	char *provider, *name, *args;   /* args: "-4@%edi 8@-16(%rbp)" */
	uint64_t pc, semaphore;         /* link-time addresses (0: no semaphore) */
};

struct st_uelf_var {           /* a parameter or local as a fetch argument */
	char *name;
	char loc[48];          /* "%di", "+8(%sp)"; "" when not reachable */
	char type[8];          /* "s32", "u64", ... */
	bool is_pointer;
	bool is_param;         /* a formal parameter (else a local variable) */
	uint64_t type_off;     /* its DWARF type's DIE offset, 0 when unknown */
};

struct st_uelf {
	char *path;
	int fd;
	void *elf;             /* Elf * */
	void *dwarf;           /* Dwarf *, or NULL */
	struct st_uelf_func *funcs;
	uint32_t nfuncs;
	struct st_uelf_note *notes;
	uint32_t nnotes;
	struct st_uelf_func *plt;   /* "name" -> PLT slot address */
	uint32_t nplt;
	struct { uint64_t vaddr, offset, filesz; } *loads;
	uint32_t nloads;
};

/* Resolve a process("PATH") argument as stap does: a name without '/' is
 * looked up in $PATH, then in the current directory; the result is
 * canonical (symlinks resolved).  malloc'd, or NULL. */
char *st_uelf_resolve_path(const char *path);

/* Whether path's DWARF defines the type "struct x" / "x" at a CU's top. */
bool st_uelf_has_type(const char *path, const char *name);

int st_uelf_open(const char *path, struct st_uelf **out, char **err);
void st_uelf_close(struct st_uelf *u);

/* -1 when the address is in no PT_LOAD. */
int64_t st_uelf_file_offset(const struct st_uelf *u, uint64_t vaddr);
uint64_t st_uelf_entry(const struct st_uelf *u);   /* e_entry */
const struct st_uelf_func *st_uelf_find_func(const struct st_uelf *u, const char *name);

/* Parameters of function `name` at its entry, from DWARF; 0 and *n = 0 when
 * there is no DWARF for it.  ret_type gets the return type ("s64" default;
 * "" for void).  The array and names are malloc'd: st_uelf_vars_free. */
int st_uelf_params(const struct st_uelf *u, const char *name, struct st_uelf_var **out, uint32_t *n,
		   char ret_type[8]);
void st_uelf_vars_free(struct st_uelf_var *v, uint32_t n);

/* "file:line" where a function is declared (DWARF), false without. */
bool st_uelf_decl(const struct st_uelf *u, const char *name, char *buf, size_t len);

/* The lowest is_stmt address of FILE:LINE (FILE matched by suffix) inside
 * function `func` (NULL/"*": any).  -ENOENT when no code is there. */
int st_uelf_line_addr(const struct st_uelf *u, const char *func, const char *file, int line,
		      uint64_t *vaddr);

/* A statement at vaddr: the function holding it, the source file and line
 * of its line record, and the variables in scope there (innermost scope
 * first, a scope's parameters and locals in declaration order, shadowed
 * names left out) with their locations at vaddr.  0, or -ENOENT without
 * DWARF for it.  *vars: st_uelf_vars_free. */
int st_uelf_stmt_scope(const struct st_uelf *u, uint64_t vaddr, char *fn, size_t fnlen, char *file,
		       size_t filelen, int *line, struct st_uelf_var **vars, uint32_t *n);

/* A member chain from a variable, in user memory: steps are ->member /
 * .member (member != NULL) or [index] / *p (member NULL, index).  *spec
 * gets the uprobe fetch argument reading the final value from the
 * variable's location `loc` ("+8(+0(%si)):u64"), or, for want_string, the
 * string it points to or the char array it is (":ustring").  0, or
 * -EINVAL with msg (no such member, not a pointer, not a scalar). */
struct st_uelf_step { const char *member; int64_t index; };
int st_uelf_var_chain(const struct st_uelf *u, const struct st_uelf_var *v, const struct st_uelf_step *steps,
		      uint32_t nsteps, bool want_string, char *spec, size_t speclen, bool *is_pointer, char *msg,
		      size_t msglen);

/* One SDT argument spec ("-4@%edi") as a fetch location and type. */
int st_uelf_sdt_arg(const char *spec, char *loc, size_t loclen, char type[8]);

#endif
