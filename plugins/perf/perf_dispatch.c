/* perf_dispatch.c - syscall capture programs behind raw_syscalls
 * dispatchers (see perf_dispatch.h for why). */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include "lowering/bpf_insn.h"
#include "lowering/btf.h"
#include "plugins/perf/perf_dispatch.h"
#include "plugins/perf/perf_int.h"
#include "plugins/perf/perf_syscalls.h"

int st_perf_disp_emit(int array_fd, int32_t compat_off, struct bpf_insn *p, uint32_t max)
{
	uint32_t k = 0, out[3], nout = 0;

#define PUT(x) do { if (k >= max) return -E2BIG; p[k++] = (x); } while (0)
	PUT(MOV64_REG(BPF_REG_6, BPF_REG_1));             /* r6 = ctx (the record) */
	if (compat_off >= 0) {
		/* a 32-bit syscall: its id is not the 64-bit table's */
		PUT(CALL(BPF_FUNC_get_current_task));
		PUT(MOV64_REG(BPF_REG_3, BPF_REG_0));
		PUT(ADD64_IMM(BPF_REG_3, compat_off));
		PUT(MOV64_REG(BPF_REG_1, BPF_REG_10));
		PUT(ADD64_IMM(BPF_REG_1, -8));
		PUT(MOV64_IMM(BPF_REG_2, 4));
		PUT(CALL(BPF_FUNC_probe_read_kernel));    /* zeroes the slot on a fault */
		PUT(LDX_W(BPF_REG_0, BPF_REG_10, -8));
		PUT(AND64_IMM(BPF_REG_0, ST_PERF_DISP_TS_COMPAT));
		out[nout++] = k;
		PUT(JNE_IMM(BPF_REG_0, 0, 0));
	}
	PUT(LDX_DW(BPF_REG_3, BPF_REG_6, 8));             /* the syscall id */
	/* unsigned: -1 (no syscall) and x32's high bit are out as well */
	out[nout++] = k;
	PUT(JGT_IMM(BPF_REG_3, ST_PERF_DISP_NR - 1, 0));
	PUT(MOV64_REG(BPF_REG_1, BPF_REG_6));
	PUT(LD_IMM64_LO(BPF_REG_2, BPF_PSEUDO_MAP_FD, array_fd));
	PUT(LD_IMM64_HI(0));
	PUT(CALL(BPF_FUNC_tail_call));                    /* an empty slot comes back */
	for (uint32_t i = 0; i < nout; i++)
		p[out[i]].off = (int16_t)(k - out[i] - 1);
	PUT(MOV64_IMM(BPF_REG_0, 1));
	PUT(EXIT());
#undef PUT
	return (int)k;
}

int st_perf_disp_place(struct st_perf_disp *d, bool companion, uint32_t nr)
{
	uint32_t seen = 0;

	assert(nr < ST_PERF_DISP_NR);
	for (uint32_t i = 0; i < d->nlvl; i++) {
		struct st_perf_disp_level *l = &d->lvl[i];

		if (l->companion != companion)
			continue;
		seen++;
		if (!(l->used[nr / 64] & (1ull << (nr % 64)))) {
			l->used[nr / 64] |= 1ull << (nr % 64);
			return (int)i;
		}
	}
	if (seen == ST_PERF_DISP_LEVELS || d->nlvl == 2 * ST_PERF_DISP_LEVELS)
		return -1;
	memset(&d->lvl[d->nlvl], 0, sizeof(d->lvl[0]));
	d->lvl[d->nlvl].companion = companion;
	d->lvl[d->nlvl].array_fd = d->lvl[d->nlvl].prog_fd = d->lvl[d->nlvl].tp_fd = -1;
	d->lvl[d->nlvl].used[nr / 64] = 1ull << (nr % 64);
	return (int)d->nlvl++;
}

static int threshold(void)
{
	const char *s = getenv("STAPLET_SYSCALL_DISPATCH");

	return s && *s ? atoi(s) : ST_PERF_DISP_MIN;
}

/* A syscalls:sys_enter_X (0) / sys_exit_X (1) source and its number. */
static int sysc_dir(const struct st_source *s, uint32_t *nr)
{
	const char *name;
	int d, n;

	if (s->kind != ST_SRC_TRACEPOINT || !s->system || !s->event || strcmp(s->system, "syscalls"))
		return -1;
	if (!strncmp(s->event, "sys_enter_", 10))
		d = 0, name = s->event + 10;
	else if (!strncmp(s->event, "sys_exit_", 9))
		d = 1, name = s->event + 9;
	else
		return -1;
	n = st_perf_sysc_nr(name);
	if (n < 0 || n >= ST_PERF_DISP_NR)
		return -1;
	*nr = (uint32_t)n;
	return d;
}

/* An event whose program would run at its own syscalls:* event: a user
 * memory capture, or a BTF capture of the record (btf_ctx). */
static int source_dir(const struct st_perf_evt *e, const struct st_source *src, uint32_t *nr)
{
	const struct st_source *s = &src[e->source];

	if (e->sysc || !(e->capture || (e->tpa && s->btf_ctx && !s->ctx_of)))
		return -1;
	return sysc_dir(s, nr);
}

