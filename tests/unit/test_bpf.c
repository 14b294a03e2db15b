/* test_bpf.c - the BPF capture program passes the verifier and, attached to
 * syscalls:sys_enter_openat, copies the path a process opens, unless the
 * process is the one it is told to ignore (staplet's own).  Needs root
 * (BPF and perf events); SKIPs otherwise. */
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
#include "lowering/source.h"
#include "plugins/perf/perf_bpf.h"

static char vlog[65536];

static int tp_id(const char *ev)
{
	char path[256], buf[32] = {0};
	int fd, n;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/syscalls/%s/id", ev);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

/* Attach, open a known path, and count it in this CPU's output ring. */
static int capture_openat(int prog, int out_fd, const struct st_perf_bpf_spec *sp)
{
	struct perf_event_attr tp = {.size = sizeof(tp), .type = PERF_TYPE_TRACEPOINT,
				     .config = (uint64_t)tp_id("sys_enter_openat"), .sample_period = 1};
	struct perf_event_attr bo = {.size = sizeof(bo), .type = PERF_TYPE_SOFTWARE,
				     .config = PERF_COUNT_SW_BPF_OUTPUT, .sample_period = 1,
				     .sample_type = PERF_SAMPLE_RAW | PERF_SAMPLE_TID, .wakeup_events = 1};
	int cpu = sched_getcpu(), tfd, ofd, link, key = cpu, found = 0;
	long pg = sysconf(_SC_PAGESIZE);
	struct perf_event_mmap_page *meta;
	cpu_set_t set;
	void *base;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	ofd = (int)syscall(SYS_perf_event_open, &bo, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	tfd = (int)syscall(SYS_perf_event_open, &tp, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	CHECK("bpf output and tracepoint events open", ofd >= 0 && tfd >= 0);
	if (ofd < 0 || tfd < 0)
		goto out;
	base = mmap(NULL, (size_t)pg * 9, PROT_READ | PROT_WRITE, MAP_SHARED, ofd, 0);
	CHECK("bpf output ring maps", base != MAP_FAILED);
	if (base == MAP_FAILED)
		goto out;
	meta = base;
	CHECK("output map takes the event", bpf_map_update_elem(out_fd, &key, &ofd, BPF_ANY) == 0);
	ioctl(ofd, PERF_EVENT_IOC_ENABLE, 0);
	link = bpf_link_create(prog, tfd, BPF_PERF_EVENT, NULL);
	CHECK("program attaches to sys_enter_openat", link >= 0);
	if (link >= 0) {
		int f = open("/tmp/staplet-bpf-capture-test", O_RDONLY);

		if (f >= 0)
			close(f);
		close(link);
	}
	for (uint64_t pos = meta->data_tail; pos < __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);) {
		const uint8_t *data = (const uint8_t *)base + pg;
		const struct perf_event_header *h = (const void *)(data + (pos & (uint64_t)(pg * 8 - 1)));

		if (h->type == PERF_RECORD_SAMPLE) {
			/* tid(8) then raw size(4) then our buffer: header,
			 * record, one entry, then the string */
			const uint8_t *raw = (const uint8_t *)(h + 1) + 12;
			struct st_perf_bpf_hdr hd;
			struct st_perf_bpf_ent e;
			char str[64] = "";
			size_t at;

			/* the raw data is only 4-byte aligned in the ring */
			memcpy(&hd, raw, sizeof(hd));
			at = sizeof(hd) + ((hd.rec_size + 7) & ~7u);
			memcpy(&e, raw + at, sizeof(e));
			if (e.kind == ST_PERF_ENT_STRING && !e.err && e.len < sizeof(str))
				memcpy(str, raw + at + hd.nent * sizeof(e) + e.off, e.len);
			if (hd.source == sp->source && hd.nent == 1 && hd.data_len == e.len + 1 &&
			    !strcmp(str, "/tmp/staplet-bpf-capture-test"))
				found++;
		}
		pos += h->size;
	}
	munmap(base, (size_t)pg * 9);
out:
	if (ofd >= 0)
		close(ofd);
	if (tfd >= 0)
		close(tfd);
	return found;
}

/* A spec loads: the verifier accepts the program it makes. */
static bool loads(struct st_perf_bpf_spec *sp)
{
	int s, o, p = -1;

	if (st_perf_bpf_maps(sp, 2, &s, &o) == 0) {
		p = st_perf_bpf_load(sp, s, o, vlog, sizeof(vlog));
		if (p < 0)
			fprintf(stderr, "verifier: %.2000s\n", vlog);
		close(s);
		close(o);
	}
	if (p >= 0)
		close(p);
	return p >= 0;
}

int main(void)
{
	/* openat: 16-byte header, dfd, filename at 24, flags, mode: 48 bytes */
	struct st_perf_bpf_spec sp = {.source = 7, .rec_size = 48, .ncap = 1,
				      .cap = {{.field_off = 24, .kind = ST_UCAP_STRING, .len_off = -1}}, .strmax = 512};
	int scratch, out, prog, rc;

	rc = st_perf_bpf_maps(&sp, (int)sysconf(_SC_NPROCESSORS_CONF), &scratch, &out);
	if (rc == -EPERM || geteuid() != 0) {
		printf("SKIP bpf capture: needs root\n");
		return 0;
	}
	CHECK("bpf maps are created", rc == 0);
	if (rc < 0)
		return 1;
	prog = st_perf_bpf_load(&sp, scratch, out, vlog, sizeof(vlog));
	if (prog < 0)
		fprintf(stderr, "verifier: %s\n", vlog);
	CHECK("capture program passes the verifier", prog >= 0);
	{
		struct st_perf_bpf_spec mix = {.source = 1, .rec_size = 64, .ncap = 8, .strmax = 512, .self_tgid = 1,
			.cap = {{16, ST_UCAP_STRING, 0, 0, -1}, {24, ST_UCAP_ARGV, 0, 0, -1}, {32, ST_UCAP_ARGV, 0, 0, -1},
				{40, ST_UCAP_MEM, 16, 0, -1}, {48, ST_UCAP_MEM, 8, -8, -1}, {56, ST_UCAP_STRING, 0, 4, -1},
				{16, ST_UCAP_STRING, 0, 1, -1}, {24, ST_UCAP_MEM, 128, 0, 32}}};

		CHECK("eight copies (strings, two argvs, memory, a sockaddr of a field's length) pass the verifier",
		      loads(&mix));
		mix.strmax = 4096;
		mix.ncap = 3;
		CHECK("MAXSTRINGLEN 4096 with two argvs passes the verifier", loads(&mix));
	}
	if (prog >= 0) {
		CHECK("the captured string is the opened path", capture_openat(prog, out, &sp) >= 1);
		close(prog);
	}
	/* told to ignore this process: nothing of ours comes out */
	sp.self_tgid = (int32_t)getpid();
	prog = st_perf_bpf_load(&sp, scratch, out, vlog, sizeof(vlog));
	CHECK("capture program with a self filter passes the verifier", prog >= 0);
	if (prog >= 0) {
		CHECK("the capture program skips its own process's events", capture_openat(prog, out, &sp) == 0);
		close(prog);
	}
	close(scratch);
	close(out);
	return check_failures != 0;
}
