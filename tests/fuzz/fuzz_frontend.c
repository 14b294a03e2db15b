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

/* Concrete points live until the input is done: the program points at them. */
static void **owned;
static size_t nowned;

static void *own(void *p)
{
	owned = realloc(owned, (nowned + 1) * sizeof *owned);
	owned[nowned++] = p;
	return p;
}

static struct st_probe_point *concrete(const struct st_probe_point *pp, const char *n1)
{
	struct st_probe_point *c = own(calloc(1, sizeof *c));

	*c = *pp;
	c->comp = own(calloc(pp->ncomp + 1, sizeof *c->comp));
	memcpy(c->comp, pp->comp, pp->ncomp * sizeof *c->comp);
	if (n1)
		c->comp[1].name = n1;
	return c;
}

static int expand(void *ctx, const struct st_probe_point *pp,
		  int (*add)(void *, struct st_probe_point *), void *arg, char **err)
{
	static const char *const calls[] = { "open", "close", "read", "write" };
	const char *n = pp->comp[0].name;
	int k = 0;
	size_t i;

	if ((!strcmp(n, "begin") || !strcmp(n, "end") || !strcmp(n, "error") || !strcmp(n, "never")) && pp->ncomp == 1)
		return add(arg, concrete(pp, NULL)), 1;
	if (!strcmp(n, "timer") && pp->ncomp == 2 && pp->comp[1].has_arg)
		return add(arg, concrete(pp, NULL)), 1;
	if (!strcmp(n, "syscall") && pp->ncomp >= 2 && pp->ncomp <= 3) {
		for (i = 0; i < sizeof calls / sizeof *calls; i++)
			if (!fnmatch(pp->comp[1].name, calls[i], 0)) {
				add(arg, concrete(pp, calls[i]));
				k++;
			}
		return k;
	}
	return 0;
}

static enum st_type var_type(void *ctx, const struct st_probe_point *pp, const char *name, bool dollar)
{
	if (strcmp(pp->comp[0].name, "syscall"))
		return ST_T_UNKNOWN;
	if (!dollar && !strcmp(name, "name"))
		return ST_T_STRING;
	if (!strcmp(name, dollar ? "$fd" : "fd"))
		return ST_T_LONG;
	if (dollar && (!strcmp(name, "$filename") || !strcmp(name, "$$name")))
		return ST_T_STRING;
	return ST_T_UNKNOWN;
}

static const struct st_point_resolver resolver = { NULL, expand, var_type };

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static FILE *sink;
	static char *argv[] = { "1", "x" };
	char *text = malloc(size + 1);
	struct st_compile_opts o = { .argc = 2, .argv = argv, .arch = "x86_64", .kernel_release = "6.1.0",
				     .runtime = "kernel", .resolver = &resolver };
	struct st_program *p;
	size_t i;

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
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	nowned = 0;
	free(text);
	return 0;
}
