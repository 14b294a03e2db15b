/* test_report_merge.c - one report over several recordings, on a fake
 * backend whose "files" are lists of event times: the recordings' clocks
 * mapped through their wall offsets, the merged time order (ties in -i
 * order), each event's recording, hosts and targets, the span, lost
 * counts, and the per-file "missing events" errors. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/report_merge.h"
#include "tests/unit/check.h"

/* A fake recording: its name picks one of these. */
struct fake {
	const char *path, *host;
	int64_t wall_offset, target;
	uint64_t start, end, lost;
	uint64_t times[8];          /* event times on its own clock, 0-terminated */
	bool lacks_events;
};

static const struct fake fakes[] = {
	/* booted 1000 ns before b: the same wall instant is 1000 ns later on its clock */
	{ "a", "hosta", 5000, 11, 100, 900, 2, { 150, 300, 300, 700, 0 }, false },
	{ "b", "hostb", 6000, 22, 50, 400, 0, { 60, 200, 290, 0 }, false },
	{ "c", "hostc", 5500, 33, 10, 20, 1, { 0 }, true },
	{ "d", NULL, 7000, 0, 0, 0, 0, { 0 }, false },
};

struct st_recording {
	const struct fake *f;
};

struct fstream {
	struct st_stream base;
	const struct fake *f;
	uint32_t pos;
	char comm[16];
};

static int fs_next(struct st_stream *st, struct st_event *ev, int t)
{
	struct fstream *s = (struct fstream *)st;

	(void)t;
	if (!s->f->times[s->pos])
		return ST_STREAM_EOF;
	memset(ev, 0, sizeof(*ev));
	ev->time = s->f->times[s->pos++];
	ev->pid = (int32_t)s->pos;
	ev->comm = s->f->path;
	return 1;
}

static void fs_stop(struct st_stream *st) { (void)st; }
static uint64_t fs_lost(struct st_stream *st) { return ((struct fstream *)st)->f->lost; }
static void fs_close(struct st_stream *st) { free(st); }

static const struct st_stream_ops fs_ops = { fs_next, fs_stop, fs_lost, fs_close, NULL };

static int f_open(const char *path, struct st_recording_info *ri, struct st_recording **out, char **err)
{
	const char *slash = strrchr(path, '/');

	if (slash && slash[1])
		path = slash + 1;       /* the fakes are named by their file's base name */
	for (size_t i = 0; i < sizeof(fakes) / sizeof(fakes[0]); i++) {
		const struct fake *f = &fakes[i];

		if (strcmp(path, f->path))
			continue;
		*out = calloc(1, sizeof(**out));
		(*out)->f = f;
		memset(ri, 0, sizeof(*ri));
		ri->script = strdup("probe never {}");
		ri->host = f->host ? strdup(f->host) : NULL;
		ri->wall_offset_ns = f->wall_offset;
		ri->target_pid = f->target;
		ri->start_ns = f->start;
		ri->end_ns = f->end;
		ri->lost = f->lost;
		return 0;
	}
	if (asprintf(err, "cannot open %s: No such file or directory", path) < 0)
		*err = NULL;
	return -ENOENT;
}

static int f_stream(struct st_recording *rec, const struct st_source *src, uint32_t nsrc, struct st_stream **out,
		    char **err)
{
	struct fstream *s;

	(void)src, (void)nsrc;
	if (rec->f->lacks_events) {
		if (asprintf(err, "the recording has no events for: sys:ev") < 0)
			*err = NULL;
		return -ENOENT;
	}
	s = calloc(1, sizeof(*s));
	s->base.ops = &fs_ops;
	s->f = rec->f;
	*out = &s->base;
	return 0;
}

static void f_close(struct st_recording *rec) { free(rec); }

static const struct st_backend fake_be = {
	.name = "fake", .file_magic = "FAKEONE", .file_magic_len = 7,
	.report_open = f_open, .report_stream = f_stream, .report_close = f_close,
};

/* a second format (another backend: perf.data beside trace.dat) */
static const struct st_backend fake_be2 = {
	.name = "fake2", .file_magic = "FAKETWO", .file_magic_len = 7,
	.report_open = f_open, .report_stream = f_stream, .report_close = f_close,
};

static void test_two_hosts(void)
{
	const char *paths[] = { "b", "a" };
	struct st_report_set set;
	struct st_stream *s = NULL;
	struct st_event ev;
	char *err = NULL;
	/* on the report clock (a's, the smaller offset): b's times + 1000 */
	static const uint64_t want_t[] = { 150, 300, 300, 700, 1060, 1200, 1290 };
	static const uint32_t want_in[] = { 1, 1, 1, 1, 0, 0, 0 };
	uint64_t got_t[16];
	uint32_t got_in[16], n = 0;
	bool order = true, comms = true;
	int r;

	CHECK("merge: two recordings open", st_report_set_open(&set, &fake_be, NULL, paths, 2, &err) == 0);
	CHECK("merge: the report clock is the earliest-booted recording's", set.wall_offset_ns == 5000);
	CHECK("merge: b's times move by the offsets' difference", set.in[0].delta_ns == 1000 && set.in[1].delta_ns == 0);
	CHECK("merge: the span covers both (a starts first, b ends last)", set.start_ns == 100 && set.end_ns == 1400);
	CHECK("merge: lost counts add up", set.lost == 2);
	CHECK("merge: the stream opens", st_report_set_stream(&set, NULL, 0, &s, &err) == 0 && s);
	CHECK("merge: the stream says it has two inputs", s && s->ninputs == 2 && s->inputs);
	CHECK_STR("merge: input 0's host", s->inputs[0].host, "hostb");
	CHECK_STR("merge: input 1's host", s->inputs[1].host, "hosta");
	CHECK("merge: inputs' targets", s->inputs[0].target_pid == 22 && s->inputs[1].target_pid == 11);
	while (n < 16 && (r = s->ops->next(s, &ev, 0)) == 1) {
		got_t[n] = ev.time;
		got_in[n] = ev.input;
		comms = comms && !strcmp(ev.comm, ev.input ? "a" : "b");
		n++;
	}
	CHECK("merge: each event's comm is its own recording's", comms);
	CHECK("merge: every event of both, then EOF", n == 7 && r == ST_STREAM_EOF);
	for (uint32_t i = 0; i < n && i < 7; i++)
		order = order && got_t[i] == want_t[i] && got_in[i] == want_in[i];
	CHECK("merge: events in time order on one clock", order);
	CHECK("merge: EOF stays EOF", s->ops->next(s, &ev, 0) == ST_STREAM_EOF);
	CHECK("merge: lost from the streams", s->ops->lost(s) == 2);
	s->ops->close(s);
	st_report_set_close(&set);
	free(err);
}

