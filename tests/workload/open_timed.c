/* open_timed N [K]: openat() N times over K distinct paths (default 64,
 * /tmp/staplet-open-timed-<i>, which need not exist) and print the thread
 * CPU time per call in ns (a tracepoint's BPF program runs in the traced
 * task, so its cost lands here; other load on the machine does not). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000, k = argc > 2 ? atol(argv[2]) : 64;
	char path[64];
	double t0;

	if (k < 1)
		k = 1;
	t0 = now();
	for (long i = 0; i < n; i++) {
		int fd;

		snprintf(path, sizeof(path), "/tmp/staplet-open-timed-%ld", i % k);
		fd = openat(AT_FDCWD, path, O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	printf("%.1f\n", (now() - t0) / n);
	return 0;
}
