/* kread.h - reading live kernel memory on demand, without kprobes or
 * /proc/kcore: a tiny BPF program calls bpf_probe_read_kernel{,_str} on an
 * address passed in its context and is run synchronously with
 * BPF_PROG_TEST_RUN.  Loaded on first use, unloaded by st_kread_close (and
 * by the kernel when the process exits: nothing is pinned or attached). */
#ifndef ST_RUNTIME_KREAD_H
#define ST_RUNTIME_KREAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ST_KREAD_MAX 4096u   /* bytes one call reads at most */

/* len bytes at addr into buf: len, or -EFAULT (unreadable), -ENOSYS (no
 * reader on this kernel), -errno. */
ssize_t st_kread(uint64_t addr, void *buf, size_t len);
/* the NUL-terminated string at addr, at most max bytes including the NUL
 * (truncated, still terminated): its length, or -errno as st_kread. */
ssize_t st_kread_str(uint64_t addr, char *buf, size_t max);
/* the calling thread's struct task_struct address, or -errno (-4095..-1:
 * kernel addresses are negative as int64_t too) */
int64_t st_kread_current_task(void);
/* why the reader is unavailable (after -ENOSYS), else "" */
const char *st_kread_why(void);
void st_kread_close(void);

#endif
