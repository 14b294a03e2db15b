/* fuzz_frontend.c - libFuzzer target over lexer, preprocessor, parser and
 * elaboration (no resolver: every point is unresolved, which still walks
 * alias expansion and the error paths).
 *
 * Build:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE \
 *     tests/fuzz/fuzz_frontend.c frontend/*.c tapset/builtins.c -o build/fuzz_frontend
 * (format.c and stats.c from the runtime/frontend branches must be linked in too.)
 */
#include <stdlib.h>
#include <string.h>
#include "frontend/frontend.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *text = malloc(size + 1);
	static char *argv[] = { "1", "x" };
	struct st_compile_opts o = { .argc = 2, .argv = argv, .arch = "x86_64",
				     .kernel_release = "6.1.0", .diag = NULL };
	struct st_program *p;

	memcpy(text, data, size);
	text[size] = 0;
	p = st_parse("fuzz.stp", text, &o);
	if (p)
		st_elaborate(p, &o);
	st_program_free(p);
	free(text);
	return 0;
}