/* The event of plan source i, or NULL. */
static struct st_perf_evt *evt_of(struct st_perf_attach *a, uint32_t i)
{
	for (uint32_t k = 0; k < a->nevt; k++)
		if (!a->evt[k].sysc && a->evt[k].source == i)
			return &a->evt[k];
	return NULL;
}

static void unplan(struct st_perf_attach *a)
{
	for (uint32_t k = 0; k < a->nevt; k++)
		a->evt[k].disp = 0;
	for (int d = 0; d < 2; d++) {
		for (uint32_t i = 0; a->disp[d] && i < a->disp[d]->nlvl; i++)
			if (a->disp[d]->lvl[i].array_fd >= 0)
				close(a->disp[d]->lvl[i].array_fd);
		free(a->disp[d]);
		a->disp[d] = NULL;
	}
}

/* Place the direction's sources, then the companions of those placed. */
static void place_dir(struct st_perf_attach *a, const struct st_source *src, int dir)
{
	struct st_perf_disp *d = a->disp[dir];

	for (uint32_t k = 0; k < a->nevt; k++) {
		struct st_perf_evt *e = &a->evt[k];
		uint32_t nr;
		int l;

		if (source_dir(e, src, &nr) != dir || (l = st_perf_disp_place(d, false, nr)) < 0)
			continue;
		e->disp = (uint8_t)(l + 1);
		e->disp_dir = (uint8_t)dir;
		e->disp_nr = (uint16_t)nr;
	}
	for (uint32_t k = 0; k < a->nevt; k++) {
		struct st_perf_evt *e = &a->evt[k], *at;
		const struct st_source *s = &src[e->source];
		int l;

		if (!e->tpa || !s->ctx_of || s->ctx_syscalls || !(at = evt_of(a, s->ctx_of - 1)) || !at->disp ||
		    at->disp_dir != dir)
			continue;
		l = st_perf_disp_place(d, true, at->disp_nr);
		if (l < 0) {      /* cannot follow it: both keep their own events */
			at->disp = 0;
			continue;
		}
		e->disp = (uint8_t)(l + 1);
		e->disp_dir = (uint8_t)dir;
		e->disp_nr = at->disp_nr;
	}
}

int st_perf_disp_plan(struct st_perf_attach *a, const struct st_source *src, uint32_t nsrc, char **err)
{
	int lim = threshold();
	uint32_t count[2] = {0, 0};

	(void)nsrc;
	for (uint32_t k = 0; k < a->nevt; k++) {
		uint32_t nr;
		int d = source_dir(&a->evt[k], src, &nr);

		if (d >= 0)
			count[d]++;
	}
	for (int d = 0; d < 2; d++) {
		if (lim < 0 || count[d] <= (uint32_t)lim || !count[d])
			continue;
		a->disp[d] = calloc(1, sizeof(*a->disp[d]));
		if (!a->disp[d])
			return st_perf_fail(err, -ENOMEM, "out of memory");
		a->disp[d]->exit = d == 1;
		place_dir(a, src, d);
		for (uint32_t i = 0; i < a->disp[d]->nlvl; i++) {
			int fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "stap_disp", 4, 4, ST_PERF_DISP_NR, NULL);

			if (fd < 0) {     /* no prog arrays: each keeps its own event */
				if (a->verbose)
					fprintf(stderr, "perf stap: no BPF prog array (%s): syscall captures "
						"keep their own events\n", strerror(errno));
				unplan(a);
				return 0;
			}
			a->disp[d]->lvl[i].array_fd = fd;
		}
	}
	for (int d = 0; d < 2; d++) {
		uint32_t nsrc_prog = 0, ncomp = 0, nlc = 0;

		for (uint32_t k = 0; a->verbose && a->disp[d] && k < a->nevt; k++)
			if (a->evt[k].disp && a->evt[k].disp_dir == d) {
				if (a->disp[d]->lvl[a->evt[k].disp - 1].companion)
					ncomp++;
				else
					nsrc_prog++;
			}
		for (uint32_t i = 0; a->verbose && a->disp[d] && i < a->disp[d]->nlvl; i++)
			nlc += a->disp[d]->lvl[i].companion;
		if (a->verbose && a->disp[d])
			fprintf(stderr, "perf stap: %u syscall capture programs (and %u task context programs) "
				"dispatched from raw_syscalls:%s in %u levels (%u of task context)\n", nsrc_prog, ncomp,
				d ? "sys_exit" : "sys_enter", a->disp[d]->nlvl, nlc);
	}
	return 0;
}

int st_perf_disp_add(struct st_perf_attach *a, const struct st_perf_evt *e, int prog_fd, char **err)
{
	struct st_perf_disp_level *l;
	uint32_t key = e->disp_nr;

	assert(e->disp && a->disp[e->disp_dir] && e->disp <= a->disp[e->disp_dir]->nlvl);
	l = &a->disp[e->disp_dir]->lvl[e->disp - 1];
	if (bpf_map_update_elem(l->array_fd, &key, &prog_fd, BPF_ANY) < 0)
		return st_perf_fail(err, -errno, "%s: cannot put its BPF program behind the syscall dispatcher: %s",
				    e->name, strerror(errno));
	l->n++;
	return 0;
}

