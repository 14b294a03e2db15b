/* vm_kmem.c - kernel memory for the script: kernel_string*, kernel_long,
 * kernel_int, kernel_short, kernel_char, kernel_pointer, and the
 * run-time walk of a BTF chain (__st_kread, __st_kread_str) where no
 * capture program read it at the event (begin/end/timer probes, functions,
 * uprobes).  A string a tracepoint copied (vm_kstr.c's handles) answers
 * first; else a live run reads the kernel now through runtime/kread.h.  A
 * recording holds no kernel memory: report raises stap's fault saying so. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "runtime/ctx_builtins.h"
#include "runtime/kread.h"
#include "runtime/vm_internal.h"
#include "tapset/builtins.h"

/* why a read at addr faulted, after stap's "... copy fault at 0x...";
 * buf is the caller's */
static const char *why(const struct st_vm *vm, int err, char *buf, size_t size)
{
	if (!vm->live)
		return ": the recording holds no kernel memory (kernel reads need a live run)";
	if (err == -ENOSYS) {
		snprintf(buf, size, ": kernel memory is not readable here (%s)", st_kread_why());
		return buf;
	}
	return "";
}

static enum st_vm_status fault(struct st_vm *vm, const char *what, int64_t addr, int err)
{
	char buf[200];

	return st_vm_raise(vm, "kernel %s copy fault at 0x%llx%s [man error::fault]", what, (unsigned long long)addr,
			   why(vm, err, buf, sizeof(buf)));
}

/* the string at addr, at most max bytes with its NUL: 0 and *out, or -errno */
static int kstring(struct st_vm *vm, int64_t addr, size_t max, const char **out)
{
	const char *s = st_vm_kstr_get(vm, addr);
	char buf[ST_KREAD_MAX];
	ssize_t n;

	if (s) {
		n = (ssize_t)strnlen(s, max ? max - 1 : 0);
		*out = st_vm_str(vm, s, (size_t)n);
		return 0;
	}
	if (!vm->live)
		return -EFAULT;
	if (max > sizeof(buf))
		max = sizeof(buf);
	n = st_kread_str((uint64_t)addr, buf, max);
	if (n < 0)
		return (int)n;
	*out = st_vm_str(vm, buf, (size_t)n);
	return 0;
}

/* size bytes at addr, sign-extended when asked: 0 and *v, or -errno */
static int kvalue(const struct st_vm *vm, int64_t addr, uint32_t size, bool sign, int64_t *v)
{
	unsigned char b[8] = { 0 };
	uint64_t x = 0;
	ssize_t n;

	if (!vm->live)
		return -EFAULT;
	if (size == 0 || size > 8)
		return -EINVAL;
	n = st_kread((uint64_t)addr, b, size);
	if (n < 0)
		return (int)n;
	for (uint32_t i = size; i-- > 0;)
		x = x << 8 | b[i];
	if (sign && size < 8 && (x >> (size * 8 - 1)) & 1)
		x |= ~0ull << (size * 8);
	*v = (int64_t)x;
	return 0;
}

/* __st_kread(addr, spec): a chain's last read; faults as a deref does */
static enum st_vm_status chain_value(struct st_vm *vm, int64_t addr, int64_t spec, st_value *ret)
{
	uint32_t size = (uint32_t)spec & 0xff, shift = (uint32_t)(spec >> 16) & 0xff, bits = (uint32_t)(spec >> 24) & 0xff;
	bool sign = (spec >> 8) & 1;
	int64_t v = 0;
	int r = kvalue(vm, addr, size, sign && !bits, &v);
	char wb[200];

	if (r < 0)
		return st_vm_raise(vm, "read fault [man error::fault] at 0x%llx%s", (unsigned long long)addr,
				   why(vm, r, wb, sizeof(wb)));
	if (bits) {       /* a bitfield: its bits up to the top, then down */
		uint64_t u = (uint64_t)v << (64 - shift - bits);

		v = sign ? (int64_t)u >> (64 - bits) : (int64_t)(u >> (64 - bits));
	}
	ret->n = v;
	return ST_VM_OK;
}

