/* perf_bpf.h - the BPF capture program: copies a tracepoint's record and
 * the user strings its handlers read, at the event.
 *
 * The program is emitted as raw instructions (no compiler at run time) and
 * loaded with libbpf's bpf_prog_load.  It fills a per-CPU scratch buffer:
 *
 *   struct st_perf_bpf_hdr, the record (rec_size rounded up to 8), then per
 *   capture struct st_perf_bpf_cap (address, length or -errno, bytes)
 *
 * and sends it with bpf_perf_event_output(BPF_F_CURRENT_CPU) to a perf
 * event array of PERF_COUNT_SW_BPF_OUTPUT events.  It returns 0, so the
 * tracepoint's own perf sample is not produced: the output replaces it.
 */
#ifndef ST_PLUGINS_PERF_BPF_H
#define ST_PLUGINS_PERF_BPF_H

#include <stddef.h>
#include <stdint.h>

#define ST_PERF_BPF_MAX_CAPS 4
#define ST_PERF_BPF_STR 256          /* bytes per captured string, NUL included */
#define ST_PERF_BPF_MAX_REC 512      /* records longer than this are not captured */

struct st_perf_bpf_hdr {
	uint32_t source;                 /* plan index */
	uint32_t rec_size;
	uint32_t ncap;
	uint32_t pad;
};

struct st_perf_bpf_cap {
	uint64_t addr;
	int32_t len;                     /* bytes with the NUL, or -errno */
	uint32_t pad;
	char str[ST_PERF_BPF_STR];
};

struct st_perf_bpf_spec {
	uint32_t source;
	uint32_t rec_size;               /* the tracepoint's record size */
	uint32_t ncap;
	uint16_t cap_off[ST_PERF_BPF_MAX_CAPS];   /* offsets of 8-byte pointer fields */
};

/* Bytes the program outputs for a spec (the scratch value size). */
size_t st_perf_bpf_out_size(const struct st_perf_bpf_spec *sp);

/* The two maps: a 1-entry per-CPU scratch array and a perf event array
 * with ncpu slots.  0 or -errno; fds are -1 on failure. */
int st_perf_bpf_maps(const struct st_perf_bpf_spec *sp, int ncpu, int *scratch_fd, int *out_fd);

/* Load the capture program; its fd, or -errno with the verifier's log
 * in log (when given). */
int st_perf_bpf_load(const struct st_perf_bpf_spec *sp, int scratch_fd, int out_fd, char *log,
		     size_t log_size);

#endif
