/* open_paths: openat() each path given on the command line once, in order,
 * then exit.  The paths need not exist: the syscall is made either way.
 * The path strings are built in a buffer that is overwritten right after
 * each call, so a tracer that reads them later than the event sees the
 * wrong bytes: only a copy taken at the event is right. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[4096];

	for (int i = 1; i < argc; i++) {
		int fd;

		snprintf(buf, sizeof(buf), "%s", argv[i]);
		fd = openat(AT_FDCWD, buf, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		memset(buf, 'X', strlen(argv[i]));
	}
	return 0;
}
