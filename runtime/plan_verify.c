/* plan_verify.c - the indexes of a plan read from a file, checked before
 * the session runs it.
 *
 * The VM trusts lowering's bytecode: registers, pool indexes and jump
 * targets are used as they come.  A plan from a file may be damaged or
 * forged, so every operand that indexes something is checked here against
 * what it indexes: registers against the frame, constants, globals, code,
 * formats, foreachs, iterator slots and builtins against their tables,
 * jumps against the code, and the register runs that calls, formats,
 * builtins and array keys read.  What is not checked is the type a
 * register holds (a long read as a string): lowering's typing is not
 * repeated here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "frontend/format.h"
#include "lowering/bytecode.h"
#include "runtime/plan_file.h"
#include "tapset/builtins.h"

struct ver {
	const struct st_plan *p;
	const struct st_code *k;
	uint32_t pc;
	uint32_t max_fields;         /* FIELD: the fewest fields of the sources running this code */
	char *msg;
	size_t size;
	bool bad;
};

static void fail(struct ver *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct ver *v, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (v->bad)
		return;
	v->bad = true;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (v->k)
		snprintf(v->msg, v->size, "code %s, instruction %u: %s", v->k->name ? v->k->name : "?", v->pc, what);
	else
		snprintf(v->msg, v->size, "%s", what);
}

/* registers r .. r+n-1 lie in the frame */
static void regs(struct ver *v, uint32_t r, uint32_t n)
{
	if ((uint64_t)r + n > v->k->nregs)
		fail(v, "register %u (+%u) outside a frame of %u", r, n, v->k->nregs);
}

static void reg(struct ver *v, uint32_t r)
{
	regs(v, r, 1);
}

static void reg_or_none(struct ver *v, uint32_t r)
{
	if (r != ST_REG_NONE)
		reg(v, r);
}

static void index_in(struct ver *v, uint32_t i, uint32_t n, const char *what)
{
	if (i >= n)
		fail(v, "%s %u of %u", what, i, n);
}

static void target(struct ver *v, const struct st_insn *in)
{
	index_in(v, st_insn_target(in), v->k->ninsn, "jump target");
}

/* an array op: global b with its keys from register c */
static void keyed(struct ver *v, const struct st_insn *in, bool array)
{
	const struct st_plan_global *g;

	index_in(v, in->b, v->p->nglobals, "global");
	if (v->bad)
		return;
	g = &v->p->globals[in->b];
	if (array != g->is_array)
		fail(v, "global %s used as %s", g->name, array ? "an array" : "a scalar");
	else if (array)
		regs(v, in->c, g->map.nkeys);
}

static void stats_op(struct ver *v, const struct st_insn *in, bool array)
{
	keyed(v, in, array);
	if (!v->bad && v->p->globals[in->b].type != ST_T_STATS)
		fail(v, "global %s is not statistics", v->p->globals[in->b].name);
}

