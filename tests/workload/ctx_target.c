/* ctx_target MODE [N] - a workload for task context and user-memory probes.
 *
 * ctx_target uprobe N: calls handle(&second, 2) N times; second is
 *   { id 8, size 10, name "beta", tag "second", next = &first } and first is
 *   { id 7, size 4096, name "alpha", tag "tagged" }.  handle's loop line
 *   (marked STMT below) runs twice a call, with i = 0 then 1.
 * ctx_target creds: prints "pgrp=P sid=S" (its own), then forks a child
 *   that takes the credentials uid 65534, euid 65533, gid 65534, egid 65533
 *   (real, effective, saved), calls getppid() once and exits at once; the
 *   parent waits for it.  Run as root. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct req {
	int id;
	long size;
	const char *name;
	char tag[8];
	struct req *next;
};

__attribute__((noinline)) long handle(struct req *r, int n)
{
	volatile long total = 0;

	for (volatile int i = 0; i < n; i++)
		total += r->size + i;     /* STMT */
	return total;
}

static int creds(void)
{
	pid_t child;
	int status = 0;

	printf("pgrp=%d sid=%d\n", (int)getpgrp(), (int)getsid(0));
	fflush(stdout);
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		if (setresgid(65534, 65533, 65534) != 0 || setresuid(65534, 65533, 65534) != 0)
			_exit(2);
		syscall(SYS_getppid);
		_exit(0);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	struct req first = { 7, 4096, "alpha", "tagged", NULL };
	struct req second = { 8, 10, "beta", "second", &first };
	long t = 0;
	int n = argc > 2 ? atoi(argv[2]) : 3;

	if (argc > 1 && !strcmp(argv[1], "creds"))
		return creds();
	for (int k = 0; k < n; k++)
		t += handle(&second, 2);
	return t == 0;
}
