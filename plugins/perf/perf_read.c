/* perf_read.c - read perf.data: ours, and perf record's with tracepoints.
 *
 * The file is mmap'd and never copied.  The data section is not globally
 * time ordered (it is a sequence of per-CPU ring chunks), so a first pass
 * cuts it into runs of non-decreasing time and the stream merges the runs
 * with a heap: no per-event allocation, one pass per event after that.
 * Every offset and size read from the file is checked against the mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <traceevent/event-parse.h>
#include "plugins/perf/perf_file.h"
#include "plugins/perf/perf_int.h"
#include "runtime/bytes.h"
#include "runtime/merge.h"
#include "runtime/recording.h"
#include "plugins/perf/perf_syscalls.h"

struct rattr {
	uint32_t type;
	uint64_t config, sample_type, read_format;
	int time_off;                 /* byte offset of TIME in a sample, -1 none */
	uint8_t stack_parts;          /* callchain parts sampled (ST_STACK_*) */
	char *name;                   /* "sys:event", or EVENT_DESC's name */
};

struct idmap {
	uint64_t id;
	uint32_t attr;
};

struct st_recording {
	const char *path;
	uint8_t *map;
	size_t len;
	struct st_perf_file_header fh;
	struct rattr *attr;
	uint32_t nattr;
	struct idmap *ids;
	uint32_t nids;
	int id_off;                   /* byte offset of the id in a sample, -1 none */
	uint64_t trailer_type;        /* 0 when records carry no sample_id */
	uint64_t data_off, data_end;
	bool partial;                 /* a provisional header: cut short (perf_file.h) */
	struct tep_handle *tep;
	uint64_t lost;
	const struct st_perf_sysc_map_ent *sysc;   /* the file's syscall map (a copy) */
	struct st_perf_sysc_map_ent *sysc_copy;
	uint32_t nsysc;
};

/* ---- bounds-checked reading ---- */

static bool in_file(const struct st_recording *rec, uint64_t off, uint64_t size)
{
	return off <= rec->len && size <= rec->len - off;
}

/* ---- header, attrs, ids ---- */

static int time_offset(uint64_t st)
{
	if (!(st & PERF_SAMPLE_TIME))
		return -1;
	return 8 * (!!(st & PERF_SAMPLE_IDENTIFIER) + !!(st & PERF_SAMPLE_IP) + !!(st & PERF_SAMPLE_TID));
}

