/* perf_bpf.h - the BPF capture program: copies a tracepoint's record and
 * the user memory its handlers read (lowering/source.h, st_ucap), at the
 * event.
 *
 * The program is emitted as raw instructions (no compiler at run time) and
 * loaded with libbpf's bpf_prog_load.  It fills a per-CPU scratch buffer:
 *
 *   struct st_perf_bpf_hdr
 *   the record (rec_size rounded up to 8)
 *   nent struct st_perf_bpf_ent: one per copy (a string, a memory range,
 *       an argv pointer array and one per argv element string)
 *   data_len bytes: the memory ranges and pointer arrays at fixed offsets,
 *       then the strings packed one after the other
 *
 * and sends the used part with bpf_perf_event_output(BPF_F_CURRENT_CPU) to
 * a perf event array of PERF_COUNT_SW_BPF_OUTPUT events.  Events of the
 * process that runs staplet are not sent: its own reads and writes must not
 * feed its probes.  It returns 1, so other perf users of the tracepoint
 * keep their samples.
 */
#ifndef ST_PLUGINS_PERF_BPF_H
#define ST_PLUGINS_PERF_BPF_H

#include <stddef.h>
#include <stdint.h>

#define ST_PERF_BPF_MAX_CAPS 8
#define ST_PERF_BPF_MAX_REC 512      /* records longer than this are not captured */
#define ST_PERF_BPF_STR_MAX 4096     /* longest string copied, NUL included */
#define ST_PERF_BPF_MEM_MAX 256      /* longest memory range copied */
#define ST_PERF_BPF_ARGV 32          /* pointers of one argv followed */
#define ST_PERF_BPF_MAX_ENTS (ST_PERF_BPF_MAX_CAPS * (ST_PERF_BPF_ARGV + 1))

struct st_perf_bpf_hdr {
	uint32_t source;                 /* plan index */
	uint32_t rec_size;
	uint32_t nent;
	uint32_t data_len;
};

/* kind */
enum { ST_PERF_ENT_NONE, ST_PERF_ENT_STRING, ST_PERF_ENT_MEM };

struct st_perf_bpf_ent {
	uint64_t addr;
	uint32_t len;                    /* string: bytes without the NUL; memory: bytes copied */
	int32_t err;                     /* 0, or the failed read's -errno (memory: of the byte after len) */
	uint32_t off;                    /* in the data part */
	uint32_t kind;
};

struct st_perf_bpf_cap {
	uint16_t field_off;              /* the 8-byte pointer field in the record */
	uint8_t kind;                    /* enum st_ucap_kind */
	uint32_t size;                   /* ST_UCAP_MEM: bytes (at most) */
	int32_t off;                     /* added to the pointer */
	int32_t len_off;                 /* ST_UCAP_MEM: the 8-byte field with the
					  * byte count (capped at size), or -1 */
};

struct st_perf_bpf_spec {
	uint32_t source;
	uint32_t rec_size;               /* the tracepoint's record size */
	uint32_t ncap;
	struct st_perf_bpf_cap cap[ST_PERF_BPF_MAX_CAPS];
	uint32_t strmax;                 /* bytes per string, NUL included (MAXSTRINGLEN) */
	int32_t self_tgid;               /* this process: its events are not sent (0: none) */
};

/* Bytes the program may output for a spec (the scratch value size). */
size_t st_perf_bpf_out_size(const struct st_perf_bpf_spec *sp);

/* The two maps: a 1-entry per-CPU scratch array and a perf event array
 * with ncpu slots.  0 or -errno; fds are -1 on failure. */
int st_perf_bpf_maps(const struct st_perf_bpf_spec *sp, int ncpu, int *scratch_fd, int *out_fd);

/* Emit the program into p[max]: the instruction count, or -E2BIG. */
int st_perf_bpf_emit(const struct st_perf_bpf_spec *sp, int scratch_fd, int out_fd, void *p, uint32_t max);

/* Load the capture program; its fd, or -errno with the verifier's log
 * in log (when given). */
int st_perf_bpf_load(const struct st_perf_bpf_spec *sp, int scratch_fd, int out_fd, char *log,
		     size_t log_size);

#endif
