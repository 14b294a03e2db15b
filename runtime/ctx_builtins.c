/* ctx_builtins.c - tapset functions that read the traced task's context:
 * credentials and relations from /proc, user memory from /proc/PID/mem,
 * syscall arguments from syscall tracepoint records, and the symbolic
 * renderings of flags that stap's syscall tapset prints.
 *
 * /proc is read when the handler runs.  Live, that is a few milliseconds
 * after the event, so a task that exits at once may already be gone; on
 * replay of a recording the task is long gone (or another one has its pid),
 * so these functions raise an error there.  A recording that wants them must
 * capture the values at the event (see DESIGN.md: BPF capture). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "lowering/taskctx.h"
#include "runtime/ctx_builtins.h"
#include "runtime/proctree.h"
#include "runtime/syscalls.h"
#include "runtime/taskctx.h"
#include "runtime/vm_internal.h"
#include "tapset/builtins.h"

static int32_t ev_tid(struct st_vm *vm)
{
	return vm->ev ? vm->ev->tid : vm->self_pid;
}

/* The task is gone.  Replaying, nothing can answer: an error, as stap
 * raises when a probe lacks the context a function needs.  Live, the task
 * exited between its event and the handler: the function answers 0 or ""
 * (its caller's ret is left zeroed) and says so once. */
/* A task context builtin of a probe whose source has a companion in the
 * plan that the backend does not serve (trace-cmd): it said before the
 * run how it answers these.  A backend that serves it only misses a
 * record it lost: that still warns. */
static bool announced(const struct st_vm *vm, const char *fn)
{
	if (!vm->probe || !vm->plan->sources[vm->probe->source].ctx_src || st_taskctx_served(vm))
		return false;
	for (unsigned id = 0; id < ST_BI_COUNT; id++)
		if (st_builtins[id].name && !strcmp(st_builtins[id].name, fn))
			return st_taskctx_builtin_items((int)id) != 0;
	return false;
}

static enum st_vm_status gone(struct st_vm *vm, const char *fn, int32_t tid)
{
	if (announced(vm, fn)) {
		if (!vm->live && !(vm->said & ST_VM_SAID_NO_TASKCTX)) {
			vm->said |= ST_VM_SAID_NO_TASKCTX;
			st_vm_flush(vm);
			fprintf(stderr, "WARNING: the recording holds no task context (%s() and the like: trace-cmd "
				"stap reads them when the handler runs): for tasks gone they answer 0 or \"\"\n", fn);
		}
		return ST_VM_OK;
	}
	if (!vm->live)
		return st_vm_raise(vm, "%s: the recording did not capture this (task %d is not live)", fn, tid);
	if (!(vm->said & ST_VM_SAID_TASK_GONE)) {
		vm->said |= ST_VM_SAID_TASK_GONE;
		st_vm_flush(vm);
		fprintf(stderr, "WARNING: %s: task %d exited before the handler read /proc; "
			"answers for exited tasks are 0 or \"\"\n", fn, tid);
	}
	return ST_VM_OK;
}

/* Read /proc/TID/FILE into buf; bytes read or -1. */
static ssize_t proc_read(int32_t tid, const char *file, char *buf, size_t n)
{
	char path[64];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", tid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = 0;
	return r;
}

