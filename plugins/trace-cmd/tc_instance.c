/* tc_instance.c - the private tracefs instance a run captures in.
 *
 * Top-level tracefs state is never written: other tools (and other staplet
 * runs) share it.  Each run owns staplet_<pid>_<n>; one whose pid is gone is
 * a crashed run's leftover and is removed on the next start.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <tracefs/tracefs.h>
#include <traceevent/event-parse.h>
#include "runtime/dynevent.h"
#include "plugins/trace-cmd/tc_internal.h"
#include "runtime/leftovers.h"

int st_tracecmd_instance_write(struct tc_instance *ti, const char *file, const char *val)
{
	return tracefs_instance_file_write(ti->inst, file, val) < 0 ? -EIO : 0;
}

static uint32_t subbuf_size(struct tc_instance *ti)
{
	char *s = tracefs_instance_file_read(ti->inst, "buffer_subbuf_size_kb", NULL);
	long kb = s ? strtol(s, NULL, 10) : 0;

	free(s);
	/* kernels before 6.8 have no such file: the sub-buffer is a page */
	return kb > 0 && kb <= 1024 ? (uint32_t)kb * 1024 : (uint32_t)getpagesize();
}

int st_tracecmd_instance_create(struct tc_instance *ti, uint32_t buffer_kb, char **err)
{
	static unsigned seq;
	const char *tracing = tracefs_tracing_dir();   /* mounts tracefs if needed */

	memset(ti, 0, sizeof(*ti));
	if (!tracing) {
		st_tracecmd_err(err, "cannot find or mount tracefs (is CONFIG_TRACING set? are you root?)");
		return -ENOENT;
	}
	st_leftovers_remove();
	snprintf(ti->name, sizeof(ti->name), "staplet_%d_%u", (int)getpid(), seq++);
	ti->inst = tracefs_instance_create(ti->name);
	if (!ti->inst) {
		int e = errno ? errno : EIO;

		st_tracecmd_err(err, "cannot create tracefs instance %s: %s", ti->name, strerror(e));
		return -e;
	}
	/* a new instance starts with tracing on: off before anything is enabled */
	tracefs_trace_off(ti->inst);
	if (st_tracecmd_instance_write(ti, "trace_clock", "mono") < 0) {
		st_tracecmd_err(err, "tracefs instance %s: cannot select the mono clock", ti->name);
		st_tracecmd_instance_destroy(ti);
		return -EIO;
	}
	/* 0: keep the kernel's instance default (trace_buf_size, 1.4 MB/CPU
	 * here).  A resize allocates every page and, done while armed, makes
	 * the kernel drop events, so it is done now and only when asked for. */
	if (buffer_kb && tracefs_instance_set_buffer_size(ti->inst, buffer_kb, -1) < 0) {
		st_tracecmd_err(err, "tracefs instance %s: cannot set a %u KB buffer per CPU",
				ti->name, buffer_kb);
		st_tracecmd_instance_destroy(ti);
		return -ENOMEM;
	}
	ti->ncpu = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (ti->ncpu < 1)
		ti->ncpu = 1;
	ti->subbuf_size = subbuf_size(ti);
	return 0;
}

int st_tracecmd_instance_enable(struct tc_instance *ti, const char *sys, const char *ev)
{
	char file[512], filter[48];

	/* the enable file directly: tracefs_event_enable() scans every event */
	snprintf(file, sizeof(file), "events/%s/%s/enable", sys, ev);
	if (!tracefs_file_exists(ti->inst, file))
		return -ENOENT;
	/* System calls and uprobes of staplet's own process (its reads,
	 * writes and /proc walks while handlers run) must not feed its
	 * probes; the -c child is another process.  The filter lives in
	 * this instance only. */
	if (!strcmp(sys, "syscalls") || !strcmp(sys, "raw_syscalls") || !strncmp(sys, "staplet", 7)) {
		snprintf(file, sizeof(file), "events/%s/%s/filter", sys, ev);
		snprintf(filter, sizeof(filter), "common_pid != %d", (int)getpid());
		st_tracecmd_instance_write(ti, file, filter);
		snprintf(file, sizeof(file), "events/%s/%s/enable", sys, ev);
	}
	return st_tracecmd_instance_write(ti, file, "1");
}

int st_tracecmd_instance_tracing(struct tc_instance *ti, bool on)
{
	return (on ? tracefs_trace_on(ti->inst) : tracefs_trace_off(ti->inst)) < 0 ? -EIO : 0;
}

