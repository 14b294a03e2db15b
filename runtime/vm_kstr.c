/* vm_kstr.c - strings a tracepoint copied out of the kernel, standing for
 * the char * that stap's tapset hands the script (irq_handler.entry's
 * dev_name is action->name there).  Without kprobes no kernel memory is
 * read; instead the handler gets a handle for the string, and
 * kernel_string(handle) gives it back, in this probe or a later one.
 *
 * Handles are non-canonical x86-64 addresses (0x5354...: no real kernel or
 * user pointer has that value), one per distinct string, for the run.
 */
#include <stdlib.h>
#include <string.h>
#include "runtime/vm_internal.h"

#define KSTR_BASE 0x5354000000000000ull
#define KSTR_MAX  4096u          /* distinct strings kept; more get handle 0 */
#define KSTR_HASH 8192u          /* open-addressing slots, > 1.5 * KSTR_MAX */

struct st_vm_kstr {
	char *str[KSTR_MAX];
	uint32_t n;
	uint32_t slot[KSTR_HASH];    /* index + 1; 0 = empty */
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

int64_t st_vm_kstr_ref(struct st_vm *vm, const char *s)
{
	struct st_vm_kstr *k = vm->kstr;
	uint32_t i;

	if (!k && !(k = vm->kstr = calloc(1, sizeof(*k))))
		abort();
	for (i = hash(s) % KSTR_HASH; k->slot[i]; i = (i + 1) % KSTR_HASH)
		if (!strcmp(k->str[k->slot[i] - 1], s))
			return (int64_t)(KSTR_BASE + k->slot[i]);
	if (k->n == KSTR_MAX)
		return 0;            /* kernel_string(0) faults, as for NULL */
	if (!(k->str[k->n] = strdup(s)))
		abort();
	k->slot[i] = ++k->n;
	return (int64_t)(KSTR_BASE + k->n);
}

const char *st_vm_kstr_get(const struct st_vm *vm, int64_t addr)
{
	uint64_t a = (uint64_t)addr;

	if (!vm->kstr || a <= KSTR_BASE || a > KSTR_BASE + vm->kstr->n)
		return NULL;
	return vm->kstr->str[a - KSTR_BASE - 1];
}

void st_vm_kstr_free(struct st_vm *vm)
{
	uint32_t i;

	if (!vm->kstr)
		return;
	for (i = 0; i < vm->kstr->n; i++)
		free(vm->kstr->str[i]);
	free(vm->kstr);
	vm->kstr = NULL;
}
