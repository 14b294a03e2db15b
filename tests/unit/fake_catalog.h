/* fake_catalog.h - a catalog with a few syscall and sched tracepoints, so
 * lowering is tested without root or tracefs. */
#ifndef ST_TESTS_FAKE_CATALOG_H
#define ST_TESTS_FAKE_CATALOG_H

#include <errno.h>
#include <fnmatch.h>
#include <string.h>
#include "lowering/catalog.h"

struct fake_event {
	const char *sys, *evt;
	struct st_catalog_field fields[4];
	uint32_t nfields;
};

static const struct fake_event fake_events[] = {
	{ "sched", "sched_switch", { { "prev_comm", 8, 16, false, true, false }, { "prev_pid", 24, 4, true, false, false },
				     { "next_comm", 28, 16, false, true, false }, { "next_pid", 44, 4, true, false, false } }, 4 },
	{ "syscalls", "sys_enter_close", { { "__syscall_nr", 8, 4, true, false, false }, { "fd", 16, 8, false, false, false } }, 2 },
	{ "syscalls", "sys_enter_getppid", { { "__syscall_nr", 8, 4, true, false, false } }, 1 },
	{ "syscalls", "sys_enter_read", { { "__syscall_nr", 8, 4, true, false, false }, { "fd", 16, 8, false, false, false },
					  { "buf", 24, 8, false, false, false }, { "count", 32, 8, false, false, false } }, 4 },
	{ "syscalls", "sys_exit_close", { { "__syscall_nr", 8, 4, true, false, false }, { "ret", 16, 8, true, false, false } }, 2 },
	{ "syscalls", "sys_exit_getppid", { { "__syscall_nr", 8, 4, true, false, false }, { "ret", 16, 8, true, false, false } }, 2 },
	{ "syscalls", "sys_exit_read", { { "__syscall_nr", 8, 4, true, false, false }, { "ret", 16, 8, true, false, false } }, 2 },
};

static int fake_list(struct st_catalog *c, const char *sg, const char *eg,
		     int (*fn)(void *, const char *, const char *), void *arg)
{
	size_t i;
	int n = 0, r;

	(void)c;
	for (i = 0; i < sizeof(fake_events) / sizeof(fake_events[0]); i++) {
		if (fnmatch(sg, fake_events[i].sys, 0) || fnmatch(eg, fake_events[i].evt, 0))
			continue;
		n++;
		if ((r = fn(arg, fake_events[i].sys, fake_events[i].evt)))
			return r < 0 ? r : n;
	}
	return n;
}

static int fake_fields(struct st_catalog *c, const char *sys, const char *evt,
		       const struct st_catalog_field **out, uint32_t *n)
{
	size_t i;

	(void)c;
	for (i = 0; i < sizeof(fake_events) / sizeof(fake_events[0]); i++)
		if (!strcmp(fake_events[i].sys, sys) && !strcmp(fake_events[i].evt, evt)) {
			*out = fake_events[i].fields;
			*n = fake_events[i].nfields;
			return 0;
		}
	return -ENOENT;
}

static bool fake_has(struct st_catalog *c, enum st_capability cap)
{
	(void)c;
	return cap == ST_CAP_UPROBES;
}

static void fake_free(struct st_catalog *c)
{
	(void)c;
}

static const struct st_catalog_ops fake_catalog_ops = { fake_list, fake_fields, fake_has, fake_free };
static struct st_catalog fake_catalog = { &fake_catalog_ops };

#endif
