/* taskctx.c - companion sources capturing the task context (taskctx.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/ast.h"
#include "lowering/btf.h"
#include "lowering/plan.h"
#include "lowering/taskctx.h"
#include "tapset/builtins.h"

#define B(i) (1u << (i))

unsigned st_taskctx_builtin_items(int builtin)
{
	switch (builtin) {
	case ST_BI_UID: case ST_BI_TASK_UID: return B(ST_TC_UID);
	case ST_BI_EUID: return B(ST_TC_EUID);
	case ST_BI_GID: case ST_BI_TASK_GID: return B(ST_TC_GID);
	case ST_BI_EGID: return B(ST_TC_EGID);
	case ST_BI_PPID: case ST_BI_TASK_PPID: case ST_BI_TASK_PARENT: return B(ST_TC_PPID);
	case ST_BI_PGRP: return B(ST_TC_PGRP);
	case ST_BI_SID: return B(ST_TC_SID);
	case ST_BI_PEXECNAME: return B(ST_TC_PCOMM);
	case ST_BI_CMDLINE_STR: case ST_BI_CMDLINE_ARG: case ST_BI_CMDLINE_ARGS:
		return B(ST_TC_ARG_START) | B(ST_TC_ARG_END) | B(ST_TC_CMDLINE);
	case ST_BI_TASK_PRIO: return B(ST_TC_PRIO);
	case ST_BI_TASK_NICE: return B(ST_TC_STATIC_PRIO);
	}
	return 0;
}

/* Each item as a member chain from `current`.  The pid namespace level is
 * 0 (the initial namespace, as stap's runtime reads it for root). */
static const struct item {
	const char *path;
	const char *member[8];
	int64_t index[8];        /* member NULL: an index step (one always comes before a member) */
	bool string;
} items[ST_TC_NITEMS] = {
	[ST_TC_UID] = { "uid()", { "cred", "uid", "val" }, { -1, -1, -1 }, false },
	[ST_TC_EUID] = { "euid()", { "cred", "euid", "val" }, { -1, -1, -1 }, false },
	[ST_TC_GID] = { "gid()", { "cred", "gid", "val" }, { -1, -1, -1 }, false },
	[ST_TC_EGID] = { "egid()", { "cred", "egid", "val" }, { -1, -1, -1 }, false },
	[ST_TC_PPID] = { "ppid()", { "real_parent", "tgid" }, { -1, -1 }, false },
	/* PIDTYPE_PGID 2, PIDTYPE_SID 3 */
	[ST_TC_PGRP] = { "pgrp()", { "signal", "pids", NULL, "numbers", NULL, "nr" }, { -1, -1, 2, -1, 0, -1 }, false },
	[ST_TC_SID] = { "sid()", { "signal", "pids", NULL, "numbers", NULL, "nr" }, { -1, -1, 3, -1, 0, -1 }, false },
	[ST_TC_PCOMM] = { "pexecname()", { "real_parent", "comm" }, { -1, -1 }, true },
	[ST_TC_ARG_START] = { "mm->arg_start", { "mm", "arg_start" }, { -1, -1 }, false },
	[ST_TC_ARG_END] = { "mm->arg_end", { "mm", "arg_end" }, { -1, -1 }, false },
	[ST_TC_CMDLINE] = { "cmdline_str()", { NULL }, { 0 }, false },
	[ST_TC_PRIO] = { "task_prio()", { "prio" }, { -1 }, false },
	[ST_TC_STATIC_PRIO] = { "task_nice()", { "static_prio" }, { -1 }, false },
};

const char *st_taskctx_item_path(unsigned item)
{
	return item < ST_TC_NITEMS ? items[item].path : NULL;
}

/* A syscall source the backend may fold onto raw_syscalls: 1 enter, 2
 * exit; 0 for any other (it keeps a companion of its own, at its event). */
