/* cli.c - the command line shared by `perf stap` and `trace-cmd stap`:
 *
 *   NAME [OPTIONS] (FILE | -e SCRIPT) [ARGS...]          run live
 *   NAME record [-o OUT] [OPTIONS] (FILE | -e SCRIPT) [ARGS...]
 *   NAME report [-i IN] [OPTIONS] [FILE | -e SCRIPT] [ARGS...]
 *
 * Compiles the script (passes 1-3), then hands the plan to the backend.
 * This file is the driver and the script's text (a file, -e, -E,
 * --example); cli_args.c reads the options, cli_compile.c runs passes 1-3,
 * cli_run.c runs the plan live, to a recording, or from one.  They share
 * cli_int.h; option values are checked in cli_values.c.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include "lowering/plan.h"
#include "runtime/catalog.h"
#include "runtime/cli.h"
#include "runtime/cli_int.h"
#include "runtime/cli_plan.h"
#include "runtime/cli_values.h"
#include "runtime/control.h"
#include "runtime/leftovers.h"

int cli_die(const char *fmt, ...)
{
	va_list ap;

	fputs("ERROR: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* stap's option errors have no ERROR: prefix */
int cli_die_plain(const char *msg)
{
	fprintf(stderr, "%s\n", msg);
	return 1;
}

/* Scripts larger than this are refused: no real script comes near it, and
 * an input that never ends (/dev/zero, an endless pipe) stops here. */
#define MAX_SCRIPT_BYTES (8u << 20)

/* The script file, or "-" for stdin; NULL with *err an errno, EFBIG past
 * MAX_SCRIPT_BYTES. */
static char *read_file(const char *path, int *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		*err = errno;
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0 || len > MAX_SCRIPT_BYTES)
			break;
	}
	buf[len] = 0;
	if (ferror(f) || len > MAX_SCRIPT_BYTES) {
		*err = len > MAX_SCRIPT_BYTES ? EFBIG : EIO;
		free(buf);
		buf = NULL;
	}
	if (f != stdin)
		fclose(f);
	return buf;
}

/* Paths of the files named `name` below dir, up to 8 (recursively). */
static void find_named(const char *dir, const char *name, char found[][PATH_MAX], int *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			find_named(path, name, found, n);
		else if (!strcmp(de->d_name, name) && (*n)++ < 8)
			snprintf(found[*n - 1], PATH_MAX, "%s", path);
	}
	if (d)
		closedir(d);
}

/* --example NAME.stp: the one example of that name under stap's examples */
static int find_example(struct cli *c)
{
	char found[8][PATH_MAX];
	const char *dir = "/usr/share/systemtap/examples";
	int n = 0, i;

	find_named(dir, c->script_file, found, &n);
	if (n == 0) {
		fprintf(stderr, "Example '%s' was not found under '%s'\n", c->script_file, dir);
		return 1;
	}
	if (n > 1) {
		fprintf(stderr, "Multiple examples found: \n");
		for (i = 0; i < n && i < 8; i++)
			fprintf(stderr, "  %s\n", found[i]);
		return 1;
	}
	snprintf(c->example_path, sizeof(c->example_path), "%s", found[0]);
	c->script_file = c->example_path;
	return 0;
}

/* -E SCRIPT runs with the main script: its declarations follow the script's
 * (on lines of their own, so the script's locations stay as they are). */
static int join_extra(struct cli *c, const char **text)
{
	if (!c->extra_script)
		return 0;
	if (asprintf(&c->script_joined, "%s\n%s\n", *text, c->extra_script) < 0)
		return cli_die("out of memory");
	*text = c->script_joined;
	return 0;
}

int cli_load_script(struct cli *c, const char **name, const char **text)
{
	int e = 0;

	if (c->script_text) {
		*name = "<input>";
		*text = c->script_text;
		return join_extra(c, text);
	}
	if (!c->script_file)
		return cli_die("no script given: use FILE or -e SCRIPT (see %s --help)", c->be->name);
	if (c->example && find_example(c))
		return 1;
	c->script_owned = read_file(c->script_file, &e);
	if (!c->script_owned && e == EFBIG)
		return cli_die("script '%s' is larger than %u MB: refused", c->script_file, MAX_SCRIPT_BYTES >> 20);
	if (!c->script_owned)
		return cli_die("cannot read script '%s': %s", c->script_file, strerror(e));
	*name = strcmp(c->script_file, "-") ? c->script_file : "<input>";   /* stdin, as stap names it */
	*text = c->script_owned;
	return join_extra(c, text);
}

int st_cli_main(int argc, char **argv, const struct st_backend *be)
{
	return st_cli_main_readers(argc, argv, be, NULL);
}

int st_cli_main_readers(int argc, char **argv, const struct st_backend *be,
			const struct st_backend *const *readers)
{
	struct cli c;
	struct st_catalog *catalog;
	struct st_program *prog = NULL;
	struct st_plan *plan = NULL;
	const char *name, *text;
	int r;

	memset(&c, 0, sizeof(c));
	c.be = be;
	c.readers = readers;
	c.child = (struct st_target)ST_TARGET_INIT;
	st_limits_default(&c.limits);
	if (argc > 1 && !strcmp(argv[1], "record")) {
		c.mode = MODE_RECORD;
		argc--, argv++;
	} else if (argc > 1 && !strcmp(argv[1], "report")) {
		c.mode = MODE_REPORT;
		argc--, argv++;
	} else if (argc > 1 && !strcmp(argv[1], "run")) {
		c.plan_run = true;
		argc--, argv++;
	}
	if (cli_parse_args(&c, argc, argv) || st_cli_tmpdir())
		return 1;
	st_control_install();
	st_control_watch_parent();
	st_control_take_terminal();
	atexit(st_control_release_terminal);
	if (c.mode == MODE_REPORT) {
		r = cli_run_report(&c);
		free(c.script_owned);
		free(c.script_joined);
		return r;
	}
	if (c.plan_run || (c.script_file && !c.script_text && st_cli_is_plan(c.script_file)))
		return cli_run_plan(&c);
	if (cli_load_script(&c, &name, &text))
		return 1;
	catalog = st_cli_release_catalog(c.release, c.kernel_dir, c.last_pass, &c.btf_path, &c.other_kernel);
	r = catalog ? cli_compile(&c, name, text, c.argc, c.argv, catalog, &prog, &plan) : 1;
	if (r == 0) {
		st_leftovers_remove();   /* of dead runs, before we attach anything */
		r = c.mode == MODE_RECORD ? cli_run_record(&c, plan, name, text) : cli_run_live(&c, plan);
		st_plan_free(plan);
		st_program_free(prog);
	} else if (r < 0) {
		r = 0;   /* stopped after an earlier pass, as asked */
	}
	if (catalog)
		catalog->ops->free(catalog);
	free(c.script_owned);
	free(c.script_joined);
	free(c.list_script);
	return r;
}
