/* tc_backend.c - the trace-cmd plugin's st_backend. */
#include "plugins/trace-cmd/tc_internal.h"
#include "plugins/trace-cmd/tracecmd_backend.h"

const struct st_backend st_tracecmd_backend = {
	.name = "trace-cmd stap",
	.default_output = "trace.dat",
	.file_magic = "\x17\x08\x44tracing",
	.file_magic_len = 10,
	.live_open = st_tracecmd_live_open,
	.record_open = st_tracecmd_record_open,
	.record_begin = st_tracecmd_record_begin,
	.record_run = st_tracecmd_record_run,
	.record_finish = st_tracecmd_record_finish,
	.record_abort = st_tracecmd_record_abort,
	.report_open = st_tracecmd_report_open,
	.report_tep = st_tracecmd_report_tep,
	.report_stream = st_tracecmd_report_stream,
	.report_close = st_tracecmd_report_close,
};