static void check_insn(struct ver *v, const struct st_insn *in)
{
	switch ((enum st_op)in->op) {
	case ST_OP_NOP: case ST_OP_RET0: case ST_OP_NEXT: case ST_OP_TRY_END: break;
	case ST_OP_MOV: case ST_OP_NEG: case ST_OP_NOT: case ST_OP_BNOT: reg(v, in->a); reg(v, in->b); break;
	case ST_OP_BULKMUL: case ST_OP_RET: reg(v, in->a); break;
	case ST_OP_LOADN: reg(v, in->a); index_in(v, st_insn_target(in), v->p->nnums, "number"); break;
	case ST_OP_LOADS: case ST_OP_LOADST: reg(v, in->a); index_in(v, st_insn_target(in), v->p->nstrs, "string"); break;
	case ST_OP_ADD: case ST_OP_SUB: case ST_OP_MUL: case ST_OP_DIV: case ST_OP_MOD: case ST_OP_SHL:
	case ST_OP_SHR: case ST_OP_USHR: case ST_OP_AND: case ST_OP_OR: case ST_OP_XOR: case ST_OP_CMP:
	case ST_OP_SCMP: case ST_OP_CONCAT:
		reg(v, in->a); reg(v, in->b); reg(v, in->c);
		break;
	case ST_OP_JMP: target(v, in); break;
	case ST_OP_JZ: case ST_OP_JNZ: reg(v, in->a); target(v, in); break;
	case ST_OP_TICK: break;
	case ST_OP_GGET: case ST_OP_GSET: reg(v, in->a); keyed(v, in, false); break;
	case ST_OP_GCLEAR: index_in(v, in->b, v->p->nglobals, "global"); break;
	case ST_OP_MGET: case ST_OP_MSET: case ST_OP_MADD: case ST_OP_MHAS: case ST_OP_MHASW:
		reg(v, in->a); keyed(v, in, true);
		break;
	case ST_OP_MDEL: case ST_OP_MDELW: keyed(v, in, true); break;
	case ST_OP_SGET: reg(v, in->a); stats_op(v, in, in->aux >> 7); break;
	case ST_OP_SADD: case ST_OP_HBUCKET: reg(v, in->a); stats_op(v, in, in->aux & 1); break;
	case ST_OP_HPRINT: reg(v, in->a); stats_op(v, in, in->aux & 1); break;
	case ST_OP_FIELD:
		reg(v, in->a);
		index_in(v, in->b, v->max_fields, "field");
		break;
	case ST_OP_BUILTIN: {
		uint32_t id = in->aux | (uint32_t)in->c << 8;

		reg(v, in->a);
		index_in(v, id, ST_BI_COUNT, "builtin");
		if (!v->bad && st_builtins[id].nargs > 0)
			regs(v, in->b, (uint32_t)st_builtins[id].nargs);
		break;
	}
	case ST_OP_CALL:
		reg(v, in->a);
		index_in(v, in->c, v->p->ncode, "function");
		if (!v->bad && v->p->code[in->c].nparams)
			regs(v, in->b, v->p->code[in->c].nparams);
		break;
	case ST_OP_FORMAT:
		index_in(v, in->c, v->p->nfmts, "format");
		if (!v->bad && v->p->fmts[in->c]->nargs)
			regs(v, in->b, v->p->fmts[in->c]->nargs);
		if (in->aux)
			reg(v, in->a);
		break;
	case ST_OP_REGEX: reg(v, in->a); reg(v, in->b); index_in(v, in->c, v->p->nstrs, "regex"); break;
	case ST_OP_ITER_INIT:
		index_in(v, in->a, v->k->niters, "iterator");
		index_in(v, in->c, v->p->nforeachs, "foreach");
		reg_or_none(v, in->b);
		index_in(v, v->pc + 1, v->k->ninsn, "foreach carrier");
		break;
	case ST_OP_ITER_NEXT: {
		const struct st_insn *carrier = in + 1;

		index_in(v, in->a, v->k->niters, "iterator");
		target(v, in);
		index_in(v, v->pc + 2, v->k->ninsn + 1, "foreach carrier");
		if (v->bad)
			break;
		if (carrier->op != ST_OP_NOP)
			fail(v, "foreach without its carrier");
		reg(v, carrier->a);
		reg_or_none(v, carrier->b);
		break;
	}
	case ST_OP_ITER_END: index_in(v, in->a, v->k->niters, "iterator"); break;
	case ST_OP_TRY: reg_or_none(v, in->a); target(v, in); break;
	case ST_OP_EPUSH: break;
	case ST_OP_ESET: reg(v, in->a); break;
	case ST_OP_EPOP: regs(v, in->a, in->b); break;
	case ST_OP_COUNT_:
	default:
		fail(v, "unknown operation %u", in->op);
	}
}

/* the key registers a foreach fills: as many as its array has keys */
static void check_foreach_keys(struct ver *v, const struct st_insn *in)
{
	const struct st_insn *carrier = in + 1;
	uint32_t i;

	/* the ITER_INIT of the same slot names the foreach */
	for (i = 0; i < v->k->ninsn; i++) {
		const struct st_insn *init = &v->k->insn[i];

		if (init->op == ST_OP_ITER_INIT && init->a == in->a) {
			const struct st_plan_foreach *fe = &v->p->foreachs[init->c];

			regs(v, carrier->a, v->p->globals[fe->global].map.nkeys);
			return;
		}
	}
	fail(v, "foreach slot %u is never started", in->a);
}

