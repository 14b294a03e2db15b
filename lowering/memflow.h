/* memflow.h - which user memory a tracepoint handler reads, so that the
 * capture program copies it at the event.
 *
 * A handler reads user memory with user_string*(), user_char() ...
 * user_long() and __get_argv() on addresses that come from the event: a
 * pointer argument ($filename, pointer_arg(2), a bound syscall variable
 * such as buf_uaddr), a local assigned from one, a script function's
 * parameter that received one, that plus or minus a constant.  The scan
 * follows those values through the handler and the functions it calls
 * (flow-insensitively: every assignment counts) and asks for one copy per
 * (field, offset, kind).  At run time the handler finds a copy by the
 * address it reads, so a copy that turns out unused costs bytes, never
 * correctness.
 */
#ifndef ST_LOWERING_MEMFLOW_H
#define ST_LOWERING_MEMFLOW_H

#include <stdint.h>
#include "frontend/ast.h"
#include "lowering/source.h"

struct st_arena;

struct st_memflow_ops {
	void *ctx;
	/* The record field e reads as it is ($ptr, pointer_arg(N), a
	 * variable the probe family binds to an argument), or NULL. */
	const char *(*field_of)(void *ctx, const struct st_expr *e);
	/* A copy at the event of user memory at that field's pointer + off
	 * (ST_UCAP_MEM: as many bytes as len_field says, when not NULL). */
	void (*want)(void *ctx, const char *field, enum st_ucap_kind kind, uint32_t size, int64_t off,
		     const char *len_field);
};

/* Scan a probe body (and its condition, may be NULL). */
void st_memflow_scan(const struct st_memflow_ops *ops, const struct st_stmt *body, const struct st_expr *cond);

/* Add one copy to a source's list: the same string or argv once, memory
 * copies from one pointer merged into the range covering them. */
void st_ucap_add(struct st_source *s, struct st_arena *arena, const char *field, enum st_ucap_kind kind,
		 uint32_t size, int64_t off, const char *len_field);

/* What a builtin reads from user memory at its first argument: true with
 * the kind and size (ST_UCAP_MEM) when it reads some. */
bool st_memflow_builtin(int builtin, enum st_ucap_kind *kind, uint32_t *size);

#endif
