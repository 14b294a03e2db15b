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

/* Member chains from handle()'s parameters at its entry (x86-64: r in
 * %di) as fetch arguments, and the variables in scope at its loop line,
 * against ctx_target (struct req { int id; long size; const char *name;
 * char tag[8]; struct req *next; }). */
static void chains_and_scopes(const char *path)
{
	struct st_uelf *u = NULL;
	struct st_uelf_var *v = NULL, *sv = NULL;
	uint32_t n = 0, ns = 0;
	char ret[8], spec[200], msg[200], fn[64], file[512], line[256];
	bool ptr;
	int ln = 0, stmt = 0;
	uint64_t addr = 0;
	FILE *src;
	char *err = NULL;
#define CHAIN(want, str, ...) (st_uelf_var_chain(u, &v[0], (const struct st_uelf_step[]){ __VA_ARGS__ }, \
	sizeof((const struct st_uelf_step[]){ __VA_ARGS__ }) / sizeof(struct st_uelf_step), str, spec, sizeof(spec), \
	&ptr, msg, sizeof(msg)) == 0 && !strcmp(spec, want))

	CHECK("open ctx_target", st_uelf_open(path, &u, &err) == 0 && u);
	free(err);
	if (!u)
		return;
	CHECK("params of handle", st_uelf_params(u, "handle", &v, &n, ret) == 0 && n == 2 && !strcmp(v[0].loc, "%di"));
	if (n == 2) {
		CHECK("$r->id", CHAIN("+0(%di):s32", false, { "id", 0 }));
		CHECK("$r->size", CHAIN("+8(%di):s64", false, { "size", 0 }));
		CHECK("$r->next->size", CHAIN("+8(+32(%di)):s64", false, { "next", 0 }, { "size", 0 }));
		CHECK("user_string($r->name)", CHAIN("+0(+16(%di)):ustring", true, { "name", 0 }));
		CHECK("user_string($r->tag): a char array is its own string", CHAIN("+24(%di):ustring", true, { "tag", 0 }));
		CHECK("$r->tag[2]: an array element", CHAIN("+26(%di):s8", false, { "tag", 0 }, { NULL, 2 }));
		CHECK("$r[1]->id: an element behind the pointer",
		      CHAIN("+40(%di):s32", false, { NULL, 1 }, { "id", 0 }));
		CHECK("user_string($r->next->next->name)",
		      CHAIN("+0(+16(+32(+32(%di)))):ustring", true, { "next", 0 }, { "next", 0 }, { "name", 0 }));
		CHECK("$r->nope is an error", !CHAIN("", false, { "nope", 0 }) && strstr(msg, "nope"));
		CHECK("$r->tag is no scalar", !CHAIN("", false, { "tag", 0 }));
		CHECK("user_string($r->id) is no string", !CHAIN("", true, { "id", 0 }));
		CHECK("$r->id->x: not a struct", !CHAIN("", false, { "id", 0 }, { "x", 0 }));
	}
	st_uelf_vars_free(v, n);
	src = fopen("tests/workload/ctx_target.c", "r");
	while (src && fgets(line, sizeof(line), src) && !stmt) {
		ln++;
		if (strstr(line, "/* STMT */"))
			stmt = ln;
	}
	if (src)
		fclose(src);
	CHECK("the STMT line", stmt > 0 && st_uelf_line_addr(u, "handle", "ctx_target.c", stmt, &addr) == 0);
	CHECK("scope at the statement", st_uelf_stmt_scope(u, addr, fn, sizeof(fn), file, sizeof(file), &ln, &sv, &ns) == 0);
	CHECK_STR("its function", fn, "handle");
	CHECK("its line and full path", ln == stmt && file[0] == '/' && strstr(file, "tests/workload/ctx_target.c"));
	CHECK("innermost scope first: i, then r n total", ns == 4 && !strcmp(sv[0].name, "i") && !strcmp(sv[1].name, "r") &&
	      !strcmp(sv[2].name, "n") && !strcmp(sv[3].name, "total"));
	CHECK("parameters and locals told apart", ns == 4 && !sv[0].is_param && sv[1].is_param && sv[2].is_param &&
	      !sv[3].is_param);
	CHECK("volatile locals live in the frame", ns == 4 && strchr(sv[0].loc, '(') && strchr(sv[3].loc, '('));
	st_uelf_vars_free(sv, ns);
	st_uelf_close(u);
#undef CHAIN
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
	snprintf(path, sizeof(path), "%s/workload/ctx_target", dirname(dir));
	chains_and_scopes(path);
	snprintf(path + strlen(path) - strlen("ctx_target"), sizeof(path) - strlen(path) + strlen("ctx_target"),
		 "uprobe_target");
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
