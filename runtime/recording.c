/* recording.c - the info blob a recording carries.
 *
 * Layout (little-endian): "STAPLET1", then tagged fields
 * { u32 tag, u32 len, len bytes } until tag 0.  Unknown tags are skipped so
 * newer writers stay readable.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/base_err.h"
#include "runtime/recording.h"

#define MAGIC "STAPLET1"

enum {
	TAG_END = 0, TAG_SCRIPT, TAG_SCRIPT_NAME, TAG_ARG, TAG_WALL_OFFSET,
	TAG_TARGET, TAG_LOST, TAG_START, TAG_END_NS, TAG_HOST,
};

struct out { char *p; uint32_t len, cap; };

static void put(struct out *o, uint32_t tag, const void *data, uint32_t len)
{
	uint32_t need = o->len + 8 + len;

	if (need > o->cap) {
		o->cap = need * 2;
		o->p = realloc(o->p, o->cap);
		if (!o->p)
			abort();
	}
	memcpy(o->p + o->len, &tag, 4);
	memcpy(o->p + o->len + 4, &len, 4);
	if (len)
		memcpy(o->p + o->len + 8, data, len);
	o->len = need;
}

static void put_str(struct out *o, uint32_t tag, const char *s)
{
	if (s)
		put(o, tag, s, strlen(s));
}

static void put_i64(struct out *o, uint32_t tag, int64_t v)
{
	put(o, tag, &v, sizeof(v));
}

char *st_recording_encode(const struct st_recording_info *ri, uint32_t *len)
{
	struct out o = { 0 };
	int i;

	o.cap = 256;
	o.p = malloc(o.cap);
	if (!o.p)
		abort();
	memcpy(o.p, MAGIC, 8);
	o.len = 8;
	put_str(&o, TAG_SCRIPT, ri->script);
	put_str(&o, TAG_SCRIPT_NAME, ri->script_name);
	for (i = 0; i < ri->argc; i++)
		put_str(&o, TAG_ARG, ri->argv[i]);
	put_i64(&o, TAG_WALL_OFFSET, ri->wall_offset_ns);
	put_i64(&o, TAG_TARGET, ri->target_pid);
	put_i64(&o, TAG_LOST, (int64_t)ri->lost);
	put_i64(&o, TAG_START, (int64_t)ri->start_ns);
	put_i64(&o, TAG_END_NS, (int64_t)ri->end_ns);
	put_str(&o, TAG_HOST, ri->host);
	put(&o, TAG_END, NULL, 0);
	*len = o.len;
	return o.p;
}

static char *dup_bytes(const char *p, uint32_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

int st_recording_decode(const void *blob, uint32_t len, struct st_recording_info *ri)
{
	const char *p = blob;
	uint32_t off = 8;

	memset(ri, 0, sizeof(*ri));
	if (len < 8 || memcmp(p, MAGIC, 8))
		return -EINVAL;
	for (;;) {
		uint32_t tag, n;
		int64_t v = 0;

		if (len - off < 8)
			goto bad;
		memcpy(&tag, p + off, 4);
		memcpy(&n, p + off + 4, 4);
		off += 8;
		if (n > len - off)
			goto bad;
		if (tag == TAG_END)
			break;
		if (n == 8)
			memcpy(&v, p + off, 8);
		switch (tag) {
		case TAG_SCRIPT:
			free(ri->script);
			ri->script = dup_bytes(p + off, n);
			break;
		case TAG_SCRIPT_NAME:
			free(ri->script_name);
			ri->script_name = dup_bytes(p + off, n);
			break;
		case TAG_ARG:
			ri->argv = realloc(ri->argv, sizeof(char *) * (ri->argc + 2));
			if (!ri->argv)
				abort();
			ri->argv[ri->argc++] = dup_bytes(p + off, n);
			ri->argv[ri->argc] = NULL;
			break;
		case TAG_WALL_OFFSET: ri->wall_offset_ns = v; break;
		case TAG_TARGET: ri->target_pid = v; break;
		case TAG_LOST: ri->lost = (uint64_t)v; break;
		case TAG_START: ri->start_ns = (uint64_t)v; break;
		case TAG_END_NS: ri->end_ns = (uint64_t)v; break;
		case TAG_HOST:
			free(ri->host);
			ri->host = dup_bytes(p + off, n);
			break;
		default: break;
		}
		off += n;
	}
	if (!ri->script)
		goto bad;
	return 0;
bad:
	st_recording_info_free(ri);
	return -EINVAL;
}

void st_recording_info_free(struct st_recording_info *ri)
{
	int i;

	free(ri->script);
	free(ri->script_name);
	free(ri->host);
	for (i = 0; i < ri->argc; i++)
		free(ri->argv[i]);
	free(ri->argv);
	memset(ri, 0, sizeof(*ri));
}

int st_missing_open(struct st_missing *ms)
{
	memset(ms, 0, sizeof(*ms));
	ms->m = open_memstream(&ms->text, &ms->len);
	return ms->m ? 0 : -ENOMEM;
}

void st_missing_add(struct st_missing *ms, const char *name)
{
	fprintf(ms->m, "%s%s", ms->n++ ? ", " : "", name ? name : "?");
}

int st_missing_close(struct st_missing *ms, char **err)
{
	int rc = 0;

	fclose(ms->m);
	if (ms->n)
		rc = st_err(err, -ENOENT, "the recording has no events for: %s", ms->text);
	free(ms->text);
	memset(ms, 0, sizeof(*ms));
	return rc;
}
