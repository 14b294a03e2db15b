/* compat32: a 32-bit (i386) program without libc, for 32-bit syscalls
 * under a 64-bit kernel (built with -m32, see the Makefile).  It makes two
 * i386 syscalls whose numbers are string syscalls in the x86-64 table:
 *   83 symlink("/tmp/staplet-wide-compat-a", "/nonexistent-staplet/x")
 *      (x86-64 83 is mkdir(pathname, mode))
 *   85 readlink("/tmp/staplet-wide-compat-b", buf, 16)
 *      (x86-64 85 is creat(pathname, mode))
 * both failing (no such directory, no such file), then exits 0.  A tracer
 * that takes raw_syscalls ids for x86-64 numbers reports a mkdir and a
 * creat of those paths; syscalls:* tracepoints report neither. */
static const char a[] = "/tmp/staplet-wide-compat-a";
static const char b[] = "/tmp/staplet-wide-compat-b";
static const char nolink[] = "/nonexistent-staplet/x";
static char buf[16];

static long sys3(long nr, long x, long y, long z)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(x), "c"(y), "d"(z) : "memory");
	return r;
}

void _start(void);
void _start(void)
{
	sys3(83, (long)a, (long)nolink, 0);
	sys3(85, (long)b, (long)buf, sizeof(buf));
	sys3(1, 0, 0, 0);
	for (;;)
		;
}
