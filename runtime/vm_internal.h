/* vm_internal.h - what vm.c shares with the builtin implementations. */
#ifndef ST_RUNTIME_VM_INTERNAL_H
#define ST_RUNTIME_VM_INTERNAL_H

#include "runtime/vm.h"

/* Set vm->errmsg; returns ST_VM_ERROR. */
enum st_vm_status st_vm_raise(struct st_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A handler-lifetime copy of s[0..n), truncated to MAXSTRINGLEN. */
const char *st_vm_str(struct st_vm *vm, const char *s, size_t n);
/* Run builtin id with its arguments; the result goes to *ret. */
enum st_vm_status st_vm_builtin(struct st_vm *vm, unsigned id, const st_value *args, st_value *ret);
/* user_string(addr) / user_string_n(addr, n) (n < 0: MAXSTRINGLEN): the
 * string the event captured at addr, else read live from /proc/PID/mem,
 * else stap's "user string copy fault" error (vm_ustring.c). */
enum st_vm_status st_vm_user_string(struct st_vm *vm, int64_t n, uint64_t addr, st_value *ret);
/* The string a capture took at addr for this event (up to max bytes): 1 and
 * *ret, -1 when the capture faulted, 0 when there is none. */
int st_vm_user_string_captured(struct st_vm *vm, uint64_t addr, size_t max, st_value *ret);
/* size bytes at addr from a range the event copied: 1 and buf, -1 when
 * the copy says that read faults, 0 when nothing copied covers it. */
int st_vm_user_mem_captured(struct st_vm *vm, uint64_t addr, void *buf, size_t size);
/* n bytes of user memory at addr: the event's copy, else the live process
 * (an event of the last few seconds); 0 or -EFAULT. */
int st_vm_user_bytes(struct st_vm *vm, uint64_t addr, void *buf, size_t n);
/* _struct_timespec_u, _struct_rlimit_u, _struct_sockaddr_u (vm_ustruct.c) */
enum st_vm_status st_vm_ustruct_builtin(struct st_vm *vm, unsigned id, const st_value *a, st_value *ret);

/* The @entry stash (vm_entry.c), keyed by the event's tid and a pairing id. */
enum st_vm_status st_vm_entry_push(struct st_vm *vm, uint32_t id, uint32_t n);
void st_vm_entry_set(struct st_vm *vm, uint32_t id, uint32_t i, st_value v, bool is_str);
/* false when no entry frame is pending */
bool st_vm_entry_pop(struct st_vm *vm, uint32_t id, st_value *R, uint32_t n);
void st_vm_entry_free(struct st_vm *vm);

/* Strings a tracepoint copied from the kernel, as handles that stand for
 * the kernel's char * (vm_kstr.c): the handle of s (0 when the table is
 * full); the string of a handle, NULL for any other address. */
int64_t st_vm_kstr_ref(struct st_vm *vm, const char *s);
const char *st_vm_kstr_get(const struct st_vm *vm, int64_t addr);
void st_vm_kstr_free(struct st_vm *vm);

/* kernel_string*, kernel_long ... kernel_char, __st_kread* (vm_kmem.c) */
enum st_vm_status st_vm_kmem_builtin(struct st_vm *vm, unsigned id, const st_value *a, st_value *ret);

#endif
