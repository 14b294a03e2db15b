/* perf_bpf.c - emit and load the BPF capture program (see perf_bpf.h).
 *
 * RLIMIT_MEMLOCK: kernels with memcg accounting (5.11+) ignore it for BPF;
 * we never try to raise it, so a fixed limit is not an error.
 *
 * The strings are packed: r9 holds how many string bytes the event used so
 * far, and each copy goes to the string area + r9.  The verifier must see
 * every copy inside the scratch value, so r9 is checked against the area's
 * end before each one; the area is sized so that the checks never cut a
 * copy stap would print (an argv stops after MAXSTRINGLEN bytes of
 * strings: what stap prints of it is full by then).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "plugins/perf/perf_bpf.h"

#include "lowering/bpf_insn.h"
#include "lowering/source.h"

#define JSGE_IMM(d, i, o)   INSN(BPF_JMP | BPF_JSGE | BPF_K, d, 0, o, i)
#define JGE_IMM(d, i, o)    INSN(BPF_JMP | BPF_JGE | BPF_K, d, 0, o, i)
#define SUB64_REG(d, s)     INSN(BPF_ALU64 | BPF_SUB | BPF_X, d, s, 0, 0)

struct layout {
	uint32_t rb;          /* record bytes, 8-aligned */
	uint32_t nent;
	uint32_t ents;        /* offset of the entries */
	uint32_t data;        /* offset of the data part */
	uint32_t fixed;       /* bytes of memory ranges and pointer arrays */
	uint32_t area;        /* bytes for strings */
	uint32_t ent0[ST_PERF_BPF_MAX_CAPS];    /* first entry of each cap */
	uint32_t mem[ST_PERF_BPF_MAX_CAPS];     /* its fixed data, from `data` */
};

static uint32_t strmax(const struct st_perf_bpf_spec *sp)
{
	uint32_t n = sp->strmax ? sp->strmax : 512;

	return n > ST_PERF_BPF_STR_MAX ? ST_PERF_BPF_STR_MAX : n;
}

static void layout(const struct st_perf_bpf_spec *sp, struct layout *l)
{
	uint32_t sm = strmax(sp);

	memset(l, 0, sizeof(*l));
	l->rb = (sp->rec_size + 7) & ~7u;
	for (uint32_t k = 0; k < sp->ncap; k++) {
		const struct st_perf_bpf_cap *c = &sp->cap[k];

		l->ent0[k] = l->nent;
		l->mem[k] = l->fixed;
		switch (c->kind) {
		case ST_UCAP_MEM:
			l->nent++;
			l->fixed += (c->size + 7) & ~7u;
			break;
		case ST_UCAP_ARGV:
			l->nent += 1 + ST_PERF_BPF_ARGV;
			l->fixed += 8 * ST_PERF_BPF_ARGV;
			l->area += 2 * sm;
			break;
		default:
			l->nent++;
			l->area += sm;
		}
	}
	l->ents = (uint32_t)sizeof(struct st_perf_bpf_hdr) + l->rb;
	l->data = l->ents + l->nent * (uint32_t)sizeof(struct st_perf_bpf_ent);
}

size_t st_perf_bpf_out_size(const struct st_perf_bpf_spec *sp)
{
	struct layout l;

	layout(sp, &l);
	return (size_t)l.data + l.fixed + l.area;
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

/* The emitter: instructions, and forward jumps to patch. */
struct em {
	struct bpf_insn *p;
	uint32_t n, max;
	bool full;
};

static uint32_t put(struct em *m, struct bpf_insn i)
{
	if (m->n >= m->max) {
		m->full = true;
		return m->n;
	}
	m->p[m->n] = i;
	return m->n++;
}

/* Point the jump at `at` to the next instruction. */
static void land(struct em *m, uint32_t at)
{
	if (at < m->n)
		m->p[at].off = (int16_t)(m->n - at - 1);
}

#define ENT(l, e, field) ((int16_t)((l)->ents + (e) * sizeof(struct st_perf_bpf_ent) + \
				    offsetof(struct st_perf_bpf_ent, field)))

/* The string at the pointer in r3 into the area at r9: entry e's length,
 * error and offset; r9 moves past it.  Jumps to fail[] when r9 is too far
 * on (only the verifier sees that path). */
