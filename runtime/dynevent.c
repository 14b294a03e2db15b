/* dynevent.c - create and remove our tracefs uprobe events (dynevent.h).
 *
 * Written straight to uprobe_events ("p:GROUP/EVENT PATH:0xOFF(0xREF) ARGS"):
 * libtracefs' uprobe helper has no reference counter (USDT semaphore).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracefs.h>
#include <unistd.h>
#include "lowering/family_process.h"
#include "runtime/dynevent.h"
#include "runtime/leftovers.h"

struct created { char event[64]; };

static struct created *made;
static uint32_t nmade;
static bool atexit_done;
static char group[32];

const char *st_dynevent_group(void)
{
	if (!group[0])
		snprintf(group, sizeof(group), "%s_%d", ST_UPROBE_SYSTEM, (int)getpid());
	return group;
}

const char *st_dynevent_logical_system(const char *sys)
{
	return sys && !strcmp(sys, st_dynevent_group()) ? ST_UPROBE_SYSTEM : sys;
}

static int write_line(const char *line)
{
	const char *dir = tracefs_tracing_dir();
	char path[512];
	int fd, rc = 0;

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/uprobe_events", dir);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, line, strlen(line)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static void remove_event(const char *grp, const char *ev)
{
	char line[256];

	snprintf(line, sizeof(line), "-:%s/%s\n", grp, ev);
	write_line(line);
}

void st_dynevent_remove_all(void)
{
	for (uint32_t i = 0; i < nmade; i++)
		remove_event(st_dynevent_group(), made[i].event);
	free(made);
	made = NULL;
	nmade = 0;
}

/* The kernel's reason, from tracefs error_log, for a refused definition. */
static char *last_error(void)
{
	char *log = tracefs_error_last(NULL);

	if (log) {
		char *nl = strchr(log, '\n');

		if (nl)
			*nl = 0;
	}
	return log;
}

int st_dynevent_create(const struct st_source *s, char *sys, size_t syslen, char **err)
{
	char *line = NULL, ref[40] = "";
	struct created *n;
	int rc;

	snprintf(sys, syslen, "%s", st_dynevent_group());
	for (uint32_t i = 0; i < nmade; i++)
		if (!strcmp(made[i].event, s->event))
			return 0;
	if (!atexit_done) {
		st_leftovers_remove();
		atexit(st_dynevent_remove_all);
		atexit_done = true;
	}
	if (!s->probe_path || strpbrk(s->probe_path, " \t\n")) {
		if (asprintf(err, "%s: cannot probe a path with blanks", s->name) < 0)
			*err = NULL;
		return -EINVAL;
	}
	if (s->probe_ref_ctr)
		snprintf(ref, sizeof(ref), "(0x%llx)", (unsigned long long)s->probe_ref_ctr);
	if (asprintf(&line, "%c:%s/%s %s:0x%llx%s %s\n", s->probe_return ? 'r' : 'p', st_dynevent_group(),
		     s->event, s->probe_path, (unsigned long long)s->probe_offset, ref,
		     s->probe_fetch ? s->probe_fetch : "") < 0)
		return -ENOMEM;
	tracefs_error_clear(NULL);
	rc = write_line(line);
	if (rc < 0) {
		char *why = last_error();

		if (asprintf(err, "cannot create uprobe %s (%s:0x%llx): %s%s%s", s->name, s->probe_path,
			     (unsigned long long)s->probe_offset, strerror(-rc), why ? ": " : "",
			     why ? why : "") < 0)
			*err = NULL;
		free(why);
		free(line);
		return rc;
	}
	free(line);
	n = realloc(made, sizeof(*n) * (nmade + 1));
	if (!n) {
		remove_event(st_dynevent_group(), s->event);
		return -ENOMEM;
	}
	made = n;
	snprintf(made[nmade++].event, sizeof(made->event), "%s", s->event);
	return 0;
}
