/* test_tracedat.c - the trace-cmd backend against the live kernel (root):
 * live stream, record -> trace.dat -> replay, trace-cmd report on our file,
 * comm/tgid per event across prctl and exec, damaged files, cleanup.
 *
 *   test_tracedat                 the tests
 *   test_tracedat --bench N       record N events, time the reader
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tests/unit/check.h"
#include "runtime/control.h"
#include "plugins/trace-cmd/tracecmd_backend.h"

#define TRACING "/sys/kernel/tracing"

static const struct st_backend *be = &st_tracecmd_backend;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct st_source tp_source(void)
{
	struct st_source s;

	memset(&s, 0, sizeof(s));
	s.kind = ST_SRC_TRACEPOINT;
	s.name = "syscalls:sys_enter_getppid";
	s.system = "syscalls";
	s.event = "sys_enter_getppid";
	return s;
}

static char *slurp(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return strdup(buf);
}

/* Instances this test's runs created (staplet_<our pid>_N); other runs on
 * the machine are not ours to count. */
static int staplet_instances(void)
{
	DIR *d = opendir(TRACING "/instances");
	struct dirent *de;
	char mine[32];
	int n = 0;

	snprintf(mine, sizeof(mine), "staplet_%d_", (int)getpid());
	while (d && (de = readdir(d)))
		n += !strncmp(de->d_name, mine, strlen(mine));
	if (d)
		closedir(d);
	return n;
}

static char *top_on, *top_events;

static void check_clean(const char *what)
{
	char name[128], *on = slurp(TRACING "/tracing_on"), *ev = slurp(TRACING "/set_event");

	snprintf(name, sizeof(name), "%s: no staplet instance left", what);
	CHECK(name, staplet_instances() == 0);
	snprintf(name, sizeof(name), "%s: top-level tracing_on/set_event untouched", what);
	CHECK(name, !strcmp(on, top_on) && !strcmp(ev, top_events));
	free(on);
	free(ev);
}

/* A child named `name` that calls getppid n times; exec_n > 0: then execs
 * this binary, which calls it exec_n more times under its own name. */
static pid_t workload(const char *name, long n, long exec_n)
{
	pid_t pid = fork();

	if (pid == 0) {
		char arg[32];
		long i;

		prctl(PR_SET_NAME, name);
		for (i = 0; i < n; i++)
			syscall(SYS_getppid);
		if (exec_n) {
			snprintf(arg, sizeof(arg), "%ld", exec_n);
			execl("/proc/self/exe", "test_tracedat", "--child", arg, (char *)NULL);
		}
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	return pid;
}

struct counts { long total, mine, comm_ok, tgid_ok, exec_comm_ok; };

static int drain(struct st_stream *s, pid_t child, const char *name, const char *exec_name,
		 long before_exec, struct counts *c)
{
	struct st_event ev;
	int r;

	memset(c, 0, sizeof(*c));
	while ((r = s->ops->next(s, &ev, 100)) == 1 || r == 0) {
		if (r == 0)
			continue;
		c->total++;
		if (ev.tid != child || ev.source != 0)
			continue;
		c->mine++;
		c->tgid_ok += ev.pid == child;
		if (c->mine <= before_exec)
			c->comm_ok += !strcmp(ev.comm, name);
		else if (exec_name)
			c->exec_comm_ok += !strcmp(ev.comm, exec_name);
	}
	return r;
}

static void test_live(void)
{
	struct st_source src = tp_source();
	struct st_stream *s = NULL;
	struct counts c;
	char *err = NULL;
	double t0 = now_s();
	int r = be->live_open(&src, 1, NULL, &s, &err);
	pid_t child;

	printf("# live_open armed in %.2f ms\n", (now_s() - t0) * 1e3);
	CHECK("live: open", r == 0);
	if (r) {
		printf("# %s\n", err);
		free(err);
		return;
	}
	CHECK("live: format", st_stream_format(s, 0) != NULL);
	child = workload("stapwork", 1000, 0);
	s->ops->stop(s);
	r = drain(s, child, "stapwork", NULL, 1000, &c);
	CHECK("live: EOF after stop", r == ST_STREAM_EOF);
	CHECK("live: exactly N events", c.mine == 1000);
	CHECK("live: comm", c.comm_ok == 1000);
	CHECK("live: tgid", c.tgid_ok == 1000);
	CHECK("live: nothing lost", st_stream_lost(s) == 0);
	s->ops->close(s);
	check_clean("live");
}

static int record(const char *path, pid_t *child, const char *name, long n, long exec_n,
		  struct st_record_stats *st)
{
	struct st_source src = tp_source();
	struct st_recording_info ri = { 0 };
	struct st_recorder *rec = NULL;
	char *err = NULL;
	int r = be->record_open(path, &src, 1, NULL, &rec, &err);

	if (r) {
		printf("# record_open: %s\n", err);
		free(err);
		return r;
	}
	*child = workload(name, n, exec_n);
	st_control_request_stop(ST_STOP_EXIT);
	r = be->record_run(rec, &err);
	if (r) {
		printf("# record_run: %s\n", err);
		be->record_abort(rec);
		return r;
	}
	ri.script = "probe syscall.getppid { n++ }";
	ri.script_name = "-e";
	r = be->record_finish(rec, &ri, st, &err);
	if (r)
		printf("# record_finish: %s\n", err);
	free(err);
	return r;
}

static int replay(const char *path, pid_t child, const char *name, const char *exec_name,
		  long before_exec, struct counts *c, char **errp)
{
	struct st_source src = tp_source();
	struct st_recording_info ri;
	struct st_recording *rec;
	struct st_stream *s;
	char *err = NULL;
	int r;

	memset(&ri, 0, sizeof(ri));
	r = be->report_open(path, &ri, &rec, &err);
	if (r) {
		*errp = err;
		return r;
	}
	st_recording_info_free(&ri);
	r = be->report_stream(rec, &src, 1, &s, &err);
	if (r) {
		*errp = err;
		be->report_close(rec);
		return r;
	}
	r = drain(s, child, name, exec_name, before_exec, c);
	s->ops->close(s);
	be->report_close(rec);
	return r == ST_STREAM_EOF ? 0 : r;
}

static long trace_cmd_lines(const char *path)
{
	char cmd[512], line[512];
	long n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "trace-cmd report -i %s 2>/dev/null", path);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p))
		n += strstr(line, "sys_enter_getppid") != NULL;
	if (p)
		pclose(p);
	return n;
}

