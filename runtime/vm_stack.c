/* vm_stack.c - backtraces: the callchain an event carried (st_event
 * kstack/ustack), printed the way stap's runtime prints addresses.
 *
 * stap's renderings of one address, by use:
 *   backtrace(), ubacktrace()      "0x%x " each (hex, trailing space)
 *   print_[u]backtrace()           " 0xADDR : sym+0xOFF/0xSIZE [module]\n"
 *   sprint_[u]backtrace()          "sym+0xOFF [module-basename]\n"
 *   print_ubacktrace_brief()       "sym+0xOFF\n"
 *   [u]symdata()                   "sym+0xOFF/0xSIZE [module]"
 * with the parts that are unknown left out, down to the bare address.
 * Kernel addresses are named from /proc/kallsyms (module "kernel"), user
 * ones from the task's mappings and ELF symbols (usym.h).  At most
 * MAXBACKTRACE (20) frames, as stap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/ctx_builtins.h"
#include "runtime/event.h"
#include "runtime/print.h"
#include "runtime/usym.h"
#include "runtime/vm_internal.h"
#include "tapset/builtins.h"

#define MAXBACKTRACE 20

enum addr_style { HEX, FULL, SIMPLE, BRIEF, DATA };

struct sym {
	const char *name, *module;
	uint64_t offset, size;
};

static void resolve(struct st_vm *vm, uint64_t addr, bool user, struct sym *s)
{
	memset(s, 0, sizeof(*s));
	if (user) {
		struct st_usym u;
		int32_t pid = vm->ev ? vm->ev->pid : vm->self_pid;

		st_usym_lookup(pid, addr, vm->live, &u);
		s->name = u.name;
		s->module = u.module;
		s->offset = u.offset;
		s->size = u.size;
		return;
	}
	s->name = st_ksym_lookup(addr, &s->offset, &s->size);
	if (s->name)
		s->module = "kernel";
}

/* One address in `style`, appended to b. */
static void format_addr(struct st_vm *vm, struct st_buf *b, uint64_t addr, bool user, enum addr_style style)
{
	unsigned long long a = addr, off, size;
	const char *mod;
	struct sym s;
	char line[1024];

	if (style == HEX) {
		snprintf(line, sizeof(line), "0x%llx ", a);
		st_buf_puts(b, line);
		return;
	}
	resolve(vm, addr, user, &s);
	off = s.offset;
	size = s.size;
	mod = s.module;
	if (mod && style == SIMPLE && strrchr(mod, '/'))
		mod = strrchr(mod, '/') + 1;
	switch (style) {
	case FULL:
		if (s.name && mod)
			snprintf(line, sizeof(line), " 0x%llx : %s+0x%llx/0x%llx [%s]\n", a, s.name, off, size, mod);
		else if (mod)
			snprintf(line, sizeof(line), " 0x%llx [%s+0x%llx/0x%llx]\n", a, mod, off, size);
		else
			snprintf(line, sizeof(line), " 0x%llx\n", a);
		break;
	case SIMPLE:
		if (s.name && mod)
			snprintf(line, sizeof(line), "%s+0x%llx [%s]\n", s.name, off, mod);
		else if (mod)
			snprintf(line, sizeof(line), "0x%llx [%s+0x%llx]\n", a, mod, off);
		else
			snprintf(line, sizeof(line), "0x%llx\n", a);
		break;
	case BRIEF:
		if (s.name)
			snprintf(line, sizeof(line), "%s+0x%llx\n", s.name, off);
		else
			snprintf(line, sizeof(line), "0x%llx\n", a);
		break;
	default:   /* DATA */
		if (s.name && mod)
			snprintf(line, sizeof(line), "%s+0x%llx/0x%llx [%s]", s.name, off, size, mod);
		else if (mod)
			snprintf(line, sizeof(line), "0x%llx [%s+0x%llx/0x%llx]", a, mod, off, size);
		else
			snprintf(line, sizeof(line), "0x%llx", a);
		break;
	}
	st_buf_puts(b, line);
}

/* The event's kernel or user callchain; -1 when the event carries none. */
static int frames(struct st_vm *vm, bool user, const void **pcs)
{
	const struct st_event *ev = vm->ev;

	if (!ev || !(ev->flags & (user ? ST_EV_USTACK : ST_EV_KSTACK)))
		return -1;
	*pcs = user ? ev->ustack : ev->kstack;
	return (int)(user ? ev->nustack : ev->nkstack);
}

/* Frame i.  At a kprobe (x86) the kernel reports the breakpoint's next
 * byte as the first pc: the probed address is one less, as stap prints it. */
static uint64_t frame(struct st_vm *vm, bool user, const void *pcs, int i)
{
	const struct st_source *s = vm->probe ? &vm->plan->sources[vm->probe->source] : NULL;
	uint64_t v;

	memcpy(&v, (const uint8_t *)pcs + 8 * (size_t)i, 8);
	if (!i && !user && s && s->kind == ST_SRC_KPROBE && !s->probe_return)
		v--;
	return v;
}

