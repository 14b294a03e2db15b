/* main.c - one binary under several names:
 *   perf-stap        `perf stap ...` (perf execs perf-<cmd> from its exec-path or PATH)
 *   trace-cmd-stap   `trace-cmd-stap ...`
 *   trace-cmd        a git-style dispatcher: `trace-cmd stap ...` runs trace-cmd-stap,
 *                    anything else runs the next trace-cmd on PATH that is not this one.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "plugins/perf/perf_backend.h"
#include "plugins/trace-cmd/tracecmd_backend.h"
#include "runtime/cli.h"

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* debian/preinst's dpkg-divert of Debian's trace-cmd */
#define DIVERTED_TRACE_CMD "/usr/bin/trace-cmd.distrib"

/* exec the first `trace-cmd` on PATH that is not this executable, else
 * the diverted one */
static int exec_system_trace_cmd(char **argv)
{
	const char *path = getenv("PATH");
	struct stat self, st;
	char *copy, *dir, *save = NULL, full[PATH_MAX];

	if (stat("/proc/self/exe", &self) < 0 || !path)
		path = "/usr/bin";
	copy = strdup(path);
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(full, sizeof(full), "%s/trace-cmd", *dir ? dir : ".");
		if (stat(full, &st) < 0 || access(full, X_OK) < 0)
			continue;
		if (st.st_dev == self.st_dev && st.st_ino == self.st_ino)
			continue;
		free(copy);
		execv(full, argv);
		fprintf(stderr, "trace-cmd: cannot run %s: %s\n", full, strerror(errno));
		return 127;
	}
	free(copy);
	/* installed from the package: Debian's trace-cmd is diverted here */
	if (access(DIVERTED_TRACE_CMD, X_OK) == 0) {
		execv(DIVERTED_TRACE_CMD, argv);
		fprintf(stderr, "trace-cmd: cannot run %s: %s\n", DIVERTED_TRACE_CMD, strerror(errno));
		return 127;
	}
	fprintf(stderr, "trace-cmd: no trace-cmd found on PATH besides the staplet dispatcher\n");
	return 127;
}

int main(int argc, char **argv)
{
	const char *name = base_name(argv[0]);
	/* `report -i a.data -i b.dat` reads both formats with either tool */
	static const struct st_backend *const readers[] = { &st_perf_backend, &st_tracecmd_backend, NULL };

	if (!strcmp(name, "perf-stap"))
		return st_cli_main_readers(argc, argv, &st_perf_backend, readers);
	if (!strcmp(name, "trace-cmd-stap"))
		return st_cli_main_readers(argc, argv, &st_tracecmd_backend, readers);
	if (!strcmp(name, "trace-cmd")) {
		if (argc > 1 && !strcmp(argv[1], "stap"))
			return st_cli_main_readers(argc - 1, argv + 1, &st_tracecmd_backend, readers);
		return exec_system_trace_cmd(argv);
	}
	/* `staplet perf ...` / `staplet trace-cmd ...` */
	if (argc > 1 && !strcmp(argv[1], "perf"))
		return st_cli_main_readers(argc - 1, argv + 1, &st_perf_backend, readers);
	if (argc > 1 && !strcmp(argv[1], "trace-cmd"))
		return st_cli_main_readers(argc - 1, argv + 1, &st_tracecmd_backend, readers);
	fprintf(stderr, "usage: run as perf-stap, trace-cmd-stap or trace-cmd (or: staplet perf|trace-cmd ...)\n");
	return 1;
}
