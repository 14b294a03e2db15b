/* tc_decode.c - one ring-buffer record -> st_event, replaying the task
 * events on the way so that each event carries its task's tgid and comm as
 * they were at the event's time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>
#include "plugins/trace-cmd/tc_internal.h"

#define CLONE_THREAD_FLAG 0x00010000ULL
#define NTYPES 65536

const char *const st_tracecmd_internal_sys[TC_NINTERNAL] = { "task", "task", "sched" };
const char *const st_tracecmd_internal_ev[TC_NINTERNAL] = {
	"task_newtask", "task_rename", "sched_process_exec",
};

int st_tracecmd_decoder_init(struct tc_decoder *d, uint32_t nsrc)
{
	uint32_t i;

	memset(d, 0, sizeof(*d));
	d->src_of = calloc(NTYPES, sizeof(*d->src_of));
	d->internal_of = calloc(NTYPES, 1);
	d->next_dup = malloc((nsrc + 1) * sizeof(*d->next_dup));
	d->fmt = calloc(nsrc + 1, sizeof(*d->fmt));
	if (!d->src_of || !d->internal_of || !d->next_dup || !d->fmt ||
	    st_tracecmd_tasks_init(&d->tasks) < 0) {
		st_tracecmd_decoder_free(d);
		return -ENOMEM;
	}
	for (i = 0; i < nsrc; i++)
		d->next_dup[i] = -1;
	d->nsrc = nsrc;
	d->dup_next = -1;
	d->nt_pid.off = d->nt_comm.off = d->nt_flags.off = -1;
	d->rn_pid.off = d->rn_newcomm.off = d->ex_pid.off = -1;
	return 0;
}

void st_tracecmd_decoder_free(struct tc_decoder *d)
{
	free(d->src_of);
	free(d->internal_of);
	free(d->next_dup);
	free(d->fmt);
	st_tracecmd_tasks_free(&d->tasks);
	memset(d, 0, sizeof(*d));
}

void st_tracecmd_decoder_bind(struct tc_decoder *d, uint32_t i, struct tep_event *e)
{
	uint16_t id = (uint16_t)e->id;
	int32_t first;

	d->fmt[i] = e;
	first = d->src_of[id] - 1;
	if (first < 0) {
		d->src_of[id] = (int32_t)i + 1;
		return;
	}
	while (d->next_dup[first] >= 0)
		first = d->next_dup[first];
	d->next_dup[first] = (int32_t)i;
}

static struct tc_field field_of(struct tep_event *e, const char *name)
{
	struct tep_format_field *f = tep_find_field(e, name);
	struct tc_field r = { -1, 0 };

	/* __data_loc and dynamic fields are never used here */
	if (f && !(f->flags & TEP_FIELD_IS_DYNAMIC) && f->offset >= 0 && f->size > 0) {
		r.off = f->offset;
		r.size = f->size;
	}
	return r;
}

void st_tracecmd_decoder_bind_internal(struct tc_decoder *d, enum tc_internal k, struct tep_event *e)
{
	d->internal_of[(uint16_t)e->id] = (uint8_t)k;
	switch (k) {
	case TC_INT_NEWTASK:
		d->nt_pid = field_of(e, "pid");
		d->nt_comm = field_of(e, "comm");
		d->nt_flags = field_of(e, "clone_flags");
		break;
	case TC_INT_RENAME:
		d->rn_pid = field_of(e, "pid");
		d->rn_newcomm = field_of(e, "newcomm");
		break;
	case TC_INT_EXEC:
		d->ex_pid = field_of(e, "pid");
		break;
	default:
		break;
	}
}

static bool get_int(const uint8_t *raw, uint32_t size, struct tc_field f, uint64_t *v)
{
	if (f.off < 0 || (uint64_t)f.off + (uint64_t)f.size > size)
		return false;
	switch (f.size) {
	case 4: { uint32_t x; memcpy(&x, raw + f.off, 4); *v = x; return true; }
	case 8: memcpy(v, raw + f.off, 8); return true;
	case 2: { uint16_t x; memcpy(&x, raw + f.off, 2); *v = x; return true; }
	default: return false;
	}
}

