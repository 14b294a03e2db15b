/* outfile.c - recordings' files: a private temporary renamed into place. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/outfile.h"

/* DIR/.BASE.PID.XXXXXX beside PATH: same file system, so rename() is
 * atomic; the pid tells the temporaries of killed runs from live ones. */
static char *temp_template(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *t = NULL;
	int n;

	if (slash)
		n = asprintf(&t, "%.*s/.%s.%d.XXXXXX", (int)(slash - path), path, slash + 1, (int)getpid());
	else
		n = asprintf(&t, ".%s.%d.XXXXXX", path, (int)getpid());
	return n < 0 ? NULL : t;
}

/* A run killed before it renamed its temporary leaves it behind: remove
 * the temporaries for this output name whose run is gone. */
static void remove_dead_temps(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char *dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	size_t blen = strlen(base);
	struct dirent *de;
	DIR *d;

	d = dir ? opendir(*dir ? dir : "/") : NULL;
	while (d && (de = readdir(d))) {
		const char *p = de->d_name;
		char *end;
		long pid;

		if (p[0] != '.' || strncmp(p + 1, base, blen) || p[1 + blen] != '.')
			continue;
		pid = strtol(p + 2 + blen, &end, 10);
		if (pid <= 0 || *end != '.' || strlen(end + 1) != 6 || pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			unlinkat(dirfd(d), p, 0);
	}
	if (d)
		closedir(d);
	free(dir);
}

int st_outfile_create(struct st_outfile *of, const char *path)
{
	int e;

	memset(of, 0, sizeof(*of));
	of->fd = -1;
	remove_dead_temps(path);
	of->path = strdup(path);
	of->tmp = temp_template(path);
	if (!of->path || !of->tmp) {
		st_outfile_close(of);
		return -ENOMEM;
	}
	/* mkostemp: O_CREAT|O_EXCL (a planted link or file fails, it is not
	 * followed) and mode 0600; fchmod makes 0600 whatever the umask. */
	of->fd = mkostemp(of->tmp, O_CLOEXEC | O_NOFOLLOW);
	if (of->fd < 0 || fchmod(of->fd, 0600) < 0) {
		e = errno;
		st_outfile_close(of);
		return -e;
	}
	return 0;
}

static int keep_previous(const char *path)
{
	struct stat st;
	char *old = NULL;
	int rc = 0;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	if (asprintf(&old, "%s.old", path) < 0)
		return -ENOMEM;
	if (rename(path, old) < 0)
		rc = -errno;
	free(old);
	return rc;
}

int st_outfile_publish(struct st_outfile *of, bool keep_old)
{
	int rc;

	assert(of->fd >= 0 && of->tmp);
	rc = keep_old ? keep_previous(of->path) : 0;
	if (rc == 0 && rename(of->tmp, of->path) < 0)
		rc = -errno;
	if (rc == 0) {
		free(of->tmp);
		of->tmp = NULL;
	}
	return rc;
}

void st_outfile_close(struct st_outfile *of)
{
	if (of->fd >= 0)
		close(of->fd);
	if (of->tmp && of->fd >= 0)
		unlink(of->tmp);
	free(of->tmp);
	free(of->path);
	memset(of, 0, sizeof(*of));
	of->fd = -1;
}

void st_outfile_discard(struct st_outfile *of)
{
	struct stat a, b;

	if (of->fd >= 0 && !of->tmp && fstat(of->fd, &a) == 0 && lstat(of->path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		unlink(of->path);
	st_outfile_close(of);
}
