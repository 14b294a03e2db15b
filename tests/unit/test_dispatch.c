/* test_dispatch.c - the raw_syscalls dispatcher (plugins/perf/perf_dispatch.h):
 * slot placement by level (pure), and, as root, the program passes the
 * verifier and, attached to raw_syscalls:sys_enter, tail-calls the capture
 * program at openat's slot for an openat and runs nothing for a syscall
 * without a slot.  Needs root for the BPF part; SKIPs it otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include "check.h"
#include "lowering/btf.h"
#include "lowering/source.h"
#include "plugins/perf/perf_bpf.h"
#include "plugins/perf/perf_dispatch.h"

static char vlog[65536];

static void placement(void)
{
	struct st_perf_disp d = { 0 };
	int a, b, c, x;

	a = st_perf_disp_place(&d, false, 257);
	b = st_perf_disp_place(&d, false, 2);
	CHECK("two syscalls share the first level", a == 0 && b == 0 && d.nlvl == 1);
	c = st_perf_disp_place(&d, false, 257);
	CHECK("a second program at one syscall takes a second level", c == 1 && d.nlvl == 2);
	x = st_perf_disp_place(&d, true, 257);
	CHECK("task context programs have levels of their own", x == 2 && d.lvl[2].companion &&
	      !d.lvl[0].companion && !d.lvl[1].companion);
	CHECK("a companion at another syscall shares its level", st_perf_disp_place(&d, true, 0) == 2);
	CHECK("the third and fourth at one syscall get levels",
	      st_perf_disp_place(&d, false, 257) == 3 && st_perf_disp_place(&d, false, 257) == 4);
	CHECK("a fifth at one syscall does not fit", st_perf_disp_place(&d, false, 257) == -1);
	CHECK("but another syscall still does", st_perf_disp_place(&d, false, 3) == 0);
	CHECK("the highest number fits", st_perf_disp_place(&d, false, ST_PERF_DISP_NR - 1) == 0);
}

static void emission(void)
{
	struct bpf_insn p[ST_PERF_DISP_MAX_INSNS];
	int n = st_perf_disp_emit(5, -1, p, ST_PERF_DISP_MAX_INSNS), m;

	CHECK("dispatcher emits", n > 0);
	CHECK("it ends returning 1", n > 2 && p[n - 2].code == (BPF_ALU64 | BPF_MOV | BPF_K) && p[n - 2].imm == 1 &&
	      p[n - 1].code == (BPF_JMP | BPF_EXIT));
	CHECK("it tail-calls", n > 3 && p[n - 3].code == (BPF_JMP | BPF_CALL) && p[n - 3].imm == BPF_FUNC_tail_call);
	m = st_perf_disp_emit(5, 16, p, ST_PERF_DISP_MAX_INSNS);
	CHECK("the compat check adds instructions", m > n);
	CHECK("a small buffer is refused", st_perf_disp_emit(5, 16, p, 6) == -E2BIG);
}

static int tp_id(const char *sys, const char *ev)
{
	char path[256], buf[32] = {0};
	int fd, n;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/%s/id", sys, ev);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

/* Samples of this process in the ring whose capture copied `want`; all
 * of this process's samples in *total (other processes may run on the
 * CPU). */
static int count_path(void *base, long pg, const char *want, int *total)
{
	struct perf_event_mmap_page *meta = base;
	int found = 0;

	*total = 0;
	for (uint64_t pos = meta->data_tail; pos < __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);) {
		const uint8_t *data = (const uint8_t *)base + pg;
		const struct perf_event_header *h = (const void *)(data + (pos & (uint64_t)(pg * 8 - 1)));

		uint32_t pid = 0;

		if (h->type == PERF_RECORD_SAMPLE)
			memcpy(&pid, h + 1, 4);
		if (h->type == PERF_RECORD_SAMPLE && pid == (uint32_t)getpid()) {
			const uint8_t *raw = (const uint8_t *)(h + 1) + 12;
			struct st_perf_bpf_hdr hd;
			struct st_perf_bpf_ent e;
			char str[64] = "";
			size_t at;

			memcpy(&hd, raw, sizeof(hd));
			at = sizeof(hd) + ((hd.rec_size + 7) & ~7u);
			memcpy(&e, raw + at, sizeof(e));
			if (e.kind == ST_PERF_ENT_STRING && !e.err && e.len < sizeof(str))
				memcpy(str, raw + at + hd.nent * sizeof(e) + e.off, e.len);
			found += !strcmp(str, want);
			(*total)++;
		}
		pos += h->size;
	}
	meta->data_tail = meta->data_head;
	return found;
}

