/* report_merge.c - one report over several recordings: open them, put them
 * on one clock, merge their event streams by time (runtime/merge.h). */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "frontend/base_err.h"
#include "runtime/catalog.h"
#include "runtime/merge.h"
#include "runtime/report_merge.h"

/* ---- the recordings ---- */

/* The report clock: the earliest-booted recording's (smallest offset), so
 * every delta is >= 0 and no event time wraps below zero. */
static void set_clock(struct st_report_set *set)
{
	uint32_t i;

	set->wall_offset_ns = set->in[0].ri.wall_offset_ns;
	for (i = 1; i < set->n; i++)
		if (set->in[i].ri.wall_offset_ns < set->wall_offset_ns)
			set->wall_offset_ns = set->in[i].ri.wall_offset_ns;
	set->start_ns = UINT64_MAX;
	set->end_ns = 0;
	for (i = 0; i < set->n; i++) {
		struct st_report_input *in = &set->in[i];

		in->delta_ns = in->ri.wall_offset_ns - set->wall_offset_ns;
		if (in->ri.start_ns && in->ri.start_ns + (uint64_t)in->delta_ns < set->start_ns)
			set->start_ns = in->ri.start_ns + (uint64_t)in->delta_ns;
		if (in->ri.end_ns && in->ri.end_ns + (uint64_t)in->delta_ns > set->end_ns)
			set->end_ns = in->ri.end_ns + (uint64_t)in->delta_ns;
		set->lost += in->ri.lost;
	}
	if (set->start_ns == UINT64_MAX)
		set->start_ns = 0;
}

/* The reader whose recordings begin as the file does; be when none does
 * (or the file cannot be read: be's open says why). */
static const struct st_backend *reader_of(const char *path, const struct st_backend *be,
					  const struct st_backend *const *readers)
{
	char head[16];
	ssize_t n = 0;
	int fd;

	if (!readers)
		return be;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, head, sizeof(head));
		close(fd);
	}
	for (; *readers; readers++)
		if ((*readers)->file_magic && n >= (ssize_t)(*readers)->file_magic_len &&
		    !memcmp(head, (*readers)->file_magic, (*readers)->file_magic_len))
			return *readers;
	return be;
}

int st_report_set_open(struct st_report_set *set, const struct st_backend *be,
		       const struct st_backend *const *readers, const char *const *paths, uint32_t n, char **err)
{
	uint32_t i;
	int r;

	assert(n >= 1);
	memset(set, 0, sizeof(*set));
	set->in = calloc(n, sizeof(*set->in));
	if (!set->in)
		return st_err(err, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		set->in[i].path = paths[i];
		set->in[i].be = reader_of(paths[i], be, readers);
		r = set->in[i].be->report_open(paths[i], &set->in[i].ri, &set->in[i].rec, err);
		if (r < 0) {
			st_report_set_close(set);
			return r;
		}
		set->n = i + 1;
	}
	set_clock(set);
	return 0;
}

struct st_catalog *st_report_set_catalog(const struct st_report_set *set)
{
	struct st_catalog *cat = access("/sys/kernel/tracing/events", R_OK) == 0 ? st_catalog_tracefs() : NULL;
	uint32_t i;

	for (i = set->n; i-- > 0;)
		cat = st_catalog_layered(st_catalog_from_tep(set->in[i].be->report_tep(set->in[i].rec)), cat);
	return cat;
}

void st_report_set_close(struct st_report_set *set)
{
	uint32_t i;

	for (i = 0; set->in && i < set->n; i++) {
		set->in[i].be->report_close(set->in[i].rec);
		st_recording_info_free(&set->in[i].ri);
	}
	free(set->in);
	memset(set, 0, sizeof(*set));
}

/* ---- the merged stream ---- */

struct mstream {
	struct st_stream base;
	const struct st_report_set *set;
	struct st_stream **sub;     /* per recording */
	struct st_event *pending;   /* per recording: its next event (valid until its next()) */
	struct st_merge merge;      /* recordings by the time of their pending event */
	struct st_stream_input *inputs;
	bool held;                  /* the top recording's event was handed out */
};

/* Read recording i's next event into pending[i], on the report clock:
 * 1, ST_STREAM_EOF, or a negative errno. */
static int pull(struct mstream *m, uint32_t i)
{
	struct st_event *ev = &m->pending[i];
	int r = m->sub[i]->ops->next(m->sub[i], ev, 0);

	if (r != 1)
		return r == 0 ? ST_STREAM_EOF : r;
	ev->time += (uint64_t)m->set->in[i].delta_ns;
	ev->input = i;
	return 1;
}

static int ms_next(struct st_stream *st, struct st_event *ev, int timeout_ms)
{
	struct mstream *m = (struct mstream *)st;
	uint32_t top;
	int r;

	(void)timeout_ms;
	if (m->held) {
		m->held = false;
		top = st_merge_top(&m->merge);
		r = pull(m, top);
		if (r < 0)
			return r;
		if (r == 1)
			st_merge_retime_top(&m->merge, m->pending[top].time);
		else
			st_merge_pop(&m->merge);
	}
	if (!st_merge_count(&m->merge))
		return ST_STREAM_EOF;
	*ev = m->pending[st_merge_top(&m->merge)];
	m->held = true;
	return 1;
}

