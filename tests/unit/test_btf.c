/* test_btf.c - tracepoint arguments resolve through vmlinux BTF, and the
 * capture programs lowering emits for them pass the verifier and attach to
 * their raw tracepoints.  BPF needs root: those checks SKIP otherwise. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "check.h"
#include "lowering/bpf_capture.h"
#include "lowering/btf.h"

static struct bpf_insn insn[ST_BPF_TPARGS_MAX_INSNS];
static char vlog[65536];

static int load(const char *event, struct st_btf_cap *caps, uint32_t n)
{
	uint32_t off[64], rec = st_bpf_tpargs_layout(caps, n, off);
	int sfd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "t_scr", 4, rec, 1, NULL);
	int ofd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "t_out", 4, 4, 64, NULL);
	int k, pfd = -1, lfd = -1;
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = vlog, .log_size = sizeof(vlog), .log_level = 1);

	k = st_bpf_tpargs_emit(caps, n, 60001, sfd, ofd, insn, ST_BPF_TPARGS_MAX_INSNS);
	if (sfd >= 0 && ofd >= 0 && k > 0)
		pfd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "t_tpargs", "GPL", insn, (size_t)k, &o);
	if (pfd < 0)
		fprintf(stderr, "verifier: %s\n", vlog);
	if (pfd >= 0)
		lfd = bpf_raw_tracepoint_open(event, pfd);
	if (lfd >= 0)
		close(lfd);
	if (pfd >= 0)
		close(pfd);
	if (sfd >= 0)
		close(sfd);
	if (ofd >= 0)
		close(ofd);
	return lfd >= 0 ? 0 : -1;
}

int main(void)
{
	struct st_btf_cap c[4];
	char msg[256];
	int rc;

	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		printf("SKIP btf: no vmlinux BTF\n");
		return 0;
	}
	rc = st_btf_tp_resolve("sched_switch", "$prev->pid", &c[0], msg, sizeof(msg));
	CHECK("$prev->pid resolves", rc == 0 && c[0].arg == 1 && c[0].size == 4 && c[0].is_signed && !c[0].direct);
	rc = st_btf_tp_resolve("sched_switch", "$next->comm", &c[1], msg, sizeof(msg));
	CHECK("$next->comm is a 16-byte string", rc == 0 && c[1].arg == 2 && c[1].is_string && c[1].size == 16);
	rc = st_btf_tp_resolve("sched_switch", "$next->mm->map_count", &c[2], msg, sizeof(msg));
	CHECK("$next->mm->map_count follows one pointer", rc == 0 && c[2].nhops == 1);
	rc = st_btf_tp_resolve("sched_switch", "$prev_state", &c[3], msg, sizeof(msg));
	CHECK("$prev_state is the direct fourth argument", rc == 0 && c[3].direct && c[3].arg == 3 && c[3].size == 4);
	rc = st_btf_tp_resolve("sched_switch", "$prev->nope", &c[0], msg, sizeof(msg));
	CHECK("a missing member: stap's message", rc == -EINVAL && strstr(msg, "unable to find member 'nope' for struct task_struct"));
	rc = st_btf_tp_resolve("sched_switch", "$nope", &c[0], msg, sizeof(msg));
	CHECK("a missing argument: -ENOENT", rc == -ENOENT);
	rc = st_btf_tp_resolve("sched_wakeup", "$p->pid", &c[0], msg, sizeof(msg));
	CHECK("DEFINE_EVENT names come from its template ($p of sched_wakeup)", rc == 0 && c[0].arg == 0);
	if (geteuid() != 0) {
		printf("SKIP btf capture programs: needs root\n");
		return check_failures != 0;
	}
	st_btf_tp_resolve("sched_switch", "$prev->pid", &c[0], msg, sizeof(msg));
	for (int i = 0; i < 4; i++)
		c[i].field = "f";
	CHECK("sched_switch capture (int, string, chain, direct) loads and attaches", load("sched_switch", c, 4) == 0);
	rc = st_btf_tp_resolve("block_rq_issue", "$rq->__data_len", &c[0], msg, sizeof(msg));
	CHECK("block_rq_issue $rq->__data_len resolves", rc == 0);
	if (rc == 0)
		CHECK("block_rq_issue capture loads and attaches", load("block_rq_issue", c, 1) == 0);
	return check_failures != 0;
}
