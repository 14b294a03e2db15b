/* bpf_capture.c - the tracepoint-argument capture program (bpf_capture.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "lowering/bpf_capture.h"

#include "lowering/bpf_insn.h"

uint32_t st_bpf_tpargs_layout(const struct st_btf_cap *caps, uint32_t n, uint32_t *off)
{
	uint32_t at = 8;

	for (uint32_t i = 0; i < n; i++) {
		off[i] = at;
		at += caps[i].is_string ? (caps[i].size + 7) & ~7u : 8;
	}
	return at;
}

int st_bpf_tpargs_emit(const struct st_btf_cap *caps, uint32_t n, uint16_t type_id, int scratch_fd,
		       int out_fd, struct bpf_insn *p, uint32_t max)
{
	uint32_t off[256], rec, k = 0;
	int skip_at;

	if (n > 256)
		return -E2BIG;
	rec = st_bpf_tpargs_layout(caps, n, off);
	if (rec > 32768)
		return -E2BIG;
#define PUT(x) do { if (k >= max) return -E2BIG; p[k++] = (x); } while (0)
	PUT(MOV64_REG(BPF_REG_6, BPF_REG_1));             /* r6 = ctx */
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
	for (uint32_t i = 0; i < n; i++) {
		const struct st_btf_cap *c = &caps[i];
		int16_t o = (int16_t)off[i];

		if (!c->is_string)
			PUT(ST_DW(BPF_REG_7, o, 0));
		PUT(LDX_DW(BPF_REG_3, BPF_REG_6, (int16_t)(8 * c->arg)));   /* ctx->args[arg] */
		if (c->direct) {
			PUT(STX_DW(BPF_REG_7, BPF_REG_3, o));
			continue;
		}
		for (uint32_t h = 0; h < c->nhops; h++) {
			PUT(ADD64_IMM(BPF_REG_3, (int32_t)c->hop[h]));
			PUT(MOV64_REG(BPF_REG_1, BPF_REG_10));
			PUT(ADD64_IMM(BPF_REG_1, -16));
			PUT(MOV64_IMM(BPF_REG_2, 8));
			PUT(CALL(BPF_FUNC_probe_read_kernel));
			PUT(LDX_DW(BPF_REG_3, BPF_REG_10, -16));
		}
		PUT(ADD64_IMM(BPF_REG_3, (int32_t)c->off));
		PUT(MOV64_REG(BPF_REG_1, BPF_REG_7));
		PUT(ADD64_IMM(BPF_REG_1, o));
		PUT(MOV64_IMM(BPF_REG_2, (int32_t)(c->bit_size ? c->bit_read : c->size)));
		PUT(CALL(c->is_string ? BPF_FUNC_probe_read_kernel_str : BPF_FUNC_probe_read_kernel));
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
	PUT(MOV64_REG(BPF_REG_1, BPF_REG_6));
	PUT(LD_IMM64_LO(BPF_REG_2, BPF_PSEUDO_MAP_FD, out_fd));
	PUT(LD_IMM64_HI(0));
	PUT(LD_IMM64_LO(BPF_REG_3, 0, 0xffffffffu));     /* BPF_F_CURRENT_CPU */
	PUT(LD_IMM64_HI(0));
	PUT(MOV64_REG(BPF_REG_4, BPF_REG_7));
	PUT(MOV64_IMM(BPF_REG_5, (int32_t)rec));
	PUT(CALL(BPF_FUNC_perf_event_output));
	p[skip_at].off = (int16_t)(k - (uint32_t)skip_at - 1);
	PUT(MOV64_IMM(BPF_REG_0, 0));
	PUT(EXIT());
#undef PUT
	return (int)k;
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
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n", event, type_id);
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
