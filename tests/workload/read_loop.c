/* read_loop FILE K N: open FILE and read() K bytes from it N times (from
 * the start each time: pread would take another kernel path, so lseek),
 * then exit.  A file of at least K bytes makes every read return K. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	long k = argc > 2 ? atol(argv[2]) : 100, n = argc > 3 ? atol(argv[3]) : 10;
	int fd = argc > 1 ? open(argv[1], O_RDONLY | O_CLOEXEC) : -1;

	if (fd < 0 || k <= 0 || k > (long)sizeof(buf))
		return 1;
	for (long i = 0; i < n; i++) {
		if (read(fd, buf, (size_t)k) != k)
			return 1;
		if (lseek(fd, 0, SEEK_SET) != 0)
			return 1;
	}
	return close(fd);
}
