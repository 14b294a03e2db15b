/* bpf_insn.h - building raw BPF instructions (no clang at run time): the
 * one set of encoders every program staplet emits uses. */
#ifndef ST_LOWERING_BPF_INSN_H
#define ST_LOWERING_BPF_INSN_H

#include <stdint.h>
#include <linux/bpf.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define MOV64_REG(d, s)      INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i)      INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV32_REG(d, s)      INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD64_IMM(d, i)      INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ADD64_REG(d, s)      INSN(BPF_ALU64 | BPF_ADD | BPF_X, d, s, 0, 0)
#define SUB64_REG(d, s)      INSN(BPF_ALU64 | BPF_SUB | BPF_X, d, s, 0, 0)
#define AND64_IMM(d, i)      INSN(BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, i)
#define RSH64_REG(d, s)      INSN(BPF_ALU64 | BPF_RSH | BPF_X, d, s, 0, 0)
#define OR64_REG(d, s)       INSN(BPF_ALU64 | BPF_OR | BPF_X, d, s, 0, 0)
#define MUL64_IMM(d, i)      INSN(BPF_ALU64 | BPF_MUL | BPF_K, d, 0, 0, i)
#define LDX_H(d, s, o)       INSN(BPF_LDX | BPF_MEM | BPF_H, d, s, o, 0)
#define LDX_B(d, s, o)       INSN(BPF_LDX | BPF_MEM | BPF_B, d, s, o, 0)
#define RSH64_IMM(d, i)      INSN(BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, i)
#define LSH64_IMM(d, i)      INSN(BPF_ALU64 | BPF_LSH | BPF_K, d, 0, 0, i)
#define ARSH64_IMM(d, i)     INSN(BPF_ALU64 | BPF_ARSH | BPF_K, d, 0, 0, i)
#define LDX_DW(d, s, o)      INSN(BPF_LDX | BPF_MEM | BPF_DW, d, s, o, 0)
#define LDX_W(d, s, o)       INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define STX_DW(d, s, o)      INSN(BPF_STX | BPF_MEM | BPF_DW, d, s, o, 0)
#define STX_W(d, s, o)       INSN(BPF_STX | BPF_MEM | BPF_W, d, s, o, 0)
#define ST_W(d, o, i)        INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define ST_DW(d, o, i)       INSN(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define JEQ_IMM(d, i, o)     INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JGT_IMM(d, i, o)     INSN(BPF_JMP | BPF_JGT | BPF_K, d, 0, o, i)
#define JSLE_IMM(d, i, o)    INSN(BPF_JMP | BPF_JSLE | BPF_K, d, 0, o, i)
#define JNE_IMM(d, i, o)     INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JNE_REG(d, s, o)     INSN(BPF_JMP | BPF_JNE | BPF_X, d, s, o, 0)
#define JA(o)                INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL(f)              INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()               INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* a 64-bit immediate (or map fd with src BPF_PSEUDO_MAP_FD) takes two slots */
#define LD_IMM64_LO(d, s, i) INSN(BPF_LD | BPF_DW | BPF_IMM, d, s, 0, (int32_t)(i))
#define LD_IMM64_HI(i)       INSN(0, 0, 0, 0, (int32_t)(i))

#endif