static uint8_t raw_syscalls_dir(const struct st_source *m)
{
	if (m->kind != ST_SRC_TRACEPOINT || !m->system || strcmp(m->system, "syscalls") || m->ncaptures || m->nbtf)
		return 0;
	return !strncmp(m->event, "sys_enter_", 10) ? 1 : !strncmp(m->event, "sys_exit_", 9) ? 2 : 0;
}

/* Why a shared one: a companion must run at the very trace event the
 * source's records come from, before them, and a folded syscall's come
 * from raw_syscalls; one program there with a syscall number filter also
 * serves hundreds of syscalls (nd_syscall.*) at the cost of one. */
static uint32_t companion(struct st_plan *p, uint32_t src)
{
	const struct st_source *m = &p->sources[src];
	uint8_t dir = raw_syscalls_dir(m);
	struct st_source *s;
	char ev[256];

	if (m->ctx_src)
		return m->ctx_src - 1;
	for (uint32_t i = 0; dir && i < p->nsources; i++)
		if (p->sources[i].ctx_syscalls == dir) {
			p->sources[src].ctx_src = i + 1;
			return i;
		}
	if (dir)
		snprintf(ev, sizeof(ev), "raw_syscalls__%s", dir == 1 ? "sys_enter" : "sys_exit");
	else
		snprintf(ev, sizeof(ev), "%s__%s", m->system, m->event);
	/* after every other source: lowering adds no source after this */
	p->sources = realloc(p->sources, sizeof(*p->sources) * (p->nsources + 1));
	if (!p->sources)
		abort();
	s = &p->sources[p->nsources];
	memset(s, 0, sizeof(*s));
	s->kind = ST_SRC_TRACEPOINT;
	s->system = (char *)st_arena_strndup(p->arena, ST_TASKCTX_SYSTEM, strlen(ST_TASKCTX_SYSTEM), 64);
	s->event = (char *)st_arena_strndup(p->arena, ev, strlen(ev), sizeof(ev));
	{
		char name[320];

		snprintf(name, sizeof(name), "%s:%s", ST_TASKCTX_SYSTEM, s->event);
		s->name = (char *)st_arena_strndup(p->arena, name, strlen(name), sizeof(name));
	}
	s->optional = p->sources[src].optional;
	s->ctx_of = src + 1;
	s->ctx_syscalls = dir;
	p->sources[src].ctx_src = p->nsources + 1;
	return p->nsources++;
}

static void add_field(struct st_plan *p, struct st_source *s, const char *f)
{
	for (uint32_t i = 0; i < s->nfields; i++)
		if (!strcmp(s->fields[i], f))
			return;
	s->fields = realloc(s->fields, sizeof(*s->fields) * (s->nfields + 1));
	if (!s->fields)
		abort();
	s->fields[s->nfields++] = (char *)f;
	(void)p;
}

/* The command line: the user bytes from mm->arg_start to mm->arg_end,
 * caps already made (their numbers + 1 in the range cap). */
static const char *cmdline_cap(struct st_plan *p, struct st_source *s)
{
	uint32_t start = 0, end = 0;
	struct st_btf_cap c;

	for (uint32_t i = 0; i < s->nbtf; i++) {
		if (!strcmp(s->btf[i].path, items[ST_TC_CMDLINE].path))
			return s->btf[i].field;
		if (!strcmp(s->btf[i].path, items[ST_TC_ARG_START].path))
			start = i + 1;
		if (!strcmp(s->btf[i].path, items[ST_TC_ARG_END].path))
			end = i + 1;
	}
	if (!start || !end)
		return NULL;
	memset(&c, 0, sizeof(c));
	c.is_string = true;
	c.urange = true;
	c.urange_start = start;
	c.urange_end = end;
	c.size = ST_TASKCTX_CMDLINE_MAX;
	return st_btf_source_add_cap(s, p->arena, &c, items[ST_TC_CMDLINE].path);
}

