/* recording.h - what a recording carries besides its events, so that
 * `report` can rerun the script later, elsewhere. */
#ifndef ST_RUNTIME_RECORDING_H
#define ST_RUNTIME_RECORDING_H

#include <stdint.h>

struct st_recording_info {
	char *script;           /* the script's full text */
	char *script_name;      /* its file name, or "-e" */
	int argc;               /* script arguments ($1 ... $N) */
	char **argv;
	int64_t wall_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC at record start */
	int64_t target_pid;     /* target() during the recording, 0 if none */
	uint64_t lost;          /* events the kernel dropped */
	uint64_t start_ns, end_ns; /* CLOCK_MONOTONIC span of the recording */
};

/* Serialise to / from the self-describing blob stored in both file formats
 * (a perf.data feature section, a trace.dat option).  decode returns 0 or
 * -EINVAL for a malformed blob. */
char *st_recording_encode(const struct st_recording_info *ri, uint32_t *len);
int st_recording_decode(const void *blob, uint32_t len, struct st_recording_info *ri);
void st_recording_info_free(struct st_recording_info *ri);

#endif
