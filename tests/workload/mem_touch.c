/* mem_touch MIB [MS]: allocate MIB MiB, write every page, call getppid
 * once (the probe point), then stay alive MS ms (default 1000) so a handler
 * reading /proc/PID at handler time finds the process as it was. */
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	long ms = argc > 2 ? atol(argv[2]) : 1000;
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };
	char *p = malloc(mib << 20);

	if (!p)
		return 1;
	memset(p, 1, mib << 20);    /* resident: every page written */
	syscall(SYS_getppid);
	nanosleep(&ts, NULL);
	return p[mib << 19] == 1 ? 0 : 2;
}
