/* bpf_capture.h - handler IR -> BPF instructions for capture: the program
 * that reads tracepoint arguments through BTF-computed offsets (btf.h).
 *
 * The program is a BPF_PROG_TYPE_RAW_TRACEPOINT program (ctx->args[i] are
 * the TP_PROTO arguments).  It fills a per-CPU scratch value laid out as a
 * tracepoint record - common_type (u16), flags, preempt count, common_pid
 * (the tid), the fault mask and address - then one slot per cap at st_bpf_tpargs_layout()'s offsets,
 * and sends it with bpf_perf_event_output(BPF_F_CURRENT_CPU).  Reads that
 * fault leave zeros (an empty string) and set the cap's fault bit.
 */
#ifndef ST_LOWERING_BPF_CAPTURE_H
#define ST_LOWERING_BPF_CAPTURE_H

#include <stdint.h>
#include <linux/bpf.h>
#include "lowering/source.h"

#define ST_BPF_TPARGS_MAX_INSNS 4096
/* After the common fields: stap_btf_faults (bit i: cap i's read faulted)
 * and stap_btf_faddr (the address that faulted), then the caps. */
#define ST_BPF_TPARGS_FIRST 24

/* Offsets of each cap's slot in the record; the record size. */
uint32_t st_bpf_tpargs_layout(const struct st_btf_cap *caps, uint32_t n, uint32_t *off);

/* Emit the program into out[max]: instruction count, or -E2BIG. */
int st_bpf_tpargs_emit(const struct st_btf_cap *caps, uint32_t n, uint16_t type_id, int scratch_fd,
		       int out_fd, struct bpf_insn *out, uint32_t max);

/* The same, returning 1: the perf events of the tracepoint it runs at keep
 * their samples (a syscall capture behind the raw_syscalls dispatcher). */
int st_bpf_tpargs_emit_pass(const struct st_btf_cap *caps, uint32_t n, uint16_t type_id, int scratch_fd,
			    int out_fd, struct bpf_insn *out, uint32_t max);

/* The same for a task context companion (lowering/taskctx.h): the program
 * returns 1, so the event it runs beside is still delivered.  At
 * raw_syscalls, nr_filter_fd (else -1) is an array map of
 * ST_BPF_NR_FILTER_MAX / 64 u64 words: the syscall numbers it runs for. */
#define ST_BPF_NR_FILTER_MAX 1024
int st_bpf_taskctx_emit(const struct st_btf_cap *caps, uint32_t n, uint16_t type_id, int scratch_fd,
			int out_fd, int nr_filter_fd, struct bpf_insn *out, uint32_t max);

/* The tracefs-style format text of the record (for libtraceevent and
 * recordings): malloc'd, NULL on ENOMEM. */
char *st_bpf_tpargs_format(const char *event, uint16_t type_id, const struct st_btf_cap *caps, uint32_t n);

#endif
