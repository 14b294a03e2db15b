/* cli_run.c - a compiled plan run live, recorded, or a recording replayed:
 * -G values, the output file, the -c target, -F, the backend's calls. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lowering/plan.h"
#include "runtime/catalog.h"
#include "runtime/cli_plan.h"
#include "runtime/clock.h"
#include "runtime/cli_int.h"
#include "runtime/control.h"
#include "runtime/leftovers.h"
#include "runtime/output.h"
#include "runtime/passlog.h"
#include "runtime/report_merge.h"
#include "runtime/session.h"
#include "runtime/stream.h"

/* -G NAME=VALUE: the initial value of a scalar global, as stap sets it
 * before the begin probes run.  Applied to the plan, so the session sees it
 * as if the script had initialised the global itself. */
static int apply_gsets(struct cli *c, struct st_plan *plan)
{
	uint32_t i, g;

	for (i = 0; i < c->ngsets; i++) {
		const char *eq = strchr(c->gsets[i], '=');
		size_t n = (size_t)(eq - c->gsets[i]);
		struct st_plan_global *pg = NULL;

		for (g = 0; g < plan->nglobals && !pg; g++)
			if (strlen(plan->globals[g].name) == n && !strncmp(plan->globals[g].name, c->gsets[i], n))
				pg = &plan->globals[g];
		if (!pg || pg->is_array || pg->type == ST_T_STATS)
			return cli_die("-G %s: no scalar global '%.*s' in the script", c->gsets[i], (int)n, c->gsets[i]);
		pg->has_init = true;
		if (pg->type == ST_T_STRING) {
			pg->init.s = eq + 1;
		} else {
			char *end;

			errno = 0;
			pg->init.n = (int64_t)strtoll(eq + 1, &end, 0);
			if (errno || end == eq + 1 || *end)
				return cli_die("-G %s: '%s' is not a number", c->gsets[i], eq + 1);
		}
	}
	return 0;
}

static void session_opts(struct cli *c, struct st_session_opts *so, FILE *out)
{
	memset(so, 0, sizeof(*so));
	so->limits = c->limits;
	so->out = out;
	so->target_pid = c->target;
	so->suppress_errors = c->suppress_errors;
	so->timing = c->timing;
	so->json = c->json;
	so->target = &c->child;
}

/* -o FILE for the script's output, live and on report; without -o it is
 * stdout and switch_file() does nothing, as in stap.  0, or 1 after the error. */
static int open_output(struct cli *c, struct st_output *o, struct st_session_opts *so)
{
	int r;

	if (!c->output)
		return 0;
	r = st_output_open(o, c->output, c->size_max, c->fnum_max);
	if (r == -EINVAL)
		cli_die("invalid output file name format '%s'", c->output);
	else if (r < 0)
		cli_die("cannot open output file '%s': %s", o->name ? o->name : c->output, strerror(-r));
	if (r < 0) {
		st_output_close(o);
		return 1;
	}
	so->output = o;
	return 0;
}

/* A backend that cannot copy user memory at the event (tracefs adds no
 * fetch args to tracepoints): say once, before the run, which values are
 * read when the handler runs instead (live only; a recording has none),
 * and which backend reads them at the event. */
static void warn_uncaptured(struct cli *c, const struct st_plan *plan)
{
	char names[512] = "";
	size_t len = 0;

	if (c->be->captures_user_memory)
		return;
	for (uint32_t i = 0; i < plan->nsources; i++)
		for (uint32_t k = 0; k < plan->sources[i].ncaptures && len < sizeof(names) - 1; k++) {
			const struct st_source *s = &plan->sources[i];

			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s (%s)", len ? ", " : "",
						s->captures[k].field, s->event ? s->event : s->name);
		}
	if (len)
		fprintf(stderr, "WARNING: %s cannot copy user memory at the event on this kernel (tracefs "
			"adds no fetch arguments to tracepoints): the strings and memory at %s are read from "
			"the process when the handler runs, live only; `perf stap` reads them at the event\n",
			c->be->name, names);
}