/* /proc/TID/stat field (1-based, as proc(5) numbers them), after the comm. */
static int stat_field(int32_t tid, int field, int64_t *out)
{
	char buf[1024], *p;
	int i;

	if (tid <= 0 || proc_read(tid, "stat", buf, sizeof(buf)) < 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	p += 2;                    /* field 3 */
	for (i = 3; i < field && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return -1;
	*out = strtoll(p, NULL, 10);
	return 0;
}

/* "Uid:"/"Gid:" line of /proc/TID/status: which 0 = real, 1 = effective. */
static int status_id(int32_t tid, const char *key, int which, int64_t *out)
{
	char buf[4096], *p;
	int i;

	if (tid <= 0 || proc_read(tid, "status", buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, key);
	if (!p)
		return -1;
	p += strlen(key);
	for (i = 0; i <= which; i++)
		*out = strtoll(p, &p, 10);
	return 0;
}

/* x86-64: kernel addresses have the top bit set (the upper canonical half). */
static bool st_kernel_addr(uint64_t a)
{
	return (a >> 63) != 0;
}

/* /proc/kallsyms, loaded on first use and sorted by address. */
struct ksym { uint64_t addr; char *name; };
static struct ksym *ksyms;
static size_t nksyms;
static bool ksyms_loaded;
/* The recorded kernel's _text (a recording's kernel map), 0 live; and
 * this machine's.  When they differ the addresses belong to another
 * kernel (another boot's KASLR slide, another machine): no names. */
static uint64_t recorded_text, local_text;

void st_ksym_recorded_text(uint64_t addr)
{
	recorded_text = addr;
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void ksyms_load(void)
{
	FILE *f;
	char line[512], name[256], type;
	unsigned long long addr;
	size_t cap = 0;

	ksyms_loaded = true;
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !addr)
			continue;
		if (nksyms == cap) {
			struct ksym *n = realloc(ksyms, (cap = cap ? cap * 2 : 4096) * sizeof(*n));

			if (!n)
				break;
			ksyms = n;
		}
		if (!strcmp(name, "_text"))
			local_text = addr;
		ksyms[nksyms].addr = addr;
		if (!(ksyms[nksyms].name = strdup(name)))
			break;
		nksyms++;
	}
	fclose(f);
	qsort(ksyms, nksyms, sizeof(*ksyms), ksym_cmp);
}

/* The symbol containing addr, or NULL; *size is the distance to the next. */
static const struct ksym *ksym_find(uint64_t addr, uint64_t *size)
{
	static bool warned;
	size_t lo = 0, hi;

	if (!ksyms_loaded)
		ksyms_load();
	if (recorded_text && local_text && recorded_text != local_text) {
		if (!warned) {
			warned = true;
			fprintf(stderr, "WARNING: the recording's kernel is not this one (_text at 0x%llx, here 0x%llx): "
				"kernel addresses are not named\n", (unsigned long long)recorded_text,
				(unsigned long long)local_text);
		}
		return NULL;
	}
	hi = nksyms;
	if (!nksyms || addr < ksyms[0].addr)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (ksyms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*size = lo + 1 < nksyms ? ksyms[lo + 1].addr - ksyms[lo].addr : 0;
	return &ksyms[lo];
}

const char *st_ksym_lookup(uint64_t addr, uint64_t *offset, uint64_t *size)
{
	const struct ksym *k = st_kernel_addr(addr) ? ksym_find(addr, size) : NULL;

	if (!k)
		return NULL;
	*offset = addr - k->addr;
	return k->name;
}

/* symname/symdata/symfileline/modname of a kernel address, as stap prints
 * them without debuginfo: the address in hex when no symbol covers it.
 * NULL only for modname of a non-kernel address (stap raises an error). */
static const char *ksym_str(struct st_vm *vm, unsigned id, uint64_t addr)
{
	char buf[512];
	uint64_t size = 0;
	const struct ksym *k = st_kernel_addr(addr) ? ksym_find(addr, &size) : NULL;

	if (id == ST_BI_MODNAME) {
		if (!st_kernel_addr(addr))
			return NULL;
		return "kernel";     /* this kernel has no modules (CONFIG_MODULES unset) or they read as kernel */
	}
	if (!k || id == ST_BI_SYMFILELINE)
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)addr);
	else if (id == ST_BI_SYMNAME)
		snprintf(buf, sizeof(buf), "%s", k->name);
	else
		snprintf(buf, sizeof(buf), "%s+0x%llx/0x%llx [kernel]", k->name,
			 (unsigned long long)(addr - k->addr), (unsigned long long)size);
	return st_vm_str(vm, buf, strlen(buf));
}

/* umodname: the file mapped at addr in the task's /proc/PID/maps. */
static const char *umodname(struct st_vm *vm, int32_t pid, uint64_t addr)
{
	char path[64], line[4096];
	const char *r = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (!r && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;
		int off = 0;
		char *p;

		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &lo, &hi, &off) < 2 || !off)
			continue;
		if (addr < lo || addr >= hi)
			continue;
		p = line + off;
		p[strcspn(p, "\n")] = 0;
		if (*p)
			r = st_vm_str(vm, p, strlen(p));
	}
	fclose(f);
	return r;
}

/* task_state: the kernel's __state bits for /proc's state letter. */
static int64_t task_state(int32_t tid)
{
	char buf[1024], *p;

	if (tid <= 0 || proc_read(tid, "stat", buf, sizeof(buf)) < 0 || !(p = strrchr(buf, ')')))
		return 0;
	switch (p[2]) {
	case 'R': return 0;       /* TASK_RUNNING */
	case 'S': return 1;       /* TASK_INTERRUPTIBLE */
	case 'D': return 2;       /* TASK_UNINTERRUPTIBLE */
	case 'T': return 4;       /* __TASK_STOPPED */
	case 't': return 8;       /* __TASK_TRACED */
	case 'X': return 16;      /* EXIT_DEAD */
	case 'Z': return 32;      /* EXIT_ZOMBIE */
	case 'P': return 64;      /* TASK_PARKED */
	case 'I': return 0x402;   /* TASK_IDLE */
	default: return 0;
	}
}

static const char *comm_of(struct st_vm *vm, int32_t tid)
{
	char buf[64];
	ssize_t n = proc_read(tid, "comm", buf, sizeof(buf));

	if (n <= 0)
		return NULL;
	if (buf[n - 1] == '\n')
		buf[--n] = 0;
	return st_vm_str(vm, buf, (size_t)n);
}

static ssize_t umem_read(int32_t tid, uint64_t addr, void *buf, size_t n)
{
	char path[64];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = pread(fd, buf, n, (off_t)addr);
	close(fd);
	return r;
}

