/* elab.h - state shared by elaboration (elaborate.c) and type inference (types.c). */
#ifndef ST_FRONTEND_ELAB_H
#define ST_FRONTEND_ELAB_H

#include "frontend/parser.h"

struct elab {
	struct st_program *prog;
	const struct st_compile_opts *opts;
	struct st_fe_pool *pool;
	struct st_diag diag;
	/* tapset files a resolved global or function came from: their plain
	 * probes join the program, as stap pulls in a whole tapset file */
	const char **used_files;
	uint32_t nused_files;
};

void st_sem_error(struct elab *E, const struct st_loc *loc, const char *near, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Infer every type to a fixed point; report mismatches and unresolved types. */
void st_infer_types(struct elab *E);

#endif
