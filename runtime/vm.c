/* vm.c - the register VM.
 *
 * One C call per script-level call (depth bounded by MAXNESTING).  A frame's
 * registers come from one growing stack; strings in registers point into the
 * handler arena, the constant pool, or an event, never into an array entry
 * (array and global string reads copy), so deleting while iterating is safe.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>
#include "runtime/kread.h"
#include "runtime/map.h"
#include "runtime/output.h"
#include "runtime/vm.h"
#include "runtime/vm_internal.h"
#include "tapset/builtins.h"

struct iter {
	struct st_map_entry **ent;
	uint32_t n, pos;
	const struct st_plan_foreach *fe;
};

struct trylink {
	uint32_t handler;
	uint16_t reg;
};

/* ---- errors ---- */

enum st_vm_status st_vm_raise(struct st_vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->errmsg, sizeof(vm->errmsg), fmt, ap);
	va_end(ap);
	return ST_VM_ERROR;
}

void st_vm_report_error(struct st_vm *vm, FILE *err)
{
	const struct st_insn_loc *l = vm->errloc;

	st_vm_flush(vm);
	if (vm->err_noloc)
		l = NULL;
	if (l && l->file && l->near)
		fprintf(err, "ERROR: %s near %s at %s:%u:%u\n", vm->errmsg, l->near, l->file, l->line, l->col);
	else if (l && l->file)
		fprintf(err, "ERROR: %s at %s:%u:%u\n", vm->errmsg, l->file, l->line, l->col);
	else
		fprintf(err, "ERROR: %s\n", vm->errmsg);
}

/* ---- strings ---- */

const char *st_vm_str(struct st_vm *vm, const char *s, size_t n)
{
	return st_arena_strndup(&vm->arena, s, n, vm->limits.maxstringlen - 1);
}

/* ---- setup ---- */

int st_vm_init(struct st_vm *vm, const struct st_plan *plan, const struct st_limits *limits, FILE *out)
{
	uint32_t i;

	memset(vm, 0, sizeof(*vm));
	vm->plan = plan;
	vm->limits = *limits;
	vm->outf = out;
	st_buf_init(&vm->out);
	st_arena_init(&vm->arena, 1 << 16);
	vm->stack_cap = 1 << 16;
	vm->stack = calloc(vm->stack_cap, sizeof(*vm->stack));
	vm->globals = calloc(plan->nglobals ? plan->nglobals : 1, sizeof(*vm->globals));
	vm->fields = calloc(plan->nsources ? plan->nsources : 1, sizeof(*vm->fields));
	vm->regex = calloc(plan->nstrs ? plan->nstrs : 1, sizeof(*vm->regex));
	if (!vm->stack || !vm->globals || !vm->fields || !vm->regex)
		return -ENOMEM;
	for (i = 0; i < plan->nglobals; i++) {
		const struct st_plan_global *g = &plan->globals[i];
		struct st_gslot *s = &vm->globals[i];

		if (g->is_array) {
			s->map = st_map_new(&g->map, g->size, g->wrap, &vm->limits);
			if (!s->map)
				return -ENOMEM;
		} else if (g->type == ST_T_STATS) {
			st_stat_init(&s->stat, &g->shape);
		} else if (g->type == ST_T_STRING) {
			s->sbuf = strdup(g->has_init ? g->init.s : "");
			s->v.s = s->sbuf;
		} else {
			s->v.n = g->has_init ? g->init.n : 0;
		}
	}
	return 0;
}

void st_vm_free(struct st_vm *vm)
{
	uint32_t i;

	if (!vm->plan)
		return;
	st_vm_flush(vm);
	for (i = 0; i < vm->plan->nglobals; i++) {
		struct st_gslot *s = &vm->globals[i];

		if (s->map)
			st_map_free(s->map);
		else if (vm->plan->globals[i].type == ST_T_STATS)
			st_stat_free(&s->stat);
		free(s->sbuf);
	}
	for (i = 0; i < vm->plan->nsources; i++)
		free(vm->fields[i]);
	for (i = 0; i < vm->plan->nstrs; i++)
		if (vm->regex[i]) {
			regfree(vm->regex[i]);
			free(vm->regex[i]);
		}
	free(vm->regex);
	free(vm->fields);
	free(vm->globals);
	free(vm->stack);
	free(vm->tok_buf);
	st_vm_entry_free(vm);
	st_vm_kstr_free(vm);
	st_kread_close();     /* the reader program and map, if a read loaded them */
	st_buf_free(&vm->out);
	st_arena_free(&vm->arena);
	memset(vm, 0, sizeof(*vm));
}

