/* cli_values.h - option values checked as stap checks them: each parser
 * returns 0, or prints one line (stap's own words where stap has them)
 * and returns 1. */
#ifndef ST_RUNTIME_CLI_VALUES_H
#define ST_RUNTIME_CLI_VALUES_H

#include <stdint.h>
#include <sys/types.h>
#include "runtime/value.h"

/* -T SECS: decimal seconds, fractions allowed, at least 1 ms. */
int st_cli_timeout_ms(const char *arg, uint64_t *ms);
/* -x PID: a positive decimal number.  As in stap, the process need not
 * exist: only a probe that needs its executable would check it. */
int st_cli_pid(const char *arg, pid_t *pid);
/* -D NAME[=VALUE]: stap's pattern; limits staplet applies need a number in
 * range; stap runtime settings staplet has no use for are accepted. */
int st_cli_define(const char *def, struct st_limits *l);
/* --buffer-size=KB: per-CPU ring buffer size in kilobytes. */
int st_cli_buffer_kb(const char *arg, uint32_t *kb);
/* -m NAME: stap's module name pattern. */
int st_cli_module_name(const char *name);
/* $TMPDIR, when set: stap's path pattern, and a directory. */
int st_cli_tmpdir(void);
/* -p NUM: 1 to 5. */
int st_cli_pass(const char *arg, int *pass);

#endif
