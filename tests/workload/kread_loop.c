/* kread_loop FILE N SIZE [SLEEPS [time]] - a workload with a known kernel path:
 * N read()s of SIZE bytes from the start of FILE (each one call of
 * vfs_read with count == SIZE, returning min(SIZE, file size)), then
 * SLEEPS 1-microsecond nanosleep()s (each one call of do_nanosleep).
 * Kernel probe tests count these exactly, filtering on the target's pid and
 * on the size, since the dynamic loader reads too.  With "time" it prints
 * the thread CPU time per read in ns (a kprobe handler runs in the traced
 * task, so its cost lands there). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n, size, sleeps, i;
	char buf[4096];
	struct timespec t0, t1;
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
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	for (i = 0; i < n; i++) {
		if (read(fd, buf, (size_t)size) < 0)
			return 1;
		lseek(fd, 0, SEEK_SET);
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	close(fd);
	if (argc > 5 && n > 0)
		printf("%.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n);
	for (i = 0; i < sleeps; i++) {
		struct timespec ts = { 0, 1000 };

		nanosleep(&ts, NULL);
	}
	return 0;
}