/* kernel_long() ... kernel_char(): the bytes each reads, and its name in
 * stap's fault message. */
struct kscalar {
	unsigned id;
	uint32_t size;
	bool sign;
	const char *what;
};

static const struct kscalar *kscalar_of(unsigned id)
{
	static const struct kscalar k[] = {
		{ ST_BI_KERNEL_LONG, 8, true, "long" }, { ST_BI_KERNEL_POINTER, 8, false, "pointer" },
		{ ST_BI_KERNEL_INT, 4, true, "int" }, { ST_BI_KERNEL_SHORT, 2, true, "short" },
		{ ST_BI_KERNEL_CHAR, 1, true, "char" },
	};
	size_t i;

	for (i = 0; i + 1 < sizeof(k) / sizeof(k[0]) && k[i].id != id; i++)
		;
	return &k[i];
}

enum st_vm_status st_vm_kmem_builtin(struct st_vm *vm, unsigned id, const st_value *a, st_value *ret)
{
	uint32_t maxlen = vm->limits.maxstringlen ? vm->limits.maxstringlen : 512;
	char wb[200];
	int64_t n;
	int r;

	switch ((enum st_builtin_id)id) {
	case ST_BI_KERNEL_STRING:
		if ((r = kstring(vm, a[0].n, maxlen, &ret->s)) < 0)
			return fault(vm, "string", a[0].n, r);
		break;
	case ST_BI_KERNEL_STRING_N:
		/* stap: n + 1 bytes with the NUL, within 1 .. MAXSTRINGLEN */
		n = a[1].n < 0 ? 1 : a[1].n >= (int64_t)maxlen ? (int64_t)maxlen : a[1].n + 1;
		if ((r = kstring(vm, a[0].n, (size_t)n, &ret->s)) < 0)
			return fault(vm, "string", a[0].n, r);
		break;
	case ST_BI_KERNEL_STRING2:
		if (kstring(vm, a[0].n, maxlen, &ret->s) < 0)
			ret->s = a[1].s;
		break;
	case ST_BI_KREAD_STRING:
		n = a[1].n <= 0 || a[1].n > (int64_t)maxlen ? (int64_t)maxlen : a[1].n;
		if ((r = kstring(vm, a[0].n, (size_t)n, &ret->s)) < 0)
			return fault(vm, "string", a[0].n, r);
		break;
	case ST_BI_KERNEL_LONG: case ST_BI_KERNEL_POINTER: case ST_BI_KERNEL_INT:
	case ST_BI_KERNEL_SHORT: case ST_BI_KERNEL_CHAR: {
		const struct kscalar *k = kscalar_of(id);

		if ((r = kvalue(vm, a[0].n, k->size, k->sign, &ret->n)) < 0)
			return fault(vm, k->what, a[0].n, r);
		break;
	}
	case ST_BI_KREAD_VALUE:
		return chain_value(vm, a[0].n, a[1].n, ret);
	case ST_BI_KREAD_TASK:
		/* staplet names a task by its tid; the reader knows only its
		 * own task's address (begin, end and timer probes run in it, as
		 * stap's run in stapio) */
		if (!vm->live)
			return st_vm_raise(vm, "task_current(): no task_struct of task %lld%s", (long long)a[0].n,
					   why(vm, -EFAULT, wb, sizeof(wb)));
		if (a[0].n != getpid() && a[0].n != gettid())
			return st_vm_raise(vm, "task_current(): the task_struct of task %lld is readable only in "
					   "a tracepoint or syscall probe (at its event)", (long long)a[0].n);
		ret->n = st_kread_current_task();
		if (ret->n < 0 && ret->n >= -4095)     /* -errno; an address is negative too */
			return st_vm_raise(vm, "task_current(): no task address%s",
					   why(vm, (int)ret->n, wb, sizeof(wb)));
		break;
	default:
		return st_vm_raise(vm, "internal: unknown builtin %u", id);
	}
	return ST_VM_OK;
}