static void emit_string(struct em *m, const struct layout *l, uint32_t sm, uint32_t e, uint32_t *fail)
{
	uint32_t j_fault, j_big, j_done;

	*fail = put(m, JGT_IMM(BPF_REG_9, (int32_t)(l->area - sm), 0));
	put(m, MOV64_REG(BPF_REG_1, BPF_REG_7));
	put(m, ADD64_IMM(BPF_REG_1, (int32_t)(l->data + l->fixed)));
	put(m, ADD64_REG(BPF_REG_1, BPF_REG_9));
	put(m, MOV64_IMM(BPF_REG_2, (int32_t)sm));
	put(m, CALL(BPF_FUNC_probe_read_user_str));
	j_fault = put(m, JSLE_IMM(BPF_REG_0, 0, 0));
	j_big = put(m, JGT_IMM(BPF_REG_0, (int32_t)sm, 0));
	put(m, MOV64_REG(BPF_REG_1, BPF_REG_0));
	put(m, ADD64_IMM(BPF_REG_1, -1));
	put(m, STX_W(BPF_REG_7, BPF_REG_1, ENT(l, e, len)));
	put(m, ST_W(BPF_REG_7, ENT(l, e, err), 0));
	put(m, MOV64_REG(BPF_REG_1, BPF_REG_9));
	put(m, ADD64_IMM(BPF_REG_1, (int32_t)l->fixed));
	put(m, STX_W(BPF_REG_7, BPF_REG_1, ENT(l, e, off)));
	put(m, ADD64_REG(BPF_REG_9, BPF_REG_0));
	j_done = put(m, JA(0));
	land(m, j_fault);
	land(m, j_big);
	put(m, ST_W(BPF_REG_7, ENT(l, e, len), 0));
	put(m, STX_W(BPF_REG_7, BPF_REG_0, ENT(l, e, err)));
	put(m, ST_W(BPF_REG_7, ENT(l, e, off), 0));
	land(m, j_done);
}

/* r3 = the pointer field of cap k plus its offset. */
static void emit_pointer(struct em *m, const struct st_perf_bpf_cap *c)
{
	put(m, LDX_DW(BPF_REG_3, BPF_REG_6, (int16_t)c->field_off));
	if (c->off)
		put(m, ADD64_IMM(BPF_REG_3, c->off));
}

static void emit_mem(struct em *m, const struct layout *l, const struct st_perf_bpf_cap *c, uint32_t k)
{
	uint32_t e = l->ent0[k], j;

	emit_pointer(m, c);
	put(m, STX_DW(BPF_REG_7, BPF_REG_3, ENT(l, e, addr)));
	put(m, ST_W(BPF_REG_7, ENT(l, e, kind), ST_PERF_ENT_MEM));
	put(m, ST_W(BPF_REG_7, ENT(l, e, off), (int32_t)l->mem[k]));
	put(m, MOV64_IMM(BPF_REG_8, (int32_t)c->size));
	if (c->len_off >= 0) {
		/* as many bytes as the length field says, at most size */
		put(m, LDX_DW(BPF_REG_2, BPF_REG_6, (int16_t)c->len_off));
		j = put(m, JGT_IMM(BPF_REG_2, (int32_t)c->size, 0));
		put(m, MOV64_REG(BPF_REG_8, BPF_REG_2));
		land(m, j);
	}
	put(m, MOV64_REG(BPF_REG_1, BPF_REG_7));
	put(m, ADD64_IMM(BPF_REG_1, (int32_t)(l->data + l->mem[k])));
	put(m, MOV64_REG(BPF_REG_2, BPF_REG_8));
	put(m, CALL(BPF_FUNC_probe_read_user));
	put(m, STX_W(BPF_REG_7, BPF_REG_0, ENT(l, e, err)));
	put(m, STX_W(BPF_REG_7, BPF_REG_8, ENT(l, e, len)));
	j = put(m, JEQ_IMM(BPF_REG_0, 0, 0));
	put(m, ST_W(BPF_REG_7, ENT(l, e, len), 0));
	land(m, j);
}

/* A NULL-terminated pointer array: its words as a memory entry, each
 * string as an entry of its own, until NULL, a fault, ST_PERF_BPF_ARGV
 * pointers, or MAXSTRINGLEN bytes of strings. */
