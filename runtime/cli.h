/* cli.h - the command line both plugins share. */
#ifndef ST_RUNTIME_CLI_H
#define ST_RUNTIME_CLI_H

#include "runtime/backend.h"

/* Returns the process exit status. */
int st_cli_main(int argc, char **argv, const struct st_backend *be);

#endif
