/* fuzz_perfdata.c - libFuzzer target for the perf.data reader: any bytes
 * must give a clean error or a stream that runs to EOF, never a crash.
 *
 * Build (from the worktree root, after `make`):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *     $(pkg-config --cflags libtraceevent libtracefs) tests/fuzz/fuzz_perfdata.c \
 *     plugins/perf/perf_{util,attach,live,record,read,backend}.c \
 *     runtime/recording.c runtime/control.c \
 *     $(pkg-config --libs libtracefs libtraceevent) -o build/fuzz_perfdata
 * Run, seeded with a small real recording:
 *   build/fuzz_perfdata -max_total_time=180 corpus-dir/
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdio.h>
#include "plugins/perf/perf_backend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	struct st_source src[3] = {
		{.kind = ST_SRC_TRACEPOINT, .system = "syscalls", .event = "sys_enter_getppid",
		 .name = "syscalls:sys_enter_getppid", .optional = true},
		{.kind = ST_SRC_TRACEPOINT, .system = "syscalls", .event = "sys_exit_getppid",
		 .name = "syscalls:sys_exit_getppid", .optional = true},
		{.kind = ST_SRC_PERF, .name = "perf.sw.cpu_clock", .optional = true},
	};
	struct st_recording_info ri;
	struct st_recording *rec = NULL;
	struct st_stream *s = NULL;
	struct st_event ev;
	char *err = NULL;

	/* One memfd reused for every input; the reader opens it by path. */
	if (fd < 0) {
		fd = memfd_create("fuzz_perfdata", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (st_perf_backend.report_open(path, &ri, &rec, &err) == 0) {
		st_recording_info_free(&ri);
		st_perf_backend.report_tep(rec);
		if (st_perf_backend.report_stream(rec, src, 3, &s, &err) == 0) {
			while (s->ops->next(s, &ev, 0) == 1) {
				volatile const char *c = ev.comm;
				volatile uint8_t b = ev.raw_size ? ((const uint8_t *)ev.raw)[ev.raw_size - 1] : 0;
				(void)c;
				(void)b;
			}
			s->ops->lost(s);
			s->ops->close(s);
		}
		st_perf_backend.report_close(rec);
	}
	free(err);
	return 0;
}
