/* proctree.c - the target's process tree and process lifecycle probes.
 *
 * A table pid -> (in the target's tree, executable) kept current from the
 * task tracepoints.  Entries are never removed: a pid that is reused is
 * overwritten by the task_newtask that creates its new owner.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <traceevent/event-parse.h>
#include "lowering/taskctx.h"
#include "runtime/proctree.h"

#define CLONE_THREAD_FLAG 0x00010000ull

struct ent {
	int32_t pid;          /* 0: empty slot */
	bool in_tree;
	char *exe;            /* canonical path, or NULL when unknown */
	int32_t ppid;         /* the parent that forked it during the run, 0: unknown */
	char comm[16];        /* its name at its fork or last exec, "" unknown */
};

struct field {
	int32_t offset, size;
	bool present, data_loc, rel;
};

struct st_proctree {
	const struct st_plan *plan;
	int64_t target;
	bool live;
	st_proctree_fire fire;
	void *ctx;
	struct ent *slot;
	uint32_t mask, used;
	int64_t src_newtask, src_exit, src_exec;     /* -1: not in the plan */
	struct field nt_pid, nt_flags, nt_comm, ex_group_dead, exec_file;
	uint32_t *roles;       /* probes with a task role */
	uint32_t nroles;
	bool any_role;
};

static uint32_t hash_pid(int32_t pid)
{
	return (uint32_t)pid * 2654435761u;
}

static struct ent *find(const struct st_proctree *t, int32_t pid)
{
	if (pid <= 0)
		return NULL;
	for (uint32_t i = hash_pid(pid) & t->mask;; i = (i + 1) & t->mask) {
		if (t->slot[i].pid == pid)
			return &t->slot[i];
		if (!t->slot[i].pid)
			return NULL;
	}
}

static struct ent *put(struct st_proctree *t, int32_t pid)
{
	struct ent *e = find(t, pid);

	if (e)
		return e;
	if ((t->used + 1) * 2 > t->mask + 1) {
		struct ent *old = t->slot;
		uint32_t n = t->mask + 1;

		t->slot = calloc(n * 2, sizeof(*t->slot));
		if (!t->slot)
			abort();
		t->mask = n * 2 - 1;
		for (uint32_t i = 0; i < n; i++)
			if (old[i].pid) {
				uint32_t j = hash_pid(old[i].pid) & t->mask;

				while (t->slot[j].pid)
					j = (j + 1) & t->mask;
				t->slot[j] = old[i];
			}
		free(old);
	}
	for (uint32_t i = hash_pid(pid) & t->mask;; i = (i + 1) & t->mask)
		if (!t->slot[i].pid) {
			t->slot[i].pid = pid;
			t->used++;
			return &t->slot[i];
		}
}

static void set_exe(struct ent *e, const char *path)
{
	free(e->exe);
	e->exe = path ? strdup(path) : NULL;
}

static struct field field_of(struct tep_event *ev, const char *name)
{
	struct field f = { 0 };
	struct tep_format_field *tf = ev ? tep_find_field(ev, name) : NULL;

	if (tf) {
		f.present = true;
		f.offset = tf->offset;
		f.size = tf->size;
		f.data_loc = tf->flags & TEP_FIELD_IS_DYNAMIC;
		f.rel = tf->flags & TEP_FIELD_IS_RELATIVE;
	}
	return f;
}

static bool read_num(const struct st_event *ev, const struct field *f, uint64_t *out)
{
	const uint8_t *b = ev->raw;
	uint64_t v = 0;

	if (!f->present || !b || f->offset < 0 || (uint64_t)f->offset + (uint64_t)f->size > ev->raw_size ||
	    f->size > 8)
		return false;
	switch (f->size) {
	case 1: v = b[f->offset]; break;
	case 2: { uint16_t x; memcpy(&x, b + f->offset, 2); v = x; break; }
	case 4: { uint32_t x; memcpy(&x, b + f->offset, 4); v = x; break; }
	case 8: memcpy(&v, b + f->offset, 8); break;
	default: return false;
	}
	*out = v;
	return true;
}

/* A char[] or __data_loc string field into buf. */
static bool read_str(const struct st_event *ev, const struct field *f, char *buf, size_t len)
{
	const char *b = ev->raw;
	uint32_t off, n;

	if (!f->present || !b || (uint64_t)f->offset + (uint64_t)f->size > ev->raw_size)
		return false;
	if (f->data_loc) {
		uint32_t loc;

		memcpy(&loc, b + f->offset, 4);
		off = loc & 0xffff;
		n = loc >> 16;
		if (f->rel)
			off += (uint32_t)(f->offset + f->size);
	} else {
		off = (uint32_t)f->offset;
		n = (uint32_t)f->size;
	}
	if ((uint64_t)off + n > ev->raw_size)
		return false;
	if (n >= len)
		n = (uint32_t)len - 1;
	memcpy(buf, b + off, n);
	buf[n] = 0;
	buf[strnlen(buf, n)] = 0;
	return true;
}

