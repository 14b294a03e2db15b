/* bpf_capture.c - the tracepoint-argument capture program (bpf_capture.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "lowering/bpf_capture.h"

#include "lowering/bpf_insn.h"

uint32_t st_bpf_tpargs_layout(const struct st_btf_cap *caps, uint32_t n, uint32_t *off)
{
	uint32_t at = ST_BPF_TPARGS_FIRST;

	for (uint32_t i = 0; i < n; i++) {
		off[i] = at;
		at += caps[i].is_string ? (caps[i].size + 7) & ~7u : 8;
	}
	return at;
}

/* The bytes of user memory between two earlier caps' values (urange). */
static int emit_urange(const struct st_btf_cap *c, const uint32_t *off, uint32_t i, int16_t o, struct bpf_insn *p,
		       uint32_t *k, uint32_t max)
{
	if (!c->urange_start || !c->urange_end || c->urange_start > i || c->urange_end > i || *k + 10 > max)
		return -EINVAL;
	p[(*k)++] = LDX_DW(BPF_REG_3, BPF_REG_7, (int16_t)off[c->urange_start - 1]);
	p[(*k)++] = LDX_DW(BPF_REG_2, BPF_REG_7, (int16_t)off[c->urange_end - 1]);
	p[(*k)++] = SUB64_REG(BPF_REG_2, BPF_REG_3);
	p[(*k)++] = JSLE_IMM(BPF_REG_2, 0, 6);                /* nothing there */
	p[(*k)++] = JGT_IMM(BPF_REG_2, (int32_t)c->size, 1);   /* at most size bytes */
	p[(*k)++] = JA(1);
	p[(*k)++] = MOV64_IMM(BPF_REG_2, (int32_t)c->size);
	p[(*k)++] = MOV64_REG(BPF_REG_1, BPF_REG_7);
	p[(*k)++] = ADD64_IMM(BPF_REG_1, o);
	p[(*k)++] = CALL(BPF_FUNC_probe_read_user);
	return 0;
}

/* raw_syscalls: go on only for the syscall numbers set in the bitmap
 * (an array of u64 words, bit nr % 64 of word nr / 64); the jumps that
 * leave are added to *out for the caller to aim at its exit. */
static int emit_nr_filter(int filter_fd, struct bpf_insn *p, uint32_t *k, uint32_t max, uint32_t *out, uint32_t *nout)
{
	if (*k + 16 > max)
		return -E2BIG;
	p[(*k)++] = LDX_DW(BPF_REG_2, BPF_REG_6, 8);          /* the record's id */
	out[(*nout)++] = *k;
	p[(*k)++] = JGT_IMM(BPF_REG_2, ST_BPF_NR_FILTER_MAX - 1, 0);
	p[(*k)++] = MOV64_REG(BPF_REG_9, BPF_REG_2);
	p[(*k)++] = AND64_IMM(BPF_REG_9, 63);
	p[(*k)++] = RSH64_IMM(BPF_REG_2, 6);
	p[(*k)++] = STX_W(BPF_REG_10, BPF_REG_2, -8);
	p[(*k)++] = MOV64_REG(BPF_REG_2, BPF_REG_10);
	p[(*k)++] = ADD64_IMM(BPF_REG_2, -8);
	p[(*k)++] = LD_IMM64_LO(BPF_REG_1, BPF_PSEUDO_MAP_FD, filter_fd);
	p[(*k)++] = LD_IMM64_HI(0);
	p[(*k)++] = CALL(BPF_FUNC_map_lookup_elem);
	out[(*nout)++] = *k;
	p[(*k)++] = JEQ_IMM(BPF_REG_0, 0, 0);
	p[(*k)++] = LDX_DW(BPF_REG_0, BPF_REG_0, 0);
	p[(*k)++] = RSH64_REG(BPF_REG_0, BPF_REG_9);
	p[(*k)++] = AND64_IMM(BPF_REG_0, 1);
	out[(*nout)++] = *k;
	p[(*k)++] = JEQ_IMM(BPF_REG_0, 0, 0);
	return 0;
}

static int emit(const struct st_btf_cap *caps, uint32_t n, uint16_t type_id, int scratch_fd, int out_fd,
		struct bpf_insn *p, uint32_t max, int ret, int filter_fd)
{
	uint32_t leave[4], nleave = 0;

	uint32_t off[256], rec, k = 0;
	int skip_at;

