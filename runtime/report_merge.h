/* report_merge.h - one report over several recordings (`report -i A -i B`).
 *
 * Each recording keeps its own clock (CLOCK_MONOTONIC of the machine that
 * made it) and carries the offset to wall time taken when it started.  The
 * report puts every recording on one clock, the one of the recording with
 * the earliest boot (the smallest wall offset), by adding the difference of
 * the offsets to its event times, and merges the recordings' streams by
 * that time.  Each stream is read lazily (one pending event per
 * recording), so memory does not grow with the number of events.
 */
#ifndef ST_RUNTIME_REPORT_MERGE_H
#define ST_RUNTIME_REPORT_MERGE_H

#include <stdint.h>
#include "runtime/backend.h"

struct st_catalog;

struct st_report_input {
	const char *path;
	const struct st_backend *be;   /* its reader (by the file's first bytes) */
	struct st_recording *rec;
	struct st_recording_info ri;
	int64_t delta_ns;           /* added to its event times: onto the report's clock */
};

struct st_report_set {
	struct st_report_input *in;
	uint32_t n;
	int64_t wall_offset_ns;     /* the report clock's: the smallest of the recordings' */
	uint64_t start_ns, end_ns;  /* the span of all of them on the report clock */
	uint64_t lost;              /* events the recorders dropped, all recordings */
};

/* Open every recording (n >= 1), each with the backend among `readers`
 * (NULL-terminated; NULL: be alone) whose file magic it starts with, else
 * with be.  0, or a negative errno with *err naming the file that failed. */
int st_report_set_open(struct st_report_set *set, const struct st_backend *be,
		       const struct st_backend *const *readers, const char *const *paths, uint32_t n, char **err);
/* The events of every recording, then the live kernel's when tracefs is
 * readable (for the types lowering needs); the caller frees it. */
struct st_catalog *st_report_set_catalog(const struct st_report_set *set);
/* Bind the plan's sources in every recording and merge their streams.  A
 * recording that lacks events is named in *err, one line each ("PATH: the
 * recording has no events for: ...") when there are several. */
int st_report_set_stream(struct st_report_set *set, const struct st_source *src, uint32_t nsrc,
			 struct st_stream **out, char **err);
void st_report_set_close(struct st_report_set *set);

#endif
