/* families.c - the built-in probe families: which points exist, what their
 * context variables are, and which event source serves each.
 *
 *   begin[(N)] end[(N)] error[(N)] never
 *   timer.{s,sec,ms,msec,us,usec,ns,nsec,hz,jiffies}(N)
 *   kernel.trace("SYSTEM:EVENT")           globs in both parts
 *   syscall.NAME[.return], nd_syscall.NAME[.return]   NAME may be a glob
 *   timer.profile, timer.profile.tick      cpu-clock sampling on every CPU
 *   perf.type(T).config(C)[.sample(N)|.hz(F)]   perf_event_open sampling
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/frontend.h"
#include "lowering/catalog.h"
#include "lowering/btf.h"
#include "lowering/ctypes.h"
#include "lowering/families.h"
#include "lowering/uelf.h"
#include "lowering/family_kernel.h"
#include "lowering/family_process.h"
#include "lowering/kprobe_ctx.h"
#include "lowering/site_vars.h"

#define HZ_JIFFIES 250

struct resolver_ctx {
	struct st_catalog *catalog;
	struct st_arena arena;    /* concrete points live as long as the resolver */
};

static bool comp_is(const struct st_probe_point *pp, uint32_t i, const char *name)
{
	return i < pp->ncomp && strcmp(pp->comp[i].name, name) == 0;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* ---- classification ---- */

static const struct { const char *unit; uint64_t ns; } timer_units[] = {
	{ "s", 1000000000ull }, { "sec", 1000000000ull },
	{ "ms", 1000000ull }, { "msec", 1000000ull },
	{ "us", 1000ull }, { "usec", 1000ull },
	{ "ns", 1ull }, { "nsec", 1ull },
	{ "jiffies", 1000000000ull / HZ_JIFFIES },
};

static bool is_syscall_family(const struct st_probe_point *pp)
{
	return pp->ncomp >= 2 && (comp_is(pp, 0, "syscall") || comp_is(pp, 0, "nd_syscall")) &&
	       !pp->comp[1].has_arg && (pp->ncomp == 2 || (pp->ncomp == 3 && comp_is(pp, 2, "return")));
}

static bool is_kernel_trace(const struct st_probe_point *pp)
{
	return pp->ncomp == 2 && comp_is(pp, 0, "kernel") && comp_is(pp, 1, "trace") &&
	       pp->comp[1].has_arg && pp->comp[1].arg_is_string;
}

/* timer.UNIT(N)[.randomize(M)]: the runtime's clock fires every N units.
 * The randomize range is checked as stap checks it, but intervals are not
 * jittered: the runtime timer is exact. */
static int timer_period(const struct st_probe_point *pp, uint64_t *ns)
{
	size_t i;

	if ((pp->ncomp != 2 && pp->ncomp != 3) || !comp_is(pp, 0, "timer") || !pp->comp[1].has_arg ||
	    pp->comp[1].arg_is_string)
		return -ENOENT;
	if (pp->ncomp == 3 && (!comp_is(pp, 2, "randomize") || !pp->comp[2].has_arg || pp->comp[2].arg_is_string))
		return -ENOENT;
	if (pp->comp[1].arg_num <= 0)
		return -EINVAL;
	if (pp->ncomp == 3 && (pp->comp[2].arg_num < 0 || pp->comp[2].arg_num > pp->comp[1].arg_num))
		return -EINVAL;
	if (strcmp(pp->comp[1].name, "hz") == 0) {
		if (pp->ncomp == 3 || pp->comp[1].arg_num > 1000000000)
			return -EINVAL;   /* stap: timer.hz takes no randomize */
		*ns = 1000000000ull / (uint64_t)pp->comp[1].arg_num;
		return *ns ? 0 : -EINVAL;
	}
	for (i = 0; i < sizeof(timer_units) / sizeof(timer_units[0]); i++)
		if (strcmp(pp->comp[1].name, timer_units[i].unit) == 0) {
			*ns = (uint64_t)pp->comp[1].arg_num * timer_units[i].ns;
			return 0;
		}
	return -ENOENT;
}

/* timer.profile and timer.profile.tick: a cpu-clock sample on every CPU
 * each tick (stap's alias falls back to perf.sw.cpu_clock the same way). */
static bool is_profile(const struct st_probe_point *pp)
{
	return (pp->ncomp == 2 || (pp->ncomp == 3 && comp_is(pp, 2, "tick") && !pp->comp[2].has_arg)) &&
	       comp_is(pp, 0, "timer") && comp_is(pp, 1, "profile") && !pp->comp[1].has_arg;
}

static bool num_arg(const struct st_probe_point *pp, uint32_t i, const char *name)
{
	return comp_is(pp, i, name) && pp->comp[i].has_arg && !pp->comp[i].arg_is_string;
}

static int perf_fail(char **why, const char *fmt, const char *arg)
{
	if (why && asprintf(why, fmt, arg) < 0)
		*why = NULL;
	return -EINVAL;
}

/* perf.type(T).config(C)[.sample(N)|.hz(F)][.process("P")][.counter("name")]:
 * 0 with fp filled, -ENOENT when not this family, -EINVAL (and a malloc'd
 * *why, when why is not NULL) when a part is wrong or not supported. */
static int perf_point(const struct st_probe_point *pp, struct st_family_point *fp, char **why)
{
	uint32_t i = 3;

	if (pp->ncomp < 3 || !comp_is(pp, 0, "perf") || pp->comp[0].has_arg || !num_arg(pp, 1, "type") ||
	    !num_arg(pp, 2, "config"))
		return -ENOENT;
	fp->kind = ST_SRC_PERF;
	fp->perf_type = (uint32_t)pp->comp[1].arg_num;
	fp->perf_config = (uint64_t)pp->comp[2].arg_num;
	fp->perf_period = 1000000;      /* stap's default sample period */
	if (pp->comp[1].arg_num < 0 || pp->comp[1].arg_num >= PERF_TYPE_MAX)
		return perf_fail(why, "%s", "perf.type(T): T is not a perf event type");
	if (i < pp->ncomp && (num_arg(pp, i, "sample") || num_arg(pp, i, "hz"))) {
		if (pp->comp[i].arg_num <= 0)
			return perf_fail(why, "%s", "perf sample period or frequency must be positive");
		fp->perf_freq = comp_is(pp, i, "hz");
		fp->perf_period = (uint64_t)pp->comp[i].arg_num;
		i++;
	}
	if (i < pp->ncomp && comp_is(pp, i, "process")) {
		/* .process("P"): samples of processes running P; .process: of
		 * the -c/-x target's tree.  The session filters each sample by
		 * its task (runtime/proctree.c), as it does for process probes. */
		if (!pp->comp[i].has_arg)
			fp->target_scoped = true;
		else if (!pp->comp[i].arg_is_string)
			return perf_fail(why, "%s", "perf ... .process(P): P must be a path string");
		else {
			char *path = st_uelf_resolve_path(pp->comp[i].arg_str);

			if (!path)
				return perf_fail(why, "cannot find executable '%s'", pp->comp[i].arg_str);
			snprintf(fp->task_path, sizeof(fp->task_path), "%s", path);
			free(path);
		}
		i++;
	}
	if (i < pp->ncomp && comp_is(pp, i, "counter"))
		return perf_fail(why, "%s", "perf.type(T).config(C).counter(...) for @perf is not supported yet");
	return i == pp->ncomp ? 0 : -ENOENT;
}

static void profile_point(struct st_family_point *fp)
{
	fp->kind = ST_SRC_PERF;
	fp->perf_type = PERF_TYPE_SOFTWARE;
	fp->perf_config = PERF_COUNT_SW_CPU_CLOCK;
	fp->perf_period = 1000000000ull / HZ_JIFFIES;    /* cpu-clock counts ns: one tick */
}

static bool is_bee(const struct st_probe_point *pp)
{
	if (pp->ncomp != 1)
		return false;
	if (comp_is(pp, 0, "never"))
		return !pp->comp[0].has_arg;
	return (comp_is(pp, 0, "begin") || comp_is(pp, 0, "end") || comp_is(pp, 0, "error")) &&
	       (!pp->comp[0].has_arg || !pp->comp[0].arg_is_string);
}

/* Split "sys:evt" (or "evt": any system). */
static void split_trace(const char *arg, char *sys, char *evt, size_t n)
{
	const char *colon = strchr(arg, ':');

	if (colon) {
		snprintf(sys, n, "%.*s", (int)(colon - arg), arg);
		snprintf(evt, n, "%s", colon + 1);
	} else {
		snprintf(sys, n, "*");
		snprintf(evt, n, "%s", arg);
	}
}

/* ---- building concrete points ---- */

static struct st_probe_point *point_new(struct resolver_ctx *rc, const struct st_probe_point *like, uint32_t ncomp)
{
	struct st_probe_point *p = (void *)st_arena_alloc(&rc->arena, sizeof(*p));

	memset(p, 0, sizeof(*p));
	p->comp = (void *)st_arena_alloc(&rc->arena, sizeof(*p->comp) * ncomp);
	memset(p->comp, 0, sizeof(*p->comp) * ncomp);
	p->ncomp = ncomp;
	p->optional = like->optional;
	p->sufficient = like->sufficient;
	p->cond = like->cond;
	p->loc = like->loc;
	return p;
}

static const char *rc_strdup(struct resolver_ctx *rc, const char *s)
{
	return st_arena_strndup(&rc->arena, s, strlen(s), strlen(s));
}

struct expand_state {
	struct resolver_ctx *rc;
	const struct st_probe_point *pp;
	int (*add)(void *arg, struct st_probe_point *concrete);
	void *arg;
	const char *name_glob;   /* syscall NAME glob */
	int count;
	int rc_add;
};

static int add_trace(void *arg, const char *sys, const char *evt)
{
	struct expand_state *st = arg;
	struct st_probe_point *p = point_new(st->rc, st->pp, 2);
	char buf[512];

	snprintf(buf, sizeof(buf), "%s:%s", sys, evt);
	p->comp[0].name = "kernel";
	p->comp[1].name = "trace";
	p->comp[1].has_arg = true;
	p->comp[1].arg_is_string = true;
	p->comp[1].arg_str = rc_strdup(st->rc, buf);
	st->count++;
	st->rc_add = st->add(st->arg, p);
	return st->rc_add;
}

static int add_syscall(void *arg, const char *sys, const char *evt)
{
	struct expand_state *st = arg;
	const char *name = evt + strlen("sys_enter_");
	bool ret = st->pp->ncomp == 3;
	struct st_probe_point *p;

	(void)sys;
	if (fnmatch(st->name_glob, name, 0) != 0)
		return 0;
	p = point_new(st->rc, st->pp, ret ? 3 : 2);
	p->comp[0].name = st->pp->comp[0].name;
	p->comp[1].name = rc_strdup(st->rc, name);
	if (ret)
		p->comp[2].name = "return";
	st->count++;
	st->rc_add = st->add(st->arg, p);
	return st->rc_add;
}

/* System calls stap's tapset names that this kernel does not have: send
 * and recv exist only through socketcall(2) on the architectures that
 * have it (x86_64 has sendto/recvfrom).  stap resolves them to a probe
 * gated on a syscall number that never comes; staplet to no probe. */
static int count_one(void *arg, const char *sys, const char *evt)
{
	(void)sys;
	(void)evt;
	++*(int *)arg;
	return 0;
}

static bool never_here(struct st_catalog *c, const char *name)
{
	static const char *const names[] = { "send", "recv" };
	char evt[64];
	int n = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			snprintf(evt, sizeof(evt), "sys_enter_%s", name);
			return c->ops->list(c, "syscalls", evt, count_one, &n) >= 0 && n == 0;
		}
	return false;
}

