/* control.h - how a run stops, and the -c/-x target process.
 *
 * A run stops on SIGINT, SIGTERM, SIGHUP, the -T timeout, the -c child's exit, or a
 * script's exit().  The handlers only set flags; signals interrupt poll() so
 * loops notice promptly (no SA_RESTART).
 */
#ifndef ST_RUNTIME_CONTROL_H
#define ST_RUNTIME_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum st_stop_reason {
	ST_STOP_NONE = 0,
	ST_STOP_SIGNAL,      /* SIGINT / SIGTERM / SIGHUP */
	ST_STOP_TIMEOUT,     /* -T */
	ST_STOP_TARGET,      /* -c child exited */
	ST_STOP_EXIT,        /* script called exit() */
	ST_STOP_ERROR,       /* run-time error limit reached */
};

void st_control_install(void);
void st_control_restore(void);
enum st_stop_reason st_control_stop_reason(void);
void st_control_request_stop(enum st_stop_reason why);
/* The script called exit() (or an error limit was reached), even after
 * another reason stopped the run: events still queued then are dropped. */
bool st_control_script_over(void);
/* -T SECS: request a stop after ms milliseconds. */
void st_control_set_timeout_ms(uint64_t ms);

/* When run by `perf stap` on a terminal, become the terminal's foreground
 * process group, so that Ctrl-C reaches only us: perf's waiting parent
 * would otherwise die at once and give the shell back while we still print
 * the end report.  st_control_release_terminal() hands it back. */
void st_control_take_terminal(void);
void st_control_release_terminal(void);
/* Run by `perf stap`: when perf dies, end the run as SIGTERM does (with
 * the end probes and cleanup) instead of running on under init; a perf
 * that died before we could ask counts too. */
void st_control_watch_parent(void);

/* The -c CMD child: started by the command line, released by the session
 * once the probes are armed, polled by the run loops (the session's, the
 * recorders'), reaped at the end.  Calls on NULL (no -c) do nothing. */
struct st_target {
	pid_t pid;            /* 0: none */
	bool waiting;         /* the child waits for st_target_release() */
	bool reaped;
	int status;
	int exec_pipe;        /* read end: the child's errno if its exec failed */
	int exec_errno;
};
#define ST_TARGET_INIT { .exec_pipe = -1 }

/* Fork a child that waits before exec'ing CMD (as words, or through
 * /bin/sh for shell syntax) until st_target_release(); returns its pid or
 * a negative errno. */
pid_t st_target_spawn(struct st_target *t, const char *cmd);
/* Before anything is attached: can CMD run?  0, or an errno with *why a
 * phrase to print instead of strerror() when set. */
int st_target_check(const char *cmd, const char **why);
/* The child could not exec the command (known once it is reaped). */
bool st_target_exec_failed(const struct st_target *t);
int st_target_release(struct st_target *t);
/* Reap the child if it exited; true once it has (then requests a stop). */
bool st_target_poll(struct st_target *t);
/* Kill (SIGTERM) and reap a child that is still running. */
void st_target_cleanup(struct st_target *t);

#endif
