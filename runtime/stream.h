/* stream.h - a time-ordered stream of events from one event source provider.
 *
 * Implemented by the plugins: live perf ring buffers, a live tracefs
 * instance, a perf.data reader, a trace.dat reader.  The session pulls events
 * with next() and runs the handlers; it never learns where they came from.
 */
#ifndef ST_RUNTIME_STREAM_H
#define ST_RUNTIME_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include "runtime/event.h"

struct tep_event;
struct st_stream;

#define ST_STREAM_EOF 2

struct st_stream_ops {
	/* 1 with *ev filled (valid until the next call); 0 when nothing arrived
	 * within timeout_ms or a signal interrupted the wait (live only);
	 * ST_STREAM_EOF when a recording ends or a stopped live stream is
	 * drained; a negative errno on failure.  Events come in time order. */
	int (*next)(struct st_stream *s, struct st_event *ev, int timeout_ms);
	/* Live: stop producing new events; what is buffered is still returned
	 * by next() until ST_STREAM_EOF.  NULL for a recording. */
	void (*stop)(struct st_stream *s);
	/* Events the kernel dropped so far; NULL when the stream keeps the
	 * count in st_stream.lost as it goes. */
	uint64_t (*lost)(struct st_stream *s);
	/* Detach everything from the kernel and free the stream. */
	void (*close)(struct st_stream *s);
	/* A stream merged from several recordings (ninputs > 1): the record
	 * layout of a source in input `input` (events say which in ev->input;
	 * recordings from different kernels lay fields out differently).
	 * NULL for every other stream. */
	struct tep_event *(*input_format)(struct st_stream *s, uint32_t input, uint32_t source);
};

/* What differs between the recordings a merged stream reads. */
struct st_stream_input {
	const char *host;         /* hostname() of its events, NULL if unknown */
	int64_t target_pid;       /* target() of its events */
};

struct st_stream {
	const struct st_stream_ops *ops;
	bool live;
	int64_t wall_offset_ns;   /* CLOCK_REALTIME - CLOCK_MONOTONIC at start */
	/* The record layout (libtraceevent) of each of the plan's nfmt
	 * sources, NULL for one that carries no raw record; the plugin's. */
	struct tep_event **fmt;
	uint32_t nfmt;
	uint64_t lost;            /* when ops->lost is NULL */
	uint32_t ninputs;         /* > 1: merged from that many recordings (input_format) */
	const struct st_stream_input *inputs;   /* ninputs of them, or NULL */
};

static inline struct tep_event *st_stream_format(const struct st_stream *s, uint32_t source)
{
	return s && source < s->nfmt ? s->fmt[source] : NULL;
}

static inline uint64_t st_stream_lost(struct st_stream *s)
{
	return s->ops->lost ? s->ops->lost(s) : s->lost;
}

#endif