static int start_target(struct cli *c)
{
	pid_t pid;

	const char *why;
	int e;

	if (!c->cmd)
		return 0;
	/* a command that cannot run fails the run before anything is attached */
	e = st_target_check(c->cmd, &why);
	if (e)
		return cli_die("cannot run '%s': %s", c->cmd, why ? why : strerror(e));
	pid = st_target_spawn(&c->child, c->cmd);
	if (pid < 0)
		return cli_die("cannot start '%s': %s", c->cmd, strerror((int)-pid));
	c->target = pid;
	return 0;
}

/* -F -o FILE: once the probes are armed the run goes on in a child of its
 * own session, writing to FILE; the command returns at once (stap's
 * on-file flight recorder). */
static int go_background(void)
{
	pid_t pid = fork();
	int null;

	if (pid < 0)
		return cli_die("cannot go to the background: %s", strerror(errno));
	if (pid > 0) {
		fprintf(stderr, "Running in the background as process %d; kill -INT %d ends it.\n", (int)pid, (int)pid);
		st_control_release_terminal();
		_exit(0);   /* the child owns the events, links and output now */
	}
	setsid();
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		close(null);
	}
	return 0;
}

int cli_run_live(struct cli *c, struct st_plan *plan)
{
	struct st_backend_opts bo = { .buffer_kb = c->buffer_kb, .verbose = c->verbose };
	struct st_passclock pc;
	struct st_session_opts so;
	struct st_stream *stream = NULL;
	struct st_output output = { 0 };
	char *err = NULL;
	uint32_t i;
	bool need_stream = false;
	int r, status;

	if (apply_gsets(c, plan))
		return 1;
	for (i = 0; i < plan->nsources; i++)
		if (plan->sources[i].kind >= ST_SRC_TRACEPOINT)
			need_stream = true;
	session_opts(c, &so, stdout);
	if (open_output(c, &output, &so))
		return 1;
	if (start_target(c)) {
		st_output_close(&output);
		return 1;
	}
	bo.target_pid = c->target;
	so.target_pid = c->target;     /* -c: the child started above */
	bo.maxmapentries = c->limits.maxmapentries;
	bo.maxstringlen = c->limits.maxstringlen;
	st_passclock_start(&pc);
	if (need_stream) {
		warn_uncaptured(c, plan);
		r = c->be->live_open(plan->sources, plan->nsources, &bo, &stream, &err);
		if (r < 0) {
			st_target_cleanup(&c->child);
			st_output_close(&output);
			cli_die("%s", err ? err : strerror(-r));
			free(err);
			return 1;
		}
	}
	if (c->background && go_background()) {
		if (stream)
			stream->ops->close(stream);
		st_target_cleanup(&c->child);
		st_output_close(&output);
		return 1;
	}
	if (c->verbose) {
		st_pass_line(stderr, &pc, 1, "Pass 4: attached %u event source%s to the kernel", plan->nsources,
			     plan->nsources == 1 ? "" : "s");
		fputs("Pass 5: starting run.\n", stderr);
	}
	if (c->timeout_ms)
		st_control_set_timeout_ms(c->timeout_ms);
	st_passclock_start(&pc);
	status = st_session_run(plan, stream, &so);
	if (stream)
		stream->ops->close(stream);
	st_target_cleanup(&c->child);
	st_output_close(&output);
	if (c->verbose)
		st_pass_line(stderr, &pc, 0, "Pass 5: run completed");
	return st_target_exec_failed(&c->child) ? 1 : status;
}

/* No kernel sources: only begin/end/error/timer probes. */
static bool runtime_only(const struct st_plan *plan)
{
	uint32_t i;

	for (i = 0; i < plan->nsources; i++)
		if (plan->sources[i].kind >= ST_SRC_TRACEPOINT)
			return false;
	return true;
}

/* A script with no kernel events decides on its own when it ends (exit()
 * in begin or in a timer).  Run it once, silently, so the recording spans
 * exactly the time the live run would have taken; report then replays the
 * same timer ticks over that span. */
