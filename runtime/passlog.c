/* passlog.c - stap's -v pass lines: the process's memory from
 * /proc/self/statm and the pass's user, system and real time. */
#include <stdarg.h>
#include <unistd.h>
#include "runtime/passlog.h"

void st_passclock_start(struct st_passclock *c)
{
	gettimeofday(&c->tv, NULL);
	times(&c->tms);
}

/* "using Vvirt/Rres/Sshr/Ddata kb, ": size, resident, shared and data+stack. */
static void mem_usage(FILE *f)
{
	long page = sysconf(_SC_PAGESIZE) / 1024, v[7] = { 0 };
	FILE *m = fopen("/proc/self/statm", "r");
	int i;

	for (i = 0; m && i < 7; i++)
		if (fscanf(m, "%ld", &v[i]) != 1)
			break;
	if (m)
		fclose(m);
	fprintf(f, "using %ldvirt/%ldres/%ldshr/%lddata kb, ", v[0] * page, v[1] * page, v[2] * page, v[5] * page);
}

void st_pass_line(FILE *f, const struct st_passclock *c, int with_mem, const char *fmt, ...)
{
	struct timeval tv;
	struct tms t;
	long tck = sysconf(_SC_CLK_TCK);
	va_list ap;

	gettimeofday(&tv, NULL);
	times(&t);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc(' ', f);
	if (with_mem)
		mem_usage(f);
	fprintf(f, "in %ldusr/%ldsys/%ldreal ms.\n",
		(long)(t.tms_utime + t.tms_cutime - c->tms.tms_utime - c->tms.tms_cutime) * 1000 / tck,
		(long)(t.tms_stime + t.tms_cstime - c->tms.tms_stime - c->tms.tms_cstime) * 1000 / tck,
		(long)((tv.tv_sec - c->tv.tv_sec) * 1000 + (tv.tv_usec - c->tv.tv_usec) / 1000));
}
