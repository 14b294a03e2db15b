/* catalog.c - event catalogs for lowering: over the live tracefs (formats
 * parsed on demand, so a one-probe script reads one format file) and over a
 * recording's own formats. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <tracefs.h>
#include <traceevent/event-parse.h>
#include "runtime/catalog.h"

struct cached_event {
	char *sys, *evt;
	struct st_catalog_field *fields;
	uint32_t nfields;
	int err;
};

struct catalog {
	struct st_catalog base;
	struct tep_handle *tep;      /* the recording's, or a private one for tracefs formats */
	bool own_tep;
	bool live;
	int status;                  /* live: -errno when tracefs could not be read */
	struct cached_event *cache;
	uint32_t ncache, cap;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dir_entry(const char *name)
{
	return strcmp(name, "enable") && strcmp(name, "filter") && strcmp(name, "header_page") &&
	       strcmp(name, "header_event");
}

/* ---- fields from a tep_event ---- */

static void fields_from_event(struct cached_event *ce, struct tep_event *ev)
{
	struct tep_format_field *f;
	uint32_t n = 0;

	for (f = ev->format.fields; f; f = f->next)
		n++;
	ce->fields = calloc(n ? n : 1, sizeof(*ce->fields));
	if (!ce->fields)
		abort();
	for (f = ev->format.fields; f; f = f->next) {
		struct st_catalog_field *cf = &ce->fields[ce->nfields++];

		cf->name = f->name;
		cf->offset = (uint32_t)f->offset;
		cf->size = (uint32_t)f->size;
		cf->is_signed = (f->flags & TEP_FIELD_IS_SIGNED) != 0;
		cf->is_string = (f->flags & TEP_FIELD_IS_STRING) != 0 ||
				((f->flags & TEP_FIELD_IS_ARRAY) && strstr(f->type, "char") != NULL);
		cf->is_cstr = !(f->flags & TEP_FIELD_IS_ARRAY) && f->size == 8 && !strncmp(f->type, "const char *", 12) &&
			      !strchr(f->type + 12, '*');
	}
}

static struct tep_event *load_live_format(struct catalog *c, const char *sys, const char *evt)
{
	char *text;
	struct tep_event *ev = NULL;

	text = tracefs_event_file_read(NULL, sys, evt, "format", NULL);
	if (!text)
		return NULL;
	if (tep_parse_format(c->tep, &ev, text, strlen(text), sys) != 0)
		ev = NULL;
	free(text);
	return ev;
}

static int cat_fields(struct st_catalog *base, const char *sys, const char *evt,
		      const struct st_catalog_field **out, uint32_t *n)
{
	struct catalog *c = (struct catalog *)base;
	struct cached_event *ce;
	struct tep_event *ev;
	uint32_t i;

	for (i = 0; i < c->ncache; i++)
		if (!strcmp(c->cache[i].sys, sys) && !strcmp(c->cache[i].evt, evt))
			goto found;
	if (c->ncache == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->cache = realloc(c->cache, sizeof(*c->cache) * c->cap);
		if (!c->cache)
			abort();
	}
	ce = &c->cache[c->ncache++];
	memset(ce, 0, sizeof(*ce));
	ce->sys = strdup(sys);
	ce->evt = strdup(evt);
	ev = tep_find_event_by_name(c->tep, sys, evt);
	if (!ev && c->live)
		ev = load_live_format(c, sys, evt);
	if (ev)
		fields_from_event(ce, ev);
	else
		ce->err = -ENOENT;
found:
	ce = &c->cache[i];
	if (ce->err)
		return ce->err;
	*out = ce->fields;
	*n = ce->nfields;
	return 0;
}

/* ---- listing ---- */

static int list_live(struct catalog *c, const char *sys_glob, const char *evt_glob,
		     int (*fn)(void *, const char *, const char *), void *arg)
{
	char **systems = tracefs_event_systems(NULL);
	char **sv = NULL, **ev;
	int count = 0, i, j, nsys, nev, r = 0;

	if (!systems) {
		char *events = tracefs_get_tracing_file("events");

		c->status = access(events ? events : "/sys/kernel/tracing/events", R_OK) < 0 ? -errno : -ENOENT;
		tracefs_put_tracing_file(events);
		return c->status;
	}
	for (nsys = 0; systems[nsys]; nsys++)
		;
	qsort(systems, (size_t)nsys, sizeof(char *), cmp_str);
	for (i = 0; i < nsys && !r; i++) {
		if (fnmatch(sys_glob, systems[i], 0) != 0)
			continue;
		/* an exact event name needs no directory listing */
		if (!strpbrk(evt_glob, "*?[")) {
			char *path = tracefs_get_tracing_file("events");
			char buf[4096];

			snprintf(buf, sizeof(buf), "%s/%s/%s/format", path ? path : "", systems[i], evt_glob);
			tracefs_put_tracing_file(path);
			if (access(buf, R_OK) == 0) {
				count++;
				r = fn(arg, systems[i], evt_glob);
			}
			continue;
		}
		ev = tracefs_system_events(NULL, systems[i]);
		if (!ev)
			continue;
		for (nev = 0; ev[nev]; nev++)
			;
		qsort(ev, (size_t)nev, sizeof(char *), cmp_str);
		for (j = 0; j < nev && !r; j++) {
			if (!is_dir_entry(ev[j]) || fnmatch(evt_glob, ev[j], 0) != 0)
				continue;
			count++;
			r = fn(arg, systems[i], ev[j]);
		}
		tracefs_list_free(ev);
	}
	tracefs_list_free(systems);
	free(sv);
	return r < 0 ? r : count;
}