/* The offset of thread_info.status in task_struct (x86-64: TS_COMPAT
 * there marks a 32-bit syscall), or -1 where the check does not apply. */
static int32_t compat_offset(void)
{
#if defined(__x86_64__)
	static const char *const m[] = { "thread_info", "status" };
	uint32_t size = 0, off = 0;
	char msg[256];

	if (st_btf_cast_addr(NULL, "struct task_struct", m, 2, &size, &off, msg, sizeof(msg)) == 0 && off < 4096)
		return (int32_t)off;
#endif
	return -1;
}

static int attach_level(struct st_perf_attach *a, struct st_perf_disp *d, struct st_perf_disp_level *l,
			int32_t compat_off, char **err)
{
	struct bpf_insn insn[ST_PERF_DISP_MAX_INSNS];
	struct perf_event_attr tp = {.size = sizeof(tp), .type = PERF_TYPE_TRACEPOINT, .sample_period = 0,
				     .disabled = 1};
	const char *ev = d->exit ? "sys_exit" : "sys_enter", *dir = st_perf_tracing_dir();
	char path[512], *id, log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = sizeof(log));
	int n = st_perf_disp_emit(l->array_fd, compat_off, insn, ST_PERF_DISP_MAX_INSNS);

	assert(n > 0);
	l->prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "stap_disp", "GPL", insn, (size_t)n, &opts);
	if (l->prog_fd < 0 && (opts.log_level = 1, bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "stap_disp", "GPL",
								 insn, (size_t)n, &opts)) < 0)
		return st_perf_fail(err, -errno, "the kernel refused the syscall dispatcher: %s%s%.300s",
				    strerror(errno), log[0] ? ": " : "", log);
	snprintf(path, sizeof(path), "%s/events/raw_syscalls/%s/id", dir ? dir : "", ev);
	if (!dir || !(id = st_perf_read_file(path, NULL)))
		return st_perf_fail(err, -ENOENT, "no tracepoint raw_syscalls:%s (%s)", ev, path);
	tp.config = strtoull(id, NULL, 10);
	free(id);
	/* counting, not sampling: the programs' outputs are the samples */
	l->tp_fd = (int)syscall(SYS_perf_event_open, &tp, -1, a->cpus[0], -1, PERF_FLAG_FD_CLOEXEC);
	if (l->tp_fd < 0)
		return st_perf_fail(err, -errno, "perf_event_open(raw_syscalls:%s): %s", ev, strerror(errno));
	if (ioctl(l->tp_fd, PERF_EVENT_IOC_SET_BPF, l->prog_fd) < 0)
		return st_perf_fail(err, -errno, "raw_syscalls:%s: cannot attach the syscall dispatcher: %s", ev,
				    strerror(errno));
	return 0;
}

int st_perf_disp_attach(struct st_perf_attach *a, char **err)
{
	int32_t compat_off = a->disp[0] || a->disp[1] ? compat_offset() : -1;

	for (int d = 0; d < 2; d++) {
		struct st_perf_disp *p = a->disp[d];

		/* the task context levels first: their records lead */
		for (int pass = 0; p && pass < 2; pass++)
			for (uint32_t i = 0; i < p->nlvl; i++) {
				struct st_perf_disp_level *l = &p->lvl[i];
				int rc;

				if (l->companion != (pass == 0) || !l->n)
					continue;
				rc = attach_level(a, p, l, compat_off, err);
				if (rc < 0)
					return rc;
			}
	}
	return 0;
}

int st_perf_disp_enable(struct st_perf_attach *a, char **err)
{
	for (int d = 0; d < 2; d++)
		for (uint32_t i = 0; a->disp[d] && i < a->disp[d]->nlvl; i++) {
			int fd = a->disp[d]->lvl[i].tp_fd;

			if (fd >= 0 && ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0)
				return st_perf_fail(err, -errno, "cannot enable the syscall dispatcher: %s",
						    strerror(errno));
		}
	return 0;
}

void st_perf_disp_disable(struct st_perf_attach *a)
{
	for (int d = 0; d < 2; d++)
		for (uint32_t i = 0; a->disp[d] && i < a->disp[d]->nlvl; i++)
			if (a->disp[d]->lvl[i].tp_fd >= 0)
				ioctl(a->disp[d]->lvl[i].tp_fd, PERF_EVENT_IOC_DISABLE, 0);
}

void st_perf_disp_close(struct st_perf_attach *a, struct st_perf_fds *all)
{
	for (int d = 0; d < 2; d++) {
		for (uint32_t i = 0; a->disp[d] && i < a->disp[d]->nlvl; i++) {
			st_perf_fds_add(all, a->disp[d]->lvl[i].tp_fd);
			st_perf_fds_add(all, a->disp[d]->lvl[i].prog_fd);
			st_perf_fds_add(all, a->disp[d]->lvl[i].array_fd);
		}
		free(a->disp[d]);
		a->disp[d] = NULL;
	}
}
