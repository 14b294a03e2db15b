/* wide_paths: string syscalls of known arguments for a tracer over many
 * syscalls, made by this process and by a child under other credentials.
 *
 * The parent, as it runs (root): openat("/tmp/staplet-wide-K", O_RDONLY)
 * for K = 0..4, chdir("/tmp/staplet-wide-no") and
 * mkdir("/tmp/staplet-wide-no/dir", 0755) (both fail: no such directory).
 * Then a child takes uid 65534, euid 65533, gid 65534, egid 65533 (saved
 * uid 0) and makes openat("/tmp/staplet-wide-child1", O_RDONLY), swaps
 * them to uid 65533, euid 65534 and makes openat(".../staplet-wide-child2")
 * and exits; the parent waits for it.  (A tracer that took the second
 * open's context late would show the first one's credentials.)  Every path is built in one buffer that is
 * overwritten right after each call: only a copy taken at the event is
 * right. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char buf[256];

static const char *path(const char *fmt, int k)
{
	snprintf(buf, sizeof(buf), fmt, k);
	return buf;
}

static void scrub(void)
{
	memset(buf, 'X', sizeof(buf) - 1);
}

int main(void)
{
	pid_t c;

	for (int k = 0; k < 5; k++) {
		int fd = openat(AT_FDCWD, path("/tmp/staplet-wide-%d", k), O_RDONLY);

		scrub();
		if (fd >= 0)
			close(fd);
	}
	if (chdir(path("/tmp/staplet-wide-no", 0)) == 0)
		return 1;
	scrub();
	mkdir(path("/tmp/staplet-wide-no/dir", 0), 0755);
	scrub();
	c = fork();
	if (c == 0) {
		if (setresgid(65534, 65533, 65534) || setresuid(65534, 65533, 0))
			_exit(1);
		openat(AT_FDCWD, path("/tmp/staplet-wide-child%d", 1), O_RDONLY);
		scrub();
		if (setresuid(65533, 65534, 0))
			_exit(1);
		openat(AT_FDCWD, path("/tmp/staplet-wide-child%d", 2), O_RDONLY);
		_exit(0);
	}
	if (c > 0)
		waitpid(c, NULL, 0);
	return 0;
}
