/* base_err.h - the one way a layer hands an error message up: a malloc'd
 * string in *err, which the caller prints and frees. */
#ifndef ST_FRONTEND_BASE_ERR_H
#define ST_FRONTEND_BASE_ERR_H

#include <stdarg.h>

/* Replace *err (freed) with the formatted message and return rc; with a
 * NULL err only rc.  A failed allocation leaves *err NULL. */
int st_err(char **err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int st_verr(char **err, int rc, const char *fmt, va_list ap);

#endif
