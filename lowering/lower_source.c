/* lower_source.c - event sources: the one a probe point lowers to (shared by
 * probes on the same tracepoint or uprobe) and the session's own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lowering/lower_int.h"
#include "lowering/taskctx.h"

int source_for(struct lower *L, const struct st_family_point *fp, const struct st_probe_inst *pi)
{
	struct st_plan *p = L->plan;
	struct st_source *s;
	char name[300];
	uint32_t i;

	switch (fp->kind) {
	case ST_SRC_TRACEPOINT:
	case ST_SRC_UPROBE:
		snprintf(name, sizeof(name), "%s:%s", fp->system, fp->event);
		break;
	case ST_SRC_TIMER:
		snprintf(name, sizeof(name), "timer:%llu", (unsigned long long)fp->period_ns);
		break;
	default:
		snprintf(name, sizeof(name), "%s", pi->pp);
		break;
	}
	/* Tracepoints and timers are shared by every probe on them; begin/end
	 * each get their own so that their sequence numbers order them. */
	if (fp->kind == ST_SRC_TRACEPOINT || fp->kind == ST_SRC_UPROBE)
		for (i = 0; i < p->nsources; i++)
			if (p->sources[i].kind == fp->kind && strcmp(p->sources[i].name, name) == 0)
				return (int)i;
	GROW(p->sources, p->nsources, L->cap_sources);
	s = &p->sources[p->nsources];
	memset(s, 0, sizeof(*s));
	s->kind = fp->kind;
	s->name = (char *)st_arena_strndup(p->arena, name, strlen(name), strlen(name));
	s->seq = fp->seq;
	s->period_ns = fp->period_ns;
	s->optional = pi->point->optional;
	if (fp->kind == ST_SRC_UPROBE)
		st_process_source_init(s, fp, p->arena);
	if (fp->kind == ST_SRC_KPROBE) {
		s->system = (char *)st_arena_strndup(p->arena, fp->system, strlen(fp->system), 127);
		s->event = (char *)st_arena_strndup(p->arena, fp->event, strlen(fp->event), 127);
		s->probe_symbol = (char *)st_arena_strndup(p->arena, fp->symbol, strlen(fp->symbol), 127);
		s->probe_return = fp->is_return;
	}
	if (fp->kind == ST_SRC_PERF) {
		s->perf_type = fp->perf_type;
		s->perf_config = fp->perf_config;
		s->perf_period = fp->perf_period;
		s->perf_freq = fp->perf_freq;
	}
	if (fp->kind == ST_SRC_TRACEPOINT || fp->kind == ST_SRC_UPROBE) {
		s->system = (char *)st_arena_strndup(p->arena, fp->system, strlen(fp->system), 127);
		s->event = (char *)st_arena_strndup(p->arena, fp->event, strlen(fp->event), 127);
	}
	return (int)p->nsources++;
}

/* A tracepoint source no probe names, for the session's own use. */
static void need_tracepoint(struct lower *L, const char *system, const char *event)
{
	struct st_plan *p = L->plan;
	char name[256];
	struct st_source *s;

	snprintf(name, sizeof(name), "%s:%s", system, event);
	for (uint32_t i = 0; i < p->nsources; i++)
		if (p->sources[i].kind == ST_SRC_TRACEPOINT && !strcmp(p->sources[i].name, name))
			return;
	GROW(p->sources, p->nsources, L->cap_sources);
	s = &p->sources[p->nsources++];
	memset(s, 0, sizeof(*s));
	s->kind = ST_SRC_TRACEPOINT;
	s->name = (char *)st_arena_strndup(p->arena, name, strlen(name), strlen(name));
	s->system = (char *)st_arena_strndup(p->arena, system, strlen(system), strlen(system));
	s->event = (char *)st_arena_strndup(p->arena, event, strlen(event), strlen(event));
}

/* Process probes follow the -c/-x target's process tree (task_newtask) and
 * process("PATH").end/.thread.* the executables (sched_process_exec):
 * runtime/proctree.c. */
void lower_task_sources(struct lower *L)
{
	bool scoped = false, paths = false, parents = false;

	for (uint32_t i = 0; i < L->plan->nprobes; i++) {
		scoped |= L->plan->probes[i].target_scoped;
		paths |= L->plan->probes[i].task_path != NULL;
	}
	/* ppid()/pexecname() of a task gone when its handler runs (backends
	 * without a task context capture): the forks and execs seen */
	for (uint32_t i = 0; i < L->plan->nsources; i++)
		parents |= (L->plan->sources[i].ctx_want & ST_TASKCTX_PARENT_ITEMS) != 0;
	if (scoped || parents)
		need_tracepoint(L, "task", "task_newtask");
	if (paths || parents)
		need_tracepoint(L, "sched", "sched_process_exec");
}