	if (n > 256)
		return -E2BIG;
	rec = st_bpf_tpargs_layout(caps, n, off);
	if (rec > 32768)
		return -E2BIG;
#define PUT(x) do { if (k >= max) return -E2BIG; p[k++] = (x); } while (0)
	PUT(MOV64_REG(BPF_REG_6, BPF_REG_1));             /* r6 = ctx */
	if (filter_fd >= 0 && emit_nr_filter(filter_fd, p, &k, max, leave, &nleave) < 0)
		return -E2BIG;
	PUT(ST_W(BPF_REG_10, -4, 0));                     /* key = 0 */
	PUT(MOV64_REG(BPF_REG_2, BPF_REG_10));
	PUT(ADD64_IMM(BPF_REG_2, -4));
	PUT(LD_IMM64_LO(BPF_REG_1, BPF_PSEUDO_MAP_FD, scratch_fd));
	PUT(LD_IMM64_HI(0));
	PUT(CALL(BPF_FUNC_map_lookup_elem));
	skip_at = (int)k;
	PUT(JEQ_IMM(BPF_REG_0, 0, 0));                    /* patched: to the exit */
	PUT(MOV64_REG(BPF_REG_7, BPF_REG_0));             /* r7 = the record */
	PUT(CALL(BPF_FUNC_get_current_pid_tgid));
	PUT(STX_W(BPF_REG_7, BPF_REG_0, 4));              /* common_pid = tid */
	PUT(ST_W(BPF_REG_7, 0, type_id));                 /* common_type, flags 0 */
	PUT(ST_DW(BPF_REG_7, 8, 0));                      /* stap_btf_faults */
	PUT(ST_DW(BPF_REG_7, 16, 0));                     /* stap_btf_faddr */
	for (uint32_t i = 0; i < n; i++) {
		const struct st_btf_cap *c = &caps[i];
		int16_t o = (int16_t)off[i];
		uint32_t fj[ST_BTF_MAX_HOPS + 2], nfj = 0, done;

		if (!c->is_string)
			PUT(ST_DW(BPF_REG_7, o, 0));
		if (c->urange) {
			if (emit_urange(c, off, i, o, p, &k, max) < 0)
				return -E2BIG;
			continue;
		}
		switch (c->root) {
		case ST_BTF_ROOT_TASK:
			PUT(CALL(BPF_FUNC_get_current_task));
			PUT(MOV64_REG(BPF_REG_3, BPF_REG_0));
			break;
		case ST_BTF_ROOT_CTX:       /* a tracepoint record field */
			PUT(c->direct && c->size == 1 ? LDX_B(BPF_REG_3, BPF_REG_6, (int16_t)c->arg) :
			    c->direct && c->size == 2 ? LDX_H(BPF_REG_3, BPF_REG_6, (int16_t)c->arg) :
			    c->direct && c->size == 4 ? LDX_W(BPF_REG_3, BPF_REG_6, (int16_t)c->arg) :
			    LDX_DW(BPF_REG_3, BPF_REG_6, (int16_t)c->arg));
			break;
		default:
			PUT(LDX_DW(BPF_REG_3, BPF_REG_6, (int16_t)(8 * c->arg)));   /* ctx->args[arg] */
		}
		if (c->direct) {
			PUT(STX_DW(BPF_REG_7, BPF_REG_3, o));
			continue;
		}
		for (uint32_t h = 0; h <= c->nhops; h++) {
			uint32_t x = c->hop_idx[h];

			PUT(ADD64_IMM(BPF_REG_3, (int32_t)(h < c->nhops ? c->hop[h] : c->off)));
			if (x) {             /* + an index captured earlier in this record */
				if (x > i)
					return -EINVAL;
				PUT(LDX_DW(BPF_REG_4, BPF_REG_7, (int16_t)off[x - 1]));
				PUT(MUL64_IMM(BPF_REG_4, (int32_t)c->hop_stride[h]));
				PUT(ADD64_REG(BPF_REG_3, BPF_REG_4));
			}
			if (h == c->nhops && !c->str_ptr)
				break;
			PUT(MOV64_REG(BPF_REG_8, BPF_REG_3));     /* the address, for a fault */
			PUT(MOV64_REG(BPF_REG_1, BPF_REG_10));
			PUT(ADD64_IMM(BPF_REG_1, -16));
			PUT(MOV64_IMM(BPF_REG_2, 8));
			PUT(CALL(BPF_FUNC_probe_read_kernel));
			fj[nfj++] = k;
			PUT(JNE_IMM(BPF_REG_0, 0, 0));             /* patched: to the fault */
			PUT(LDX_DW(BPF_REG_3, BPF_REG_10, -16));
		}
		if (c->addr) {
			PUT(STX_DW(BPF_REG_7, BPF_REG_3, o));
		} else {
			PUT(MOV64_REG(BPF_REG_8, BPF_REG_3));
			PUT(MOV64_REG(BPF_REG_1, BPF_REG_7));
			PUT(ADD64_IMM(BPF_REG_1, o));
			PUT(MOV64_IMM(BPF_REG_2, (int32_t)(c->bit_size ? c->bit_read : c->size)));
			PUT(CALL(c->is_string ? BPF_FUNC_probe_read_kernel_str : BPF_FUNC_probe_read_kernel));
			fj[nfj++] = k;
			PUT(c->is_string ? JSLE_IMM(BPF_REG_0, 0, 0) : JNE_IMM(BPF_REG_0, 0, 0));
			if (c->bit_size) {
				/* little-endian: the field's bits up to the top, then
				 * down again, sign-extending a signed one */
				PUT(LDX_DW(BPF_REG_1, BPF_REG_7, o));
				PUT(LSH64_IMM(BPF_REG_1, (int32_t)(64 - c->bit_shift - c->bit_size)));
				PUT(c->is_signed ? ARSH64_IMM(BPF_REG_1, (int32_t)(64 - c->bit_size))
						 : RSH64_IMM(BPF_REG_1, (int32_t)(64 - c->bit_size)));
				PUT(STX_DW(BPF_REG_7, BPF_REG_1, o));
			}
		}
		if (!nfj || i >= 64)
			continue;
		/* a read that faulted: its cap's bit in stap_btf_faults, the
		 * address in stap_btf_faddr (the handler raises stap's error) */
		done = k;
		PUT(JA(0));
		for (uint32_t j = 0; j < nfj; j++)
			p[fj[j]].off = (int16_t)(k - fj[j] - 1);
		PUT(LDX_DW(BPF_REG_1, BPF_REG_7, 8));
		PUT(LD_IMM64_LO(BPF_REG_2, 0, (uint32_t)(1ull << i)));
		PUT(LD_IMM64_HI((uint32_t)((1ull << i) >> 32)));
		PUT(OR64_REG(BPF_REG_1, BPF_REG_2));
		PUT(STX_DW(BPF_REG_7, BPF_REG_1, 8));
		PUT(STX_DW(BPF_REG_7, BPF_REG_8, 16));
		p[done].off = (int16_t)(k - done - 1);
	}
	PUT(MOV64_REG(BPF_REG_1, BPF_REG_6));
	PUT(LD_IMM64_LO(BPF_REG_2, BPF_PSEUDO_MAP_FD, out_fd));
	PUT(LD_IMM64_HI(0));
	PUT(LD_IMM64_LO(BPF_REG_3, 0, 0xffffffffu));     /* BPF_F_CURRENT_CPU */
	PUT(LD_IMM64_HI(0));
	PUT(MOV64_REG(BPF_REG_4, BPF_REG_7));
	PUT(MOV64_IMM(BPF_REG_5, (int32_t)rec));
	PUT(CALL(BPF_FUNC_perf_event_output));
	p[skip_at].off = (int16_t)(k - (uint32_t)skip_at - 1);
	for (uint32_t j = 0; j < nleave; j++)
		p[leave[j]].off = (int16_t)(k - leave[j] - 1);
	PUT(MOV64_IMM(BPF_REG_0, ret));
	PUT(EXIT());
#undef PUT
	return (int)k;
}

