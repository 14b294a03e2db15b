/* passlog.h - stap's -v pass lines with real figures:
 *   Pass 1: parsed user script and 12 library scripts using 5120virt/3300res/2100shr/1400data kb, in 10usr/0sys/12real ms.
 * A clock is started before a pass; the line is printed after it. */
#ifndef ST_RUNTIME_PASSLOG_H
#define ST_RUNTIME_PASSLOG_H

#include <stdio.h>
#include <sys/time.h>
#include <sys/times.h>

struct st_passclock {
	struct timeval tv;
	struct tms tms;
};

void st_passclock_start(struct st_passclock *c);
/* "WHAT using ...kb, in U usr/S sys/R real ms." (memory when with_mem) */
void st_pass_line(FILE *f, const struct st_passclock *c, int with_mem, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
