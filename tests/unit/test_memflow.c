/* test_memflow.c - which user memory lowering asks the backend to copy at
 * the event (lowering/memflow.h): pointers followed from the event through
 * locals, function parameters and constant offsets, with a fake catalog
 * (no root, no tracefs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/frontend.h"
#include "lowering/families.h"
#include "lowering/memflow.h"
#include "lowering/plan.h"
#include "tests/unit/check.h"
#include "tests/unit/fake_lower.h"

/* The plan's copies at syscalls:sys_enter_read as text ("buf buf+8:8"),
 * or "error: ..." */
static char *copies(const char *text)
{
	struct st_program *prog;
	struct st_plan *plan = NULL;
	char *err = NULL, *out = NULL;
	size_t len = 0;
	FILE *f;

	if (fake_lower(text, &prog, &plan, &err) == 0) {
		f = open_memstream(&out, &len);
		for (uint32_t i = 0; i < plan->nsources; i++) {
			const struct st_source *s = &plan->sources[i];

			if (!s->event || strcmp(s->event, "sys_enter_read"))
				continue;
			for (uint32_t k = 0; k < s->ncaptures; k++) {
				const struct st_ucap *c = &s->captures[k];

				fprintf(f, "%s%s", k ? " " : "", c->field);
				if (c->off)
					fprintf(f, "%+lld", (long long)c->off);
				if (c->kind == ST_UCAP_MEM)
					fprintf(f, ":%u", c->size);
				if (c->kind == ST_UCAP_ARGV)
					fputs(":argv", f);
			}
		}
		fclose(f);
	} else if (asprintf(&out, "error: %s", err ? err : "?") < 0) {
		out = NULL;
	}
	free(err);
	if (plan)
		st_plan_free(plan);
	st_program_free(prog);
	return out;
}

static void expect(const char *name, const char *text, const char *want)
{
	char *got = copies(text);

	CHECK_STR(name, got, want);
	free(got);
}

int main(void)
{
	expect("user_string($buf): the string", "probe syscall.read { println(user_string($buf)) }", "buf");
	expect("pointer_arg(2) into a local: followed",
	       "probe syscall.read { p = pointer_arg(2); q = p; println(user_string_n(q, 4)) }", "buf");
	expect("a function's parameter: followed into its body",
	       "function show(x) { return user_string_quoted(x) } probe syscall.read { println(show($buf)) }", "buf");
	expect("two calls deep, with an offset",
	       "function inner(y) { return user_long(y) } function outer(x) { return inner(x + 8) }\n"
	       "probe syscall.read { println(outer($buf)) }", "buf+8:8");
	expect("bytes at offsets from one pointer: one range",
	       "probe syscall.read { println(user_char($buf), user_int($buf + 4), user_short($buf - 2)) }",
	       "buf-2:10");
	expect("a bound syscall variable (buf_uaddr)", "probe syscall.read { println(user_string(buf_uaddr)) }",
	       "buf");
	expect("assigned later in a loop still reaches the read",
	       "probe syscall.read { for (i = 0; i < 2; i++) { if (i) println(user_string(p)); p = $buf } }", "buf");
	expect("a value not from the event: nothing copied",
	       "probe syscall.read { p = 4096; println(user_string(p)) }", "");
	expect("a number from the event, not a pointer: nothing copied",
	       "probe syscall.read { println(user_string($count * 2)) }", "");
	expect("__get_argv of a pointer: an argv copy",
	       "probe syscall.read { println(__get_argv($buf, 0)) }", "buf:argv");
	expect("recursion: followed once, no loop",
	       "function r(x, n) { if (n) return r(x, n - 1); return user_string(x) } probe syscall.read { println(r($buf, 3)) }",
	       "buf");
	return check_failures != 0;
}
