/* perf_record.c - the recorder: rings -> a perf.data file that perf script
 * and perf report read, plus our recording info blob.
 *
 * The file is written in place under its final name from the start (an
 * earlier recording kept as PATH.old, as perf record does; runtime/outfile.h
 * creates it without following links).  begin() writes a provisional header
 * whose feature sections (formats, script) come before the data and whose
 * STAPLET_PARTIAL section says where the data starts, so at every moment
 * the file reads as a recording cut short at its last write.  finish()
 * appends the final feature sections after the data and rewrites the header.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "plugins/perf/perf_int.h"
#include "plugins/perf/perf_file.h"
#include "plugins/perf/perf_syscalls.h"
#include "runtime/bytes.h"
#include "runtime/control.h"
#include "runtime/outfile.h"
#include "runtime/usym.h"

#define RUN_POLL_MS 100

struct st_recorder {
	struct st_perf_attach at;
	struct st_outfile out;
	uint64_t data_off, off;           /* data_off: 0 until begin() */
	uint64_t samples, lost;
	struct pollfd *pfd;
	struct st_wbuf cmdlines;          /* "tid comm\n" for HEADER_TRACING_DATA */
	struct st_wbuf comms;             /* synthesized COMM records */
	struct st_target *target;         /* -c: the recording ends when it exits */
};

/* ---- tasks alive at start ---- */

static void add_user_maps(struct st_recorder *r, int pid);

static void add_task(void *ctx, int pid, int tid, const char *comm)
{
	struct st_recorder *r = ctx;
	char line[64], name[16] = {0};
	uint32_t ids[2] = {(uint32_t)pid, (uint32_t)tid}, cpu[2] = {0, 0};
	struct perf_event_header h;
	uint64_t t = 0, id = r->at.nevt ? r->at.evt[0].ids[0] : 0;
	int n;

	strncpy(name, comm, sizeof(name) - 1);
	/* COMM at time 0 with the sample_id trailer every record carries. */
	h.type = PERF_RECORD_COMM;
	h.misc = 0;
	h.size = (uint16_t)(sizeof(h) + 8 + 16 + st_perf_trailer_size(r->at.trailer_type));
	st_wbuf_put(&r->comms, &h, sizeof(h));
	st_wbuf_put(&r->comms, ids, 8);
	st_wbuf_put(&r->comms, name, 16);
	st_wbuf_put(&r->comms, ids, 8);
	st_wbuf_put(&r->comms, &t, 8);
	st_wbuf_put(&r->comms, cpu, 8);
	st_wbuf_put(&r->comms, &id, 8);
	n = snprintf(line, sizeof(line), "%d %s\n", tid, name);
	st_wbuf_put(&r->cmdlines, line, (size_t)n);
	if (r->at.want_mmap && pid == tid)
		add_user_maps(r, pid);
}

/* A user MMAP at time 0 for a mapping that predates the recording, so
 * report can name the addresses of processes that were already running. */
static void add_user_map(struct st_recorder *r, int pid, uint64_t start, uint64_t len, uint64_t pgoff,
			 const char *file)
{
	uint32_t ids[2] = {(uint32_t)pid, (uint32_t)pid}, cpu[2] = {0, 0};
	uint64_t t = 0, id = r->at.nevt ? r->at.evt[0].ids[0] : 0;
	size_t nlen = (strlen(file) + 1 + 7) & ~(size_t)7;
	struct perf_event_header h;
	char name[4096 + 8] = {0};

	if (nlen > 4096)
		return;
	memcpy(name, file, strlen(file));
	h.type = PERF_RECORD_MMAP;
	h.misc = PERF_RECORD_MISC_USER;
	h.size = (uint16_t)(sizeof(h) + 8 + 24 + nlen + st_perf_trailer_size(r->at.trailer_type));
	st_wbuf_put(&r->comms, &h, sizeof(h));
	st_wbuf_put(&r->comms, ids, 8);
	st_wbuf_put(&r->comms, &start, 8);
	st_wbuf_put(&r->comms, &len, 8);
	st_wbuf_put(&r->comms, &pgoff, 8);
	st_wbuf_put(&r->comms, name, nlen);
	st_wbuf_put(&r->comms, ids, 8);
	st_wbuf_put(&r->comms, &t, 8);
	st_wbuf_put(&r->comms, cpu, 8);
	st_wbuf_put(&r->comms, &id, 8);
}

