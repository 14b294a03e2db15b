/* output.c - the -o output file, its switching and rotation.
 *
 * stap's switch_file() only signals stapio, which switches when it writes
 * its next message: a switch with no output after it opens no file, and two
 * switches with nothing printed between them open one.  Here the switch
 * waits for the next write the same way.  A file that cannot be opened is
 * reported and the output stays in the current file. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/output.h"

/* The pattern expanded now, with ".N" once the files are numbered. */
static char *make_name(const struct st_output *o, uint32_t fnum, bool numbered)
{
	char base[PATH_MAX], *name = NULL;
	time_t now = time(NULL);
	struct tm tm;

	/* stapio's special case: every file is /dev/null, never /dev/null.N */
	if (!strcmp(o->pattern, "/dev/null"))
		return strdup(o->pattern);
	if (!localtime_r(&now, &tm) || strftime(base, sizeof(base), o->pattern, &tm) == 0)
		return NULL;
	if (!numbered)
		return strdup(base);
	if (asprintf(&name, "%s.%u", base, fnum) < 0)
		return NULL;
	return name;
}

/* Open file number fnum; on success it replaces the open one. */
static int open_file(struct st_output *o, uint32_t fnum)
{
	char *name = make_name(o, fnum, o->size_max || fnum > 0);
	FILE *f;
	int r;

	if (!name)
		return -EINVAL;
	f = fopen(name, "we");
	if (!f) {
		r = -errno;
		free(o->name);
		o->name = name;
		return r;
	}
	if (o->f)
		fclose(o->f);
	o->f = f;
	o->fnum = fnum;
	o->written = 0;
	if (o->fnum_max) {
		char **slot = &o->kept[fnum % o->fnum_max];

		/* the slot holds file fnum - N: more than N files now */
		if (*slot && strcmp(*slot, name))
			remove(*slot);
		free(*slot);
		*slot = strdup(name);
	}
	free(o->name);
	o->name = name;
	return 0;
}

int st_output_open(struct st_output *o, const char *pattern, uint64_t size_max, uint32_t fnum_max)
{
	memset(o, 0, sizeof(*o));
	o->pattern = strdup(pattern);
	o->size_max = size_max;
	o->fnum_max = fnum_max;
	if (fnum_max)
		o->kept = calloc(fnum_max, sizeof(*o->kept));
	if (!o->pattern || (fnum_max && !o->kept))
		return -ENOMEM;
	return open_file(o, 0);
}

static void next_file(struct st_output *o)
{
	int r;

	o->switch_pending = false;
	r = open_file(o, o->fnum + 1);
	if (r < 0) {
		fprintf(stderr, "ERROR: Couldn't open output file %s: %s\n",
			r == -EINVAL || !o->name ? o->pattern : o->name, strerror(-r));
		o->written = 0;   /* try again after another SIZE, not on every write */
	}
}

void st_output_write(struct st_output *o, const char *p, size_t n)
{
	if (!o->f)
		return;
	/* -S: stapio starts the next file once the open one is over SIZE */
	if (o->switch_pending || (o->size_max && o->written > o->size_max))
		next_file(o);
	fwrite(p, 1, n, o->f);
	fflush(o->f);
	o->written += n;
}

void st_output_switch(struct st_output *o)
{
	o->switch_pending = true;
}

void st_output_close(struct st_output *o)
{
	uint32_t i;

	if (o->f)
		fclose(o->f);
	for (i = 0; o->kept && i < o->fnum_max; i++)
		free(o->kept[i]);
	free(o->kept);
	free(o->pattern);
	free(o->name);
	memset(o, 0, sizeof(*o));
}
