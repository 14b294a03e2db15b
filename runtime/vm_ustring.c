/* vm_ustring.c - user_string(): strings in the traced process's memory.
 *
 * By the time a handler runs in userspace the string may be gone (the
 * process has moved on or exited), so the backend copies the strings the
 * handlers ask for at the event (a BPF capture program) and hands them over
 * as ev->captures.  Without a capture, a live run reads /proc/PID/mem; a
 * replay never does (the pid may belong to another process by now): events
 * older than a few seconds count as replayed.  Otherwise the handler fails
 * with stap's error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "runtime/clock.h"
#include "runtime/vm_internal.h"

#define LIVE_WINDOW_NS 5000000000ull

/* Up to max bytes at addr in pid's memory, stopping at NUL; -errno. */
static ssize_t read_proc_mem(int pid, uint64_t addr, char *buf, size_t max)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -EFAULT;
	n = pread(fd, buf, max, (off_t)addr);
	if (n <= 0 && max > 1) {
		/* A string near the end of a mapping: retry byte by byte. */
		n = 0;
		while ((size_t)n < max && pread(fd, buf + n, 1, (off_t)(addr + (uint64_t)n)) == 1 && buf[n])
			n++;
		if (n == 0)
			n = -1;
	}
	close(fd);
	if (n < 0)
		return -EFAULT;
	return (ssize_t)strnlen(buf, (size_t)n);
}

int st_vm_user_string_captured(struct st_vm *vm, uint64_t addr, size_t max, st_value *ret)
{
	const struct st_event *ev = vm->ev;

	for (uint32_t i = 0; ev && i < ev->ncaptures; i++) {
		const struct st_capture *c = &ev->captures[i];

		if (c->mem) {
			/* a string inside a copied range: when its NUL is there too */
			const char *nul;
			size_t at;

			if (addr < c->addr || addr >= c->addr + c->len)
				continue;
			at = (size_t)(addr - c->addr);
			nul = memchr(c->str + at, 0, c->len - at);
			if (!nul && c->len - at < max)
				continue;
			ret->s = st_vm_str(vm, c->str + at, strnlen(c->str + at, c->len - at < max ? c->len - at : max));
			return 1;
		}
		if (c->addr != addr)
			continue;
		if (c->err)
			return -1;
		ret->s = st_vm_str(vm, c->str, strnlen(c->str, c->len < max ? c->len : max));
		return 1;
	}
	return 0;
}

int st_vm_user_mem_captured(struct st_vm *vm, uint64_t addr, void *buf, size_t size)
{
	const struct st_event *ev = vm->ev;

	for (uint32_t i = 0; ev && i < ev->ncaptures; i++) {
		const struct st_capture *c = &ev->captures[i];

		if (!c->mem || addr < c->addr || addr > c->addr + c->len)
			continue;
		if (addr + size <= c->addr + c->len) {
			memcpy(buf, c->str + (addr - c->addr), size);
			return 1;
		}
		/* the copy stopped at a fault where this read goes */
		if (c->err)
			return -1;
	}
	return 0;
}

enum st_vm_status st_vm_user_string(struct st_vm *vm, int64_t n, uint64_t addr, st_value *ret)
{
	const struct st_event *ev = vm->ev;
	size_t max = vm->limits.maxstringlen ? vm->limits.maxstringlen : 512;
	char buf[4096];
	ssize_t got = -EFAULT;

	if (n >= 0 && (size_t)n < max)
		max = (size_t)n;
	if (max >= sizeof(buf))
		max = sizeof(buf) - 1;
	switch (st_vm_user_string_captured(vm, addr, max, ret)) {
	case 1:
		return ST_VM_OK;
	case -1:
		/* the copy at the event faulted: that is the answer */
		return st_vm_raise(vm, "user string copy fault %d at %016llx [man error::fault]", -EFAULT,
				   (unsigned long long)addr);
	}
	if (addr && ev && ev->pid > 0 && ev->time + LIVE_WINDOW_NS > st_clock_mono_ns())
		got = read_proc_mem(ev->pid, addr, buf, max);
	if (got < 0)
		return st_vm_raise(vm, "user string copy fault %d at %016llx [man error::fault]",
				   (int)(got < 0 ? got : -EFAULT), (unsigned long long)addr);
	ret->s = st_vm_str(vm, buf, (size_t)got);
	return ST_VM_OK;
}

int st_vm_user_bytes(struct st_vm *vm, uint64_t addr, void *buf, size_t n)
{
	const struct st_event *ev = vm->ev;
	char path[64];
	ssize_t got;
	int fd, c = st_vm_user_mem_captured(vm, addr, buf, n);

	if (c)
		return c > 0 ? 0 : -EFAULT;
	if (!addr || !ev || ev->pid <= 0 || ev->time + LIVE_WINDOW_NS <= st_clock_mono_ns())
		return -EFAULT;
	snprintf(path, sizeof(path), "/proc/%d/mem", ev->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -EFAULT;
	got = pread(fd, buf, n, (off_t)addr);
	close(fd);
	return got == (ssize_t)n ? 0 : -EFAULT;
}
