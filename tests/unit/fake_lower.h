/* fake_lower.h - parse, elaborate and lower a script against the fake
 * catalog (tests/unit/fake_catalog.h): no root, no tracefs, no tapset. */
#ifndef ST_TESTS_FAKE_LOWER_H
#define ST_TESTS_FAKE_LOWER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/frontend.h"
#include "lowering/families.h"
#include "lowering/plan.h"
#include "tests/unit/fake_catalog.h"

/* 0 with *plan set (it may point into *prog: free the plan first), or -1
 * with *err set (malloc'd, or NULL).  *prog is set either way (or NULL). */
static int fake_lower(const char *text, struct st_program **prog, struct st_plan **plan, char **err)
{
	struct st_point_resolver resolver;
	struct st_compile_opts o;
	char *diag = NULL;
	size_t dlen = 0;
	int r = -1;

	*plan = NULL;
	*err = NULL;
	memset(&o, 0, sizeof(o));
	o.arch = "x86_64";
	o.kernel_release = "6.1.0";
	o.runtime = "kernel";
	o.diag = open_memstream(&diag, &dlen);
	st_resolver_init(&resolver, &fake_catalog);
	o.resolver = &resolver;
	*prog = st_parse("t.stp", text, &o);
	if (*prog && st_elaborate(*prog, &o) == 0 && st_lower(*prog, &fake_catalog, plan, err) == 0)
		r = 0;
	fclose(o.diag);
	free(diag);
	st_resolver_free(&resolver);
	return r;
}

#endif
