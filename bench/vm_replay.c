/* vm_replay.c - handler VM throughput on replayed events, no kernel needed.
 *
 * A synthetic stream of N sys_enter_read records (8 process names, 64 fds)
 * runs through the real session loop and this script:
 *     global a, s
 *     probe kernel.trace("syscalls:sys_enter_read") { a[execname(), $fd]++; s <<< $count }
 * Prints events/s and peak RSS; memory must follow distinct keys, not events.
 *
 *   build/bench/vm_replay [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <traceevent/event-parse.h>
#include "frontend/frontend.h"
#include "lowering/families.h"
#include "lowering/plan.h"
#include "runtime/control.h"
#include "runtime/session.h"
#include "tests/unit/fake_catalog.h"

static const char format[] =
	"name: sys_enter_read\nID: 700\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:unsigned int fd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:char * buf;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:size_t count;\toffset:32;\tsize:8;\tsigned:0;\n\n"
	"print fmt: \"fd: 0x%08lx\", ((unsigned long)(REC->fd))\n";

static const char *const comms[] = { "bash", "make", "cc1", "ld", "sshd", "python3", "systemd", "perf" };

struct synth {
	struct st_stream base;
	struct tep_event *fmt;
	uint64_t i, n;
	uint8_t raw[40];
};

static int synth_next(struct st_stream *s, struct st_event *ev, int timeout_ms)
{
	struct synth *y = (struct synth *)s;
	uint64_t fd, count;

	(void)timeout_ms;
	if (y->i >= y->n)
		return ST_STREAM_EOF;
	fd = (y->i * 7) % 64;
	count = (y->i * 13) % 65536;
	memcpy(y->raw + 16, &fd, 8);
	memcpy(y->raw + 32, &count, 8);
	ev->time = 1000000000ull + y->i * 100;
	ev->source = 0;
	ev->cpu = (int)(y->i & 1);
	ev->pid = ev->tid = 1000 + (int)(y->i % 8);
	ev->comm = comms[y->i % 8];
	ev->raw = y->raw;
	ev->raw_size = sizeof(y->raw);
	y->i++;
	return 1;
}

static void synth_close(struct st_stream *s) { (void)s; }

static const struct st_stream_ops synth_ops = { .next = synth_next, .close = synth_close };

int main(int argc, char **argv)
{
	const char *script = "global a, s\n"
			     "probe kernel.trace(\"syscalls:sys_enter_read\") { a[execname(), $fd]++; s <<< $count }\n"
			     "probe end { printf(\"%d keys, %d samples\\n\", 0, @count(s)) }\n";
	struct st_point_resolver res;
	struct st_compile_opts o = { 0 };
	struct st_session_opts so = { 0 };
	struct st_program *prog;
	struct st_plan *plan;
	struct synth y = { 0 };
	struct tep_handle *tep = tep_alloc();
	struct timespec t0, t1;
	struct rusage ru;
	char *err = NULL;
	double secs;

	y.n = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000;
	o.diag = stderr;
	st_resolver_init(&res, &fake_catalog);
	o.resolver = &res;
	prog = st_parse("<bench>", script, &o);
	if (!prog || st_elaborate(prog, &o) < 0 || st_lower(prog, &fake_catalog, &plan, &err) < 0) {
		fprintf(stderr, "compile failed: %s\n", err ? err : "");
		return 1;
	}
	tep_parse_format(tep, &y.fmt, format, sizeof(format) - 1, "syscalls");
	y.base.ops = &synth_ops;
	y.base.fmt = &y.fmt;     /* every record is source 0's */
	y.base.nfmt = 1;
	st_limits_default(&so.limits);
	so.out = stdout;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st_session_run(plan, &y.base, &so);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	getrusage(RUSAGE_SELF, &ru);
	printf("vm replay: %llu events in %.3f s = %.2f M events/s, peak RSS %.1f MB\n",
	       (unsigned long long)y.n, secs, y.n / secs / 1e6, ru.ru_maxrss / 1024.0);
	st_plan_free(plan);
	st_program_free(prog);
	st_resolver_free(&res);
	tep_free(tep);
	return 0;
}