static int resolver_expand(void *ctx, const struct st_probe_point *pp,
			   int (*add)(void *arg, struct st_probe_point *concrete), void *arg, char **err)
{
	struct resolver_ctx *rc = ctx;
	struct expand_state st = { rc, pp, add, arg, NULL, 0, 0 };
	uint64_t ns;
	int r;

	if (st_process_is_family(pp))
		return st_process_expand(&rc->arena, pp, add, arg, err);
	if (st_kernel_is_family(pp))
		return st_kernel_expand(rc->catalog, &rc->arena, pp, add, arg, err);
	if (is_bee(pp) || timer_period(pp, &ns) == 0 || is_profile(pp))
		return add(arg, (struct st_probe_point *)pp) < 0 ? -ECANCELED : 1;
	{
		struct st_family_point fp;
		memset(&fp, 0, sizeof(fp));
		r = perf_point(pp, &fp, err);
		if (r == -EINVAL)
			return r;
		if (r == 0) {
			if ((fp.perf_type == PERF_TYPE_HARDWARE || fp.perf_type == PERF_TYPE_HW_CACHE) &&
			    !rc->catalog->ops->has(rc->catalog, ST_CAP_HW_COUNTERS)) {
				if (asprintf(err, "probe point perf.type(%u).config(%llu) needs hardware performance "
					     "counters, which this machine does not have", fp.perf_type,
					     (unsigned long long)fp.perf_config) < 0)
					*err = NULL;
				return -EOPNOTSUPP;
			}
			return add(arg, (struct st_probe_point *)pp) < 0 ? -ECANCELED : 1;
		}
	}
	if (is_kernel_trace(pp)) {
		char sys[256], evt[256];

		split_trace(pp->comp[1].arg_str, sys, evt, sizeof(sys));
		r = rc->catalog->ops->list(rc->catalog, sys, evt, add_trace, &st);
		return r < 0 ? r : st.count;
	}
	if (is_syscall_family(pp)) {
		st.name_glob = pp->comp[1].name;
		if (!has_glob(st.name_glob) && never_here(rc->catalog, st.name_glob))
			return -ENODATA;
		if (!has_glob(st.name_glob)) {
			char evt[300];

			snprintf(evt, sizeof(evt), "sys_enter_%s", st.name_glob);
			r = rc->catalog->ops->list(rc->catalog, "syscalls", evt, add_syscall, &st);
		} else {
			r = rc->catalog->ops->list(rc->catalog, "syscalls", "sys_enter_*", add_syscall, &st);
		}
		return r < 0 ? r : st.count;
	}
	if (timer_period(pp, &ns) == -EINVAL) {
		if (asprintf(err, "invalid timer interval") < 0)
			*err = NULL;
		return -EINVAL;
	}
	return 0;
}

