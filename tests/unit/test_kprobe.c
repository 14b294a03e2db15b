/* test_kprobe - kprobe_events definitions and their BTF-typed fetch args,
 * kernel function points by kallsyms pattern (a fixture file), and the
 * error on a kernel without kprobes.  No root needed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "frontend/frontend.h"
#include "lowering/catalog.h"
#include "lowering/families.h"
#include "lowering/family_kernel.h"
#include "tests/unit/check.h"

static bool with_kprobes;
static bool fake_has(struct st_catalog *c, enum st_capability cap)
{
	(void)c;
	return cap == ST_CAP_KPROBES && with_kprobes;
}
static const struct st_catalog_ops fake_ops = { NULL, NULL, fake_has, NULL };
static struct st_catalog fake = { &fake_ops };

static char names[8][64];
static int nnames;
static int collect(void *arg, struct st_probe_point *p)
{
	int fi = !strcmp(p->comp[0].name, "kernel") ? 1 : 2;

	(void)arg;
	if (nnames < 8)
		snprintf(names[nnames++], 64, "%s", p->comp[fi].arg_str);
	return 0;
}

static void points(const char *dir)
{
	struct st_pp_component comp[3] = {
		{ .name = "kernel" }, { .name = "function", .has_arg = true, .arg_is_string = true, .arg_str = "vfs_*" },
		{ .name = "return" },
	};
	struct st_probe_point pp = { .comp = comp, .ncomp = 3 };
	struct st_family_point fp;
	struct st_arena arena;
	char path[4096], *err = NULL;
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "%s/kallsyms", dir);
	f = fopen(path, "w");
	fputs("ffffffff81000000 T vfs_read\nffffffff81000100 t __pfx_vfs_write\nffffffff81000110 T vfs_write\n"
	      "ffffffff81000200 D vfs_data\nffffffff81000300 T do_sys_open\n", f);
	fclose(f);
	st_kallsyms_path = path;
	st_arena_init(&arena, 4096);

	CHECK("kernel.function is the kernel family", st_kernel_is_family(&pp));
	r = st_kernel_expand(&fake, &arena, &pp, collect, NULL, &err);
	CHECK("no kprobes: -EOPNOTSUPP", r == -EOPNOTSUPP);
	CHECK_STR("no kprobes: the error names the probe and what is missing", err,
		  "probe point kernel.function(\"vfs_*\").return cannot attach: this kernel lacks kprobes "
		  "(no kprobe_events) and BPF fentry");
	free(err);
	err = NULL;

	with_kprobes = true;
	r = st_kernel_expand(&fake, &arena, &pp, collect, NULL, &err);
	CHECK("glob: text symbols, no __pfx_ stubs, no data", r == 2 && nnames == 2 &&
	      !strcmp(names[0], "vfs_read") && !strcmp(names[1], "vfs_write"));
	comp[1].arg_str = "vfs_read@fs/read_write.c:100";
	CHECK("classify", st_kernel_classify(&pp, &fp) == 0 && fp.kind == ST_SRC_KPROBE && fp.is_return &&
	      !strcmp(fp.symbol, "vfs_read") && !strcmp(fp.event, "vfs_read__return"));
	comp[0].name = "kprobe";
	comp[1].arg_str = "vfs_*";
	r = st_kernel_expand(&fake, &arena, &pp, collect, NULL, &err);
	CHECK("kprobe.function: no wildcards", r == -EINVAL && err && strstr(err, "wildcards"));
	free(err);
	st_arena_free(&arena);
	remove(path);
}

int main(int argc, char **argv)
{
	char buf[512];
	struct btf *btf;

	(void)argc;
	CHECK("definition entry", st_kprobe_definition(buf, sizeof(buf), "staplet_42", "vfs_read", "vfs_read", 0,
						       false, "file=%di:u64 count=%dx:u64") == 0 &&
	      !strcmp(buf, "p:staplet_42/vfs_read vfs_read file=%di:u64 count=%dx:u64"));
	CHECK("definition return", st_kprobe_definition(buf, sizeof(buf), "staplet_42", "vfs_read__return", "vfs_read",
							0, true, "return=$retval:s64") == 0 &&
	      !strcmp(buf, "r:staplet_42/vfs_read__return vfs_read return=$retval:s64"));
	CHECK("definition offset", st_kprobe_definition(buf, sizeof(buf), "g", "e", "f", 16, false, NULL) == 0 &&
	      !strcmp(buf, "p:g/e f+16"));
	CHECK("definition too long", st_kprobe_definition(buf, 8, "g", "e", "function", 0, false, NULL) == -ENOSPC);

	btf = btf__parse("/sys/kernel/btf/vmlinux", NULL);
	if (!btf) {
		printf("SKIP BTF fetch args: no /sys/kernel/btf/vmlinux\n");
	} else {
		CHECK("BTF args of vfs_read", st_kprobe_fetchargs(btf, "vfs_read", false, buf, sizeof(buf)) == 0);
		CHECK_STR("BTF args of vfs_read: registers and types", buf,
			  "file=%di:u64 buf=%si:u64 count=%dx:u64 pos=%cx:u64");
		CHECK("BTF return of vfs_read", st_kprobe_fetchargs(btf, "vfs_read", true, buf, sizeof(buf)) == 0);
		CHECK_STR("BTF return type: ssize_t is s64", buf, "return=$retval:s64");
		CHECK("BTF int arg", st_kprobe_fetchargs(btf, "do_exit", false, buf, sizeof(buf)) == 0 &&
		      !strcmp(buf, "code=%di:s64"));
		CHECK("BTF unknown function", st_kprobe_fetchargs(btf, "no_such_function_x", false, buf,
								  sizeof(buf)) == -ENOENT);
		btf__free(btf);
	}
	points(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	(void)argv;
	return check_failures != 0;
}
