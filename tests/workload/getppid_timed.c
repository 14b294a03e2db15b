/* getppid_timed N: call getppid N times and print the thread CPU time per
 * call in ns (CLOCK_THREAD_CPUTIME_ID: a tracepoint handler runs in the
 * traced task, so its cost lands here; other load on the machine does not). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
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
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	double t0 = now();

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	printf("%.1f\n", (now() - t0) / n);
	return 0;
}
