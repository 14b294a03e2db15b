/* tasks.c - the tid -> (tgid, comm) table and the /proc walk that seeds it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/tasks.h"

static uint32_t hash_tid(int32_t tid)
{
	return (uint32_t)tid * 2654435761u;
}

int st_tasks_init(struct st_tasks *t)
{
	memset(t, 0, sizeof(*t));
	t->slot = calloc(1024, sizeof(*t->slot));
	if (!t->slot)
		return -ENOMEM;
	t->mask = 1023;
	return 0;
}

void st_tasks_free(struct st_tasks *t)
{
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

struct st_task *st_tasks_get(struct st_tasks *t, int32_t tid)
{
	uint32_t i;

	if (t->last && t->last->tid == tid)
		return t->last;
	if (tid == 0)
		return t->has_zero ? &t->zero : NULL;
	if (tid < 0 || !t->slot)
		return NULL;
	for (i = hash_tid(tid) & t->mask;; i = (i + 1) & t->mask) {
		struct st_task *s = &t->slot[i];

		if (s->tid == tid)
			return t->last = s;
		if (!s->tid)
			return NULL;
	}
}

static int grow(struct st_tasks *t)
{
	uint32_t mask = t->mask * 2 + 1, i, j;
	struct st_task *slot = calloc((size_t)mask + 1, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (i = 0; i <= t->mask; i++) {
		if (!t->slot[i].tid)
			continue;
		for (j = hash_tid(t->slot[i].tid) & mask; slot[j].tid; j = (j + 1) & mask)
			;
		slot[j] = t->slot[i];
	}
	free(t->slot);
	t->slot = slot;
	t->mask = mask;
	t->last = NULL;
	return 0;
}

static struct st_task *add(struct st_tasks *t, int32_t tid)
{
	uint32_t i;

	if (tid == 0) {
		t->has_zero = true;
		t->zero.comm[0] = 0;
		return &t->zero;
	}
	if (!t->slot || ((t->used + 1) * 4 > (t->mask + 1) * 3 && grow(t) < 0))
		return NULL;
	for (i = hash_tid(tid) & t->mask; t->slot[i].tid; i = (i + 1) & t->mask)
		;
	t->slot[i].tid = tid;
	t->slot[i].comm[0] = 0;
	t->used++;
	return t->last = &t->slot[i];
}

int st_tasks_set(struct st_tasks *t, int32_t tid, int32_t tgid, const char *comm, size_t comm_len)
{
	struct st_task *s;

	if (tid < 0)
		return 0;
	s = st_tasks_get(t, tid);
	if (!s && !(s = add(t, tid)))
		return -ENOMEM;
	s->tgid = tgid;
	if (comm) {
		size_t n = strnlen(comm, comm_len < ST_COMM_LEN ? comm_len : ST_COMM_LEN - 1);

		memcpy(s->comm, comm, n);
		s->comm[n] = 0;
	}
	return 0;
}

struct st_task *st_tasks_next(const struct st_tasks *t, uint32_t *i)
{
	for (; t->slot && *i <= t->mask; (*i)++)
		if (t->slot[*i].tid)
			return &t->slot[(*i)++];
	return NULL;
}

/* ---- /proc ---- */

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

static void scan_threads(int procfd, int tgid, void (*fn)(void *, int, int, const char *), void *ctx)
{
	char path[64], comm[ST_COMM_LEN + 2];
	struct dirent *de;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "%d/task", tgid);
	fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;    /* the process exited meanwhile */
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
			fn(ctx, tgid, tid, comm);
	}
	closedir(d);
}

int st_proc_tasks(void (*fn)(void *ctx, int tgid, int tid, const char *comm), void *ctx)
{
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int pid = parse_pid(de->d_name);

		if (pid > 0)
			scan_threads(dirfd(d), pid, fn, ctx);
	}
	closedir(d);
	return 0;
}