void st_vm_bind_source(struct st_vm *vm, uint32_t source, struct tep_event *fmt)
{
	const struct st_source *src = &vm->plan->sources[source];
	struct st_field_acc *acc;
	uint32_t i;

	free(vm->fields[source]);
	acc = calloc(src->nfields ? src->nfields : 1, sizeof(*acc));
	if (!acc)
		abort();
	for (i = 0; i < src->nfields && fmt; i++) {
		struct tep_format_field *f = tep_find_field(fmt, src->fields[i]);

		if (!f)
			continue;
		acc[i].present = true;
		acc[i].offset = (uint16_t)f->offset;
		acc[i].size = (uint16_t)f->size;
		acc[i].is_signed = (f->flags & TEP_FIELD_IS_SIGNED) != 0;
		acc[i].is_dataloc = (f->flags & TEP_FIELD_IS_DYNAMIC) != 0;
		acc[i].is_string = (f->flags & TEP_FIELD_IS_STRING) != 0 ||
				   ((f->flags & TEP_FIELD_IS_ARRAY) && strstr(f->type, "char"));
	}
	vm->fields[source] = acc;
}

void st_vm_flush(struct st_vm *vm)
{
	if (vm->out.len && vm->output) {
		st_output_write(vm->output, vm->out.p, vm->out.len);
	} else if (vm->out.len && vm->outf) {
		fwrite(vm->out.p, 1, vm->out.len, vm->outf);
		fflush(vm->outf);
	}
	st_buf_reset(&vm->out);
}

/* ---- fields ---- */

static void field_read(struct st_vm *vm, uint32_t idx, st_value *dst, bool want_string)
{
	const struct st_event *ev = vm->ev;
	const struct st_field_acc *a;
	const uint8_t *raw;

	if (want_string)
		dst->s = "";
	else
		dst->n = 0;
	if (!ev || !ev->raw || !vm->fields[ev->source])
		return;
	a = &vm->fields[ev->source][idx];
	raw = ev->raw;
	if (!a->present || (uint32_t)a->offset + a->size > ev->raw_size)
		return;
	if (a->is_dataloc) {
		uint32_t dl, off, len;

		memcpy(&dl, raw + a->offset, 4);
		off = dl & 0xffff;
		len = dl >> 16;
		if (off + len > ev->raw_size)
			return;
		if (want_string)
			dst->s = st_vm_str(vm, (const char *)raw + off, strnlen((const char *)raw + off, len));
		else
			dst->n = (int64_t)(uintptr_t)(raw + off);
		return;
	}
	if (a->is_string) {
		if (want_string)
			dst->s = st_vm_str(vm, (const char *)raw + a->offset,
					   strnlen((const char *)raw + a->offset, a->size));
		return;
	}
	switch (a->size) {
	case 1: dst->n = a->is_signed ? (int64_t)*(const int8_t *)(raw + a->offset) : (int64_t)raw[a->offset]; break;
	case 2: { uint16_t v; memcpy(&v, raw + a->offset, 2); dst->n = a->is_signed ? (int64_t)(int16_t)v : (int64_t)v; break; }
	case 4: { uint32_t v; memcpy(&v, raw + a->offset, 4); dst->n = a->is_signed ? (int64_t)(int32_t)v : (int64_t)v; break; }
	case 8: { uint64_t v; memcpy(&v, raw + a->offset, 8); dst->n = (int64_t)v; break; }
	default: break;
	}
}

/* ---- globals ---- */

static const char *overflow_msg(struct st_vm *vm, uint32_t g)
{
	const struct st_plan_global *pg = &vm->plan->globals[g];

	if (pg->size)
		return st_vm_raise(vm, "Array overflow, check size limit (%u)", pg->size), vm->errmsg;
	return st_vm_raise(vm, "Array overflow, check MAXMAPENTRIES"), vm->errmsg;
}

static void gslot_set_string(struct st_gslot *s, const char *v)
{
	char *copy = strdup(v);

	if (!copy)
		abort();
	free(s->sbuf);
	s->sbuf = copy;
	s->v.s = copy;
}

