/* session.h - one run of a plan: begin probes, events and timers, then end
 * (or error) probes and the automatic print of write-only globals.  The same
 * loop serves live streams and replayed recordings. */
#ifndef ST_RUNTIME_SESSION_H
#define ST_RUNTIME_SESSION_H

#include <stdio.h>
#include "lowering/plan.h"
#include "runtime/stream.h"
#include "runtime/value.h"

struct st_target;

struct st_output;

struct st_session_opts {
	struct st_limits limits;
	FILE *out;                 /* script output */
	struct st_output *output;  /* -o FILE: script output goes here instead (switch_file(), -S) */
	int64_t target_pid;        /* target() */
	int64_t wall_offset_ns;    /* replay: the recording's; live: ignored (measured) */
	uint64_t start_ns;         /* replay: when the recording started (timer origin), 0 = first event */
	bool suppress_errors;      /* --suppress-handler-errors */
	uint64_t end_ns;           /* replay: when the recording ended; timers fire up to it, 0 = last event */
	bool quiet;                /* count errors but print nothing (record's shadow run) */
	bool json;                 /* --format=json: every global as JSON at the end (not the automatic print) */
	const char *host;          /* hostname() outside events: replay, the recording's; NULL: this machine */
	struct st_target *target;  /* -c: released once the probes are armed, polled; NULL: none */
	bool timing;               /* -t: time each handler, report per probe at the end */
};

/* Returns the process exit status: 0, or 1 after run-time errors. */
int st_session_run(const struct st_plan *plan, struct st_stream *stream, const struct st_session_opts *o);

#endif
