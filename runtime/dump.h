/* dump.h - the --dump-probe-types, --dump-probe-aliases and --dump-functions
 * listings: what this staplet offers, one sorted line each, in stap's forms
 *   kernel.trace(string)
 *   scheduler.cpu_off = kernel.trace("sched:sched_switch")
 *   strlen:long (arg1:string)
 */
#ifndef ST_RUNTIME_DUMP_H
#define ST_RUNTIME_DUMP_H

#include <stdio.h>
#include "frontend/ast.h"

enum st_dump_what {
	ST_DUMP_PROBE_TYPES = 1,
	ST_DUMP_PROBE_ALIASES,
	ST_DUMP_FUNCTIONS,
};

/* prog: the parsed tapset (an empty script); 0 or -ENOMEM. */
int st_dump(FILE *out, enum st_dump_what what, const struct st_program *prog);

#endif