static void global_clear(struct st_vm *vm, uint32_t g)
{
	const struct st_plan_global *pg = &vm->plan->globals[g];
	struct st_gslot *s = &vm->globals[g];

	if (s->map)
		st_map_clear(s->map);
	else if (pg->type == ST_T_STATS)
		st_stat_reset(&s->stat, &pg->shape);
	else if (pg->type == ST_T_STRING)
		gslot_set_string(s, "");
	else
		s->v.n = 0;
}

static struct st_stat *stat_of(struct st_vm *vm, uint32_t g, bool array, const st_value *keys, bool create,
			       enum st_vm_status *st)
{
	struct st_map_entry *e;

	if (!array)
		return &vm->globals[g].stat;
	e = create ? st_map_get_on(vm->globals[g].map, keys, vm->ev ? vm->ev->cpu : 0)
		   : st_map_find(vm->globals[g].map, keys);
	if (!e && create) {
		overflow_msg(vm, g);
		*st = ST_VM_ERROR;
	}
	return e ? &e->val.stat : NULL;
}

static const struct st_stat_shape *shape_of(struct st_vm *vm, uint32_t g)
{
	const struct st_plan_global *pg = &vm->plan->globals[g];

	return pg->is_array ? &pg->map.shape : &pg->shape;
}

/* ---- regex ---- */

static int regex_match(struct st_vm *vm, uint32_t k, const char *subject, int64_t *out)
{
	int r;

	if (!vm->regex[k]) {
		regex_t *re = malloc(sizeof(*re));

		if (!re)
			abort();
		if (regcomp(re, vm->plan->strs[k], REG_EXTENDED) != 0) {
			free(re);
			st_vm_raise(vm, "invalid regular expression");
			return -1;
		}
		vm->regex[k] = re;
	}
	r = regexec(vm->regex[k], subject, 10, vm->match, 0);
	*out = r == 0;
	if (r == 0) {
		vm->match_subject = subject;
		vm->match_n = (uint32_t)vm->regex[k]->re_nsub + 1;
	} else {
		vm->match_n = 0;
	}
	return 0;
}

/* ---- the interpreter ---- */

static enum st_vm_status exec(struct st_vm *vm, uint32_t code_index, st_value *args, uint32_t nargs, st_value *ret);

static enum st_vm_status format_op(struct st_vm *vm, const struct st_insn *in, st_value *R)
{
	const struct st_fmt *f = vm->plan->fmts[in->c];

	if (in->aux == 0)
		return st_buf_format(&vm->out, f, &R[in->b], NULL, NULL) < 0 ?
			       st_vm_raise(vm, "cannot read memory for %%m") : ST_VM_OK;
	{
		struct st_buf b;
		int r;

		st_buf_init(&b);
		r = st_buf_format(&b, f, &R[in->b], NULL, NULL);
		R[in->a].s = st_vm_str(vm, b.p ? b.p : "", b.len);
		st_buf_free(&b);
		return r < 0 ? st_vm_raise(vm, "cannot read memory for %%m") : ST_VM_OK;
	}
}

static enum st_vm_status iter_init(struct st_vm *vm, struct iter *it, const struct st_insn *in, const st_value *R)
{
	const struct st_plan_foreach *fe = &vm->plan->foreachs[in->c];
	const struct st_insn *carrier = in + 1;
	int64_t limit = in->b == ST_REG_NONE ? -1 : R[in->b].n;
	struct st_map *m = vm->globals[fe->global].map;
	int column = fe->sort_column < 0 ? 0 : fe->sort_column;

	free(it->ent);
	it->ent = NULL;
	it->fe = fe;
	it->pos = 0;
	if (limit < -1)
		limit = 0;
	it->n = st_map_sorted(m, column, fe->sort_column < 0 ? 0 : fe->sort_dir, fe->sort_agg, limit,
			      fe->filter_mask ? &R[carrier->a] : NULL, fe->filter_mask, &it->ent);
	return ST_VM_OK;
}

static void iter_value(struct st_vm *vm, const struct st_plan_foreach *fe, struct st_map_entry *e, st_value *dst)
{
	const struct st_plan_global *g = &vm->plan->globals[fe->global];

	if (g->type == ST_T_STRING)
		dst->s = st_vm_str(vm, e->val.s, strlen(e->val.s));
	else if (g->type == ST_T_STATS)
		st_stat_get_element(&e->val.stat, &g->map.shape, fe->sort_agg, &dst->n);
	else
		dst->n = e->val.n;
}