static void test_record(const char *path)
{
	struct st_record_stats st = { 0 };
	struct counts c;
	char *err = NULL;
	pid_t child;
	int r = record(path, &child, "stapwork", 1000, 0, &st);

	CHECK("record: finish", r == 0);
	check_clean("record");
	if (r)
		return;
	printf("# recorded %llu records, %llu bytes\n", (unsigned long long)st.events,
	       (unsigned long long)st.bytes);
	r = replay(path, child, "stapwork", NULL, 1000, &c, &err);
	CHECK("replay: ok", r == 0);
	if (r)
		printf("# %s\n", err);
	CHECK("replay: exactly N events", c.mine == 1000);
	CHECK("replay: comm", c.comm_ok == 1000);
	CHECK("replay: tgid", c.tgid_ok == 1000);
	CHECK("trace-cmd report lists them", trace_cmd_lines(path) >= 1000);
	{
		struct st_recording_info ri;
		struct st_recording *rec;
		struct st_stream *s;
		struct st_source miss[2] = { tp_source(), tp_source() };

		miss[1].name = "sched:sched_switch";
		miss[1].system = "sched";
		miss[1].event = "sched_switch";
		memset(&ri, 0, sizeof(ri));
		r = be->report_open(path, &ri, &rec, &err);
		CHECK("replay: info round trip", r == 0 && ri.script &&
		      !strcmp(ri.script, "probe syscall.getppid { n++ }"));
		st_recording_info_free(&ri);
		if (!r) {
			r = be->report_stream(rec, miss, 2, &s, &err);
			CHECK("replay: missing source is -ENOENT", r == -ENOENT);
			CHECK_STR("replay: missing source message", err,
				  "the recording has no events for: sched:sched_switch");
			free(err);
			err = NULL;
			be->report_close(rec);
		}
	}
}

static void test_exec(const char *path)
{
	struct counts c;
	char *err = NULL;
	pid_t child;
	int r = record(path, &child, "preexec", 300, 200, NULL);

	CHECK("exec: record", r == 0);
	if (r)
		return;
	r = replay(path, child, "preexec", "exe", 300, &c, &err);   /* exec of /proc/self/exe */
	CHECK("exec: replay", r == 0);
	CHECK("exec: all events", c.mine == 500);
	CHECK("exec: comm before exec", c.comm_ok == 300);
	CHECK("exec: comm after exec", c.exec_comm_ok == 200);
	CHECK("exec: tgid", c.tgid_ok == 500);
	free(err);
}

static void *stop_soon(void *p)
{
	(void)p;
	usleep(600000);   /* three turns of the recorder's 200 ms loop */
	st_control_request_stop(ST_STOP_TIMEOUT);
	return NULL;
}

static int copy_damaged(const char *from, const char *to, long keep, long flip_at);

/* The file as a recorder killed mid-run would leave it: it reads as cut
 * short, naming its recorder, with the events of the full pages moved so
 * far; every shorter copy fails cleanly or reads, and once one reads, each
 * longer copy reads too and counts no fewer events. */
