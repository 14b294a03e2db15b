/* perf_bpfagg.c - tier 2: the BPF aggregation program (lowering/bpfagg.h)
 * on a tracepoint, and reading its per-CPU hash into bulk events.
 *
 * RLIMIT_MEMLOCK is never raised: kernels with memcg accounting ignore it.
 * The map holds MAXMAPENTRIES + 1 keys (the array's declared size + 1), so
 * an overflow shows as stap's MAXMAPENTRIES error when the counts are
 * applied; keys past that are not counted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lowering/bpfagg.h"
#include "plugins/perf/perf_ink.h"

int st_perf_bpfagg_open(struct st_perf_ink_src *s, uint64_t tp_id, const struct st_backend_opts *o, char *log,
			size_t log_size)
{
	struct bpf_insn p[ST_BPFAGG_MAX_INSNS];
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_NO_PREALLOC);
	LIBBPF_OPTS(bpf_prog_load_opts, po);
	struct perf_event_attr a;
	uint32_t entries = s->ink->map_entries ? s->ink->map_entries
					       : (o && o->maxmapentries ? o->maxmapentries : 2048) + 1;
	uint32_t n;

	s->map_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "stap_agg", st_bpfagg_key_size(s->ink), 8, entries, &mo);
	if (s->map_fd < 0)
		return -errno;
	n = st_bpfagg_emit(s->ink, s->map_fd, s->ids_fd, o ? o->target_pid : 0, (int32_t)getpid(), p);
	if (log && log_size) {
		log[0] = 0;
		po.log_buf = log;
		po.log_size = (uint32_t)log_size;
		po.log_level = 1;
	}
	s->prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "stap_agg", "GPL", p, n, &po);
	if (s->prog_fd < 0)
		return -errno;
	if (tp_id == UINT64_MAX)
		return 0;                 /* the verifier's check only */
	s->fds = malloc(sizeof(int));
	if (!s->fds)
		return -ENOMEM;
	s->nfds = 1;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = tp_id;
	a.sample_period = 0;    /* counting only: the program returns 1, so perf still delivers */
	a.disabled = 1;
	/* one fd on CPU 0 runs the program on every CPU */
	s->fds[0] = (int)syscall(SYS_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (s->fds[0] < 0)
		return -errno;
	if (ioctl(s->fds[0], PERF_EVENT_IOC_SET_BPF, s->prog_fd) < 0 ||
	    ioctl(s->fds[0], PERF_EVENT_IOC_ENABLE, 0) < 0)
		return -errno;
	return 0;
}

static int grow(struct st_perf_ink *k)
{
	uint32_t cap = k->nout + 1;

	if ((cap & (cap - 1)) == 0 || k->nout == 0) {
		uint32_t c = cap < 16 ? 16 : cap * 2;
		void *o = realloc(k->out, sizeof(*k->out) * c), *m;

		if (!o)
			return -ENOMEM;
		k->out = o;
		m = realloc(k->comm, sizeof(*k->comm) * c);
		if (!m)
			return -ENOMEM;
		k->comm = m;
	}
	return 0;
}

int st_perf_bpfagg_read(struct st_perf_ink *k, struct st_perf_ink_src *s)
{
	int ncpu = libbpf_num_possible_cpus();
	uint32_t ks = st_bpfagg_key_size(s->ink);
	uint8_t key[32], next[32];
	uint64_t *vals;
	void *prev = NULL;

	if (s->fds && s->fds[0] >= 0)
		ioctl(s->fds[0], PERF_EVENT_IOC_DISABLE, 0);
	if (ncpu <= 0 || !(vals = calloc((size_t)ncpu, 8)))
		return -ENOMEM;
	while (bpf_map_get_next_key(s->map_fd, prev, next) == 0) {
		uint64_t sum = 0;
		uint32_t off = 0;
		struct st_event *ev;

		memcpy(key, next, ks);
		prev = key;
		if (bpf_map_lookup_elem(s->map_fd, key, vals) < 0)
			continue;
		for (int c = 0; c < ncpu; c++)
			sum += vals[c];
		if (!sum || grow(k) < 0)
			continue;
		ev = &k->out[k->nout];
		memset(ev, 0, sizeof(*ev));
		memset(k->comm[k->nout], 0, 16);
		ev->pid = ev->tid = ev->cpu = -1;
		for (uint32_t i = 0; i < s->ink->nkeys; i++) {
			uint32_t v;

			switch (s->ink->key[i]) {
			case ST_INK_K_COMM:
				memcpy(k->comm[k->nout], key + off, 15);
				off += 16;
				continue;
			case ST_INK_K_PID: memcpy(&v, key + off, 4); ev->pid = (int32_t)v; break;
			case ST_INK_K_TID: memcpy(&v, key + off, 4); ev->tid = (int32_t)v; break;
			case ST_INK_K_CPU: memcpy(&v, key + off, 4); ev->cpu = (int32_t)v; break;
			}
			off += 4;
		}
		ev->source = s->source;
		ev->value = sum;
		ev->flags = ST_EV_BULK;
		k->nout++;
	}
	free(vals);
	return 0;
}
