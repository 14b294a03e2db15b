/* tc_pages.c - walk the events of one ring-buffer sub-buffer.
 *
 * Layout (events/header_page, header_event): u64 timestamp, a kernel long
 * `commit` (data bytes, plus flag bits), then events.  Each event starts with
 * a u32 { type_len:5, time_delta:27 }.  type_len 1..28: payload of type_len*4
 * bytes follows; 0: a u32 length (+4) follows, then the payload; 29: padding;
 * 30: time extend; 31: absolute time stamp.  Everything is bounds-checked:
 * this runs on untrusted files.  Little-endian hosts and files only.
 */
#include <errno.h>
#include <string.h>
#include "plugins/trace-cmd/tc_internal.h"

#define TYPE_PADDING     29
#define TYPE_TIME_EXTEND 30
#define TYPE_TIME_STAMP  31
#define TS_SHIFT         27
#define COMMIT_MASK      ((1ULL << 27) - 1)
#define MISSED_EVENTS    (1ULL << 31)
#define MISSED_STORED    (1ULL << 30)
#define TS_MSB           (0xf8ULL << 56)

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

int st_tracecmd_page_load(struct tc_cursor *c, const void *page, uint32_t len, int long_size)
{
	const uint8_t *p = page;
	uint64_t commit;
	uint64_t size;

	memset(c, 0, sizeof(*c));
	if (long_size != 4 && long_size != 8)
		return -EINVAL;
	c->hdr = 8 + (uint32_t)long_size;
	if (len < c->hdr)
		return -EINVAL;
	c->page = p;
	c->ts = rd64(p);
	commit = long_size == 8 ? rd64(p + 8) : rd32(p + 8);
	size = commit & COMMIT_MASK;
	if (size > len - c->hdr)
		return -EINVAL;
	c->end = c->hdr + (uint32_t)size;
	c->off = c->hdr;
	if (commit & MISSED_EVENTS) {
		/* the count, when stored, sits just after the data */
		if ((commit & MISSED_STORED) && (uint64_t)c->end + (uint32_t)long_size <= len)
			c->missed = long_size == 8 ? rd64(p + c->end) : rd32(p + c->end);
		else
			c->missed = 1;
	}
	return 0;
}

int st_tracecmd_page_next(struct tc_cursor *c)
{
	c->have = false;
	while (c->off + 4 <= c->end) {
		uint32_t w = rd32(c->page + c->off);
		uint32_t type = w & 31, delta = w >> 5;
		uint32_t body = c->off + 4, len;

		switch (type) {
		case TYPE_PADDING:
			if (body + 4 > c->end)
				return 0;         /* padding to the end of the page */
			len = rd32(c->page + body);
			if (len > c->end - body)
				return 0;
			c->ts += delta;
			c->off = body + len;
			continue;
		case TYPE_TIME_EXTEND:
		case TYPE_TIME_STAMP:
			if (body + 4 > c->end)
				return -EINVAL;
			{
				uint64_t t = ((uint64_t)rd32(c->page + body) << TS_SHIFT) + delta;

				if (type == TYPE_TIME_STAMP)
					c->ts = t | (c->ts & TS_MSB);
				else
					c->ts += t;
			}
			c->off = body + 4;
			continue;
		case 0:
			if (body + 4 > c->end)
				return -EINVAL;
			len = rd32(c->page + body);
			if (len < 4)
				return -EINVAL;
			len = ((len - 4) + 3) & ~3u;
			body += 4;
			break;
		default:
			len = type * 4;
			break;
		}
		if (len > c->end - body)
			return -EINVAL;
		c->ts += delta;
		c->ev_ts = c->ts;
		c->ev_data = c->page + body;
		c->ev_size = len;
		c->off = body + len;
		c->have = true;
		return 1;
	}
	return 0;
}