static void emit_argv(struct em *m, const struct layout *l, const struct st_perf_bpf_cap *c, uint32_t k,
		      uint32_t sm)
{
	uint32_t base = l->ent0[k], done[ST_PERF_BPF_ARGV * 5], nd = 0;

	emit_pointer(m, c);
	put(m, MOV64_REG(BPF_REG_8, BPF_REG_3));
	put(m, STX_DW(BPF_REG_7, BPF_REG_3, ENT(l, base, addr)));
	put(m, ST_W(BPF_REG_7, ENT(l, base, kind), ST_PERF_ENT_MEM));
	put(m, ST_W(BPF_REG_7, ENT(l, base, off), (int32_t)l->mem[k]));
	put(m, ST_W(BPF_REG_7, ENT(l, base, len), 0));
	put(m, ST_W(BPF_REG_7, ENT(l, base, err), 0));
	for (uint32_t i = 0; i < ST_PERF_BPF_ARGV; i++)
		put(m, ST_W(BPF_REG_7, ENT(l, base + 1 + i, kind), ST_PERF_ENT_NONE));
	put(m, STX_DW(BPF_REG_10, BPF_REG_9, -16));           /* the strings' start */
	for (uint32_t i = 0; i < ST_PERF_BPF_ARGV; i++) {
		uint32_t e = base + 1 + i, j;

		/* MAXSTRINGLEN bytes of strings: stap's output is full */
		put(m, LDX_DW(BPF_REG_1, BPF_REG_10, -16));
		put(m, MOV64_REG(BPF_REG_2, BPF_REG_9));
		put(m, SUB64_REG(BPF_REG_2, BPF_REG_1));
		done[nd++] = put(m, JSGE_IMM(BPF_REG_2, (int32_t)sm, 0));
		put(m, MOV64_REG(BPF_REG_1, BPF_REG_10));
		put(m, ADD64_IMM(BPF_REG_1, -8));
		put(m, MOV64_IMM(BPF_REG_2, 8));
		put(m, MOV64_REG(BPF_REG_3, BPF_REG_8));
		put(m, ADD64_IMM(BPF_REG_3, (int32_t)(8 * i)));
		put(m, CALL(BPF_FUNC_probe_read_user));
		j = put(m, JEQ_IMM(BPF_REG_0, 0, 0));
		put(m, STX_W(BPF_REG_7, BPF_REG_0, ENT(l, base, err)));
		done[nd++] = put(m, JA(0));
		land(m, j);
		put(m, LDX_DW(BPF_REG_3, BPF_REG_10, -8));
		put(m, STX_DW(BPF_REG_7, BPF_REG_3, (int16_t)(l->data + l->mem[k] + 8 * i)));
		put(m, ST_W(BPF_REG_7, ENT(l, base, len), (int32_t)(8 * (i + 1))));
		done[nd++] = put(m, JEQ_IMM(BPF_REG_3, 0, 0));
		put(m, STX_DW(BPF_REG_7, BPF_REG_3, ENT(l, e, addr)));
		put(m, ST_W(BPF_REG_7, ENT(l, e, kind), ST_PERF_ENT_STRING));
		emit_string(m, l, sm, e, &done[nd]);
		nd++;
	}
	for (uint32_t i = 0; i < nd; i++)
		land(m, done[i]);
}