/* ---- context variables ---- */

static const struct { const char *syscall, *spec; } syscall_specs[] = {
#include "lowering/syscall_names.h"
};

static const char *syscall_spec(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(syscall_specs) / sizeof(syscall_specs[0]); i++)
		if (!strcmp(syscall_specs[i].syscall, name))
			return syscall_specs[i].spec;
	return NULL;
}

static const struct st_catalog_field *find_field(struct st_catalog *c, const char *sys, const char *evt,
						 const char *name);

uint32_t st_syscall_args(struct st_catalog *c, const struct st_family_point *fp, struct st_syscall_arg *out,
			 uint32_t max)
{
	const char *spec = syscall_spec(fp->syscall_name);
	uint32_t n = 0;

	if (spec) {
		const char *p = spec;

		while (*p && n < max) {
			struct st_syscall_arg *a = &out[n];
			int len = 0;

			if (sscanf(p, "%47[^=]=%47[^:]:%c%n", a->name, a->field, &a->conv, &len) != 3 || !len)
				break;
			p += len;
			while (*p == ' ')
				p++;
			/* a field this kernel's tracepoint lacks is left out */
			if (find_field(c, fp->system, fp->event, a->field))
				n++;
		}
	} else {
		const struct st_catalog_field *f;
		uint32_t nf, i;

		if (c->ops->fields(c, fp->system, fp->event, &f, &nf) < 0)
			return 0;
		for (i = 0; i < nf && n < max; i++) {
			if (!strcmp(f[i].name, "__syscall_nr") || !strncmp(f[i].name, "common_", 7))
				continue;
			snprintf(out[n].name, sizeof(out[n].name), "%s", f[i].name);
			snprintf(out[n].field, sizeof(out[n].field), "%s", f[i].name);
			/* a path or name the caller passes: stap quotes it; a
			 * buffer of bytes (write's, mq_timedsend's) stays an address */
			out[n].conv = f[i].is_cstr && !strstr(f[i].name, "buf") && !strstr(f[i].name, "msg") ? 'S' :
				      f[i].is_signed ? 'd' : f[i].size == 8 ? 'x' : 'u';
			n++;
		}
	}
	return n;
}

