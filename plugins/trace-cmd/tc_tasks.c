/* tc_tasks.c - trace-cmd's side of the task table (runtime/tasks.h): the
 * idle tasks kept apart, seeding from /proc, and the snapshot a recording
 * stores in trace.dat.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "plugins/trace-cmd/tc_internal.h"

struct st_task *st_tracecmd_tasks_get(struct st_tasks *t, int32_t tid)
{
	return tid > 0 ? st_tasks_get(t, tid) : NULL;
}

int st_tracecmd_tasks_set(struct st_tasks *t, int32_t tid, int32_t tgid, const char *comm,
			  size_t comm_len)
{
	return tid > 0 ? st_tasks_set(t, tid, tgid, comm, comm_len) : 0;
}

static void from_proc(void *ctx, int tgid, int tid, const char *comm)
{
	st_tracecmd_tasks_set(ctx, tid, tgid, comm, strlen(comm));
}

int st_tracecmd_tasks_from_proc(struct st_tasks *t)
{
	return st_proc_tasks(from_proc, t);
}

void *st_tracecmd_tasks_encode(const struct st_tasks *t, uint32_t *len)
{
	uint32_t i = 0, n = 0;
	uint8_t *blob = malloc(4 + (size_t)t->used * sizeof(struct tc_task_rec));
	const struct st_task *e;

	if (!blob)
		return NULL;
	while ((e = st_tasks_next(t, &i))) {
		struct tc_task_rec r;

		memset(&r, 0, sizeof(r));
		r.tid = e->tid;
		r.tgid = e->tgid;
		memcpy(r.comm, e->comm, TC_COMM_LEN);
		memcpy(blob + 4 + (size_t)n * sizeof(r), &r, sizeof(r));
		n++;
	}
	memcpy(blob, &n, 4);
	*len = 4 + n * (uint32_t)sizeof(struct tc_task_rec);
	return blob;
}

int st_tracecmd_tasks_decode(struct st_tasks *t, const void *blob, uint64_t len)
{
	const uint8_t *p = blob;
	uint32_t n, i;

	if (len < 4)
		return -EINVAL;
	memcpy(&n, p, 4);
	if ((uint64_t)n * sizeof(struct tc_task_rec) > len - 4)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		struct tc_task_rec r;

		memcpy(&r, p + 4 + (size_t)i * sizeof(r), sizeof(r));
		if (st_tracecmd_tasks_set(t, r.tid, r.tgid, r.comm, TC_COMM_LEN) < 0)
			return -ENOMEM;
	}
	return 0;
}