static struct tep_event *ms_input_format(struct st_stream *st, uint32_t input, uint32_t source)
{
	struct mstream *m = (struct mstream *)st;
	struct st_stream *sub = input < m->set->n ? m->sub[input] : NULL;

	return st_stream_format(sub, source);
}

/* The merged stream's own layouts, for what reads outside per-recording
 * tables (the process tree's lifecycle events): the first recording's
 * that has the source. */
static int ms_fill_formats(struct mstream *m, uint32_t nsrc)
{
	m->base.fmt = calloc(nsrc ? nsrc : 1, sizeof(*m->base.fmt));
	if (!m->base.fmt)
		return -ENOMEM;
	m->base.nfmt = nsrc;
	for (uint32_t s = 0; s < nsrc; s++)
		for (uint32_t i = 0; i < m->set->n && !m->base.fmt[s]; i++)
			m->base.fmt[s] = ms_input_format(&m->base, i, s);
	return 0;
}

static void ms_stop(struct st_stream *st)
{
	(void)st;
}

static uint64_t ms_lost(struct st_stream *st)
{
	struct mstream *m = (struct mstream *)st;
	uint64_t n = 0;

	for (uint32_t i = 0; i < m->set->n; i++)
		if (m->sub[i] && m->sub[i]->ops->lost)
			n += m->sub[i]->ops->lost(m->sub[i]);
	return n;
}

static void ms_close(struct st_stream *st)
{
	struct mstream *m = (struct mstream *)st;

	if (!m)
		return;
	for (uint32_t i = 0; m->sub && i < m->set->n; i++)
		if (m->sub[i])
			m->sub[i]->ops->close(m->sub[i]);
	free(m->sub);
	free(m->pending);
	free(m->inputs);
	free(m->base.fmt);
	st_merge_free(&m->merge);
	free(m);
}

static const struct st_stream_ops ms_ops = {
	.next = ms_next,
	.stop = ms_stop,
	.lost = ms_lost,
	.close = ms_close,
	.input_format = ms_input_format,
};

/* "PATH: MESSAGE" lines, one per failing recording, for one ERROR each. */
static void add_error(char **all, const char *path, const char *msg)
{
	char *s = NULL;

	if (asprintf(&s, "%s%s%s: %s", *all ? *all : "", *all ? "\nERROR: " : "", path, msg) < 0)
		return;
	free(*all);
	*all = s;
}

static int open_subs(struct mstream *m, struct st_report_set *set, const struct st_source *src, uint32_t nsrc,
		     char **err)
{
	int first = 0;

	for (uint32_t i = 0; i < set->n; i++) {
		char *e = NULL;
		int r = set->in[i].be->report_stream(set->in[i].rec, src, nsrc, &m->sub[i], &e);

		if (r < 0) {
			add_error(err, set->in[i].path, e ? e : strerror(-r));
			if (!first)
				first = r;
		}
		free(e);
	}
	return first;
}

int st_report_set_stream(struct st_report_set *set, const struct st_source *src, uint32_t nsrc,
			 struct st_stream **out, char **err)
{
	struct mstream *m;
	int r;

	*out = NULL;
	if (set->n == 1)
		return set->in[0].be->report_stream(set->in[0].rec, src, nsrc, out, err);
	m = calloc(1, sizeof(*m));
	if (!m || !(m->sub = calloc(set->n, sizeof(*m->sub))) ||
	    !(m->pending = calloc(set->n, sizeof(*m->pending))) || !(m->inputs = calloc(set->n, sizeof(*m->inputs))) ||
	    st_merge_init(&m->merge, set->n) < 0) {
		if (m)
			free(m->sub), free(m->pending), free(m->inputs), free(m);
		return st_err(err, -ENOMEM, "out of memory");
	}
	m->base.ops = &ms_ops;
	m->base.wall_offset_ns = set->wall_offset_ns;
	m->base.ninputs = set->n;
	m->base.inputs = m->inputs;
	m->set = set;
	for (uint32_t i = 0; i < set->n; i++)
		m->inputs[i] = (struct st_stream_input){ set->in[i].ri.host, set->in[i].ri.target_pid };
	r = open_subs(m, set, src, nsrc, err);
	if (r == 0 && ms_fill_formats(m, nsrc) < 0)
		r = st_err(err, -ENOMEM, "out of memory");
	for (uint32_t i = 0; r == 0 && i < set->n; i++) {
		r = pull(m, i);
		if (r == 1)
			st_merge_push(&m->merge, i, m->pending[i].time);
		if (r > 0)
			r = 0;
		else if (r < 0)
			st_err(err, r, "%s: %s", set->in[i].path, strerror(-r));
	}
	if (r < 0) {
		ms_close(&m->base);
		return r;
	}
	*out = &m->base;
	return 0;
}