/* The raw field holding syscall argument n (1-based, pointer_arg(n)) at an
 * entry point: the n-th field after __syscall_nr, as the record lays them. */
const char *st_syscall_arg_field(struct st_catalog *c, const struct st_family_point *fp, int64_t n)
{
	const struct st_catalog_field *f;
	uint32_t nf, i;

	if (!fp->syscall || fp->is_return || n < 1 || c->ops->fields(c, fp->system, fp->event, &f, &nf) < 0)
		return NULL;
	for (i = 0; i < nf; i++) {
		if (!strcmp(f[i].name, "__syscall_nr") || !strncmp(f[i].name, "common_", 7))
			continue;
		if (--n == 0)
			return f[i].name;
	}
	return NULL;
}

/* @entry: the point whose handler evaluates a .return probe's @entry values
 * on the same thread: the function's entry uprobe, or sys_enter_NAME. */
int st_family_entry_point(const struct st_family_point *ret, struct st_family_point *entry)
{
	if (ret->usite)
		return st_site_entry_point(&st_uprobe_site_ops, ret, entry);
	if (ret->ksite)
		return st_site_entry_point(&st_kprobe_site_ops, ret, entry);
	if (ret->kind != ST_SRC_TRACEPOINT || !ret->syscall || !ret->is_return)
		return -ENOENT;
	*entry = *ret;
	entry->is_return = false;
	snprintf(entry->event, sizeof(entry->event), "sys_enter_%.110s", ret->syscall_name);
	return 0;
}