static int shadow_run(struct cli *c, struct st_plan *plan)
{
	struct st_session_opts so;
	FILE *null = fopen("/dev/null", "w");

	if (!null)
		return cli_die("cannot open /dev/null: %s", strerror(errno)), -1;
	if (apply_gsets(c, plan)) {
		fclose(null);
		return -1;
	}
	session_opts(c, &so, null);
	so.quiet = true;
	st_session_run(plan, NULL, &so);
	fclose(null);
	return 0;
}

/* A recorder that failed after it was armed: detach, say why, exit 1. */
static int record_failed(struct cli *c, struct st_recorder *rec, int r, char *err)
{
	c->be->record_abort(rec);
	st_target_cleanup(&c->child);
	cli_die("%s", err ? err : strerror(-r));
	free(err);
	return 1;
}

int cli_run_record(struct cli *c, struct st_plan *plan, const char *name, const char *text)
{
	struct st_backend_opts bo = { .buffer_kb = c->buffer_kb, .verbose = c->verbose };
	struct st_recording_info ri;
	struct st_record_stats stats = { 0 };
	struct st_recorder *rec = NULL;
	const char *path = c->output ? c->output : c->be->default_output;
	char *err = NULL, host[256] = "";
	int r;

	bo.maxstringlen = c->limits.maxstringlen;
	bo.target = &c->child;
	warn_uncaptured(c, plan);
	if (start_target(c))
		return 1;
	r = c->be->record_open(path, plan->sources, plan->nsources, &bo, &rec, &err);
	if (r < 0) {
		st_target_cleanup(&c->child);
		cli_die("%s", err ? err : strerror(-r));
		free(err);
		return 1;
	}
	memset(&ri, 0, sizeof(ri));
	ri.wall_offset_ns = st_clock_wall_offset_ns();
	ri.start_ns = st_clock_mono_ns();
	ri.script = (char *)text;
	ri.script_name = (char *)(c->script_text ? "-e" : name);
	ri.argc = c->argc;
	ri.argv = c->argv;
	ri.target_pid = c->target;
	ri.host = gethostname(host, sizeof(host) - 1) == 0 ? host : NULL;
	r = c->be->record_begin(rec, &ri, &err);
	if (r < 0)
		return record_failed(c, rec, r, err);
	if (c->timeout_ms)
		st_control_set_timeout_ms(c->timeout_ms);
	st_target_release(&c->child);
	if (runtime_only(plan) && shadow_run(c, plan) < 0) {
		c->be->record_abort(rec);
		st_target_cleanup(&c->child);
		return 1;
	}
	r = c->be->record_run(rec, &err);
	ri.end_ns = st_clock_mono_ns();
	if (r < 0)
		return record_failed(c, rec, r, err);
	r = c->be->record_finish(rec, &ri, &stats, &err);
	st_target_cleanup(&c->child);
	if (r < 0) {
		cli_die("%s", err ? err : strerror(-r));
		free(err);
		return 1;
	}
	if (st_target_exec_failed(&c->child))
		return 1;
	fprintf(stderr, "[ %s record: %llu events, %llu lost, %.1f KB written to %s ]\n", c->be->name,
		(unsigned long long)stats.events, (unsigned long long)stats.lost, stats.bytes / 1024.0, path);
	return 0;
}

/* A recording whose recorder never finished it: what was written before
 * the end is reported, and said to be all there is.  Not an error (exit 0),
 * as events lost in the ring are not: the data read is whole, the rest of
 * the run was simply never written. */
static void warn_cut_short(const char *path, const struct st_recording_info *ri)
{
	pid_t pid = (pid_t)ri->recorder_pid;

	if (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM))
		fprintf(stderr, "WARNING: %s is cut short, or still being written by its recorder (pid %d): "
			"the events written so far are reported\n", path, (int)pid);
	else
		fprintf(stderr, "WARNING: %s was cut short: its recorder (pid %d) did not finish it (killed or "
			"crashed); the events up to its last write are reported\n", path, (int)pid);
}

