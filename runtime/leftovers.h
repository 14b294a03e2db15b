/* leftovers.h - what staplet runs that died (SIGKILL, crash, power cut of
 * the tool only) left in the kernel: tracefs instances staplet_<pid>_<n>,
 * some still tracing with events enabled, and dynamic events (uprobes,
 * kprobes) in groups staplet_<pid>.  Every run of either backend removes
 * them before it attaches anything. */
#ifndef ST_RUNTIME_LEFTOVERS_H
#define ST_RUNTIME_LEFTOVERS_H

/* Remove every object whose owning pid no longer exists: instances first
 * (an event enabled in one cannot be deleted), then the dynamic events.
 * Returns how many objects were removed. */
int st_leftovers_remove(void);

#endif
