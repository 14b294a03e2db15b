/* tc_report.c - read a trace.dat (v6) written by the recorder.
 *
 * Our own parser rather than libtracecmd: the file is mapped once, every
 * length and offset is checked against it (it is untrusted input), and the
 * per-CPU merge runs straight over the mapped pages, which is what makes
 * replay fast.  libtraceevent parses the event formats.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <traceevent/event-parse.h>
#include "runtime/bytes.h"
#include "runtime/merge.h"
#include "runtime/recording.h"
#include "plugins/trace-cmd/tc_internal.h"
#include "plugins/trace-cmd/tracecmd_backend.h"

struct tc_cpu_region { uint64_t off, size; };

/* A stretch of one CPU's pages: the CPU's whole region in a finished file,
 * one log chunk in a file cut short (tc_internal.h). */
struct tc_span {
	uint64_t off, size;
	int32_t next;          /* the CPU's next span, -1 after its last */
};

struct st_recording {
	uint8_t *map;
	size_t size;
	int long_size;
	uint32_t page;
	struct tep_handle *tep;
	uint32_t ncpu;
	struct tc_cpu_region *cpu;
	struct tc_span *span;
	uint32_t nspan;
	int32_t *first;        /* per CPU: its first span, -1 none */
	bool partial;          /* a provisional header: the events are in the log */
	struct tc_log_partial part;
	const uint8_t *tasks;
	uint64_t tasks_len;
	const char *cmdlines;
	uint64_t cmdlines_len;
	uint64_t bad_pages;
	char *path;
};

static int fail(char **err, const char *path, const char *what)
{
	st_tracecmd_err(err, "%s: %s", path, what);
	return -EINVAL;
}

static bool digits(const char *p, const char *end)
{
	if (p >= end)
		return false;
	for (; p < end; p++)
		if ((*p < '0' || *p > '9') && *p != '-')
			return false;
	return true;
}

