/* perf_syscalls.c - fold many syscall tracepoints into one raw_syscalls
 * event per CPU (see perf_syscalls.h for why).
 *
 * Syscall numbers: the tracepoints do not carry them, so they come from
 * the runtime's syscall table (runtime/syscalls.h).  A syscall the table
 * does not know is simply not folded: it keeps its own tracepoint, which is
 * slower to tear down but exact.  The filter is an
 * ftrace filter on the event (PERF_EVENT_IOC_SET_FILTER), not a BPF
 * program: a BPF program on a tracepoint perf event is shared by every perf
 * event of that tracepoint (it would filter other tools' raw_syscalls
 * events too) and cannot be attached twice (-EEXIST on the second CPU).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "plugins/perf/perf_int.h"
#include "plugins/perf/perf_syscalls.h"
#include "runtime/syscalls.h"

/* Tracepoints named after the kernel function, not the syscall. */
static const struct { const char *tp, *sys; } sysc_alias[] = {
	{"newstat", "stat"}, {"newfstat", "fstat"}, {"newlstat", "lstat"},
	{"newuname", "uname"}, {"umount", "umount2"}, {"sendfile64", "sendfile"},
};

int st_perf_sysc_nr(const char *tp)
{
	for (size_t i = 0; i < sizeof(sysc_alias) / sizeof(sysc_alias[0]); i++)
		if (!strcmp(sysc_alias[i].tp, tp))
			tp = sysc_alias[i].sys;
	return st_syscall_nr(tp);
}

const char *st_perf_sysc_name(uint32_t nr)
{
	const char *name = st_syscall_name(nr);

	for (size_t i = 0; name && i < sizeof(sysc_alias) / sizeof(sysc_alias[0]); i++)
		if (!strcmp(sysc_alias[i].sys, name))
			return sysc_alias[i].tp;
	return name;
}

void st_perf_sysc_free(struct st_perf_sysc *g)
{
	if (!g)
		return;
	for (uint32_t i = 0; i < g->nm; i++) {
		free(g->m[i].event);
		free(g->m[i].format);
	}
	free(g->m);
	free(g->by_nr);
	free(g->filter);
	free(g);
}

static int fold_threshold(void)
{
	const char *s = getenv("STAPLET_SYSCALL_FOLD");

	return s && *s ? atoi(s) : ST_PERF_SYSC_FOLD_MIN;
}

/* "sys_enter_NAME" / "sys_exit_NAME" of system syscalls: 0 enter, 1 exit. */
static int direction(const struct st_source *s, const char **name)
{
	if (s->kind != ST_SRC_TRACEPOINT || !s->system || !s->event || strcmp(s->system, "syscalls"))
		return -1;
	if (s->ncaptures || s->nbtf)
		return -1;      /* its own tracepoint runs a capture program */
	if (!strncmp(s->event, "sys_enter_", 10)) {
		*name = s->event + 10;
		return 0;
	}
	if (!strncmp(s->event, "sys_exit_", 9)) {
		*name = s->event + 9;
		return 1;
	}
	return -1;
}

static int add_member(struct st_perf_sysc *g, uint32_t source, uint32_t nr, const char *dir,
		      const char *event)
{
	char path[512], *id;
	struct st_perf_sysc_member *m;

	snprintf(path, sizeof(path), "%s/events/syscalls/%s/id", dir, event);
	id = st_perf_read_file(path, NULL);
	if (!id)
		return -ENOENT;
	m = &g->m[g->nm];
	memset(m, 0, sizeof(*m));
	m->config = strtoull(id, NULL, 10);
	free(id);
	snprintf(path, sizeof(path), "%s/events/syscalls/%s/format", dir, event);
	m->format = st_perf_read_file(path, &m->format_len);
	m->event = strdup(event);
	if (!m->format || !m->event) {
		free(m->format);
		free(m->event);
		return -ENOENT;
	}
	m->source = source;
	m->nr = nr;
	g->by_nr[nr] = (int32_t)source;
	g->nm++;
	return 0;
}

/* Append "term" joined by `op` to the growing filter; false when too long. */
static bool term(char *buf, size_t cap, size_t *len, const char *op, const char *t)
{
	int n = snprintf(buf + *len, cap - *len, "%s%s", *len ? op : "", t);

	if (n < 0 || (size_t)n >= cap - *len)
		return false;
	*len += (size_t)n;
	return true;
}

enum { ID_DONTCARE, ID_WANT, ID_OUT };

/* Filter terms for the ids marked `keep` (ID_WANT: "id in ranges", joined
 * by ||) or for keeping the others out (ID_OUT: "id not in ranges", joined
 * by &&).  Ids nothing reports may fall on either side, so ranges bridge
 * them.  The term count, or -1 when the text does not fit. */