static void check_code(struct ver *v, const struct st_code *k, uint32_t max_fields)
{
	const struct st_insn *last;

	v->k = k;
	v->max_fields = max_fields;
	if (k->nregs > 0xffff || k->nparams > 0xffff || k->niters > 0xffff || k->ntries > 0xffff)
		fail(v, "bad frame (%u registers, %u parameters)", k->nregs, k->nparams);
	for (uint32_t i = 0; i < k->nstr_locals && !v->bad; i++)
		reg(v, k->str_locals[i]);
	if (k->ninsn == 0)
		fail(v, "no instructions");
	for (v->pc = 0; v->pc < k->ninsn && !v->bad; v->pc++)
		check_insn(v, &k->insn[v->pc]);
	for (v->pc = 0; v->pc < k->ninsn && !v->bad; v->pc++)
		if (k->insn[v->pc].op == ST_OP_ITER_NEXT)
			check_foreach_keys(v, &k->insn[v->pc]);
	if (v->bad)
		return;
	/* the VM steps on after every other instruction: never off the end */
	last = &k->insn[k->ninsn - 1];
	if (last->op != ST_OP_RET && last->op != ST_OP_RET0 && last->op != ST_OP_NEXT && last->op != ST_OP_JMP)
		fail(v, "the code runs off its end");
}

/* The fewest record fields among the sources whose probes run code c
 * (handler or bulk code); functions may run under any: the fewest of all. */
static uint32_t fields_for(const struct st_plan *p, uint32_t c)
{
	uint32_t n = UINT32_MAX, all = UINT32_MAX;

	for (uint32_t i = 0; i < p->nprobes; i++) {
		uint32_t nf = p->sources[p->probes[i].source].nfields;

		if (p->probes[i].code == c || (p->probes[i].bulk_code == c && c))
			n = nf < n ? nf : n;
	}
	for (uint32_t i = 0; i < p->nsources; i++)
		all = p->sources[i].nfields < all ? p->sources[i].nfields : all;
	return n != UINT32_MAX ? n : all == UINT32_MAX ? 0 : all;
}

static void check_tables(struct ver *v)
{
	const struct st_plan *p = v->p;

	for (uint32_t i = 0; i < p->nprobes && !v->bad; i++) {
		const struct st_plan_probe *pr = &p->probes[i];

		if (pr->source >= p->nsources || pr->code >= p->ncode || pr->bulk_code >= p->ncode ||
		    pr->task_role > ST_TASK_THREAD_END)
			fail(v, "probe %u: source, code or role out of range", i);
	}
	for (uint32_t i = 0; i < p->nsources && !v->bad; i++) {
		const struct st_source *s = &p->sources[i];

		if (s->ctx_of > p->nsources || s->ctx_src > p->nsources || s->ctx_syscalls > 2)
			fail(v, "source %s: companion out of range", s->name);
		for (uint32_t j = 0; j < s->nbtf && !v->bad; j++)
			for (uint32_t h = 0; h <= ST_BTF_MAX_HOPS; h++)
				if (s->btf[j].hop_idx[h] > j || (s->btf[j].urange && (s->btf[j].urange_start > j ||
										 s->btf[j].urange_end > j)))
					fail(v, "source %s: capture %u names a later capture", s->name, j);
	}
	for (uint32_t i = 0; i < p->nforeachs && !v->bad; i++) {
		const struct st_plan_foreach *f = &p->foreachs[i];

		if (f->global >= p->nglobals || !p->globals[f->global].is_array || f->nkeys > ST_MAP_MAXKEYS ||
		    f->sort_column < -1 || f->sort_column > (int)p->globals[f->global].map.nkeys || f->sort_dir < -1 ||
		    f->sort_dir > 1 || f->sort_agg > ST_AGG_VARIANCE)
			fail(v, "foreach %u: bad array or sort", i);
	}
}

int st_plan_verify(const struct st_plan *plan, char *msg, size_t size)
{
	struct ver v = { .p = plan, .msg = msg, .size = size };

	check_tables(&v);
	for (uint32_t c = 0; c < plan->ncode && !v.bad; c++)
		check_code(&v, &plan->code[c], fields_for(plan, c));
	return v.bad ? -EINVAL : 0;
}
