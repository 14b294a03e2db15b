/* cli_compile.c - passes 1-3 for the command line: the options the
 * frontend sees, the -p/-l/-L/--dump-* stops, stap's pass lines. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "frontend/base_types.h"
#include "frontend/frontend.h"
#include "lowering/families.h"
#include "lowering/kprobe_ctx.h"
#include "lowering/plan.h"
#include "lowering/btf.h"
#include "runtime/catalog.h"
#include "runtime/cli_int.h"
#include "runtime/cli_plan.h"
#include "runtime/dump.h"
#include "runtime/passlog.h"

/* The tapset directory beside the binary, into dir (the caller's). */
static const char *default_tapset_dir(char *dir, size_t size)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	/* installed: PREFIX/bin -> PREFIX/share/staplet/tapset; build tree: build/bin -> tapset */
	snprintf(dir, size, "%s/../share/staplet/tapset", exe);
	if (access(dir, R_OK) != 0)
		snprintf(dir, size, "%s/../../tapset", exe);
	if (access(dir, R_OK) != 0)
		return NULL;
	/* messages name tapset files: /usr/share/staplet/tapset/x.stpm, not bin/../share */
	if (realpath(dir, exe))
		snprintf(dir, size, "%s", exe);
	return dir;
}

/* When the live kernel's events could not be read at all, one line saying
 * so says more than "unresolved probe" (or, for -l, than nothing). */
static bool events_unreadable(struct cli *c, struct st_catalog *catalog)
{
	int st = c->mode == MODE_REPORT ? 0 : st_catalog_tracefs_status(catalog);

	if (st < 0)
		fprintf(stderr, "ERROR: cannot read the kernel's tracing events (/sys/kernel/tracing/events): %s%s\n",
			strerror(-st), st == -EACCES || st == -EPERM ? " (staplet needs root)" : "");
	return st < 0;
}

