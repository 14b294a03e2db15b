/* uelf_int.h - DWARF helpers uelf.c shares with uelf_scope.c: finding a
 * function, a type as a fetch type, a variable's location as a fetch
 * argument.  elfutils types; lowering-internal. */
#ifndef ST_LOWERING_UELF_INT_H
#define ST_LOWERING_UELF_INT_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lowering/uelf.h"

/* The canonical frame address at a pc: DWARF register reg + off. */
struct st_uelf_cfa {
	unsigned reg;
	int64_t off;
};

/* "%ax" ... "%r15" by DWARF register number. */
extern const char *const st_uelf_dwarf_regs[16];

bool st_uelf_dwarf_function(const struct st_uelf *u, const char *name, Dwarf_Die *out);
/* A type as a fetch type ("s32", "u64"); false when it is not a scalar. */
bool st_uelf_scalar_type(Dwarf_Die *type, char out[8], bool *is_pointer);
/* The simple DWARF locations a fetch argument can express at pc (a
 * register, or memory at a register + offset; fbreg through cfa). */
bool st_uelf_eval_location(Dwarf_Die *var, Dwarf_Addr pc, const struct st_uelf_cfa *cfa, char *loc, size_t len);

#endif
