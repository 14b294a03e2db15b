/* merge.h - the time-ordered merge of per-CPU (or per-run) inputs that both
 * backends read: a min-heap of inputs keyed by the time of each one's
 * current record, equal times in input order, so the merged order is the
 * same whichever backend reads the events.
 */
#ifndef ST_RUNTIME_MERGE_H
#define ST_RUNTIME_MERGE_H

#include <stdbool.h>
#include <stdint.h>

struct st_merge {
	uint32_t *heap;     /* input numbers; heap[0] is the earliest */
	uint64_t *time;     /* per input: its current record's time */
	uint32_t n, ninputs;
};

/* Room for inputs 0..ninputs-1, none queued: 0 or -ENOMEM. */
int st_merge_init(struct st_merge *m, uint32_t ninputs);
void st_merge_free(struct st_merge *m);
/* Queue input i (not queued) whose current record is at `time`. */
void st_merge_push(struct st_merge *m, uint32_t i, uint64_t time);
/* Dequeue the earliest input and return it (the merge is not empty). */
uint32_t st_merge_pop(struct st_merge *m);
/* The earliest input moved on to a record at `time`: re-order it. */
void st_merge_retime_top(struct st_merge *m, uint64_t time);

static inline uint32_t st_merge_count(const struct st_merge *m) { return m->n; }
/* The earliest input and its time (the merge is not empty). */
static inline uint32_t st_merge_top(const struct st_merge *m) { return m->heap[0]; }
static inline uint64_t st_merge_top_time(const struct st_merge *m) { return m->time[m->heap[0]]; }

#endif
