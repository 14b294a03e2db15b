/* inkernel.c - mark the sources a live backend may serve in the kernel
 * (tiers 1 and 2, see inkernel.h) by reading the handlers' bytecode.
 *
 * The analysis runs the handler symbolically: every register holds a
 * constant, a context builtin, a global's value, that value plus a
 * constant, a comparison, or "unknown".  Only straight-line code with at
 * most one guard (a jz to the final ret0) and exactly one effect is
 * accepted; anything else (calls, output, other globals' writes, loops,
 * operations that can fail) leaves the source to capture + replay.
 */
#include <stdlib.h>
#include <string.h>
#include "lowering/inkernel.h"
#include "lowering/plan.h"
#include "tapset/builtins.h"

enum sv_kind { SV_UNK, SV_NUM, SV_STR, SV_BI, SV_GLOAD, SV_INC, SV_CMP };

struct atom {
	enum sv_kind kind;       /* SV_NUM, SV_STR, SV_BI or SV_UNK */
	int64_t num;
	const char *str;
	unsigned bi;
};

struct sv {
	enum sv_kind kind;
	int64_t num;
	const char *str;
	unsigned bi;
	uint32_t g;              /* SV_GLOAD / SV_INC: the global */
	uint32_t def;            /* SV_NUM: the loadn; SV_INC: the constant's loadn */
	int cmp_aux;
	struct atom l, r;        /* SV_CMP */
};

/* What one eligible handler does. */
struct effect {
	enum st_ink_tier tier;
	uint32_t global;
	uint32_t cdef;           /* the loadn of the increment */
	uint32_t at;             /* the effect's instruction */
	uint32_t jz;             /* the guard's jz, UINT32_MAX when none */
	struct st_inkernel ink;
};

static struct atom atom_of(const struct sv *v)
{
	struct atom a = { SV_UNK, 0, NULL, 0 };

	if (v->kind == SV_NUM || v->kind == SV_STR || v->kind == SV_BI) {
		a.kind = v->kind;
		a.num = v->num;
		a.str = v->str;
		a.bi = v->bi;
	}
	return a;
}

static bool ctx_builtin(unsigned id)
{
	return id == ST_BI_PID || id == ST_BI_TID || id == ST_BI_CPU || id == ST_BI_EXECNAME ||
	       id == ST_BI_TARGET;
}

static bool key_of(const struct atom *a, struct st_inkernel *ink)
{
	enum st_ink_key k;

	if (a->kind == SV_NUM || a->kind == SV_STR)
		return true;             /* constants: the bulk handler loads them itself */
	if (a->kind != SV_BI)
		return false;
	switch (a->bi) {
	case ST_BI_EXECNAME: k = ST_INK_K_COMM; break;
	case ST_BI_PID: k = ST_INK_K_PID; break;
	case ST_BI_TID: k = ST_INK_K_TID; break;
	case ST_BI_CPU: k = ST_INK_K_CPU; break;
	default: return false;
	}
	if (ink->nkeys >= ST_INK_MAX_KEYS)
		return false;
	ink->key[ink->nkeys++] = k;
	return true;
}

static bool guard_of(const struct sv *c, struct st_inkernel *ink)
{
	const struct atom *b = &c->l, *o = &c->r;

	if (c->kind != SV_CMP || (c->cmp_aux != '=' && c->cmp_aux != '!'))
		return false;
	if (b->kind != SV_BI || b->bi == ST_BI_TARGET) {
		const struct atom *t = b;
		b = o;
		o = t;
	}
	if (b->kind != SV_BI)
		return false;
	ink->guard_eq = c->cmp_aux == '=';
	switch (b->bi) {
	case ST_BI_EXECNAME:
		if (o->kind != SV_STR || strlen(o->str) > 15)
			return false;
		ink->guard = ST_INK_G_COMM;
		ink->guard_str = o->str;
		return true;
	case ST_BI_PID: ink->guard = ST_INK_G_PID; break;
	case ST_BI_TID: ink->guard = ST_INK_G_TID; break;
	case ST_BI_CPU: ink->guard = ST_INK_G_CPU; break;
	default: return false;
	}
	if (o->kind == SV_NUM) {
		/* the kernel compares 32-bit ids */
		if (o->num < 0 || o->num > INT32_MAX)
			return false;
		ink->guard_num = o->num;
		return true;
	}
	if (o->kind == SV_BI && o->bi == ST_BI_TARGET) {
		ink->guard_target = 1;
		return true;
	}
	return false;
}

