/* cli_man.h - `--help` shows the installed man page (runtime/cli_man.c). */
#ifndef ST_RUNTIME_CLI_MAN_H
#define ST_RUNTIME_CLI_MAN_H

/* For tool "perf stap" or "trace-cmd stap": exec man(1) on its page
 * (perf-stap, trace-cmd-stap) when one is installed; returns when none is
 * (the caller then prints its summary). */
void st_cli_man(const char *tool);

#endif
