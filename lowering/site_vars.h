/* site_vars.h - context variables at a dynamic probe site: a uprobe
 * (family_process.c) or a kprobe (kprobe_ctx.c).  Each family describes
 * its sites with st_site_ops; reading `$name`, a parameter at the entry of
 * a .return probe and the paired entry point are the same logic over
 * either.  Field names go to the caller's buffer.
 */
#ifndef ST_LOWERING_SITE_VARS_H
#define ST_LOWERING_SITE_VARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "lowering/families.h"

struct st_site_ops {
	/* the site a point probes (fp->usite or fp->ksite); NULL when none */
	const void *(*site)(const struct st_family_point *fp);
	bool (*is_return)(const void *site);
	/* a .return site's paired entry site (made on first use); NULL when none */
	const void *(*entry)(const void *site);
	/* the field and fetch spec of variable `name` (no '$') at the site;
	 * false when the site cannot fetch it */
	bool (*fetch)(const void *site, const char *name, char *field, size_t flen, char *spec, size_t slen);
	/* $$parms $$return $x$ ...: as st_family_pretty */
	int (*pretty)(const struct st_family_point *fp, const char *name, char *fmt, size_t flen,
		      char targets[][64], uint32_t max);
	/* make fp a point at site (its site pointer and event name) */
	void (*point_at)(struct st_family_point *fp, const void *site);
};

/* `$name` at a .return point that is a parameter read at the entry. */
bool st_site_entry_var(const struct st_site_ops *o, const struct st_family_point *fp, const char *target);
/* The .return point's paired entry point; -ENOENT when none. */
int st_site_entry_point(const struct st_site_ops *o, const struct st_family_point *ret, struct st_family_point *entry);
/* How `$name` reads at fp (st_family_var): *field may point into fbuf. */
enum st_ctxvar_kind st_site_var(const struct st_site_ops *o, const struct st_family_point *fp, const char *name,
				char *fbuf, size_t flen, const char **field, enum st_type *type);
/* The field and fetch spec of `target` ("$x") at fp's own site; false
 * when it is no variable the site can fetch. */
bool st_site_fetch(const struct st_site_ops *o, const struct st_family_point *fp, const char *target, char *field,
		   size_t flen, char *spec, size_t slen);
/* One "name=%#x" of a pretty form ($$parms ...), or "name=?" when the site
 * cannot fetch it, to f; "$name" goes to targets[*n] while *n < max. */
void st_site_pretty_one(const struct st_site_ops *o, const void *site, const char *name, FILE *f,
			char targets[][64], uint32_t max, uint32_t *n);

#endif
