/* perf_bpf.c - emit and load the BPF capture program (see perf_bpf.h).
 *
 * RLIMIT_MEMLOCK: kernels with memcg accounting (5.11+) ignore it for BPF;
 * we never try to raise it, so a fixed limit is not an error.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "plugins/perf/perf_bpf.h"

#include "lowering/bpf_insn.h"

static uint32_t rec_bytes(const struct st_perf_bpf_spec *sp)
{
	return (sp->rec_size + 7) & ~7u;
}

size_t st_perf_bpf_out_size(const struct st_perf_bpf_spec *sp)
{
	return sizeof(struct st_perf_bpf_hdr) + rec_bytes(sp) + sp->ncap * sizeof(struct st_perf_bpf_cap);
}

int st_perf_bpf_maps(const struct st_perf_bpf_spec *sp, int ncpu, int *scratch_fd, int *out_fd)
{
	int e;

	*scratch_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "stap_scratch", 4,
				     (uint32_t)st_perf_bpf_out_size(sp), 1, NULL);
	if (*scratch_fd < 0)
		return *scratch_fd = -1, -errno;
	*out_fd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "stap_out", 4, 4, (uint32_t)ncpu, NULL);
	if (*out_fd < 0) {
		e = errno;
		close(*scratch_fd);
		*scratch_fd = *out_fd = -1;
		return -e;
	}
	return 0;
}

int st_perf_bpf_load(const struct st_perf_bpf_spec *sp, int scratch_fd, int out_fd, char *log,
		     size_t log_size)
{
	struct bpf_insn p[64 + 8 * ST_PERF_BPF_MAX_REC / 8];
	uint32_t rb = rec_bytes(sp), n = 0, caps_at, out_size = (uint32_t)st_perf_bpf_out_size(sp);
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	int fd, skip_at;

	if (sp->ncap > ST_PERF_BPF_MAX_CAPS || sp->rec_size > ST_PERF_BPF_MAX_REC)
		return -E2BIG;
	p[n++] = MOV64_REG(BPF_REG_6, BPF_REG_1);             /* r6 = ctx (the record) */
	p[n++] = ST_W(BPF_REG_10, -4, 0);                     /* key = 0 */
	p[n++] = MOV64_REG(BPF_REG_2, BPF_REG_10);
	p[n++] = ADD64_IMM(BPF_REG_2, -4);
	p[n++] = LD_IMM64_LO(BPF_REG_1, BPF_PSEUDO_MAP_FD, scratch_fd);
	p[n++] = LD_IMM64_HI(0);
	p[n++] = CALL(BPF_FUNC_map_lookup_elem);
	skip_at = (int)n;
	p[n++] = JEQ_IMM(BPF_REG_0, 0, 0);                    /* patched: to the exit */
	p[n++] = MOV64_REG(BPF_REG_7, BPF_REG_0);             /* r7 = scratch */
	p[n++] = ST_W(BPF_REG_7, 0, (int32_t)sp->source);
	p[n++] = ST_W(BPF_REG_7, 4, (int32_t)sp->rec_size);
	p[n++] = ST_W(BPF_REG_7, 8, (int32_t)sp->ncap);
	p[n++] = ST_W(BPF_REG_7, 12, 0);
	/* The record, 8 bytes at a time.  Its first 8 bytes hold the kernel's
	 * regs pointer while BPF runs (common_type/flags/pid are gone): copy
	 * them as zero. */
	for (uint32_t off = 0; off < rb; off += 8) {
		if (off == 0) {
			p[n++] = MOV64_IMM(BPF_REG_0, 0);
		} else {
			p[n++] = LDX_DW(BPF_REG_0, BPF_REG_6, (int16_t)off);
		}
		p[n++] = STX_DW(BPF_REG_7, BPF_REG_0, (int16_t)(16 + off));
	}
	caps_at = 16 + rb;
	for (uint32_t k = 0; k < sp->ncap; k++) {
		int16_t c = (int16_t)(caps_at + k * sizeof(struct st_perf_bpf_cap));

		p[n++] = LDX_DW(BPF_REG_3, BPF_REG_6, (int16_t)sp->cap_off[k]);   /* user pointer */
		p[n++] = STX_DW(BPF_REG_7, BPF_REG_3, c);
		p[n++] = MOV64_REG(BPF_REG_1, BPF_REG_7);
		p[n++] = ADD64_IMM(BPF_REG_1, c + 16);
		p[n++] = MOV64_IMM(BPF_REG_2, ST_PERF_BPF_STR);
		p[n++] = CALL(BPF_FUNC_probe_read_user_str);
		p[n++] = STX_W(BPF_REG_7, BPF_REG_0, (int16_t)(c + 8));
	}
	p[n++] = MOV64_REG(BPF_REG_1, BPF_REG_6);
	p[n++] = LD_IMM64_LO(BPF_REG_2, BPF_PSEUDO_MAP_FD, out_fd);
	p[n++] = LD_IMM64_HI(0);
	p[n++] = LD_IMM64_LO(BPF_REG_3, 0, 0xffffffffu);     /* BPF_F_CURRENT_CPU */
	p[n++] = LD_IMM64_HI(0);
	p[n++] = MOV64_REG(BPF_REG_4, BPF_REG_7);
	p[n++] = MOV64_IMM(BPF_REG_5, (int32_t)out_size);
	p[n++] = CALL(BPF_FUNC_perf_event_output);
	p[skip_at].off = (int16_t)(n - (uint32_t)skip_at - 1);
	/* Return 1: a program on a tracepoint's perf event that returns 0
	 * silences every perf event on that tracepoint, other tools' included
	 * (a concurrent `perf record` would lose its samples). */
	p[n++] = MOV64_IMM(BPF_REG_0, 1);
	p[n++] = EXIT();
	if (log && log_size) {
		log[0] = 0;
		opts.log_buf = log;
		opts.log_size = (uint32_t)log_size;
		opts.log_level = 0;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "stap_capture", "GPL", p, n, &opts);
	if (fd < 0 && log && log_size) {
		/* Ask again for the verifier's reasons. */
		int e = errno;

		opts.log_level = 1;
		bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "stap_capture", "GPL", p, n, &opts);
		errno = e;
	}
	return fd < 0 ? -errno : fd;
}
