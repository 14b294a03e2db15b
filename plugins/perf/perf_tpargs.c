/* perf_tpargs.c - tracepoint arguments through BTF (lowering/btf.h): a raw
 * tracepoint BPF program (lowering/bpf_capture.h) sends the synthesized
 * record to PERF_COUNT_SW_BPF_OUTPUT events, one per CPU, which the perf
 * attachment reads like any tracepoint: their format is the synthesized
 * one, so the runtime decodes fields by name as usual.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "lowering/bpf_capture.h"
#include "plugins/perf/perf_int.h"

struct st_perf_tpargs {
	const struct st_source *src;
	int scratch_fd, out_fd, prog_fd, link_fd;
};

/* Synthesized type ids: above anything tracefs hands out. */

int st_perf_tpargs_describe(struct st_perf_evt *e, const struct st_source *s, uint32_t source, char **err)
{
	uint16_t id = (uint16_t)(ST_PERF_TPARGS_ID_BASE + source);

	e->tpa = calloc(1, sizeof(*e->tpa));
	if (!e->tpa)
		return -ENOMEM;
	e->tpa->src = s;
	e->tpa->scratch_fd = e->tpa->out_fd = e->tpa->prog_fd = e->tpa->link_fd = -1;
	e->format = st_bpf_tpargs_format(s->event, id, s->btf, s->nbtf);
	e->format_len = e->format ? strlen(e->format) : 0;
	e->system = strdup(s->system);
	e->event = strdup(s->event);
	if (asprintf(&e->name, "%s:%s", s->system, s->event) < 0)
		e->name = NULL;
	if (!e->format || !e->system || !e->event || !e->name)
		return -ENOMEM;
	e->attr.type = PERF_TYPE_SOFTWARE;
	e->attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	e->attr.sample_period = 1;
	return 0;
}

int st_perf_tpargs_attach(struct st_perf_attach *a, char **err)
{
	static struct bpf_insn insn[ST_BPF_TPARGS_MAX_INSNS];
	char *log = NULL;

	for (uint32_t i = 0; i < a->nevt; i++) {
		struct st_perf_evt *e = &a->evt[i];
		struct st_perf_tpargs *t = e->tpa;
		uint32_t off[256], rec;
		int n, rc, maxcpu = 0;
		LIBBPF_OPTS(bpf_prog_load_opts, opts);

		if (!t)
			continue;
		if (t->src->nbtf > 256)
			return st_perf_fail(err, -E2BIG, "%s: too many tracepoint arguments read", e->name);
		rec = st_bpf_tpargs_layout(t->src->btf, t->src->nbtf, off);
		for (int c = 0; c < a->ncpu; c++)
			if (a->cpus[c] + 1 > maxcpu)
				maxcpu = a->cpus[c] + 1;
		t->scratch_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "stap_tpa_scr", 4, rec, 1, NULL);
		if (t->scratch_fd < 0)
			return st_perf_fail(err, -errno, "%s: cannot create a BPF map: %s", e->name, strerror(errno));
		t->out_fd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "stap_tpa_out", 4, 4, (uint32_t)maxcpu, NULL);
		if (t->out_fd < 0)
			return st_perf_fail(err, -errno, "%s: cannot create a BPF map: %s", e->name, strerror(errno));
		for (int c = 0; c < a->ncpu; c++) {
			uint32_t key = (uint32_t)a->cpus[c];

			if (e->fds[c] >= 0 && bpf_map_update_elem(t->out_fd, &key, &e->fds[c], BPF_ANY) < 0)
				return st_perf_fail(err, -errno, "%s: cannot register the output of CPU %u: %s",
						    e->name, key, strerror(errno));
		}
		n = st_bpf_tpargs_emit(t->src->btf, t->src->nbtf, (uint16_t)(ST_PERF_TPARGS_ID_BASE + e->source),
				       t->scratch_fd, t->out_fd, insn, ST_BPF_TPARGS_MAX_INSNS);
		if (n < 0)
			return st_perf_fail(err, n, "%s: capture program too large", e->name);
		t->prog_fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "stap_tpargs", "GPL", insn, (size_t)n, &opts);
		if (t->prog_fd < 0) {
			rc = -errno;
			log = calloc(1, 65536);
			if (log) {
				LIBBPF_OPTS(bpf_prog_load_opts, o2, .log_buf = log, .log_size = 65536, .log_level = 1);
				int fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "stap_tpargs", "GPL", insn,
						       (size_t)n, &o2);
				if (fd >= 0)
					close(fd);
			}
			st_perf_fail(err, rc, "%s: the kernel refused the BPF capture program: %s%s%s", e->name,
				     strerror(-rc), log && *log ? "\n" : "", log ? log : "");
			free(log);
			return rc;
		}
		t->link_fd = bpf_raw_tracepoint_open(t->src->event, t->prog_fd);
		if (t->link_fd < 0)
			return st_perf_fail(err, -errno, "%s: cannot attach to raw tracepoint %s: %s", e->name,
					    t->src->event, strerror(errno));
		if (a->verbose)
			fprintf(stderr, "perf stap: %s: %u argument values through BTF, %d BPF instructions\n",
				e->name, t->src->nbtf, n);
	}
	return 0;
}

void st_perf_tpargs_close(struct st_perf_evt *e)
{
	struct st_perf_tpargs *t = e->tpa;

	if (!t)
		return;
	if (t->link_fd >= 0)
		close(t->link_fd);
	if (t->prog_fd >= 0)
		close(t->prog_fd);
	if (t->out_fd >= 0)
		close(t->out_fd);
	if (t->scratch_fd >= 0)
		close(t->scratch_fd);
	free(t);
	e->tpa = NULL;
}

uint64_t st_perf_tpargs_id(const struct st_perf_evt *e)
{
	return ST_PERF_TPARGS_ID_BASE + e->source;
}
