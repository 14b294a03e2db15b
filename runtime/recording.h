/* recording.h - what a recording carries besides its events, so that
 * `report` can rerun the script later, elsewhere. */
#ifndef ST_RUNTIME_RECORDING_H
#define ST_RUNTIME_RECORDING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct st_recording_info {
	char *script;           /* the script's full text */
	char *script_name;      /* its file name, or "-e" */
	int argc;               /* script arguments ($1 ... $N) */
	char **argv;
	int64_t wall_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC at record start */
	int64_t target_pid;     /* target() during the recording, 0 if none */
	uint64_t lost;          /* events the kernel dropped */
	uint64_t start_ns, end_ns; /* CLOCK_MONOTONIC span of the recording */
	char *host;             /* the recording machine's host name (hostname()), NULL if unknown */
	/* Set by a backend's report_open, never stored in the blob: the file
	 * has only its provisional header, its recorder (pid) having not
	 * finished it (killed, crashed, or still running). */
	bool cut_short;
	int64_t recorder_pid;
};

/* Serialise to / from the self-describing blob stored in both file formats
 * (a perf.data feature section, a trace.dat option).  decode returns 0 or
 * -EINVAL for a malformed blob. */
char *st_recording_encode(const struct st_recording_info *ri, uint32_t *len);
int st_recording_decode(const void *blob, uint32_t len, struct st_recording_info *ri);
void st_recording_info_free(struct st_recording_info *ri);

/* The plan sources a recording lacks, gathered for one error when the
 * report binds its sources: "the recording has no events for: a, b". */
struct st_missing {
	FILE *m;
	char *text;
	size_t len;
	uint32_t n;
};

/* 0, or -ENOMEM. */
int st_missing_open(struct st_missing *ms);
void st_missing_add(struct st_missing *ms, const char *name);
/* 0 when nothing was missing, else -ENOENT with the error in *err. */
int st_missing_close(struct st_missing *ms, char **err);

#endif
