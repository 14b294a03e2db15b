/* perf_backend.c - the perf plugin's backend table. */
#include "plugins/perf/perf_backend.h"
#include "plugins/perf/perf_int.h"

const struct st_backend st_perf_backend = {
	.name = "perf stap",
	.default_output = "perf.data",
	.file_magic = "PERFILE2",
	.file_magic_len = 8,
	.captures_user_memory = true,
	.live_open = st_perf_live_open,
	.record_open = st_perf_record_open,
	.record_begin = st_perf_record_begin,
	.record_run = st_perf_record_run,
	.record_finish = st_perf_record_finish,
	.record_abort = st_perf_record_abort,
	.report_open = st_perf_report_open,
	.report_tep = st_perf_report_tep,
	.report_stream = st_perf_report_stream,
	.report_close = st_perf_report_close,
};
