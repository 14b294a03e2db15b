/* lower.c - an elaborated program to a plan: the driver over functions,
 * probes and globals (lower_int.h lists the other lower_*.c files).
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lowering/lower_int.h"
#include "lowering/taskctx.h"

static void lower_function(struct lower *L, const struct st_function *f)
{
	struct st_code *k = code_begin(L, f->name, f->nlocals);

	string_locals(L, f->locals, f->nlocals, f->nparams);

	k->nparams = f->nparams;
	k->ret = f->type;
	L->source = -1;
	L->pi = NULL;
	/* unreachable (tapset) functions were never resolved: an empty body
	 * keeps code indexes equal to function indexes */
	if (f->body && f->used) {
		count_begin(L, f->body, f);
		stmt(L, f->body);
		count_end(L, f->body);
	}
	emit(L, &f->loc, NULL, ST_OP_RET0, 0, 0, 0, 0);
}

/* A finished handler (code) on source src joins the plan as probe pi, with
 * L->fp's filters.  The entry half of a .return pair comes here too: its
 * point, derived from the return's, has no task role or path (those are
 * process.begin/.end/.thread and perf .process, never .return). */
void plan_add_probe(struct lower *L, const struct st_probe_inst *pi, int src, uint32_t code)
{
	struct st_plan *p = L->plan;
	struct st_plan_probe *pp;

	/* the runtime indexes sources and code by these without checking */
	assert(src >= 0 && (uint32_t)src < p->nsources && code < p->ncode);
	st_family_source_fetch(&p->sources[src], &L->fp, p->arena);
	GROW(p->probes, p->nprobes, L->cap_probes);
	pp = &p->probes[p->nprobes++];
	memset(pp, 0, sizeof(*pp));
	pp->source = (uint32_t)src;
	pp->code = code;
	pp->pp = pi->pp;
	pp->pn = pi->user_pp ? pi->user_pp : pi->pp;
	if (pi->origin) {
		char loc[PATH_MAX + 32];
		int n = snprintf(loc, sizeof(loc), "%s:%u:%u", pi->origin->loc.file, pi->origin->loc.line,
				 pi->origin->loc.col);

		pp->location = st_arena_strndup(p->arena, loc, (size_t)n, sizeof(loc));
	}
	pp->task_role = L->fp.task_role;
	pp->target_scoped = L->fp.target_scoped;
	if (L->fp.task_path[0])
		pp->task_path = st_arena_strndup(p->arena, L->fp.task_path, strlen(L->fp.task_path),
						 sizeof(L->fp.task_path));
}

static void lower_probe(struct lower *L, const struct st_probe_inst *pi)
{
	struct st_plan *p = L->plan;
	struct patch_list skip = { 0 };
	uint32_t code;
	int src;

	if (st_family_classify(pi->point, &L->fp) < 0) {
		fail(L, &pi->point->loc, "probe point %s has no event source", pi->pp);
		return;
	}
	L->neslot = 0;
	if (L->fp.is_return && (st_family_dynamic(&L->fp) || L->fp.syscall))
		lower_entry_pair(L, pi);
	src = source_for(L, &L->fp, pi);
	code = p->ncode;
	code_begin(L, pi->pp, pi->nlocals + L->neslot);
	string_locals(L, pi->locals, pi->nlocals, 0);
	L->source = src;
	L->pi = pi;
	L->nwritten = 0;
	L->written_overflow = false;
	if (L->neslot) {
		L->eslot_base = pi->nlocals;
		E(L, &(struct st_expr){ .loc = pi->point->loc }, ST_OP_EPOP, 0, L->eslot_base, L->neslot, L->npairs - 1);
	}
	bind_context(L, pi);
	memflow_probe(L, pi);
	if (pi->cond)
		cond_jump_false(L, pi->cond, &skip);
	count_begin(L, pi->body, NULL);
	stmt(L, pi->body);
	count_end(L, pi->body);
	p->sources[src].stack |= (uint8_t)(stmt_stack(L, pi->body) | expr_stack(L, pi->cond));
	p->sources[src].ctx_want |= st_taskctx_items(pi->body, pi->cond, L->prog->nfuncs);
	patch_all(L, &skip, here(L));
	emit(L, &pi->point->loc, NULL, ST_OP_RET0, 0, 0, 0, 0);
	plan_add_probe(L, pi, src, code);
	L->neslot = 0;
}

