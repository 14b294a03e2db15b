/* test_uelf - ELF symbols, file offsets, DWARF parameters, USDT notes, PLT
 * slots and SDT operand parsing, against our own workload binary
 * (build/tests/workload/uprobe_target, built -O1 -g with <sys/sdt.h>). */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lowering/uelf.h"
#include "tests/unit/check.h"

static void sdt_operands(void)
{
	char loc[48], type[8];

	CHECK("sdt reg", st_uelf_sdt_arg("-4@%edi", loc, sizeof(loc), type) == 0 && !strcmp(loc, "%di") &&
	      !strcmp(type, "s32"));
	CHECK("sdt reg64", st_uelf_sdt_arg("8@%r13", loc, sizeof(loc), type) == 0 && !strcmp(loc, "%r13") &&
	      !strcmp(type, "u64"));
	CHECK("sdt mem", st_uelf_sdt_arg("-8@-16(%rbp)", loc, sizeof(loc), type) == 0 &&
	      !strcmp(loc, "-16(%bp)") && !strcmp(type, "s64"));
	CHECK("sdt imm", st_uelf_sdt_arg("4@$5", loc, sizeof(loc), type) == 0 && !strcmp(loc, "\\5"));
	CHECK("sdt bad size", st_uelf_sdt_arg("3x%eax", loc, sizeof(loc), type) < 0);
	CHECK("sdt bad reg", st_uelf_sdt_arg("4@%xyz", loc, sizeof(loc), type) < 0);
	CHECK("sdt indexed unsupported", st_uelf_sdt_arg("8@8(%rax,%rdx,4)", loc, sizeof(loc), type) < 0);
}

int main(int argc, char **argv)
{
	char path[4096], *dir = strdup(argv[0]), *err = NULL;
	struct st_uelf *u = NULL;
	const struct st_uelf_func *add;
	struct st_uelf_var *v = NULL;
	uint32_t n = 0, ticks = 0, done = 0;
	char ret[8], decl[256];
	uint64_t addr;
	bool strlen_plt = false;

	(void)argc;
	snprintf(path, sizeof(path), "%s/workload/uprobe_target", dirname(dir));
	free(dir);
	sdt_operands();
	CHECK("open workload", st_uelf_open(path, &u, &err) == 0 && u);
	if (!u) {
		free(err);
		return 1;
	}
	CHECK("open non-ELF fails", st_uelf_open("/proc/self/status", &(struct st_uelf *){ NULL }, &err) < 0 && err);
	free(err);
	add = st_uelf_find_func(u, "add");
	CHECK("symbol add", add != NULL);
	CHECK("add file offset inside the file", add && st_uelf_file_offset(u, add->vaddr) > 0);
	CHECK("add is not exported (no .dynsym entry in an executable)", add && !add->global);
	CHECK("static square_u found, not exported", st_uelf_find_func(u, "square_u") &&
	      !st_uelf_find_func(u, "square_u")->global);
	CHECK("unknown symbol", st_uelf_find_func(u, "no_such_function") == NULL);
	CHECK("entry point", st_uelf_entry(u) != 0 && st_uelf_file_offset(u, st_uelf_entry(u)) > 0);

	CHECK("params of add", st_uelf_params(u, "add", &v, &n, ret) == 0 && n == 2);
	if (n == 2) {
		CHECK_STR("param 1 name", v[0].name, "a");
		CHECK_STR("param 1 reg", v[0].loc, "%di");
		CHECK_STR("param 1 type", v[0].type, "s64");
		CHECK_STR("param 2 reg", v[1].loc, "%si");
	}
	CHECK_STR("add returns long", ret, "s64");
	st_uelf_vars_free(v, n);
	CHECK("params of greet", st_uelf_params(u, "greet", &v, &n, ret) == 0 && n == 2);
	if (n == 2) {
		CHECK("greet who is a pointer", v[0].is_pointer && !strcmp(v[0].type, "u64"));
		CHECK_STR("greet times is int", v[1].type, "s32");
	}
	CHECK_STR("greet returns int", ret, "s32");
	st_uelf_vars_free(v, n);
	CHECK("params of never_called", st_uelf_params(u, "never_called", &v, &n, ret) == 0 && n == 0 && !ret[0]);
	st_uelf_vars_free(v, n);
	CHECK("square_u unsigned", st_uelf_params(u, "square_u", &v, &n, ret) == 0 && n == 1 &&
	      !strcmp(v[0].type, "u32") && !strcmp(ret, "u32"));
	st_uelf_vars_free(v, n);

	CHECK("decl of add", st_uelf_decl(u, "add", decl, sizeof(decl)) && strstr(decl, "uprobe_target.c:"));
	CHECK("line of main", st_uelf_line_addr(u, "main", "uprobe_target.c", 44, &addr) == 0 && addr);
	CHECK("no code at line 1", st_uelf_line_addr(u, "*", "uprobe_target.c", 1, &addr) < 0);

	for (uint32_t i = 0; i < u->nnotes; i++) {
		if (!strcmp(u->notes[i].provider, "staplet_test") && !strcmp(u->notes[i].name, "tick")) {
			ticks++;
			CHECK("tick has 2 args", strchr(u->notes[i].args, ' ') != NULL);
		}
		done += !strcmp(u->notes[i].name, "done");
	}
	CHECK("one tick note", ticks == 1);
	CHECK("one done note", done == 1);
	for (uint32_t i = 0; i < u->nplt; i++)
		strlen_plt |= !strcmp(u->plt[i].name, "strlen") && st_uelf_file_offset(u, u->plt[i].vaddr) > 0;
	CHECK("strlen@plt", strlen_plt);
	/* depth_sum(long n): the recursion the @entry test pairs per call */
	CHECK("depth_sum symbol", st_uelf_find_func(u, "depth_sum") != NULL);
	CHECK("depth_sum params", st_uelf_params(u, "depth_sum", &v, &n, ret) == 0 && n == 1 &&
	      !strcmp(v[0].name, "n") && !strcmp(v[0].loc, "%di") && !strcmp(v[0].type, "s64") &&
	      !strcmp(ret, "s64"));
	st_uelf_vars_free(v, n);
	v = NULL;
	CHECK("square_u returns u32", st_uelf_params(u, "square_u", &v, &n, ret) == 0 && n == 1 &&
	      !strcmp(v[0].type, "u32") && !strcmp(ret, "u32"));
	st_uelf_vars_free(v, n);
	st_uelf_close(u);

	CHECK("PATH lookup", (dir = st_uelf_resolve_path("sh")) != NULL && dir[0] == '/');
	free(dir);
	CHECK("PATH lookup miss", st_uelf_resolve_path("no-such-program-here") == NULL);
	return check_failures != 0;
}
