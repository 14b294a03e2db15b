/* site_vars.c - context variables at a uprobe or kprobe site (site_vars.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "lowering/site_vars.h"

/* Room for a fetch spec: "+0(+8(%di)):u64", a DWARF location expression. */
#define SPEC_MAX 96

bool st_site_fetch(const struct st_site_ops *o, const struct st_family_point *fp, const char *target, char *field,
		   size_t flen, char *spec, size_t slen)
{
	const void *s = o->site(fp);

	return s && target[0] == '$' && target[1] != '$' && o->fetch(s, target + 1, field, flen, spec, slen);
}

bool st_site_entry_var(const struct st_site_ops *o, const struct st_family_point *fp, const char *target)
{
	const void *s = o->site(fp), *e;
	char field[ST_FIELD_NAME_MAX], spec[SPEC_MAX];

	if (!s || !o->is_return(s) || target[0] != '$' || target[1] == '$' || !strcmp(target, "$return"))
		return false;
	e = o->entry(s);
	return e && o->fetch(e, target + 1, field, sizeof(field), spec, sizeof(spec));
}

int st_site_entry_point(const struct st_site_ops *o, const struct st_family_point *ret, struct st_family_point *entry)
{
	const void *s = o->site(ret), *e = s ? o->entry(s) : NULL;

	if (!e)
		return -ENOENT;
	*entry = *ret;
	o->point_at(entry, e);
	entry->is_return = false;
	return 0;
}

enum st_ctxvar_kind st_site_var(const struct st_site_ops *o, const struct st_family_point *fp, const char *name,
				char *fbuf, size_t flen, const char **field, enum st_type *type)
{
	const void *s = o->site(fp);
	char spec[SPEC_MAX], fmt[8], t[1][64];

	if (!s || name[0] != '$')
		return ST_CTX_NONE;
	if (!strncmp(name, "$$", 2) || name[strlen(name) - 1] == '$') {
		/* pretty forms are strings lowering builds (st_family_pretty) */
		if (o->pretty(fp, name, fmt, 0, t, 1) < 0)
			return ST_CTX_NONE;
		*field = "";
		*type = ST_T_STRING;
		return ST_CTX_FIELD;
	}
	if (!o->fetch(s, name + 1, fbuf, flen, spec, sizeof(spec))) {
		if (!st_site_entry_var(o, fp, name))
			return ST_CTX_NONE;
		/* a parameter in a .return probe: its value at entry, which
		 * lowering takes from the paired entry probe (never this field) */
		snprintf(fbuf, flen, "entry_%s", name + 1);
	}
	*field = fbuf;
	*type = ST_T_LONG;
	return ST_CTX_FIELD;
}

void st_site_pretty_one(const struct st_site_ops *o, const void *site, const char *name, FILE *f,
			char targets[][64], uint32_t max, uint32_t *n)
{
	char field[ST_FIELD_NAME_MAX], spec[SPEC_MAX];

	if (*n < max && o->fetch(site, name, field, sizeof(field), spec, sizeof(spec))) {
		fprintf(f, "%s=%%#x", name);
		snprintf(targets[(*n)++], 64, "$%.60s", name);
	} else {
		fprintf(f, "%s=?", name);
	}
}
