/* bytecode.h - the register VM's instruction set.
 *
 * An instruction is 8 bytes: op, aux and three 16-bit operands.  Registers
 * are frame slots (locals first).  Jump targets are absolute instruction
 * indexes in b|c<<16.  Array keys sit in consecutive registers starting at
 * the key operand, as many as the array has key columns.
 */
#ifndef ST_LOWERING_BYTECODE_H
#define ST_LOWERING_BYTECODE_H

#include <stdint.h>

enum st_op {
	ST_OP_NOP,
	ST_OP_MOV,        /* a = b */
	ST_OP_LOADN,      /* a = nums[b|c<<16] */
	ST_OP_LOADS,      /* a = strs[b|c<<16] */
	/* long arithmetic: a = b op c */
	ST_OP_ADD, ST_OP_SUB, ST_OP_MUL, ST_OP_DIV, ST_OP_MOD,
	ST_OP_SHL, ST_OP_SHR, ST_OP_USHR, ST_OP_AND, ST_OP_OR, ST_OP_XOR,
	ST_OP_NEG,        /* a = -b */
	ST_OP_NOT,        /* a = !b */
	ST_OP_BNOT,       /* a = ~b */
	/* comparisons: a = b cmp c; aux = '<' '>' 'l'(<=) 'g'(>=) '=' '!' */
	ST_OP_CMP,        /* longs */
	ST_OP_SCMP,       /* strings */
	ST_OP_CONCAT,     /* a = b . c */
	ST_OP_JMP,        /* goto b|c<<16 */
	ST_OP_JZ,         /* if (!a) goto b|c<<16 */
	ST_OP_JNZ,        /* if (a) goto b|c<<16 */
	ST_OP_TICK,       /* count b statements against MAXACTION */
	/* globals */
	ST_OP_GGET,       /* a = global b (scalar long/string) */
	ST_OP_GSET,       /* global b = a */
	ST_OP_GCLEAR,     /* delete global b (scalar, stats or whole array) */
	ST_OP_MGET,       /* a = array b [keys at c]; absent -> 0 / "" */
	ST_OP_MSET,       /* array b [keys at c] = a */
	ST_OP_MADD,       /* array b [keys at c] += a; a = the new value */
	ST_OP_MHAS,       /* a = ([keys at c] in array b) */
	ST_OP_MDEL,       /* delete array b [keys at c] */
	ST_OP_MDELW,      /* delete array b [keys at c] where key i matters iff aux bit i */
	ST_OP_MHASW,      /* a = any entry of array b matching [keys at c] under mask aux */
	/* statistics: scalar stats use global b with no keys */
	ST_OP_SADD,       /* global b [keys at c] <<< a; aux = 1 if array */
	ST_OP_SGET,       /* a = @op(global b [keys at c]); aux = op | (array << 7) */
	ST_OP_HPRINT,     /* print histogram of global b [keys at c] to output or string register a; aux = array | tostring<<1 */
	ST_OP_HBUCKET,    /* a = bucket (a) of histogram global b [keys at c]; aux = array */
	/* event context */
	ST_OP_FIELD,      /* a = raw field b of the event's source */
	ST_OP_BUILTIN,    /* a = builtins[aux | c<<8](regs from b) */
	ST_OP_CALL,       /* a = call code[c](regs from b) */
	ST_OP_RET,        /* return a */
	ST_OP_RET0,       /* return nothing / end of handler */
	ST_OP_NEXT,       /* leave the handler (or fall to the next overload) */
	ST_OP_FORMAT,     /* fmts[c] applied to regs from b: aux 0 -> output, 1 -> string into a */
	ST_OP_REGEX,      /* a = (b =~ strs[c]); aux 1 for !~ */
	/* foreach: iterator slot a */
	ST_OP_ITER_INIT,  /* slot a = snapshot for foreachs[c]; limit in reg b (b = 0xffff: none) */
	ST_OP_ITER_NEXT,  /* slot a: keys -> regs from foreach key base, value -> ...; see below */
	ST_OP_ITER_END,   /* release slot a */
	/* errors */
	ST_OP_TRY,        /* push handler at b|c<<16, message into register a (0xffff: none) */
	ST_OP_TRY_END,    /* pop the innermost handler */
	ST_OP_LOADST,     /* a = strs[b|c<<16] cut to MAXSTRINGLEN-1: a literal stored in a local */
	/* @entry: values an entry handler saves for its return handler, per
	 * thread and pairing id c, LIFO (runtime/vm_entry.c) */
	ST_OP_EPUSH,      /* push a frame of b values for (tid, c) */
	ST_OP_ESET,       /* value b of the top frame of (tid, c) = a; aux 1: a string */
	ST_OP_EPOP,       /* pop the top frame of (tid, c) into regs a..a+b-1; none: leave the handler */
	ST_OP_BULKMUL,    /* a = a * the bulk event's value (lowering/inkernel.h) */
	ST_OP_COUNT_
};

/* ST_OP_ITER_NEXT is followed by one ST_OP_NOP carrier:
 *   ITER_NEXT a=slot, b|c<<16 = target when exhausted
 *   NOP       a=first key register, b=value register (0xffff: none), c=unused */

#define ST_REG_NONE 0xffff

struct st_insn {
	uint8_t op;
	uint8_t aux;
	uint16_t a, b, c;
};

static inline uint32_t st_insn_target(const struct st_insn *i)
{
	return (uint32_t)i->b | ((uint32_t)i->c << 16);
}

#endif
