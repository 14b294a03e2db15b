/* test_usym - user address -> function through mmap records: our
 * callchain workload mapped at a made-up address in made-up pids, then
 * fork, exec, exit and an overlapping mapping; and kernel names refused
 * for a recording of another kernel. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lowering/uelf.h"
#include "runtime/ctx_builtins.h"
#include "runtime/usym.h"
#include "tests/unit/check.h"

#define BASE 0x555500000000ull

/* this kernel's _text from /proc/kallsyms; 0 when hidden */
static uint64_t kernel_text(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], name[256], type;
	unsigned long long a;
	uint64_t r = 0;

	while (f && !r && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &a, &type, name) == 3 && !strcmp(name, "_text"))
			r = a;
	if (f)
		fclose(f);
	return r;
}

/* Kernel addresses are named only when the recording's kernel is this one. */
static void kernel_names(void)
{
	uint64_t text = kernel_text(), off, size;

	if (!text) {
		printf("PASS kernel names: /proc/kallsyms hides addresses, skipped\n");
		return;
	}
	CHECK("kernel address named live", st_ksym_lookup(text + 0x10, &off, &size) != NULL);
	st_ksym_recorded_text(text + 0x200000);
	CHECK("another kernel's recording: not named", st_ksym_lookup(text + 0x10, &off, &size) == NULL);
	st_ksym_recorded_text(text);
	CHECK("this kernel's recording: named", st_ksym_lookup(text + 0x10, &off, &size) != NULL);
	st_ksym_recorded_text(0);
}

int main(int argc, char **argv)
{
	char rel[4096], path[4096], *dir = strdup(argv[0]), *err = NULL;
	struct st_uelf *u = NULL;
	const struct st_uelf_func *f;
	struct st_usym s;
	int64_t foff;
	uint64_t addr;

	(void)argc;
	/* mmap records name files by absolute path */
	snprintf(rel, sizeof(rel), "%s/workload/callchain", dirname(dir));
	free(dir);
	if (!realpath(rel, path)) {
		printf("FAIL no %s\n", rel);
		return 1;
	}
	if (st_uelf_open(path, &u, &err) < 0 || !(f = st_uelf_find_func(u, "chain_b"))) {
		printf("FAIL open %s: %s\n", path, err ? err : "no chain_b");
		return 1;
	}
	foff = st_uelf_file_offset(u, f->vaddr);
	addr = BASE + (uint64_t)foff + 3;

	st_usym_mmap(100, BASE, 1 << 20, 0, path);
	st_usym_lookup(100, addr, false, &s);
	CHECK_STR("chain_b by mapping", s.name, "chain_b");
	CHECK("offset into chain_b", s.offset == 3 && s.size == f->size);
	CHECK_STR("module is the mapped file", s.module, path);
	st_usym_lookup(100, BASE - 16, false, &s);
	CHECK("unmapped: no module, no name", !s.module && !s.name);
	st_usym_lookup(999, addr, false, &s);
	CHECK("unknown pid: nothing", !s.module);

	st_usym_fork(101, 100);
	st_usym_lookup(101, addr, false, &s);
	CHECK_STR("forked child inherits the mappings", s.name, "chain_b");
	st_usym_exec(101);
	st_usym_lookup(101, addr, false, &s);
	CHECK("exec forgets them", !s.module);
	st_usym_lookup(100, addr, false, &s);
	CHECK_STR("the parent keeps its own", s.name, "chain_b");

	st_usym_mmap(100, BASE, 1 << 12, 0x2000, "/nonexistent/lib.so");
	st_usym_lookup(100, BASE + 0x10, false, &s);
	CHECK("a new mapping replaces the one it overlaps",
	      s.module && !strcmp(s.module, "/nonexistent/lib.so") && !s.name && s.offset == 0x2010);
	st_usym_lookup(100, addr, false, &s);
	CHECK("the replaced mapping is gone", !s.module || (uint64_t)foff < 0x1000);

	st_usym_exit(100);
	st_usym_lookup(100, addr, false, &s);
	CHECK("exit forgets the process", !s.module);
	st_usym_reset();
	st_uelf_close(u);
	kernel_names();
	return check_failures != 0;
}
