/* task_files.c - tapset functions stap answers from kernel structures and
 * staplet answers from /proc and /sys when the handler runs (live only):
 *
 *   task_open_file_handles(task)  open descriptors: entries of /proc/TID/fd
 *   __st_task_rlimit(task, row)   a soft resource limit, by its /proc/TID/limits
 *                                 row ("Max open files"); -1 for unlimited
 *   pid2task(pid)                 the task of a pid (a task is its tid here), 0 if none
 *   __st_bdevname(dev)            the block device a kernel dev_t names
 *                                 (/sys/dev/block/MAJ:MIN), "N/A" when none
 *   addr_to_node(addr)            the NUMA node of a kernel direct-map address
 *
 * A task is a tid, as task_current() is (ctx_builtins.c).  On report
 * nothing here is live: each answers 0 / "N/A" after stap's error. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/ctx_builtins.h"
#include "runtime/vm_internal.h"
#include "tapset/builtins.h"

static int64_t count_fds(int32_t tid)
{
	char path[64];
	struct dirent *d;
	int64_t n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", tid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/* The soft limit of a /proc/TID/limits row ("Max open files  1024  4096
 * files"); "unlimited" is -1 (RLIM_INFINITY as a signed long). */
static int64_t rlimit_row(const char *buf, const char *row)
{
	const char *p = strstr(buf, row);

	if (!p || !*row)
		return -1;
	p += strlen(row);
	while (*p == ' ')
		p++;
	return strncmp(p, "unlimited", 9) == 0 ? -1 : strtoll(p, NULL, 10);
}

/* The kernel's dev_t (12 bits of major above 20 of minor) of a block
 * device, as the name under /dev that /sys/dev/block links to. */
static const char *bdevname(struct st_vm *vm, int64_t dev)
{
	char path[64], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/dev/block/%lld:%lld", (long long)(dev >> 20),
		 (long long)(dev & 0xfffff));
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0 || dev == 0)
		return st_vm_str(vm, "N/A", 3);
	target[n] = 0;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	return st_vm_str(vm, base, strlen(base));
}

/* One NUMA node (a machine whose /sys/devices/system/node/online is "0")
 * holds every kernel address; more are not mapped here: stap's error. */
static enum st_vm_status addr_to_node(struct st_vm *vm, uint64_t addr, int64_t *out)
{
	char buf[64] = "";
	FILE *f;

	if (addr < 0xffff800000000000ull)
		return st_vm_raise(vm, "invalid kernel virtual address 0x%llx", (unsigned long long)addr);
	f = fopen("/sys/devices/system/node/online", "re");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	if (f && strcmp(buf, "0\n") != 0)
		return st_vm_raise(vm, "addr_to_node: NUMA nodes %.*s: only single-node machines are mapped",
				   (int)strcspn(buf, "\n"), buf);
	*out = 0;
	return ST_VM_OK;
}

enum st_vm_status st_task_files_builtin(struct st_vm *vm, unsigned id, const st_value *a, st_value *ret)
{
	int32_t tid = (int32_t)a[0].n;
	char buf[4096];
	int64_t v;

	ret->n = 0;
	if (id == ST_BI_BDEVNAME) {
		ret->s = vm->live ? bdevname(vm, a[0].n) : st_vm_str(vm, "N/A", 3);
		return ST_VM_OK;
	}
	if (id == ST_BI_ADDR_TO_NODE)
		return addr_to_node(vm, (uint64_t)a[0].n, &ret->n);
	if (!vm->live)
		return st_vm_raise(vm, "%s: a recording holds no process state", st_builtins[id].name);
	if (a[0].n <= 0 || a[0].n > INT32_MAX)
		return id == ST_BI_PID2TASK ? ST_VM_OK :
		       st_vm_raise(vm, "%s: invalid task %lld", st_builtins[id].name, (long long)a[0].n);
	switch (id) {
	case ST_BI_PID2TASK:
		ret->n = st_ctx_proc_read(tid, "stat", buf, sizeof(buf)) > 0 ? tid : 0;
		return ST_VM_OK;
	case ST_BI_TASK_OPEN_FILE_HANDLES:
		v = count_fds(tid);
		break;
	default:
		if (st_ctx_proc_read(tid, "limits", buf, sizeof(buf)) < 0)
			return st_ctx_gone(vm, st_builtins[id].name, tid);
		ret->n = rlimit_row(buf, a[1].s);
		return ST_VM_OK;
	}
	if (v < 0)
		return st_ctx_gone(vm, st_builtins[id].name, tid);
	ret->n = v;
	return ST_VM_OK;
}
