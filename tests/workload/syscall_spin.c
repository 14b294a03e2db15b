/* syscall_spin SECS - CPU-bound system calls for SECS seconds: getppid()
 * and 16-byte read()s of /dev/zero, alternating; then prints
 * "getppid N read M", the exact counts, so a soak run can check that every
 * event was either handled or counted as lost. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 10);
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	long np = 0, nr = 0;
	char buf[16];

	if (fd < 0) {
		perror("/dev/zero");
		return 1;
	}
	while (now() < end) {   /* clock_gettime is a vDSO call: no syscall */
		for (int i = 0; i < 1000; i++) {
			syscall(SYS_getppid);
			if (syscall(SYS_read, fd, buf, sizeof(buf)) == (long)sizeof(buf))
				nr++;
			np++;
		}
	}
	printf("getppid %ld read %ld\n", np, nr);
	return 0;
}
