/* cli_plan.c - `-p4 -m NAME` and `run NAME`: the command line's side of
 * compiled plans (the file format is runtime/plan_file.c, the identity
 * checks runtime/plan_check.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "lowering/btf.h"
#include "runtime/catalog.h"
#include "runtime/kernel_dir.h"
#include "runtime/cli_plan.h"
#include "runtime/plan_check.h"

int st_cli_plan_save(const char *path, const struct st_plan *plan, const struct st_cli_plan_src *src, int verbose)
{
	struct st_plan_meta m;
	char msg[512], *err = NULL;
	int r;

	memset(&m, 0, sizeof(m));
	if (st_plan_meta_identify(&m, plan, src->release, src->btf_path, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "ERROR: %s\n", msg);
		st_plan_meta_free(&m);
		return 1;
	}
	/* the meta's strings are its own: st_plan_meta_free frees them */
	m.script_name = strdup(src->script_name ? src->script_name : "<input>");
	m.script = strdup(src->script ? src->script : "");
	m.argc = (uint32_t)(src->argc > 0 ? src->argc : 0);
	m.argv = calloc(m.argc + 1, sizeof(*m.argv));
	if (!m.script_name || !m.script || !m.argv)
		abort();
	for (uint32_t i = 0; i < m.argc; i++)
		if (!(m.argv[i] = strdup(src->argv[i])))
			abort();
	m.limits = src->limits;
	r = st_planfile_write(path, plan, &m, &err);
	if (r < 0)
		fprintf(stderr, "ERROR: %s\n", err ? err : strerror(-r));
	else if (verbose)
		fprintf(stderr, "Pass 4: wrote the plan %s for kernel %s (%u source%s, %u traced file%s)\n", path,
			m.release, plan->nsources, plan->nsources == 1 ? "" : "s", m.nfiles, m.nfiles == 1 ? "" : "s");
	free(err);
	st_plan_meta_free(&m);
	return r < 0;
}

bool st_cli_is_plan(const char *path)
{
	uint8_t head[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool is;

	if (fd < 0)
		return false;
	is = read(fd, head, sizeof(head)) == (ssize_t)sizeof(head) && st_planfile_is(head, sizeof(head));
	close(fd);
	return is;
}

int st_cli_plan_load(const char *path, struct st_plan **plan, struct st_plan_meta *meta, int verbose)
{
	char msg[768], *err = NULL;
	int r = st_planfile_read(path, plan, meta, &err);

	if (r < 0) {
		fprintf(stderr, "ERROR: %s\n", err ? err : strerror(-r));
		free(err);
		return 1;
	}
	if (st_plan_meta_check(meta, NULL, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "ERROR: plan %s refused, nothing attached: %s\n", path, msg);
		st_plan_free(*plan);
		*plan = NULL;
		st_plan_meta_free(meta);
		return 1;
	}
	if (verbose)
		fprintf(stderr, "Pass 3: read the plan %s (kernel %s, %u traced file%s): %u event source%s and %u "
			"handler%s\n", path, meta->release, meta->nfiles, meta->nfiles == 1 ? "" : "s", (*plan)->nsources,
			(*plan)->nsources == 1 ? "" : "s", (*plan)->nprobes, (*plan)->nprobes == 1 ? "" : "s");
	return 0;
}

struct st_catalog *st_cli_release_catalog(const char *release, const char *kernel_dir, int last_pass,
					  const char **btf_path, bool *other)
{
	struct st_catalog *c;
	struct utsname u;
	char msg[4096 + 256];

	uname(&u);
	*btf_path = NULL;
	*other = release && strcmp(release, u.release);
	if (!*other || last_pass == 1 || last_pass == 2)
		return st_catalog_tracefs();   /* -p1/-p2: %( kernel_v %) for RELEASE only */
	if (last_pass != 3 && last_pass != 4) {
		fprintf(stderr, "ERROR: -r %s: staplet lowers onto the running kernel, not another; -p1 and -p2 "
			"check a script for %s, -p4 -m NAME writes a plan to run there (run NAME)\n", release, release);
		return NULL;
	}
	c = st_catalog_kernel_dir(kernel_dir ? kernel_dir : "/", release, st_catalog_tracefs(), btf_path, msg,
				  sizeof(msg));
	if (!c) {
		fprintf(stderr, "ERROR: %s%s\n", msg, kernel_dir ? "" : " (--kernel-dir DIR names an unpacked kernel package)");
		return NULL;
	}
	st_btf_vmlinux_from(*btf_path);
	return c;
}