static uint64_t stat_value(const char *stats, const char *key)
{
	const char *p = strstr(stats, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

uint64_t st_tracecmd_instance_lost(struct tc_instance *ti)
{
	uint64_t lost = 0;
	int cpu;

	if (!ti->inst)
		return 0;
	for (cpu = 0; cpu < ti->ncpu; cpu++) {
		char file[64], *s;

		snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", cpu);
		s = tracefs_instance_file_read(ti->inst, file, NULL);
		if (!s)
			continue;
		lost += stat_value(s, "overrun: ") + stat_value(s, "dropped events: ");
		free(s);
	}
	return lost;
}

void st_tracecmd_instance_destroy(struct tc_instance *ti)
{
	if (!ti->inst)
		return;
	tracefs_trace_off(ti->inst);
	tracefs_instance_destroy(ti->inst);
	tracefs_instance_free(ti->inst);
	ti->inst = NULL;
}

char *st_tracecmd_read_tracefs(const char *rel, size_t *len)
{
	char path[512], *buf = NULL;
	size_t cap = 0, n = 0;
	const char *tracing = tracefs_tracing_dir();
	int fd;

	if (!tracing)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", tracing, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t r;

		if (n + 4097 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb) {
				free(buf);
				close(fd);
				return NULL;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

struct tep_event *st_tracecmd_load_format(struct tep_handle *tep, const char *sys, const char *ev)
{
	char rel[512], *text;
	struct tep_event *e = NULL;
	size_t len;

	snprintf(rel, sizeof(rel), "events/%s/%s/format", sys, ev);
	text = st_tracecmd_read_tracefs(rel, &len);
	if (!text)
		return NULL;
	if (tep_parse_format(tep, &e, text, len, sys) != TEP_ERRNO__SUCCESS)
		e = NULL;
	free(text);
	return e;
}

bool st_tracecmd_source_event(const struct st_source *s, char *sys, size_t ssz, char *ev, size_t esz)
{
	const char *colon;

	if (s->system && s->event) {
		snprintf(sys, ssz, "%s", s->system);
		snprintf(ev, esz, "%s", s->event);
		return true;
	}
	if (!s->name || !(colon = strchr(s->name, ':')))
		return false;
	snprintf(sys, ssz, "%.*s", (int)(colon - s->name), s->name);
	snprintf(ev, esz, "%s", colon + 1);
	return true;
}

static int add_enabled(struct tc_enabled *en, const char *sys, const char *ev, int32_t source,
		       enum tc_internal k)
{
	struct tc_enabled_event *n;
	uint32_t i;

	for (i = 0; i < en->n; i++) {
		if (!strcmp(en->e[i].sys, sys) && !strcmp(en->e[i].ev, ev)) {
			if (en->e[i].source < 0)
				en->e[i].source = source;
			if (k)
				en->e[i].internal = k;
			return 0;
		}
	}
	n = realloc(en->e, (en->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	en->e = n;
	n = &en->e[en->n++];
	snprintf(n->sys, sizeof(n->sys), "%s", sys);
	snprintf(n->ev, sizeof(n->ev), "%s", ev);
	n->source = source;
	n->internal = k;
	return 0;
}

/* A task context companion (lowering/taskctx.h) needs a BPF program:
 * here the handlers read that context when they run.  Said once, before
 * the run, naming what the script reads. */
static void taskctx_notice(const struct st_source *s)
{
	static bool said;
	char what[256] = "";

	if (said)
		return;
	said = true;
	for (uint32_t i = 0; i < s->nbtf; i++) {
		size_t n = strlen(s->btf[i].path), l = strlen(what);

		if (n > 2 && !strcmp(s->btf[i].path + n - 2, "()"))
			snprintf(what + l, sizeof(what) - l, "%s%s", l ? ", " : "", s->btf[i].path);
	}
	fprintf(stderr, "WARNING: trace-cmd stap reads %s when the handler runs, not at the event: for a "
		"process gone by then, ppid() and pexecname() come from the fork and exec events the run "
		"follows, the rest answer 0 or \"\" (perf stap captures them at the event)\n", what);
}

static int attach_source(struct tc_instance *ti, const struct st_source *s, uint32_t i,
			 struct tc_enabled *en, char **err)
{
	char sys[64], ev[128];
	int r;

	if (s->stack && (s->kind == ST_SRC_TRACEPOINT || s->kind == ST_SRC_UPROBE || s->kind == ST_SRC_KPROBE)) {
		/* tracefs' stacktrace/userstacktrace options would need their
		 * stack records paired with each event: not done yet. */
		st_tracecmd_err(err, "trace-cmd stap cannot capture stacks for %s yet: its handler uses "
				"%sbacktrace functions, which need perf callchains (use perf stap)",
				s->name ? s->name : "?", s->stack & ST_STACK_KERNEL ? "" : "user ");
		return -EOPNOTSUPP;
	}
	if (s->ctx_of) {
		taskctx_notice(s);
		return 0;
	}
	switch (s->kind) {
	case ST_SRC_TRACEPOINT:
		if (s->nbtf) {   /* $arg->member needs a BPF capture: perf backend only */
			st_tracecmd_err(err, "kernel.trace(\"%s\"): %s reads a tracepoint argument through BTF, "
					"which needs a BPF capture program; trace.dat cannot carry its output: "
					"use perf stap", s->event, s->btf[0].path);
			return -EOPNOTSUPP;
		}
		break;
	case ST_SRC_UPROBE:
	case ST_SRC_KPROBE:
		r = st_dynevent_create(s, sys, sizeof(sys), err);
		if (r < 0 && s->optional) {
			free(*err);
			*err = NULL;
			return 0;
		}
		if (r < 0)
			return r;
		r = st_tracecmd_instance_enable(ti, sys, s->event);
		if (r < 0) {
			st_tracecmd_err(err, "cannot enable %s %s:%s in %s", s->kind == ST_SRC_KPROBE ? "kprobe" :
					"uprobe", sys, s->event, ti->name);
			return r;
		}
		return add_enabled(en, sys, s->event, (int32_t)i, TC_INT_NONE);
	case ST_SRC_PERF:
		if (s->optional)
			return 0;
		st_tracecmd_err(err, "trace-cmd stap cannot attach %s yet: %s sources are not "
				"supported by the trace-cmd backend (use perf stap)", s->name ? s->name : "?",
				"perf");
		return -EOPNOTSUPP;
	default:
		return 0;   /* begin, end, error, never, timers: the runtime's */
	}
	if (!st_tracecmd_source_event(s, sys, sizeof(sys), ev, sizeof(ev)) ||
	    strchr(sys, '/') || strchr(ev, '/') || !strcmp(sys, "..") || !strcmp(ev, "..")) {
		st_tracecmd_err(err, "bad tracepoint name: %s", s->name ? s->name : "?");
		return -EINVAL;
	}
	r = st_tracecmd_instance_enable(ti, sys, ev);
	if (r == -ENOENT && s->optional)
		return 0;
	if (r == -ENOENT) {
		st_tracecmd_err(err, "no such tracepoint: %s:%s", sys, ev);
		return r;
	}
	if (r < 0) {
		st_tracecmd_err(err, "cannot enable tracepoint %s:%s in %s", sys, ev, ti->name);
		return r;
	}
	return add_enabled(en, sys, ev, (int32_t)i, TC_INT_NONE);
}

int st_tracecmd_attach(struct tc_instance *ti, const struct st_source *src, uint32_t nsrc,
		       uint32_t buffer_kb, struct tc_enabled *en, char **err)
{
	uint32_t i;
	int r;

	memset(en, 0, sizeof(*en));
	r = st_tracecmd_instance_create(ti, buffer_kb, err);
	if (r < 0)
		return r;
	for (i = 0; i < nsrc; i++) {
		r = attach_source(ti, &src[i], i, en, err);
		if (r < 0)
			goto fail;
	}
	for (i = 0; i < TC_NINTERNAL; i++) {
		const char *sys = st_tracecmd_internal_sys[i], *ev = st_tracecmd_internal_ev[i];

		/* a kernel without one of them only loses comm/tgid precision */
		if (st_tracecmd_instance_enable(ti, sys, ev) < 0)
			continue;
		r = add_enabled(en, sys, ev, -1, (enum tc_internal)(i + 1));
		if (r < 0)
			goto fail;
	}
	return 0;
fail:
	st_tracecmd_instance_destroy(ti);
	free(en->e);
	memset(en, 0, sizeof(*en));
	return r;
}

int st_tracecmd_open_cpu_raw(struct tc_instance *ti, int cpu, bool nonblock)
{
	char file[64], *path;
	int fd;

	snprintf(file, sizeof(file), "per_cpu/cpu%d/trace_pipe_raw", cpu);
	path = tracefs_instance_get_file(ti->inst, file);
	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));
	tracefs_put_tracing_file(path);
	return fd < 0 ? -errno : fd;
}
