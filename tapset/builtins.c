/* builtins.c - the builtin function table. */
#include <string.h>
#include "tapset/builtins.h"

const struct st_builtin st_builtins[ST_BI_COUNT] = {
#define ST_BUILTIN(id, name, ret, nargs, a1, a2, a3, a4) [ST_BI_##id] = { name, ret, nargs, { a1, a2, a3, a4 } },
#include "tapset/builtins.def"
#undef ST_BUILTIN
};

int st_builtin_find(const char *name, int nargs)
{
	int i;

	for (i = 0; i < ST_BI_COUNT; i++)
		if (st_builtins[i].nargs == nargs && strcmp(st_builtins[i].name, name) == 0)
			return i;
	return -1;
}

int st_builtin_exists(const char *name)
{
	int i;

	for (i = 0; i < ST_BI_COUNT; i++)
		if (strcmp(st_builtins[i].name, name) == 0)
			return 1;
	return 0;
}
