/* cli_man.c - `perf stap --help` and `trace-cmd stap --help` show the man
 * page once it is installed, as `perf help stap` does; -h, and --help
 * before installation, print the summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "runtime/cli_man.h"

/* whether `man -w page` finds it */
static int man_has(const char *page)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execlp("man", "man", "-w", page, (char *)NULL);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void st_cli_man(const char *tool)
{
	char page[64];
	size_t i;

	snprintf(page, sizeof(page), "%s", tool);
	for (i = 0; page[i]; i++)
		if (page[i] == ' ')
			page[i] = '-';
	if (!man_has(page))
		return;
	fflush(stdout);
	execlp("man", "man", page, (char *)NULL);
}
