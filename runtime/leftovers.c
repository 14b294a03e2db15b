/* leftovers.c - remove the kernel objects of staplet runs that died. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracefs.h>
#include <unistd.h>
#include "runtime/leftovers.h"

/* "staplet_<pid>" followed by end or '_': the pid if that run is gone. */
static int dead_owner(const char *name, size_t len)
{
	char *end;
	long pid;

	if (len < 9 || strncmp(name, "staplet_", 8))
		return 0;
	pid = strtol(name + 8, &end, 10);
	if (pid <= 0 || pid > 0x7fffffff || (end != name + len && *end != '_'))
		return 0;
	if (pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return 0;
	return (int)pid;
}

/* Stop the dead run's tracing before removing the instance: its enabled
 * events hold references on the dynamic events. */
static int remove_instances(const char *tracing)
{
	char path[512];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/instances", tracing);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct tracefs_instance *inst;

		if (!dead_owner(de->d_name, strlen(de->d_name)))
			continue;
		inst = tracefs_instance_alloc(NULL, de->d_name);
		if (!inst)
			continue;
		tracefs_instance_file_write(inst, "tracing_on", "0");
		tracefs_instance_file_write(inst, "events/enable", "0");
		if (tracefs_instance_destroy(inst) == 0)
			n++;
		tracefs_instance_free(inst);
	}
	closedir(d);
	return n;
}

/* One write(2): stdio's append mode seeks, which tracefs refuses. */
static int write_line(const char *file, const char *line)
{
	int fd = open(file, O_WRONLY | O_APPEND | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, line, strlen(line));
	close(fd);
	return n == (ssize_t)strlen(line) ? 0 : -1;
}

/* Lines "p:GROUP/EVENT ..." of FILE (dynamic_events, or uprobe_events /
 * kprobe_events on kernels without it); removed by writing "-:GROUP/EVENT". */
static int remove_events(const char *tracing, const char *file)
{
	char path[512], line[4096], del[512];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tracing, file);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *grp = strchr(line, ':'), *slash, *sp;

		if (!grp)
			continue;
		grp++;
		slash = strchr(grp, '/');
		sp = strpbrk(grp, " \n");
		if (!slash || !sp || sp < slash || !dead_owner(grp, (size_t)(slash - grp)))
			continue;
		snprintf(del, sizeof(del), "-:%.*s\n", (int)(sp - grp), grp);
		if (write_line(path, del) == 0)
			n++;
	}
	fclose(f);
	return n;
}

int st_leftovers_remove(void)
{
	const char *tracing = tracefs_tracing_dir();
	char path[512];
	int n;

	if (!tracing)
		return 0;
	n = remove_instances(tracing);
	snprintf(path, sizeof(path), "%s/dynamic_events", tracing);
	if (access(path, F_OK) == 0)
		return n + remove_events(tracing, "dynamic_events");
	return n + remove_events(tracing, "uprobe_events") + remove_events(tracing, "kprobe_events");
}
