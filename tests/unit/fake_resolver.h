/* fake_resolver.h - a probe-point resolver for frontend tests and the
 * frontend fuzz target: begin end error never, timer.*(N), and syscall.NAME
 * over four calls (open close read write) with `name`, `fd`/`$fd` and
 * `$filename`, so alias expansion, wildcards and context-variable types run
 * without a kernel catalog.
 *
 * Concrete points must outlive the programs that point at them; they are
 * kept until fake_resolver_release().
 */
#ifndef ST_TESTS_FAKE_RESOLVER_H
#define ST_TESTS_FAKE_RESOLVER_H

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/frontend.h"

static const char *const fake_syscalls[] = { "open", "close", "read", "write" };

static void **fake_owned;
static size_t fake_nowned;

static void *fake_own(void *p)
{
	fake_owned = realloc(fake_owned, (fake_nowned + 1) * sizeof *fake_owned);
	fake_owned[fake_nowned++] = p;
	return p;
}

/* Free every concrete point handed out so far. */
static inline void fake_resolver_release(void)
{
	while (fake_nowned)
		free(fake_owned[--fake_nowned]);
}

/* pp with its second component renamed n1 (when not NULL). */
static struct st_probe_point *fake_point(const struct st_probe_point *pp, const char *n1)
{
	struct st_probe_point *c = fake_own(calloc(1, sizeof *c));

	*c = *pp;
	c->comp = fake_own(calloc(pp->ncomp + 1, sizeof *c->comp));
	memcpy(c->comp, pp->comp, pp->ncomp * sizeof *c->comp);
	if (n1)
		c->comp[1].name = n1;
	return c;
}

static int fake_expand(void *ctx, const struct st_probe_point *pp,
		       int (*add)(void *, struct st_probe_point *), void *arg, char **err)
{
	const char *n = pp->comp[0].name;
	int k = 0;

	(void)ctx;
	(void)err;
	if ((!strcmp(n, "begin") || !strcmp(n, "end") || !strcmp(n, "error") || !strcmp(n, "never")) && pp->ncomp == 1)
		return add(arg, fake_point(pp, NULL)), 1;
	if (!strcmp(n, "timer") && pp->ncomp == 2 && pp->comp[1].has_arg)
		return add(arg, fake_point(pp, NULL)), 1;
	if (!strcmp(n, "syscall") && pp->ncomp >= 2 && pp->ncomp <= 3) {
		for (size_t i = 0; i < sizeof fake_syscalls / sizeof *fake_syscalls; i++)
			if (!fnmatch(pp->comp[1].name, fake_syscalls[i], 0)) {
				add(arg, fake_point(pp, fake_syscalls[i]));
				k++;
			}
		return k;
	}
	return 0;
}

static enum st_type fake_var_type(void *ctx, const struct st_probe_point *pp, const char *name, bool dollar)
{
	(void)ctx;
	if (strcmp(pp->comp[0].name, "syscall"))
		return ST_T_UNKNOWN;
	if (!dollar && !strcmp(name, "name"))
		return ST_T_STRING;
	if (!strcmp(name, dollar ? "$fd" : "fd"))
		return ST_T_LONG;
	if (dollar && (!strcmp(name, "$filename") || !strcmp(name, "$$name")))
		return ST_T_STRING;
	return ST_T_UNKNOWN;
}

static const struct st_point_resolver fake_resolver = { NULL, fake_expand, fake_var_type, NULL, NULL };

#endif