static void copy_key(struct st_vm *vm, const struct st_map_type *t, const struct st_map_entry *e, st_value *dst)
{
	uint32_t k;

	for (k = 0; k < t->nkeys; k++)
		dst[k] = t->key[k] == ST_T_STRING ? (st_value){ .s = st_vm_str(vm, e->key[k].s, strlen(e->key[k].s)) }
						   : e->key[k];
}

static bool key_matches(const struct st_map_type *t, const struct st_map_entry *e, const st_value *keys, uint32_t mask)
{
	uint32_t k;

	for (k = 0; k < t->nkeys; k++) {
		if (!(mask & (1u << k)))
			continue;
		if (t->key[k] == ST_T_STRING ? strcmp(e->key[k].s, keys[k].s) != 0 : e->key[k].n != keys[k].n)
			return false;
	}
	return true;
}

#define TARGET(in) st_insn_target(in)

static enum st_vm_status exec(struct st_vm *vm, uint32_t code_index, st_value *args, uint32_t nargs, st_value *ret)
{
	const struct st_code *k = &vm->plan->code[code_index];
	const struct st_insn *base = k->insn, *in = base;
	struct iter *iters = NULL;
	struct trylink tries[16];
	uint32_t ntry = 0, i;
	enum st_vm_status st = ST_VM_OK;
	size_t frame = vm->stack_top;
	st_value *R;

	if (vm->depth >= vm->limits.maxnesting + 1)
		return st_vm_raise(vm, "MAXNESTING exceeded");
	if (frame + k->nregs > vm->stack_cap) {
		/* growing would move live frames: refuse instead */
		return st_vm_raise(vm, "MAXNESTING exceeded");
	}
	R = vm->stack + frame;
	/* an unset local reads as 0 or "": st_value.s is never NULL */
	memset(R, 0, sizeof(*R) * k->nregs);
	for (i = 0; i < k->nstr_locals; i++)
		R[k->str_locals[i]].s = "";
	for (i = 0; i < nargs && i < k->nregs; i++)
		R[i] = args[i];
	vm->stack_top += k->nregs;
	vm->depth++;
	if (k->niters) {
		iters = calloc(k->niters, sizeof(*iters));
		if (!iters)
			abort();
	}

