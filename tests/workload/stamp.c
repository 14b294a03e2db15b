/* stamp: print CLOCK_MONOTONIC in ns and exit.  Run as a tracer's -c child,
 * it tells when the tracer was armed (tracers start the child after arming). */
#include <stdio.h>
#include <time.h>

int main(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return 0;
}
