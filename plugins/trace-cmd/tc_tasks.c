/* tc_tasks.c - tid -> (tgid, comm), kept current by replaying the task
 * events; seeded from /proc (live, and the snapshot a recording stores).
 *
 * An open-addressing hash with linear probing: the lookup runs once per
 * delivered event, so it must be a few instructions.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "plugins/trace-cmd/tc_internal.h"

static uint32_t hash_tid(int32_t tid)
{
	return (uint32_t)tid * 2654435761u;
}

int st_tracecmd_tasks_init(struct tc_tasks *t)
{
	memset(t, 0, sizeof(*t));
	t->slot = calloc(1024, sizeof(*t->slot));
	if (!t->slot)
		return -ENOMEM;
	t->mask = 1023;
	return 0;
}

void st_tracecmd_tasks_free(struct tc_tasks *t)
{
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

struct tc_task *st_tracecmd_tasks_get(struct tc_tasks *t, int32_t tid)
{
	uint32_t i;

	if (t->last && t->last->tid == tid)
		return t->last;
	if (tid <= 0 || !t->slot)
		return NULL;
	for (i = hash_tid(tid) & t->mask;; i = (i + 1) & t->mask) {
		struct tc_task *s = &t->slot[i];

		if (s->tid == tid)
			return t->last = s;
		if (!s->tid)
			return NULL;
	}
}

static int grow(struct tc_tasks *t)
{
	struct tc_tasks n;
	uint32_t i;

	n.mask = t->mask * 2 + 1;
	n.slot = calloc((size_t)n.mask + 1, sizeof(*n.slot));
	if (!n.slot)
		return -ENOMEM;
	n.used = 0;
	n.last = NULL;
	for (i = 0; i <= t->mask; i++) {
		struct tc_task *s = &t->slot[i];
		uint32_t j;

		if (!s->tid)
			continue;
		for (j = hash_tid(s->tid) & n.mask; n.slot[j].tid; j = (j + 1) & n.mask)
			;
		n.slot[j] = *s;
		n.used++;
	}
	free(t->slot);
	*t = n;
	return 0;
}

int st_tracecmd_tasks_set(struct tc_tasks *t, int32_t tid, int32_t tgid, const char *comm,
			  size_t comm_len)
{
	struct tc_task *s;
	uint32_t i;

	if (tid <= 0)
		return 0;      /* the idle tasks are named apart */
	s = st_tracecmd_tasks_get(t, tid);
	if (!s) {
		if ((t->used + 1) * 4 > (t->mask + 1) * 3 && grow(t) < 0)
			return -ENOMEM;
		for (i = hash_tid(tid) & t->mask; t->slot[i].tid; i = (i + 1) & t->mask)
			;
		s = &t->slot[i];
		s->tid = tid;
		s->comm[0] = 0;
		t->used++;
		t->last = s;
	}
	s->tgid = tgid;
	if (comm) {
		size_t n = strnlen(comm, comm_len < TC_COMM_LEN ? comm_len : TC_COMM_LEN - 1);

		memcpy(s->comm, comm, n);
		s->comm[n] = 0;
	}
	return 0;
}

static int read_small(int dirfd, const char *path, char *buf, size_t sz)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sz - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = 0;
	return (int)n;
}

static int parse_pid(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	return *end || v <= 0 || v > 0x7fffffff ? -1 : (int)v;
}

static void scan_threads(struct tc_tasks *t, int procfd, int tgid)
{
	char path[64], comm[TC_COMM_LEN + 2];
	struct dirent *de;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "%d/task", tgid);
	fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		int tid = parse_pid(de->d_name);

		if (tid < 0)
			continue;
		snprintf(path, sizeof(path), "%d/comm", tid);
		if (read_small(dirfd(d), path, comm, sizeof(comm)) >= 0)
			st_tracecmd_tasks_set(t, tid, tgid, comm, sizeof(comm));
	}
	closedir(d);
}

int st_tracecmd_tasks_from_proc(struct tc_tasks *t)
{
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int pid = parse_pid(de->d_name);

		if (pid > 0)
			scan_threads(t, dirfd(d), pid);
	}
	closedir(d);
	return 0;
}

void *st_tracecmd_tasks_encode(const struct tc_tasks *t, uint32_t *len)
{
	uint32_t i, n = 0;
	uint8_t *blob = malloc(4 + (size_t)t->used * sizeof(struct tc_task_rec));

	if (!blob)
		return NULL;
	for (i = 0; i <= t->mask && t->slot; i++) {
		struct tc_task_rec r;

		if (!t->slot[i].tid)
			continue;
		memset(&r, 0, sizeof(r));
		r.tid = t->slot[i].tid;
		r.tgid = t->slot[i].tgid;
		memcpy(r.comm, t->slot[i].comm, TC_COMM_LEN);
		memcpy(blob + 4 + (size_t)n * sizeof(r), &r, sizeof(r));
		n++;
	}
	memcpy(blob, &n, 4);
	*len = 4 + n * (uint32_t)sizeof(struct tc_task_rec);
	return blob;
}

int st_tracecmd_tasks_decode(struct tc_tasks *t, const void *blob, uint64_t len)
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