	for (;;) {
		switch ((enum st_op)in->op) {
		case ST_OP_NOP:
			break;
		case ST_OP_MOV:
			R[in->a] = R[in->b];
			break;
		case ST_OP_BULKMUL:
			R[in->a].n = (int64_t)((uint64_t)R[in->a].n * (vm->ev ? vm->ev->value : 1));
			break;
		case ST_OP_LOADN:
			R[in->a].n = vm->plan->nums[TARGET(in)];
			break;
		case ST_OP_LOADS:
			R[in->a].s = vm->plan->strs[TARGET(in)];
			break;
		case ST_OP_LOADST: {
			const char *c = vm->plan->strs[TARGET(in)];

			R[in->a].s = strnlen(c, vm->limits.maxstringlen) < vm->limits.maxstringlen ? c
				     : st_vm_str(vm, c, vm->limits.maxstringlen);
			break;
		}
		case ST_OP_ADD: R[in->a].n = (int64_t)((uint64_t)R[in->b].n + (uint64_t)R[in->c].n); break;
		case ST_OP_SUB: R[in->a].n = (int64_t)((uint64_t)R[in->b].n - (uint64_t)R[in->c].n); break;
		case ST_OP_MUL: R[in->a].n = (int64_t)((uint64_t)R[in->b].n * (uint64_t)R[in->c].n); break;
		case ST_OP_DIV:
		case ST_OP_MOD: {
			int64_t x = R[in->b].n, y = R[in->c].n;

			if (y == 0) {
				st = st_vm_raise(vm, "division by 0");
				goto error;
			}
			if (y == -1)   /* INT64_MIN / -1 wraps as stap's generated C does */
				R[in->a].n = in->op == ST_OP_DIV ? (int64_t)(0 - (uint64_t)x) : 0;
			else
				R[in->a].n = in->op == ST_OP_DIV ? x / y : x % y;
			break;
		}
		case ST_OP_SHL: R[in->a].n = (int64_t)((uint64_t)R[in->b].n << (R[in->c].n & 63)); break;
		case ST_OP_SHR: R[in->a].n = R[in->b].n >> (R[in->c].n & 63); break;
		case ST_OP_USHR: R[in->a].n = (int64_t)((uint64_t)R[in->b].n >> (R[in->c].n & 63)); break;
		case ST_OP_AND: R[in->a].n = R[in->b].n & R[in->c].n; break;
		case ST_OP_OR: R[in->a].n = R[in->b].n | R[in->c].n; break;
		case ST_OP_XOR: R[in->a].n = R[in->b].n ^ R[in->c].n; break;
		case ST_OP_NEG: R[in->a].n = (int64_t)(0 - (uint64_t)R[in->b].n); break;
		case ST_OP_NOT: R[in->a].n = !R[in->b].n; break;
		case ST_OP_BNOT: R[in->a].n = ~R[in->b].n; break;
		case ST_OP_CMP:
		case ST_OP_SCMP: {
			int64_t c = in->op == ST_OP_CMP ? (R[in->b].n > R[in->c].n) - (R[in->b].n < R[in->c].n)
							 : strcmp(R[in->b].s, R[in->c].s);
			int64_t v = 0;

			switch (in->aux) {
			case '<': v = c < 0; break;
			case '>': v = c > 0; break;
			case 'l': v = c <= 0; break;
			case 'g': v = c >= 0; break;
			case '=': v = c == 0; break;
			case '!': v = c != 0; break;
			}
			R[in->a].n = v;
			break;
		}
		case ST_OP_CONCAT: {
			size_t la = strlen(R[in->b].s), lb = strlen(R[in->c].s), max = vm->limits.maxstringlen - 1;
			char *s;

			if (la > max)
				la = max;
			if (la + lb > max)
				lb = max - la;
			s = st_arena_alloc(&vm->arena, la + lb + 1);
			memcpy(s, R[in->b].s, la);
			memcpy(s + la, R[in->c].s, lb);
			s[la + lb] = 0;
			R[in->a].s = s;
			break;
		}
		case ST_OP_JMP:
			in = base + TARGET(in);
			continue;
		case ST_OP_JZ:
			if (!R[in->a].n) {
				in = base + TARGET(in);
				continue;
			}
			break;
		case ST_OP_JNZ:
			if (R[in->a].n) {
				in = base + TARGET(in);
				continue;
			}
			break;
		case ST_OP_TICK:
			/* aux 0: subtract, fail at <= 0; aux 1: a loop-free
			 * body's entry check, nothing subtracted */
			if (in->aux ? vm->actions_left < (int64_t)TARGET(in)
				    : (vm->actions_left -= TARGET(in)) <= 0) {
				st = st_vm_raise(vm, "MAXACTION exceeded");
				goto error;
			}
			break;
		case ST_OP_GGET:
			if (vm->plan->globals[in->b].type == ST_T_STRING)
				R[in->a].s = st_vm_str(vm, vm->globals[in->b].v.s, strlen(vm->globals[in->b].v.s));
			else
				R[in->a] = vm->globals[in->b].v;
			break;
		case ST_OP_GSET:
			if (vm->plan->globals[in->b].type == ST_T_STRING)
				gslot_set_string(&vm->globals[in->b], R[in->a].s);
			else
				vm->globals[in->b].v = R[in->a];
			break;
		case ST_OP_GCLEAR:
			global_clear(vm, in->b);
			break;
		case ST_OP_MGET: {
			struct st_map_entry *e = st_map_find(vm->globals[in->b].map, &R[in->c]);

			if (vm->plan->globals[in->b].type == ST_T_STRING)
				R[in->a].s = e ? st_vm_str(vm, e->val.s, strlen(e->val.s)) : "";
			else
				R[in->a].n = e ? e->val.n : 0;
			break;
		}
		case ST_OP_MSET:
		case ST_OP_MADD: {
			struct st_map *m = vm->globals[in->b].map;
			struct st_map_entry *e = st_map_get(m, &R[in->c]);

			if (!e) {
				overflow_msg(vm, in->b);
				st = ST_VM_ERROR;
				goto error;
			}
			if (in->op == ST_OP_MADD)
				R[in->a].n = e->val.n = (int64_t)((uint64_t)e->val.n + (uint64_t)R[in->a].n);
			else if (vm->plan->globals[in->b].type == ST_T_STRING)
				st_map_entry_set_string(m, e, R[in->a].s);
			else
				e->val.n = R[in->a].n;
			break;
		}
		case ST_OP_MHAS:
			R[in->a].n = st_map_find(vm->globals[in->b].map, &R[in->c]) != NULL;
			break;
		case ST_OP_MDEL:
			st_map_delete(vm->globals[in->b].map, &R[in->c]);
			break;
		case ST_OP_MDELW:
		case ST_OP_MHASW: {
			struct st_map *m = vm->globals[in->b].map;
			const struct st_map_type *t = st_map_type(m);
			struct st_map_entry *e = st_map_first(m), *next;
			int64_t found = 0;

			for (; e; e = next) {
				next = st_map_next(e);
				if (!key_matches(t, e, &R[in->c], in->aux))
					continue;
				found = 1;
				if (in->op == ST_OP_MHASW)
					break;
				st_map_delete(m, e->key);
			}
			if (in->op == ST_OP_MHASW)
				R[in->a].n = found;
			break;
		}
		case ST_OP_SADD: {
			struct st_stat *s = stat_of(vm, in->b, in->aux & 1, &R[in->c], true, &st);

			if (!s)
				goto error;
			if (in->aux & 2)   /* bulk event: `value` times */
				st_stat_add_n(s, shape_of(vm, in->b), R[in->a].n, vm->ev ? vm->ev->value : 1);
			else
				st_stat_add(s, shape_of(vm, in->b), R[in->a].n);
			break;
		}
		case ST_OP_SGET: {
			enum st_stat_op op = (enum st_stat_op)(in->aux & 0x7f);
			struct st_stat *s = stat_of(vm, in->b, in->aux >> 7, &R[in->c], false, &st);

			if (!s) {
				if (op == ST_AGG_COUNT || op == ST_AGG_SUM) {
					R[in->a].n = 0;
					break;
				}
				st = st_vm_raise(vm, "empty aggregate");
				goto error;
			}
			if ((vm->plan->globals[in->b].is_array ? st_stat_get_element : st_stat_get)(s, shape_of(vm, in->b),
												     op, &R[in->a].n) < 0) {
				st = st_vm_raise(vm, "empty aggregate");
				goto error;
			}
			break;
		}
		case ST_OP_HPRINT: {
			struct st_stat *s = stat_of(vm, in->b, in->aux & 1, &R[in->c], false, &st);
			char *text = NULL;
			size_t len = 0;
			FILE *m;
			int r;

			if (!s) {
				st = st_vm_raise(vm, "empty aggregate");
				goto error;
			}
			m = open_memstream(&text, &len);
			if (!m)
				abort();
			r = st_stat_print_hist(m, s, shape_of(vm, in->b), vm->limits.hist_elision);
			fclose(m);
			if (r < 0) {
				free(text);
				st = st_vm_raise(vm, "empty aggregate");
				goto error;
			}
			if (in->aux & 2)
				R[in->a].s = st_vm_str(vm, text, len);
			else
				st_buf_append(&vm->out, text, len);
			free(text);
			break;
		}
		case ST_OP_HBUCKET: {
			struct st_stat *s = stat_of(vm, in->b, in->aux & 1, &R[in->c], false, &st);
			int64_t v = 0;

			/* stap reads the aggregate first: no samples is "empty
			 * aggregate" -- except inside foreach over the same
			 * histogram (aux & 2), whose buckets then read 0 */
			if (!s || s->count == 0) {
				if (in->aux & 2) {
					R[in->a].n = 0;
					break;
				}
				st = st_vm_raise(vm, "empty aggregate");
				goto error;
			}
			if (st_stat_bucket(s, shape_of(vm, in->b), R[in->a].n, &v) < 0) {
				st = st_vm_raise(vm, "histogram index out of range");
				goto error;
			}
			R[in->a].n = v;
			break;
		}
		case ST_OP_FIELD:
			field_read(vm, in->b, &R[in->a], 0);
			/* the field's type decides; strings are flagged at bind time */
			if (vm->ev && vm->fields[vm->ev->source] &&
			    (vm->fields[vm->ev->source][in->b].is_string ||
			     vm->fields[vm->ev->source][in->b].is_dataloc))
				field_read(vm, in->b, &R[in->a], 1);
			break;
		case ST_OP_BUILTIN:
			st = st_vm_builtin(vm, in->aux | (in->c << 8), &R[in->b], &R[in->a]);
			if (st == ST_VM_ERROR)
				goto error;
			if (st == ST_VM_ABORT)
				goto out;
			assert(st_builtins[in->aux | (in->c << 8)].ret != ST_T_STRING || R[in->a].s);
			break;
		case ST_OP_CALL: {
			const struct st_code *callee = &vm->plan->code[in->c];
			/* a callee left by `next` returns nothing: 0 or "" */
			st_value rv = { .s = callee->ret == ST_T_STRING ? "" : NULL };

			st = exec(vm, in->c, &R[in->b], callee->nparams, &rv);
			if (st == ST_VM_NEXT)
				st = ST_VM_OK;   /* `next` in a function with no overload left: leave it */
			if (st == ST_VM_ERROR)
				goto error;
			if (st == ST_VM_ABORT)
				goto out;
			assert(callee->ret != ST_T_STRING || rv.s);
			R[in->a] = rv;
			break;
		}
		case ST_OP_RET:
			if (ret)
				*ret = R[in->a];
			goto out;
		case ST_OP_RET0:
			if (ret)
				ret->n = 0;
			if (ret && k->ret == ST_T_STRING)
				ret->s = "";
			goto out;
		case ST_OP_NEXT:
			st = ST_VM_NEXT;
			goto out;
		case ST_OP_FORMAT:
			st = format_op(vm, in, R);
			if (st == ST_VM_ERROR)
				goto error;
			break;
		case ST_OP_REGEX: {
			int64_t v;

			if (regex_match(vm, in->c, R[in->b].s, &v) < 0) {
				st = ST_VM_ERROR;
				goto error;
			}
			R[in->a].n = in->aux ? !v : v;
			break;
		}
		case ST_OP_ITER_INIT:
			iter_init(vm, &iters[in->a], in, R);
			in++;    /* the carrier */
			break;
		case ST_OP_ITER_NEXT: {
			struct iter *it = &iters[in->a];
			const struct st_insn *carrier = in + 1;
			const struct st_map_type *t;
			struct st_map_entry *e;

			if (it->pos >= it->n) {
				in = base + TARGET(in);
				continue;
			}
			e = it->ent[it->pos++];
			t = st_map_type(vm->globals[it->fe->global].map);
			copy_key(vm, t, e, &R[carrier->a]);
			if (carrier->b != ST_REG_NONE)
				iter_value(vm, it->fe, e, &R[carrier->b]);
			in += 2;
			continue;
		}
		case ST_OP_ITER_END:
			free(iters[in->a].ent);
			iters[in->a].ent = NULL;
			break;
		case ST_OP_TRY:
			if (ntry < sizeof(tries) / sizeof(tries[0]))
				tries[ntry++] = (struct trylink){ TARGET(in), in->a };
			break;
		case ST_OP_TRY_END:
			if (ntry)
				ntry--;
			break;
		case ST_OP_EPUSH:
			st = st_vm_entry_push(vm, in->c, in->b);
			if (st == ST_VM_ERROR)
				goto error;
			break;
		case ST_OP_ESET:
			st_vm_entry_set(vm, in->c, in->b, R[in->a], in->aux);
			break;
		case ST_OP_EPOP:
			if (!st_vm_entry_pop(vm, in->c, &R[in->a], in->b))
				goto out;
			break;
		case ST_OP_COUNT_:
		default:
			st = st_vm_raise(vm, "internal: bad instruction %u", in->op);
			goto error;
		}
		in++;
		continue;
error:
		if (!vm->errloc)      /* keep the innermost location */
			vm->errloc = &k->loc[in - base];
		if (ntry && vm->actions_left > 0) {   /* stap's catch passes on MAXACTION */
			struct trylink t = tries[--ntry];

			if (t.reg != ST_REG_NONE)
				R[t.reg].s = st_vm_str(vm, vm->errmsg, strlen(vm->errmsg));
			vm->errloc = NULL;
			vm->err_noloc = false;
			st = ST_VM_OK;
			in = base + t.handler;
			continue;
		}
		goto out;
	}
out:
	if (iters) {
		for (i = 0; i < k->niters; i++)
			free(iters[i].ent);
		free(iters);
	}
	vm->depth--;
	vm->stack_top = frame;
	return st;
}

