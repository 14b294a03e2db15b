/* output.h - the script's output file (-o FILE), as stap's stapio keeps it:
 * FILE is a strftime(3) pattern expanded when each file is opened;
 * switch_file() moves to FILE.1, FILE.2, ...; with -S SIZE[,N] the files are
 * FILE.0, FILE.1, ..., the next one starting once SIZE is exceeded, and only
 * the newest N are kept. */
#ifndef ST_RUNTIME_OUTPUT_H
#define ST_RUNTIME_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct st_output {
	FILE *f;
	char *pattern;          /* -o as given */
	char *name;             /* the file last opened, or tried */
	uint64_t size_max;      /* -S SIZE in bytes; 0: no size limit */
	uint32_t fnum_max;      /* -S SIZE,N: files kept; 0: all */
	uint32_t fnum;          /* number of the open file */
	uint64_t written;       /* bytes written to it */
	bool switch_pending;    /* switch_file() ran: the next write opens the next file */
	char **kept;            /* fnum_max names by fnum % fnum_max, the oldest to remove */
};

/* Open the first file.  -EINVAL: the pattern expands to nothing; else
 * -errno of the open, with o->name the file that failed. */
int st_output_open(struct st_output *o, const char *pattern, uint64_t size_max, uint32_t fnum_max);
/* Write one message (a handler's output), switching files first when due. */
void st_output_write(struct st_output *o, const char *p, size_t n);
/* switch_file(): the next message goes to the next file. */
void st_output_switch(struct st_output *o);
void st_output_close(struct st_output *o);

#endif
