/* builtins.h - functions the runtime implements itself (stap's embedded-C
 * tapset functions).  The frontend types calls with this table; lowering
 * emits ST_OP_BUILTIN with the id; the runtime's VM implements each id. */
#ifndef ST_TAPSET_BUILTINS_H
#define ST_TAPSET_BUILTINS_H

#include <stdint.h>
#include "frontend/base_types.h"

enum st_builtin_id {
#define ST_BUILTIN(id, name, ret, nargs, a1, a2, a3, a4) ST_BI_##id,
#include "tapset/builtins.def"
#undef ST_BUILTIN
	ST_BI_COUNT
};

struct st_builtin {
	const char *name;
	enum st_type ret;          /* ST_T_VOID for no value */
	int8_t nargs;              /* fixed arity */
	enum st_type arg[4];
};

extern const struct st_builtin st_builtins[ST_BI_COUNT];

/* Index of the builtin called `name` with nargs arguments, or -1. */
int st_builtin_find(const char *name, int nargs);
/* The name of b's parameter i as --dump-functions shows it, or NULL. */
const char *st_builtin_param_name(const struct st_builtin *b, int i);
/* Any arity defined under this name? (for "wrong number of arguments" errors) */
int st_builtin_exists(const char *name);

#endif