static void test_cut_short(const char *path)
{
	struct st_source src = tp_source();
	struct st_recording_info ri = { .script = "probe syscall.getppid { n++ }", .script_name = "-e" };
	struct st_recorder *rec = NULL;
	struct st_recording *rp;
	struct stat sb;
	struct counts c = { 0 };
	char cut[256], *err = NULL;
	long prev = -1;
	int r = be->record_open(path, &src, 1, NULL, &rec, &err), k, unclean = 0, regress = 0;
	pthread_t th;
	pid_t child;

	if (r == 0)
		r = be->record_begin(rec, &ri, &err);
	CHECK("cut short: record_open and begin", r == 0);
	if (r) {
		printf("# %s\n", err);
		free(err);
		return;
	}
	child = workload("cutshort", 20000, 0);
	pthread_create(&th, NULL, stop_soon, NULL);
	r = be->record_run(rec, &err);
	pthread_join(th, NULL);
	snprintf(cut, sizeof(cut), "%s.cut", path);
	if (stat(path, &sb) < 0)
		sb.st_size = 0;
	copy_damaged(path, cut, -1, -1);
	memset(&ri, 0, sizeof(ri));
	r = be->report_open(cut, &ri, &rp, &err);
	CHECK("cut short: the file says so and names its recorder", r == 0 && ri.cut_short &&
	      ri.recorder_pid == getpid() && ri.script && !strcmp(ri.script, "probe syscall.getppid { n++ }"));
	if (r == 0)
		be->report_close(rp);
	else
		printf("# %s\n", err);
	st_recording_info_free(&ri);
	for (k = 1; k <= 64; k++) {
		free(err);
		err = NULL;
		copy_damaged(path, cut, (long)sb.st_size * k / 64, -1);
		memset(&c, 0, sizeof(c));
		r = replay(cut, child, "cutshort", NULL, 20000, &c, &err);
		if (r < 0)
			unclean += prev >= 0 || !err || strchr(err, '\n');
		else
			regress += c.mine < prev;
		if (r == 0)
			prev = c.mine;
	}
	printf("# cut short: %ld of 20000 events in full pages before finish\n", c.mine);
	CHECK("cut short: the whole file reads the events of its full pages", r == 0 && c.mine > 0 &&
	      c.mine <= 20000 && c.comm_ok == c.mine);
	CHECK("cut short: every prefix fails cleanly or reads no fewer events as it grows",
	      !unclean && !regress);
	free(err);
	err = NULL;
	r = be->record_finish(rec, &ri, NULL, &err);
	CHECK("cut short: the recording then finishes", r == 0);
	memset(&c, 0, sizeof(c));
	r = replay(path, child, "cutshort", NULL, 20000, &c, &err);
	memset(&ri, 0, sizeof(ri));
	if (be->report_open(path, &ri, &rp, &err) == 0) {
		be->report_close(rp);
		k = ri.cut_short;
		st_recording_info_free(&ri);
	}
	CHECK("cut short: finished, it holds every event and is not cut short", r == 0 && c.mine == 20000 && !k);
	free(err);
	unlink(cut);
	check_clean("cut short");
}

static int copy_damaged(const char *from, const char *to, long keep, long flip_at)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	long i = 0;
	int ch;

	if (!in || !out)
		return -1;
	while ((ch = fgetc(in)) != EOF && (keep < 0 || i < keep)) {
		if (i == flip_at)
			ch ^= 0xff;
		fputc(ch, out);
		i++;
	}
	fclose(in);
	fclose(out);
	return 0;
}

static void test_damaged(const char *path)
{
	char bad[256];
	struct stat sb;
	long sizes[] = { 0, 5, 10, 40, 300, 2000, 5000 };
	unsigned i;
	int crashed = 0, failed_clean = 0;

	if (stat(path, &sb) < 0)
		return;
	snprintf(bad, sizeof(bad), "%s.bad", path);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct counts c;
		char *err = NULL;

		copy_damaged(path, bad, sizes[i], -1);
		if (replay(bad, 0, "x", NULL, 0, &c, &err) < 0)
			failed_clean += err && *err && !strchr(err, '\n');
		else
			crashed++;   /* a truncated header must not open */
		free(err);
	}
	CHECK("truncated copies fail with a one-line error", crashed == 0 &&
	      failed_clean == (int)(sizeof(sizes) / sizeof(sizes[0])));
	{
		struct counts c;
		char *err = NULL;

		copy_damaged(path, bad, (long)sb.st_size - 3000, -1);
		replay(bad, 0, "x", NULL, 0, &c, &err);   /* no crash is the test */
		free(err);
	}
	for (i = 0; i < 400; i++) {
		struct counts c;
		char *err = NULL;

		srand(i);
		copy_damaged(path, bad, -1, rand() % (long)sb.st_size);
		replay(bad, 0, "x", NULL, 0, &c, &err);
		free(err);
	}
	CHECK("byte-flipped copies do not crash", 1);
	unlink(bad);
}