struct user_maps {
	struct st_recorder *r;
	int pid;
};

static void user_map(void *ctx, uint64_t lo, uint64_t hi, uint64_t off, const char *name)
{
	struct user_maps *u = ctx;

	if (name[0] == '/')     /* files only: [vdso] and the like have no ELF to read */
		add_user_map(u->r, u->pid, lo, hi - lo, off, name);
}

/* The executable mappings of a process alive at start (user backtraces). */
static void add_user_maps(struct st_recorder *r, int pid)
{
	struct user_maps u = { r, pid };

	st_usym_proc_maps(pid, user_map, &u);
}

/* The kernel's _text address from the head of /proc/kallsyms, 0 if hidden. */
static uint64_t kernel_text(void)
{
	char buf[8192];
	uint64_t addr = 0;
	ssize_t n;
	int fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		char *p;

		buf[n] = 0;
		p = strstr(buf, " T _text\n");
		while (p && p > buf && p[-1] != '\n')
			p--;
		if (p)
			addr = strtoull(p, NULL, 16);
	}
	return addr;
}

/* A kernel MMAP like perf record's: without it perf report warns that
 * kernel address maps were restricted. */
static void add_kernel_map(struct st_recorder *r)
{
	static const char name[24] = "[kernel.kallsyms]_text";
	uint32_t ids[2] = {UINT32_MAX, 0}, cpu[2] = {0, 0};
	uint64_t start = kernel_text(), len = ~0ull - start, t = 0;
	uint64_t id = r->at.nevt ? r->at.evt[0].ids[0] : 0;
	struct perf_event_header h;

	if (!start)
		return;
	h.type = PERF_RECORD_MMAP;
	h.misc = PERF_RECORD_MISC_KERNEL;
	h.size = (uint16_t)(sizeof(h) + 8 + 24 + sizeof(name) + st_perf_trailer_size(r->at.trailer_type));
	st_wbuf_put(&r->comms, &h, sizeof(h));
	st_wbuf_put(&r->comms, ids, 8);
	st_wbuf_put(&r->comms, &start, 8);
	st_wbuf_put(&r->comms, &len, 8);
	st_wbuf_put(&r->comms, &start, 8);
	st_wbuf_put(&r->comms, name, sizeof(name));
	st_wbuf_put(&r->comms, ids, 8);
	st_wbuf_put(&r->comms, &t, 8);
	st_wbuf_put(&r->comms, cpu, 8);
	st_wbuf_put(&r->comms, &id, 8);
}

/* ---- ring copying ---- */

static void count_records(struct st_recorder *r, struct st_perf_ring *ring, uint64_t tail,
			  uint64_t head)
{
	while (tail < head) {
		const struct perf_event_header *h = (const void *)(ring->data + (tail & ring->mask));
		uint64_t v;

		if (h->size < sizeof(*h))
			break;
		if (h->type == PERF_RECORD_SAMPLE)
			r->samples++;
		else if (h->type == PERF_RECORD_LOST && h->size >= 24 &&
			 (tail & ring->mask) + 24 <= ring->mask + 1) {
			memcpy(&v, (const uint8_t *)h + 16, 8);
			r->lost += v;
		}
		tail += h->size;
	}
}

