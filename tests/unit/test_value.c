/* test_value.c - stap's default limits and the handler string arena. */
#include <string.h>
#include "runtime/value.h"
#include "tests/unit/check.h"

int main(void)
{
	struct st_limits l;
	struct st_arena a;
	const char *s, *first;
	const void *prev;
	char *p;
	int i, ok = 1;

	st_limits_default(&l);
	CHECK("MAXSTRINGLEN 512", l.maxstringlen == 512);
	CHECK("MAXMAPENTRIES 2048", l.maxmapentries == 2048);
	CHECK("MAXACTION 1000", l.maxaction == 1000);
	CHECK("MAXNESTING 10", l.maxnesting == 10);
	CHECK("MAXERRORS 0", l.maxerrors == 0);
	CHECK("HIST_ELISION 2", l.hist_elision == 2);

	st_arena_init(&a, 64);
	s = st_arena_strndup(&a, "hello world", 11, 5);
	CHECK_STR("strndup truncates", s, "hello");
	s = st_arena_strndup(&a, "ab\0cd", 2, 512);
	CHECK_STR("strndup copies len bytes", s, "ab");
	first = st_arena_alloc(&a, 8);
	/* overflow into chunks: every allocation stays valid until reset */
	for (i = 0; i < 100; i++) {
		p = st_arena_alloc(&a, 100);
		memset(p, 'a' + i % 26, 100);
		if (i == 50)
			s = p;
	}
	for (i = 0; i < 100; i++)
		if (s[i] != 'a' + 50 % 26)
			ok = 0;
	CHECK("chunked allocations stay intact", ok);
	st_arena_reset(&a);
	CHECK("reset empties", a.used == 0 && a.more == NULL);
	CHECK("reset grows the buffer to the high-water mark", a.cap >= 64 + 100 * 100);
	p = st_arena_alloc(&a, 5000);
	CHECK("after growth, big allocation fits in the buffer", a.more == NULL && p == a.buf);
	(void)first;
	st_arena_free(&a);

	/* small allocations past the buffer share one chunk (the frontend's
	 * nodes come from an arena that is never reset) */
	st_arena_init(&a, 256);
	st_arena_alloc(&a, 256);
	first = st_arena_alloc(&a, 16);
	p = st_arena_alloc(&a, 16);
	CHECK("overflow allocations share a chunk", a.more && p == first + 16);
	p = st_arena_zalloc(&a, 40);
	ok = 1;
	for (i = 0; i < 40; i++)
		ok &= p[i] == 0;
	CHECK("zalloc zeroes", ok);
	prev = a.more;
	st_arena_alloc(&a, 1000);
	CHECK("an allocation larger than the room left gets a new chunk", a.more != prev && a.cap == 256);
	st_arena_reset(&a);
	CHECK("reset grows by what the chunks handed out", a.cap == 256 + 16 + 16 + 40 + 1000);
	st_arena_free(&a);
	return check_failures != 0;
}
