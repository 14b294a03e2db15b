/* ulib.c - libstapletu.so.1, a shared library with a known function and a
 * USDT mark, for probes on a library (process("LIB").function/.mark).
 *
 * ulib_step(i) returns 2*i and fires the mark stapletu:step(i, 2*i). */
#include <sys/sdt.h>

__attribute__((noinline)) long ulib_step(long i)
{
	__asm__ volatile("" ::: "memory");
	DTRACE_PROBE2(stapletu, step, i, 2 * i);
	return 2 * i;
}
