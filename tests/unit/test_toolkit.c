/* test_toolkit.c - the runtime's toolkit both backends read and write
 * with: the byte reader and write buffer, the time-ordered merge, the task
 * table, the syscall table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/bytes.h"
#include "runtime/merge.h"
#include "runtime/syscalls.h"
#include "runtime/tasks.h"
#include "tests/unit/check.h"

static void test_reader(void)
{
	static const uint8_t file[] = { 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 'h', 'i', 0, 'x' };
	struct st_rd r = { file, sizeof(file), 0, false };
	const char *s;

	CHECK("rd u32", st_rd_u32(&r) == 1);
	CHECK("rd u64", st_rd_u64(&r) == 2);
	s = st_rd_str(&r);
	CHECK("rd str in place", s && !strcmp(s, "hi") && r.off == 15 && !r.bad);
	CHECK("rd unterminated str is bad", !st_rd_str(&r) && r.bad);
	CHECK("rd after bad reads zero", st_rd_u32(&r) == 0 && r.bad);
	r = (struct st_rd){ file, sizeof(file), 14, false };
	CHECK("rd take past the end is bad", !st_rd_take(&r, 3) && r.bad);
	r = (struct st_rd){ file, sizeof(file), 12, false };
	CHECK("rd expect", st_rd_expect(&r, "hi", 2) && !st_rd_expect(&r, "y", 1));
	r = (struct st_rd){ file, sizeof(file), 0, false };
	CHECK("rd 3-byte number", st_rd_uint(&r, 3) == 1 && r.off == 3);
}

static void test_wbuf(void)
{
	struct st_wbuf b = { 0 };
	char path[] = "/tmp/staplet-toolkit.XXXXXX", back[16] = "";
	int ok = 1, fd;

	for (int i = 0; i < 3000; i++)
		ok &= st_wbuf_u32(&b, (uint32_t)i) == 0;
	CHECK("wbuf grows", ok && b.len == 12000 && b.cap >= 12000);
	for (int i = 0; i < 3000 && ok; i++) {
		uint32_t v;

		memcpy(&v, b.p + 4 * i, 4);
		ok = v == (uint32_t)i;
	}
	CHECK("wbuf keeps what it was given", ok);
	st_wbuf_free(&b);
	st_wbuf_str(&b, "abc");
	st_wbuf_u16(&b, 0x4241);
	CHECK("wbuf str with its NUL, u16", b.len == 6 && !memcmp(b.p, "abc\0AB", 6));
	fd = mkstemp(path);
	CHECK("write_at", fd >= 0 && st_write_at(fd, b.p, b.len, 4) == 0 &&
	      pread(fd, back, 10, 0) == 10 && !memcmp(back + 4, "abc\0AB", 6));
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	b.oom = true;
	CHECK("wbuf after oom fails", st_wbuf_u32(&b, 1) == -ENOMEM && b.len == 6);
	st_wbuf_free(&b);
}

static void test_merge(void)
{
	struct st_merge m;
	/* input i's records, in its own order; the merge interleaves them */
	static const uint64_t rec[4][3] = { { 5, 9, 12 }, { 5, 6, 30 }, { 1, 9, 9 }, { 40, 41, 42 } };
	static const uint32_t want[12] = { 2, 0, 1, 1, 0, 2, 2, 0, 1, 3, 3, 3 };
	uint32_t pos[4] = { 0 }, n = 0;
	int ok = 1;

	CHECK("merge init", st_merge_init(&m, 4) == 0);
	for (uint32_t i = 0; i < 4; i++)
		st_merge_push(&m, i, rec[i][0]);
	while (st_merge_count(&m)) {
		uint32_t i = st_merge_top(&m);

		ok &= n < 12 && i == want[n++];
		if (++pos[i] < 3)
			st_merge_retime_top(&m, rec[i][pos[i]]);
		else
			st_merge_pop(&m);
	}
	CHECK("merge: time order, equal times in input order", ok && n == 12);
	st_merge_push(&m, 3, 7);
	st_merge_push(&m, 1, 7);
	CHECK("merge: ties by input after pushes", st_merge_pop(&m) == 1 && st_merge_pop(&m) == 3);
	st_merge_free(&m);
}

static void test_tasks(void)
{
	struct st_tasks t;
	struct st_task *e;
	uint32_t i = 0, n = 0;
	int ok = 1;

	CHECK("tasks init", st_tasks_init(&t) == 0);
	st_tasks_set(&t, 42, 40, "worker-with-a-long-name", 64);
	e = st_tasks_get(&t, 42);
	CHECK("tasks comm capped at 15", e && e->tgid == 40 && !strcmp(e->comm, "worker-with-a-l"));
	st_tasks_set(&t, 42, 41, NULL, 0);
	CHECK("tasks: NULL comm keeps the name", (e = st_tasks_get(&t, 42)) && e->tgid == 41 &&
	      !strcmp(e->comm, "worker-with-a-l"));
	CHECK("tasks: unknown is NULL", !st_tasks_get(&t, 43));
	st_tasks_set(&t, 0, 0, "swapper", 16);
	CHECK("tasks: tid 0 kept apart", (e = st_tasks_get(&t, 0)) && !strcmp(e->comm, "swapper"));
	CHECK("tasks: negative tids are ignored", st_tasks_set(&t, -1, 0, "x", 1) == 0 && !st_tasks_get(&t, -1));
	for (int tid = 1000; tid < 6000; tid++) {
		char name[16];

		snprintf(name, sizeof(name), "t%d", tid);
		ok &= st_tasks_set(&t, tid, tid, name, sizeof(name)) == 0;
	}
	for (int tid = 1000; tid < 6000 && ok; tid++) {
		char name[16];

		snprintf(name, sizeof(name), "t%d", tid);
		ok = (e = st_tasks_get(&t, tid)) && !strcmp(e->comm, name);
	}
	CHECK("tasks: 5000 entries through growth", ok && t.used == 5001);
	while ((e = st_tasks_next(&t, &i)))
		n++;
	CHECK("tasks: the walk sees every entry but tid 0", n == 5001);
	st_tasks_free(&t);
}

static void self_task(void *ctx, int tgid, int tid, const char *comm)
{
	if (tid == getpid() && tgid == getpid())
		*(const char **)ctx = strdup(comm);
}

static void test_proc(void)
{
	const char *me = NULL;

	CHECK("proc walk finds this process", st_proc_tasks(self_task, &me) == 0 && me &&
	      !strcmp(me, "test_toolkit"));
	free((void *)me);
}

static void test_syscalls(void)
{
	CHECK_STR("syscall 0 is read", st_syscall_name(0), "read");
	CHECK("getppid is 110", st_syscall_nr("getppid") == 110);
	CHECK("newer than the build headers: mseal is 462", st_syscall_nr("mseal") == 462);
	CHECK("unknown name", st_syscall_nr("no_such_call") == -1 && !st_syscall_name(100000) &&
	      !st_syscall_name(-1));
	CHECK("highest known", st_syscall_max() >= 469 && st_syscall_name(st_syscall_max()));
}

int main(void)
{
	test_reader();
	test_wbuf();
	test_merge();
	test_tasks();
	test_proc();
	test_syscalls();
	return check_failures != 0;
}
