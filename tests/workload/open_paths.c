/* open_paths [-x] PATH...: openat() each path once, in order.  The paths
 * need not exist: the syscall is made either way.  The path strings are
 * built in a buffer that is overwritten right after each call, so a tracer
 * that reads them later than the event sees the wrong bytes: only a copy
 * taken at the event is right.
 *
 * With -x it then openat()s a pointer into an unmapped page, whose address
 * it prints first ("unmapped 0x..."), and execs /bin/true with known
 * arguments and environment:
 *   argv: "true" "alpha" "two words" "q\"uote" "tab\there"
 *   envp: "A=1" "B=two words"
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int hole_and_exec(void)
{
	char *const args[] = { "true", "alpha", "two words", "q\"uote", "tab\there", NULL };
	char *const env[] = { "A=1", "B=two words", NULL };
	long pg = sysconf(_SC_PAGESIZE);
	char *hole;

	/* a page mapped then unmapped: nothing is there at the event */
	hole = mmap(NULL, (size_t)pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED)
		return 1;
	munmap(hole, (size_t)pg);
	printf("unmapped %p\n", (void *)(hole + 16));
	fflush(stdout);
	openat(AT_FDCWD, hole + 16, O_RDONLY);
	execve("/bin/true", args, env);
	return 1;
}

int main(int argc, char **argv)
{
	static char buf[8192];
	int first = argc > 1 && !strcmp(argv[1], "-x") ? 2 : 1;

	for (int i = first; i < argc; i++) {
		int fd;

		snprintf(buf, sizeof(buf), "%s", argv[i]);
		fd = openat(AT_FDCWD, buf, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		memset(buf, 'X', strlen(argv[i]));
	}
	return first == 2 ? hole_and_exec() : 0;
}
