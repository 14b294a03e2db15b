/* perf_util.c - small pieces every part of the perf plugin uses: errors,
 * file reading, the comm table and record parsing. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <tracefs.h>
#include "runtime/clock.h"
#include "plugins/perf/perf_int.h"
#include "runtime/ctx_builtins.h"
#include "runtime/usym.h"

/* What a refused perf_event_open lacks: the sysctl's value and the
 * capabilities that would lift it.  "" for other errors. */
const char *st_perf_access_hint(int e, char *buf, size_t n)
{
	char *p;
	size_t len;
	int level = 0;

	if (e != EACCES && e != EPERM)
		return "";
	p = st_perf_read_file("/proc/sys/kernel/perf_event_paranoid", &len);
	if (p)
		level = atoi(p);
	free(p);
	snprintf(buf, n,
		 " (kernel.perf_event_paranoid is %d: system-wide events need CAP_PERFMON or CAP_SYS_ADMIN, "
		 "tracepoints also read access to tracefs; run as root)", level);
	return buf;
}

char *st_perf_read_file(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		ssize_t r;

		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			buf = NULL;
			errno = e;
			break;
		}
		if (r == 0) {
			buf[n] = 0;
			if (len)
				*len = n;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	return buf;
}

const char *st_perf_tracing_dir(void)
{
	static const char *dir;

	/* Checking the usual spot first spares libtracefs' /proc/mounts scan,
	 * which shows up in the time to armed. */
	if (!dir && access("/sys/kernel/tracing/events/header_page", R_OK) == 0)
		dir = "/sys/kernel/tracing";
	if (!dir)
		dir = tracefs_tracing_dir();
	return dir;
}

uint64_t st_perf_now_ns(void)
{
	return st_clock_mono_ns();
}

/* ---- comm table: the shared task table (runtime/tasks.h) ---- */

int st_perf_comm_init(struct st_perf_comm *c)
{
	memset(c, 0, sizeof(*c));
	return st_tasks_init(&c->tasks);
}

void st_perf_comm_free(struct st_perf_comm *c)
{
	st_tasks_free(&c->tasks);
}

void st_perf_comm_set(struct st_perf_comm *c, int32_t tid, const char *name, size_t max)
{
	/* a full table that cannot grow keeps its older names */
	(void)st_tasks_set(&c->tasks, tid, 0, name, max);
}

const char *st_perf_comm_find(struct st_perf_comm *c, int32_t tid)
{
	const struct st_task *e = st_tasks_get(&c->tasks, tid);

	return e ? e->comm : NULL;
}

const char *st_perf_comm_get(struct st_perf_comm *c, int32_t tid)
{
	const char *s = st_perf_comm_find(c, tid);

	if (s)
		return s;
	snprintf(c->miss, sizeof(c->miss), ":%d", tid);
	return c->miss;
}

void st_perf_comm_fork(struct st_perf_comm *c, int32_t tid, int32_t ptid)
{
	const char *p = st_perf_comm_find(c, ptid);
	char name[16];

	if (!p)
		return;
	memcpy(name, p, sizeof(name));
	st_perf_comm_set(c, tid, name, sizeof(name));
}

/* ---- record parsing ---- */

static size_t read_format_size(uint64_t rf)
{
	size_t per = 8 + (rf & PERF_FORMAT_ID ? 8 : 0) + (rf & PERF_FORMAT_LOST ? 8 : 0);
	size_t hdr = (rf & PERF_FORMAT_TOTAL_TIME_ENABLED ? 8 : 0) +
		     (rf & PERF_FORMAT_TOTAL_TIME_RUNNING ? 8 : 0);

	/* Group reads carry a count first; we size only the single form and
	 * let the caller reject groups. */
	return hdr + per;
}

#define TAKE(n) do { if (size - off < (n)) return -EINVAL; } while (0)
#define U64() (memcpy(&v, body + off, 8), off += 8, v)

int st_perf_parse_sample(uint64_t st, uint64_t rf, const uint8_t *body, size_t size,
			 struct st_perf_sample *s)
{
	size_t off = 0;
	uint64_t v;