static int idmap_cmp(const void *a, const void *b)
{
	const struct idmap *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int read_attrs(struct st_recording *rec, char **err)
{
	const struct st_perf_file_header *fh = &rec->fh;
	uint64_t asz = fh->attr_size, total = 0;

	if (asz < PERF_ATTR_SIZE_VER0 + 16 || asz > 4096 || fh->attrs.size % asz ||
	    !in_file(rec, fh->attrs.offset, fh->attrs.size))
		return st_perf_fail(err, -EINVAL, "%s: bad attribute section", rec->path);
	rec->nattr = (uint32_t)(fh->attrs.size / asz);
	/* zero is fine: a script with only begin/end/timer probes records no events */
	if (rec->nattr > 65536)
		return st_perf_fail(err, -EINVAL, "%s: %u event attributes", rec->path, rec->nattr);
	rec->attr = calloc(rec->nattr ? rec->nattr : 1, sizeof(*rec->attr));
	if (!rec->attr)
		return -ENOMEM;
	for (uint32_t i = 0; i < rec->nattr; i++) {
		struct perf_event_attr a;
		const uint8_t *p = rec->map + fh->attrs.offset + i * asz;
		struct st_perf_section ids;

		memset(&a, 0, sizeof(a));
		memcpy(&a, p, asz - 16 < sizeof(a) ? asz - 16 : sizeof(a));
		memcpy(&ids, p + asz - 16, 16);
		if (!in_file(rec, ids.offset, ids.size) || ids.size % 8)
			return st_perf_fail(err, -EINVAL, "%s: bad id table of event %u", rec->path, i);
		rec->attr[i].type = a.type;
		rec->attr[i].config = a.config;
		rec->attr[i].sample_type = a.sample_type;
		rec->attr[i].read_format = a.read_format;
		rec->attr[i].time_off = time_offset(a.sample_type);
		rec->attr[i].stack_parts = (uint8_t)st_perf_stack_parts(&a);
		if (i == 0 && a.sample_id_all)
			rec->trailer_type = a.sample_type;
		total += ids.size / 8;
	}
	if (total > rec->len / 8)
		return st_perf_fail(err, -EINVAL, "%s: bad id tables", rec->path);
	rec->ids = calloc(total ? total : 1, sizeof(*rec->ids));
	if (!rec->ids)
		return -ENOMEM;
	for (uint32_t i = 0; i < rec->nattr; i++) {
		struct st_perf_section ids;

		memcpy(&ids, rec->map + fh->attrs.offset + i * asz + asz - 16, 16);
		for (uint64_t k = 0; k < ids.size / 8; k++) {
			memcpy(&rec->ids[rec->nids].id, rec->map + ids.offset + k * 8, 8);
			rec->ids[rec->nids++].attr = i;
		}
	}
	qsort(rec->ids, rec->nids, sizeof(*rec->ids), idmap_cmp);
	return 0;
}

/* Where a sample's event id is: perf requires every attr to agree. */
static int id_layout(struct st_recording *rec, char **err)
{
	uint64_t st = rec->attr[0].sample_type;

	if (st & PERF_SAMPLE_IDENTIFIER)
		rec->id_off = 0;
	else if (st & PERF_SAMPLE_ID)
		rec->id_off = 8 * (!!(st & PERF_SAMPLE_IP) + !!(st & PERF_SAMPLE_TID) +
				   !!(st & PERF_SAMPLE_TIME) + !!(st & PERF_SAMPLE_ADDR));
	else if (rec->nattr <= 1)
		rec->id_off = -1;
	else
		return st_perf_fail(err, -EINVAL, "%s: samples carry no event ids", rec->path);
	return 0;
}

static int find_attr(const struct st_recording *rec, uint64_t id)
{
	uint32_t lo = 0, hi = rec->nids;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (rec->ids[mid].id < id)
			lo = mid + 1;
		else if (rec->ids[mid].id > id)
			hi = mid;
		else
			return (int)rec->ids[mid].attr;
	}
	return -1;
}

/* ---- features ---- */

static bool feature(const struct st_recording *rec, int bit, struct st_perf_section *out)
{
	uint64_t idx = rec->fh.data.offset + rec->fh.data.size;

	if (!(rec->fh.features[bit / 64] & (1ull << (bit % 64))))
		return false;
	for (int b = 0; b < bit; b++)
		if (rec->fh.features[b / 64] & (1ull << (b % 64)))
			idx += 16;
	if (idx < rec->fh.data.offset || !in_file(rec, idx, 16))
		return false;
	memcpy(out, rec->map + idx, 16);
	return in_file(rec, out->offset, out->size);
}

/* libtraceevent evaluates constant arithmetic in print fmt arguments and
 * divides by zero on crafted files (found by fuzz_perfdata).  We read fields,
 * not print formats: when the arguments divide, keep only the format string. */
static void parse_format(struct st_recording *rec, const char *text, size_t size, const char *sys)
{
	const char *pf = memmem(text, size, "\nprint fmt: \"", 13), *q, *end = text + size;
	char *copy;

	if (!pf) {
		tep_parse_event(rec->tep, text, size, sys);
		return;
	}
	for (q = pf + 13; q < end && *q != '"'; q++)
		if (*q == '\\' && q + 1 < end)
			q++;
	if (q >= end || (!memchr(q, '/', (size_t)(end - q)) && !memchr(q, '%', (size_t)(end - q)))) {
		tep_parse_event(rec->tep, text, size, sys);
		return;
	}
	copy = malloc((size_t)(q - text) + 3);
	if (!copy)
		return;
	memcpy(copy, text, (size_t)(q - text) + 1);
	memcpy(copy + (q - text) + 1, "\n", 2);
	tep_parse_event(rec->tep, copy, (size_t)(q - text) + 2, sys);
	free(copy);
}

