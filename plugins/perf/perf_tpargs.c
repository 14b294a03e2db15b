/* perf_tpargs.c - tracepoint arguments through BTF (lowering/btf.h): a raw
 * tracepoint BPF program (lowering/bpf_capture.h) sends the synthesized
 * record to PERF_COUNT_SW_BPF_OUTPUT events, one per CPU, which the perf
 * attachment reads like any tracepoint: their format is the synthesized
 * one, so the runtime decodes fields by name as usual.
 *
 * A syscall event has no raw tracepoint: there the program is a tracepoint
 * program (ctx is the event's record) attached to one perf tracepoint event,
 * which serves every CPU (the kernel runs a tracepoint's BPF programs
 * wherever it fires); the program returns 0, so that event records nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include "lowering/bpf_capture.h"
#include "plugins/perf/perf_dispatch.h"
#include "plugins/perf/perf_int.h"
#include "plugins/perf/perf_syscalls.h"
#include "runtime/dynevent.h"

struct st_perf_tpargs {
	const struct st_source *src;
	int scratch_fd, out_fd, prog_fd, link_fd;
	int filter_fd;       /* a raw_syscalls companion's syscall numbers, or -1 */
};

/* The source whose event the program runs at: a task context companion's
 * (lowering/taskctx.h) is the source it follows; any other, its own. */
static const struct st_source *at_source(const struct st_perf_evt *e)
{
	const struct st_source *s = e->tpa->src;

	return s->ctx_of ? s + ((int64_t)s->ctx_of - 1 - (int64_t)e->source) : s;
}

/* The perf tracepoint event of a syscall source (or of the source a
 * companion follows: a tracepoint, or our uprobe event under its live
 * group), its program attached. */
static int tp_attach(struct st_perf_attach *a, struct st_perf_evt *e, int prog_fd, char **err)
{
	struct perf_event_attr tp = {.size = sizeof(tp), .type = PERF_TYPE_TRACEPOINT, .sample_period = 1};
	const struct st_source *at = at_source(e);
	const char *dir = st_perf_tracing_dir();
	char path[512], *id;
	int fd;

	if (e->tpa->src->ctx_syscalls)
		snprintf(path, sizeof(path), "%s/events/raw_syscalls/%s/id", dir ? dir : "",
			 e->tpa->src->ctx_syscalls == 1 ? "sys_enter" : "sys_exit");
	else
		snprintf(path, sizeof(path), "%s/events/%s/%s/id", dir ? dir : "",
			 at->kind == ST_SRC_UPROBE ? st_dynevent_group() : at->system, at->event);
	if (!dir || !(id = st_perf_read_file(path, NULL)))
		return st_perf_fail(err, -ENOENT, "%s: no tracepoint (%s)", e->name, path);
	tp.config = strtoull(id, NULL, 10);
	free(id);
	fd = (int)syscall(SYS_perf_event_open, &tp, -1, a->cpus[0], -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return st_perf_fail(err, -errno, "perf_event_open(%s): %s", e->name, strerror(errno));
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) < 0) {
		int rc = -errno;

		close(fd);
		return st_perf_fail(err, rc, "%s: cannot attach the BPF capture program: %s", e->name,
				    strerror(-rc));
	}
	return fd;
}

/* Synthesized type ids: above anything tracefs hands out. */

int st_perf_tpargs_describe(struct st_perf_evt *e, const struct st_source *s, uint32_t source, char **err)
{
	uint16_t id = (uint16_t)(ST_PERF_TPARGS_ID_BASE + source);

	e->tpa = calloc(1, sizeof(*e->tpa));
	if (!e->tpa)
		return -ENOMEM;
	e->tpa->src = s;
	e->tpa->scratch_fd = e->tpa->out_fd = e->tpa->prog_fd = e->tpa->link_fd = e->tpa->filter_fd = -1;
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

/* The syscall numbers a raw_syscalls companion serves: those of the
 * sources whose ctx_src names it (src[comp]). */
static int nr_filter(const struct st_source *src, uint32_t nsrc, uint32_t comp, char **err)
{
	uint64_t words[ST_BPF_NR_FILTER_MAX / 64] = { 0 };
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "stap_tc_nrs", 4, 8, ST_BPF_NR_FILTER_MAX / 64, NULL);

	if (fd < 0)
		return st_perf_fail(err, -errno, "cannot create a BPF map: %s", strerror(errno));
	for (uint32_t i = 0; i < nsrc; i++) {
		const char *ev = src[i].event;
		int nr;

		if (src[i].ctx_src != comp + 1 || !ev)
			continue;
		nr = st_perf_sysc_nr(!strncmp(ev, "sys_enter_", 10) ? ev + 10 : !strncmp(ev, "sys_exit_", 9) ? ev + 9 : ev);
		if (nr >= 0 && nr < ST_BPF_NR_FILTER_MAX)
			words[nr / 64] |= 1ull << (nr % 64);
	}
	for (uint32_t k = 0; k < ST_BPF_NR_FILTER_MAX / 64; k++)
		if (bpf_map_update_elem(fd, &k, &words[k], BPF_ANY) < 0) {
			int rc = -errno;

			close(fd);
			return st_perf_fail(err, rc, "cannot fill a BPF map: %s", strerror(-rc));
		}
	return fd;
}

/* insn: room for one program (ST_BPF_TPARGS_MAX_INSNS) */
static int attach_with(struct st_perf_attach *a, const struct st_source *src, uint32_t nsrc, bool companions,
		       struct bpf_insn *insn, char **err)
{
	char *log = NULL;

