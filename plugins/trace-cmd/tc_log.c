/* tc_log.c - the log of ring-buffer pages a trace.dat holds while it is
 * being written (layout in tc_internal.h), and its unpacking into the
 * per-CPU regions of a finished file. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <tracefs/tracefs.h>
#include "runtime/bytes.h"
#include "plugins/trace-cmd/tc_internal.h"

/* A chunk is written pages first, then its tag, then the commit: whatever
 * moment the recorder dies at, the committed log is whole. */
int st_tracecmd_log_pages(int fd, struct tracefs_cpu *tcpu, uint32_t cpu, bool flush, uint64_t *end,
			  uint64_t commit_at, uint64_t *bytes)
{
	struct tc_log_tag tag = { cpu, 0, 0 };
	uint64_t at = *end + sizeof(tag);
	int n, e = 0, rc;

	if (lseek(fd, (off_t)at, SEEK_SET) < 0)
		return -errno;
	/* tracefs_cpu_write splices whole pages at the file position */
	for (;;) {
		errno = 0;
		n = flush ? tracefs_cpu_flush_write(tcpu, fd) : tracefs_cpu_write(tcpu, fd, true);
		if (n <= 0)
			break;
		tag.len += (uint64_t)n;
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR && errno != 0)
		e = -errno;
	if (!tag.len)
		return e;
	rc = st_write_at(fd, &tag, sizeof(tag), *end);
	*end = at + tag.len;
	*bytes += tag.len;
	if (rc == 0)
		rc = st_write_at(fd, end, sizeof(*end), commit_at);
	return rc < 0 ? rc : e;
}

static int copy_range(int in, uint64_t src, int out, uint64_t dst, uint64_t len)
{
	uint8_t chunk[1 << 14];
	loff_t s = (loff_t)src, d = (loff_t)dst;

	while (len) {
		ssize_t n = copy_file_range(in, &s, out, &d, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len -= (uint64_t)n;
	}
	while (len) {   /* copy_file_range refused (e.g. across filesystems) */
		ssize_t n = pread(in, chunk, len < sizeof(chunk) ? len : sizeof(chunk), s);
		int e;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		e = st_write_at(out, chunk, (size_t)n, (uint64_t)d);
		if (e < 0)
			return e;
		s += n;
		d += n;
		len -= (uint64_t)n;
	}
	return 0;
}

int st_tracecmd_log_unpack(int in, uint64_t start, uint64_t end, int out, const uint64_t *dst, uint32_t ncpu)
{
	uint64_t *done = calloc(ncpu ? ncpu : 1, sizeof(*done)), at = start;
	int rc = done ? 0 : -ENOMEM;

	while (rc == 0 && at < end) {
		struct tc_log_tag tag;

		if (end - at < sizeof(tag) || pread(in, &tag, sizeof(tag), (off_t)at) != (ssize_t)sizeof(tag) ||
		    tag.cpu >= ncpu ||
		    tag.len > end - at - sizeof(tag)) {
			rc = -EIO;
			break;
		}
		rc = copy_range(in, at + sizeof(tag), out, dst[tag.cpu] + done[tag.cpu], tag.len);
		done[tag.cpu] += tag.len;
		at += sizeof(tag) + tag.len;
	}
	free(done);
	return rc;
}
