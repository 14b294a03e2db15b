/* rename_exec A B [C]: call getppid A times, rename itself to "renamed"
 * (prctl) and call it B times, then, if C is given, exec argv[0]'s sibling
 * symlink "execd_loop" (which must exist) to call it C more times.
 * Process names in reports must follow: rename_exec / renamed / execd_loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void calls(long n)
{
	while (n-- > 0)
		syscall(SYS_getppid);
}

int main(int argc, char **argv)
{
	char path[4096], *slash;

	if (argc < 3) {
		fprintf(stderr, "usage: rename_exec A B [C]\n");
		return 2;
	}
	if (!strcmp(argv[1], "--after-exec")) {
		calls(atol(argv[2]));
		return 0;
	}
	calls(atol(argv[1]));
	prctl(PR_SET_NAME, "renamed", 0, 0, 0);
	calls(atol(argv[2]));
	if (argc < 4)
		return 0;
	snprintf(path, sizeof(path), "%s", argv[0]);
	slash = strrchr(path, '/');
	snprintf(slash ? slash + 1 : path, sizeof(path) - (size_t)(slash ? slash + 1 - path : 0), "execd_loop");
	execl(path, "execd_loop", "--after-exec", argv[3], (char *)NULL);
	perror("exec");
	return 1;
}
