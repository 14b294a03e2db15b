/* catalog.h - the kernel's event catalog, as lowering sees it.
 *
 * Lowering resolves probe points (kernel.trace globs, syscall.NAME) and the
 * fields handlers read through this one interface, so it can be tested with a
 * fake catalog and no root.  The runtime provides catalogs over the live
 * tracefs and over a recording's own event formats.
 */
#ifndef ST_LOWERING_CATALOG_H
#define ST_LOWERING_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

struct st_catalog_field {
	const char *name;
	uint32_t offset, size;
	bool is_signed;
	bool is_string;      /* char[N] or __data_loc char[] */
	bool is_cstr;        /* const char *: a pointer to a string the caller passes in */
};

enum st_capability {
	ST_CAP_KPROBES,      /* tracefs kprobe_events */
	ST_CAP_UPROBES,      /* tracefs uprobe_events */
	ST_CAP_FENTRY,       /* BPF tracing programs */
	ST_CAP_HW_COUNTERS,  /* perf hardware events */
};

struct st_catalog;

struct st_catalog_ops {
	/* Call fn(arg, system, event) for every event matching both globs, in
	 * sorted order; stop early if fn returns non-zero.  Returns the number
	 * of matches or a negative errno. */
	int (*list)(struct st_catalog *c, const char *sys_glob, const char *evt_glob,
		    int (*fn)(void *arg, const char *sys, const char *evt), void *arg);
	/* The event's own fields (common_* excluded); -ENOENT if no such event. */
	int (*fields)(struct st_catalog *c, const char *sys, const char *evt,
		      const struct st_catalog_field **out, uint32_t *n);
	bool (*has)(struct st_catalog *c, enum st_capability cap);
	void (*free)(struct st_catalog *c);
};

struct st_catalog {
	const struct st_catalog_ops *ops;
};

#endif
