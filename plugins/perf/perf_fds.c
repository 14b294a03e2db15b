/* perf_fds.c - close many perf and BPF file descriptors at once (see
 * perf_int.h: each close of a tracepoint event running a BPF program waits
 * for an RCU grace period; from several threads the waits overlap). */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "plugins/perf/perf_int.h"

#define CLOSERS 16

struct slice {
	const int *fd;
	size_t n;
};

void st_perf_fds_add(struct st_perf_fds *f, int fd)
{
	if (fd < 0)
		return;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		int *n = realloc(f->fd, cap * sizeof(*n));

		if (!n) {
			close(fd);      /* no room to defer it: now */
			return;
		}
		f->fd = n;
		f->cap = cap;
	}
	f->fd[f->n++] = fd;
}

static void *close_slice(void *arg)
{
	const struct slice *s = arg;

	for (size_t i = 0; i < s->n; i++)
		close(s->fd[i]);
	return NULL;
}

void st_perf_fds_close(struct st_perf_fds *f)
{
	struct slice sl[CLOSERS];
	pthread_t th[CLOSERS];
	bool started[CLOSERS] = { false };
	size_t per = (f->n + CLOSERS - 1) / CLOSERS, at = 0;

	for (int t = 0; t < CLOSERS && at < f->n; t++, at += per) {
		sl[t] = (struct slice){ f->fd + at, f->n - at < per ? f->n - at : per };
		/* few fds, or no thread: this one closes them */
		if (f->n < 32 || pthread_create(&th[t], NULL, close_slice, &sl[t]) != 0)
			close_slice(&sl[t]);
		else
			started[t] = true;
	}
	for (int t = 0; t < CLOSERS; t++)
		if (started[t])
			pthread_join(th[t], NULL);
	free(f->fd);
	f->fd = NULL;
	f->n = f->cap = 0;
}
