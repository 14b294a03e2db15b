/* cli.h - the command line both plugins share. */
#ifndef ST_RUNTIME_CLI_H
#define ST_RUNTIME_CLI_H

#include "runtime/backend.h"

/* Returns the process exit status. */
int st_cli_main(int argc, char **argv, const struct st_backend *be);
/* The same; `report` also reads the recordings of `readers` (NULL-terminated:
 * every backend, so perf.data and trace.dat mix in one report). */
int st_cli_main_readers(int argc, char **argv, const struct st_backend *be,
			const struct st_backend *const *readers);

#endif
