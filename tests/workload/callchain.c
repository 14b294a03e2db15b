/* callchain N - a known call chain for backtrace tests: main calls
 * chain_a, which calls chain_b, which calls chain_c, which makes one
 * getppid syscall; N times.  Frame pointers are kept so the kernel's
 * frame-pointer walk of the user stack sees every caller. */
#pragma GCC optimize("no-omit-frame-pointer")
#include <stdlib.h>
#include <unistd.h>

__attribute__((noinline)) long chain_c(long i)
{
	__asm__ volatile("" ::: "memory");
	return getppid() + i;
}

__attribute__((noinline)) long chain_b(long i)
{
	long r = chain_c(i);

	__asm__ volatile("" ::: "memory");
	return r + 1;
}

__attribute__((noinline)) long chain_a(long i)
{
	long r = chain_b(i);

	__asm__ volatile("" ::: "memory");
	return r + 1;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10, sum = 0;

	for (long i = 0; i < n; i++)
		sum += chain_a(i);
	return sum == 42;
}