static int64_t source_named(const struct st_plan *plan, const char *name)
{
	for (uint32_t i = 0; i < plan->nsources; i++)
		if (plan->sources[i].kind == ST_SRC_TRACEPOINT && !strcmp(plan->sources[i].name, name))
			return i;
	return -1;
}

struct st_proctree *st_proctree_new(const struct st_plan *plan, struct tep_event *(*format)(void *arg, uint32_t source),
				    void *farg, int64_t target, bool live, st_proctree_fire fire, void *ctx)
{
	struct st_proctree *t;
	bool any = false;

	for (uint32_t i = 0; i < plan->nprobes; i++)
		any |= plan->probes[i].task_role || plan->probes[i].target_scoped || plan->probes[i].task_path;
	/* ppid() and pexecname() of processes gone when the handler runs */
	for (uint32_t i = 0; i < plan->nsources; i++)
		any |= (plan->sources[i].ctx_want & ST_TASKCTX_PARENT_ITEMS) != 0;
	if (!any)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	t->plan = plan;
	t->target = target;
	t->live = live;
	t->fire = fire;
	t->ctx = ctx;
	t->mask = 255;
	t->slot = calloc(t->mask + 1, sizeof(*t->slot));
	t->roles = calloc(plan->nprobes + 1, sizeof(*t->roles));
	if (!t->slot || !t->roles)
		abort();
	for (uint32_t i = 0; i < plan->nprobes; i++)
		if (plan->probes[i].task_role)
			t->roles[t->nroles++] = i;
	t->src_newtask = source_named(plan, "task:task_newtask");
	t->src_exit = source_named(plan, "sched:sched_process_exit");
	t->src_exec = source_named(plan, "sched:sched_process_exec");
	if (t->src_newtask >= 0 && format) {
		struct tep_event *e = format(farg, (uint32_t)t->src_newtask);

		t->nt_pid = field_of(e, "pid");
		t->nt_flags = field_of(e, "clone_flags");
		t->nt_comm = field_of(e, "comm");
	}
	if (t->src_exit >= 0 && format)
		t->ex_group_dead = field_of(format(farg, (uint32_t)t->src_exit), "group_dead");
	if (t->src_exec >= 0 && format)
		t->exec_file = field_of(format(farg, (uint32_t)t->src_exec), "filename");
	return t;
}

void st_proctree_free(struct st_proctree *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i <= t->mask; i++)
		free(t->slot[i].exe);
	free(t->slot);
	free(t->roles);
	free(t);
}

/* Whether process pid is one a probe with this scope and path watches. */
static bool watches(const struct st_proctree *t, const struct st_plan_probe *p, int32_t pid)
{
	const struct ent *e = NULL;

	if (p->target_scoped && t->target > 0) {
		e = find(t, pid);
		if (!e || !e->in_tree)
			return false;
	}
	if (p->task_path) {
		if (!e)
			e = find(t, pid);
		return e && e->exe && !strcmp(e->exe, p->task_path);
	}
	return true;
}

bool st_proctree_allows(const struct st_proctree *t, uint32_t idx, const struct st_event *ev)
{
	const struct st_plan_probe *p = &t->plan->probes[idx];

	if (p->task_role)
		return false;     /* fired by st_proctree_event only */
	return watches(t, p, ev->pid);
}

static void fire_role(struct st_proctree *t, uint8_t role, const struct st_event *ev)
{
	for (uint32_t i = 0; i < t->nroles; i++) {
		const struct st_plan_probe *p = &t->plan->probes[t->roles[i]];
		struct st_event e = *ev;

		if (p->task_role != role || !watches(t, p, ev->pid))
			continue;
		e.source = p->source;
		t->fire(t->ctx, t->roles[i], &e);
	}
}

static void canonical(const char *path, char *out, size_t len)
{
	char buf[PATH_MAX];

	if (realpath(path, buf))
		path = buf;
	snprintf(out, len, "%s", path);
}

