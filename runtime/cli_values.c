/* cli_values.c - option values: strict numbers, stap's messages. */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "runtime/cli_values.h"

#define MAX_BUFFER_KB (4095u * 1024u)   /* stap's -s bound, 4095 MB */

/* A whole decimal number in [lo, hi]; no sign unless lo < 0. */
static bool whole_number(const char *s, long long lo, long long hi, long long *v)
{
	char *end;

	if (!*s || (lo >= 0 && !(*s >= '0' && *s <= '9')))
		return false;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return !errno && !*end && *v >= lo && *v <= hi;
}

int st_cli_timeout_ms(const char *arg, uint64_t *ms)
{
	char *end;
	double secs;

	errno = 0;
	secs = strtod(arg, &end);
	/* stap keeps milliseconds in an int: more is no timeout it can keep */
	if (end == arg || *end || errno || !isfinite(secs) || secs * 1000 < 1 || secs * 1000 > INT_MAX) {
		fputs("Invalid timeout interval.\n", stderr);
		return 1;
	}
	*ms = (uint64_t)(secs * 1000);
	return 0;
}

int st_cli_pid(const char *arg, pid_t *pid)
{
	long long v;

	if (!whole_number(arg, 1, INT_MAX, &v)) {
		fputs("Invalid target process ID number.\n", stderr);
		return 1;
	}
	*pid = (pid_t)v;
	return 0;
}

/* stap's safety patterns: a value stap would put in a command line or a
 * path must match, case-insensitively as stap compiles them; a mismatch is
 * stap's one line. */
#define DEFINE_PATTERN "^[a-z_][a-z_0-9]*(=-?[a-z_0-9]+)?$"
#define MODULE_PATTERN "^[a-z0-9_]+$"
#define TMPDIR_PATTERN "^[-/._0-9a-z]+$"

static int safety_pattern(const char *what, const char *value, const char *pattern)
{
	regex_t re;
	int rc;

	rc = regcomp(&re, pattern, REG_ICASE | REG_NOSUB | REG_EXTENDED);
	assert(rc == 0);
	rc = regexec(&re, value, 0, NULL, 0);
	regfree(&re);
	if (rc == 0)
		return 0;
	fprintf(stderr, "ERROR: Safety pattern mismatch for %s ('%s' vs. '%s') rc=%d\n", what, value, pattern, rc);
	return 1;
}

int st_cli_module_name(const char *name)
{
	if (!*name) {
		fputs("Module name cannot be empty.\n", stderr);
		return 1;
	}
	return safety_pattern("-m parameter", name, MODULE_PATTERN);
}

int st_cli_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	struct stat st;
	int err = 0;

	if (!t || !*t)
		return 0;
	if (safety_pattern("TMPDIR", t, TMPDIR_PATTERN))
		return 1;
	if (stat(t, &st) < 0)
		err = errno;
	else if (!S_ISDIR(st.st_mode))
		err = ENOTDIR;
	if (err)
		fprintf(stderr, "ERROR: cannot use temporary directory TMPDIR=%s: %s\n", t, strerror(err));
	return err != 0;
}

struct limit_def {
	const char *name;
	long long lo, hi;
	size_t off;          /* in struct st_limits */
	bool is_signed;
};

#define LIM(n, lo, hi, f, sg) { n, lo, hi, offsetof(struct st_limits, f), sg }
static const struct limit_def limit_defs[] = {
	LIM("MAXSTRINGLEN", 1, 1 << 20, maxstringlen, false),
	LIM("MAXMAPENTRIES", 1, 1 << 26, maxmapentries, false),
	LIM("MAXACTION", 1, 1 << 28, maxaction, false),
	LIM("MAXACTION_INTERRUPTIBLE", 1, INT_MAX, maxaction_int, false),
	LIM("INTERRUPTIBLE", 0, 1, interruptible, false),
	LIM("MAXNESTING", 0, 1000, maxnesting, false),
	LIM("MAXERRORS", 0, INT_MAX, maxerrors, false),
	LIM("HIST_ELISION", INT_MIN, INT_MAX, hist_elision, true),
};
#undef LIM

/* stap runtime settings with no meaning here: taken, as stap takes them */
static const char *const ignored_defs[] = {
	"MAXSKIPPED", "MAXTRYLOCK", "MAXTRYACTION", "MAXBACKTRACE", "MAXUPROBES",
	"KRETACTIVE", "MINSTACKSPACE", "TASK_FINDER_VMA_ENTRY_ITEMS", "MAXTRACE",
	"MAXSTACKLEN",
};

static bool ignored_define(const char *name, size_t n)
{
	size_t i;

	if (n > 4 && !strncmp(name, "STP_", 4))
		return true;
	for (i = 0; i < sizeof(ignored_defs) / sizeof(ignored_defs[0]); i++)
		if (strlen(ignored_defs[i]) == n && !strncmp(ignored_defs[i], name, n))
			return true;
	return false;
}

int st_cli_define(const char *def, struct st_limits *l)
{
	const char *eq = strchr(def, '=');
	size_t n = eq ? (size_t)(eq - def) : strlen(def);
	long long v;
	size_t i;

	if (safety_pattern("-D parameter", def, DEFINE_PATTERN))
		return 1;
	for (i = 0; i < sizeof(limit_defs) / sizeof(limit_defs[0]); i++) {
		const struct limit_def *d = &limit_defs[i];

		if (strlen(d->name) != n || strncmp(d->name, def, n))
			continue;
		if (!eq || !whole_number(eq + 1, d->lo, d->hi, &v)) {
			fprintf(stderr, "ERROR: -D %s: %s takes a number from %lld to %lld\n", def, d->name, d->lo,
				d->hi);
			return 1;
		}
		if (d->is_signed)
			*(int32_t *)((char *)l + d->off) = (int32_t)v;
		else
			*(uint32_t *)((char *)l + d->off) = (uint32_t)v;
		return 0;
	}
	if (ignored_define(def, n))
		return 0;
	fprintf(stderr, "ERROR: -D %.*s: not a setting staplet knows (MAXSTRINGLEN, MAXMAPENTRIES, MAXACTION, "
		"MAXACTION_INTERRUPTIBLE, INTERRUPTIBLE, MAXNESTING, MAXERRORS, HIST_ELISION)\n", (int)n, def);
	return 1;
}

int st_cli_buffer_kb(const char *arg, uint32_t *kb)
{
	long long v;

	if (!whole_number(arg, 1, MAX_BUFFER_KB, &v)) {
		fprintf(stderr, "ERROR: Invalid buffer size '%s' (should be 1-%u kilobytes).\n", arg, MAX_BUFFER_KB);
		return 1;
	}
	*kb = (uint32_t)v;
	return 0;
}

int st_cli_pass(const char *arg, int *pass)
{
	long long v;

	if (!whole_number(arg, 1, 5, &v)) {
		fputs("Invalid pass number (should be 1-5).\n", stderr);
		return 1;
	}
	*pass = (int)v;
	return 0;
}
