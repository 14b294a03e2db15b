/* bpfagg.h - handler IR to BPF instructions: the tier-2 program of an
 * in-kernel source (inkernel.h).
 *
 * The program (BPF_PROG_TYPE_TRACEPOINT) applies the guard, builds the map
 * key from the current task (bpf_get_current_comm, _pid_tgid,
 * bpf_get_smp_processor_id) and adds 1 to the key's u64 in a per-CPU hash.
 * The handler's constant increment is applied when userspace reads the map
 * (the bulk code multiplies it by the count).  Key layout: the keys in
 * order, comm 16 bytes, pid/tid/cpu 4 bytes each; a key-less map has one
 * 4-byte zero key.
 *
 * With an id filter (ids_fd >= 0) the program sits on raw_syscalls
 * sys_enter or sys_exit and first reads the syscall number (the `long id`
 * after the 8-byte common header), leaving unless ids[id] (a u32 array of
 * ST_BPFAGG_MAX_SYSCALL entries) is nonzero: one program serves a probe's
 * whole syscall set.
 */
#ifndef ST_LOWERING_BPFAGG_H
#define ST_LOWERING_BPFAGG_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "lowering/inkernel.h"

#define ST_BPFAGG_MAX_INSNS 160
#define ST_BPFAGG_MAX_SYSCALL 512

/* Bytes of the map key. */
uint32_t st_bpfagg_key_size(const struct st_inkernel *ink);
/* Emit the program for map_fd into p (ST_BPFAGG_MAX_INSNS); the count.
 * ids_fd: the syscall id filter, or -1 for none. */
uint32_t st_bpfagg_emit(const struct st_inkernel *ink, int map_fd, int ids_fd, int64_t target_pid, int32_t self_pid,
			struct bpf_insn *p);

#endif
