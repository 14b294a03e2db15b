/* base_err.c - error messages handed up through char **err. */
#include <stdio.h>
#include <stdlib.h>
#include "frontend/base_err.h"

int st_verr(char **err, int rc, const char *fmt, va_list ap)
{
	char *m = NULL;

	if (!err)
		return rc;
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	free(*err);
	*err = m;
	return rc;
}

int st_err(char **err, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = st_verr(err, rc, fmt, ap);
	va_end(ap);
	return rc;
}
