/* kread_loop FILE N SIZE [SLEEPS] - a workload with a known kernel path:
 * N read()s of SIZE bytes from the start of FILE (each one call of
 * vfs_read with count == SIZE, returning min(SIZE, file size)), then
 * SLEEPS 1-microsecond nanosleep()s (each one call of do_nanosleep).
 * Kernel probe tests count these exactly, filtering on the target's pid and
 * on the size, since the dynamic loader reads too. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n, size, sleeps, i;
	char buf[4096];
	int fd;

	if (argc < 4) {
		fprintf(stderr, "usage: kread_loop FILE N SIZE [SLEEPS]\n");
		return 2;
	}
	n = atol(argv[2]);
	size = atol(argv[3]);
	sleeps = argc > 4 ? atol(argv[4]) : 0;
	if (size < 0 || size > (long)sizeof(buf) || (fd = open(argv[1], O_RDONLY)) < 0) {
		perror(argv[1]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (read(fd, buf, (size_t)size) < 0)
			return 1;
		lseek(fd, 0, SEEK_SET);
	}
	close(fd);
	for (i = 0; i < sleeps; i++) {
		struct timespec ts = { 0, 1000 };

		nanosleep(&ts, NULL);
	}
	return 0;
}
