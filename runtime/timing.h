/* timing.h - -t: how long each probe's handler ran, and stap's report of it
 * at the end of the run:
 *   ----- probe hit report: 
 *   PP, (FILE:LINE:COL), hits: N, nsecs: MINmin/AVGavg/MAXmax, variance: V, from: PN, index: I
 * The handlers run in this process, so the figures are nanoseconds of
 * handler time (stap's user-space runtime says "nsecs" too), not the
 * kernel module's cycles. */
#ifndef ST_RUNTIME_TIMING_H
#define ST_RUNTIME_TIMING_H

#include <stdint.h>
#include <stdio.h>
#include "lowering/plan.h"

struct st_timing;

/* NULL when out of memory. */
struct st_timing *st_timing_new(uint32_t nprobes);
void st_timing_free(struct st_timing *t);
/* One run of probe's handler that took ns nanoseconds. */
void st_timing_add(struct st_timing *t, uint32_t probe, int64_t ns);
/* The report: probes that ran, in plan order. */
void st_timing_report(FILE *out, const struct st_timing *t, const struct st_plan *plan);

#endif
