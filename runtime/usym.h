/* usym.h - names for user-space addresses: which file each process has
 * mapped where, and that file's ELF function symbols (elfutils).
 *
 * The mappings come from the backend's mmap records in event order (live
 * and recorded runs alike), so a process that has exited, or a recording
 * replayed elsewhere, still resolves; a live process the records never
 * described (it started before the run) is read from /proc/PID/maps.
 * The ELF files themselves are read when a name is wanted: a recording
 * replayed on another machine needs the same files there. */
#ifndef ST_RUNTIME_USYM_H
#define ST_RUNTIME_USYM_H

#include <stdbool.h>
#include <stdint.h>

struct st_usym {
	const char *name;        /* function symbol, NULL when none covers the address */
	uint64_t offset, size;   /* from the symbol; without one, from the module's base */
	const char *module;      /* the mapped file's path, NULL when nothing is mapped there */
};

void st_usym_mmap(int32_t pid, uint64_t start, uint64_t len, uint64_t pgoff, const char *path);
void st_usym_exec(int32_t pid);             /* a new program: forget the old mappings */
void st_usym_fork(int32_t pid, int32_t ppid);  /* a new process starts with its parent's */
void st_usym_exit(int32_t pid);
/* Name addr in process pid; `live` allows reading /proc/PID/maps. */
void st_usym_lookup(int32_t pid, uint64_t addr, bool live, struct st_usym *out);
void st_usym_reset(void);
/* Call fn for each executable mapping with a name (a path, "[vdso]", ...)
 * in /proc/PID/maps; -errno when the file cannot be read. */
typedef void (*st_usym_map_fn)(void *ctx, uint64_t lo, uint64_t hi, uint64_t pgoff, const char *name);
int st_usym_proc_maps(int32_t pid, st_usym_map_fn fn, void *ctx);

#endif
