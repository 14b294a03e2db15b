/* timed_syscalls N MS PATH...: N nanosleep() calls of MS ms each, then N
 * reads of 1..N bytes from /dev/zero, then openat() of each PATH once (the
 * path buffer is overwritten right after each call, so only a copy taken at
 * the syscall's entry reads the right bytes).  Raw syscalls: libc may not
 * map nanosleep() to SYS_nanosleep. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void sleeps(long n, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	for (long i = 0; i < n; i++)
		syscall(SYS_nanosleep, &ts, NULL);
}

static void reads(long n)
{
	static char buf[65536];
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror("/dev/zero");
		exit(1);
	}
	for (long i = 1; i <= n && i <= (long)sizeof(buf); i++)
		if (syscall(SYS_read, fd, buf, (size_t)i) != i)
			exit(1);
	close(fd);
}

static void opens(int argc, char **argv)
{
	static char buf[4096];

	for (int i = 3; i < argc; i++) {
		int fd;

		snprintf(buf, sizeof(buf), "%s", argv[i]);
		fd = (int)syscall(SYS_openat, AT_FDCWD, buf, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		memset(buf, 'X', strlen(argv[i]));
	}
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10, ms = argc > 2 ? atol(argv[2]) : 5;

	sleeps(n, ms);
	reads(n);
	opens(argc, argv);
	return 0;
}
