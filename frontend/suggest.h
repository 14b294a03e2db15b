/* suggest.h - stap's second error for a probe point that resolves to
 * nothing: "probe point mismatch (similar: a, b, ...)" at the first
 * component no known point or alias has there, or "no match". */
#ifndef ST_FRONTEND_SUGGEST_H
#define ST_FRONTEND_SUGGEST_H

#include <stddef.h>
#include "frontend/ast.h"

/* types: the built-in point shapes ("timer.s(number)", NULL-terminated; may
 * be NULL); the program's aliases are candidates too.  Fills msg and
 * returns the index of the component it is about (0 for "no match"). */
uint32_t st_point_mismatch(const struct st_program *prog, const char *const *types, const struct st_probe_point *pt,
			   char *msg, size_t msgsz);

#endif