int st_perf_bpf_emit(const struct st_perf_bpf_spec *sp, int scratch_fd, int out_fd, void *out, uint32_t max)
{
	struct em m = { .p = out, .max = max };
	uint32_t sm = strmax(sp), skip_at, self_at = 0, fail[ST_PERF_BPF_MAX_CAPS], nfail = 0;
	struct layout l;

	if (sp->ncap > ST_PERF_BPF_MAX_CAPS || sp->rec_size > ST_PERF_BPF_MAX_REC)
		return -E2BIG;
	layout(sp, &l);
	put(&m, MOV64_REG(BPF_REG_6, BPF_REG_1));             /* r6 = ctx (the record) */
	if (sp->self_tgid > 0) {
		put(&m, CALL(BPF_FUNC_get_current_pid_tgid));
		put(&m, RSH64_IMM(BPF_REG_0, 32));
		self_at = put(&m, JEQ_IMM(BPF_REG_0, sp->self_tgid, 0));
	}
	put(&m, ST_W(BPF_REG_10, -4, 0));                     /* key = 0 */
	put(&m, MOV64_REG(BPF_REG_2, BPF_REG_10));
	put(&m, ADD64_IMM(BPF_REG_2, -4));
	put(&m, LD_IMM64_LO(BPF_REG_1, BPF_PSEUDO_MAP_FD, scratch_fd));
	put(&m, LD_IMM64_HI(0));
	put(&m, CALL(BPF_FUNC_map_lookup_elem));
	skip_at = put(&m, JEQ_IMM(BPF_REG_0, 0, 0));          /* patched: to the exit */
	put(&m, MOV64_REG(BPF_REG_7, BPF_REG_0));             /* r7 = scratch */
	put(&m, MOV64_IMM(BPF_REG_9, 0));                     /* r9 = string bytes used */
	put(&m, ST_W(BPF_REG_7, 0, (int32_t)sp->source));
	put(&m, ST_W(BPF_REG_7, 4, (int32_t)sp->rec_size));
	put(&m, ST_W(BPF_REG_7, 8, (int32_t)l.nent));
	/* The record, 8 bytes at a time.  Its first 8 bytes hold the kernel's
	 * regs pointer while BPF runs (common_type/flags/pid are gone): copy
	 * them as zero. */
	for (uint32_t off = 0; off < l.rb; off += 8) {
		put(&m, off ? LDX_DW(BPF_REG_0, BPF_REG_6, (int16_t)off) : MOV64_IMM(BPF_REG_0, 0));
		put(&m, STX_DW(BPF_REG_7, BPF_REG_0, (int16_t)(16 + off)));
	}
	for (uint32_t k = 0; k < sp->ncap; k++) {
		const struct st_perf_bpf_cap *c = &sp->cap[k];
		uint32_t e = l.ent0[k];

		if (c->kind == ST_UCAP_MEM) {
			emit_mem(&m, &l, c, k);
		} else if (c->kind == ST_UCAP_ARGV) {
			emit_argv(&m, &l, c, k, sm);
		} else {
			emit_pointer(&m, c);
			put(&m, STX_DW(BPF_REG_7, BPF_REG_3, ENT(&l, e, addr)));
			put(&m, ST_W(BPF_REG_7, ENT(&l, e, kind), ST_PERF_ENT_STRING));
			emit_string(&m, &l, sm, e, &fail[nfail++]);
		}
	}
	for (uint32_t i = 0; i < nfail; i++)
		land(&m, fail[i]);
	/* header: the data part's length; output exactly what was used */
	put(&m, MOV64_REG(BPF_REG_5, BPF_REG_9));
	put(&m, ADD64_IMM(BPF_REG_5, (int32_t)l.fixed));
	put(&m, STX_W(BPF_REG_7, BPF_REG_5, 12));
	put(&m, ADD64_IMM(BPF_REG_5, (int32_t)l.data));
	put(&m, MOV64_REG(BPF_REG_1, BPF_REG_6));
	put(&m, LD_IMM64_LO(BPF_REG_2, BPF_PSEUDO_MAP_FD, out_fd));
	put(&m, LD_IMM64_HI(0));
	put(&m, LD_IMM64_LO(BPF_REG_3, 0, 0xffffffffu));     /* BPF_F_CURRENT_CPU */
	put(&m, LD_IMM64_HI(0));
	put(&m, MOV64_REG(BPF_REG_4, BPF_REG_7));
	put(&m, CALL(BPF_FUNC_perf_event_output));
	land(&m, skip_at);
	if (sp->self_tgid > 0)
		land(&m, self_at);
	/* Return 1: a program on a tracepoint's perf event that returns 0
	 * silences every perf event on that tracepoint, other tools' included
	 * (a concurrent `perf record` would lose its samples). */
	put(&m, MOV64_IMM(BPF_REG_0, 1));
	put(&m, EXIT());
	return m.full ? -E2BIG : (int)m.n;
}

int st_perf_bpf_load(const struct st_perf_bpf_spec *sp, int scratch_fd, int out_fd, char *log,
		     size_t log_size)
{
	uint32_t max = 512 + sp->ncap * (ST_PERF_BPF_ARGV * 48 + 64) + ST_PERF_BPF_MAX_REC / 4;
	struct bpf_insn *p = calloc(max, sizeof(*p));
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	int fd, n;

	if (!p)
		return -ENOMEM;
	n = st_perf_bpf_emit(sp, scratch_fd, out_fd, p, max);
	if (n < 0) {
		free(p);
		return n;
	}
	if (log && log_size) {
		log[0] = 0;
		opts.log_buf = log;
		opts.log_size = (uint32_t)log_size;
		opts.log_level = 0;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "stap_capture", "GPL", p, (size_t)n, &opts);
	if (fd < 0 && log && log_size) {
		/* Ask again for the verifier's reasons. */
		int e = errno;

		opts.log_level = 1;
		bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "stap_capture", "GPL", p, (size_t)n, &opts);
		errno = e;
	}
	free(p);
	return fd < 0 ? -errno : fd;
}