char st_syscall_conv(struct st_catalog *c, const struct st_family_point *fp, const char *name)
{
	struct st_syscall_arg a[8];
	uint32_t n = st_syscall_args(c, fp, a, 8), i;

	for (i = 0; i < n; i++)
		if (!strcmp(a[i].name, name))
			return a[i].conv;
	return 0;
}

static const struct st_catalog_field *find_field(struct st_catalog *c, const char *sys, const char *evt,
						 const char *name)
{
	const struct st_catalog_field *f;
	uint32_t n, i;

	if (c->ops->fields(c, sys, evt, &f, &n) < 0)
		return NULL;
	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

int st_family_classify(const struct st_probe_point *pp, struct st_family_point *fp)
{
	uint64_t ns;

	memset(fp, 0, sizeof(*fp));
	if (st_process_is_family(pp))
		return st_process_classify(pp, fp);
	if (st_kernel_is_family(pp))
		return st_kernel_classify(pp, fp);
	if (is_bee(pp)) {
		const char *n = pp->comp[0].name;

		fp->kind = !strcmp(n, "begin") ? ST_SRC_BEGIN : !strcmp(n, "end") ? ST_SRC_END :
			   !strcmp(n, "error") ? ST_SRC_ERROR : ST_SRC_NEVER;
		fp->seq = pp->comp[0].has_arg ? pp->comp[0].arg_num : 0;
		return 0;
	}
	if (is_profile(pp)) {
		profile_point(fp);
		return 0;
	}
	if (perf_point(pp, fp, NULL) == 0)
		return 0;
	memset(fp, 0, sizeof(*fp));
	if (timer_period(pp, &ns) == 0) {
		fp->kind = ST_SRC_TIMER;
		fp->period_ns = ns;
		return 0;
	}
	if (is_kernel_trace(pp)) {
		fp->kind = ST_SRC_TRACEPOINT;
		split_trace(pp->comp[1].arg_str, fp->system, fp->event, sizeof(fp->system));
		return 0;
	}
	if (is_syscall_family(pp) && !has_glob(pp->comp[1].name)) {
		fp->kind = ST_SRC_TRACEPOINT;
		fp->syscall = true;
		fp->is_return = pp->ncomp == 3;
		snprintf(fp->system, sizeof(fp->system), "syscalls");
		snprintf(fp->event, sizeof(fp->event), "sys_%s_%s", fp->is_return ? "exit" : "enter",
			 pp->comp[1].name);
		snprintf(fp->syscall_name, sizeof(fp->syscall_name), "%s", pp->comp[1].name);
		return 0;
	}
	return -ENOENT;
}

enum st_ctxvar_kind st_family_var(struct st_catalog *c, const struct st_family_point *fp, const char *name,
				  bool dollar, char *fbuf, const char **field, enum st_type *type)
{
	const struct st_catalog_field *f;

	if (fp->usite)
		return st_process_var(fp, name, dollar, fbuf, field, type);
	if (fp->ksite)
		return st_kernel_var(fp, name, dollar, fbuf, field, type);
	if (fp->kind != ST_SRC_TRACEPOINT)
		return ST_CTX_NONE;
	if (fp->syscall && !dollar) {
		if (strcmp(name, "name") == 0) {
			*type = ST_T_STRING;
			return ST_CTX_SYSCALL_NAME;
		}
		if (fp->is_return && strcmp(name, "retstr") == 0) {
			*field = "ret";
			*type = ST_T_STRING;
			return ST_CTX_SYSCALL_RETSTR;
		}
		if (!fp->is_return && strcmp(name, "argstr") == 0) {
			*type = ST_T_STRING;
			return ST_CTX_SYSCALL_ARGSTR;
		}
		if (!fp->is_return) {
			struct st_syscall_arg a[8];
			uint32_t n = st_syscall_args(c, fp, a, 8), i;

			for (i = 0; i < n; i++)
				if (!strcmp(a[i].name, name) && (f = find_field(c, fp->system, fp->event, a[i].field))) {
					*field = f->name;
					*type = strchr("SATRK", a[i].conv) ? ST_T_STRING : ST_T_LONG;
					return ST_CTX_SYSCALL_ARG;
				}
		}
		if (fp->is_return && strcmp(name, "retval") == 0)
			name = "ret";
		else if (strcmp(name, "ret") == 0 || strcmp(name, "__syscall_nr") == 0)
			return ST_CTX_NONE;
	} else if (dollar) {
		name++;      /* "$fd" -> "fd" */
		if (strcmp(name, "$name") == 0) {
			*type = ST_T_STRING;
			return ST_CTX_EVENT_NAME;
		}
	} else {
		return ST_CTX_NONE;
	}
	f = find_field(c, fp->system, fp->event, name);
	if (!f)
		return ST_CTX_NONE;
	*field = f->name;
	*type = f->is_string ? ST_T_STRING : ST_T_LONG;
	return ST_CTX_FIELD;
}

static enum st_type resolver_var_type(void *ctx, const struct st_probe_point *pp, const char *name, bool dollar)
{
	struct resolver_ctx *rc = ctx;
	struct st_family_point fp;
	const char *field;
	char fbuf[ST_FIELD_NAME_MAX];
	enum st_type t = ST_T_UNKNOWN;

	if (st_family_classify(pp, &fp) < 0)
		return ST_T_UNKNOWN;
	if (st_family_var(rc->catalog, &fp, name, dollar, fbuf, &field, &t) == ST_CTX_NONE) {
		/* A TP_PROTO argument or a member chain, through BTF. */
		struct st_btf_cap cap;
		char msg[256];

		if (dollar && fp.ksite && strstr(name, "->")) {
			/* $param->member: typed when the chain lowers */
			char root[128];

			snprintf(root, sizeof(root), "%.*s", (int)(strstr(name, "->") - name), name);
			return st_family_var(rc->catalog, &fp, root, true, fbuf, &field, &t) == ST_CTX_FIELD ? ST_T_LONG :
			       ST_T_UNKNOWN;
		}
		if (!dollar || fp.kind != ST_SRC_TRACEPOINT || fp.syscall ||
		    st_btf_tp_resolve(fp.event, name, &cap, msg, sizeof(msg)) < 0)
			return ST_T_UNKNOWN;
		return ST_T_LONG;     /* a char array is its address, as in stap */
	}
	return t;
}

static bool resolver_cast_defined(void *ctx, const char *type, const char *module, const char *const *members,
				  uint32_t n)
{
	uint64_t size, off;
	char msg[256];

	if (!module || (module[0] != '<' && module[0] != '/'))   /* the kernel's or its modules' BTF */
		return st_btf_cast_defined(st_btf_for_cast(((struct resolver_ctx *)ctx)->catalog, module), type,
					   members, n);
	/* DWARF: a member with no address (a bitfield, one through a pointer) exists too */
	return st_ctype_layout(module, type, members, n, &size, &off, msg, sizeof(msg)) == 0 ||
	       strstr(msg, "bitfield") || strstr(msg, "through pointer");
}

void st_resolver_init(struct st_point_resolver *r, struct st_catalog *catalog)
{
	struct resolver_ctx *rc = calloc(1, sizeof(*rc));

	if (!rc)
		abort();
	rc->catalog = catalog;
	st_arena_init(&rc->arena, 16384);
	r->ctx = rc;
	r->expand = resolver_expand;
	r->var_type = resolver_var_type;
	r->cast_defined = resolver_cast_defined;
	r->probe_types = st_family_probe_types;
}

void st_resolver_free(struct st_point_resolver *r)
{
	struct resolver_ctx *rc = r->ctx;

	if (!rc)
		return;
	st_arena_free(&rc->arena);
	free(rc);
	r->ctx = NULL;
}

const char *const *st_family_probe_types(void)
{
	static const char *const types[] = {
		"begin", "begin(number)", "end", "end(number)", "error", "error(number)", "never",
		"timer.profile", "timer.profile.tick",
		"timer.jiffies(number)", "timer.jiffies(number).randomize(number)",
		"timer.hz(number)",
		"timer.s(number)", "timer.s(number).randomize(number)",
		"timer.sec(number)", "timer.sec(number).randomize(number)",
		"timer.ms(number)", "timer.ms(number).randomize(number)",
		"timer.msec(number)", "timer.msec(number).randomize(number)",
		"timer.us(number)", "timer.us(number).randomize(number)",
		"timer.usec(number)", "timer.usec(number).randomize(number)",
		"timer.ns(number)", "timer.ns(number).randomize(number)",
		"timer.nsec(number)", "timer.nsec(number).randomize(number)",
		"perf.type(number).config(number)",
		"perf.type(number).config(number).sample(number)",
		"perf.type(number).config(number).hz(number)",
		"perf.type(number).config(number).process",
		"perf.type(number).config(number).process(string)",
		"perf.type(number).config(number).counter(string)",
		"kernel.trace(string)",
		"syscall(string)", "syscall(string).return",
		"nd_syscall(string)", "nd_syscall(string).return",
		"kernel.function(string)", "kernel.function(string).call", "kernel.function(string).exported",
		"kernel.function(string).return", "kernel.function(string).return.maxactive(number)",
		"kernel.statement(string)", "kernel.statement(number)", "kernel.statement(number).absolute",
		"kernel.function(string).inline", "kernel.statement(string).nearest",
		"module(string).function(string)", "module(string).function(string).call",
		"module(string).function(string).exported", "module(string).function(string).return",
		"module(string).statement(number)",
		"kprobe.function(string)", "kprobe.function(string).return",
		"kprobe.function(string).return.maxactive(number)",
		"kprobe.module(string).function(string)", "kprobe.module(string).function(string).return",
		"kprobe.statement(number).absolute",
		"process.begin", "process.end", "process.thread.begin", "process.thread.end",
		"process(string).begin", "process(string).end",
		"process(string).thread.begin", "process(string).thread.end",
		"process(number).begin", "process(number).end",
		"process(string).function(string)", "process(string).function(string).call",
		"process(string).function(string).inline", "process(string).function(string).exported",
		"process(string).function(string).return",
		"process(string).function(number)", "process(string).function(number).return",
		"process(string).library(string).function(string)",
		"process(string).library(string).function(string).return",
		"process(string).library(string).mark(string)",
		"process(string).statement(string)", "process(string).statement(string).nearest",
		"process(string).statement(number)", "process(string).statement(number).absolute",
		"process(string).plt", "process(string).plt.return",
		"process(string).plt(string)", "process(string).plt(string).return",
		"process(string).mark(string)", "process(string).provider(string).mark(string)",
		NULL,
	};

	return types;
}

/* ---- dynamic probes (uprobes, kprobes): one interface for lowering ---- */

bool st_family_dynamic(const struct st_family_point *fp)
{
	return fp->usite || fp->ksite;
}

int st_family_pretty(const struct st_family_point *fp, const char *name, char *fmt, size_t flen, char targets[][64],
		     uint32_t max)
{
	if (fp->ksite)
		return st_kernel_pretty(fp, name, fmt, flen, targets, max);
	return fp->usite ? st_process_pretty(fp, name, fmt, flen, targets, max) : -1;
}

bool st_family_entry_var(const struct st_family_point *fp, const char *target)
{
	return st_site_entry_var(fp->ksite ? &st_kprobe_site_ops : &st_uprobe_site_ops, fp, target);
}

const char *st_family_string_field(const struct st_family_point *fp, const char *target, bool user, char *buf)
{
	if (fp->ksite)
		return st_kernel_string_field(fp, target, user, buf);
	return user && fp->usite ? st_process_string_field(fp, target, buf) : NULL;
}

void st_family_source_init(struct st_source *s, const struct st_family_point *fp, struct st_arena *arena)
{
	if (fp->ksite)
		st_kernel_source_init(s, fp, arena);
	else if (fp->usite)
		st_process_source_init(s, fp, arena);
}

void st_family_source_fetch(struct st_source *s, const struct st_family_point *fp, struct st_arena *arena)
{
	if (fp->ksite)
		st_kernel_source_fetch(s, fp, arena);
	else if (fp->usite)
		st_process_source_fetch(s, fp, arena);
}