/* The handler's one effect, or false. */
static bool analyse(const struct st_plan *p, const struct st_code *k, struct effect *ef)
{
	struct sv *R = calloc(k->nregs + 1, sizeof(*R));
	bool ok = true, have = false;
	uint32_t i;

	if (!R)
		abort();
	memset(ef, 0, sizeof(*ef));
	ef->jz = UINT32_MAX;
	for (i = 0; i < k->ninsn && ok; i++) {
		const struct st_insn *in = &k->insn[i];
		uint32_t t = st_insn_target(in);

		if ((in->op != ST_OP_NOP && in->op != ST_OP_TICK && in->op != ST_OP_JZ && in->op != ST_OP_RET0 &&
		     in->a >= k->nregs)) {
			ok = false;
			break;
		}
		switch (in->op) {
		case ST_OP_NOP: case ST_OP_TICK:
			break;
		case ST_OP_LOADN:
			R[in->a] = (struct sv){ .kind = SV_NUM, .num = p->nums[t], .def = i };
			break;
		case ST_OP_LOADS: case ST_OP_LOADST:
			R[in->a] = (struct sv){ .kind = SV_STR, .str = p->strs[t] };
			break;
		case ST_OP_MOV:
			R[in->a] = R[in->b];
			break;
		case ST_OP_BUILTIN: {
			unsigned id = in->aux | (unsigned)in->c << 8;

			if (!ctx_builtin(id))
				ok = false;
			else
				R[in->a] = (struct sv){ .kind = SV_BI, .bi = id };
			break;
		}
		case ST_OP_GGET:
			if (p->globals[in->b].type != ST_T_LONG || p->globals[in->b].is_array)
				ok = false;
			else
				R[in->a] = (struct sv){ .kind = SV_GLOAD, .g = in->b };
			break;
		case ST_OP_ADD: {
			const struct sv *x = &R[in->b], *y = &R[in->c];

			if (x->kind == SV_NUM && y->kind == SV_GLOAD) {
				const struct sv *s = x;
				x = y;
				y = s;
			}
			if (x->kind == SV_GLOAD && y->kind == SV_NUM)
				R[in->a] = (struct sv){ .kind = SV_INC, .g = x->g, .def = y->def };
			else
				R[in->a] = (struct sv){ .kind = SV_UNK };
			break;
		}
		case ST_OP_SUB: case ST_OP_MUL: case ST_OP_AND: case ST_OP_OR: case ST_OP_XOR:
		case ST_OP_NEG: case ST_OP_NOT: case ST_OP_BNOT:
			R[in->a] = (struct sv){ .kind = SV_UNK };
			break;
		case ST_OP_CMP: case ST_OP_SCMP: {
			struct sv c = { .kind = SV_CMP, .cmp_aux = in->aux, .l = atom_of(&R[in->b]), .r = atom_of(&R[in->c]) };

			R[in->a] = c;
			break;
		}
		case ST_OP_JZ:
			/* the guard: before the effect, to the final ret0 */
			if (have || ef->jz != UINT32_MAX || t != k->ninsn - 1 || !guard_of(&R[in->a], &ef->ink))
				ok = false;
			ef->jz = i;
			break;
		case ST_OP_GSET:
			if (have || R[in->a].kind != SV_INC || R[in->a].g != in->b)
				ok = false;
			have = true;
			ef->tier = ST_INK_COUNT;
			ef->global = in->b;
			ef->cdef = R[in->a].def;
			ef->at = i;
			break;
		case ST_OP_MADD: case ST_OP_SADD: {
			const struct st_plan_global *g = &p->globals[in->b];
			bool array = in->op == ST_OP_MADD || (in->aux & 1);

			if (have || R[in->a].kind != SV_NUM || g->wrap || g->is_array != array ||
			    (in->op == ST_OP_MADD && g->type != ST_T_LONG) || (in->op == ST_OP_SADD && g->type != ST_T_STATS)) {
				ok = false;
				break;
			}
			if (array) {
				if (in->c + g->map.nkeys > k->nregs)
					ok = false;
				for (uint32_t j = 0; ok && j < g->map.nkeys; j++) {
					struct atom a = atom_of(&R[in->c + j]);

					ok = key_of(&a, &ef->ink);
				}
				ef->ink.map_entries = g->size ? g->size + 1 : 0;
			}
			have = true;
			ef->tier = array ? ST_INK_BPFAGG : ST_INK_COUNT;
			ef->global = in->b;
			ef->cdef = R[in->a].def;
			ef->at = i;
			R[in->a] = (struct sv){ .kind = SV_UNK };
			break;
		}
		case ST_OP_RET0:
			if (i != k->ninsn - 1)
				ok = false;
			break;
		default:
			ok = false;
		}
	}
	free(R);
	if (!ok || !have)
		return false;
	if (ef->jz != UINT32_MAX)
		ef->tier = ST_INK_BPFAGG;      /* a guard needs the program */
	ef->ink.tier = ef->tier;
	return true;
}

