/* merge.c - a binary min-heap of inputs by (time, input number). */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/merge.h"

int st_merge_init(struct st_merge *m, uint32_t ninputs)
{
	memset(m, 0, sizeof(*m));
	m->heap = calloc(ninputs ? ninputs : 1, sizeof(*m->heap));
	m->time = calloc(ninputs ? ninputs : 1, sizeof(*m->time));
	if (!m->heap || !m->time) {
		st_merge_free(m);
		return -ENOMEM;
	}
	m->ninputs = ninputs;
	return 0;
}

void st_merge_free(struct st_merge *m)
{
	free(m->heap);
	free(m->time);
	memset(m, 0, sizeof(*m));
}

static bool less(const struct st_merge *m, uint32_t a, uint32_t b)
{
	return m->time[a] < m->time[b] || (m->time[a] == m->time[b] && a < b);
}

static void swap(struct st_merge *m, uint32_t i, uint32_t j)
{
	uint32_t t = m->heap[i];

	m->heap[i] = m->heap[j];
	m->heap[j] = t;
}

static void sift_down(struct st_merge *m, uint32_t i)
{
	for (;;) {
		uint32_t a = 2 * i + 1, b = a + 1, s = i;

		if (a < m->n && less(m, m->heap[a], m->heap[s]))
			s = a;
		if (b < m->n && less(m, m->heap[b], m->heap[s]))
			s = b;
		if (s == i)
			return;
		swap(m, i, s);
		i = s;
	}
}

void st_merge_push(struct st_merge *m, uint32_t i, uint64_t time)
{
	uint32_t at = m->n++;

	/* more entries than inputs would overrun the heap */
	assert(i < m->ninputs && m->n <= m->ninputs);
	m->time[i] = time;
	m->heap[at] = i;
	while (at > 0 && less(m, m->heap[at], m->heap[(at - 1) / 2])) {
		swap(m, at, (at - 1) / 2);
		at = (at - 1) / 2;
	}
}

uint32_t st_merge_pop(struct st_merge *m)
{
	uint32_t top;

	assert(m->n > 0);
	top = m->heap[0];
	m->heap[0] = m->heap[--m->n];
	sift_down(m, 0);
	return top;
}

void st_merge_retime_top(struct st_merge *m, uint64_t time)
{
	assert(m->n > 0);
	m->time[m->heap[0]] = time;
	sift_down(m, 0);
}