static int tracing_events(struct st_recording *rec, struct st_rd *r, bool ftrace)
{
	uint32_t nsys = ftrace ? 1 : st_rd_u32(r);

	for (uint32_t s = 0; s < nsys && !r->bad; s++) {
		const char *sys = ftrace ? "ftrace" : st_rd_str(r);
		uint32_t n = st_rd_u32(r);

		for (uint32_t i = 0; i < n && !r->bad; i++) {
			uint64_t size = st_rd_u64(r);
			const uint8_t *text = st_rd_take(r, size);

			/* ftrace's own formats are never sources: skip parsing. */
			if (text && !ftrace)
				parse_format(rec, (const char *)text, size, sys);
		}
	}
	return r->bad ? -EINVAL : 0;
}

static int tracing_data(struct st_recording *rec, char **err)
{
	struct st_perf_section sec;
	struct st_rd r;
	const uint8_t *magic;
	const char *ver;
	uint8_t endian, lsize;
	uint64_t size;
	const uint8_t *text;

	rec->tep = tep_alloc();
	if (!rec->tep)
		return -ENOMEM;
	if (!feature(rec, ST_PERF_FEAT_TRACING_DATA, &sec))
		return 0;       /* no tracepoints; counters only */
	r = (struct st_rd){rec->map + sec.offset, sec.size, 0, false};
	magic = st_rd_take(&r, 10);
	ver = st_rd_str(&r);
	if (!magic || memcmp(magic, "\x17\x08\x44tracing", 10) || !ver)
		return st_perf_fail(err, -EINVAL, "%s: bad tracing data", rec->path);
	endian = st_rd_take(&r, 1) ? r.p[r.off - 1] : 0;
	lsize = st_rd_take(&r, 1) ? r.p[r.off - 1] : 8;
	tep_set_file_bigendian(rec->tep, endian ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(rec->tep, TEP_LITTLE_ENDIAN);
	if (lsize != 4 && lsize != 8)
		return st_perf_fail(err, -EINVAL, "%s: bad long size in tracing data", rec->path);
	tep_set_long_size(rec->tep, lsize);
	tep_set_page_size(rec->tep, (int)st_rd_u32(&r));
	if (endian)
		return st_perf_fail(err, -EINVAL, "%s: big-endian tracing data is not supported", rec->path);
	for (int i = 0; i < 2 && !r.bad; i++) {
		const char *name = st_rd_str(&r);

		size = st_rd_u64(&r);
		text = st_rd_take(&r, size);
		if (!name || strcmp(name, i ? "header_event" : "header_page"))
			r.bad = true;
		else if (i == 0 && text)
			tep_parse_header_page(rec->tep, (char *)text, size, lsize);
	}
	if (!r.bad)
		tracing_events(rec, &r, true);
	if (!r.bad)
		tracing_events(rec, &r, false);
	if (r.bad)
		return st_perf_fail(err, -EINVAL, "%s: truncated tracing data", rec->path);
	return 0;
}

static int attr_names(struct st_recording *rec)
{
	struct st_perf_section sec;
	struct st_rd r;
	uint32_t nr = 0, asz = 0;

	if (feature(rec, ST_PERF_FEAT_EVENT_DESC, &sec)) {
		r = (struct st_rd){rec->map + sec.offset, sec.size, 0, false};
		nr = st_rd_u32(&r);
		asz = st_rd_u32(&r);
		for (uint32_t i = 0; i < nr && !r.bad; i++) {
			uint32_t nids, len;
			const uint8_t *s;

			st_rd_take(&r, asz);
			nids = st_rd_u32(&r);
			len = st_rd_u32(&r);
			s = st_rd_take(&r, len);
			st_rd_take(&r, (size_t)nids * 8);
			if (s && len && i < rec->nattr && nr == rec->nattr && !rec->attr[i].name)
				rec->attr[i].name = strndup((const char *)s, len);
		}
	}
	for (uint32_t i = 0; i < rec->nattr; i++) {
		struct rattr *a = &rec->attr[i];
		struct tep_event *te;

		if (a->type != PERF_TYPE_TRACEPOINT)
			continue;
		te = tep_find_event(rec->tep, (int)a->config);
		if (!te)
			continue;
		free(a->name);
		if (asprintf(&a->name, "%s:%s", te->system, te->name) < 0)
			a->name = NULL;
	}
	return 0;
}

/* The raw_syscalls -> syscalls:* map of a folded recording, if any. */
static int syscall_map(struct st_recording *rec, char **err)
{
	struct st_perf_section sec;
	uint32_t n;

	if (!feature(rec, ST_PERF_FEAT_STAPLET_SYSCALLS, &sec))
		return 0;
	if (sec.size < 4)
		return st_perf_fail(err, -EINVAL, "%s: bad syscall map", rec->path);
	memcpy(&n, rec->map + sec.offset, 4);
	if (n > (sec.size - 4) / sizeof(struct st_perf_sysc_map_ent))
		return st_perf_fail(err, -EINVAL, "%s: bad syscall map", rec->path);
	rec->sysc_copy = malloc((n ? n : 1) * sizeof(*rec->sysc_copy));
	if (!rec->sysc_copy)
		return -ENOMEM;
	memcpy(rec->sysc_copy, rec->map + sec.offset + 4, n * sizeof(*rec->sysc_copy));
	rec->sysc = rec->sysc_copy;
	rec->nsysc = n;
	return 0;
}

static int staplet_blob(struct st_recording *rec, struct st_recording_info *ri, char **err)
{
	struct st_perf_section sec;
	struct st_recording_info tmp;

	if (!feature(rec, ST_PERF_FEAT_STAPLET, &sec))
		return st_perf_fail(err, -ENOMSG,
				    "%s carries no staplet script (it was not recorded by perf stap)",
				    rec->path);
	memset(&tmp, 0, sizeof(tmp));
	if (sec.size > UINT32_MAX || st_recording_decode(rec->map + sec.offset, (uint32_t)sec.size, &tmp) < 0)
		return st_perf_fail(err, -EINVAL, "%s: the staplet script section is corrupt", rec->path);
	rec->lost = tmp.lost;
	if (ri)
		*ri = tmp;
	else
		st_recording_info_free(&tmp);
	return 0;
}

/* A provisional header: the events run from where its STAPLET_PARTIAL
 * section says to the end of the file. */
static int partial_data(struct st_recording *rec, struct st_recording_info *ri, char **err)
{
	struct st_perf_section sec;
	struct st_perf_partial part;

	if (!feature(rec, ST_PERF_FEAT_STAPLET_PARTIAL, &sec))
		return 0;
	if (sec.size < sizeof(part))
		return st_perf_fail(err, -EINVAL, "%s: bad provisional header", rec->path);
	memcpy(&part, rec->map + sec.offset, sizeof(part));
	if (rec->fh.data.size || part.data_offset % 8 || part.data_offset < rec->fh.data.offset ||
	    !in_file(rec, part.data_offset, 0))
		return st_perf_fail(err, -EINVAL, "%s: bad provisional header", rec->path);
	rec->partial = true;
	rec->data_off = part.data_offset;
	rec->data_end = rec->len;
	if (ri) {
		ri->cut_short = true;
		ri->recorder_pid = part.recorder_pid;
	}
	return 0;
}

void st_perf_report_close(struct st_recording *rec)
{
	if (!rec)
		return;
	if (rec->tep)
		tep_free(rec->tep);
	for (uint32_t i = 0; rec->attr && i < rec->nattr; i++)
		free(rec->attr[i].name);
	free(rec->attr);
	free(rec->ids);
	free(rec->sysc_copy);
	if (rec->map)
		munmap(rec->map, rec->len);
	free((char *)rec->path);
	free(rec);
}

static int map_file(struct st_recording *rec, char **err)
{
	struct stat st;
	int fd = open(rec->path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return st_perf_fail(err, -errno, "cannot open %s: %s", rec->path, strerror(errno));
	if (fstat(fd, &st) < 0)
		rc = -errno;
	else if ((size_t)st.st_size < sizeof(rec->fh))
		rc = st_perf_fail(err, -EINVAL, "%s: too short for a perf.data file", rec->path);
	if (rc == 0) {
		rec->len = (size_t)st.st_size;
		rec->map = mmap(NULL, rec->len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (rec->map == MAP_FAILED) {
			rec->map = NULL;
			rc = -errno;
		}
	}
	close(fd);
	if (rc < 0 && err && !*err)
		st_perf_fail(err, rc, "cannot read %s: %s", rec->path, strerror(-rc));
	return rc;
}

static int check_header(struct st_recording *rec, char **err)
{
	struct st_perf_file_header *fh = &rec->fh;

	memcpy(fh, rec->map, sizeof(*fh));
	if (memcmp(fh->magic, "PERFILE2", 8))
		return st_perf_fail(err, -EINVAL, "%s is not a perf.data file%s", rec->path,
				    memcmp(fh->magic, "2ELIFREP", 8) ? "" : " (big-endian files are not supported)");
	if (fh->size != sizeof(*fh))
		return st_perf_fail(err, -EINVAL, "%s: pipe-mode or unknown perf.data header", rec->path);
	if (!in_file(rec, fh->data.offset, fh->data.size) || fh->data.offset % 8)
		return st_perf_fail(err, -EINVAL, "%s: data section outside the file (truncated?)", rec->path);
	rec->data_off = fh->data.offset;
	rec->data_end = fh->data.offset + fh->data.size;
	return 0;
}

int st_perf_report_open(const char *path, struct st_recording_info *ri, struct st_recording **out,
			char **err)
{
	struct st_recording *rec = calloc(1, sizeof(*rec));
	int rc;

	*out = NULL;
	if (ri)
		memset(ri, 0, sizeof(*ri));
	if (!rec || !(rec->path = strdup(path))) {
		free(rec);
		return st_perf_fail(err, -ENOMEM, "out of memory");
	}
	rc = map_file(rec, err);
	if (rc == 0)
		rc = check_header(rec, err);
	if (rc == 0)
		rc = read_attrs(rec, err);
	if (rc == 0)
		rc = id_layout(rec, err);
	if (rc == 0)
		rc = tracing_data(rec, err);
	if (rc == 0)
		rc = attr_names(rec);
	if (rc == 0)
		rc = syscall_map(rec, err);
	if (rc == 0)
		rc = staplet_blob(rec, ri, err);
	if (rc == 0)
		rc = partial_data(rec, ri, err);
	if (rc < 0) {
		if (err && !*err)
			st_perf_fail(err, rc, "%s: %s", path, strerror(-rc));
		if (ri)
			st_recording_info_free(ri);   /* a step after staplet_blob failed */
		st_perf_report_close(rec);
		return rc;
	}
	*out = rec;
	return 0;
}

struct tep_handle *st_perf_report_tep(struct st_recording *rec)
{
	return rec ? rec->tep : NULL;
}

/* ---- the stream ---- */

struct run {
	uint64_t pos, end, time;
};

struct rstream {
	struct st_stream base;
	struct st_recording *rec;
	int32_t *bound;               /* per attr: plan source, -1 when unbound */
	int32_t **by_nr;              /* per attr: raw_syscalls id -> plan source */
	struct run *run;
	uint32_t nrun;
	struct st_merge merge;        /* runs by the time of their current record */
	bool held;                    /* the top run's record was handed out */
	struct st_perf_comm comm;
	uint64_t last_id;
	int last_attr;
	struct st_perf_captured cap;  /* the strings of the event handed out */
};

static int attr_of(struct rstream *s, const uint8_t *body, size_t size)
{
	struct st_recording *rec = s->rec;
	uint64_t id;

	if (rec->id_off < 0)
		return 0;
	if ((size_t)rec->id_off + 8 > size)
		return -1;
	memcpy(&id, body + rec->id_off, 8);
	if (id != s->last_id || s->last_attr < 0) {
		s->last_id = id;
		s->last_attr = find_attr(rec, id);
	}
	return s->last_attr;
}

/* A record's time, or `prev` for records that carry none. */
static uint64_t rec_time(struct rstream *s, const uint8_t *p, uint64_t prev)
{
	const struct perf_event_header *h = (const void *)p;
	const uint8_t *body = p + sizeof(*h);
	size_t size = h->size - sizeof(*h);
	uint64_t t;

	if (h->type == PERF_RECORD_SAMPLE) {
		int a = attr_of(s, body, size), off;

		if (a < 0 || (off = s->rec->attr[a].time_off) < 0 || (size_t)off + 8 > size)
			return prev;
		memcpy(&t, body + off, 8);
		return t;
	}
	/* Records perf itself adds (>= 64) have no sample_id trailer. */
	if (h->type >= 64 || !(s->rec->trailer_type & PERF_SAMPLE_TIME))
		return prev;
	{
		struct st_perf_sample sm;

		if (st_perf_parse_trailer(s->rec->trailer_type, body, size, &sm) < 0)
			return prev;
		return sm.time;
	}
}

/* Cut the data section into time-ordered runs; check every record fits. */
static int find_runs(struct rstream *s, char **err)
{
	struct st_recording *rec = s->rec;
	uint64_t pos = rec->data_off, prev = 0;
	uint32_t cap = 64;

	s->run = malloc(cap * sizeof(*s->run));
	if (!s->run)
		return -ENOMEM;
	while (pos < rec->data_end) {
		const struct perf_event_header *h = (const void *)(rec->map + pos);

		/* a file cut short ends in the middle of a record, or in
		 * space never written: that is where its events end */
		if (rec->partial && (rec->data_end - pos < sizeof(*h) || h->size == 0 ||
				     h->size > rec->data_end - pos))
			break;
		if (rec->data_end - pos < sizeof(*h))
			return st_perf_fail(err, -EBADMSG, "%s: %llu stray bytes at the end of the data section",
					    rec->path, (unsigned long long)(rec->data_end - pos));
		uint64_t t;

		/* Records are 8-byte multiples within the data section; a
		 * record that is not cannot be stepped over, and what follows
		 * it would be lost without a word: refuse, as perf script does. */
		if (h->size < sizeof(*h) || h->size % 8 || h->size > rec->data_end - pos)
			return st_perf_fail(err, -EBADMSG,
					    "%s: corrupt record at offset %llu (type %u, size %u): the %llu bytes of "
					    "events from there on cannot be read",
					    rec->path, (unsigned long long)pos, h->type, h->size,
					    (unsigned long long)(rec->data_end - pos));
		if (h->type == 81)  /* PERF_RECORD_COMPRESSED, a perf tool record */
			return st_perf_fail(err, -EOPNOTSUPP, "%s: compressed perf.data (perf record -z) is not supported", rec->path);
		if (h->type == PERF_RECORD_LOST && h->size >= 24 && !rec->lost) {
			uint64_t n;

			memcpy(&n, (const uint8_t *)h + 16, 8);
			s->rec->lost += n;  /* files without our blob */
		}
		t = rec_time(s, rec->map + pos, prev);
		if (s->nrun == 0 || t < prev) {
			if (s->nrun == cap) {
				struct run *nr = realloc(s->run, (size_t)cap * 2 * sizeof(*nr));
				if (!nr)
					return -ENOMEM;
				s->run = nr;
				cap *= 2;
			}
			if (s->nrun)
				s->run[s->nrun - 1].end = pos;
			s->run[s->nrun++] = (struct run){pos, 0, t};
		}
		prev = t;
		pos += h->size;
	}
	if (s->nrun)
		s->run[s->nrun - 1].end = pos;
	if (st_merge_init(&s->merge, s->nrun) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->nrun; i++)
		st_merge_push(&s->merge, i, s->run[i].time);
	return 0;
}

/* Step the top run past its current record and restore the merge order. */
static void advance_top(struct rstream *s)
{
	struct run *r = &s->run[st_merge_top(&s->merge)];
	const struct perf_event_header *h = (const void *)(s->rec->map + r->pos);

	r->pos += h->size;
	if (r->pos >= r->end) {
		st_merge_pop(&s->merge);
	} else {
		r->time = rec_time(s, s->rec->map + r->pos, r->time);
		st_merge_retime_top(&s->merge, r->time);
	}
}

static void side_record(struct rstream *s, const struct perf_event_header *h)
{
	const uint8_t *b = (const uint8_t *)(h + 1);
	size_t size = h->size - sizeof(*h);
	int32_t v[4];

	st_perf_track_maps(h);
	if (h->type == PERF_RECORD_COMM && size > 8) {
		memcpy(v, b, 8);
		st_perf_comm_set(&s->comm, v[1], (const char *)b + 8, size - 8);
	} else if (h->type == PERF_RECORD_FORK && size >= 16) {
		memcpy(v, b, 16);
		st_perf_comm_fork(&s->comm, v[2], v[3]);
	}
}

static bool fill(struct rstream *s, const struct perf_event_header *h, struct st_event *ev)
{
	const uint8_t *body = (const uint8_t *)(h + 1);
	size_t size = h->size - sizeof(*h);
	struct st_perf_sample sm;
	int a = attr_of(s, body, size);

	if (a < 0 || s->bound[a] < 0)
		return false;
	if (st_perf_parse_sample(s->rec->attr[a].sample_type, s->rec->attr[a].read_format, body,
				 size, &sm) < 0)
		return false;
	ev->time = sm.time;
	ev->source = (uint32_t)s->bound[a];
	if (s->by_nr[a]) {
		int32_t nr;

		if (!sm.raw || sm.raw_size < 16)
			return false;
		memcpy(&nr, (const uint8_t *)sm.raw + 8, 4);
		if (nr < 0 || nr >= ST_PERF_SYSC_MAX_NR || s->by_nr[a][nr] < 0)
			return false;
		ev->source = (uint32_t)s->by_nr[a][nr];
	}
	ev->cpu = sm.cpu;
	ev->pid = sm.pid;
	ev->tid = sm.tid;
	ev->comm = st_perf_comm_get(&s->comm, sm.tid);
	ev->raw = sm.raw;
	ev->raw_size = sm.raw_size;
	ev->value = sm.period;
	ev->flags = 0;
	ev->ip = sm.ip;
	ev->captures = NULL;
	ev->ncaptures = 0;
	st_perf_event_stack(ev, &sm, s->rec->attr[a].stack_parts);
	/* BPF output is either a user-string capture (record + strings) or a
	 * BTF argument record, whose synthesized format has an id of its own. */
	if (st_perf_is_capture_attr(s->rec->attr[a].type, s->rec->attr[a].config) &&
	    !(s->base.fmt[ev->source] && s->base.fmt[ev->source]->id >= ST_PERF_TPARGS_ID_BASE)) {
		if (!st_perf_capture_decode(sm.raw, sm.raw_size, &s->cap))
			return false;
		ev->raw = s->cap.rec;
		ev->raw_size = s->cap.rec_size;
		ev->captures = s->cap.cap;
		ev->ncaptures = s->cap.ncap;
	}
	return true;
}

static int rs_next(struct st_stream *st, struct st_event *ev, int timeout_ms)
{
	struct rstream *s = (struct rstream *)st;

	if (s->held) {
		s->held = false;
		advance_top(s);
	}
	while (st_merge_count(&s->merge)) {
		const struct perf_event_header *h = (const void *)(s->rec->map + s->run[st_merge_top(&s->merge)].pos);

		if (h->type == PERF_RECORD_SAMPLE) {
			if (fill(s, h, ev)) {
				s->held = true;
				return 1;
			}
		} else {
			side_record(s, h);
		}
		advance_top(s);
	}
	return ST_STREAM_EOF;
}

static uint64_t rs_lost(struct st_stream *st)
{
	return ((struct rstream *)st)->rec->lost;
}

static void rs_close(struct st_stream *st)
{
	struct rstream *s = (struct rstream *)st;

	if (!s)
		return;
	for (uint32_t a = 0; s->by_nr && a < s->rec->nattr; a++)
		free(s->by_nr[a]);
	free(s->by_nr);
	free(s->bound);
	free(s->base.fmt);
	free(s->run);
	st_merge_free(&s->merge);
	st_perf_comm_free(&s->comm);
	free(s);
}

static const struct st_stream_ops rs_ops = { .next = rs_next, .lost = rs_lost, .close = rs_close };

static bool served(enum st_source_kind k)
{
	return k == ST_SRC_TRACEPOINT || k == ST_SRC_UPROBE || k == ST_SRC_KPROBE || k == ST_SRC_PERF;
}

/* A syscalls:* source recorded as raw_syscalls records: bind it through
 * the file's syscall map.  0 when bound. */
static int bind_syscall(struct rstream *s, uint32_t source, const char *want)
{
	struct st_recording *rec = s->rec;

	for (uint32_t k = 0; k < rec->nsysc; k++) {
		const struct st_perf_sysc_map_ent *m = &rec->sysc[k];
		struct tep_event *te = tep_find_event(rec->tep, (int)m->member_config);
		char name[256];

		if (!te || m->nr >= ST_PERF_SYSC_MAX_NR)
			continue;
		snprintf(name, sizeof(name), "%s:%s", te->system, te->name);
		if (strcmp(name, want))
			continue;
		for (uint32_t a = 0; a < rec->nattr; a++) {
			if (rec->attr[a].type != PERF_TYPE_TRACEPOINT || rec->attr[a].config != m->raw_config)
				continue;
			if (!s->by_nr[a]) {
				s->by_nr[a] = malloc(ST_PERF_SYSC_MAX_NR * sizeof(int32_t));
				if (!s->by_nr[a])
					return -ENOMEM;
				for (uint32_t nr = 0; nr < ST_PERF_SYSC_MAX_NR; nr++)
					s->by_nr[a][nr] = -1;
			}
			if (s->by_nr[a][m->nr] >= 0)
				continue;
			s->by_nr[a][m->nr] = (int32_t)source;
			s->bound[a] = (int32_t)source;
			s->base.fmt[source] = te;
			return 0;
		}
	}
	return -ENOENT;
}

/* Bind plan sources to attrs by name; list the ones the file lacks. */
static int bind(struct rstream *s, const struct st_source *src, uint32_t nsrc, char **err)
{
	struct st_recording *rec = s->rec;
	struct st_missing miss;

	if (st_missing_open(&miss) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < nsrc; i++) {
		bool found = false;
		char *want = NULL;

		if (!served(src[i].kind))
			continue;
		if (src[i].kind != ST_SRC_PERF && src[i].system && src[i].event) {
			if (asprintf(&want, "%s:%s", src[i].system, src[i].event) < 0)
				want = NULL;
		} else if (src[i].name) {
			want = strdup(src[i].name);
		}
		for (uint32_t a = 0; want && a < rec->nattr; a++) {
			if (!rec->attr[a].name || strcmp(rec->attr[a].name, want) || s->bound[a] >= 0)
				continue;
			s->bound[a] = (int32_t)i;
			found = true;
			if (rec->attr[a].type == PERF_TYPE_TRACEPOINT)
				s->base.fmt[i] = tep_find_event(rec->tep, (int)rec->attr[a].config);
			else if (st_perf_is_capture_attr(rec->attr[a].type, rec->attr[a].config) &&
				 src[i].system && src[i].event)
				s->base.fmt[i] = tep_find_event_by_name(rec->tep, src[i].system, src[i].event);
		}
		if (!found && want && bind_syscall(s, i, want) == 0)
			found = true;
		if (!found && !src[i].optional)
			st_missing_add(&miss, want);
		free(want);
	}
	return st_missing_close(&miss, err);
}

int st_perf_report_stream(struct st_recording *rec, const struct st_source *src, uint32_t nsrc,
			  struct st_stream **out, char **err)
{
	struct rstream *s = calloc(1, sizeof(*s));
	int rc = -ENOMEM;

	*out = NULL;
	if (!s)
		return st_perf_fail(err, -ENOMEM, "out of memory");
	s->base.ops = &rs_ops;
	s->rec = rec;
	s->last_attr = -1;
	s->bound = malloc(rec->nattr * sizeof(*s->bound));
	s->by_nr = calloc(rec->nattr, sizeof(*s->by_nr));
	s->base.fmt = calloc(nsrc ? nsrc : 1, sizeof(*s->base.fmt));
	s->base.nfmt = nsrc;
	if (s->bound && s->by_nr && s->base.fmt && st_perf_comm_init(&s->comm) == 0) {
		for (uint32_t a = 0; a < rec->nattr; a++)
			s->bound[a] = -1;
		rc = bind(s, src, nsrc, err);
		if (rc == 0)
			rc = find_runs(s, err);
	}
	if (rc < 0) {
		if (err && !*err)
			st_perf_fail(err, rc, "%s: %s", rec->path, strerror(-rc));
		rs_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}
