/* fuzz_frontend.c - libFuzzer target over lexer, preprocessor, parser,
 * elaboration and type inference, with a small resolver (begin end error
 * never timer.*(N) syscall.*) so that alias expansion, context variables and
 * the typed paths run, and diagnostics printed to /dev/null so that the
 * message and caret code runs too.
 *
 * Build (tests/fuzz/build.sh does this for every fuzz_*.c):
 *   clang -g -O1 -std=gnu11 -D_GNU_SOURCE -I. $(pkg-config --cflags libtracefs libtraceevent) \
 *     -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *     tests/fuzz/fuzz_frontend.c build-fuzz/libstaplet-fuzz.a \
 *     $(pkg-config --libs libtracefs libtraceevent libtracecmd libbpf libelf libdw) -lpthread -lm \
 *     -o build-fuzz/fuzz_frontend
 *   where build-fuzz/libstaplet-fuzz.a holds frontend/ tapset/ lowering/ runtime/ *.c
 *   compiled with clang -fsanitize=fuzzer-no-link,address,undefined (see build.sh).
 * Run:
 *   build-fuzz/fuzz_frontend -max_total_time=600 CORPUS tests/golden tests/golden/parse
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/frontend.h"
#include "tests/unit/fake_resolver.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static FILE *sink;
	static char *argv[] = { "1", "x" };
	char *text = malloc(size + 1);
	struct st_compile_opts o = { .argc = 2, .argv = argv, .arch = "x86_64", .kernel_release = "6.1.0",
				     .runtime = "kernel", .resolver = &fake_resolver };
	struct st_program *p;

	if (!sink)
		sink = fopen("/dev/null", "w");
	o.diag = sink;
	memcpy(text, data, size);
	text[size] = 0;
	/* The first byte picks guru mode, so both privilege paths are fuzzed. */
	o.guru = size && (data[0] & 1);
	p = st_parse("fuzz.stp", text, &o);
	if (p && st_elaborate(p, &o) == 0)
		st_program_print_elaborated(sink, p);
	st_program_free(p);
	fake_resolver_release();
	free(text);
	return 0;
}
