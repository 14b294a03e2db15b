/* perf_file.h - the perf.data on-disk layout the writer and reader share. */
#ifndef ST_PLUGINS_PERF_FILE_H
#define ST_PLUGINS_PERF_FILE_H

#include <stdint.h>

struct st_perf_section {
	uint64_t offset, size;
};

struct st_perf_file_header {
	char magic[8];                 /* "PERFILE2" */
	uint64_t size;                 /* sizeof this header */
	uint64_t attr_size;            /* attr.size + an ids section */
	struct st_perf_section attrs, data, event_types;
	uint64_t features[4];          /* bitmap; one index entry per set bit */
};

enum {
	ST_PERF_FEAT_TRACING_DATA = 1,
	ST_PERF_FEAT_EVENT_DESC = 12,
	/* Ours: the recording info blob.  perf skips feature bits it does
	 * not know, and upstream numbers features from the bottom. */
	ST_PERF_FEAT_STAPLET = 255,
	/* Ours: raw_syscalls records standing for syscalls:* events
	 * (struct st_perf_sysc_map_ent array, perf_syscalls.h). */
	ST_PERF_FEAT_STAPLET_SYSCALLS = 254,
	/* Ours, in a provisional header only (struct st_perf_partial): the
	 * recording is being written, or its recorder died before finishing.
	 * Such a header says data.size 0 and puts its feature index at
	 * data.offset (perf reads the features and warns the data size is 0);
	 * the events run from st_perf_partial.data_offset to the end of the
	 * file, the last one possibly cut. */
	ST_PERF_FEAT_STAPLET_PARTIAL = 253,
};

struct st_perf_partial {
	uint64_t data_offset;
	int64_t recorder_pid;
};

#endif