void st_proctree_event(struct st_proctree *t, const struct st_event *ev)
{
	if ((int64_t)ev->source == t->src_newtask) {
		uint64_t child = 0, flags = 0;
		char comm[32];
		struct st_event e = *ev;

		if (!read_num(ev, &t->nt_pid, &child) || !read_num(ev, &t->nt_flags, &flags) || (int32_t)child <= 0)
			return;
		if (!read_str(ev, &t->nt_comm, comm, sizeof(comm)))
			snprintf(comm, sizeof(comm), "%s", ev->comm);
		e.comm = comm;
		if (flags & CLONE_THREAD_FLAG) {
			e.tid = (int32_t)child;
			fire_role(t, ST_TASK_THREAD_BEGIN, &e);
		} else {
			struct ent *parent = put(t, ev->pid);
			bool in = parent->in_tree;
			char *exe = parent->exe ? strdup(parent->exe) : NULL;
			struct ent *c;

			snprintf(parent->comm, sizeof(parent->comm), "%s", ev->comm);
			c = put(t, (int32_t)child);    /* may move the table: parent is stale now */
			c->in_tree = in;
			free(c->exe);
			c->exe = exe;
			c->ppid = ev->pid;
			snprintf(c->comm, sizeof(c->comm), "%.15s", comm);
			e.pid = e.tid = (int32_t)child;
			fire_role(t, ST_TASK_PROC_BEGIN, &e);
		}
	} else if ((int64_t)ev->source == t->src_exit) {
		uint64_t dead = 0;

		if (!read_num(ev, &t->ex_group_dead, &dead))
			dead = ev->tid == ev->pid;    /* kernels before group_dead: the leader */
		if (ev->tid != ev->pid)
			fire_role(t, ST_TASK_THREAD_END, ev);
		if (dead)
			fire_role(t, ST_TASK_PROC_END, ev);
	} else if ((int64_t)ev->source == t->src_exec) {
		char file[PATH_MAX], canon[PATH_MAX];

		snprintf(put(t, ev->pid)->comm, sizeof(t->slot->comm), "%s", ev->comm);
		if (read_str(ev, &t->exec_file, file, sizeof(file))) {
			canonical(file, canon, sizeof(canon));
			set_exe(put(t, ev->pid), canon);
		}
	}
}

/* ---- what already runs ---- */

struct proc {
	int32_t pid, ppid;
};

static bool read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return true;
}

static int32_t ppid_of(int32_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!read_file(path, buf, sizeof(buf)) || !(p = strrchr(buf, ')')))
		return -1;
	/* ") S ppid" */
	return p[1] && p[2] && p[3] && p[4] ? (int32_t)atoi(p + 4) : -1;
}

static uint32_t list_procs(struct proc **out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	uint32_t n = 0, cap = 0;
	struct proc *v = NULL;

	*out = NULL;
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[n].pid = (int32_t)pid;
		v[n].ppid = ppid_of((int32_t)pid);
		n++;
	}
	closedir(d);
	*out = v;
	return n;
}

static void start_event(struct st_event *e, uint64_t now, int32_t pid, int32_t tid, const char *comm)
{
	memset(e, 0, sizeof(*e));
	e->time = now;
	e->pid = pid;
	e->tid = tid;
	e->comm = comm;
}

/* Live: the threads of pid that are not its leader. */
static void existing_threads(struct st_proctree *t, int32_t pid, uint64_t now)
{
	char path[64], comm[32];
	DIR *d;
	struct dirent *de;
	struct st_event e;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		int32_t tid = (int32_t)atoi(de->d_name);

		if (tid <= 0 || tid == pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
		if (!read_file(path, comm, sizeof(comm)))
			continue;
		start_event(&e, now, pid, tid, comm);
		fire_role(t, ST_TASK_THREAD_BEGIN, &e);
	}
	closedir(d);
}

void st_proctree_start(struct st_proctree *t, uint64_t now)
{
	struct proc *v = NULL;
	uint32_t n = 0;
	struct st_event e;
	char path[64], buf[PATH_MAX];

	if (t->target > 0)
		put(t, (int32_t)t->target)->in_tree = true;
	if (!t->live) {
		/* a recording knows its target, not what else ran */
		if (t->target > 0) {
			start_event(&e, now, (int32_t)t->target, (int32_t)t->target, program_invocation_short_name);
			fire_role(t, ST_TASK_PROC_BEGIN, &e);
		}
		return;
	}
	n = list_procs(&v);
	/* -x: the target's descendants that already run */
	for (bool grew = t->target > 0; grew;) {
		grew = false;
		for (uint32_t i = 0; i < n; i++) {
			struct ent *p = find(t, v[i].ppid), *c = find(t, v[i].pid);

			if (p && p->in_tree && !(c && c->in_tree)) {
				put(t, v[i].pid)->in_tree = true;
				grew = true;
			}
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		struct ent *c;
		ssize_t len;
		char comm[32];

		snprintf(path, sizeof(path), "/proc/%d/exe", v[i].pid);
		len = readlink(path, buf, sizeof(buf) - 1);
		if (len <= 0)
			continue;           /* kernel threads have no process probes */
		buf[len] = 0;
		c = put(t, v[i].pid);
		set_exe(c, buf);
		if (!t->nroles)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", v[i].pid);
		if (!read_file(path, comm, sizeof(comm)))
			continue;
		start_event(&e, now, v[i].pid, v[i].pid, comm);
		fire_role(t, ST_TASK_PROC_BEGIN, &e);
		existing_threads(t, v[i].pid, now);
	}
	free(v);
}

bool st_proctree_parent(const struct st_proctree *t, int32_t pid, int32_t *ppid, const char **pcomm)
{
	const struct ent *c = t ? find(t, pid) : NULL, *p;

	if (!c || !c->ppid)
		return false;
	*ppid = c->ppid;
	p = find(t, c->ppid);
	*pcomm = p && p->comm[0] ? p->comm : NULL;
	return true;
}
