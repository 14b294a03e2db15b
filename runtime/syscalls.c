/* syscalls.c - syscall numbers <-> names over syscall_table_x86_64.h. */
#include <string.h>
#include "runtime/syscalls.h"

static const char *const syscall_names[] = {
#if defined(__x86_64__)
#define ST_SYSCALL(nr, name) [nr] = name,
#include "runtime/syscall_table_x86_64.h"
#undef ST_SYSCALL
#endif
	NULL
};

#define NNAMES ((int)(sizeof(syscall_names) / sizeof(syscall_names[0])))

const char *st_syscall_name(int64_t nr)
{
	return nr >= 0 && nr < NNAMES ? syscall_names[nr] : NULL;
}

int st_syscall_nr(const char *name)
{
	for (int i = 0; i < NNAMES; i++)
		if (syscall_names[i] && !strcmp(syscall_names[i], name))
			return i;
	return -1;
}

int st_syscall_max(void)
{
	int i = NNAMES;

	while (i-- > 0)
		if (syscall_names[i])
			return i;
	return -1;
}
