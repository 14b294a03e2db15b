/* fuzz_tracedat.c - libFuzzer target for the trace.dat reader: the input is
 * written to a temp file, opened with report_open and streamed to EOF.
 *
 * Build and run (from the worktree root, after `make`):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *     $(pkg-config --cflags libtracefs libtraceevent) tests/fuzz/fuzz_tracedat.c \
 *     plugins/trace-cmd/tc_*.c runtime/recording.c runtime/control.c \
 *     $(pkg-config --libs libtracefs libtraceevent) -o build/fuzz_tracedat
 *   mkdir -p build/fuzz-corpus && cp SMALL_RECORDING.dat build/fuzz-corpus/
 *    build/fuzz_tracedat -max_total_time=180 -detect_leaks=0 build/fuzz-corpus
 * (-detect_leaks=0: libtraceevent 1.7 leaks on some malformed formats)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "plugins/trace-cmd/tracecmd_backend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct st_source src[2];
	struct st_recording_info ri;
	struct st_recording *rec;
	struct st_stream *s;
	struct st_event ev;
	char *err = NULL;
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_tracedat.%d", (int)getpid());
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	memset(src, 0, sizeof(src));
	src[0].kind = ST_SRC_TRACEPOINT;
	src[0].name = "syscalls:sys_enter_getppid";
	src[0].system = "syscalls";
	src[0].event = "sys_enter_getppid";
	src[1] = src[0];
	src[1].name = "task:task_rename";
	src[1].system = "task";
	src[1].event = "task_rename";
	src[1].optional = true;
	memset(&ri, 0, sizeof(ri));
	if (st_tracecmd_backend.report_open(path, &ri, &rec, &err) == 0) {
		st_recording_info_free(&ri);
		if (st_tracecmd_backend.report_stream(rec, src, 2, &s, &err) == 0) {
			while (s->ops->next(s, &ev, 0) == 1)
				if (!ev.comm)
					abort();
			s->ops->close(s);
		}
		st_tracecmd_backend.report_close(rec);
	}
	free(err);
	return 0;
}
