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

int main(void)
{
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
