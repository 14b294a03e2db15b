/* dynevent.h - tracefs dynamic events (uprobes) a run creates for its plan,
 * shared by both backends.
 *
 * Plans and recordings name our uprobe events "staplet:EVENT"; live they
 * exist as "staplet_<pid>:EVENT" so that concurrent runs do not collide and
 * the leftovers of a run that died (SIGKILL, crash) are recognisable: their
 * pid is gone, and the next run removes them.  Every event a run creates is
 * removed when its backend detaches, and at exit.
 */
#ifndef ST_RUNTIME_DYNEVENT_H
#define ST_RUNTIME_DYNEVENT_H

#include <stddef.h>
#include "lowering/source.h"

/* "staplet_<pid>" of this process. */
const char *st_dynevent_group(void);
/* The plan's system for a live system name: our group -> "staplet". */
const char *st_dynevent_logical_system(const char *sys);

/* Create the uprobe event of an ST_SRC_UPROBE source (idempotent within a
 * run); *sys gets the live group.  0 or -errno with *err set. */
int st_dynevent_create(const struct st_source *s, char *sys, size_t syslen, char **err);
/* Remove every event this run created (after its fds/instances are gone). */
void st_dynevent_remove_all(void);

#endif
