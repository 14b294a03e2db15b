/* event.h - one kernel event as every event source hands it to the runtime.
 *
 * Sources are live (perf ring buffers, a tracefs instance) or recorded
 * (perf.data, trace.dat); the runtime does not know which.  Times are
 * CLOCK_MONOTONIC nanoseconds: perf events are opened with use_clockid and
 * tracefs instances use the "mono" clock, so live and recorded runs agree and
 * wall time is time + the recording's wall offset.
 */
#ifndef ST_RUNTIME_EVENT_H
#define ST_RUNTIME_EVENT_H

#include <stdbool.h>
#include <stdint.h>

/* User memory copied at the event (by a BPF capture program): a string
 * (user_string(addr) answers from here before trying the live process) or
 * a range of bytes (user_long() and kin, execve's argv pointers). */
struct st_capture {
	uint64_t addr;          /* the user address the handler passes */
	const char *str;        /* the bytes read there (not NUL-terminated) */
	uint32_t len;
	int32_t err;            /* 0, or the read's negative errno (-EFAULT); for
				 * a range: reading the byte at addr + len failed */
	bool mem;               /* a range of bytes, not a string */
};

struct st_event {
	uint64_t time;          /* CLOCK_MONOTONIC ns */
	uint32_t source;        /* index into plan->sources */
	int32_t cpu;
	int32_t pid;            /* thread group id (stap's pid()); -1 when unknown */
	int32_t tid;            /* thread id (stap's tid()) */
	const char *comm;       /* the task's name at the event's time; never NULL */
	const void *raw;        /* the tracepoint record (common fields first), or NULL */
	uint32_t raw_size;
	uint64_t value;         /* counter sources: the count/period of this sample */
	uint64_t ip;            /* counter sources: the sampled instruction pointer, 0 if none */
	const struct st_capture *captures;   /* user strings taken at the event */
	uint32_t ncaptures;
	uint32_t flags;         /* ST_EV_BULK, ST_EV_KSTACK, ST_EV_USTACK */
	/* ST_EV_KSTACK / ST_EV_USTACK: the callchain taken at the event,
	 * innermost first, as u64 addresses (may be unaligned: memcpy them). */
	const void *kstack;     /* kernel part */
	uint32_t nkstack;
	const void *ustack;     /* user part */
	uint32_t nustack;
	/* A report over several recordings (runtime/report_merge.h): which
	 * recording the event is from (st_stream.inputs); 0 from any other
	 * stream. */
	uint32_t input;
};

/* An in-kernel count (lowering/inkernel.h): the probe's bulk code runs once
 * for `value` events with these pid/tid/cpu/comm. */
#define ST_EV_BULK 1u
/* The event carries its kernel / user callchain (kstack / ustack; the
 * kernel may still have found no frames: nkstack or nustack 0). */
#define ST_EV_KSTACK 2u
#define ST_EV_USTACK 4u

#endif