/* The whole stack in `style` into b; stap's words when there is none. */
static enum st_vm_status format_stack(struct st_vm *vm, struct st_buf *b, bool user, enum addr_style style)
{
	const void *pcs = NULL;
	int n = frames(vm, user, &pcs);
	char line[512];

	if (n < 0 && !vm->live)
		return st_vm_raise(vm, "%s: the recording did not capture %s stacks for this probe",
				   user ? "ubacktrace" : "backtrace", user ? "user" : "kernel");
	if (n <= 0) {
		if (style == HEX) {
			st_buf_puts(b, "\n");
		} else {
			snprintf(line, sizeof(line), "<no %s backtrace at %s>\n", user ? "user" : "kernel",
				 vm->probe && vm->probe->pp ? vm->probe->pp : "");
			st_buf_puts(b, line);
		}
		return ST_VM_OK;
	}
	for (int i = 0; i < n && i < MAXBACKTRACE; i++)
		format_addr(vm, b, frame(vm, user, pcs, i), user, style);
	return ST_VM_OK;
}

static const char *buf_result(struct st_vm *vm, struct st_buf *b)
{
	const char *s = st_vm_str(vm, b->p ? b->p : "", b->len);

	st_buf_free(b);
	return s;
}

/* print_stack(s), sprint_syms(s), ...: " ADDR : symdata\n" per hex
 * address in the string; the string forms stop before the line that
 * would pass MAXSTRINGLEN. */
static void syms_of(struct st_vm *vm, struct st_buf *b, const char *list, bool user, bool limited)
{
	const char *p = list;

	while (*p) {
		struct st_buf one = { 0 };
		char tok[64];
		size_t n;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (!n)
			break;
		snprintf(tok, sizeof(tok), "%.*s", (int)(n < 63 ? n : 63), p);
		p += n;
		st_buf_puts(&one, " ");
		st_buf_puts(&one, tok);
		st_buf_puts(&one, " : ");
		format_addr(vm, &one, strtoull(tok, NULL, 16), user, DATA);
		st_buf_puts(&one, "\n");
		if (limited && b->len + one.len >= vm->limits.maxstringlen) {
			st_buf_free(&one);
			break;
		}
		st_buf_append(b, one.p, one.len);
		st_buf_free(&one);
	}
}

enum st_vm_status st_stack_builtin(struct st_vm *vm, unsigned id, const st_value *a, st_value *ret)
{
	struct st_buf b = { 0 };
	enum st_vm_status rc = ST_VM_OK;
	const void *pcs;
	bool user = false;
	int n;

	switch (id) {
	case ST_BI_USYMNAME: case ST_BI_USYMDATA: {
		struct sym s;
		char tmp[64];

		if (id == ST_BI_USYMDATA) {
			format_addr(vm, &b, (uint64_t)a[0].n, true, DATA);
			ret->s = buf_result(vm, &b);
			break;
		}
		resolve(vm, (uint64_t)a[0].n, true, &s);
		snprintf(tmp, sizeof(tmp), "0x%llx", (unsigned long long)a[0].n);
		ret->s = st_vm_str(vm, s.name ? s.name : tmp, strlen(s.name ? s.name : tmp));
		break;
	}
	case ST_BI_USTACK: user = true; /* fall through */
	case ST_BI_STACK:
		n = frames(vm, user, &pcs);
		if (n < 0 && !vm->live)
			return st_vm_raise(vm, "%s: the recording did not capture stacks for this probe",
					   st_builtins[id].name);
		ret->n = a[0].n >= 0 && a[0].n < n && a[0].n < MAXBACKTRACE ? (int64_t)frame(vm, user, pcs, (int)a[0].n) : 0;
		break;
	case ST_BI_UBACKTRACE: user = true; /* fall through */
	case ST_BI_BACKTRACE:
		rc = format_stack(vm, &b, user, HEX);
		ret->s = buf_result(vm, &b);
		break;
	case ST_BI_SPRINT_UBACKTRACE: user = true; /* fall through */
	case ST_BI_SPRINT_BACKTRACE:
		rc = format_stack(vm, &b, user, SIMPLE);
		ret->s = buf_result(vm, &b);
		break;
	case ST_BI_PRINT_UBACKTRACE_BRIEF:
		rc = format_stack(vm, &vm->out, true, BRIEF);
		break;
	case ST_BI_PRINT_UBACKTRACE: user = true; /* fall through */
	case ST_BI_PRINT_BACKTRACE:
		rc = format_stack(vm, &vm->out, user, FULL);
		break;
	case ST_BI_PRINT_USTACK: case ST_BI_PRINT_USYMS: user = true; /* fall through */
	case ST_BI_PRINT_STACK: case ST_BI_PRINT_SYMS:
		syms_of(vm, &vm->out, a[0].s, user, false);
		break;
	case ST_BI_SPRINT_USTACK: case ST_BI_SPRINT_USYMS: user = true; /* fall through */
	case ST_BI_SPRINT_STACK: case ST_BI_SPRINT_SYMS:
		syms_of(vm, &b, a[0].s, user, true);
		ret->s = buf_result(vm, &b);
		break;
	default:
		return st_vm_raise(vm, "internal: not a stack builtin %u", id);
	}
	return rc;
}
