/* perf_count.c - tier 1: a tracepoint as a perf counting event on every
 * CPU (no ring, no sampling; perf stat's path). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/libbpf.h>
#include "plugins/perf/perf_ink.h"

int st_perf_count_open(struct st_perf_ink_src *s, uint64_t tp_id, bool self_filter)
{
	int ncpu = libbpf_num_possible_cpus(), opened = 0;
	struct perf_event_attr a;
	char self[48];

	if (ncpu <= 0)
		return -EINVAL;
	s->fds = malloc(sizeof(int) * (size_t)ncpu);
	if (!s->fds)
		return -ENOMEM;
	s->nfds = ncpu;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = tp_id;
	/* staplet's own process does not count: its work must not feed its probes */
	snprintf(self, sizeof(self), "common_pid != %d", (int)getpid());
	for (int c = 0; c < ncpu; c++) {
		s->fds[c] = (int)syscall(SYS_perf_event_open, &a, -1, c, -1, PERF_FLAG_FD_CLOEXEC);
		if (s->fds[c] >= 0 && self_filter)
			ioctl(s->fds[c], PERF_EVENT_IOC_SET_FILTER, self);
		if (s->fds[c] >= 0)
			opened++;
		else if (errno != ENODEV && errno != EINVAL)   /* offline CPU */
			return -errno;
	}
	return opened ? 0 : -ENODEV;
}

uint64_t st_perf_count_read(struct st_perf_ink_src *s)
{
	uint64_t sum = 0, v;

	for (int c = 0; c < s->nfds; c++)
		if (s->fds[c] >= 0)
			ioctl(s->fds[c], PERF_EVENT_IOC_DISABLE, 0);
	for (int c = 0; c < s->nfds; c++)
		if (s->fds[c] >= 0 && read(s->fds[c], &v, sizeof(v)) == (ssize_t)sizeof(v))
			sum += v;
	return sum;
}
