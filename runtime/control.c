/* control.c - stop requests from signals, -T, the target's exit and exit(). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wordexp.h>
#include "runtime/control.h"

static volatile sig_atomic_t stop_reason;
static volatile sig_atomic_t child_exited;

static void on_stop_signal(int sig)
{
	if (!stop_reason)
		stop_reason = sig == SIGALRM ? ST_STOP_TIMEOUT : ST_STOP_SIGNAL;
}

static void on_child(int sig)
{
	(void)sig;
	child_exited = 1;
}

void st_control_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;      /* no SA_RESTART: interrupt poll() */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);        /* a closed terminal ends the run as stap's does */
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void st_control_restore(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
}

enum st_stop_reason st_control_stop_reason(void)
{
	return (enum st_stop_reason)stop_reason;
}

static volatile sig_atomic_t script_over;

void st_control_request_stop(enum st_stop_reason why)
{
	if (why == ST_STOP_EXIT || why == ST_STOP_ERROR)
		script_over = 1;
	if (!stop_reason)
		stop_reason = why;
}

bool st_control_script_over(void)
{
	return script_over;
}

void st_control_set_timeout_ms(uint64_t ms)
{
	struct itimerval it = { .it_value = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);   /* SIGALRM, like alarm() */
}

/* Like stap, expand the command line as words (quotes, variables, globs;
 * no command substitution) and run it directly, so target() is the command
 * itself; a line with shell syntax the words cannot carry (| ; & < > ...)
 * goes to /bin/sh.  Returns only on failure, with errno set. */
static void exec_command(const char *cmd)
{
	wordexp_t w;

	if (wordexp(cmd, &w, WRDE_NOCMD) == 0) {
		if (w.we_wordc)
			execvp(w.we_wordv[0], w.we_wordv);
		else
			errno = ENOENT;
		return;
	}
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
}

/* An executable regular file named NAME, looked up in PATH like execvp. */
static int check_program(const char *name)
{
	const char *path = getenv("PATH"), *p;
	struct stat st;
	char buf[4096];
	int e = ENOENT;

	if (strchr(name, '/')) {
		if (stat(name, &st) < 0)
			return errno;
		if (!S_ISREG(st.st_mode) || access(name, X_OK) < 0)
			return EACCES;
		return 0;
	}
	for (p = path ? path : "/usr/local/bin:/usr/bin:/bin"; ; p++) {
		const char *end = strchrnul(p, ':');
		int n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(end - p), p, end == p ? "" : "/", name);

		if (n > 0 && (size_t)n < sizeof(buf) && stat(buf, &st) == 0) {
			if (S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
				return 0;
			e = EACCES;
		}
		if (!*end)
			break;
		p = end;
	}
	return e;
}

/* A shell line with a syntax error fails now, not after the probes are
 * armed: `sh -n` parses without running. */
static int check_shell(const char *cmd)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-n", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : EINVAL;
}

int st_target_check(const char *cmd, const char **why)
{
	wordexp_t w;
	int e;

	*why = NULL;
	switch (wordexp(cmd, &w, WRDE_NOCMD)) {
	case 0:
		if (!w.we_wordc) {
			*why = "empty command";
			e = EINVAL;
		} else {
			e = check_program(w.we_wordv[0]);
		}
		wordfree(&w);
		return e;
	case WRDE_NOSPACE:
		return ENOMEM;
	default:
		e = check_shell(cmd);
		if (e == EINVAL)
			*why = "shell syntax error";
		return e;
	}
}

static pid_t saved_fg = -1;

static bool is_perf(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	return strcmp(comm, "perf\n") == 0;
}

void st_control_take_terminal(void)
{
	void (*old)(int);
	pid_t fg;

	if (!isatty(STDIN_FILENO) || !is_perf(getppid()))
		return;
	fg = tcgetpgrp(STDIN_FILENO);
	if (fg < 0 || fg != getpgrp())
		return;              /* we are not in the foreground: leave it be */
	if (setpgid(0, 0) < 0)
		return;
	old = signal(SIGTTOU, SIG_IGN);   /* tcsetpgrp from a background group */
	if (tcsetpgrp(STDIN_FILENO, getpgrp()) == 0)
		saved_fg = fg;
	signal(SIGTTOU, old);
}

