/* proc_mem.c - stap's proc_mem_size/rss/shr/txt/data (in pages) and
 * mem_page_size.
 *
 * stap reads the task's mm counters when the probe fires.  Here they come
 * from /proc/TID/statm when the handler runs (a few milliseconds later,
 * live), which the kernel computes from the same counters: size is total_vm,
 * resident is file + anon + shmem pages, text is the page-aligned code
 * span, data is data_vm + stack_vm.  statm's shared adds shmem pages to the
 * file pages stap counts as shr, so shr is RssFile of /proc/TID/status.
 *
 * stap answers 0 for a process that does not exist, a kernel thread (no
 * mm), or counters it cannot read; so do these.  A recording holds no
 * memory counters, so on report they answer 0 as well, after one warning
 * naming the function: the rest of the report still runs, and the zeros
 * are explained. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/ctx_builtins.h"
#include "runtime/vm_internal.h"
#include "tapset/builtins.h"

/* statm's fields, in its order */
enum { STATM_SIZE, STATM_RESIDENT, STATM_SHARED, STATM_TEXT, STATM_LIB, STATM_DATA, STATM_N };

static int statm_field(int32_t tid, int field, int64_t *out)
{
	long long v[STATM_N];
	char buf[256];

	if (tid <= 0 || st_ctx_proc_read(tid, "statm", buf, sizeof(buf)) < 0)
		return -1;
	if (sscanf(buf, "%lld %lld %lld %lld %lld %lld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != STATM_N)
		return -1;
	*out = v[field];
	return 0;
}

/* File-backed resident pages: RssFile of /proc/TID/status, in kB.  A
 * kernel thread has no Rss lines: 0. */
static int rss_file_pages(int32_t tid, int64_t *out)
{
	char buf[4096], *p;
	long kb_per_page = sysconf(_SC_PAGESIZE) / 1024;

	if (tid <= 0 || st_ctx_proc_read(tid, "status", buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "\nRssFile:");
	*out = p && kb_per_page > 0 ? strtoll(p + 9, NULL, 10) / kb_per_page : 0;
	return 0;
}

static int mem_counter(unsigned id, int32_t tid, int64_t *out)
{
	switch ((enum st_builtin_id)id) {
	case ST_BI_PROC_MEM_SIZE0: case ST_BI_PROC_MEM_SIZE: return statm_field(tid, STATM_SIZE, out);
	case ST_BI_PROC_MEM_RSS0: case ST_BI_PROC_MEM_RSS: return statm_field(tid, STATM_RESIDENT, out);
	case ST_BI_PROC_MEM_SHR0: case ST_BI_PROC_MEM_SHR: return rss_file_pages(tid, out);
	case ST_BI_PROC_MEM_TXT0: case ST_BI_PROC_MEM_TXT: return statm_field(tid, STATM_TEXT, out);
	case ST_BI_PROC_MEM_DATA0: case ST_BI_PROC_MEM_DATA: return statm_field(tid, STATM_DATA, out);
	default: return -1;
	}
}

static void warn_replay(struct st_vm *vm, const char *fn)
{
	if (vm->said & ST_VM_SAID_NO_PROC_MEM)
		return;
	vm->said |= ST_VM_SAID_NO_PROC_MEM;
	st_vm_flush(vm);
	fprintf(stderr, "WARNING: %s: a recording holds no process memory counters; "
		"proc_mem_* functions answer 0 on report\n", fn);
}

enum st_vm_status st_proc_mem_builtin(struct st_vm *vm, unsigned id, const st_value *a, st_value *ret)
{
	/* the no-argument forms ask about the event's task, which existed */
	bool current = st_builtins[id].nargs == 0;
	int32_t tid = current ? (vm->ev ? vm->ev->tid : vm->self_pid) : (int32_t)a[0].n;

	ret->n = 0;
	if (id == ST_BI_MEM_PAGE_SIZE) {
		ret->n = sysconf(_SC_PAGESIZE);
		return ST_VM_OK;
	}
	if (!vm->live) {
		warn_replay(vm, st_builtins[id].name);
		return ST_VM_OK;
	}
	if (!current && (a[0].n <= 0 || a[0].n > INT32_MAX))
		return ST_VM_OK;
	if (mem_counter(id, tid, &ret->n) < 0) {
		ret->n = 0;
		return current ? st_ctx_gone(vm, st_builtins[id].name, tid) : ST_VM_OK;
	}
	return ST_VM_OK;
}