/* "\tfield:DECL;\toffset:N;\tsize:N;\tsigned:N;" with a plain C declaration. */
static bool field_line(const char *l, const char *end)
{
	static const char *const keys[] = { ";\toffset:", ";\tsize:", ";\tsigned:" };
	const char *p = l + 7, *q;
	unsigned k;

	if (end - l < 8 || memcmp(l, "\tfield:", 7))
		return false;
	q = memchr(p, ';', (size_t)(end - p));
	if (!q || q == p)
		return false;
	for (; p < q; p++)
		if (!(*p == ' ' || *p == '_' || *p == '[' || *p == ']' || *p == '*' ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return false;
	for (k = 0; k < 3; k++) {
		size_t n = strlen(keys[k]);

		if ((size_t)(end - p) < n || memcmp(p, keys[k], n))
			return false;
		p += n;
		q = memchr(p, ';', (size_t)(end - p));
		if (!q || !digits(p, q))
			return false;
		p = q;
	}
	return true;
}

/* Keep name, ID and the field lines of a format, checked line by line, and
 * drop its print fmt: libtraceevent 1.7 crashes on some malformed formats
 * (found by fuzzing), and replay needs the fields only. */
static char *sanitize_format(const char *text, uint64_t len, size_t *outlen)
{
	const char *p = text, *end = text + len;
	char *out = malloc(len + 32), *o = out;
	int state = 0;     /* 0 name, 1 ID, 2 "format:", 3 fields */

	if (!out)
		return NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		bool ok;

		switch (state) {
		case 0: ok = le - p > 6 && !memcmp(p, "name: ", 6); break;
		case 1: ok = le - p > 4 && !memcmp(p, "ID: ", 4) && digits(p + 4, le); break;
		case 2: ok = le - p == 7 && !memcmp(p, "format:", 7); break;
		default:
			/* the blank line separates common from event fields: keep it */
			if (le - p >= 10 && !memcmp(p, "print fmt:", 10)) {
				p = le + 1;
				continue;
			}
			ok = le == p || field_line(p, le);
			break;
		}
		if (!ok) {
			free(out);
			return NULL;
		}
		if (state < 3)
			state++;
		memcpy(o, p, (size_t)(le - p));
		o += le - p;
		*o++ = '\n';
		p = le + 1;
	}
	if (state < 3) {
		free(out);
		return NULL;
	}
	o += sprintf(o, "\nprint fmt: \"\"\n");
	*outlen = (size_t)(o - out);
	return out;
}

/* One event format from the file into tep; the text need not end in NUL. */
static int parse_format(struct st_recording *rec, struct st_rd *r, const char *sys)
{
	uint64_t len = st_rd_uint(r, 8);
	const uint8_t *text = st_rd_take(r, len);
	size_t n = 0;
	char *clean;
	int ret;

	if (!text)
		return -EINVAL;
	clean = sanitize_format((const char *)text, len, &n);
	if (!clean)
		return -EINVAL;
	ret = tep_parse_event(rec->tep, clean, n, sys) == TEP_ERRNO__SUCCESS ? 0 : -EINVAL;
	free(clean);
	return ret;
}

static int parse_formats(struct st_recording *rec, struct st_rd *r, char **err)
{
	uint32_t n, nsys, i, j;

	n = (uint32_t)st_rd_uint(r, 4);
	for (i = 0; i < n && !r->bad; i++)
		if (parse_format(rec, r, "ftrace") == -ENOMEM)
			return -ENOMEM;
	nsys = (uint32_t)st_rd_uint(r, 4);
	for (i = 0; i < nsys && !r->bad; i++) {
		const char *sys = st_rd_str(r);

		n = (uint32_t)st_rd_uint(r, 4);
		for (j = 0; j < n && !r->bad; j++) {
			int ret = parse_format(rec, r, sys ? sys : "");

			if (ret == -ENOMEM)
				return ret;
			if (ret < 0)
				return fail(err, rec->path, "corrupt event format in the header");
		}
	}
	return r->bad ? fail(err, rec->path, "truncated event formats") : 0;
}

static int parse_options(struct st_recording *rec, struct st_rd *r, struct st_recording_info *ri,
			 char **err)
{
	bool have_info = false;

	for (;;) {
		uint16_t id = (uint16_t)st_rd_uint(r, 2);
		uint32_t len;
		const uint8_t *data;

		if (r->bad)
			return fail(err, rec->path, "truncated options");
		if (!id)
			break;
		len = (uint32_t)st_rd_uint(r, 4);
		data = st_rd_take(r, len);
		if (!data)
			return fail(err, rec->path, "truncated options");
		if (id == ST_TRACECMD_OPT_INFO) {
			if (have_info)
				st_recording_info_free(ri);
			if (st_recording_decode(data, len, ri) < 0)
				return fail(err, rec->path, "corrupt staplet recording info");
			have_info = true;
		} else if (id == ST_TRACECMD_OPT_TASKS) {
			rec->tasks = data;
			rec->tasks_len = len;
		} else if (id == ST_TRACECMD_OPT_PARTIAL && len >= sizeof(rec->part)) {
			memcpy(&rec->part, data, sizeof(rec->part));
			rec->partial = true;
			ri->cut_short = true;
			ri->recorder_pid = rec->part.recorder_pid;
		}
	}
	if (!have_info)
		return fail(err, rec->path, "not recorded by trace-cmd stap (no staplet recording "
			    "info in the file); replay needs a trace-cmd stap recording");
	return 0;
}

static int parse_cpus(struct st_recording *rec, struct st_rd *r, struct st_recording_info *ri, char **err)
{
	uint32_t i;
	int ret;

	rec->ncpu = (uint32_t)st_rd_uint(r, 4);
	if (r->bad || rec->ncpu > 65536)
		return fail(err, rec->path, "bad CPU count");
	if (st_rd_expect(r, "options  ", 10)) {
		ret = parse_options(rec, r, ri, err);
		if (ret < 0)
			return ret;
	} else {
		return fail(err, rec->path, "not recorded by trace-cmd stap (no options section)");
	}
	if (!st_rd_expect(r, "flyrecord", 10))
		return fail(err, rec->path, "no flyrecord data (latency traces are not supported)");
	rec->cpu = calloc(rec->ncpu + 1, sizeof(*rec->cpu));
	if (!rec->cpu)
		return -ENOMEM;
	for (i = 0; i < rec->ncpu; i++) {
		rec->cpu[i].off = st_rd_uint(r, 8);
		rec->cpu[i].size = st_rd_uint(r, 8);
		if (r->bad)
			return fail(err, rec->path, "truncated CPU table");
		if (rec->cpu[i].off > rec->size || rec->cpu[i].size > rec->size - rec->cpu[i].off)
			return fail(err, rec->path, "truncated: CPU data extends past the end of the file");
	}
	return 0;
}

static int parse_header(struct st_recording *rec, struct st_recording_info *ri, char **err)
{
	struct st_rd r = { rec->map, rec->size, 0, false };
	const char *version;
	uint64_t len;
	int ret;

	if (!st_rd_expect(&r, "\x17\x08\x44tracing", 10))
		return fail(err, rec->path, "not a trace.dat file");
	version = st_rd_str(&r);
	if (!version || strcmp(version, "6"))
		return fail(err, rec->path, "unsupported trace.dat version (trace-cmd stap writes version 6)");
	if (st_rd_uint(&r, 1) != 0)
		return fail(err, rec->path, "big-endian trace.dat files are not supported");
	rec->long_size = (int)st_rd_uint(&r, 1);
	rec->page = (uint32_t)st_rd_uint(&r, 4);
	if (r.bad || (rec->long_size != 4 && rec->long_size != 8) || rec->page < 64 ||
	    rec->page > (1u << 24))
		return fail(err, rec->path, "corrupt file header");
	tep_set_long_size(rec->tep, rec->long_size);
	tep_set_page_size(rec->tep, (int)rec->page);
	if (!st_rd_expect(&r, "header_page", 12) || !st_rd_take(&r, st_rd_uint(&r, 8)) ||
	    !st_rd_expect(&r, "header_event", 13) || !st_rd_take(&r, st_rd_uint(&r, 8)))
		return fail(err, rec->path, "corrupt ring buffer header section");
	ret = parse_formats(rec, &r, err);
	if (ret < 0)
		return ret;
	st_rd_take(&r, st_rd_uint(&r, 4));                  /* kallsyms */
	st_rd_take(&r, st_rd_uint(&r, 4));                  /* printk formats */
	len = st_rd_uint(&r, 8);
	rec->cmdlines = (const char *)st_rd_take(&r, len);
	rec->cmdlines_len = len;
	if (r.bad)
		return fail(err, rec->path, "truncated header");
	return parse_cpus(rec, &r, ri, err);
}

static int add_span(struct st_recording *rec, uint32_t cpu, uint64_t off, uint64_t size, int32_t *last)
{
	if (rec->nspan >= INT32_MAX)
		return -EFBIG;
	if ((rec->nspan & (rec->nspan - 1)) == 0) {      /* 0 or a power of two: full */
		struct tc_span *n = realloc(rec->span, (rec->nspan ? rec->nspan * 2 : 1) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		rec->span = n;
	}
	rec->span[rec->nspan] = (struct tc_span){ off, size, -1 };
	if (last[cpu] >= 0)
		rec->span[last[cpu]].next = (int32_t)rec->nspan;
	else
		rec->first[cpu] = (int32_t)rec->nspan;
	last[cpu] = (int32_t)rec->nspan++;
	return 0;
}

/* The log of a file cut short, up to its last committed chunk; a chunk
 * past the end of the file (a copy cut short) ends it too. */
static int log_spans(struct st_recording *rec, int32_t *last, char **err)
{
	uint64_t at = rec->part.log_start, end = rec->part.committed;

	if (end > rec->size)
		end = rec->size;
	if (at > end || rec->nspan)
		return fail(err, rec->path, "corrupt provisional header");
	while (end - at >= sizeof(struct tc_log_tag)) {
		struct tc_log_tag tag;
		int ret;

		memcpy(&tag, rec->map + at, sizeof(tag));
		at += sizeof(tag);
		if (tag.len > end - at && end < rec->part.committed)
			break;
		if (tag.cpu >= rec->ncpu || tag.len > end - at) {
			char what[96];

			snprintf(what, sizeof(what), "corrupt chunk of recorded pages at offset %llu",
				 (unsigned long long)(at - sizeof(tag)));
			return fail(err, rec->path, what);
		}
		ret = add_span(rec, tag.cpu, at, tag.len, last);
		if (ret < 0)
			return ret;
		at += tag.len;
	}
	return 0;
}

/* Where each CPU's pages are: its region, or its chunks in the log. */
static int find_spans(struct st_recording *rec, char **err)
{
	int32_t *last = malloc((rec->ncpu + 1) * sizeof(*last));
	uint32_t i;
	int ret = 0;

	rec->first = malloc((rec->ncpu + 1) * sizeof(*rec->first));
	if (!last || !rec->first) {
		free(last);
		return -ENOMEM;
	}
	for (i = 0; i < rec->ncpu; i++)
		rec->first[i] = last[i] = -1;
	if (rec->partial)
		ret = log_spans(rec, last, err);
	for (i = 0; ret == 0 && !rec->partial && i < rec->ncpu; i++)
		ret = add_span(rec, i, rec->cpu[i].off, rec->cpu[i].size, last);
	free(last);
	return ret;
}

/* Page headers are checked up front so a damaged file fails here, with a message. */
static int check_pages(struct st_recording *rec, char **err)
{
	uint32_t i;

	for (i = 0; i < rec->nspan; i++) {
		const struct tc_span *sp = &rec->span[i];
		uint64_t o;

		for (o = 0; o < sp->size; o += rec->page) {
			uint64_t left = sp->size - o;
			struct tc_cursor c;

			if (st_tracecmd_page_load(&c, rec->map + sp->off + o,
						  (uint32_t)(left < rec->page ? left : rec->page),
						  rec->long_size) < 0) {
				char what[96];

				snprintf(what, sizeof(what), "corrupt ring buffer page (offset %llu)",
					 (unsigned long long)(sp->off + o));
				return fail(err, rec->path, what);
			}
		}
	}
	return 0;
}

void st_tracecmd_report_close(struct st_recording *rec)
{
	if (!rec)
		return;
	if (rec->map && rec->map != MAP_FAILED)
		munmap(rec->map, rec->size);
	if (rec->tep)
		tep_free(rec->tep);
	free(rec->cpu);
	free(rec->span);
	free(rec->first);
	free(rec->path);
	free(rec);
}

int st_tracecmd_report_open(const char *path, struct st_recording_info *ri, struct st_recording **out,
			    char **err)
{
	struct st_recording *rec = calloc(1, sizeof(*rec));
	struct st_recording_info info = { 0 };
	struct stat st;
	int fd, ret;

	if (!rec || !(rec->path = strdup(path)) || !(rec->tep = tep_alloc())) {
		st_tracecmd_report_close(rec);
		st_tracecmd_err(err, "out of memory");
		return -ENOMEM;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = -errno;
		st_tracecmd_err(err, "cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	rec->size = (size_t)st.st_size;
	if (rec->size < 16) {
		ret = fail(err, path, "not a trace.dat file (too short)");
		goto fail;
	}
	rec->map = mmap(NULL, rec->size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (rec->map == MAP_FAILED) {
		ret = -errno;
		rec->map = NULL;
		st_tracecmd_err(err, "cannot map %s: %s", path, strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	ret = parse_header(rec, &info, err);
	if (ret == 0)
		ret = find_spans(rec, err);
	if (ret == 0)
		ret = check_pages(rec, err);
	if (ret < 0)
		goto fail;
	madvise(rec->map, rec->size, MADV_SEQUENTIAL);
	if (ri)
		*ri = info;
	else
		st_recording_info_free(&info);
	*out = rec;
	return 0;
fail:
	if (ret == -ENOMEM && err && !*err)
		st_tracecmd_err(err, "out of memory");
	if (fd >= 0)
		close(fd);
	st_recording_info_free(&info);
	st_tracecmd_report_close(rec);
	return ret;
}

struct tep_handle *st_tracecmd_report_tep(struct st_recording *rec)
{
	return rec->tep;
}

/* ---- the replay stream ---- */

struct tc_rcpu {
	const uint8_t *base;
	uint64_t size, next;   /* the span and the offset of its next page */
	int32_t span;          /* the span being read, -1 past the last */
	struct tc_cursor cur;
};


struct tc_rstream {
	struct st_stream base;
	struct st_recording *rec;
	struct tc_decoder dec;
	struct tc_rcpu *cpu;
	uint32_t ncpu;
	struct st_merge merge;   /* CPUs by the time of their current event */
};

/* Start reading span i (nothing for -1). */
static void rcpu_span(const struct st_recording *rec, struct tc_rcpu *c, int32_t i)
{
	c->span = i;
	c->base = i >= 0 ? rec->map + rec->span[i].off : NULL;
	c->size = i >= 0 ? rec->span[i].size : 0;
	c->next = 0;
}

/* The next event of one CPU, loading pages as needed; false at its end. */
static bool rcpu_advance(struct tc_rstream *s, struct tc_rcpu *c)
{
	for (;;) {
		int r = c->cur.page ? st_tracecmd_page_next(&c->cur) : 0;
		uint64_t left;

		if (r == 1)
			return true;
		if (r < 0)
			s->base.lost++;     /* a damaged page: the rest of it is skipped */
		while (c->next >= c->size && c->span >= 0)
			rcpu_span(s->rec, c, s->rec->span[c->span].next);
		if (c->next >= c->size) {
			c->cur.have = false;
			return false;
		}
		left = c->size - c->next;
		if (left > s->rec->page)
			left = s->rec->page;
		if (st_tracecmd_page_load(&c->cur, c->base + c->next, (uint32_t)left,
					  s->rec->long_size) < 0)
			memset(&c->cur, 0, sizeof(c->cur));
		else
			s->base.lost += c->cur.missed;
		c->next += s->rec->page;
	}
}

static int rs_next(struct st_stream *st, struct st_event *ev, int timeout_ms)
{
	struct tc_rstream *s = (struct tc_rstream *)st;

	if (st_tracecmd_decode_dup(&s->dec, ev))
		return 1;
	while (st_merge_count(&s->merge)) {
		struct tc_rcpu *best = &s->cpu[st_merge_top(&s->merge)];
		int d = st_tracecmd_decode(&s->dec, (int)(best - s->cpu), best->cur.ev_ts, best->cur.ev_data,
					   best->cur.ev_size, ev);

		/* the data stays mapped: advancing does not invalidate ev */
		if (rcpu_advance(s, best))
			st_merge_retime_top(&s->merge, best->cur.ev_ts);
		else
			st_merge_pop(&s->merge);
		if (d == 1)
			return 1;
	}
	return ST_STREAM_EOF;
}

static void rs_close(struct st_stream *st)
{
	struct tc_rstream *s = (struct tc_rstream *)st;

	if (!s)
		return;
	st_tracecmd_decoder_free(&s->dec);
	st_merge_free(&s->merge);
	free(s->cpu);
	free(s);
}

static const struct st_stream_ops report_ops = { .next = rs_next, .close = rs_close };

/* Seed the task table: saved_cmdlines (names only), then our snapshot. */
static void seed_tasks(struct st_recording *rec, struct st_tasks *t)
{
	const char *p = rec->cmdlines, *end = p ? p + rec->cmdlines_len : NULL;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *sp = memchr(p, ' ', (size_t)(le - p));

		if (sp) {
			char num[16];
			size_t n = (size_t)(sp - p);

			if (n < sizeof(num)) {
				memcpy(num, p, n);
				num[n] = 0;
				st_tracecmd_tasks_set(t, (int32_t)atoi(num), -1, sp + 1,
						      (size_t)(le - sp - 1));
			}
		}
		p = le + 1;
	}
	if (rec->tasks)
		st_tracecmd_tasks_decode(t, rec->tasks, rec->tasks_len);
}

static int bind_sources(struct tc_rstream *s, const struct st_source *src, uint32_t nsrc, char **err)
{
	struct tep_handle *tep = s->rec->tep;
	struct st_missing miss;
	uint32_t i;

	if (st_missing_open(&miss) < 0)
		return -ENOMEM;
	for (i = 0; i < nsrc; i++) {
		char sys[64], ev[128];
		struct tep_event *e = NULL;

		if (src[i].kind < ST_SRC_TRACEPOINT || src[i].ctx_of)
			continue;      /* begin, end, error, never, timers: the runtime's; task context: not here */
		if (st_tracecmd_source_event(&src[i], sys, sizeof(sys), ev, sizeof(ev)))
			e = tep_find_event_by_name(tep, sys, ev);
		if (e && src[i].kind != ST_SRC_PERF) {
			st_tracecmd_decoder_bind(&s->dec, i, e);
		} else if (!src[i].optional) {
			st_missing_add(&miss, src[i].name);
		}
	}
	for (i = 0; i < TC_NINTERNAL; i++) {
		struct tep_event *e = tep_find_event_by_name(tep, st_tracecmd_internal_sys[i],
							     st_tracecmd_internal_ev[i]);

		if (e)
			st_tracecmd_decoder_bind_internal(&s->dec, (enum tc_internal)(i + 1), e);
	}
	return st_missing_close(&miss, err);
}

int st_tracecmd_report_stream(struct st_recording *rec, const struct st_source *src, uint32_t nsrc,
			      struct st_stream **out, char **err)
{
	struct tc_rstream *s = calloc(1, sizeof(*s));
	uint32_t i;
	int ret;

	if (!s || st_tracecmd_decoder_init(&s->dec, nsrc) < 0 ||
	    !(s->cpu = calloc(rec->ncpu + 1, sizeof(*s->cpu))) || st_merge_init(&s->merge, rec->ncpu) < 0) {
		rs_close(s ? &s->base : NULL);
		st_tracecmd_err(err, "out of memory");
		return -ENOMEM;
	}
	s->base.ops = &report_ops;
	s->base.live = false;
	s->base.fmt = s->dec.fmt;
	s->base.nfmt = s->dec.nsrc;
	s->rec = rec;
	s->ncpu = rec->ncpu;
	ret = bind_sources(s, src, nsrc, err);
	if (ret < 0) {
		if (ret == -ENOMEM && err && !*err)
			st_tracecmd_err(err, "out of memory");
		rs_close(&s->base);
		return ret;
	}
	seed_tasks(rec, &s->dec.tasks);
	for (i = 0; i < rec->ncpu; i++) {
		rcpu_span(rec, &s->cpu[i], rec->first[i]);
		if (rcpu_advance(s, &s->cpu[i]))
			st_merge_push(&s->merge, i, s->cpu[i].cur.ev_ts);
	}
	*out = &s->base;
	return 0;
}
