/* backend.h - what a plugin gives the shared command line: a way to run
 * live, to record, and to read its own recordings back.
 *
 * The perf plugin implements it with perf_event_open and perf.data, the
 * trace-cmd plugin with a tracefs instance and trace.dat.  Every function that
 * can fail returns 0 or a negative errno and, on failure, sets *err to a
 * malloc'd one-line message (without "ERROR: " and without a newline).
 */
#ifndef ST_RUNTIME_BACKEND_H
#define ST_RUNTIME_BACKEND_H

#include <stdint.h>
#include "lowering/source.h"
#include "runtime/recording.h"
#include "runtime/stream.h"

struct st_target;

struct tep_handle;
struct st_recorder;
struct st_recording;

struct st_backend_opts {
	uint32_t buffer_kb;     /* ring buffer per CPU; 0 = the backend's default */
	int verbose;
	int64_t target_pid;     /* target(): in-kernel guards compare with it */
	uint32_t maxmapentries; /* MAXMAPENTRIES: in-kernel maps hold one more */
	uint32_t maxstringlen;  /* MAXSTRINGLEN: bytes of a string copied at the event */
	struct st_target *target; /* -c: a recording ends when it exits (polled); NULL: none */
};

struct st_record_stats {
	uint64_t events;        /* records written */
	uint64_t lost;          /* records the kernel dropped */
	uint64_t bytes;         /* file size */
};

struct st_backend {
	const char *name;             /* "perf stap", "trace-cmd stap" */
	const char *default_output;   /* "perf.data", "trace.dat" */
	/* How its recordings begin: a report over several recordings picks
	 * each one's reader by it (perf.data and trace.dat mixed). */
	const char *file_magic;
	uint32_t file_magic_len;
	/* Copies the user memory of st_source.captures at the event (else the
	 * handler reads it from the live process, and the CLI says so). */
	bool captures_user_memory;

	/* Live: attach the sources the backend serves (tracepoints, dynamic
	 * probes, perf counters; it ignores begin/end/error/timer) and return a
	 * stream of their events, armed. */
	int (*live_open)(const struct st_source *src, uint32_t nsrc, const struct st_backend_opts *o,
			 struct st_stream **out, char **err);

	/* Record: armed on return.  The file is created under `path` at once
	 * (perf keeps an earlier one as PATH.old), mode 0600. */
	int (*record_open)(const char *path, const struct st_source *src, uint32_t nsrc,
			   const struct st_backend_opts *o, struct st_recorder **out, char **err);
	/* Write a provisional header carrying `ri` before any event: from then
	 * on the file is readable at every moment, a recorder killed mid-run
	 * leaving a recording cut short at its last write (report says so). */
	int (*record_begin)(struct st_recorder *r, const struct st_recording_info *ri, char **err);
	/* Move data from the kernel to the file until st_control_stop_reason()
	 * says stop (the loop also calls st_target_poll()). */
	int (*record_run)(struct st_recorder *r, char **err);
	/* Drain what is left, detach, complete the file and free the recorder. */
	int (*record_finish)(struct st_recorder *r, const struct st_recording_info *ri,
			     struct st_record_stats *stats, char **err);
	/* Detach and free without writing more: the file stays as it was. */
	void (*record_abort)(struct st_recorder *r);

	/* Report: open a recording and read the info it carries. */
	int (*report_open)(const char *path, struct st_recording_info *ri, struct st_recording **out,
			   char **err);
	/* The recording's event formats (for the catalog lowering resolves against). */
	struct tep_handle *(*report_tep)(struct st_recording *rec);
	/* Bind a plan's sources to the recorded events by name and stream them
	 * in time order.  Sources the recording lacks: -ENOENT, and *err names
	 * them ("the recording has no events for: a, b"). */
	int (*report_stream)(struct st_recording *rec, const struct st_source *src, uint32_t nsrc,
			     struct st_stream **out, char **err);
	void (*report_close)(struct st_recording *rec);
};

#endif