/* Pass on the frontend's diagnostics, or the one line above. */
static bool flush_diag(struct cli *c, struct st_compile_opts *o, char **diag, struct st_catalog *catalog)
{
	bool unreadable = events_unreadable(c, catalog);

	fclose(o->diag);
	o->diag = NULL;
	if (!unreadable && *diag)
		fputs(*diag, stderr);
	free(*diag);
	*diag = NULL;
	return unreadable;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* -l: one probe point per line, sorted, once each; -L: with the variables
 * its aliases define, as name:type. */
static void list_point_vars(FILE *f, struct st_catalog *cat, const struct st_probe_inst *pi)
{
	struct st_family_point fp;
	const struct st_catalog_field *fl;
	uint32_t nf, i;
	char sig[1024];

	if (st_family_classify(pi->point, &fp) < 0)
		return;
	if (fp.ksite) {      /* kernel functions: parameters and types from BTF */
		st_kernel_signature(fp.ksite, sig, sizeof(sig));
		if (sig[0])
			fprintf(f, " %s", sig);
		return;
	}
	if (fp.kind != ST_SRC_TRACEPOINT)
		return;
	if (fp.syscall) {
		struct st_syscall_arg a[8];
		uint32_t n = fp.is_return ? 0 : st_syscall_args(cat, &fp, a, 8);

		fputs(" name:string", f);
		for (i = 0; i < n; i++)
			fprintf(f, " %s:%s", a[i].name, a[i].conv == 'S' ? "string" : "long");
		fputs(fp.is_return ? " retval:long retstr:string" : " argstr:string", f);
		return;
	}
	/* stap lists a tracepoint's TP_PROTO arguments; without BTF, the
	 * format's fields (readable as $name too) */
	st_btf_tp_signature(fp.event, sig, sizeof(sig));
	if (sig[0]) {
		fprintf(f, " %s", sig);
		return;
	}
	if (cat->ops->fields(cat, fp.system, fp.event, &fl, &nf) < 0)
		return;
	for (i = 0; i < nf; i++)
		fprintf(f, " $%s:%s", fl[i].name, fl[i].is_string ? "string" : "long");
}

/* Returns the number of points printed. */
static uint32_t list_points(struct cli *c, const struct st_program *prog, struct st_catalog *cat)
{
	char **lines = calloc(prog->ninsts + 1, sizeof(*lines));
	uint32_t n = 0, i, j;

	if (!lines)
		return 0;
	for (i = 0; i < prog->ninsts; i++) {
		const struct st_probe_inst *pi = prog->insts[i];
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		if (!f)
			break;
		fputs(pi->user_pp, f);
		/* stap: the alias's locals, then the context's $variables */
		for (j = 0; c->list == 'L' && j < pi->nlocals; j++) {
			const struct st_symbol *s = pi->locals[j];

			if (s->name[0] != '_' && (s->type == ST_T_LONG || s->type == ST_T_STRING))
				fprintf(f, " %s:%s", s->name, st_type_name(s->type));
		}
		if (c->list == 'L')
			list_point_vars(f, cat, pi);
		fclose(f);
		lines[n++] = buf;
	}
	qsort(lines, n, sizeof(*lines), cmp_str);
	for (i = 0; i < n; i++) {
		if (!i || strcmp(lines[i], lines[i - 1]))
			printf("%s\n", lines[i]);
	}
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	return n;
}

/* stap's counts after pass 2: probes, the functions and globals in use */
static void pass2_line(const struct st_program *prog, const struct st_passclock *pc)
{
	uint32_t i, nf = 0, ng = 0;

	for (i = 0; i < prog->nfuncs; i++)
		nf += prog->funcs[i]->used;
	for (i = 0; i < prog->nglobals; i++)
		ng += prog->globals[i]->sym && (prog->globals[i]->read || prog->globals[i]->written);
	st_pass_line(stderr, pc, 1, "Pass 2: analyzed script: %u probe%s, %u function%s, 0 embeds, %u global%s",
		     prog->ninsts, prog->ninsts == 1 ? "" : "s", nf, nf == 1 ? "" : "s", ng, ng == 1 ? "" : "s");
}

/* -p4 -m NAME: the plan, resolved here, as the file NAME (runtime/cli_plan.c) */
static int save_plan(struct cli *c, const char *name, const char *text, int argc, char **argv,
		     const struct st_plan *plan)
{
	struct st_cli_plan_src src = { name, text, argc, argv, c->limits, c->release, c->btf_path };

	if (st_cli_plan_save(c->module, plan, &src, c->verbose))
		return 1;
	puts(c->module);   /* as stap prints the module it built */
	return 0;
}

/* -x PID of no process: stap says so only where a probe needs the process,
 * the process probes without a path that keep to the target's tree */
static int target_needed_alive(const struct cli *c, const struct st_plan *plan, char **err)
{
	uint32_t i;

	for (i = 0; i < plan->nprobes; i++) {
		if (plan->probes[i].target_scoped && kill(c->target, 0) < 0 && errno == ESRCH) {
			if (asprintf(err, "cannot probe pid %d: No such process", (int)c->target) < 0)
				*err = NULL;
			return -ESRCH;
		}
	}
	return 0;
}

/* Passes 1-3. */
int cli_compile(struct cli *c, const char *name, const char *text, int argc, char **argv,
		   struct st_catalog *catalog, struct st_program **progp, struct st_plan **planp)
{
	struct st_point_resolver resolver;
	struct st_compile_opts o;
	struct utsname u;
	struct st_program *prog;
	struct st_passclock pc;
	const char *dirs[17];
	char tapset_dir[PATH_MAX + 64];
	uint32_t nd = 0, i;
	char *err = NULL, *diag = NULL;
	size_t diaglen = 0;
	bool no_events, none;
	int r;

	uname(&u);
	for (i = 0; i < c->ntapset_dirs; i++)
		dirs[nd++] = c->tapset_dirs[i];
	if (getenv("SYSTEMTAP_TAPSET") && *getenv("SYSTEMTAP_TAPSET"))
		dirs[nd++] = getenv("SYSTEMTAP_TAPSET");   /* stap's: instead of the standard tapset */
	else if (default_tapset_dir(tapset_dir, sizeof(tapset_dir)))
		dirs[nd++] = tapset_dir;
	memset(&o, 0, sizeof(o));
	o.argc = argc;
	o.argv = argv;
	o.tapset_dirs = dirs;
	o.ntapset_dirs = nd;
	o.defines = c->defines;
	o.ndefines = c->ndefines;
	o.guru = c->guru;
	o.no_warnings = c->no_warnings;
	o.unoptimized = c->unoptimized;
	o.werror = c->werror;
	o.compatible = c->compatible;
	o.kernel_release = c->release ? c->release : u.release;
	o.arch = u.machine;
	o.runtime = c->runtime ? c->runtime : "kernel";
	o.verbose = c->verbose;
	o.diag = open_memstream(&diag, &diaglen);
	if (!o.diag)
		abort();
	st_resolver_init(&resolver, catalog);
	o.resolver = &resolver;

	st_passclock_start(&pc);
	prog = st_parse(name, text, &o);
	if (prog && c->verbose)
		st_pass_line(stderr, &pc, 1, "Pass 1: parsed user script and %u library script%s", prog->nfiles - 1,
			     prog->nfiles == 2 ? "" : "s");
	if (!prog) {
		flush_diag(c, &o, &diag, catalog);
		fputs("Pass 1: parse failed.  [man error::pass1]\n", stderr);
		st_resolver_free(&resolver);
		return 1;
	}
	if (c->dump) {
		r = st_dump(stdout, c->dump, prog);
		fclose(o.diag);
		free(diag);
		st_program_free(prog);
		st_resolver_free(&resolver);
		return r < 0 ? 1 : -1;
	}
	if (c->last_pass == 1) {
		fclose(o.diag);   /* pass 1's warnings (a tapset file skipped) */
		if (diag)
			fputs(diag, stderr);
		free(diag);
		st_program_print(stdout, prog);
		st_program_free(prog);
		st_resolver_free(&resolver);
		return -1;
	}
	st_passclock_start(&pc);
	r = st_elaborate(prog, &o);
	if (c->list) {
		/* stap prints nothing but the points: no diagnostics; status 1 when none */
		fclose(o.diag);
		free(diag);
		none = r < 0 || list_points(c, prog, catalog) == 0;
		if (none)
			events_unreadable(c, catalog);   /* the reason none matched */
		st_program_free(prog);
		st_resolver_free(&resolver);
		return none ? 1 : -1;
	}
	no_events = flush_diag(c, &o, &diag, catalog);
	if (r < 0) {
		/* an unreadable event catalog is the whole story: no pass trailer */
		if (!no_events)
			fputs("Pass 2: analysis failed.  [man error::pass2]\n", stderr);
		st_program_free(prog);
		st_resolver_free(&resolver);
		return 1;
	}
	if (c->verbose)
		pass2_line(prog, &pc);
	if (c->last_pass == 2) {
		st_program_print_elaborated(stdout, prog);
		st_program_free(prog);
		st_resolver_free(&resolver);
		return -1;
	}
	if (c->release && strcmp(c->release, u.release) && !c->other_kernel) {
		st_program_free(prog);
		st_resolver_free(&resolver);
		return cli_die("-r %s: staplet lowers onto the running kernel, not another; -p1 and -p2 check a script for %s",
			   c->release, c->release);
	}
	st_passclock_start(&pc);
	r = st_lower(prog, catalog, planp, &err);
	st_resolver_free(&resolver);
	if (r == 0 && c->verbose)
		st_pass_line(stderr, &pc, 1, "Pass 3: lowered to %u event source%s and %u handler%s", (*planp)->nsources,
			     (*planp)->nsources == 1 ? "" : "s", (*planp)->nprobes, (*planp)->nprobes == 1 ? "" : "s");
	if (r == 0 && c->target && !c->cmd && (r = target_needed_alive(c, *planp, &err)) < 0)
		st_plan_free(*planp);
	if (r < 0) {
		fprintf(stderr, "semantic error: %s\n\nPass 2: analysis failed.  [man error::pass2]\n",
			err ? err : strerror(-r));
		free(err);
		st_program_free(prog);
		return 1;
	}
	for (i = 0; c->no_global_display && i < (*planp)->nglobals; i++)
		(*planp)->globals[i].auto_print = false;
	if (c->last_pass == 3 || c->last_pass == 4) {
		int bad = 0;

		if (c->last_pass == 3)
			st_plan_print(stdout, *planp);
		if (c->last_pass == 4 && c->module)
			bad = save_plan(c, name, text, argc, argv, *planp);
		st_plan_free(*planp);
		st_program_free(prog);
		return bad ? 1 : -1;
	}
	*progp = prog;
	return 0;
}
