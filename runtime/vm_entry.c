/* vm_entry.c - the @entry stash: what a paired entry handler saved for the
 * return handler of the same probe on the same thread.
 *
 * Keyed by (tid, pairing id); each key holds a LIFO of frames, so recursion
 * pairs each return with its own call.  A return whose entry was not seen
 * (attached mid-call) finds nothing and its handler does not run, as in stap.
 * Strings are owned copies: registers point into the handler arena, which
 * is reset after every event.
 */
#include <stdlib.h>
#include <string.h>
#include "runtime/vm_internal.h"

struct eframe {
	struct eframe *next;
	uint32_t n;
	uint8_t *is_str;
	st_value *v;
};

struct ekey {
	struct ekey *next;
	int32_t tid;
	uint32_t id;
	struct eframe *top;
};

#define EBUCKETS 256u

struct st_vm_entry {
	struct ekey *b[EBUCKETS];
	uint64_t frames;
};

/* Frames not popped (threads that never returned) are bounded like a map. */
#define EFRAMES_MAX (1u << 20)

static struct ekey **slot(struct st_vm_entry *s, int32_t tid, uint32_t id)
{
	struct ekey **k = &s->b[((uint32_t)tid * 2654435761u ^ id) % EBUCKETS];

	for (; *k; k = &(*k)->next)
		if ((*k)->tid == tid && (*k)->id == id)
			break;
	return k;
}

static void frame_free(struct eframe *f)
{
	for (uint32_t i = 0; i < f->n; i++)
		if (f->is_str[i])
			free((char *)f->v[i].s);
	free(f->is_str);
	free(f->v);
	free(f);
}

static int32_t cur_tid(const struct st_vm *vm)
{
	return vm->ev ? vm->ev->tid : vm->self_pid;
}

enum st_vm_status st_vm_entry_push(struct st_vm *vm, uint32_t id, uint32_t n)
{
	struct st_vm_entry *s = vm->entry;
	struct ekey **k, *key;
	struct eframe *f;

	if (!s && !(s = vm->entry = calloc(1, sizeof(*s))))
		abort();
	if (s->frames >= EFRAMES_MAX)
		return st_vm_raise(vm, "too many @entry values pending");
	k = slot(s, cur_tid(vm), id);
	if (!*k) {
		if (!(*k = calloc(1, sizeof(**k))))
			abort();
		(*k)->tid = cur_tid(vm);
		(*k)->id = id;
	}
	key = *k;
	f = calloc(1, sizeof(*f));
	if (!f || !(f->is_str = calloc(n ? n : 1, 1)) || !(f->v = calloc(n ? n : 1, sizeof(*f->v))))
		abort();
	f->n = n;
	f->next = key->top;
	key->top = f;
	s->frames++;
	return ST_VM_OK;
}

void st_vm_entry_set(struct st_vm *vm, uint32_t id, uint32_t i, st_value v, bool is_str)
{
	struct ekey **k;
	struct eframe *f;

	if (!vm->entry || !*(k = slot(vm->entry, cur_tid(vm), id)) || !(f = (*k)->top) || i >= f->n)
		return;
	if (f->is_str[i])
		free((char *)f->v[i].s);
	f->is_str[i] = is_str;
	if (is_str) {
		if (!(f->v[i].s = strdup(v.s ? v.s : "")))
			abort();
	} else {
		f->v[i] = v;
	}
}

bool st_vm_entry_pop(struct st_vm *vm, uint32_t id, st_value *R, uint32_t n)
{
	struct ekey **k, *key;
	struct eframe *f;

	if (!vm->entry || !*(k = slot(vm->entry, cur_tid(vm), id)))
		return false;
	key = *k;
	f = key->top;
	key->top = f->next;
	if (!key->top) {
		*k = key->next;
		free(key);
	}
	vm->entry->frames--;
	for (uint32_t i = 0; i < n; i++) {
		if (i >= f->n)
			R[i].n = 0;
		else if (f->is_str[i])
			R[i].s = st_vm_str(vm, f->v[i].s, strlen(f->v[i].s));
		else
			R[i] = f->v[i];
	}
	frame_free(f);
	return true;
}

void st_vm_entry_free(struct st_vm *vm)
{
	struct st_vm_entry *s = vm->entry;

	if (!s)
		return;
	for (uint32_t b = 0; b < EBUCKETS; b++)
		while (s->b[b]) {
			struct ekey *k = s->b[b];

			s->b[b] = k->next;
			while (k->top) {
				struct eframe *f = k->top;

				k->top = f->next;
				frame_free(f);
			}
			free(k);
		}
	free(s);
	vm->entry = NULL;
}
