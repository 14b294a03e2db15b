/* diag.h - diagnostics printed in stap's shape, with the source line and a
 * caret.  The frontend keeps the text of every file it read so that a
 * location can always show its line. */
#ifndef ST_FRONTEND_DIAG_H
#define ST_FRONTEND_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include "frontend/ast.h"

struct st_diag_file { const char *name, *text; };

struct st_diag {
	FILE *out;
	struct st_diag_file *files;
	uint32_t nfiles;
	int errors, warnings;
	bool quiet_warnings;
	char **seen;            /* error messages printed: stap prints each text once */
	uint32_t nseen;
	int suppressed;         /* errors not printed for that reason */
	char **wseen;           /* warning texts printed (stap prints each once) */
	uint32_t nwseen;
	int wsuppressed;
	const char *last_file;
	const char *site;       /* stap dedupes by where it raised an error: callers with one text
				 * from two places name the place, so both print */
	bool no_dedupe;         /* print the next messages even if seen (a chained "first inferred here") */  /* file of the last semantic location printed */
};

void st_diag_add_file(struct st_diag *d, const char *name, const char *text);
/* kind: "parse error" / "semantic error"; lead: "saw" or "at" (parse errors)
 * or NULL (semantic: "MSG: DESC at LOC"); desc may be NULL (no location).
 * Semantic locations, like stap's, leave out the file name when it is the
 * file of the location printed before.  Returns false when the message was
 * not printed (a repeat, or no output). */
bool st_diag_error(struct st_diag *d, const char *kind, const char *lead, const char *desc,
		   const struct st_loc *loc, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void st_diag_warning(struct st_diag *d, const char *desc, const struct st_loc *loc,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* stap's closing lines: how many repeated warnings were not printed. */
void st_diag_summary(struct st_diag *d);
void st_diag_free(struct st_diag *d);

#endif