int cli_run_report(struct cli *c)
{
	const char *def = c->be->default_output;
	struct st_report_set set;
	struct st_recording_info *ri;
	struct st_stream *stream = NULL;
	struct st_session_opts so;
	struct st_output output = { 0 };
	struct st_catalog *catalog;
	struct st_program *prog = NULL;
	struct st_plan *plan = NULL;
	const char *name, *text;
	int argc, r, status;
	char **argv, *err = NULL;

	r = st_report_set_open(&set, c->be, c->readers, c->ninputs ? c->inputs : &def, c->ninputs ? c->ninputs : 1,
			       &err);
	if (r < 0) {
		cli_die("%s", err ? err : strerror(-r));
		free(err);
		return 1;
	}
	ri = &set.in[0].ri;     /* the script, its arguments and target: the first recording's */
	if (c->script_text || c->script_file) {
		if (cli_load_script(c, &name, &text)) {
			st_report_set_close(&set);
			return 1;
		}
		argc = c->argc;
		argv = c->argv;
	} else {
		name = ri->script_name && strcmp(ri->script_name, "-e") ? ri->script_name : "<input>";
		text = ri->script;
		argc = c->argc ? c->argc : ri->argc;
		argv = c->argc ? c->argv : ri->argv;
	}
	catalog = st_report_set_catalog(&set);
	r = cli_compile(c, name, text, argc, argv, catalog, &prog, &plan);
	if (r) {
		catalog->ops->free(catalog);
		st_report_set_close(&set);
		return r < 0 ? 0 : 1;
	}
	if (apply_gsets(c, plan)) {
		status = 1;
		goto out;
	}
	session_opts(c, &so, stdout);
	if (open_output(c, &output, &so)) {
		status = 1;
		goto out;
	}
	warn_uncaptured(c, plan);
	r = st_report_set_stream(&set, plan->sources, plan->nsources, &stream, &err);
	if (r < 0) {
		cli_die("%s", err ? err : strerror(-r));
		free(err);
		status = 1;
		goto out;
	}
	so.target_pid = ri->target_pid;
	so.wall_offset_ns = set.wall_offset_ns;
	so.start_ns = set.start_ns;
	so.end_ns = set.end_ns;
	so.host = ri->host;
	status = st_session_run(plan, stream, &so);
	/* a file cut short counts its losses only in its data */
	if (st_stream_lost(stream) > set.lost)
		set.lost = st_stream_lost(stream);
	stream->ops->close(stream);
	if (set.lost)
		fprintf(stderr, "WARNING: the recording%s lost %llu events\n", set.n > 1 ? "s" : "",
			(unsigned long long)set.lost);
	for (uint32_t i = 0; i < set.n; i++)
		if (set.in[i].ri.cut_short)
			warn_cut_short(set.in[i].path, &set.in[i].ri);
out:
	st_output_close(&output);
	st_plan_free(plan);
	st_program_free(prog);
	catalog->ops->free(catalog);
	st_report_set_close(&set);
	return status;
}

/* `run NAME`, or a plan where the script goes: no compile, no tapset; the
 * plan's limits and script text (for recordings) come with it */
int cli_run_plan(struct cli *c)
{
	struct st_plan_meta meta;
	struct st_plan *plan = NULL;
	int r;

	if (!c->script_file || c->script_text)
		return cli_die("run: name a plan file (written by -p4 -m NAME)");
	if (st_cli_plan_load(c->script_file, &plan, &meta, c->verbose))
		return 1;
	c->limits = meta.limits;
	if (c->argc == 0) {
		c->argc = (int)meta.argc;
		c->argv = meta.argv;
	}
	st_leftovers_remove();
	r = c->mode == MODE_RECORD ? cli_run_record(c, plan, meta.script_name, meta.script) : cli_run_live(c, plan);
	st_plan_free(plan);
	st_plan_meta_free(&meta);
	return r;
}
