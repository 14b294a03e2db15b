/* dump.c - the --dump-* listings (dump.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/base_types.h"
#include "frontend/parser.h"
#include "lowering/families.h"
#include "runtime/dump.h"
#include "tapset/builtins.h"

struct lines {
	char **v;
	size_t n, cap;
	bool oom;
};

static void lines_add(struct lines *l, char *s)
{
	if (!s || l->oom) {
		l->oom = true;
		free(s);
		return;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->oom = true;
			free(s);
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, each line once; frees the lines. */
static int lines_print(FILE *out, struct lines *l)
{
	qsort(l->v, l->n, sizeof(*l->v), cmp_line);
	for (size_t i = 0; i < l->n; i++)
		if (!l->oom && (!i || strcmp(l->v[i], l->v[i - 1])))
			fprintf(out, "%s\n", l->v[i]);
	for (size_t i = 0; i < l->n; i++)   /* after: each line is compared with the one before */
		free(l->v[i]);
	free(l->v);
	return l->oom ? -ENOMEM : 0;
}

static const char *type_or_unknown(enum st_type t)
{
	return t == ST_T_LONG || t == ST_T_STRING ? st_type_name(t) : "unknown";
}

static char *function_line(const struct st_function *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	fprintf(m, "%s:%s (", f->name, type_or_unknown(f->declared));
	for (uint32_t i = 0; i < f->nparams; i++)
		fprintf(m, "%s%s:%s", i ? ", " : "", f->params[i].name, type_or_unknown(f->params[i].declared));
	fputc(')', m);
	fclose(m);
	return buf;
}

static char *builtin_line(const struct st_builtin *b)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	fprintf(m, "%s:%s (", b->name, type_or_unknown(b->ret));
	for (int i = 0; i < b->nargs; i++) {
		const char *pn = st_builtin_param_name(b, i);

		if (pn)
			fprintf(m, "%s%s:%s", i ? ", " : "", pn, type_or_unknown(b->arg[i]));
		else
			fprintf(m, "%sarg%d:%s", i ? ", " : "", i + 1, type_or_unknown(b->arg[i]));
	}
	fputc(')', m);
	fclose(m);
	return buf;
}

/* Functions a script may call: the tapset's public ones and the builtins. */
static void dump_functions(struct lines *l, const struct st_program *prog)
{
	for (uint32_t i = 0; i < prog->nfuncs; i++) {
		const struct st_function *f = prog->funcs[i];

		if (f->is_tapset && !f->is_private && f->name[0] != '_')
			lines_add(l, function_line(f));
	}
	for (int i = 0; i < ST_BI_COUNT; i++)
		if (st_builtins[i].name[0] != '_')
			lines_add(l, builtin_line(&st_builtins[i]));
}

static char *alias_line(struct st_fe_pool *pool, const struct st_probe *a, const struct st_probe_point *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	fprintf(m, "%s %s ", st_point_str(pool, name, false), a->alias_epilogue ? "+=" : "=");
	for (uint32_t i = 0; i < a->npoints; i++)
		fprintf(m, "%s%s", i ? ", " : "", st_point_str(pool, a->points[i], true));
	fclose(m);
	return buf;
}

static void dump_aliases(struct lines *l, const struct st_program *prog)
{
	for (uint32_t i = 0; i < prog->nprobes; i++) {
		const struct st_probe *a = prog->probes[i];

		for (uint32_t j = 0; a->is_alias && j < a->nalias_names; j++)
			lines_add(l, alias_line(prog->pool, a, a->alias_names[j]));
	}
}

int st_dump(FILE *out, enum st_dump_what what, const struct st_program *prog)
{
	struct lines l = { 0 };

	switch (what) {
	case ST_DUMP_PROBE_TYPES:
		for (const char *const *t = st_family_probe_types(); *t; t++)
			lines_add(&l, strdup(*t));
		break;
	case ST_DUMP_PROBE_ALIASES:
		dump_aliases(&l, prog);
		break;
	case ST_DUMP_FUNCTIONS:
		dump_functions(&l, prog);
		break;
	}
	return lines_print(out, &l);
}