enum st_vm_status st_vm_run_probe(struct st_vm *vm, const struct st_plan_probe *probe, const struct st_event *ev)
{
	enum st_vm_status st;

	vm->ev = ev;
	vm->probe = probe;
	vm->errloc = NULL;
	vm->err_noloc = false;
	/* INTERRUPTIBLE (default 1) gives every probe MAXACTION_INTERRUPTIBLE */
	vm->actions_left = !vm->limits.interruptible ? (int64_t)vm->limits.maxaction
			   : vm->limits.maxaction_int ? (int64_t)vm->limits.maxaction_int
			   : (int64_t)vm->limits.maxaction * 10;
	st = exec(vm, probe->code, NULL, 0, NULL);
	st_arena_reset(&vm->arena);
	vm->ev = NULL;
	if (vm->out.len > (1u << 16) || vm->flush_each)
		st_vm_flush(vm);
	return st == ST_VM_NEXT ? ST_VM_OK : st;
}

/* ---- the automatic end-of-run print of write-only globals ---- */

static void print_key(struct st_vm *vm, const struct st_map_type *t, const struct st_map_entry *e)
{
	uint32_t k;

	for (k = 0; k < t->nkeys; k++) {
		if (k)
			st_buf_puts(&vm->out, ",");
		if (t->key[k] == ST_T_STRING) {
			st_buf_puts(&vm->out, "\"");
			st_buf_puts(&vm->out, e->key[k].s);
			st_buf_puts(&vm->out, "\"");
		} else {
			st_buf_long(&vm->out, e->key[k].n);
		}
	}
}