	memset(s, 0, sizeof(*s));
	s->pid = s->tid = -1;
	if (st & PERF_SAMPLE_IDENTIFIER) { TAKE(8); s->id = U64(); }
	if (st & PERF_SAMPLE_IP) { TAKE(8); s->ip = U64(); }
	if (st & PERF_SAMPLE_TID) {
		TAKE(8);
		memcpy(&s->pid, body + off, 4);
		memcpy(&s->tid, body + off + 4, 4);
		off += 8;
	}
	if (st & PERF_SAMPLE_TIME) { TAKE(8); s->time = U64(); }
	if (st & PERF_SAMPLE_ADDR) { TAKE(8); off += 8; }
	if (st & PERF_SAMPLE_ID) { TAKE(8); s->id = U64(); }
	if (st & PERF_SAMPLE_STREAM_ID) { TAKE(8); off += 8; }
	if (st & PERF_SAMPLE_CPU) { TAKE(8); memcpy(&s->cpu, body + off, 4); off += 8; }
	if (st & PERF_SAMPLE_PERIOD) { TAKE(8); s->period = U64(); }
	if (st & PERF_SAMPLE_READ) {
		if (rf & PERF_FORMAT_GROUP)
			return -EINVAL;
		TAKE(read_format_size(rf));
		off += read_format_size(rf);
	}
	if (st & PERF_SAMPLE_CALLCHAIN) {
		TAKE(8);
		v = U64();
		if (v > (size - off) / 8)
			return -EINVAL;
		s->callchain = body + off;
		s->ncallchain = (uint32_t)v;
		off += v * 8;
	}
	if (st & PERF_SAMPLE_RAW) {
		uint32_t n;

		TAKE(4);
		memcpy(&n, body + off, 4);
		off += 4;
		if (n > size - off)
			return -EINVAL;
		s->raw = body + off;
		s->raw_size = n;
	}
	return 0;
}

size_t st_perf_trailer_size(uint64_t st)
{
	return 8 * (!!(st & PERF_SAMPLE_TID) + !!(st & PERF_SAMPLE_TIME) + !!(st & PERF_SAMPLE_ID) +
		    !!(st & PERF_SAMPLE_STREAM_ID) + !!(st & PERF_SAMPLE_CPU) +
		    !!(st & PERF_SAMPLE_IDENTIFIER));
}

int st_perf_parse_trailer(uint64_t st, const uint8_t *body, size_t size, struct st_perf_sample *s)
{
	size_t n = st_perf_trailer_size(st), off;
	uint64_t v;

	memset(s, 0, sizeof(*s));
	s->pid = s->tid = -1;
	if (n > size)
		return -EINVAL;
	off = size - n;
	if (st & PERF_SAMPLE_TID) {
		memcpy(&s->pid, body + off, 4);
		memcpy(&s->tid, body + off + 4, 4);
		off += 8;
	}
	if (st & PERF_SAMPLE_TIME) s->time = U64();
	if (st & PERF_SAMPLE_ID) s->id = U64();
	if (st & PERF_SAMPLE_STREAM_ID) off += 8;
	if (st & PERF_SAMPLE_CPU) { memcpy(&s->cpu, body + off, 4); off += 8; }
	if (st & PERF_SAMPLE_IDENTIFIER) s->id = U64();
	return 0;
}

bool st_perf_capture_decode(const void *raw, uint32_t raw_size, struct st_perf_captured *out)
{
	const uint8_t *p = raw, *data;
	struct st_perf_bpf_hdr h;
	size_t rb, ents;

	if (!raw || raw_size < sizeof(h))
		return false;
	memcpy(&h, p, sizeof(h));
	rb = ((size_t)h.rec_size + 7) & ~(size_t)7;
	ents = sizeof(h) + rb;
	if (h.nent > ST_PERF_BPF_MAX_ENTS || h.rec_size > ST_PERF_BPF_MAX_REC ||
	    ents + h.nent * sizeof(struct st_perf_bpf_ent) + h.data_len > raw_size)
		return false;
	out->rec = p + sizeof(h);
	out->rec_size = h.rec_size;
	out->ncap = 0;
	data = p + ents + h.nent * sizeof(struct st_perf_bpf_ent);
	for (uint32_t k = 0; k < h.nent; k++) {
		/* raw data is only 4-byte aligned in the ring: copy, do not cast */
		struct st_perf_bpf_ent e;
		struct st_capture *c;

		memcpy(&e, p + ents + k * sizeof(e), sizeof(e));
		if (e.kind != ST_PERF_ENT_STRING && e.kind != ST_PERF_ENT_MEM)
			continue;
		if (e.err)
			e.len = e.kind == ST_PERF_ENT_STRING ? 0 : e.len;
		if ((uint64_t)e.off + e.len > h.data_len)
			return false;
		c = &out->cap[out->ncap++];
		c->addr = e.addr;
		c->str = (const char *)data + e.off;
		c->len = e.len;
		c->err = e.err;
		c->mem = e.kind == ST_PERF_ENT_MEM;
	}
	return true;
}