/* The NUL-terminated string at addr, at most max bytes; NULL on a fault. */
static const char *ustr(struct st_vm *vm, uint64_t addr, size_t max)
{
	char buf[4096];
	size_t got = 0;
	int32_t tid = ev_tid(vm);

	if (max > sizeof(buf) - 1)
		max = sizeof(buf) - 1;
	if (!addr)
		return NULL;
	while (got < max) {
		/* read up to the end of the page so a short string near a page
		 * boundary does not fault on the next page */
		size_t chunk = 4096 - ((addr + got) & 4095);
		ssize_t r;
		char *z;

		if (chunk > max - got)
			chunk = max - got;
		r = umem_read(tid, addr + got, buf + got, chunk);
		if (r <= 0)
			return got ? st_vm_str(vm, buf, got) : NULL;
		z = memchr(buf + got, 0, (size_t)r);
		if (z)
			return st_vm_str(vm, buf, (size_t)(z - buf));
		got += (size_t)r;
	}
	return st_vm_str(vm, buf, got);
}

static enum st_vm_status uint_read(struct st_vm *vm, uint64_t addr, size_t size, bool sign, st_value *ret)
{
	unsigned char b[8] = { 0 };
	uint64_t v = 0;
	size_t i;
	int got = st_vm_user_mem_captured(vm, addr, b, size);

	if (got < 0 || (got == 0 && (!vm->live || umem_read(ev_tid(vm), addr, b, size) != (ssize_t)size)))
		return st_vm_raise(vm, "user %s copy fault %p [man error::fault]", size == 1 ? "char" : "long",
				   (void *)(uintptr_t)addr);
	for (i = size; i-- > 0;)
		v = v << 8 | b[i];
	if (sign && size < 8 && (v >> (size * 8 - 1)) & 1)
		v |= ~0ull << (size * 8);
	ret->n = (int64_t)v;
	return ST_VM_OK;
}

/* ---- syscall tracepoint records ----
 * syscalls:sys_enter_X and raw_syscalls:sys_enter both put the syscall number
 * at offset 8 and the six arguments, 8 bytes each, from offset 16;
 * sys_exit_X and raw_syscalls:sys_exit put the return value at 16. */
static bool syscall_record(struct st_vm *vm, bool *is_exit)
{
	const struct st_source *s;

	if (!vm->ev || !vm->ev->raw || vm->ev->raw_size < 24 || !vm->probe)
		return false;
	s = &vm->plan->sources[vm->probe->source];
	if (!s->system || !s->event)
		return false;
	if (!strcmp(s->system, "raw_syscalls"))
		*is_exit = !strcmp(s->event, "sys_exit");
	else if (!strcmp(s->system, "syscalls"))
		*is_exit = !strncmp(s->event, "sys_exit_", 9);
	else
		return false;
	return true;
}

static int64_t raw_long(struct st_vm *vm, uint32_t off)
{
	int64_t v = 0;

	if (off + 8 <= vm->ev->raw_size)
		memcpy(&v, (const char *)vm->ev->raw + off, 8);
	return v;
}

static enum st_vm_status syscall_arg(struct st_vm *vm, int64_t n, const char *fn, st_value *ret)
{
	bool is_exit;

	if (!syscall_record(vm, &is_exit) || is_exit)
		return st_vm_raise(vm, "%s: no syscall arguments in this probe's context", fn);
	if (n < 1 || n > 6)
		return st_vm_raise(vm, "%s: argument %lld out of range", fn, (long long)n);
	ret->n = raw_long(vm, 16 + 8 * (uint32_t)(n - 1));
	return ST_VM_OK;
}

/* ---- symbolic flags ---- */
struct flag { uint64_t bit; const char *name; };

static void flags_str(struct st_buf *b, uint64_t v, const struct flag *f, size_t n)
{
	size_t i;
	bool any = b->len > 0;

	for (i = 0; i < n; i++)
		if (f[i].bit && (v & f[i].bit) == f[i].bit) {
			if (any)
				st_buf_puts(b, "|");
			st_buf_puts(b, f[i].name);
			any = true;
			v &= ~f[i].bit;
		}
	if (v || !any) {
		char num[32];

		snprintf(num, sizeof(num), any ? "|0x%llx" : "0x%llx", (unsigned long long)v);
		if (!v && !any)
			snprintf(num, sizeof(num), "0");
		st_buf_puts(b, num);
	}
}

#define F(x) { x, #x }
static const struct flag open_flags[] = {
	F(O_CREAT), F(O_EXCL), F(O_NOCTTY), F(O_TRUNC), F(O_APPEND), F(O_NONBLOCK), F(O_DSYNC),
	F(FASYNC), F(O_DIRECT), F(O_LARGEFILE), F(O_DIRECTORY), F(O_NOFOLLOW), F(O_NOATIME),
	F(O_CLOEXEC), { 04000000 & ~O_DSYNC, "O_SYNC" }, F(O_PATH), { 020000000 | O_DIRECTORY, "O_TMPFILE" },
};
static const struct flag prot_flags[] = { F(PROT_READ), F(PROT_WRITE), F(PROT_EXEC), { 0x8, "PROT_SEM" },
	F(PROT_GROWSDOWN), F(PROT_GROWSUP) };
