/* taskctx.h - the task context a companion source captured at each event
 * (lowering/taskctx.h), kept per tid for the handlers of the event that
 * follows it: uid(), ppid(), pexecname(), cmdline_str() ... answer from
 * here, live and replayed alike. */
#ifndef ST_RUNTIME_TASKCTX_H
#define ST_RUNTIME_TASKCTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lowering/plan.h"
#include "runtime/event.h"

struct st_vm;
struct st_taskctx;

/* NULL when the plan has no companion source. */
struct st_taskctx *st_taskctx_new(const struct st_plan *plan);
void st_taskctx_free(struct st_taskctx *t);
/* An event of a companion: its record is kept for its tid (true; no
 * probe runs for it).  False for any other event. */
bool st_taskctx_event(struct st_taskctx *t, const struct st_event *ev);
/* Item `item` (enum st_taskctx_item) for the handler's event, when its
 * source's companion captured it just before: 1 with *n (numbers) or
 * *s and *len (pexecname, the raw command line with its NULs), -1 when the
 * read faulted at the event, 0 when nothing was captured. */
int st_taskctx_get(const struct st_vm *vm, unsigned item, int64_t *n, const char **s, size_t *len);

/* Whether the backend delivered records of the companion of the
 * handler's source (a backend without BPF delivers none). */
bool st_taskctx_served(const struct st_vm *vm);

#endif
