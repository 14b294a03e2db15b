/* ctx_builtins.h - tapset functions over the traced task's context. */
#ifndef ST_RUNTIME_CTX_BUILTINS_H
#define ST_RUNTIME_CTX_BUILTINS_H

#include <stdbool.h>
#include <stdint.h>
#include "runtime/vm.h"

/* Live runs read /proc at handler time; replay has no /proc to read. */
extern bool st_ctx_live;

enum st_vm_status st_ctx_builtin(struct st_vm *vm, unsigned id, const st_value *args, st_value *ret);
/* x86_64 syscall number to name; NULL when unknown. */
const char *st_syscall_name(int64_t nr);

#endif