static const struct flag mmap_flags[] = {
	F(MAP_SHARED), F(MAP_PRIVATE), { 0x03, "MAP_SHARED_VALIDATE" }, F(MAP_FIXED), F(MAP_ANONYMOUS),
	F(MAP_32BIT), F(MAP_GROWSDOWN), F(MAP_DENYWRITE), F(MAP_EXECUTABLE), F(MAP_LOCKED),
	F(MAP_NORESERVE), F(MAP_POPULATE), F(MAP_NONBLOCK), F(MAP_STACK), F(MAP_HUGETLB),
	{ 0x80000, "MAP_SYNC" }, { 0x100000, "MAP_FIXED_NOREPLACE" }, { 0x4000000, "MAP_UNINITIALIZED" },
};
static const struct flag clone_flags[] = {
	{ 0x100, "CLONE_VM" }, { 0x200, "CLONE_FS" }, { 0x400, "CLONE_FILES" }, { 0x800, "CLONE_SIGHAND" },
	{ 0x1000, "CLONE_PIDFD" }, { 0x2000, "CLONE_PTRACE" }, { 0x4000, "CLONE_VFORK" },
	{ 0x8000, "CLONE_PARENT" }, { 0x10000, "CLONE_THREAD" }, { 0x20000, "CLONE_NEWNS" },
	{ 0x40000, "CLONE_SYSVSEM" }, { 0x80000, "CLONE_SETTLS" }, { 0x100000, "CLONE_PARENT_SETTID" },
	{ 0x200000, "CLONE_CHILD_CLEARTID" }, { 0x400000, "CLONE_DETACHED" }, { 0x800000, "CLONE_UNTRACED" },
	{ 0x1000000, "CLONE_CHILD_SETTID" }, { 0x2000000, "CLONE_NEWCGROUP" }, { 0x4000000, "CLONE_NEWUTS" },
	{ 0x8000000, "CLONE_NEWIPC" }, { 0x10000000, "CLONE_NEWUSER" }, { 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" }, { 0x80000000, "CLONE_IO" },
};
#undef F

static const char *open_flag_str(struct st_vm *vm, int64_t v)
{
	struct st_buf b;
	const char *r;
	int acc = (int)(v & O_ACCMODE);

	st_buf_init(&b);
	st_buf_puts(&b, acc == O_RDONLY ? "O_RDONLY" : acc == O_WRONLY ? "O_WRONLY" : acc == O_RDWR ? "O_RDWR" : "O_ACCMODE");
	if (v & ~(int64_t)O_ACCMODE) {
		uint64_t rest = (uint64_t)v & ~(uint64_t)O_ACCMODE;
		size_t i;

		for (i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++)
			if ((rest & open_flags[i].bit) == open_flags[i].bit) {
				st_buf_puts(&b, "|");
				st_buf_puts(&b, open_flags[i].name);
				rest &= ~open_flags[i].bit;
			}
		if (rest) {
			char num[32];

			snprintf(num, sizeof(num), "|0x%llx", (unsigned long long)rest);
			st_buf_puts(&b, num);
		}
	}
	r = st_vm_str(vm, b.p, b.len);
	st_buf_free(&b);
	return r;
}

static const char *flags_to(struct st_vm *vm, int64_t v, const struct flag *f, size_t n, const char *none)
{
	struct st_buf b;
	const char *r;

	if (!v && none)
		return none;
	st_buf_init(&b);
	flags_str(&b, (uint64_t)v, f, n);
	r = st_vm_str(vm, b.p, b.len);
	st_buf_free(&b);
	return r;
}

static const char *mmap_flags_str(struct st_vm *vm, int64_t v)
{
	struct st_buf b;
	const char *r;
	int type = (int)(v & 3);

	st_buf_init(&b);
	st_buf_puts(&b, type == 1 ? "MAP_SHARED" : type == 2 ? "MAP_PRIVATE" : type == 3 ? "MAP_SHARED_VALIDATE" : "");
	if (v & ~3ll)
		flags_str(&b, (uint64_t)v & ~3ull, mmap_flags + 3, sizeof(mmap_flags) / sizeof(mmap_flags[0]) - 3);
	r = st_vm_str(vm, b.p ? b.p : "", b.len);
	st_buf_free(&b);
	return r;
}

static const char *fork_flags_str(struct st_vm *vm, int64_t v)
{
	struct st_buf b;
	const char *r;
	int sig = (int)(v & 0xff);

	st_buf_init(&b);
	flags_str(&b, (uint64_t)v & ~0xffull, clone_flags, sizeof(clone_flags) / sizeof(clone_flags[0]));
	if (b.len == 1 && b.p[0] == '0')
		b.len = 0;
	if (sig) {
		const char *name = sigabbrev_np(sig);
		char s[32];

		snprintf(s, sizeof(s), "%sSIG%s", b.len ? "|" : "", name ? name : "?");
		if (!name)
			snprintf(s, sizeof(s), "%s%d", b.len ? "|" : "", sig);
		st_buf_puts(&b, s);
	}
	r = st_vm_str(vm, b.p ? b.p : "", b.len);
	st_buf_free(&b);
	return r;
}

static const char *signal_name(struct st_vm *vm, int64_t sig)
{
	const char *n = sig > 0 && sig < 32 ? sigabbrev_np((int)sig) : NULL;
	char buf[32];

	if (n)
		snprintf(buf, sizeof(buf), "SIG%s", n);
	else if (sig >= 32 && sig <= 64)
		snprintf(buf, sizeof(buf), "SIGRTMIN+%d", (int)sig - 32);
	else
		snprintf(buf, sizeof(buf), "%lld", (long long)sig);
	return st_vm_str(vm, buf, strlen(buf));
}

/* cmdline_args(n, m, delim): arguments n..m (m < 0: to the last) of a
 * NUL-separated command line, joined by delim; "" when n is past the end. */
static const char *cmdline_join(struct st_vm *vm, const char *buf, size_t len,
				int64_t first, int64_t last, const char *delim)
{
	struct st_buf b;
	const char *r;
	size_t i = 0;
	int64_t k = 0;

	st_buf_init(&b);
	while (i < len && (last < 0 || k <= last)) {
		size_t l = strnlen(buf + i, len - i);

		if (k >= first) {
			if (k > first)
				st_buf_puts(&b, delim);
			st_buf_append(&b, buf + i, l);
		}
		i += l + 1;
		k++;
	}
	r = st_vm_str(vm, b.p ? b.p : "", b.len);
	st_buf_free(&b);
	return r;
}

/* The command line as cmdline_str() prints it: NUL-separated words joined
 * by spaces, trailing NULs dropped. */
static const char *cmdline_words(struct st_vm *vm, const char *raw, size_t n)
{
	char buf[ST_TASKCTX_CMDLINE_MAX];

	if (n > sizeof(buf))
		n = sizeof(buf);
	memcpy(buf, raw, n);
	while (n > 0 && buf[n - 1] == 0)
		n--;
	for (size_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	return st_vm_str(vm, buf, n);
}

/* The builtin from the task context captured at the event (taskctx.h):
 * true when it answered.  A read that faulted at the event (a kernel
 * thread's absent mm) answers 0 or "", as the task had nothing there. */
static bool captured(struct st_vm *vm, unsigned id, const st_value *a, st_value *ret)
{
	static const struct { unsigned id, item; } map[] = {
		{ ST_BI_UID, ST_TC_UID }, { ST_BI_EUID, ST_TC_EUID }, { ST_BI_GID, ST_TC_GID },
		{ ST_BI_EGID, ST_TC_EGID }, { ST_BI_PPID, ST_TC_PPID }, { ST_BI_PGRP, ST_TC_PGRP },
		{ ST_BI_SID, ST_TC_SID }, { ST_BI_PEXECNAME, ST_TC_PCOMM }, { ST_BI_TASK_UID, ST_TC_UID },
		{ ST_BI_TASK_GID, ST_TC_GID }, { ST_BI_TASK_PPID, ST_TC_PPID }, { ST_BI_TASK_PARENT, ST_TC_PPID },
		{ ST_BI_CMDLINE_STR, ST_TC_CMDLINE }, { ST_BI_CMDLINE_ARG, ST_TC_CMDLINE },
		{ ST_BI_CMDLINE_ARGS, ST_TC_CMDLINE }, { ST_BI_TASK_PRIO, ST_TC_PRIO },
		{ ST_BI_TASK_NICE, ST_TC_STATIC_PRIO },
	};
	const char *str = NULL;
	size_t len = 0;
	int64_t n = 0;
	int got = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]) && !got; i++) {
		if (map[i].id != id)
			continue;
		/* task_*(t) of the event's own task only */
		if ((id == ST_BI_TASK_UID || id == ST_BI_TASK_GID || id == ST_BI_TASK_PPID || id == ST_BI_TASK_PARENT ||
		     id == ST_BI_TASK_PRIO || id == ST_BI_TASK_NICE) && (!vm->ev || a[0].n != vm->ev->tid))
			return false;
		got = st_taskctx_get(vm, map[i].item, &n, &str, &len);
		if (got == 0)
			return false;
	}
	if (!got)
		return false;
	if (got < 0) {
		str = "";
		len = 0;
		n = 0;
	}
	switch (id) {
	case ST_BI_PEXECNAME: ret->s = st_vm_str(vm, str, len); break;
	case ST_BI_CMDLINE_STR: ret->s = cmdline_words(vm, str, len); break;
	case ST_BI_CMDLINE_ARG: ret->s = cmdline_join(vm, str, len, a[0].n, a[0].n, ""); break;
	case ST_BI_CMDLINE_ARGS: ret->s = cmdline_join(vm, str, len, a[0].n, a[1].n, a[2].s); break;
	case ST_BI_TASK_PRIO: ret->n = n - 100; break;      /* MAX_RT_PRIO */
	case ST_BI_TASK_NICE: ret->n = n - 120; break;      /* nice 0's static_prio */
	default: ret->n = n;
	}
	return true;
}

