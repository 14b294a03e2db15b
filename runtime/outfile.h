/* outfile.h - a recording's file, created so that nobody else's file is
 * ever written: a fresh temporary (O_EXCL, mode 0600, never following a
 * link) in the output's own directory, renamed onto the output name (at
 * once by recorders that write in place, at the end by others). */
#ifndef ST_RUNTIME_OUTFILE_H
#define ST_RUNTIME_OUTFILE_H

#include <stdbool.h>

struct st_outfile {
	char *path;     /* the final name */
	char *tmp;      /* the temporary's name until published, then NULL */
	int fd;         /* read-write, close-on-exec */
};

/* 0 or -errno.  On failure *of holds nothing to release. */
int st_outfile_create(struct st_outfile *of, const char *path);
/* Rename the temporary onto the final name.  keep_old: a non-empty regular
 * file already there becomes PATH.old first, as perf record does.  A link
 * at PATH is replaced, never followed.  0 or -errno. */
int st_outfile_publish(struct st_outfile *of, bool keep_old);
/* Close the file; an unpublished temporary is removed. */
void st_outfile_close(struct st_outfile *of);
/* Close the file and remove it, published or not, if its name still
 * names it (a run that failed before writing anything). */
void st_outfile_discard(struct st_outfile *of);

#endif
