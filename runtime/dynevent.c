/* dynevent.c - create and remove our tracefs uprobe and kprobe events
 * (dynevent.h).
 *
 * Written straight to uprobe_events ("p:GROUP/EVENT PATH:0xOFF(0xREF) ARGS"):
 * libtracefs' uprobe helper has no reference counter (USDT semaphore).
 * kprobe_events lines come from lowering/family_kernel.h.
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
#include "lowering/family_kernel.h"
#include "lowering/family_process.h"
#include "runtime/dynevent.h"
#include "runtime/leftovers.h"

struct created { char event[64]; bool kprobe; };

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

static const char *events_file(bool kprobe)
{
	return kprobe ? "kprobe_events" : "uprobe_events";
}

static int write_line(bool kprobe, const char *line)
{
	const char *dir = tracefs_tracing_dir();
	char path[512];
	int fd, rc = 0;

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", dir, events_file(kprobe));
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, line, strlen(line)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static void remove_event(bool kprobe, const char *grp, const char *ev)
{
	char line[256];

	snprintf(line, sizeof(line), "-:%s/%s\n", grp, ev);
	write_line(kprobe, line);
}

void st_dynevent_remove_all(void)
{
	for (uint32_t i = 0; i < nmade; i++)
		remove_event(made[i].kprobe, st_dynevent_group(), made[i].event);
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

/* "p:GROUP/EVENT PATH:0xOFF(0xREF) ARGS" */
static int uprobe_line(const struct st_source *s, char **line, char **err)
{
	char ref[40] = "";

	if (!s->probe_path || strpbrk(s->probe_path, " \t\n")) {
		if (asprintf(err, "%s: cannot probe a path with blanks", s->name) < 0)
			*err = NULL;
		return -EINVAL;
	}
	if (s->probe_ref_ctr)
		snprintf(ref, sizeof(ref), "(0x%llx)", (unsigned long long)s->probe_ref_ctr);
	if (asprintf(line, "%c:%s/%s %s:0x%llx%s %s\n", s->probe_return ? 'r' : 'p', st_dynevent_group(),
		     s->event, s->probe_path, (unsigned long long)s->probe_offset, ref,
		     s->probe_fetch ? s->probe_fetch : "") < 0)
		return -ENOMEM;
	return 0;
}

static int kprobe_line(const struct st_source *s, char **line)
{
	size_t n = strlen(s->probe_symbol ? s->probe_symbol : "") + strlen(s->probe_fetch ? s->probe_fetch : "") +
		   strlen(s->event) + 128;

	*line = malloc(n);
	if (!*line)
		return -ENOMEM;
	if (st_kprobe_definition(*line, n - 1, st_dynevent_group(), s->event, s->probe_symbol ? s->probe_symbol : "",
				 s->probe_return, s->probe_maxactive, s->probe_fetch) < 0) {
		free(*line);
		return -ENOSPC;
	}
	strcat(*line, "\n");
	return 0;
}

static int create_failed(const struct st_source *s, bool kprobe, int rc, char **err)
{
	char *why = last_error();
	int w;

	if (kprobe)
		w = asprintf(err, "cannot create kprobe %s (%s): %s%s%s", s->name, s->probe_symbol,
			     strerror(-rc), why ? ": " : "", why ? why : "");
	else
		w = asprintf(err, "cannot create uprobe %s (%s:0x%llx): %s%s%s", s->name, s->probe_path,
			     (unsigned long long)s->probe_offset, strerror(-rc), why ? ": " : "", why ? why : "");
	if (w < 0)
		*err = NULL;
	free(why);
	return rc;
}

int st_dynevent_create(const struct st_source *s, char *sys, size_t syslen, char **err)
{
	bool kprobe = s->kind == ST_SRC_KPROBE;
	char *line = NULL;
	struct created *n;
	int rc;

	snprintf(sys, syslen, "%s", st_dynevent_group());
	for (uint32_t i = 0; i < nmade; i++)
		if (!strcmp(made[i].event, s->event) && made[i].kprobe == kprobe)
			return 0;
	if (!atexit_done) {
		st_leftovers_remove();
		atexit(st_dynevent_remove_all);
		atexit_done = true;
	}
	rc = kprobe ? kprobe_line(s, &line) : uprobe_line(s, &line, err);
	if (rc < 0)
		return rc;
	tracefs_error_clear(NULL);
	rc = write_line(kprobe, line);
	free(line);
	if (rc < 0)
		return create_failed(s, kprobe, rc, err);
	n = realloc(made, sizeof(*n) * (nmade + 1));
	if (!n) {
		remove_event(kprobe, st_dynevent_group(), s->event);
		return -ENOMEM;
	}
	made = n;
	snprintf(made[nmade].event, sizeof(made->event), "%s", s->event);
	made[nmade++].kprobe = kprobe;
	return 0;
}