int st_taskctx_need(struct st_plan *p, uint32_t src, unsigned want, char *msg, size_t msgsz)
{
	struct st_source *s;
	uint32_t c;

	if (!want)
		return 0;
	if ((p->sources[src].kind != ST_SRC_TRACEPOINT && p->sources[src].kind != ST_SRC_UPROBE) ||
	    p->sources[src].ctx_of)
		return -ENOTSUP;
	c = companion(p, src);
	s = &p->sources[c];
	for (unsigned i = 0; i < ST_TC_NITEMS; i++) {
		const struct item *it = &items[i];
		struct st_btf_chain ch = { .root = ST_BTF_ROOT_TASK, .cast = "struct task_struct" };
		const char *f;
		int rc = 0;

		if (!(want & B(i)))
			continue;
		if (i == ST_TC_CMDLINE) {
			f = cmdline_cap(p, s);
			if (f)
				add_field(p, s, f);
			continue;
		}
		for (uint32_t k = 0; k < 8 && (it->member[k] || (k + 1 < 8 && it->member[k + 1])); k++) {
			ch.step[ch.nsteps].member = it->member[k];
			ch.step[ch.nsteps].cidx = it->index[k] < 0 ? 0 : it->index[k];
			ch.nsteps++;
		}
		ch.want_string = it->string;
		/* a kernel without BTF or the member: not captured, the
		 * builtin reads /proc when the handler runs */
		f = st_btf_source_chain(s, p->arena, &ch, it->path, msg, msgsz, &rc);
		if (f)
			add_field(p, s, f);
	}
	if (!s->nbtf) {       /* nothing to read: no companion */
		for (uint32_t i = 0; i < p->nsources; i++)
			if (p->sources[i].ctx_src == c + 1)
				p->sources[i].ctx_src = 0;
		if (c == p->nsources - 1) {
			free(s->fields);
			p->nsources--;
		}
	}
	return 0;
}

/* ---- which items a handler reads ---- */

struct walk {
	uint8_t *seen;           /* per function index: walked */
	uint32_t nfuncs;
	unsigned items;
};

static void walk_stmt(struct walk *w, const struct st_stmt *s);

static void walk_expr(struct walk *w, const struct st_expr *e)
{
	if (!e)
		return;
	if (e->kind == ST_E_CALL) {
		if (!e->func)
			w->items |= st_taskctx_builtin_items(e->builtin);
		else if (e->func->index < w->nfuncs && !w->seen[e->func->index]) {
			w->seen[e->func->index] = 1;
			walk_stmt(w, e->func->body);
		}
	}
	walk_expr(w, e->a);
	walk_expr(w, e->b);
	walk_expr(w, e->c);
	for (uint32_t i = 0; i < e->nargs; i++)
		walk_expr(w, e->args[i]);
}

static void walk_stmt(struct walk *w, const struct st_stmt *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nbody; i++)
		walk_stmt(w, s->body[i]);
	for (uint32_t i = 0; s->fe_filter && i < s->fe_nkeys; i++)
		walk_expr(w, s->fe_filter[i]);
	walk_expr(w, s->expr);
	walk_expr(w, s->cond);
	walk_expr(w, s->init);
	walk_expr(w, s->step);
	walk_expr(w, s->fe_array);
	walk_expr(w, s->fe_limit);
	walk_stmt(w, s->then);
	walk_stmt(w, s->els);
}

unsigned st_taskctx_items(const struct st_stmt *body, const struct st_expr *cond, uint32_t nfuncs)
{
	struct walk w = { calloc(nfuncs + 1, 1), nfuncs, 0 };

	if (!w.seen)
		abort();
	walk_stmt(&w, body);
	walk_expr(&w, cond);
	free(w.seen);
	return w.items;
}

int st_taskctx_plan(struct st_plan *p, char *msg, size_t msgsz)
{
	uint32_t n = p->nsources;

	for (uint32_t i = 0; i < n; i++) {
		int rc = p->sources[i].ctx_want ? st_taskctx_need(p, i, p->sources[i].ctx_want, msg, msgsz) : 0;

		if (rc < 0 && rc != -ENOTSUP)
			return rc;
	}
	return 0;
}
