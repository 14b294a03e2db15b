/* proc_tree N M [SLEEP_MS [ROUNDS]] - a process tree with known shape, for
 * -c/-x scoping and process.begin/end, process.thread.begin/end tests.
 *
 * Each of ROUNDS (default 1) rounds sleeps SLEEP_MS (default 0), starts M
 * threads that call tick() once each and are joined, then forks N children
 * that call tick() once each and exit, waits for them, and calls tick()
 * itself: N + M + 1 calls, N new processes and M new threads per round.
 * nested_a() -> nested_b() -> nested_c() runs once at the end (backtraces). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile long ticks;

__attribute__((noinline)) void tick(long who)
{
	__asm__ volatile("" ::: "memory");
	ticks += who;
}

__attribute__((noinline)) long nested_c(long x)
{
	__asm__ volatile("" ::: "memory");
	return x + 1;
}

__attribute__((noinline)) long nested_b(long x)
{
	long r = nested_c(x * 2);

	__asm__ volatile("" ::: "memory");
	return r + 1;
}

__attribute__((noinline)) long nested_a(long x)
{
	long r = nested_b(x + 3);

	__asm__ volatile("" ::: "memory");
	return r + 1;
}

static void *thread_main(void *arg)
{
	tick((long)arg);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2, m = argc > 2 ? atoi(argv[2]) : 2;
	int sleep_ms = argc > 3 ? atoi(argv[3]) : 0, rounds = argc > 4 ? atoi(argv[4]) : 1;
	struct timespec ts = { sleep_ms / 1000, (long)(sleep_ms % 1000) * 1000000 };
	pthread_t th[64];

	if (m > 64)
		m = 64;
	for (int r = 0; r < rounds; r++) {
		nanosleep(&ts, NULL);
		for (int i = 0; i < m; i++)
			if (pthread_create(&th[i], NULL, thread_main, (void *)(long)(i + 1)))
				return 1;
		for (int i = 0; i < m; i++)
			pthread_join(th[i], NULL);
		for (int i = 0; i < n; i++) {
			pid_t p = fork();

			if (p == 0) {
				tick(100 + i);
				exit(0);
			}
			if (p < 0)
				return 1;
		}
		while (wait(NULL) > 0)
			;
		tick(0);
	}
	printf("%ld\n", nested_a(1));
	return 0;
}
