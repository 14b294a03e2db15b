/* ctx_builtins.h - tapset functions over the traced task's context. */
#ifndef ST_RUNTIME_CTX_BUILTINS_H
#define ST_RUNTIME_CTX_BUILTINS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "runtime/vm.h"

enum st_vm_status st_ctx_builtin(struct st_vm *vm, unsigned id, const st_value *args, st_value *ret);
/* Read /proc/TID/FILE into buf (NUL-terminated); bytes read or -1. */
ssize_t st_ctx_proc_read(int32_t tid, const char *file, char *buf, size_t n);
/* /proc/TID was gone when fn read it: live, fn answers 0/"" and one warning
 * says so; on replay (nothing live to read) it is fn's error. */
enum st_vm_status st_ctx_gone(struct st_vm *vm, const char *fn, int32_t tid);
/* proc_mem_* and mem_page_size (proc_mem.c). */
enum st_vm_status st_proc_mem_builtin(struct st_vm *vm, unsigned id, const st_value *args, st_value *ret);
/* task_open_file_handles, pid2task, __st_bdevname, addr_to_node ... (task_files.c). */
enum st_vm_status st_task_files_builtin(struct st_vm *vm, unsigned id, const st_value *args, st_value *ret);
/* The /proc/kallsyms symbol holding a kernel address, or NULL; *offset
 * into it and *size (distance to the next symbol). */
const char *st_ksym_lookup(uint64_t addr, uint64_t *offset, uint64_t *size);
/* A recording's kernel _text address: kernel addresses are named only
 * when this machine's /proc/kallsyms has the same. */
void st_ksym_recorded_text(uint64_t addr);
/* backtrace(), ubacktrace() and their kin (vm_stack.c); usymname/usymdata. */
enum st_vm_status st_stack_builtin(struct st_vm *vm, unsigned id, const st_value *args, st_value *ret);
/* x86_64 syscall number to name; NULL when unknown. */

#endif
