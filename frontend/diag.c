/* diag.c - stap-shaped error and warning messages. */
#include <stdlib.h>
#include <string.h>
#include "frontend/diag.h"

void st_diag_add_file(struct st_diag *d, const char *name, const char *text)
{
	d->files = realloc(d->files, (d->nfiles + 1) * sizeof *d->files);
	if (!d->files)
		abort();
	d->files[d->nfiles].name = name;
	d->files[d->nfiles].text = text;
	d->nfiles++;
}

/* Print the line `loc` points into, then a caret under its column; `indent`
 * is the width of the "source: " label so the caret lines up. */
static void print_source(struct st_diag *d, const struct st_loc *loc, int indent)
{
	const char *text = NULL, *p;
	uint32_t i, line = 1;

	for (i = d->nfiles; i-- > 0;)
		if (loc->file && strcmp(d->files[i].name, loc->file) == 0) {
			text = d->files[i].text;
			break;
		}
	if (!text || loc->line == 0)
		return;
	for (p = text; *p && line < loc->line; p++)
		if (*p == '\n')
			line++;
	fprintf(d->out, "%*s", indent - 8, "");
	fputs("source: ", d->out);
	while (*p && *p != '\n')
		fputc(*p++, d->out);
	fprintf(d->out, "\n%*s^\n", indent + (int)loc->col - 1, "");
}

/* stap prints the file of a semantic location only when it differs from
 * the last one printed (it erases the name's first occurrence in the
 * location text, which this reproduces). */
/* The macro invocations a token came through, innermost first. */
static void print_expansions(struct st_diag *d, const struct st_loc *loc, int indent)
{
	for (const struct st_expansion *x = loc->expansion; x; x = x->loc.expansion) {
		fprintf(d->out, "\tin expansion of macro: %s at %s:%u:%u\n", x->desc,
			x->loc.file ? x->loc.file : "", x->loc.line, x->loc.col);
		print_source(d, &x->loc, indent);
	}
}

static void print_sem_loc(struct st_diag *d, const char *desc, const struct st_loc *loc)
{
	char *txt = NULL, *hit;
	const char *file = loc->file ? loc->file : "";

	if (asprintf(&txt, "%s at %s:%u:%u", desc, file, loc->line, loc->col) < 0)
		abort();
	if (d->last_file && *file && !strcmp(d->last_file, file) && (hit = strstr(txt, file)))
		memmove(hit, hit + strlen(file), strlen(hit + strlen(file)) + 1);
	fputs(txt, d->out);
	free(txt);
	d->last_file = loc->file;
}

bool st_diag_error(struct st_diag *d, const char *kind, const char *lead, const char *desc,
		   const struct st_loc *loc, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL, *key = NULL;
	uint32_t i;
	int n;

	d->errors++;
	if (!d->out)
		return false;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0 || (d->site && asprintf(&key, "%s\x1f%s", msg, d->site) < 0))
		abort();
	/* stap reports a message once ("Number of similar error messages
	 * suppressed"), whatever its location: a typo repeated fifty times
	 * gives one block. */
	if (!key)
		key = strdup(msg);
	for (i = 0; i < d->nseen && !d->no_dedupe; i++)
		if (!strcmp(d->seen[i], key)) {
			d->suppressed++;
			free(msg);
			free(key);
			return false;
		}
	d->seen = realloc(d->seen, (d->nseen + 1) * sizeof *d->seen);
	if (!d->seen)
		abort();
	d->seen[d->nseen++] = key;
	fprintf(d->out, "%s: %s", kind, msg);
	if (!desc || !loc)
		fputc('\n', d->out);
	else if (lead) {
		fprintf(d->out, "\n%11s: %s at %s:%u:%u\n", lead, desc, loc->file, loc->line, loc->col);
		print_source(d, loc, 13);
		print_expansions(d, loc, 13);
	} else {
		fputs(": ", d->out);
		print_sem_loc(d, desc, loc);
		fputc('\n', d->out);
		print_source(d, loc, 16);
		print_expansions(d, loc, 16);
	}
	fputc('\n', d->out);   /* stap ends every error with an empty line */
	free(msg);
	return true;
}

/* Remember text; false when it was seen before. */
static bool first_time(char ***seen, uint32_t *n, const char *text)
{
	uint32_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*seen)[i], text))
			return false;
	*seen = realloc(*seen, (*n + 1) * sizeof **seen);
	if (!*seen)
		abort();
	(*seen)[(*n)++] = strdup(text);
	return true;
}

void st_diag_warning(struct st_diag *d, const char *desc, const struct st_loc *loc, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	int n;

	if (d->quiet_warnings || !d->out)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	if (!first_time(&d->wseen, &d->nwseen, msg)) {
		d->wsuppressed++;
		free(msg);
		return;
	}
	d->warnings++;
	fprintf(d->out, "WARNING: %s", msg);
	free(msg);
	if (desc && loc) {
		fputs(": ", d->out);
		print_sem_loc(d, desc, loc);
		fputc('\n', d->out);
		print_source(d, loc, 9);
	} else
		fputc('\n', d->out);
}

void st_diag_summary(struct st_diag *d)
{
	if (d->out && d->wsuppressed)
		fprintf(d->out, "Number of similar warning messages suppressed: %d.\nRerun with -v to see them.\n",
			d->wsuppressed);
}

void st_diag_free(struct st_diag *d)
{
	uint32_t i;

	for (i = 0; i < d->nseen; i++)
		free(d->seen[i]);
	free(d->seen);
	d->seen = NULL;
	d->nseen = 0;
	for (i = 0; i < d->nwseen; i++)
		free(d->wseen[i]);
	free(d->wseen);
	d->wseen = NULL;
	d->nwseen = 0;
	free(d->files);
	d->files = NULL;
	d->nfiles = 0;
}
