/* inkernel.h - choosing in-kernel sources (DESIGN.md "Lowering: choosing the
 * cheapest source that is exact", tiers 1 and 2) for live runs.
 *
 * st_inkernel_plan() looks at every tracepoint source's handlers after
 * lowering.  A source whose every probe only counts into globals that no
 * other running probe touches (only begin/end/error probes, or other
 * in-kernel probes, may read or write them) is marked:
 *
 *   tier 1 (ST_INK_COUNT): `n++`, `n += C`, `s <<< C` with no key and no
 *     guard: a perf counting event per CPU, no ring;
 *   tier 2 (ST_INK_BPFAGG): one probe `a[K...]++` / `+= C` / `<<< C` with
 *     keys among execname() pid() tid() cpu() and constants, optionally
 *     guarded by one comparison of pid()/tid()/cpu() with target() or a
 *     constant, or execname() with a string: a BPF program updating a
 *     per-CPU hash keyed by the non-constant keys.
 *
 * A live backend that serves such a source in the kernel delivers, when it
 * stops, "bulk" events (ST_EV_BULK): one per count, with `value` = how many
 * times the handler ran and pid/tid/cpu/comm set from the map key.  The
 * session runs the probe's bulk_code for them: the handler without its
 * guard, the increment multiplied by `value` (ST_OP_BULKMUL) or the stats
 * add repeated `value` times (ST_OP_SADD aux bit 2).  Recordings never use
 * this: their events stay per event, and replay runs the plain handler.
 *
 * Tier-2 sources on syscalls:sys_enter_* (or all on sys_exit_*) whose
 * probes do exactly the same share one st_inkernel (pointer equality): a
 * backend may serve the set with one program on raw_syscalls filtered by
 * syscall id and deliver all its counts on the first source of the set
 * (their handlers are the same, so any of them gives the same result).
 */
#ifndef ST_LOWERING_INKERNEL_H
#define ST_LOWERING_INKERNEL_H

#include <stdint.h>

struct st_plan;

enum st_ink_tier {
	ST_INK_NONE = 0,       /* tier 3: capture + replay */
	ST_INK_COUNT,          /* tier 1 */
	ST_INK_BPFAGG,         /* tier 2 */
};

enum st_ink_key {
	ST_INK_K_COMM,         /* execname(): 16 bytes */
	ST_INK_K_PID,          /* pid(): 4 bytes */
	ST_INK_K_TID,          /* tid(): 4 bytes */
	ST_INK_K_CPU,          /* cpu(): 4 bytes */
};

enum st_ink_guard {
	ST_INK_G_NONE,
	ST_INK_G_PID,          /* pid() cmp num (or target()) */
	ST_INK_G_TID,
	ST_INK_G_CPU,
	ST_INK_G_COMM,         /* execname() cmp str */
};

#define ST_INK_MAX_KEYS 4

struct st_inkernel {
	enum st_ink_tier tier;
	/* tier 2: the map key, in this order, constants left out */
	uint32_t nkeys;
	enum st_ink_key key[ST_INK_MAX_KEYS];
	uint32_t map_entries;        /* the array's size + 1 (overflow shows at read) */
	enum st_ink_guard guard;
	int guard_eq;                /* 1: ==, 0: != */
	int guard_target;            /* compare with target() (the backend knows it) */
	int64_t guard_num;
	const char *guard_str;       /* execname() comparisons: at most 15 bytes */
};

/* Mark the sources of a lowered plan and build their probes' bulk code. */
void st_inkernel_plan(struct st_plan *plan);
const char *st_inkernel_tier_name(enum st_ink_tier t);

#endif