	for (uint32_t i = 0; i < a->nevt; i++) {
		struct st_perf_evt *e = &a->evt[i];
		struct st_perf_tpargs *t = e->tpa;
		uint32_t off[256], rec;
		int n, rc, maxcpu = 0;
		enum bpf_prog_type pt;
		bool ctx;
		LIBBPF_OPTS(bpf_prog_load_opts, opts);

		if (!t || t->prog_fd >= 0 || (t->src->ctx_of != 0) != companions)
			continue;
		ctx = t->src->ctx_of != 0;
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
		if (t->src->ctx_syscalls && (t->filter_fd = nr_filter(src, nsrc, e->source, err)) < 0)
			return t->filter_fd;
		if (ctx)
			n = st_bpf_taskctx_emit(t->src->btf, t->src->nbtf, (uint16_t)(ST_PERF_TPARGS_ID_BASE + e->source),
						t->scratch_fd, t->out_fd, t->filter_fd, insn, ST_BPF_TPARGS_MAX_INSNS);
		else if (e->disp)   /* at raw_syscalls: 0 would silence its other events */
			n = st_bpf_tpargs_emit_pass(t->src->btf, t->src->nbtf,
						    (uint16_t)(ST_PERF_TPARGS_ID_BASE + e->source), t->scratch_fd,
						    t->out_fd, insn, ST_BPF_TPARGS_MAX_INSNS);
		else
			n = st_bpf_tpargs_emit(t->src->btf, t->src->nbtf, (uint16_t)(ST_PERF_TPARGS_ID_BASE + e->source),
					       t->scratch_fd, t->out_fd, insn, ST_BPF_TPARGS_MAX_INSNS);
		if (n < 0)
			return st_perf_fail(err, n, "%s: capture program too large", e->name);
		/* a uprobe event runs kprobe-type programs (ctx: the registers) */
		pt = ctx && !t->src->ctx_syscalls && at_source(e)->kind == ST_SRC_UPROBE ? BPF_PROG_TYPE_KPROBE :
		     t->src->btf_ctx || ctx ? BPF_PROG_TYPE_TRACEPOINT : BPF_PROG_TYPE_RAW_TRACEPOINT;
		t->prog_fd = bpf_prog_load(pt, "stap_tpargs", "GPL", insn, (size_t)n, &opts);
		if (t->prog_fd < 0) {
			rc = -errno;
			log = calloc(1, 65536);
			if (log) {
				LIBBPF_OPTS(bpf_prog_load_opts, o2, .log_buf = log, .log_size = 65536, .log_level = 1);
				int fd = bpf_prog_load(pt, "stap_tpargs", "GPL", insn,
						       (size_t)n, &o2);
				if (fd >= 0)
					close(fd);
			}
			st_perf_fail(err, rc, "%s: the kernel refused the BPF capture program: %s%s%s", e->name,
				     strerror(-rc), log && *log ? "\n" : "", log ? log : "");
			free(log);
			return rc;
		}
		if (e->disp) {
			rc = st_perf_disp_add(a, e, t->prog_fd, err);
			if (rc < 0)
				return rc;
		} else if (t->src->btf_ctx || ctx) {
			t->link_fd = tp_attach(a, e, t->prog_fd, err);
			if (t->link_fd < 0)
				return t->link_fd;
			if (ioctl(t->link_fd, PERF_EVENT_IOC_ENABLE, 0) < 0)
				return st_perf_fail(err, -errno, "cannot enable %s: %s", e->name, strerror(errno));
		} else {
			t->link_fd = bpf_raw_tracepoint_open(t->src->event, t->prog_fd);
		}
		if (t->link_fd < 0 && !e->disp)
			return st_perf_fail(err, -errno, "%s: cannot attach to raw tracepoint %s: %s", e->name,
					    t->src->event, strerror(errno));
		if (a->verbose)
			fprintf(stderr, "perf stap: %s: %u argument values through BTF, %d BPF instructions\n",
				e->name, t->src->nbtf, n);
	}
	return 0;
}

static int attach(struct st_perf_attach *a, const struct st_source *src, uint32_t nsrc, bool companions, char **err)
{
	struct bpf_insn *insn = malloc(sizeof(*insn) * ST_BPF_TPARGS_MAX_INSNS);
	int rc;

	if (!insn)
		return st_perf_fail(err, -ENOMEM, "out of memory");
	rc = attach_with(a, src, nsrc, companions, insn, err);
	free(insn);
	return rc;
}

int st_perf_tpargs_attach(struct st_perf_attach *a, char **err)
{
	return attach(a, NULL, 0, false, err);
}

int st_perf_taskctx_attach(struct st_perf_attach *a, const struct st_source *src, uint32_t nsrc, char **err)
{
	return attach(a, src, nsrc, true, err);
}

void st_perf_tpargs_fds(struct st_perf_evt *e, struct st_perf_fds *all)
{
	struct st_perf_tpargs *t = e->tpa;

	if (!t)
		return;
	st_perf_fds_add(all, t->link_fd);
	st_perf_fds_add(all, t->prog_fd);
	st_perf_fds_add(all, t->out_fd);
	st_perf_fds_add(all, t->scratch_fd);
	st_perf_fds_add(all, t->filter_fd);
	t->link_fd = t->prog_fd = t->out_fd = t->scratch_fd = t->filter_fd = -1;
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
	if (t->filter_fd >= 0)
		close(t->filter_fd);
	free(t);
	e->tpa = NULL;
}

uint64_t st_perf_tpargs_id(const struct st_perf_evt *e)
{
	return ST_PERF_TPARGS_ID_BASE + e->source;
}