/* ---- callchains and the user mappings that name them ---- */

unsigned st_perf_stack_parts(const struct perf_event_attr *a)
{
	if (!(a->sample_type & PERF_SAMPLE_CALLCHAIN))
		return 0;
	return (a->exclude_callchain_kernel ? 0 : ST_STACK_KERNEL) | (a->exclude_callchain_user ? 0 : ST_STACK_USER);
}

void st_perf_event_stack(struct st_event *ev, const struct st_perf_sample *s, unsigned parts)
{
	const uint8_t *cc = s->callchain;
	uint64_t v, ctx = 0;

	ev->kstack = ev->ustack = NULL;
	ev->nkstack = ev->nustack = 0;
	ev->flags |= (parts & ST_STACK_KERNEL ? ST_EV_KSTACK : 0) | (parts & ST_STACK_USER ? ST_EV_USTACK : 0);
	/* Entries follow a context marker (kernel, then user); the kernel's
	 * own ordering keeps each context's entries together. */
	for (uint32_t i = 0; i < s->ncallchain; i++) {
		memcpy(&v, cc + 8 * i, 8);
		if (v >= (uint64_t)PERF_CONTEXT_MAX) {
			ctx = v;
			continue;
		}
		if (ctx == (uint64_t)PERF_CONTEXT_KERNEL) {
			if (!ev->nkstack++)
				ev->kstack = cc + 8 * i;
		} else if (ctx == (uint64_t)PERF_CONTEXT_USER) {
			if (!ev->nustack++)
				ev->ustack = cc + 8 * i;
		}
	}
}

void st_perf_track_maps(const struct perf_event_header *h)
{
	const uint8_t *b = (const uint8_t *)(h + 1);
	size_t size = h->size - sizeof(*h);
	uint64_t addr, len, pgoff;
	int32_t v[4];
	size_t name_off;

	switch (h->type) {
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2:
		name_off = h->type == PERF_RECORD_MMAP ? 32 : 64;
		if (size <= name_off)
			return;
		if ((h->misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL) {
			/* perf record's (and ours): "[kernel.kallsyms]_text" at _text */
			if (size >= name_off + 23 && !memcmp(b + name_off, "[kernel.kallsyms]_text", 23)) {
				memcpy(&addr, b + 8, 8);
				st_ksym_recorded_text(addr);
			}
			return;
		}
		memcpy(v, b, 8);
		memcpy(&addr, b + 8, 8);
		memcpy(&len, b + 16, 8);
		memcpy(&pgoff, b + 24, 8);
		if (v[0] <= 0 || !memchr(b + name_off, 0, size - name_off))
			return;
		st_usym_mmap(v[0], addr, len, pgoff, (const char *)b + name_off);
		break;
	case PERF_RECORD_COMM:
		if (size >= 8 && (h->misc & PERF_RECORD_MISC_COMM_EXEC)) {
			memcpy(v, b, 8);
			st_usym_exec(v[0]);
		}
		break;
	case PERF_RECORD_FORK:
		if (size >= 16) {
			memcpy(v, b, 16);
			if (v[0] == v[2] && v[0] != v[1])   /* a new process, not a thread */
				st_usym_fork(v[0], v[1]);
		}
		break;
	case PERF_RECORD_EXIT:
		if (size >= 16) {
			memcpy(v, b, 16);
			if (v[0] == v[2])
				st_usym_exit(v[0]);
		}
		break;
	default:
		break;
	}
}