/* Which globals a code touches, into mark (nglobals). */
static void touched(const struct st_plan *p, const struct st_code *k, bool *mark)
{
	for (uint32_t i = 0; i < k->ninsn; i++) {
		const struct st_insn *in = &k->insn[i];

		switch (in->op) {
		case ST_OP_GGET: case ST_OP_GSET: case ST_OP_GCLEAR: case ST_OP_MGET: case ST_OP_MSET:
		case ST_OP_MADD: case ST_OP_MHAS: case ST_OP_MDEL: case ST_OP_MDELW: case ST_OP_MHASW:
		case ST_OP_SADD: case ST_OP_SGET: case ST_OP_HPRINT: case ST_OP_HBUCKET:
			if (in->b < p->nglobals)
				mark[in->b] = true;
			break;
		case ST_OP_ITER_INIT:
			if (in->c < p->nforeachs && p->foreachs[in->c].global < p->nglobals)
				mark[p->foreachs[in->c].global] = true;
			break;
		default:
			break;
		}
	}
}

static void reach(const struct st_plan *p, uint32_t code, bool *seen)
{
	if (code >= p->ncode || seen[code])
		return;
	seen[code] = true;
	for (uint32_t i = 0; i < p->code[code].ninsn; i++)
		if (p->code[code].insn[i].op == ST_OP_CALL)
			reach(p, p->code[code].insn[i].c, seen);
}

static bool runs_at_edges(enum st_source_kind k)
{
	return k == ST_SRC_BEGIN || k == ST_SRC_END || k == ST_SRC_ERROR || k == ST_SRC_NEVER;
}

/* The handler without its guard and with the increment multiplied by the
 * bulk event's value: appended to plan->code, its index. */
static uint32_t bulk_code(struct st_plan *p, uint32_t code, const struct effect *ef)
{
	const struct st_code *k = &p->code[code];
	struct st_code *b;
	uint32_t n = 0;

	p->code = realloc(p->code, sizeof(*p->code) * (p->ncode + 1));
	if (!p->code)
		abort();
	k = &p->code[code];
	b = &p->code[p->ncode];
	*b = *k;
	b->insn = malloc(sizeof(*b->insn) * (k->ninsn + 1));
	b->loc = malloc(sizeof(*b->loc) * (k->ninsn + 1));
	if (!b->insn || !b->loc)
		abort();
	for (uint32_t i = 0; i < k->ninsn; i++) {
		struct st_insn in = k->insn[i];

		if (i == ef->jz)
			in = (struct st_insn){ ST_OP_NOP, 0, 0, 0, 0 };
		if (i == ef->at && in.op == ST_OP_SADD)
			in.aux |= 2;     /* added `value` times */
		b->loc[n] = k->loc[i];
		b->insn[n++] = in;
		if (i == ef->cdef && k->insn[ef->at].op != ST_OP_SADD) {
			b->loc[n] = k->loc[i];
			b->insn[n++] = (struct st_insn){ ST_OP_BULKMUL, 0, in.a, 0, 0 };
		}
	}
	b->ninsn = n;
	return p->ncode++;
}

/* 1: syscalls:sys_enter_*, 2: syscalls:sys_exit_*, 0: another source. */
static int syscall_dir(const struct st_source *src)
{
	if (src->kind != ST_SRC_TRACEPOINT || !src->system || !src->event || strcmp(src->system, "syscalls"))
		return 0;
	if (!strncmp(src->event, "sys_enter_", 10))
		return 1;
	return !strncmp(src->event, "sys_exit_", 9) ? 2 : 0;
}

/* The two handlers do the same: the same instructions with the same
 * constants (eligible handlers are straight-line and call nothing, so this
 * is their whole behaviour). */
static bool same_code(const struct st_plan *p, const struct st_code *a, const struct st_code *b)
{
	if (a->ninsn != b->ninsn || a->nregs != b->nregs)
		return false;
	for (uint32_t k = 0; k < a->ninsn; k++) {
		const struct st_insn *x = &a->insn[k], *y = &b->insn[k];

		if (x->op != y->op || x->aux != y->aux || x->a != y->a)
			return false;
		if (x->op == ST_OP_LOADN) {
			if (p->nums[st_insn_target(x)] != p->nums[st_insn_target(y)])
				return false;
		} else if (x->op == ST_OP_LOADS || x->op == ST_OP_LOADST) {
			if (strcmp(p->strs[st_insn_target(x)], p->strs[st_insn_target(y)]))
				return false;
		} else if (x->b != y->b || x->c != y->c) {
			return false;
		}
	}
	return true;
}