/* The capture program for openat's record behind the dispatcher. */
static void dispatch_live(int32_t compat_off)
{
	struct st_perf_bpf_spec sp = {.source = 3, .rec_size = 48, .ncap = 1,
				      .cap = {{.field_off = 24, .kind = ST_UCAP_STRING, .len_off = -1}}, .strmax = 512};
	struct perf_event_attr tp = {.size = sizeof(tp), .type = PERF_TYPE_TRACEPOINT,
				     .config = (uint64_t)tp_id("raw_syscalls", "sys_enter")};
	struct perf_event_attr bo = {.size = sizeof(bo), .type = PERF_TYPE_SOFTWARE,
				     .config = PERF_COUNT_SW_BPF_OUTPUT, .sample_period = 1,
				     .sample_type = PERF_SAMPLE_RAW | PERF_SAMPLE_TID, .wakeup_events = 1};
	struct bpf_insn p[ST_PERF_DISP_MAX_INSNS];
	int cpu = sched_getcpu(), scratch = -1, out = -1, arr, cap = -1, disp = -1, tfd = -1, ofd = -1, n, total;
	uint32_t key = SYS_openat;
	long pg = sysconf(_SC_PAGESIZE);
	void *base = MAP_FAILED;
	cpu_set_t set;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = vlog, .log_size = sizeof(vlog), .log_level = 1);

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	arr = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "t_disp", 4, 4, ST_PERF_DISP_NR, NULL);
	CHECK("prog array is created", arr >= 0);
	n = st_perf_disp_emit(arr, compat_off, p, ST_PERF_DISP_MAX_INSNS);
	disp = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "t_disp", "GPL", p, (size_t)n, &opts);
	if (disp < 0)
		fprintf(stderr, "verifier: %.2000s\n", vlog);
	CHECK(compat_off >= 0 ? "dispatcher with the compat check passes the verifier" :
	      "dispatcher passes the verifier", disp >= 0);
	if (st_perf_bpf_maps(&sp, cpu + 1, &scratch, &out) == 0)
		cap = st_perf_bpf_load(&sp, scratch, out, NULL, 0);
	CHECK("capture program loads", cap >= 0);
	CHECK("capture program goes into openat's slot", cap >= 0 && bpf_map_update_elem(arr, &key, &cap, BPF_ANY) == 0);
	ofd = (int)syscall(SYS_perf_event_open, &bo, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	tfd = (int)syscall(SYS_perf_event_open, &tp, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	CHECK("bpf output and raw_syscalls events open", ofd >= 0 && tfd >= 0);
	if (disp < 0 || cap < 0 || ofd < 0 || tfd < 0)
		goto out;
	base = mmap(NULL, (size_t)pg * 9, PROT_READ | PROT_WRITE, MAP_SHARED, ofd, 0);
	key = (uint32_t)cpu;
	if (base == MAP_FAILED || bpf_map_update_elem(out, &key, &ofd, BPF_ANY) < 0)
		goto out;
	ioctl(ofd, PERF_EVENT_IOC_ENABLE, 0);
	CHECK("dispatcher attaches to raw_syscalls:sys_enter", ioctl(tfd, PERF_EVENT_IOC_SET_BPF, disp) == 0);
	count_path(base, pg, "", &total);
	syscall(SYS_openat, AT_FDCWD, "/tmp/staplet-dispatch-test", O_RDONLY);
	n = count_path(base, pg, "/tmp/staplet-dispatch-test", &total);
	CHECK("an openat runs the program in its slot, once", n == 1);
	syscall(SYS_getppid);
	syscall(SYS_getppid);
	count_path(base, pg, "", &total);
	CHECK("syscalls without a slot run nothing", total == 0);
out:
	if (base != MAP_FAILED)
		munmap(base, (size_t)pg * 9);
	for (int *fd = (int[]){ tfd, ofd, disp, cap, arr, scratch, out, -2 }; *fd != -2; fd++)
		if (*fd >= 0)
			close(*fd);
}

int main(void)
{
	static const char *const m[] = { "thread_info", "status" };
	uint32_t size, off;
	char msg[256];
	int probe;

	placement();
	emission();
	probe = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "t_probe", 4, 4, 1, NULL);
	if (probe < 0 || geteuid() != 0) {
		printf("SKIP dispatcher in the kernel: needs root and BPF\n");
		return check_failures != 0;
	}
	close(probe);
	dispatch_live(-1);
#if defined(__x86_64__)
	CHECK("BTF has task_struct.thread_info.status",
	      st_btf_cast_addr(NULL, "struct task_struct", m, 2, &size, &off, msg, sizeof(msg)) == 0);
	dispatch_live((int32_t)off);
#else
	(void)m, (void)size, (void)off, (void)msg;
#endif
	return check_failures != 0;
}
