/* tasks.h - the backends' task table: tid -> (tgid, comm), kept current by
 * replaying the task records/events in time order and seeded from /proc.
 *
 * An open-addressing hash with linear probing and a one-entry cache: the
 * lookup runs once per delivered event, so it must be a few instructions.
 */
#ifndef ST_RUNTIME_TASKS_H
#define ST_RUNTIME_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_COMM_LEN 16

struct st_task {
	int32_t tid;           /* 0 = empty slot; tid 0 itself lives in `zero` */
	int32_t tgid;
	char comm[ST_COMM_LEN];
};

struct st_tasks {
	struct st_task *slot;
	uint32_t mask;         /* capacity - 1 */
	uint32_t used;
	struct st_task *last;  /* one-entry cache: consecutive events share a tid */
	struct st_task zero;   /* tid 0, when `has_zero` */
	bool has_zero;
};

int st_tasks_init(struct st_tasks *t);
void st_tasks_free(struct st_tasks *t);
/* The entry of tid (>= 0), or NULL. */
struct st_task *st_tasks_get(struct st_tasks *t, int32_t tid);
/* Add or update tid: tgid always, comm when not NULL (its first
 * min(comm_len, 15) bytes up to a NUL).  0, or -ENOMEM (the table keeps
 * what it had). */
int st_tasks_set(struct st_tasks *t, int32_t tid, int32_t tgid, const char *comm, size_t comm_len);
/* Walk the entries (tid 0 excluded): start with *i = 0; NULL at the end. */
struct st_task *st_tasks_next(const struct st_tasks *t, uint32_t *i);

/* Every thread in /proc: fn(ctx, tgid, tid, comm), tgid the /proc/PID it
 * is listed under.  0, or -errno when /proc cannot be read. */
int st_proc_tasks(void (*fn)(void *ctx, int tgid, int tid, const char *comm), void *ctx);

#endif
