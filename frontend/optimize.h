/* optimize.h - pass 2's elision, as stap does it before type inference:
 * assignments to locals nobody reads, side-effect-free expression
 * statements, empty control statements, probes left with no body, and
 * functions no probe reaches; with stap's warnings ("never-assigned local
 * variable", "Eliding assignment to", "Eliding side-effect-free
 * expression", "Probe 'X' has been elided").  Skipped under -u. */
#ifndef ST_FRONTEND_OPTIMIZE_H
#define ST_FRONTEND_OPTIMIZE_H

#include <stdint.h>
#include "frontend/elab.h"

void st_optimize(struct elab *E);
/* stap's "(similar: a, b)" list: up to max names of names[] closest to
 * target by edit distance (ties alphabetical), ", "-joined into buf; ""
 * when none is close enough. */
void st_similar(const char *target, const char *const *names, uint32_t n, uint32_t max,
		char *buf, size_t size);

#endif
