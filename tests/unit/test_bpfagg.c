/* test_bpfagg.c - every shape of the tier-2 aggregation program
 * (lowering/bpfagg.h) passes the verifier: each key, key-less, and each
 * guard.  Needs root (BPF); SKIPs otherwise. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include <stdbool.h>
#include <bpf/bpf.h>
#include "lowering/bpfagg.h"
#include "plugins/perf/perf_ink.h"

static char vlog[1 << 20];

static void try_load_ids(const char *name, struct st_inkernel ink, bool ids)
{
	struct st_perf_ink_src s = { .ink = &ink, .prog_fd = -1, .map_fd = -1, .ids_fd = -1 };
	struct st_backend_opts o = { .target_pid = 4242, .maxmapentries = 2048 };
	int rc;

	ink.tier = ST_INK_BPFAGG;
	if (ids && (s.ids_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_ids", 4, 4, ST_BPFAGG_MAX_SYSCALL, NULL)) < 0) {
		CHECK(name, 0);
		return;
	}
	rc = st_perf_bpfagg_open(&s, UINT64_MAX, &o, vlog, sizeof(vlog));
	if (rc < 0)
		fprintf(stderr, "%s: %s\nverifier: %s\n", name, strerror(-rc), vlog);
	CHECK(name, rc == 0);
	st_perf_ink_src_close(&s);
}

static void try_load(const char *name, struct st_inkernel ink)
{
	try_load_ids(name, ink, false);
}

/* The bytes bpf_get_current_comm leaves after the NUL are the stack's old
 * ones on 6.1 (strscpy, no padding): a compared or keyed comm buffer must
 * be zeroed before the call (every byte of [off, off+16) stored 0). */
static bool comm_buffers_zeroed(const struct st_inkernel *ink)
{
	struct bpf_insn p[ST_BPFAGG_MAX_INSNS];
	uint32_t n = st_bpfagg_emit(ink, 3, -1, 0, 0, p);
	bool zero[64] = { false };   /* fp-64 .. fp-1 */
	int calls = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (p[i].code == (BPF_ST | BPF_MEM | BPF_DW) && p[i].dst_reg == BPF_REG_10 && p[i].imm == 0 &&
		    p[i].off >= -64 && p[i].off <= -8)
			for (int b = 0; b < 8; b++)
				zero[64 + p[i].off + b] = true;
		if (p[i].code == (BPF_JMP | BPF_CALL) && p[i].imm == BPF_FUNC_get_current_comm) {
			/* r1 = fp + off was set by the two instructions before r2 */
			int32_t off = p[i - 2].imm;

			calls++;
			if (off < -64 || off > -16)
				return false;
			for (int b = 0; b < 16; b++)
				if (!zero[64 + off + b])
					return false;
		}
	}
	return calls == (ink->guard == ST_INK_G_COMM) + (ink->nkeys && ink->key[0] == ST_INK_K_COMM);
}

int main(void)
{
	CHECK("bpfagg: the execname() guard's buffer is zeroed before bpf_get_current_comm",
	      comm_buffers_zeroed(&(struct st_inkernel){ .nkeys = 1, .key = { ST_INK_K_TID }, .guard = ST_INK_G_COMM,
							 .guard_eq = 1, .guard_str = "ink12345" }));
	CHECK("bpfagg: the execname() key is zeroed before bpf_get_current_comm",
	      comm_buffers_zeroed(&(struct st_inkernel){ .nkeys = 1, .key = { ST_INK_K_COMM }, .guard = ST_INK_G_COMM,
							 .guard_eq = 0, .guard_str = "x" }));

	if (geteuid() != 0) {
		printf("SKIP bpfagg: needs root\n");
		return 0;
	}
	try_load("bpfagg: no key", (struct st_inkernel){ .nkeys = 0 });
	try_load("bpfagg: execname()", (struct st_inkernel){ .nkeys = 1, .key = { ST_INK_K_COMM } });
	try_load("bpfagg: pid()", (struct st_inkernel){ .nkeys = 1, .key = { ST_INK_K_PID } });
	try_load("bpfagg: tid(), cpu()", (struct st_inkernel){ .nkeys = 2, .key = { ST_INK_K_TID, ST_INK_K_CPU } });
	try_load("bpfagg: execname(), pid(), tid(), cpu()",
		 (struct st_inkernel){ .nkeys = 4, .key = { ST_INK_K_COMM, ST_INK_K_PID, ST_INK_K_TID, ST_INK_K_CPU } });
	try_load("bpfagg: guard pid() == target()",
		 (struct st_inkernel){ .nkeys = 1, .key = { ST_INK_K_COMM }, .guard = ST_INK_G_PID, .guard_eq = 1,
				       .guard_target = 1 });
	try_load("bpfagg: guard tid() != 5",
		 (struct st_inkernel){ .guard = ST_INK_G_TID, .guard_eq = 0, .guard_num = 5 });
	try_load("bpfagg: guard cpu() == 1", (struct st_inkernel){ .guard = ST_INK_G_CPU, .guard_eq = 1, .guard_num = 1 });
	try_load("bpfagg: guard execname() == \"getppid_loop\"",
		 (struct st_inkernel){ .nkeys = 1, .key = { ST_INK_K_PID }, .guard = ST_INK_G_COMM, .guard_eq = 1,
				       .guard_str = "getppid_loop" });
	try_load("bpfagg: guard execname() != \"x\"",
		 (struct st_inkernel){ .nkeys = 1, .key = { ST_INK_K_COMM }, .guard = ST_INK_G_COMM, .guard_eq = 0,
				       .guard_str = "x" });
	/* one program for a probe's syscall set on raw_syscalls: the id filter first */
	try_load_ids("bpfagg: syscall id filter, execname()", (struct st_inkernel){ .nkeys = 1, .key = { ST_INK_K_COMM } },
		     true);
	try_load_ids("bpfagg: syscall id filter, guard pid() == target(), tid()",
		     (struct st_inkernel){ .nkeys = 1, .key = { ST_INK_K_TID }, .guard = ST_INK_G_PID, .guard_eq = 1,
					   .guard_target = 1 },
		     true);
	return check_failures ? 1 : 0;
}
