/* uprobe_target N - a workload with known functions, arguments, return
 * values, call counts and USDT probes, for process(...) probe tests.
 *
 * For i in 0..N-1: add(i, 2*i) returns 3*i; greet("hello") once per 10
 * calls; the USDT probes staplet_test:tick (i, 3*i) and staplet_test:done (N)
 * fire N times and once; depth_sum(5) recurses to depth_sum(0), returning
 * n + (n-1) + ... + 0 at each level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>

__attribute__((noinline)) long add(long a, long b)
{
	__asm__ volatile("" ::: "memory");
	return a + b;
}

__attribute__((noinline)) int greet(const char *who, int times)
{
	__asm__ volatile("" ::: "memory");
	return (int)strlen(who) * times;
}

__attribute__((noinline)) static unsigned int square_u(unsigned int x)
{
	__asm__ volatile("" ::: "memory");
	return x * x;
}

__attribute__((noinline)) void never_called(void)
{
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) long depth_sum(long n)
{
	__asm__ volatile("" ::: "memory");
	return n <= 0 ? 0 : n + depth_sum(n - 1);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100, sum = 0;
	volatile int g = 0;

	for (long i = 0; i < n; i++) {
		sum += add(i, 2 * i);
		DTRACE_PROBE2(staplet_test, tick, i, 3 * i);
		if (i % 10 == 0)
			g += greet("hello", (int)i);
	}
	sum += square_u(7);
	sum += depth_sum(5);
	DTRACE_PROBE1(staplet_test, done, n);
	if (argc > 2)
		never_called();
	return sum == 0 && g < 0;
}