static void print_stat_line(struct st_vm *vm, const struct st_stat *s, const struct st_stat_shape *shape)
{
	int64_t v;

	if (s->count == 0) {
		st_buf_puts(&vm->out, " @count=0x0");
		return;
	}
	st_buf_puts(&vm->out, " @count=");
	st_buf_long(&vm->out, s->count);
	st_stat_get(s, shape, ST_AGG_MIN, &v);
	st_buf_puts(&vm->out, " @min=");
	st_buf_long(&vm->out, v);
	st_stat_get(s, shape, ST_AGG_MAX, &v);
	st_buf_puts(&vm->out, " @max=");
	st_buf_long(&vm->out, v);
	st_buf_puts(&vm->out, " @sum=");
	st_buf_long(&vm->out, s->sum);
	st_stat_get(s, shape, ST_AGG_AVG, &v);
	st_buf_puts(&vm->out, " @avg=");
	st_buf_long(&vm->out, v);
}

void st_vm_print_globals(struct st_vm *vm)
{
	const struct st_plan *p = vm->plan;
	uint32_t i, j, n;

	for (i = 0; i < p->nglobals; i++) {
		const struct st_plan_global *g = &p->globals[i];
		struct st_gslot *s = &vm->globals[i];
		struct st_map_entry **ents = NULL;

		if (!g->auto_print)
			continue;
		if (!g->is_array) {
			st_buf_puts(&vm->out, g->name);
			if (g->type == ST_T_STATS) {
				print_stat_line(vm, &s->stat, &g->shape);
			} else if (g->type == ST_T_STRING) {
				st_buf_puts(&vm->out, "=\"");
				st_buf_puts(&vm->out, s->v.s);
				st_buf_puts(&vm->out, "\"");
			} else {
				st_buf_puts(&vm->out, "=");
				st_buf_long(&vm->out, s->v.n);
			}
			st_buf_puts(&vm->out, "\n");
			continue;
		}
		/* stap prints each array as `foreach (k in a-)`: by value
		 * descending (strings by strcmp, statistics by @count), ties in
		 * insertion order; keys and values print raw (%#s does not
		 * escape in stap's runtime) */
		n = st_map_sorted(s->map, 0, -1, ST_AGG_COUNT, -1, NULL, 0, &ents);
		for (j = 0; j < n; j++) {
			st_buf_puts(&vm->out, g->name);
			st_buf_puts(&vm->out, "[");
			print_key(vm, &g->map, ents[j]);
			st_buf_puts(&vm->out, "]");
			if (g->type == ST_T_STATS) {
				print_stat_line(vm, &ents[j]->val.stat, &g->map.shape);
			} else if (g->type == ST_T_STRING) {
				st_buf_puts(&vm->out, "=\"");
				st_buf_puts(&vm->out, ents[j]->val.s);
				st_buf_puts(&vm->out, "\"");
			} else {
				st_buf_puts(&vm->out, "=");
				st_buf_long(&vm->out, ents[j]->val.n);
			}
			st_buf_puts(&vm->out, "\n");
		}
		free(ents);
	}
}
