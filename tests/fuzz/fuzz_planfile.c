/* fuzz_planfile.c - libFuzzer target for the compiled-plan reader
 * (runtime/plan_file.c): the input is decoded as a plan file; a plan that
 * is accepted must encode again and decode to the same bytes.  Seeds are
 * plans of the golden scripts (tests/run.sh writes them with -p4 -m into
 * the target's corpus before the smoke run).
 *
 *   tests/fuzz/build.sh build-fuzz
 *   build-fuzz/fuzz_planfile CORPUS_DIR -max_total_time=600
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/plan_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_plan *plan = NULL, *again = NULL;
	struct st_plan_meta meta, meta2;
	struct st_wbuf b = { 0 }, b2 = { 0 };
	char *err = NULL;

	if (st_planfile_decode(data, size, &plan, &meta, &err) < 0) {
		if (!err)
			abort();   /* a refusal always says why */
		free(err);
		return 0;
	}
	if (st_planfile_encode(plan, &meta, &b) < 0)
		abort();
	if (st_planfile_decode(b.p, b.len, &again, &meta2, &err) < 0)
		abort();   /* what was accepted, written again, is accepted */
	if (st_planfile_encode(again, &meta2, &b2) < 0 || b.len != b2.len || memcmp(b.p, b2.p, b.len))
		abort();
	st_wbuf_free(&b);
	st_wbuf_free(&b2);
	st_plan_free(plan);
	st_plan_free(again);
	st_plan_meta_free(&meta);
	st_plan_meta_free(&meta2);
	return 0;
}
