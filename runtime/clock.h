/* clock.h - the two clock readings every layer needs.
 *
 * Event times are CLOCK_MONOTONIC nanoseconds (perf events use that clockid,
 * trace-cmd instances trace_clock "mono"); wall time is derived from them by
 * one offset taken at start.
 */
#ifndef ST_RUNTIME_CLOCK_H
#define ST_RUNTIME_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC now, in nanoseconds. */
static inline uint64_t st_clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, in nanoseconds: add it to an event time
 * for the wall-clock time. */
static inline int64_t st_clock_wall_offset_ns(void)
{
	struct timespec m, w;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &w);
	return ((int64_t)w.tv_sec - m.tv_sec) * 1000000000ll + (w.tv_nsec - m.tv_nsec);
}

#endif