static void test_ties_in_input_order(void)
{
	/* the same recording twice: at equal times the earlier -i goes first */
	const char *paths[] = { "a", "a" };
	struct st_report_set set;
	struct st_stream *s = NULL;
	struct st_event ev;
	char *err = NULL, seq[32] = "";
	uint32_t n = 0;

	CHECK("ties: open", st_report_set_open(&set, &fake_be, NULL, paths, 2, &err) == 0);
	CHECK("ties: stream", st_report_set_stream(&set, NULL, 0, &s, &err) == 0);
	while (n < 31 && s->ops->next(s, &ev, 0) == 1)
		seq[n++] = (char)('0' + ev.input);
	CHECK_STR("ties: equal times go in -i order", seq, "01001101");
	s->ops->close(s);
	st_report_set_close(&set);
}

static void test_missing(void)
{
	const char *paths[] = { "a", "c", "b", "c" };
	struct st_report_set set;
	struct st_stream *s = NULL;
	char *err = NULL;

	CHECK("missing: open", st_report_set_open(&set, &fake_be, NULL, paths, 4, &err) == 0);
	CHECK("missing: binding fails", st_report_set_stream(&set, NULL, 0, &s, &err) == -ENOENT && !s);
	CHECK_STR("missing: each file lacking events is named",
		  err, "c: the recording has no events for: sys:ev\n"
		  "ERROR: c: the recording has no events for: sys:ev");
	free(err);
	err = NULL;
	st_report_set_close(&set);
}

static void test_open_errors(void)
{
	const char *paths[] = { "a", "nope" };
	struct st_report_set set;
	char *err = NULL;

	CHECK("open: a missing file fails the report",
	      st_report_set_open(&set, &fake_be, NULL, paths, 2, &err) == -ENOENT);
	CHECK_STR("open: naming it", err, "cannot open nope: No such file or directory");
	free(err);
}

static void test_one(void)
{
	/* one recording: its own stream, untouched (no merge layer) */
	const char *paths[] = { "d" };
	struct st_report_set set;
	struct st_stream *s = NULL;
	struct st_event ev;
	char *err = NULL;

	CHECK("one: open", st_report_set_open(&set, &fake_be, NULL, paths, 1, &err) == 0);
	CHECK("one: its wall offset", set.wall_offset_ns == 7000 && set.in[0].delta_ns == 0);
	CHECK("one: no start/end recorded stays 0", set.start_ns == 0 && set.end_ns == 0);
	CHECK("one: the backend's stream itself", st_report_set_stream(&set, NULL, 0, &s, &err) == 0 &&
	      s->ops == &fs_ops && s->ninputs == 0);
	CHECK("one: no events", s->ops->next(s, &ev, 0) == ST_STREAM_EOF);
	s->ops->close(s);
	st_report_set_close(&set);
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_mixed_formats(void)
{
	char dir[] = "/tmp/staplet-merge.XXXXXX", a[64], b[64], d[64];
	const struct st_backend *const readers[] = { &fake_be, &fake_be2, NULL };
	const char *paths[3] = { a, b, d };
	struct st_report_set set;
	char *err = NULL;

	if (!mkdtemp(dir)) {
		CHECK("mixed: a scratch directory", false);
		return;
	}
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(d, sizeof(d), "%s/d", dir);
	put_file(a, "FAKETWO and more");
	put_file(b, "FAKEONE");
	put_file(d, "neither");
	CHECK("mixed: three recordings of two formats open",
	      st_report_set_open(&set, &fake_be, readers, paths, 3, &err) == 0);
	CHECK("mixed: each file gets the reader of its format", set.n == 3 &&
	      set.in[0].be == &fake_be2 && set.in[1].be == &fake_be);
	CHECK("mixed: a file of no known format goes to the tool's own reader (it says why)", set.in[2].be == &fake_be);
	st_report_set_close(&set);
	CHECK("mixed: without readers, the tool's own", st_report_set_open(&set, &fake_be2, NULL, paths, 2, &err) == 0 &&
	      set.in[0].be == &fake_be2 && set.in[1].be == &fake_be2);
	st_report_set_close(&set);
	unlink(a), unlink(b), unlink(d), rmdir(dir);
	free(err);
}

int main(void)
{
	test_mixed_formats();
	test_two_hosts();
	test_ties_in_input_order();
	test_missing();
	test_open_errors();
	test_one();
	return check_failures != 0;
}
