/* perf_backend.h - the perf plugin: live perf ring buffers, perf.data
 * recording and reading (runtime/backend.h). */
#ifndef ST_PLUGINS_PERF_BACKEND_H
#define ST_PLUGINS_PERF_BACKEND_H

#include "runtime/backend.h"

extern const struct st_backend st_perf_backend;

#endif
