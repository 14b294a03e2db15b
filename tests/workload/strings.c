/* strings: openat() each path given on the command line, in order, from one
 * buffer overwritten right after each call (only a copy taken at the event
 * is right); then openat() a pointer into an unmapped page, whose address
 * it prints first ("unmapped 0x..."); then execs /bin/true with known
 * arguments and environment:
 *
 *   argv: "true" "alpha" "two words" "q\"uote" "tab\there"
 *   envp: "A=1" "B=two words"
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[8192];
	char *const args[] = { "true", "alpha", "two words", "q\"uote", "tab\there", NULL };
	char *const env[] = { "A=1", "B=two words", NULL };
	long pg = sysconf(_SC_PAGESIZE);
	char *hole;

	for (int i = 1; i < argc; i++) {
		int fd;

		snprintf(buf, sizeof(buf), "%s", argv[i]);
		fd = openat(AT_FDCWD, buf, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		memset(buf, 'X', strlen(argv[i]));
	}
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