static int copy_ring(struct st_recorder *r, struct st_perf_ring *ring)
{
	uint64_t head = st_perf_ring_head(ring), tail = ring->meta->data_tail;
	uint64_t size = ring->mask + 1, off = tail & ring->mask, n = head - tail;
	struct iovec iov[2];
	int cnt = 1;
	ssize_t w;

	if (!n)
		return 0;
	count_records(r, ring, tail, head);
	iov[0].iov_base = ring->data + off;
	iov[0].iov_len = n;
	if (off + n > size) {
		iov[0].iov_len = size - off;
		iov[1].iov_base = ring->data;
		iov[1].iov_len = n - (size - off);
		cnt = 2;
	}
	while (cnt) {
		w = pwritev(r->out.fd, iov, cnt, (off_t)r->off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		r->off += (uint64_t)w;
		while (cnt && (size_t)w >= iov[0].iov_len) {
			w -= (ssize_t)iov[0].iov_len;
			iov[0] = iov[1];
			cnt--;
		}
		if (cnt) {
			iov[0].iov_base = (uint8_t *)iov[0].iov_base + w;
			iov[0].iov_len -= (size_t)w;
		}
	}
	st_perf_ring_release(ring, head);
	return 0;
}

static int copy_rings(struct st_recorder *r, char **err)
{
	for (int i = 0; i < r->at.ncpu; i++) {
		int rc;

		if (!r->at.ring[i].base)
			continue;
		rc = copy_ring(r, &r->at.ring[i]);
		if (rc < 0)
			return st_perf_fail(err, rc, "cannot write %s: %s", r->out.path, strerror(-rc));
	}
	return 0;
}

/* ---- open / run ---- */

static void recorder_free(struct st_recorder *r)
{
	st_perf_attach_close(&r->at);
	st_outfile_close(&r->out);
	free(r->pfd);
	free(r->cmdlines.p);
	free(r->comms.p);
	free(r);
}

/* A recording that began stays, cut short; one that never began had
 * nothing in it and goes. */
void st_perf_record_abort(struct st_recorder *r)
{
	if (!r)
		return;
	st_perf_attach_disable(&r->at);
	if (!r->data_off)
		st_outfile_discard(&r->out);
	recorder_free(r);
}

static uint64_t header_space(const struct st_perf_attach *a)
{
	uint64_t n = sizeof(struct st_perf_file_header) +
		     (uint64_t)a->nevt * (sizeof(struct perf_event_attr) + 16) +
		     (uint64_t)a->nevt * (uint64_t)a->ncpu * 8;

	return (n + 7) & ~7ull;
}

int st_perf_record_open(const char *path, const struct st_source *src, uint32_t nsrc,
			const struct st_backend_opts *o, struct st_recorder **out, char **err)
{
	struct st_recorder *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (!r)
		return st_perf_fail(err, -ENOMEM, "out of memory");
	r->out.fd = -1;
	r->target = o ? o->target : NULL;
	rc = st_perf_attach_open(&r->at, src, nsrc, o, true, err);
	if (rc < 0) {
		free(r);
		return rc;
	}
	rc = st_outfile_create(&r->out, path);
	if (rc == 0)
		rc = st_outfile_publish(&r->out, true);
	if (rc < 0) {
		st_perf_fail(err, rc, "cannot create a file next to %s: %s", path, strerror(-rc));
		recorder_free(r);
		return rc;
	}
	r->pfd = calloc((size_t)r->at.ncpu, sizeof(*r->pfd));
	if (!r->pfd) {
		st_perf_record_abort(r);
		return st_perf_fail(err, -ENOMEM, "out of memory");
	}
	for (int i = 0; i < r->at.ncpu; i++) {
		r->pfd[i].fd = r->at.ring[i].fd;
		r->pfd[i].events = POLLIN;
	}
	rc = st_perf_attach_enable(&r->at, err);
	if (rc == 0) {
		add_kernel_map(r);
		st_proc_tasks(add_task, r);
	}
	if (rc < 0) {
		st_perf_record_abort(r);
		return rc;
	}
	*out = r;
	return 0;
}

static int write_features(struct st_recorder *r, struct st_perf_file_header *fh,
			  const struct st_recording_info *ri, bool partial);
static int write_header(struct st_recorder *r, struct st_perf_file_header *fh);

/* The provisional header: features at header_space(), then the data; the
 * header last, so a recorder killed before has left no header at all. */
int st_perf_record_begin(struct st_recorder *r, const struct st_recording_info *ri, char **err)
{
	struct st_perf_file_header fh;
	int rc;

	assert(!r->data_off);
	memset(&fh, 0, sizeof(fh));
	r->off = header_space(&r->at);
	fh.data.offset = r->off;
	rc = write_features(r, &fh, ri, true);
	r->data_off = r->off;
	if (rc == 0)
		rc = st_write_at(r->out.fd, r->comms.p, r->comms.len, r->data_off);
	r->off = r->data_off + r->comms.len;
	if (rc == 0)
		rc = write_header(r, &fh);
	if (rc < 0)
		return st_perf_fail(err, rc, "cannot write %s: %s", r->out.path, strerror(-rc));
	return 0;
}

int st_perf_record_run(struct st_recorder *r, char **err)
{
	struct st_recording_info none = {0};
	int rc = r->data_off ? 0 : st_perf_record_begin(r, &none, err);   /* begin() was skipped */

	if (rc < 0)
		return rc;
	while (st_control_stop_reason() == ST_STOP_NONE) {
		st_target_poll(r->target);
		/* Signals interrupt poll(): that is how Ctrl-C ends the loop. */
		poll(r->pfd, (nfds_t)r->at.ncpu, RUN_POLL_MS);
		rc = copy_rings(r, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- the feature sections ---- */

/* A tracepoint format the file must carry: every attr's, and the
 * syscalls:* formats of the sources a raw_syscalls event serves. */
struct fmt_ent {
	const char *system;
	uint64_t config;
	const char *text;
	size_t len;
};

static int collect_formats(struct st_recorder *r, struct fmt_ent **out, uint32_t *n)
{
	uint32_t cap = 0, k = 0;
	struct fmt_ent *f;

	for (uint32_t i = 0; i < r->at.nevt; i++)
		cap += 1 + (r->at.evt[i].sysc ? r->at.evt[i].sysc->nm : 0);
	f = calloc(cap ? cap : 1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	for (uint32_t i = 0; i < r->at.nevt; i++) {
		struct st_perf_evt *e = &r->at.evt[i];

		if (e->format)
			f[k++] = (struct fmt_ent){e->system,
						  e->tpa ? st_perf_tpargs_id(e) : e->capture ? e->tp_config : e->attr.config,
						  e->format, e->format_len};
		for (uint32_t j = 0; e->sysc && j < e->sysc->nm; j++) {
			struct st_perf_sysc_member *m = &e->sysc->m[j];

			f[k++] = (struct fmt_ent){"syscalls", m->config, m->format, m->format_len};
		}
	}
	*out = f;
	*n = k;
	return 0;
}

/* Systems in order of first use; each distinct event once. */
static int event_formats(struct st_recorder *r, struct st_wbuf *b)
{
	struct fmt_ent *f;
	uint32_t nf, nsys = 0;
	size_t nsys_at = b->len;
	int rc = collect_formats(r, &f, &nf);

	if (rc < 0)
		return rc;
	st_wbuf_u32(b, 0);
	for (uint32_t i = 0; i < nf; i++) {
		uint32_t n = 0;
		size_t n_at;
		bool seen = false;

		for (uint32_t j = 0; j < i && !seen; j++)
			seen = !strcmp(f[j].system, f[i].system);
		if (seen)
			continue;
		nsys++;
		st_wbuf_str(b, f[i].system);
		n_at = b->len;
		st_wbuf_u32(b, 0);
		for (uint32_t j = i; j < nf; j++) {
			bool dup = false;

			if (strcmp(f[j].system, f[i].system))
				continue;
			for (uint32_t k = i; k < j && !dup; k++)
				dup = f[k].config == f[j].config;
			if (dup)
				continue;
			st_wbuf_u64(b, f[j].len);
			st_wbuf_put(b, f[j].text, f[j].len);
			n++;
		}
		memcpy(b->p + n_at, &n, 4);
	}
	memcpy(b->p + nsys_at, &nsys, 4);
	free(f);
	return 0;
}

/* Which syscalls:* event each raw_syscalls record stands for (empty when
 * nothing was folded). */
static int syscall_map(struct st_recorder *r, struct st_wbuf *b)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < r->at.nevt; i++)
		n += r->at.evt[i].sysc ? r->at.evt[i].sysc->nm : 0;
	st_wbuf_u32(b, n);
	for (uint32_t i = 0; i < r->at.nevt; i++) {
		struct st_perf_evt *e = &r->at.evt[i];

		for (uint32_t j = 0; e->sysc && j < e->sysc->nm; j++) {
			struct st_perf_sysc_map_ent m = {e->attr.config, e->sysc->m[j].nr, 0,
							 e->sysc->m[j].config};

			st_wbuf_put(b, &m, sizeof(m));
		}
	}
	return n;
}

static int tracing_data(struct st_recorder *r, struct st_wbuf *b)
{
	const char *dir = st_perf_tracing_dir();
	static const char *hdr[2] = {"header_page", "header_event"};
	long pg = sysconf(_SC_PAGESIZE);
	int rc = 0;

	/* magic, "tracing", version "0.6" with its NUL */
	st_wbuf_put(b, "\x17\x08\x44tracing0.6", 14);
	st_wbuf_put(b, "\0\x08", 2);      /* little endian, 8-byte long */
	st_wbuf_u32(b, (uint32_t)pg);
	for (int i = 0; i < 2; i++) {
		char path[512], *text;
		size_t len = 0;

		snprintf(path, sizeof(path), "%s/events/%s", dir ? dir : "", hdr[i]);
		text = st_perf_read_file(path, &len);
		if (!text)
			return -errno;
		st_wbuf_str(b, hdr[i]);
		st_wbuf_u64(b, len);
		rc = st_wbuf_put(b, text, len);
		free(text);
	}
	st_wbuf_u32(b, 0);                 /* ftrace formats */
	rc = event_formats(r, b);
	if (rc < 0)
		return rc;
	st_wbuf_u32(b, 0);                 /* kallsyms */
	st_wbuf_u32(b, 0);                 /* printk formats */
	st_wbuf_u64(b, r->cmdlines.len);
	st_wbuf_put(b, r->cmdlines.p, r->cmdlines.len);
	return rc;
}

static int event_desc(struct st_recorder *r, struct st_wbuf *b)
{
	st_wbuf_u32(b, r->at.nevt);
	st_wbuf_u32(b, sizeof(struct perf_event_attr));
	for (uint32_t i = 0; i < r->at.nevt; i++) {
		struct st_perf_evt *e = &r->at.evt[i];
		size_t len = (strlen(e->name) + 1 + 63) & ~(size_t)63;
		char *pad = calloc(1, len);

		if (!pad)
			return -ENOMEM;
		strcpy(pad, e->name);
		st_wbuf_put(b, &e->attr, sizeof(e->attr));
		st_wbuf_u32(b, (uint32_t)r->at.ncpu);
		st_wbuf_u32(b, (uint32_t)len);
		st_wbuf_put(b, pad, len);
		st_wbuf_put(b, e->ids, (size_t)r->at.ncpu * 8);
		free(pad);
	}
	return 0;
}

/* The feature index at r->off, then its payloads; r->off ends past them
 * (8-aligned for the data to follow).  partial: the provisional set, whose STAPLET_PARTIAL section
 * gives where the data will start (right after the payloads). */
static int write_features(struct st_recorder *r, struct st_perf_file_header *fh,
			  const struct st_recording_info *ri, bool partial)
{
	/* Ascending bit order, as the index requires. */
	static const int bits[5] = {ST_PERF_FEAT_TRACING_DATA, ST_PERF_FEAT_EVENT_DESC,
				    ST_PERF_FEAT_STAPLET_PARTIAL, ST_PERF_FEAT_STAPLET_SYSCALLS,
				    ST_PERF_FEAT_STAPLET};
	struct st_wbuf sec[5] = {{0}}, idx = {0};
	struct st_perf_partial part = {0, (int64_t)getpid()};
	struct st_recording_info info = *ri;
	uint32_t blob_len = 0;
	char *blob;

	int rc = tracing_data(r, &sec[0]);
	uint64_t at, end;

	if (!info.script)
		info.script = "";          /* the blob requires one */
	blob = st_recording_encode(&info, &blob_len);
	if (rc == 0)
		rc = event_desc(r, &sec[1]);
	if (rc == 0 && partial)
		st_wbuf_put(&sec[2], &part, sizeof(part));
	if (rc == 0 && syscall_map(r, &sec[3]) == 0) {
		free(sec[3].p);       /* nothing folded: no section */
		sec[3] = (struct st_wbuf){0};
	}
	if (rc == 0 && (!blob || st_wbuf_put(&sec[4], blob, blob_len) < 0))
		rc = -ENOMEM;
	free(blob);
	at = r->off;
	for (int i = 0; i < 5; i++)
		at += sec[i].len ? 16 : 0;
	for (int i = 0; rc == 0 && i < 5; i++) {
		if (!sec[i].len)
			continue;
		fh->features[bits[i] / 64] |= 1ull << (bits[i] % 64);
		st_wbuf_u64(&idx, at);
		st_wbuf_u64(&idx, sec[i].len);
		at += sec[i].len;
	}
	end = (at + 7) & ~7ull;
	if (partial && rc == 0) {
		part.data_offset = end;
		memcpy(sec[2].p, &part, sizeof(part));
	}
	if (rc == 0)
		rc = st_write_at(r->out.fd, idx.p, idx.len, r->off);
	at = r->off + idx.len;
	for (int i = 0; rc == 0 && i < 5; i++) {
		rc = sec[i].len ? st_write_at(r->out.fd, sec[i].p, sec[i].len, at) : 0;
		at += sec[i].len;
	}
	for (int i = 0; i < 5; i++)
		free(sec[i].p);
	free(idx.p);
	r->off = partial ? end : at;   /* the data follows; or the file ends */
	return rc;
}

static int write_header(struct st_recorder *r, struct st_perf_file_header *fh)
{
	struct st_wbuf b = {0};
	uint64_t ids_at = sizeof(*fh) + (uint64_t)r->at.nevt * (sizeof(struct perf_event_attr) + 16);
	int rc;

	memcpy(fh->magic, "PERFILE2", 8);
	fh->size = sizeof(*fh);
	fh->attr_size = sizeof(struct perf_event_attr) + 16;
	fh->attrs.offset = sizeof(*fh);
	fh->attrs.size = (uint64_t)r->at.nevt * fh->attr_size;
	if (!fh->data.offset)
		fh->data.offset = r->data_off;
	st_wbuf_put(&b, fh, sizeof(*fh));
	for (uint32_t i = 0; i < r->at.nevt; i++) {
		struct perf_event_attr attr = r->at.evt[i].attr;

		attr.disabled = 0;
		st_wbuf_put(&b, &attr, sizeof(attr));
		st_wbuf_u64(&b, ids_at + (uint64_t)i * (uint64_t)r->at.ncpu * 8);
		st_wbuf_u64(&b, (uint64_t)r->at.ncpu * 8);
	}
	for (uint32_t i = 0; i < r->at.nevt; i++)
		st_wbuf_put(&b, r->at.evt[i].ids, (size_t)r->at.ncpu * 8);
	rc = b.p ? st_write_at(r->out.fd, b.p, b.len, 0) : -ENOMEM;
	free(b.p);
	return rc;
}

int st_perf_record_finish(struct st_recorder *r, const struct st_recording_info *ri,
			  struct st_record_stats *stats, char **err)
{
	struct st_perf_file_header fh;
	struct st_recording_info info = {0};
	int rc;

	if (ri)
		info = *ri;
	st_perf_attach_disable(&r->at);
	rc = r->data_off ? 0 : st_perf_record_begin(r, &info, err);
	if (rc == 0)
		rc = copy_rings(r, err);
	if (rc < 0) {
		st_perf_record_abort(r);
		return rc;
	}
	/* What only the recorder knows fills in what the caller left blank. */
	if (!info.lost)
		info.lost = r->lost;
	if (!info.start_ns)
		info.start_ns = r->at.start_ns;
	if (!info.end_ns)
		info.end_ns = st_perf_now_ns();
	if (!info.wall_offset_ns)
		info.wall_offset_ns = r->at.wall_offset_ns;
	memset(&fh, 0, sizeof(fh));
	fh.data.size = r->off - r->data_off;
	rc = write_features(r, &fh, &info, false);
	/* the final header last: until it is written, the file reads as
	 * cut short, never as something else */
	if (rc == 0)
		rc = write_header(r, &fh);
	if (rc == 0 && ftruncate(r->out.fd, (off_t)r->off) < 0)
		rc = -errno;
	if (rc < 0) {
		st_perf_fail(err, rc, "cannot write %s: %s", r->out.path, strerror(-rc));
		st_perf_record_abort(r);
		return rc;
	}
	if (stats) {
		stats->events = r->samples;
		stats->lost = r->lost;
		stats->bytes = r->off;
	}
	recorder_free(r);
	return 0;
}