void st_control_watch_parent(void)
{
	pid_t ppid = getppid();
	const char *delay = getenv("STAPLET_TEST_PARENT_RACE_MS");

	if (!is_perf(ppid)) {
		/* perf died before we looked: its environment, and we were
		 * handed to init already */
		if (getenv("PERF_BUILDID_DIR") && ppid == 1)
			st_control_request_stop(ST_STOP_SIGNAL);
		return;
	}
	/* tests widen the window in which the parent may die unnoticed */
	if (delay)
		usleep((useconds_t)atoi(delay) * 1000);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* a parent that died before the prctl sends nothing: we were
	 * reparented already */
	if (getppid() != ppid)
		st_control_request_stop(ST_STOP_SIGNAL);
}

void st_control_release_terminal(void)
{
	void (*old)(int);

	if (saved_fg < 0)
		return;
	old = signal(SIGTTOU, SIG_IGN);
	tcsetpgrp(STDIN_FILENO, saved_fg);
	signal(SIGTTOU, old);
	saved_fg = -1;
}

/* The child waits for SIGUSR1 (sent once the probes are armed) rather than
 * reading a pipe: a read would show up in the script's own read probes as
 * the target's first syscall, as stap's target shows none. */
pid_t st_target_spawn(struct st_target *t, const char *cmd)
{
	sigset_t go, old;
	pid_t pid;
	int e;

	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	sigemptyset(&go);
	sigaddset(&go, SIGUSR1);
	sigprocmask(SIG_BLOCK, &go, &old);   /* before the fork: an early release is kept */
	pid = fork();
	if (pid < 0) {
		int e = errno;

		sigprocmask(SIG_SETMASK, &old, NULL);
		close(fds[0]);
		close(fds[1]);
		return -e;
	}
	if (pid == 0) {
		/* A tracer that dies before arming takes the child with it.  No
		 * getppid() check for a death before this line: the child's
		 * syscalls before exec are seen by the script's own probes. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		st_control_restore();
		while (sigwaitinfo(&go, NULL) < 0 && errno == EINTR)
			;
		prctl(PR_SET_PDEATHSIG, 0);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(fds[0]);
		exec_command(cmd);
		/* the pipe closes on a successful exec; on failure it carries errno */
		e = errno;
		fprintf(stderr, "ERROR: cannot run '%s': %s\n", cmd, strerror(e));
		if (write(fds[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fds[1]);
	t->exec_pipe = fds[0];
	t->exec_errno = 0;
	t->waiting = true;
	t->pid = pid;
	t->reaped = false;
	return pid;
}

int st_target_release(struct st_target *t)
{
	if (!t || !t->waiting)
		return 0;
	t->waiting = false;
	return kill(t->pid, SIGUSR1) == 0 ? 0 : -errno;
}

/* Once the child is gone, its end of the pipe is closed: read() does not block. */
static void read_exec_errno(struct st_target *t)
{
	ssize_t n;
	int e = 0;

	if (t->exec_pipe < 0)
		return;
	n = read(t->exec_pipe, &e, sizeof(e));
	close(t->exec_pipe);
	t->exec_pipe = -1;
	if (n == (ssize_t)sizeof(e))
		t->exec_errno = e;
}

bool st_target_exec_failed(const struct st_target *t)
{
	return t && t->exec_errno != 0;
}

bool st_target_poll(struct st_target *t)
{
	int status;
	pid_t r;

	if (!t || !t->pid)
		return false;
	if (t->reaped)
		return true;
	if (!child_exited)
		return false;
	r = waitpid(t->pid, &status, WNOHANG);
	if (r == t->pid) {
		t->reaped = true;
		t->status = status;
		read_exec_errno(t);
		st_control_request_stop(ST_STOP_TARGET);
		return true;
	}
	child_exited = 0;
	return false;
}

void st_target_cleanup(struct st_target *t)
{
	if (!t)
		return;
	t->waiting = false;        /* the SIGTERM below ends a waiting child too */
	if (t->pid && !t->reaped) {
		kill(t->pid, SIGTERM);
		waitpid(t->pid, &t->status, 0);
		t->reaped = true;
	}
	if (t->pid)
		read_exec_errno(t);
}