static int list_tep(struct catalog *c, const char *sys_glob, const char *evt_glob,
		    int (*fn)(void *, const char *, const char *), void *arg)
{
	struct tep_event **events = tep_list_events(c->tep, TEP_EVENT_SORT_SYSTEM);
	int count = 0, r = 0, i;

	if (!events)
		return 0;
	for (i = 0; events[i] && !r; i++) {
		if (fnmatch(sys_glob, events[i]->system, 0) || fnmatch(evt_glob, events[i]->name, 0))
			continue;
		count++;
		r = fn(arg, events[i]->system, events[i]->name);
	}
	return r < 0 ? r : count;
}

static int cat_list(struct st_catalog *base, const char *sys_glob, const char *evt_glob,
		    int (*fn)(void *, const char *, const char *), void *arg)
{
	struct catalog *c = (struct catalog *)base;

	return c->live ? list_live(c, sys_glob, evt_glob, fn, arg) : list_tep(c, sys_glob, evt_glob, fn, arg);
}

static bool cat_has(struct st_catalog *base, enum st_capability cap)
{
	struct catalog *c = (struct catalog *)base;
	bool r = false;
	char *path;

	if (!c->live)
		return false;
	switch (cap) {
	case ST_CAP_KPROBES:
	case ST_CAP_UPROBES:
		path = tracefs_get_tracing_file(cap == ST_CAP_KPROBES ? "kprobe_events" : "uprobe_events");
		r = path && access(path, W_OK) == 0;
		tracefs_put_tracing_file(path);
		break;
	case ST_CAP_HW_COUNTERS: {
		/* cycles on this thread: ENOENT/EOPNOTSUPP when the machine
		 * (a VM, usually) has no PMU */
		struct perf_event_attr a;
		int fd;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = PERF_TYPE_HARDWARE;
		a.config = PERF_COUNT_HW_CPU_CYCLES;
		a.disabled = 1;
		a.exclude_kernel = 1;
		fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
		r = fd >= 0;
		if (fd >= 0)
			close(fd);
		break;
	}
	default:
		break;
	}
	return r;
}

static void cat_free(struct st_catalog *base)
{
	struct catalog *c = (struct catalog *)base;
	uint32_t i;

	for (i = 0; i < c->ncache; i++) {
		free(c->cache[i].sys);
		free(c->cache[i].evt);
		free(c->cache[i].fields);
	}
	free(c->cache);
	if (c->own_tep)
		tep_free(c->tep);
	free(c);
}

static const struct st_catalog_ops catalog_ops = {
	.list = cat_list,
	.fields = cat_fields,
	.has = cat_has,
	.free = cat_free,
};

struct st_catalog *st_catalog_tracefs(void)
{
	struct catalog *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	c->base.ops = &catalog_ops;
	c->live = true;
	c->tep = tep_alloc();
	c->own_tep = true;
	if (!c->tep)
		abort();
	return &c->base;
}

int st_catalog_tracefs_status(struct st_catalog *base)
{
	return ((struct catalog *)base)->status;
}

struct st_catalog *st_catalog_from_tep(struct tep_handle *tep)
{
	struct catalog *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	c->base.ops = &catalog_ops;
	c->tep = tep;
	return &c->base;
}

/* ---- a recording's catalog over the live one ----
 * Report resolves probe points against what was recorded; a point that
 * names an event the recording lacks still resolves through the live
 * kernel (when there is one), so the backend can name what is missing
 * instead of the frontend calling the point unknown. */

struct layered {
	struct st_catalog base;
	struct st_catalog *first, *second;
};

static int lay_list(struct st_catalog *base, const char *sg, const char *eg,
		    int (*fn)(void *, const char *, const char *), void *arg)
{
	struct layered *l = (struct layered *)base;
	int r = l->first->ops->list(l->first, sg, eg, fn, arg);

	if (r != 0 || !l->second)
		return r;
	return l->second->ops->list(l->second, sg, eg, fn, arg);
}

static int lay_fields(struct st_catalog *base, const char *sys, const char *evt,
		      const struct st_catalog_field **out, uint32_t *n)
{
	struct layered *l = (struct layered *)base;
	int r = l->first->ops->fields(l->first, sys, evt, out, n);

	if (r == 0 || !l->second)
		return r;
	return l->second->ops->fields(l->second, sys, evt, out, n);
}

static bool lay_has(struct st_catalog *base, enum st_capability cap)
{
	struct layered *l = (struct layered *)base;

	return l->second && l->second->ops->has(l->second, cap);
}

static void lay_free(struct st_catalog *base)
{
	struct layered *l = (struct layered *)base;

	l->first->ops->free(l->first);
	if (l->second)
		l->second->ops->free(l->second);
	free(l);
}

static const struct st_catalog_ops layered_ops = { lay_list, lay_fields, lay_has, lay_free };

struct st_catalog *st_catalog_layered(struct st_catalog *first, struct st_catalog *second)
{
	struct layered *l = calloc(1, sizeof(*l));

	if (!l)
		abort();
	l->base.ops = &layered_ops;
	l->first = first;
	l->second = second;
	return &l->base;
}
