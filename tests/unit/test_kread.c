/* test_kread - the on-demand kernel reader: our own task_struct (its
 * address from the reader, comm and pid offsets from BTF) reads as our
 * prctl name and tid; a kernel text address reads; a NULL or user address
 * is a fault; long reads cross the one-call limit; close and reopen.  Prints
 * the cost of one read. (/proc/kallsyms here lists no data symbols such as
 * linux_banner, so the known object is the calling task.) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#include "lowering/btf.h"
#include "runtime/kread.h"
#include "tests/unit/check.h"

static uint64_t ksym(const char *want)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], name[256], type;
	unsigned long long a;
	uint64_t r = 0;

	while (f && !r && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &a, &type, name) == 3 && !strcmp(name, want))
			r = a;
	if (f)
		fclose(f);
	return r;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static uint32_t member_off(const char *m)
{
	const char *ms[1] = { m };
	uint32_t size, off = 0;
	char msg[256];

	if (st_btf_cast_addr(NULL, "struct task_struct", ms, 1, &size, &off, msg, sizeof(msg)) < 0)
		printf("INFO %s\n", msg);
	return off;
}

int main(void)
{
	uint64_t text = ksym("_text"), t0;
	char name[32] = "", buf[1024], big[6000];
	int64_t task;
	int32_t pid = 0;
	uint32_t comm_off = member_off("comm"), pid_off = member_off("pid");
	ssize_t n;
	int i, reps = 20000;

	prctl(PR_SET_NAME, "kread-test");
	prctl(PR_GET_NAME, name);
	task = st_kread_current_task();
	if (task == -ENOSYS) {
		printf("SKIP kread: %s\n", st_kread_why());
		return 0;
	}
	CHECK("kread current task", (uint64_t)task >= 0xffff800000000000ull);
	CHECK("kread btf offsets", comm_off && pid_off);
	n = st_kread_str((uint64_t)task + comm_off, buf, sizeof(buf));
	CHECK("kread str comm length", n == (ssize_t)strlen(name));
	CHECK_STR("kread str comm", buf, name);
	n = st_kread((uint64_t)task + pid_off, &pid, 4);
	CHECK("kread int pid", n == 4 && pid == gettid());
	n = st_kread_str((uint64_t)task + comm_off, buf, 6);
	CHECK_STR("kread str truncated", n == 5 ? buf : NULL, "kread");
	CHECK("kread NULL faults", st_kread(0, buf, 8) == -EFAULT);
	CHECK("kread str NULL faults", st_kread_str(0, buf, 8) == -EFAULT);
	CHECK("kread user address faults", st_kread((uint64_t)(uintptr_t)name, buf, 8) == -EFAULT);
	if (text) {
		n = st_kread(text, big, sizeof(big));
		CHECK("kread over 4096 bytes of kernel text", n == (ssize_t)sizeof(big));
	}
	t0 = now_ns();
	for (i = 0; i < reps; i++)
		st_kread((uint64_t)task + pid_off, &pid, 4);
	printf("INFO kread: %llu ns per 4-byte read\n", (unsigned long long)((now_ns() - t0) / reps));
	t0 = now_ns();
	for (i = 0; i < reps; i++)
		st_kread_str((uint64_t)task + comm_off, buf, 64);
	printf("INFO kread: %llu ns per string read\n", (unsigned long long)((now_ns() - t0) / reps));
	st_kread_close();
	CHECK("kread reopens after close", st_kread_str((uint64_t)task + comm_off, buf, 6) == 5);
	st_kread_close();
	return check_failures != 0;
}
