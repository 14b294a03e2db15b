/* proctree.h - processes as stap's process probes see them, from the task
 * tracepoints the plan carries (task:task_newtask, sched:sched_process_exit,
 * sched:sched_process_exec), live and replayed alike:
 *
 *  - with -c/-x, process probes without a pid fire only for the target and
 *    its descendants (the tree grows at each fork of a member);
 *  - process.begin / process.thread.begin fire once per new process / thread
 *    in its own context, and at start for those already running;
 *  - process.end fires once per process (its last thread's exit),
 *    process.thread.end once per exiting thread that is not the leader;
 *  - process("PATH").end/.thread.* only for processes running PATH.
 */
#ifndef ST_RUNTIME_PROCTREE_H
#define ST_RUNTIME_PROCTREE_H

#include <stdbool.h>
#include <stdint.h>
#include "lowering/plan.h"
#include "runtime/event.h"

struct tep_event;
struct st_proctree;

/* Runs probe `idx` with the event as its context. */
typedef void (*st_proctree_fire)(void *ctx, uint32_t idx, const struct st_event *ev);

/* NULL when the plan has no process probes.  format(source) gives the task
 * tracepoints' layouts; target is the -c/-x pid or 0. */
struct st_proctree *st_proctree_new(const struct st_plan *plan, struct tep_event *(*format)(void *arg, uint32_t source),
				    void *farg, int64_t target, bool live, st_proctree_fire fire, void *ctx);
void st_proctree_free(struct st_proctree *t);
/* After the begin probes: .begin probes of what already runs (live: from
 * /proc; replayed: the target). */
void st_proctree_start(struct st_proctree *t, uint64_t now);
/* Before an event's own probes: follow the task events, fire lifecycle
 * probes. */
void st_proctree_event(struct st_proctree *t, const struct st_event *ev);
/* Whether probe idx runs for this event (scope and lifecycle filters). */
bool st_proctree_allows(const struct st_proctree *t, uint32_t idx, const struct st_event *ev);

/* A process forked during the run: its parent's pid, and that parent's
 * name (NULL when unknown), after either is gone.  False when the run did
 * not see the fork. */
bool st_proctree_parent(const struct st_proctree *t, int32_t pid, int32_t *ppid, const char **pcomm);

#endif
