/* syscalls.h - the one syscall table (x86-64 numbers and names, from the
 * kernel's uapi unistd_64.h plus what newer kernels added): syscall(),
 * the syscall.* tapset and the perf plugin's raw_syscalls folding read it.
 */
#ifndef ST_RUNTIME_SYSCALLS_H
#define ST_RUNTIME_SYSCALLS_H

#include <stdint.h>

/* The name of syscall nr, or NULL. */
const char *st_syscall_name(int64_t nr);
/* The number of syscall `name`, or -1. */
int st_syscall_nr(const char *name);
/* The highest number the table knows, -1 when it is empty (not x86-64). */
int st_syscall_max(void);

#endif