static const char *get_str(const uint8_t *raw, uint32_t size, struct tc_field f, size_t *len)
{
	if (f.off < 0 || (uint64_t)f.off + (uint64_t)f.size > size)
		return NULL;
	*len = (size_t)f.size;
	return (const char *)raw + f.off;
}

static int32_t common_pid(const uint8_t *raw)
{
	int32_t pid;

	memcpy(&pid, raw + 4, 4);
	return pid;
}

static void replay(struct tc_decoder *d, enum tc_internal k, const uint8_t *raw, uint32_t size)
{
	struct st_tasks *t = &d->tasks;
	uint64_t pid, flags = 0;
	const char *comm;
	size_t clen = 0;

	switch (k) {
	case TC_INT_NEWTASK: {
		int32_t tgid;

		if (!get_int(raw, size, d->nt_pid, &pid))
			return;
		get_int(raw, size, d->nt_flags, &flags);
		comm = get_str(raw, size, d->nt_comm, &clen);
		tgid = (int32_t)pid;
		if (flags & CLONE_THREAD_FLAG) {
			/* a thread joins its creator's group */
			struct st_task *parent = st_tracecmd_tasks_get(t, common_pid(raw));

			tgid = parent ? parent->tgid : common_pid(raw);
		}
		st_tracecmd_tasks_set(t, (int32_t)pid, tgid, comm, clen);
		break;
	}
	case TC_INT_RENAME: {
		struct st_task *task;

		if (!get_int(raw, size, d->rn_pid, &pid) ||
		    !(comm = get_str(raw, size, d->rn_newcomm, &clen)))
			return;
		task = st_tracecmd_tasks_get(t, (int32_t)pid);
		st_tracecmd_tasks_set(t, (int32_t)pid, task ? task->tgid : (int32_t)pid, comm, clen);
		break;
	}
	case TC_INT_EXEC: {
		struct st_task *task;

		/* after exec the task is its group's leader (de_thread) */
		if (!get_int(raw, size, d->ex_pid, &pid))
			return;
		task = st_tracecmd_tasks_get(t, (int32_t)pid);
		if (task)
			task->tgid = (int32_t)pid;
		else
			st_tracecmd_tasks_set(t, (int32_t)pid, (int32_t)pid, NULL, 0);
		break;
	}
	default:
		break;
	}
}

int st_tracecmd_decode(struct tc_decoder *d, int cpu, uint64_t ts, const uint8_t *raw,
		       uint32_t size, struct st_event *ev)
{
	uint16_t type;
	int32_t src, tid;
	uint8_t k;

	if (size < 8)
		return 0;
	memcpy(&type, raw, 2);
	src = d->src_of[type] - 1;
	k = d->internal_of[type];
	if (src < 0) {
		if (k)
			replay(d, k, raw, size);
		return 0;
	}
	tid = common_pid(raw);
	ev->time = ts;
	ev->source = (uint32_t)src;
	ev->cpu = cpu;
	ev->tid = tid;
	ev->raw = raw;
	ev->raw_size = size;
	ev->value = 1;
	ev->flags = 0;
	if (tid == 0) {
		snprintf(d->idle, sizeof(d->idle), "swapper/%d", cpu);
		ev->pid = 0;
		ev->comm = d->idle;
	} else {
		struct st_task *task = st_tracecmd_tasks_get(&d->tasks, tid);

		if (task) {
			ev->pid = task->tgid;
			/* copied: replaying this very event may rename the task */
			memcpy(d->comm, task->comm, TC_COMM_LEN);
		} else {
			ev->pid = -1;
			memcpy(d->comm, "<...>", 6);
		}
		ev->comm = d->comm;
	}
	d->dup_next = d->next_dup[src];
	if (d->dup_next >= 0)
		d->dup = *ev;
	if (k)
		replay(d, k, raw, size);
	return 1;
}

int st_tracecmd_decode_dup(struct tc_decoder *d, struct st_event *ev)
{
	if (d->dup_next < 0)
		return 0;
	*ev = d->dup;
	ev->source = (uint32_t)d->dup_next;
	d->dup_next = d->next_dup[d->dup_next];
	return 1;
}
