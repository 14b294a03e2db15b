/* bpfagg.c - the tier-2 BPF program (bpfagg.h), raw instructions in the
 * style of plugins/perf/perf_bpf.c. */
#include <string.h>
#include "lowering/bpfagg.h"

#include "lowering/bpf_insn.h"

#define KEY_OFF (-48)        /* key on the stack: fp-48 .. fp-17 (at most 28 bytes) */
#define COMM_OFF (-16)       /* guard comm: fp-16 .. fp-1 */
#define ONE_OFF (-56)        /* the initial value 1 */
#define ID_OFF (-60)         /* the syscall id, the filter's key */

static uint32_t key_bytes(enum st_ink_key k)
{
	return k == ST_INK_K_COMM ? 16 : 4;
}

uint32_t st_bpfagg_key_size(const struct st_inkernel *ink)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < ink->nkeys; i++)
		n += key_bytes(ink->key[i]);
	return n ? n : 4;
}

/* Jumps to the final exit, patched at the end. */
struct fix {
	uint32_t at[16];
	uint32_t n;
};

static void to_exit(struct fix *f, uint32_t at)
{
	if (f->n < 16)
		f->at[f->n++] = at;
}

static uint64_t comm_word(const char *s, int w)
{
	char b[16] = { 0 };
	uint64_t v;

	strncpy(b, s, 15);
	memcpy(&v, b + 8 * w, 8);
	return v;
}

/* Leave unless ids[ctx->id] is nonzero (raw_syscalls: id at offset 8). */
static uint32_t emit_id_filter(int ids_fd, struct fix *fx, struct bpf_insn *p, uint32_t n)
{
	p[n++] = LDX_DW(BPF_REG_2, BPF_REG_1, 8);
	to_exit(fx, n);
	p[n++] = JGT_IMM(BPF_REG_2, ST_BPFAGG_MAX_SYSCALL - 1, 0);
	p[n++] = STX_W(BPF_REG_10, BPF_REG_2, ID_OFF);
	p[n++] = LD_IMM64_LO(BPF_REG_1, BPF_PSEUDO_MAP_FD, ids_fd);
	p[n++] = LD_IMM64_HI(0);
	p[n++] = MOV64_REG(BPF_REG_2, BPF_REG_10);
	p[n++] = ADD64_IMM(BPF_REG_2, ID_OFF);
	p[n++] = CALL(BPF_FUNC_map_lookup_elem);
	to_exit(fx, n);
	p[n++] = JEQ_IMM(BPF_REG_0, 0, 0);
	p[n++] = LDX_W(BPF_REG_1, BPF_REG_0, 0);
	to_exit(fx, n);
	p[n++] = JEQ_IMM(BPF_REG_1, 0, 0);
	return n;
}