/* Syscall sources of one direction whose probes do the same share one
 * st_inkernel (see inkernel.h): the earlier probe's, or NULL. */
static struct st_inkernel *syscall_twin(struct st_plan *p, const uint32_t *rep, uint32_t nrep, uint32_t i)
{
	int dir = syscall_dir(&p->sources[p->probes[i].source]);

	for (uint32_t r = 0; dir && r < nrep; r++) {
		const struct st_plan_probe *q = &p->probes[rep[r]];

		if (syscall_dir(&p->sources[q->source]) == dir &&
		    same_code(p, &p->code[q->code], &p->code[p->probes[i].code]))
			return (struct st_inkernel *)p->sources[q->source].ink;
	}
	return NULL;
}

void st_inkernel_plan(struct st_plan *p)
{
	struct effect *ef = calloc(p->nprobes + 1, sizeof(*ef));
	bool *cand = calloc(p->nsources + 1, sizeof(bool));
	bool *other = calloc(p->nglobals + 1, sizeof(bool));
	bool *seen = calloc(p->ncode + 1, sizeof(bool));
	uint32_t *nprobe = calloc(p->nsources + 1, sizeof(uint32_t));
	uint32_t *rep = calloc(p->nprobes + 1, sizeof(uint32_t));
	bool changed = true;

	if (!ef || !cand || !other || !seen || !nprobe || !rep)
		abort();
	/* A source is a candidate when every probe on it is eligible; tier 2
	 * serves one probe per source. */
	for (uint32_t s = 0; s < p->nsources; s++)
		cand[s] = (p->sources[s].kind == ST_SRC_TRACEPOINT || p->sources[s].kind == ST_SRC_KPROBE) &&
			  !p->sources[s].ncaptures && !p->sources[s].nbtf;
	for (uint32_t i = 0; i < p->nprobes; i++) {
		uint32_t s = p->probes[i].source;

		nprobe[s]++;
		/* the session filters lifecycle and -c/-x scoped probes per
		 * event (process tree, roles): they need every event */
		if (p->probes[i].task_role || p->probes[i].target_scoped || p->probes[i].task_path)
			cand[s] = false;
		if (cand[s] && !analyse(p, &p->code[p->probes[i].code], &ef[i]))
			cand[s] = false;
	}
	for (uint32_t i = 0; i < p->nprobes; i++) {
		uint32_t s = p->probes[i].source;

		if (cand[s] && ef[i].tier == ST_INK_BPFAGG && nprobe[s] > 1)
			cand[s] = false;
	}
	/* Every global an in-kernel probe counts into must be left alone by
	 * everything that runs while events arrive (and by what it calls). */
	while (changed) {
		changed = false;
		memset(other, 0, sizeof(bool) * (p->nglobals + 1));
		memset(seen, 0, sizeof(bool) * (p->ncode + 1));
		for (uint32_t i = 0; i < p->nprobes; i++) {
			uint32_t s = p->probes[i].source;

			if (!cand[s] && !runs_at_edges(p->sources[s].kind))
				reach(p, p->probes[i].code, seen);
		}
		for (uint32_t c = 0; c < p->ncode; c++)
			if (seen[c])
				touched(p, &p->code[c], other);
		for (uint32_t i = 0; i < p->nprobes; i++) {
			uint32_t s = p->probes[i].source;

			if (cand[s] && other[ef[i].global]) {
				cand[s] = false;
				changed = true;
			}
		}
	}
	for (uint32_t i = 0, nrep = 0; i < p->nprobes; i++) {
		uint32_t s = p->probes[i].source;
		struct st_inkernel *ink;

		if (!cand[s])
			continue;
		if (!p->sources[s].ink && ef[i].tier == ST_INK_BPFAGG && (ink = syscall_twin(p, rep, nrep, i)))
			p->sources[s].ink = ink;
		if (!p->sources[s].ink) {
			ink = (struct st_inkernel *)st_arena_alloc(p->arena, sizeof(*ink));
			*ink = ef[i].ink;
			p->sources[s].ink = ink;
			if (ef[i].tier == ST_INK_BPFAGG && syscall_dir(&p->sources[s]))
				rep[nrep++] = i;
		}
		p->probes[i].bulk_code = bulk_code(p, p->probes[i].code, &ef[i]);
	}
	free(rep);
	free(ef);
	free(cand);
	free(other);
	free(seen);
	free(nprobe);
}

const char *st_inkernel_tier_name(enum st_ink_tier t)
{
	switch (t) {
	case ST_INK_COUNT: return "tier 1: perf counter";
	case ST_INK_BPFAGG: return "tier 2: BPF map aggregation";
	default: return "tier 3: capture + replay";
	}
}