enum st_vm_status st_ctx_builtin(struct st_vm *vm, unsigned id, const st_value *a, st_value *ret)
{
	int32_t tid = ev_tid(vm);
	int32_t pid = vm->ev ? vm->ev->pid : vm->self_pid;
	const char *s;
	int64_t v = 0;
	char buf[4096];
	ssize_t n;

	ret->n = 0;
	if (captured(vm, id, a, ret))
		return ST_VM_OK;
	switch ((enum st_builtin_id)id) {
	case ST_BI_UID: case ST_BI_EUID:
		if (status_id(tid, "Uid:", id == ST_BI_EUID, &ret->n) < 0)
			return gone(vm, st_builtins[id].name, tid);
		break;
	case ST_BI_GID: case ST_BI_EGID:
		if (status_id(tid, "Gid:", id == ST_BI_EGID, &ret->n) < 0)
			return gone(vm, st_builtins[id].name, tid);
		break;
	case ST_BI_PPID: case ST_BI_PGRP: case ST_BI_SID:
		if (stat_field(pid, id == ST_BI_PPID ? 4 : id == ST_BI_PGRP ? 5 : 6, &ret->n) < 0) {
			int32_t pp;

			if (id == ST_BI_PPID && st_proctree_parent(vm->tree, pid, &pp, &s)) {
				ret->n = pp;
				break;
			}
			return gone(vm, st_builtins[id].name, pid);
		}
		break;
	case ST_BI_PEXECNAME: {
		int32_t pp;
		const char *pc = NULL;

		ret->s = "";
		/* the run saw the fork: its parent's name then (or since exec) */
		if (st_proctree_parent(vm->tree, pid, &pp, &pc) && pc) {
			ret->s = st_vm_str(vm, pc, strlen(pc));
			break;
		}
		if (stat_field(pid, 4, &v) < 0 || !(s = comm_of(vm, (int32_t)v)))
			return gone(vm, "pexecname", pid);
		ret->s = s;
		break;
	}
	case ST_BI_CMDLINE_STR: {
		ssize_t i;

		ret->s = "";
		n = proc_read(pid, "cmdline", buf, sizeof(buf));
		if (n < 0)
			return gone(vm, "cmdline_str", pid);
		while (n > 0 && buf[n - 1] == 0)
			n--;
		for (i = 0; i < n; i++)
			if (!buf[i])
				buf[i] = ' ';
		ret->s = st_vm_str(vm, buf, (size_t)n);
		break;
	}
	case ST_BI_CMDLINE_ARG: case ST_BI_CMDLINE_ARGS:
		n = proc_read(pid, "cmdline", buf, sizeof(buf));
		if (n < 0) {
			ret->s = "";
			return gone(vm, st_builtins[id].name, pid);
		}
		ret->s = cmdline_join(vm, buf, (size_t)n, a[0].n,
				      id == ST_BI_CMDLINE_ARG ? a[0].n : a[1].n,
				      id == ST_BI_CMDLINE_ARG ? "" : a[2].s);
		break;
	case ST_BI_STP_PID: ret->n = vm->self_pid; break;
	case ST_BI_MODULE_NAME: ret->s = "staplet"; break;
	case ST_BI_REMOTE_ID: ret->n = -1; break;
	case ST_BI_REMOTE_URI: ret->s = ""; break;
	case ST_BI_ENV_VAR: {
		size_t kl = strlen(a[0].s);
		ssize_t i = 0;

		ret->s = "";
		n = proc_read(pid, "environ", buf, sizeof(buf));
		if (n < 0)
			return gone(vm, "env_var", pid);
		while (i < n) {
			const char *e = buf + i;
			size_t el = strnlen(e, (size_t)(n - i));

			if (el > kl && !strncmp(e, a[0].s, kl) && e[kl] == '=') {
				ret->s = st_vm_str(vm, e + kl + 1, el - kl - 1);
				break;
			}
			i += (ssize_t)el + 1;
		}
		break;
	}
	case ST_BI_IS_RETURN: {
		bool is_exit = false;

		ret->n = syscall_record(vm, &is_exit) && is_exit;
		break;
	}
	/* A task is named by its tid: stap's task_struct pointers are kernel
	 * addresses the tool cannot read. */
	case ST_BI_TASK_CURRENT: ret->n = tid; break;
	case ST_BI_TASK_PID:
		ret->n = a[0].n == tid ? pid : (stat_field((int32_t)a[0].n, 1, &v), a[0].n);
		if (a[0].n != tid) {
			char path[64];
			int64_t tgid = 0;

			snprintf(path, sizeof(path), "task/%lld/status", (long long)a[0].n);
			ret->n = status_id((int32_t)a[0].n, "Tgid:", 0, &tgid) == 0 ? tgid : a[0].n;
		}
		break;
	case ST_BI_TASK_TID: ret->n = a[0].n; break;
	case ST_BI_TASK_PARENT: case ST_BI_TASK_PPID:
		if (stat_field((int32_t)a[0].n, 4, &ret->n) < 0)
			return gone(vm, st_builtins[id].name, (int32_t)a[0].n);
		break;
	case ST_BI_TASK_EXECNAME:
		if (a[0].n == tid && vm->ev)
			ret->s = vm->ev->comm;
		else if (!(ret->s = comm_of(vm, (int32_t)a[0].n))) {
			ret->s = "";
			return gone(vm, "task_execname", (int32_t)a[0].n);
		}
		break;
	case ST_BI_TASK_UID: case ST_BI_TASK_GID:
		if (status_id((int32_t)a[0].n, id == ST_BI_TASK_UID ? "Uid:" : "Gid:", 0, &ret->n) < 0)
			return gone(vm, st_builtins[id].name, (int32_t)a[0].n);
		break;
	case ST_BI_TASK_CPU:
		if (vm->ev && a[0].n == tid) {    /* the event's own task runs on the event's cpu */
			ret->n = vm->ev->cpu;
			break;
		}
		if (stat_field((int32_t)a[0].n, 39, &ret->n) < 0)
			return gone(vm, "task_cpu", (int32_t)a[0].n);
		break;
	case ST_BI_ADDR: case ST_BI_UADDR: case ST_BI_USER_MODE: {
		uint64_t ip = vm->ev ? vm->ev->ip : 0;
		bool user = ip && !st_kernel_addr(ip);

		ret->n = id == ST_BI_USER_MODE ? user : (int64_t)ip;
		if (id == ST_BI_UADDR && !user)
			ret->n = 0;     /* the user pc under a kernel sample is not captured */
		break;
	}
	case ST_BI_SYMNAME: case ST_BI_SYMDATA: case ST_BI_SYMFILELINE: case ST_BI_MODNAME:
		ret->s = ksym_str(vm, id, (uint64_t)a[0].n);
		if (!ret->s)
			return st_vm_raise(vm, "modname: address 0x%llx is not in the kernel",
					   (unsigned long long)a[0].n);
		break;
	case ST_BI_USYMNAME: case ST_BI_USYMDATA:
	case ST_BI_BACKTRACE: case ST_BI_PRINT_BACKTRACE: case ST_BI_SPRINT_BACKTRACE:
	case ST_BI_UBACKTRACE: case ST_BI_PRINT_UBACKTRACE: case ST_BI_SPRINT_UBACKTRACE:
	case ST_BI_PRINT_UBACKTRACE_BRIEF: case ST_BI_STACK: case ST_BI_USTACK:
	case ST_BI_PRINT_STACK: case ST_BI_PRINT_SYMS: case ST_BI_SPRINT_STACK: case ST_BI_SPRINT_SYMS:
	case ST_BI_PRINT_USTACK: case ST_BI_PRINT_USYMS: case ST_BI_SPRINT_USTACK: case ST_BI_SPRINT_USYMS:
		return st_stack_builtin(vm, id, a, ret);
	case ST_BI_USYMFILELINE:
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)a[0].n);
		ret->s = st_vm_str(vm, buf, strlen(buf));
		break;
	case ST_BI_UMODNAME:
		ret->s = umodname(vm, pid, (uint64_t)a[0].n);
		if (!ret->s)
			return st_vm_raise(vm, "umodname: no module at 0x%llx", (unsigned long long)a[0].n);
		break;
	case ST_BI_TASK_UTIME0: case ST_BI_TASK_STIME0:
	case ST_BI_TASK_UTIME: case ST_BI_TASK_STIME: {
		/* stap's cputime is nanoseconds; /proc counts clock ticks */
		int32_t t = id == ST_BI_TASK_UTIME0 || id == ST_BI_TASK_STIME0 ? tid : (int32_t)a[0].n;
		int field = id == ST_BI_TASK_UTIME0 || id == ST_BI_TASK_UTIME ? 14 : 15;

		if (stat_field(t, field, &v) == 0)
			ret->n = v * (1000000000 / sysconf(_SC_CLK_TCK));
		break;
	}
	case ST_BI_TASK_PRIO:     /* /proc's priority is stap's prio - MAX_RT_PRIO */
		if (stat_field((int32_t)a[0].n, 18, &ret->n) < 0)
			return gone(vm, "task_prio", (int32_t)a[0].n);
		break;
	case ST_BI_TASK_NICE:
		if (stat_field((int32_t)a[0].n, 19, &ret->n) < 0)
			return gone(vm, "task_nice", (int32_t)a[0].n);
		break;
	case ST_BI_TASK_STATE:
		ret->n = task_state((int32_t)a[0].n);
		break;
	case ST_BI_USER_STRING_ERR:
	case ST_BI_USER_STRING2: {
		int got = st_vm_user_string_captured(vm, (uint64_t)a[0].n, 4095, ret);

		if (got > 0)
			break;
		s = vm->live ? ustr(vm, (uint64_t)a[0].n, 4095) : NULL;
		ret->s = s ? s : a[1].s;
		break;
	}
	case ST_BI_USER_CHAR: return uint_read(vm, (uint64_t)a[0].n, 1, true, ret);
	case ST_BI_USER_INT8: return uint_read(vm, (uint64_t)a[0].n, 1, true, ret);
	case ST_BI_USER_UINT8: return uint_read(vm, (uint64_t)a[0].n, 1, false, ret);
	case ST_BI_USER_INT16: return uint_read(vm, (uint64_t)a[0].n, 2, true, ret);
	case ST_BI_USER_USHORT: return uint_read(vm, (uint64_t)a[0].n, 2, false, ret);
	case ST_BI_USER_INT32: return uint_read(vm, (uint64_t)a[0].n, 4, true, ret);
	case ST_BI_USER_STRING_WARN:
		/* stap warns and answers "<unknown>" where user_string would fail */
		if (st_vm_user_string(vm, -1, (uint64_t)a[0].n, ret) == ST_VM_OK)
			break;
		fprintf(stderr, "WARNING: %s\n", vm->errmsg);
		vm->errmsg[0] = 0;
		ret->s = "<unknown>";
		break;
	case ST_BI_USER_SHORT: return uint_read(vm, (uint64_t)a[0].n, 2, true, ret);
	case ST_BI_USER_UINT16: return uint_read(vm, (uint64_t)a[0].n, 2, false, ret);
	case ST_BI_USER_INT: return uint_read(vm, (uint64_t)a[0].n, 4, true, ret);
	case ST_BI_USER_UINT32: return uint_read(vm, (uint64_t)a[0].n, 4, false, ret);
	case ST_BI_USER_LONG: case ST_BI_USER_INT64: case ST_BI_USER_UINT64:
		return uint_read(vm, (uint64_t)a[0].n, 8, false, ret);
	case ST_BI_KERNEL_STRING_REF: ret->n = st_vm_kstr_ref(vm, a[0].s); break;
	case ST_BI_INT_ARG: case ST_BI_S32_ARG:
		if (syscall_arg(vm, a[0].n, st_builtins[id].name, ret) != ST_VM_OK)
			return ST_VM_ERROR;
		ret->n = (int32_t)ret->n;
		break;
	case ST_BI_UINT_ARG: case ST_BI_U32_ARG:
		if (syscall_arg(vm, a[0].n, st_builtins[id].name, ret) != ST_VM_OK)
			return ST_VM_ERROR;
		ret->n = (uint32_t)ret->n;
		break;
	case ST_BI_LONG_ARG: case ST_BI_ULONG_ARG: case ST_BI_POINTER_ARG: case ST_BI_S64_ARG: case ST_BI_U64_ARG:
		return syscall_arg(vm, a[0].n, st_builtins[id].name, ret);
	case ST_BI_RETURNVAL: {
		bool is_exit = false;

		if (!syscall_record(vm, &is_exit) || !is_exit)
			return st_vm_raise(vm, "returnval: no return value in this probe's context");
		ret->n = raw_long(vm, 16);
		break;
	}
	case ST_BI_REGISTER: case ST_BI_U_REGISTER:
		/* at kernel probes lowering fetches the register at the event */
		return st_vm_raise(vm, "%s(\"%s\"): registers are read at kernel probes only, by a constant name",
				   st_builtins[id].name, a[0].s);
	case ST_BI_SYSCALL_NR: {
		bool is_exit;

		if (!syscall_record(vm, &is_exit))
			return st_vm_raise(vm, "_stp_syscall_nr: not in a syscall probe");
		ret->n = raw_long(vm, 8);
		break;
	}
	case ST_BI_KREAD_FAULT:     /* stap's deref and kernel_string faults */
		if (a[1].n)
			return st_vm_raise(vm, "kernel string copy fault at 0x%llx [man error::fault]",
					   (unsigned long long)a[0].n);
		return st_vm_raise(vm, "read fault [man error::fault] at 0x%llx", (unsigned long long)a[0].n);
	case ST_BI_SYSCALL_NAME:
		s = st_syscall_name(a[0].n);
		if (!s) {
			snprintf(buf, 32, "syscall_%lld", (long long)a[0].n);
			s = buf;
		}
		ret->s = st_vm_str(vm, s, strlen(s));
		break;
	case ST_BI_RETSTR:
		if (a[0].n < 0 && a[0].n > -4096) {
			const char *e = strerrorname_np((int)-a[0].n);

			if (e)
				snprintf(buf, 64, "%lld (%s)", (long long)a[0].n, e);
			else
				snprintf(buf, 64, "%lld", (long long)a[0].n);
		} else {
			snprintf(buf, 64, "%lld", (long long)a[0].n);
		}
		ret->s = st_vm_str(vm, buf, strlen(buf));
		break;
	case ST_BI_ERRNO_NAME:
		s = strerrorname_np((int)(a[0].n < 0 ? -a[0].n : a[0].n));
		ret->s = s ? s : "";
		break;
	case ST_BI_OPEN_FLAG_STR: ret->s = open_flag_str(vm, a[0].n); break;
	case ST_BI_MPROT_STR:
		ret->s = flags_to(vm, a[0].n, prot_flags, sizeof(prot_flags) / sizeof(prot_flags[0]), "PROT_NONE");
		break;
	case ST_BI_MMAP_FLAGS: ret->s = mmap_flags_str(vm, a[0].n); break;
	case ST_BI_FORK_FLAGS: ret->s = fork_flags_str(vm, a[0].n); break;
	case ST_BI_SIGNAL_NAME: ret->s = signal_name(vm, a[0].n); break;
	case ST_BI_DFD_STR:
		if ((int32_t)a[0].n == AT_FDCWD) {
			ret->s = "AT_FDCWD";
		} else {
			snprintf(buf, 32, "%d", (int32_t)a[0].n);
			ret->s = st_vm_str(vm, buf, strlen(buf));
		}
		break;
	case ST_BI_SYSTEM: {
		pid_t child;

		st_vm_flush(vm);
		child = fork();
		if (child == 0) {
			execl("/bin/sh", "sh", "-c", a[0].s, (char *)NULL);
			_exit(127);
		}
		break;
	}
	default:
		return st_vm_raise(vm, "internal: unknown builtin %u", id);
	}
	return ST_VM_OK;
}

/* For proc_mem.c: the same /proc reading and exited-task policy. */
ssize_t st_ctx_proc_read(int32_t tid, const char *file, char *buf, size_t n)
{
	return proc_read(tid, file, buf, n);
}

enum st_vm_status st_ctx_gone(struct st_vm *vm, const char *fn, int32_t tid)
{
	return gone(vm, fn, tid);
}