uint32_t st_bpfagg_emit(const struct st_inkernel *ink, int map_fd, int ids_fd, int64_t target_pid,
			int32_t self_pid, struct bpf_insn *p)
{
	struct fix fx = { .n = 0 };
	uint32_t n = 0, off, ks = st_bpfagg_key_size(ink), ins1, ins2;

	if (ids_fd >= 0)
		n = emit_id_filter(ids_fd, &fx, p, n);
	/* staplet's own process: its work must not feed its probes */
	if (self_pid > 0) {
		p[n++] = CALL(BPF_FUNC_get_current_pid_tgid);
		p[n++] = RSH64_IMM(BPF_REG_0, 32);
		to_exit(&fx, n);
		p[n++] = JEQ_IMM(BPF_REG_0, self_pid, 0);
	}

	/* guard: leave unless it holds */
	if (ink->guard == ST_INK_G_PID || ink->guard == ST_INK_G_TID || ink->guard == ST_INK_G_CPU) {
		int32_t v = (int32_t)(ink->guard_target ? target_pid : ink->guard_num);

		if (ink->guard == ST_INK_G_CPU) {
			p[n++] = CALL(BPF_FUNC_get_smp_processor_id);
		} else {
			p[n++] = CALL(BPF_FUNC_get_current_pid_tgid);
			if (ink->guard == ST_INK_G_PID)
				p[n++] = RSH64_IMM(BPF_REG_0, 32);
			else
				p[n++] = MOV32_REG(BPF_REG_0, BPF_REG_0);
		}
		to_exit(&fx, n);
		p[n++] = ink->guard_eq ? JNE_IMM(BPF_REG_0, v, 0) : JEQ_IMM(BPF_REG_0, v, 0);
	} else if (ink->guard == ST_INK_G_COMM) {
		uint64_t w0 = comm_word(ink->guard_str, 0), w1 = comm_word(ink->guard_str, 1);
		uint32_t j0, j1;

		/* zeroed first: 6.1's bpf_get_current_comm (strscpy) leaves the
		 * bytes after the NUL as they were, and they are compared */
		p[n++] = ST_DW(BPF_REG_10, COMM_OFF, 0);
		p[n++] = ST_DW(BPF_REG_10, COMM_OFF + 8, 0);
		p[n++] = MOV64_REG(BPF_REG_1, BPF_REG_10);
		p[n++] = ADD64_IMM(BPF_REG_1, COMM_OFF);
		p[n++] = MOV64_IMM(BPF_REG_2, 16);
		p[n++] = CALL(BPF_FUNC_get_current_comm);
		p[n++] = LDX_DW(BPF_REG_1, BPF_REG_10, COMM_OFF);
		p[n++] = LD_IMM64_LO(BPF_REG_2, 0, (uint32_t)w0);
		p[n++] = LD_IMM64_HI((uint32_t)(w0 >> 32));
		j0 = n;
		p[n++] = JNE_REG(BPF_REG_1, BPF_REG_2, 0);
		p[n++] = LDX_DW(BPF_REG_1, BPF_REG_10, COMM_OFF + 8);
		p[n++] = LD_IMM64_LO(BPF_REG_2, 0, (uint32_t)w1);
		p[n++] = LD_IMM64_HI((uint32_t)(w1 >> 32));
		j1 = n;
		p[n++] = JNE_REG(BPF_REG_1, BPF_REG_2, 0);
		if (ink->guard_eq) {
			/* equal: go on; a mismatch leaves */
			to_exit(&fx, j0);
			to_exit(&fx, j1);
		} else {
			/* equal: leave; a mismatch goes on */
			to_exit(&fx, n);
			p[n++] = JA(0);
			p[j0].off = (int16_t)(n - j0 - 1);
			p[j1].off = (int16_t)(n - j1 - 1);
		}
	}
	/* the key, zeroed first for the same reason (and its padding) */
	for (int32_t o = 0; o < 32; o += 8)
		p[n++] = ST_DW(BPF_REG_10, KEY_OFF + o, 0);
	off = 0;
	for (uint32_t i = 0; i < ink->nkeys; i++) {
		switch (ink->key[i]) {
		case ST_INK_K_COMM:
			p[n++] = MOV64_REG(BPF_REG_1, BPF_REG_10);
			p[n++] = ADD64_IMM(BPF_REG_1, KEY_OFF + (int32_t)off);
			p[n++] = MOV64_IMM(BPF_REG_2, 16);
			p[n++] = CALL(BPF_FUNC_get_current_comm);
			break;
		case ST_INK_K_PID:
			p[n++] = CALL(BPF_FUNC_get_current_pid_tgid);
			p[n++] = RSH64_IMM(BPF_REG_0, 32);
			p[n++] = STX_W(BPF_REG_10, BPF_REG_0, (int16_t)(KEY_OFF + (int32_t)off));
			break;
		case ST_INK_K_TID:
			p[n++] = CALL(BPF_FUNC_get_current_pid_tgid);
			p[n++] = STX_W(BPF_REG_10, BPF_REG_0, (int16_t)(KEY_OFF + (int32_t)off));
			break;
		case ST_INK_K_CPU:
			p[n++] = CALL(BPF_FUNC_get_smp_processor_id);
			p[n++] = STX_W(BPF_REG_10, BPF_REG_0, (int16_t)(KEY_OFF + (int32_t)off));
			break;
		}
		off += key_bytes(ink->key[i]);
	}
	(void)ks;
	/* this CPU's count += 1, inserting 1 when absent */
	p[n++] = LD_IMM64_LO(BPF_REG_1, BPF_PSEUDO_MAP_FD, map_fd);
	p[n++] = LD_IMM64_HI(0);
	p[n++] = MOV64_REG(BPF_REG_2, BPF_REG_10);
	p[n++] = ADD64_IMM(BPF_REG_2, KEY_OFF);
	p[n++] = CALL(BPF_FUNC_map_lookup_elem);
	ins1 = n;
	p[n++] = JEQ_IMM(BPF_REG_0, 0, 0);          /* to the insert */
	p[n++] = LDX_DW(BPF_REG_1, BPF_REG_0, 0);
	p[n++] = ADD64_IMM(BPF_REG_1, 1);
	p[n++] = STX_DW(BPF_REG_0, BPF_REG_1, 0);
	to_exit(&fx, n);
	p[n++] = JA(0);
	p[ins1].off = (int16_t)(n - ins1 - 1);
	p[n++] = ST_DW(BPF_REG_10, ONE_OFF, 1);
	p[n++] = LD_IMM64_LO(BPF_REG_1, BPF_PSEUDO_MAP_FD, map_fd);
	p[n++] = LD_IMM64_HI(0);
	p[n++] = MOV64_REG(BPF_REG_2, BPF_REG_10);
	p[n++] = ADD64_IMM(BPF_REG_2, KEY_OFF);
	p[n++] = MOV64_REG(BPF_REG_3, BPF_REG_10);
	p[n++] = ADD64_IMM(BPF_REG_3, ONE_OFF);
	p[n++] = MOV64_IMM(BPF_REG_4, BPF_NOEXIST);
	p[n++] = CALL(BPF_FUNC_map_update_elem);
	to_exit(&fx, n);
	p[n++] = JEQ_IMM(BPF_REG_0, 0, 0);
	/* another program inserted it first (or the map is full): look again */
	p[n++] = LD_IMM64_LO(BPF_REG_1, BPF_PSEUDO_MAP_FD, map_fd);
	p[n++] = LD_IMM64_HI(0);
	p[n++] = MOV64_REG(BPF_REG_2, BPF_REG_10);
	p[n++] = ADD64_IMM(BPF_REG_2, KEY_OFF);
	p[n++] = CALL(BPF_FUNC_map_lookup_elem);
	ins2 = n;
	to_exit(&fx, ins2);
	p[n++] = JEQ_IMM(BPF_REG_0, 0, 0);
	p[n++] = LDX_DW(BPF_REG_1, BPF_REG_0, 0);
	p[n++] = ADD64_IMM(BPF_REG_1, 1);
	p[n++] = STX_DW(BPF_REG_0, BPF_REG_1, 0);
	for (uint32_t i = 0; i < fx.n; i++)
		p[fx.at[i]].off = (int16_t)(n - fx.at[i] - 1);
	/* Return 1: a program on a tracepoint's perf event that returns 0
	 * silences every perf event on that tracepoint, other tools' included. */
	p[n++] = MOV64_IMM(BPF_REG_0, 1);
	p[n++] = EXIT();
	return n;
}