int st_bpf_tpargs_emit(const struct st_btf_cap *caps, uint32_t n, uint16_t type_id, int scratch_fd,
		       int out_fd, struct bpf_insn *p, uint32_t max)
{
	return emit(caps, n, type_id, scratch_fd, out_fd, p, max, 0, -1);
}

int st_bpf_tpargs_emit_pass(const struct st_btf_cap *caps, uint32_t n, uint16_t type_id, int scratch_fd,
			    int out_fd, struct bpf_insn *p, uint32_t max)
{
	return emit(caps, n, type_id, scratch_fd, out_fd, p, max, 1, -1);
}

int st_bpf_taskctx_emit(const struct st_btf_cap *caps, uint32_t n, uint16_t type_id, int scratch_fd,
			int out_fd, int nr_filter_fd, struct bpf_insn *p, uint32_t max)
{
	return emit(caps, n, type_id, scratch_fd, out_fd, p, max, 1, nr_filter_fd);
}

char *st_bpf_tpargs_format(const char *event, uint16_t type_id, const struct st_btf_cap *caps, uint32_t n)
{
	uint32_t off[256];
	char *text = NULL;
	size_t len = 0;
	FILE *m;

	if (n > 256)
		return NULL;
	st_bpf_tpargs_layout(caps, n, off);
	m = open_memstream(&text, &len);
	if (!m)
		return NULL;
	fprintf(m, "name: %s\nID: %u\nformat:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
		"\tfield:unsigned long stap_btf_faults;\toffset:8;\tsize:8;\tsigned:0;\n"
		"\tfield:unsigned long stap_btf_faddr;\toffset:16;\tsize:8;\tsigned:0;\n", event, type_id);
	for (uint32_t i = 0; i < n; i++) {
		const struct st_btf_cap *c = &caps[i];

		if (c->is_string)
			fprintf(m, "\tfield:char %s[%u];\toffset:%u;\tsize:%u;\tsigned:0;\n", c->field, c->size,
				off[i], c->size);
		else
			fprintf(m, "\tfield:%s %s;\toffset:%u;\tsize:%u;\tsigned:%d;\n",
				c->size == 8 ? "long" : c->size == 4 ? "int" : c->size == 2 ? "short" : "char",
				c->field, off[i], c->size, c->is_signed);
	}
	fprintf(m, "\nprint fmt: \"\"\n");
	fclose(m);
	return text;
}
