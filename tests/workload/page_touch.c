/* page_touch N [ADDR]: map N fresh anonymous pages at ADDR (hex, default
 * 0x5e0000000000, never an existing mapping), write one byte to each (one
 * write fault a page: N pages stay below a huge page's size), then unmap.
 * Tracers count the faults whose address falls in [ADDR, ADDR + N pages). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 16, page = sysconf(_SC_PAGESIZE);
	unsigned long addr = argc > 2 ? strtoul(argv[2], NULL, 16) : 0x5e0000000000ul;
	char *p;

	if (n <= 0 || n >= 512)
		return 2;
	p = mmap((void *)addr, (size_t)(n * page), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || (unsigned long)p != addr) {
		perror("mmap");
		return 1;
	}
	for (long i = 0; i < n; i++)
		p[i * page] = 1;
	return munmap(p, (size_t)(n * page)) == 0 ? 0 : 1;
}