static int ranges(const uint8_t *cls, uint32_t n, uint8_t keep, char *buf, size_t cap)
{
	uint8_t stop = keep == ID_WANT ? ID_OUT : ID_WANT;
	size_t len = 0;
	int count = 0;
	char t[64];

	buf[0] = 0;
	for (uint32_t i = 0; i < n;) {
		uint32_t first = UINT32_MAX, last = 0;

		for (; i < n && cls[i] != stop; i++) {
			if (cls[i] == keep) {
				if (first == UINT32_MAX)
					first = i;
				last = i;
			}
		}
		for (; i < n && cls[i] == stop; i++)
			;
		if (first == UINT32_MAX)
			continue;
		if (keep == ID_WANT)
			snprintf(t, sizeof(t), first == last ? "id == %u" : "(id >= %u && id <= %u)", first, last);
		else
			snprintf(t, sizeof(t), first == last ? "id != %u" : "(id < %u || id > %u)", first, last);
		if (!term(buf, cap, &len, keep == ID_WANT ? " || " : " && ", t))
			return -1;
		count++;
	}
	return count;
}

/* Keep out the ids of syscalls whose tracepoint exists but no source
 * wants; NULL when nothing needs to be kept out.  Records of ids no
 * tracepoint reports may pass either way: userspace drops them. */
static int make_filter(struct st_perf_sysc *g, const char *dir)
{
	uint32_t n = g->nnr;
	uint8_t *cls = calloc(n, 1);
	char *a = malloc(4096), *b = malloc(4096);
	bool any_out = false;
	int na, nb, rc = 0;

	if (!cls || !a || !b) {
		rc = -ENOMEM;
		goto out;
	}
	for (uint32_t nr = 0; nr < n; nr++) {
		const char *name = st_perf_sysc_name(nr);
		char path[512];

		if (g->by_nr[nr] >= 0) {
			cls[nr] = ID_WANT;
			continue;
		}
		if (!name)
			continue;
		snprintf(path, sizeof(path), "%s/events/syscalls/sys_%s_%s", dir,
			 g->exit ? "exit" : "enter", name);
		if (access(path, F_OK) == 0) {
			cls[nr] = ID_OUT;
			any_out = true;
		}
	}
	if (!any_out)
		goto out;
	na = ranges(cls, n, ID_WANT, a, 4096);
	nb = ranges(cls, n, ID_OUT, b, 4096);
	if (na < 0 && nb < 0)
		goto out;           /* no filter: userspace drops the rest */
	if (nb < 0 || (na >= 0 && na <= nb)) {
		g->filter = a;
		a = NULL;
	} else {
		g->filter = b;
		b = NULL;
	}
out:
	free(cls);
	free(a);
	free(b);
	return rc;
}

int st_perf_sysc_plan(const struct st_source *src, uint32_t nsrc, const char *dir, bool *folded,
		      struct st_perf_sysc *groups[2], char **err)
{
	int threshold = fold_threshold();
	uint32_t count[2] = {0, 0};
	bool kstack[2] = {false, false}, ctx[2] = {false, false};
	int rc = 0;

	groups[0] = groups[1] = NULL;
	for (uint32_t i = 0; i < nsrc; i++) {
		const char *name;
		int d = direction(&src[i], &name);

		if (d >= 0 && st_perf_sysc_nr(name) >= 0) {
			count[d]++;
			kstack[d] |= (src[i].stack & ST_STACK_KERNEL) != 0;
			/* their task context companion runs at raw_syscalls
			 * (lowering/taskctx.h): their records must come from
			 * that event too, after it */
			ctx[d] |= src[i].ctx_src != 0;
		}
	}
	if ((threshold < 0 && !ctx[0] && !ctx[1]) || !dir)
		return 0;
	for (int d = 0; d < 2 && rc == 0; d++) {
		struct st_perf_sysc *g;

		/* syscalls:* records carry the user registers, so their
		 * callchains have no kernel part; raw_syscalls ones do. */
		if (count[d] == 0 || (count[d] <= (uint32_t)threshold && !kstack[d] && !ctx[d]))
			continue;
		g = groups[d] = calloc(1, sizeof(*g));
		if (!g)
			return st_perf_fail(err, -ENOMEM, "out of memory");
		g->exit = d == 1;
		g->nnr = (uint32_t)(st_syscall_max() + 1);
		g->by_nr = malloc(g->nnr * sizeof(*g->by_nr));
		g->m = calloc(count[d], sizeof(*g->m));
		if (!g->by_nr || !g->m)
			return st_perf_fail(err, -ENOMEM, "out of memory");
		for (uint32_t nr = 0; nr < g->nnr; nr++)
			g->by_nr[nr] = -1;
		for (uint32_t i = 0; i < nsrc; i++) {
			const char *name;
			int nr;

			if (direction(&src[i], &name) != d || (nr = st_perf_sysc_nr(name)) < 0 ||
			    g->by_nr[nr] >= 0)
				continue;   /* a second source of one event keeps its own */
			/* A tracepoint that is missing stays unfolded: the
			 * ordinary path reports it (or skips a `?` probe). */
			if (add_member(g, i, (uint32_t)nr, dir, src[i].event) == 0)
				folded[i] = true;
		}
		rc = make_filter(g, dir);
	}
	if (rc < 0)
		return st_perf_fail(err, rc, "cannot plan the syscall events: %s", strerror(-rc));
	return 0;
}
