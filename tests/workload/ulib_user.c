/* ulib_user LIB N - dlopen LIB (libstapletu.so.1) and call its ulib_step(i)
 * for i in 0..N-1: N calls, N step marks, sum of returns N*(N-1). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long (*step)(long), n, sum = 0;
	void *h;

	if (argc < 3) {
		fprintf(stderr, "usage: ulib_user LIB N\n");
		return 2;
	}
	h = dlopen(argv[1], RTLD_NOW);
	if (!h) {
		fprintf(stderr, "ulib_user: %s\n", dlerror());
		return 1;
	}
	*(void **)&step = dlsym(h, "ulib_step");
	if (!step)
		return 1;
	n = atol(argv[2]);
	for (long i = 0; i < n; i++)
		sum += step(i);
	printf("sum %ld\n", sum);
	dlclose(h);
	return 0;
}