static void lower_globals(struct lower *L)
{
	const struct st_program *prog = L->prog;
	struct st_plan *p = L->plan;
	uint32_t i, k;

	p->nglobals = prog->nglobals;
	p->globals = calloc(prog->nglobals ? prog->nglobals : 1, sizeof(*p->globals));
	if (!p->globals)
		abort();
	for (i = 0; i < prog->nglobals; i++) {
		const struct st_global *g = prog->globals[i];
		const struct st_symbol *s = g->sym;
		struct st_plan_global *pg = &p->globals[s ? s->index : i];

		pg->name = g->name;
		pg->type = s ? s->type : ST_T_LONG;
		pg->is_array = s && s->is_array;
		pg->size = g->size;
		pg->wrap = g->wrap;
		pg->shape = g->shape;
		st_stat_shape_init(&pg->shape);
		/* stap prints only the script's own write-only globals, not a
		 * tapset's (argv.stp's argv is written and may go unread) */
		pg->in_script = prog->nfiles && g->loc.file && !strcmp(g->loc.file, prog->files[0]);
		pg->auto_print = g->written && !(g->read && g->used) && pg->in_script;
		if (pg->is_array) {
			pg->map.nkeys = s->nkeys;
			for (k = 0; k < s->nkeys; k++)
				pg->map.key[k] = s->key[k];
			pg->map.value = s->type;
			pg->map.shape = pg->shape;
		}
		if (g->has_init && g->init) {
			pg->has_init = true;
			if (g->init->kind == ST_E_STR) {
				/* str_const may grow p->strs: index after the call */
				uint32_t si = str_const(L, g->init->str);

				pg->init.s = p->strs[si];
			} else
				pg->init.n = g->init->num;
		}
	}
}

int st_lower(const struct st_program *prog, struct st_catalog *catalog, struct st_plan **out, char **err)
{
	struct lower L = { 0 };
	struct st_plan *p = calloc(1, sizeof(*p));
	uint32_t i;

	if (!p)
		abort();
	p->arena = malloc(sizeof(*p->arena));
	if (!p->arena)
		abort();
	st_arena_init(p->arena, 65536);
	p->script_name = prog->nfiles ? prog->files[0] : "<input>";
	L.prog = prog;
	L.catalog = catalog;
	L.plan = p;
	L.fstate = calloc(prog->nfuncs + 1, 1);
	L.fcost = calloc(prog->nfuncs + 1, sizeof(*L.fcost));
	L.fstack = calloc(prog->nfuncs + 1, 1);
	if (!L.fstate || !L.fcost || !L.fstack)
		abort();
	lower_globals(&L);
	/* functions keep their program index as their code index */
	for (i = 0; i < prog->nfuncs && !L.err; i++)
		lower_function(&L, prog->funcs[i]);
	for (i = 0; i < prog->ninsts && !L.err; i++)
		lower_probe(&L, prog->insts[i]);
	if (!L.err)
		lower_task_sources(&L);
	if (!L.err) {
		char msg[512];

		if (st_taskctx_plan(p, msg, sizeof(msg)) < 0)
			fail(&L, NULL, "%s", msg);
	}
	free(L.eslot);
	for (i = 0; i < p->nsources && !L.err; i++) {
		char msg[512];

		if (st_btf_source_finish(&p->sources[i], p->arena, L.catalog, msg, sizeof(msg)) < 0)
			fail(&L, NULL, "%s", msg);
	}
	if (!L.err)
		st_inkernel_plan(p);
	free(L.fstate);
	free(L.fstack);
	free(L.fcost);
	if (L.err) {
		*err = L.err;
		st_plan_free(p);
		return -EINVAL;
	}
	*out = p;
	return 0;
}

void st_plan_free(struct st_plan *p)
{
	uint32_t i;

	if (!p)
		return;
	for (i = 0; i < p->ncode; i++) {
		free(p->code[i].insn);
		free(p->code[i].loc);
	}
	for (i = 0; i < p->nsources; i++) {
		free(p->sources[i].fields);
		free(p->sources[i].captures);
		free(p->sources[i].btf);
	}
	for (i = 0; i < p->nowned_fmts; i++) {
		st_fmt_free(p->owned_fmts[i]);
		free(p->owned_fmts[i]);
	}
	free(p->owned_fmts);
	free(p->code);
	free(p->sources);
	free(p->probes);
	free(p->globals);
	free(p->nums);
	free(p->strs);
	free(p->fmts);
	free(p->foreachs);
	st_arena_free(p->arena);
	free(p->arena);
	free(p);
}