static void test_foreign(const char *path)
{
	char bad[256], *err = NULL;
	struct counts c;
	FILE *f;
	long sz;
	unsigned char *b;
	long i;

	snprintf(bad, sizeof(bad), "%s.foreign", path);
	f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	b = malloc((size_t)sz);
	if (fread(b, 1, (size_t)sz, f) != (size_t)sz)
		sz = 0;
	fclose(f);
	/* rename our option id: the file looks like anybody's trace.dat */
	for (i = 0; i + 1 < sz; i++)
		if (b[i] == 0x7a && b[i + 1] == 0x5a && i > 0 && !memcmp(b + i + 2, "\0\0\0", 0)) {
			b[i + 1] = 0x5b + 0x10;
			break;
		}
	f = fopen(bad, "wb");
	fwrite(b, 1, (size_t)sz, f);
	fclose(f);
	free(b);
	CHECK("trace.dat without our option fails", replay(bad, 0, "x", NULL, 0, &c, &err) < 0 &&
	      err && strstr(err, "not recorded by trace-cmd stap"));
	if (err)
		printf("# %s\n", err);
	free(err);
	unlink(bad);
}

static int bench(long n)
{
	const char *path = "/tmp/staplet-bench.dat";
	struct st_record_stats st = { 0 };
	struct st_target child = ST_TARGET_INIT;
	struct st_backend_opts o = { .buffer_kb = 32768, .target = &child };
	struct st_source src = tp_source();
	struct st_recorder *rec;
	struct st_recording *rp;
	struct st_stream *s;
	struct st_event ev;
	char *err = NULL;
	double t0;
	long cnt = 0;
	int r;

	t0 = now_s();
	r = be->record_open(path, &src, 1, &o, &rec, &err);
	printf("record_open: %.2f ms\n", (now_s() - t0) * 1e3);
	if (r)
		return printf("%s\n", err), 1;
	{
		char cmd[4200], self[4096];
		ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);

		self[k > 0 ? k : 0] = 0;
		/* the recorder runs while the target does; its exit stops the run */
		snprintf(cmd, sizeof(cmd), "%s --child %ld", self, n);
		st_control_install();
		if (st_target_spawn(&child, cmd) < 0)
			return printf("cannot spawn the workload\n"), 1;
		st_target_release(&child);
	}
	t0 = now_s();
	be->record_run(rec, &err);
	printf("workload under record: %.3f s\n", now_s() - t0);

	t0 = now_s();
	r = be->record_finish(rec, NULL, &st, &err);
	printf("record_finish: %.2f s, %llu records, %llu bytes, %.1f B/record, lost %llu\n",
	       now_s() - t0, (unsigned long long)st.events, (unsigned long long)st.bytes,
	       st.events ? (double)st.bytes / (double)st.events : 0, (unsigned long long)st.lost);
	if (r)
		return printf("%s\n", err), 1;
	t0 = now_s();
	r = be->report_open(path, NULL, &rp, &err);
	if (!r)
		r = be->report_stream(rp, &src, 1, &s, &err);
	if (r)
		return printf("%s\n", err), 1;
	while (s->ops->next(s, &ev, 0) == 1)
		cnt += ev.comm[0] != 0;
	printf("replay: %ld events in %.3f s = %.2f M events/s\n", cnt, now_s() - t0,
	       cnt / (now_s() - t0) / 1e6);
	s->ops->close(s);
	be->report_close(rp);
	return 0;
}

int main(int argc, char **argv)
{
	char path[64];

	/* its own name: other checkouts' test runs may share /tmp */
	snprintf(path, sizeof(path), "/tmp/staplet-test.%d.dat", (int)getpid());
	if (argc == 3 && !strcmp(argv[1], "--child")) {
		long n = atol(argv[2]);

		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--armed")) {
		struct st_source src = tp_source();
		struct st_stream *s;
		char *err = NULL;
		double t0 = now_s();

		if (be->live_open(&src, 1, NULL, &s, &err))
			return printf("%s\n", err), 1;
		printf("armed in %.2f ms\n", (now_s() - t0) * 1e3);
		s->ops->close(s);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--bench"))
		return bench(atol(argv[2]));
	if (geteuid() != 0) {
		printf("SKIP test_tracedat: needs root\n");
		return 0;
	}
	top_on = slurp(TRACING "/tracing_on");
	top_events = slurp(TRACING "/set_event");
	test_live();
	test_cut_short(path);     /* first to record: the stop it requests stays */
	test_record(path);
	test_exec(path);
	test_foreign(path);
	test_damaged(path);
	check_clean("end");
	unlink(path);
	return check_failures != 0;
}
