/* suggest.c - the names a probe point could have meant (suggest.h): the
 * candidates are the built-in shapes and the aliases, walked component by
 * component; the closest names by edit distance where the point left them. */
#include <fnmatch.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "frontend/suggest.h"

#define MAXC 16   /* components of a candidate */

struct cand {
	char name[MAXC][64];
	uint32_t n;
};

struct cands {
	struct cand *v;
	uint32_t n;
};

static void cand_push(struct cands *c, const struct cand *x)
{
	struct cand *v = realloc(c->v, (c->n + 1) * sizeof *v);

	if (!v)
		return;
	c->v = v;
	c->v[c->n++] = *x;
}

/* "process(string).function(string)" -> process, function */
static void cand_from_type(struct cands *c, const char *t)
{
	struct cand x = { .n = 0 };

	while (*t && x.n < MAXC) {
		size_t n = strcspn(t, ".(");

		snprintf(x.name[x.n++], 64, "%.*s", (int)(n < 63 ? n : 63), t);
		/* syscall(string): syscall.NAME, any name */
		if (!strncmp(t, "syscall(", 8) || !strncmp(t, "nd_syscall(", 11))
			snprintf(x.name[x.n++], 64, "*");
		t += n;
		if (*t == '(')
			t += strcspn(t, ")") + (t[strcspn(t, ")")] ? 1 : 0);
		if (*t == '.')
			t++;
	}
	cand_push(c, &x);
}

static void cand_from_point(struct cands *c, const struct st_probe_point *p)
{
	struct cand x = { .n = 0 };
	uint32_t i;

	for (i = 0; i < p->ncomp && i < MAXC; i++)
		snprintf(x.name[x.n++], 64, "%s", p->comp[i].name);
	cand_push(c, &x);
}

static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned *row = calloc(lb + 1, sizeof *row), d;

	if (!row)
		return ~0u;
	for (j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			unsigned up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

static bool comp_match(const char *pat, const char *name)
{
	return !strcmp(pat, name) || !strcmp(name, "*") || fnmatch(pat, name, 0) == 0;
}

struct scored { unsigned d; const char *s; };

static int cmp_scored(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;

	return x->d != y->d ? (x->d < y->d ? -1 : 1) : strcmp(x->s, y->s);
}

/* The five names at level k closest to want, distinct, as "a, b, c". */
static void similar(const struct cands *c, const bool *live, uint32_t k, const char *want, char *out, size_t outsz)
{
	struct scored *s = calloc(c->n + 1, sizeof *s);
	uint32_t i, j, n = 0, shown = 0;
	size_t len = 0;

	if (!s)
		return;
	for (i = 0; i < c->n; i++) {
		if (!live[i] || c->v[i].n <= k || !strcmp(c->v[i].name[k], "*"))
			continue;
		for (j = 0; j < n && strcmp(s[j].s, c->v[i].name[k]); j++)
			;
		if (j == n)
			s[n++] = (struct scored){ edit_distance(want, c->v[i].name[k]), c->v[i].name[k] };
	}
	qsort(s, n, sizeof *s, cmp_scored);
	out[0] = 0;
	for (i = 0; i < n && shown < 5 && len + 2 < outsz; i++, shown++)
		len += (size_t)snprintf(out + len, outsz - len, "%s%s", shown ? ", " : "", s[i].s);
	free(s);
}

uint32_t st_point_mismatch(const struct st_program *prog, const char *const *types, const struct st_probe_point *pt,
			   char *msg, size_t msgsz)
{
	struct cands c = { 0 };
	bool *live;
	uint32_t i, j, k;
	char sim[512];

	for (i = 0; types && types[i]; i++)
		cand_from_type(&c, types[i]);
	for (i = 0; i < prog->nprobes; i++)
		for (j = 0; prog->probes[i]->is_alias && j < prog->probes[i]->nalias_names; j++)
			cand_from_point(&c, prog->probes[i]->alias_names[j]);
	live = calloc(c.n + 1, sizeof *live);
	snprintf(msg, msgsz, "no match");
	for (i = 0; live && i < c.n; i++)
		live[i] = true;
	for (k = 0; live && k < pt->ncomp && k < MAXC; k++) {
		bool any = false;

		for (i = 0; i < c.n; i++)
			if (live[i] && c.v[i].n > k && comp_match(pt->comp[k].name, c.v[i].name[k]))
				any = true;
		if (!any) {
			similar(&c, live, k, pt->comp[k].name, sim, sizeof sim);
			if (sim[0])
				snprintf(msg, msgsz, "probe point mismatch (similar: %s)", sim);
			free(live);
			free(c.v);
			return sim[0] ? k : 0;
		}
		for (i = 0; i < c.n; i++)
			live[i] = live[i] && c.v[i].n > k && comp_match(pt->comp[k].name, c.v[i].name[k]);
	}
	free(live);
	free(c.v);
	return 0;
}
