/* cli.c - the command line shared by `perf stap` and `trace-cmd stap`:
 *
 *   NAME [OPTIONS] (FILE | -e SCRIPT) [ARGS...]          run live
 *   NAME record [-o OUT] [OPTIONS] (FILE | -e SCRIPT) [ARGS...]
 *   NAME report [-i IN] [OPTIONS] [FILE | -e SCRIPT] [ARGS...]
 *
 * Compiles the script (passes 1-3), then hands the plan to the backend.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "runtime/clock.h"
#include "frontend/base_types.h"
#include "frontend/frontend.h"
#include "lowering/btf.h"
#include "lowering/families.h"
#include "lowering/kprobe_ctx.h"
#include "lowering/plan.h"
#include "runtime/backend.h"
#include "runtime/catalog.h"
#include "runtime/cli.h"
#include "runtime/cli_values.h"
#include "runtime/dump.h"
#include "runtime/leftovers.h"
#include "runtime/control.h"
#include "runtime/output.h"
#include "runtime/passlog.h"
#include "runtime/session.h"

enum mode { MODE_LIVE, MODE_RECORD, MODE_REPORT };

struct cli {
	const struct st_backend *be;
	enum mode mode;
	const char *script_text;      /* -e */
	const char *script_file;
	char *script_owned;
	char list;                    /* 'l' or 'L': list the points matching list_pattern */
	enum st_dump_what dump;       /* --dump-*: print that listing and stop */
	const char *list_pattern;
	char *list_script;
	int argc;                     /* script arguments */
	char **argv;
	const char *cmd;              /* -c */
	pid_t target;                 /* -x or the -c child */
	uint64_t timeout_ms;          /* -T */
	const char *output;           /* -o */
	const char *size_opt;         /* -S SIZE[,N] as given */
	uint64_t size_max;            /* -S SIZE, in bytes */
	uint32_t fnum_max;            /* -S ...,N */
	const char *input;            /* -i */
	const char *compatible;       /* --compatible=VER */
	int last_pass;                /* -p */
	int verbose;
	bool guru, no_warnings, unoptimized, suppress_errors, timing;
	bool werror;                  /* -W */
	bool no_global_display;       /* --no-global-var-display */
	bool example;                 /* --example: FILE names one of stap's examples */
	const char *runtime;          /* --runtime=, --bpf: what %( runtime == ... %) sees */
	const char *release;          /* -r RELEASE (or a build tree's release) */
	const char *extra_script;     /* -E SCRIPT */
	char *script_joined;          /* the script with -E's after it */
	bool background;              /* -F */
	uint32_t buffer_kb;
	const char *tapset_dirs[16];
	uint32_t ntapset_dirs;
	struct st_define defines[32];
	uint32_t ndefines;
	const char *gsets[32];        /* -G NAME=VALUE */
	uint32_t ngsets;
	struct st_limits limits;
};

static void usage(const struct cli *c, FILE *f)
{
	const char *n = c->be->name;

	fprintf(f,
		"Usage: %s [OPTIONS] (FILE | -e SCRIPT) [ARGS...]           run a script live\n"
		"       %s record [-o FILE] [OPTIONS] (FILE | -e SCRIPT) [ARGS...]\n"
		"       %s report [-i FILE] [OPTIONS] [FILE | -e SCRIPT] [ARGS...]\n"
		"\n"
		"  -e SCRIPT     run the script given on the command line\n"
		"  -c CMD        start CMD once probes are armed; stop when it exits; target() is its pid\n"
		"  -x PID        target() is PID\n"
		"  -T SECS       stop after SECS seconds\n"
		"  -o FILE       live, report: send output to FILE (strftime %%-escapes expand);\n"
		"                record: the recording (default %s)\n"
		"  -S SIZE[,N]   live, report: start the next -o file (FILE.0, FILE.1, ...) once one\n"
		"                exceeds SIZE megabytes; keep the newest N files\n"
		"  -i FILE       report: the recording to read (default %s)\n"
		"  -p NUM        stop after pass NUM: 1 parse, 2 elaborate, 3 lower (print each)\n"
		"  -I DIR        add a tapset directory\n"
		"  -D NAME=VAL   set a limit (MAXSTRINGLEN, MAXMAPENTRIES, MAXACTION, MAXERRORS, ...)\n"
		"  -g            guru mode\n"
		"  -w            no warnings\n"
		"  -v            more verbose\n"
		"  -l PP / -L PP list the probe points matching PP (-L: with their variables)\n"
		"  --dump-probe-types, --dump-probe-aliases, --dump-functions\n"
		"                list the probe families, tapset aliases or functions offered\n"
		"  --buffer-size=KB         ring buffer per CPU (-s MB: the same in megabytes)\n"
		"  --suppress-handler-errors  keep going after run-time errors\n"
		"  -t            at the end, stap's probe hit report: hits and handler times\n"
		"  -W            warnings are errors\n"
		"  -E SCRIPT     run SCRIPT too, after the main script\n"
		"  -F            with -o FILE: go on in the background once the probes are armed\n"
		"  -r RELEASE    %%( kernel_v %%) conditions for RELEASE (with -p1/-p2)\n"
		"  --example NAME.stp  run one of stap's examples by name\n"
		"  --no-global-var-display  do not print unread globals at the end\n"
		"  --bpf, --runtime=bpf|kernel  accepted: staplet always lowers to perf, tracefs and BPF\n"
		"  -k -q -P -B -R -m --ldd --all-modules --prologue-searching[=WHEN]\n"
		"                accepted for stap's command lines: no module is built\n"
		"  --skip-badvars  accepted; a $var that cannot be read is still an error\n",
		n, n, n, c->be->default_output, c->be->default_output);
}

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int die(const char *fmt, ...)
{
	va_list ap;

	fputs("ERROR: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}


/* stap's option errors have no ERROR: prefix */
static int die_plain(const char *msg)
{
	fprintf(stderr, "%s\n", msg);
	return 1;
}

/* Scripts larger than this are refused: no real script comes near it, and
 * an input that never ends (/dev/zero, an endless pipe) stops here. */
#define MAX_SCRIPT_BYTES (8u << 20)

/* The script file, or "-" for stdin; NULL with *err an errno, EFBIG past
 * MAX_SCRIPT_BYTES. */
static char *read_file(const char *path, int *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		*err = errno;
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0 || len > MAX_SCRIPT_BYTES)
			break;
	}
	buf[len] = 0;
	if (ferror(f) || len > MAX_SCRIPT_BYTES) {
		*err = len > MAX_SCRIPT_BYTES ? EFBIG : EIO;
		free(buf);
		buf = NULL;
	}
	if (f != stdin)
		fclose(f);
	return buf;
}

static int set_limit(struct cli *c, const char *def)
{
	const char *eq = strchr(def, '=');

	if (st_cli_define(def, &c->limits))
		return 1;
	if (c->ndefines < sizeof(c->defines) / sizeof(c->defines[0]))
		c->defines[c->ndefines++] = (struct st_define){ def, eq ? eq + 1 : "" };
	return 0;
}

/* The tapset directory beside the binary, into dir (the caller's). */
static const char *default_tapset_dir(char *dir, size_t size)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	/* installed: PREFIX/bin -> PREFIX/share/staplet/tapset; build tree: build/bin -> tapset */
	snprintf(dir, size, "%s/../share/staplet/tapset", exe);
	if (access(dir, R_OK) != 0)
		snprintf(dir, size, "%s/../../tapset", exe);
	if (access(dir, R_OK) != 0)
		return NULL;
	/* messages name tapset files: /usr/share/staplet/tapset/x.stpm, not bin/../share */
	if (realpath(dir, exe))
		snprintf(dir, size, "%s", exe);
	return dir;
}

/* -S SIZE[,N]: SIZE megabytes per output file, at most N files (staprun's). */
static int parse_size(struct cli *c, const char *arg)
{
	char *end;
	unsigned long long mb;

	errno = 0;
	mb = strtoull(arg, &end, 10);
	if (*end == ',')
		c->fnum_max = (uint32_t)strtoul(end + 1, &end, 10);
	if (errno || end == arg || *end || mb > (UINT64_MAX >> 20))
		return die("Invalid file size option '%s'.", arg);
	c->size_opt = arg;
	c->size_max = (uint64_t)mb << 20;
	return 0;
}

enum { OPT_BUFFER = 1000, OPT_SUPPRESS, OPT_COMPATIBLE, OPT_SYMBOLS, OPT_DUMP_TYPES, OPT_DUMP_ALIASES, OPT_DUMP_FUNCTIONS,
       OPT_RUNTIME, OPT_BPF, OPT_EXAMPLE, OPT_NO_GLOBALS, OPT_PROLOGUE };

/* --runtime=MODE: staplet always lowers to perf, ftrace and small BPF
 * programs, which is what both of stap's modes ask for here. */
static int set_runtime(struct cli *c, const char *mode)
{
	if (strcmp(mode, "kernel") && strcmp(mode, "bpf")) {
		if (!strcmp(mode, "dyninst"))
			return die("--runtime=dyninst unavailable; staplet runs on the kernel's tracing only");
		return die("%s is an invalid argument for --runtime", mode);
	}
	c->runtime = mode;
	return 0;
}

/* -r RELEASE or -r BUILD-TREE: the kernel the script is compiled for. */
static int set_release(struct cli *c, const char *arg)
{
	static char rel[256];
	char path[PATH_MAX];
	FILE *f;

	c->release = arg;
	if (!strchr(arg, '/'))
		return 0;
	snprintf(path, sizeof(path), "%s/include/config/kernel.release", arg);
	f = fopen(path, "r");
	if (!f)
		return die("cannot read the kernel release of build tree %s (%s): %s", arg, path, strerror(errno));
	if (fgets(rel, sizeof(rel), f))
		rel[strcspn(rel, "\n")] = 0;
	fclose(f);
	c->release = rel;
	return 0;
}

/* -s NUM: buffer megabytes, in stap's range */
static int set_buffer_mb(struct cli *c, const char *arg)
{
	char *end;
	unsigned long mb = strtoul(arg, &end, 10);

	if (*end || end == arg || mb < 1 || mb > 4095)
		return die("Invalid buffer size (should be 1-4095).");
	c->buffer_kb = (uint32_t)mb * 1024;
	return 0;
}

static int set_prologue(const char *when)
{
	if (when && strcmp(when, "always") && strcmp(when, "auto") && strcmp(when, "never"))
		return die("Invalid argument '%s' for --prologue-searching.", when);
	return 0;   /* uprobes sit after the prologue already (DWARF breakpoints) */
}

static int parse_args(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "buffer-size", required_argument, NULL, OPT_BUFFER },
		{ "suppress-handler-errors", no_argument, NULL, OPT_SUPPRESS },
		{ "compatible", required_argument, NULL, OPT_COMPATIBLE },
		/* symbol data: kernel symbols come from /proc/kallsyms at run time */
		{ "all-modules", no_argument, NULL, OPT_SYMBOLS },
		{ "ldd", no_argument, NULL, OPT_SYMBOLS },
		{ "dump-probe-types", no_argument, NULL, OPT_DUMP_TYPES },
		{ "dump-probe-aliases", no_argument, NULL, OPT_DUMP_ALIASES },
		{ "dump-functions", no_argument, NULL, OPT_DUMP_FUNCTIONS },
		{ "runtime", required_argument, NULL, OPT_RUNTIME },
		{ "bpf", no_argument, NULL, OPT_BPF },
		{ "example", no_argument, NULL, OPT_EXAMPLE },
		{ "no-global-var-display", no_argument, NULL, OPT_NO_GLOBALS },
		{ "prologue-searching", optional_argument, NULL, OPT_PROLOGUE },
		/* accepted; a $var that cannot be read stays an error here */
		{ "skip-badvars", no_argument, NULL, OPT_SYMBOLS },
		{ NULL, 0, NULL, 0 },
	};
	struct utsname u;
	int opt;

	optind = 1;   /* options may follow the script, as with stap; `--` ends them */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "e:c:x:T:o:S:i:p:I:D:G:d:l:L:gwvuhVWqkPs:tE:B:R:Fr:m:a:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'e':
			if (c->script_text)
				return die_plain("Only one script can be given on the command line.");
			c->script_text = optarg;
			break;
		case 'c':
			c->cmd = optarg;
			if (!*optarg) {
				fputs("Empty CMD string invalid.\n", stderr);
				return 1;
			}
			break;
		case 'x':
			if (st_cli_pid(optarg, &c->target))
				return 1;
			break;
		case 'T':
			if (st_cli_timeout_ms(optarg, &c->timeout_ms))
				return 1;
			break;
		case 'o': c->output = optarg; break;
		case 'S':
			if (parse_size(c, optarg))
				return 1;
			break;
		case 'i': c->input = optarg; break;
		case 'p':
			if (st_cli_pass(optarg, &c->last_pass))
				return 1;
			break;
		case 'I':
			if (c->ntapset_dirs < 15)
				c->tapset_dirs[c->ntapset_dirs++] = optarg;
			break;
		case 'D':
			if (set_limit(c, optarg))
				return 1;
			break;
		case 'G':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return die("invalid -G argument '%s': expected NAME=VALUE", optarg);
			if (c->ngsets < sizeof(c->gsets) / sizeof(c->gsets[0]))
				c->gsets[c->ngsets++] = optarg;
			break;
		case 'g': c->guru = true; break;
		case 'w': c->no_warnings = true; break;
		case 'v': c->verbose++; break;
		case 'u': c->unoptimized = true; break;
		case OPT_BUFFER:
			if (st_cli_buffer_kb(optarg, &c->buffer_kb))
				return 1;
			break;
		case OPT_SUPPRESS: c->suppress_errors = true; break;
		case OPT_COMPATIBLE: c->compatible = optarg; break;
		case OPT_SYMBOLS: break;
		case OPT_DUMP_TYPES: c->dump = ST_DUMP_PROBE_TYPES; break;
		case OPT_DUMP_ALIASES: c->dump = ST_DUMP_PROBE_ALIASES; break;
		case OPT_DUMP_FUNCTIONS: c->dump = ST_DUMP_FUNCTIONS; break;
		case 'W': c->werror = true; break;
		case 's':
			if (set_buffer_mb(c, optarg))
				return 1;
			break;
		case 'E': c->extra_script = optarg; break;
		case 'r':
			if (set_release(c, optarg))
				return 1;
			break;
		case 'a':
			if (uname(&u) == 0 && strcmp(optarg, u.machine))
				return die("-a %s: staplet compiles for the machine it runs on (%s)", optarg, u.machine);
			break;
		/* stap's module build and its tapset coverage: nothing to keep, pass on or
		 * count when no module is built (-k -B -R -m -q), and uprobes are placed
		 * after the prologue already (-P) */
		case 'm':
			if (st_cli_module_name(optarg))
				return 1;
			break;
		case 'q': case 'k': case 'B': case 'R': case 'P': break;
		case 't': c->timing = true; break;
		case 'F': c->background = true; break;
		case OPT_RUNTIME:
			if (set_runtime(c, optarg))
				return 1;
			break;
		case OPT_BPF: c->runtime = "bpf"; break;
		case OPT_EXAMPLE: c->example = true; break;
		case OPT_NO_GLOBALS: c->no_global_display = true; break;
		case OPT_PROLOGUE:
			if (set_prologue(optarg))
				return 1;
			break;
		case 'd': break;
		case 'l': case 'L':
			c->list = (char)opt;
			c->list_pattern = optarg;
			break;        /* -d MODULE: symbols are read at run time */
		case 'h': usage(c, stdout); exit(0);
		case 'V': printf("%s (staplet) 0.1\n", c->be->name); exit(0);
		default:
			if (optopt && strchr("ecxToSipIDGdlL", optopt))
				return die("option -%c needs an argument", optopt);
			if (optopt)
				return die("unknown option -%c (see %s --help)", optopt, c->be->name);
			return die("unknown option '%s' (see %s --help)", argv[optind - 1], c->be->name);
		}
	}
	if (c->background && !c->output)
		return die("-F without -o: staplet has no in-memory flight recorder; give -o FILE");
	if (c->background && c->mode != MODE_LIVE)
		return die("-F runs a live script in the background: not with record or report");
	if (c->cmd && c->target) {
		fputs("You can't specify -c and -x together.\n", stderr);
		return 1;
	}
	if (c->size_opt && c->mode == MODE_RECORD)
		return die("-S sizes the script's output files: use it live or with report -o FILE");
	if (c->size_opt && !c->output)
		return die("You have to specify output FILE with '-S' option.");
	if (c->dump) {
		c->script_text = "probe never {}";   /* the tapset (stap: an empty script is an error) */
		c->no_warnings = true;
	}
	if (c->list) {
		/* -l/-L PP: elaborate `probe PP {}` and print what it resolves to */
		if (asprintf(&c->list_script, "probe %s {}", c->list_pattern) < 0)
			return die("out of memory");
		c->script_text = c->list_script;
		c->no_warnings = true;
		c->unoptimized = true;   /* the empty body must not elide the probe */
	}
	if (!c->script_text && optind < argc && !(c->mode == MODE_REPORT && c->input == NULL && 0))
		c->script_file = argv[optind++];
	c->argc = argc - optind;
	c->argv = argv + optind;
	return 0;
}

/* When the live kernel's events could not be read at all, one line saying
 * so says more than "unresolved probe" (or, for -l, than nothing). */
static bool events_unreadable(struct cli *c, struct st_catalog *catalog)
{
	int st = c->mode == MODE_REPORT ? 0 : st_catalog_tracefs_status(catalog);

	if (st < 0)
		fprintf(stderr, "ERROR: cannot read the kernel's tracing events (/sys/kernel/tracing/events): %s%s\n",
			strerror(-st), st == -EACCES || st == -EPERM ? " (staplet needs root)" : "");
	return st < 0;
}

/* Pass on the frontend's diagnostics, or the one line above. */
static bool flush_diag(struct cli *c, struct st_compile_opts *o, char **diag, struct st_catalog *catalog)
{
	bool unreadable = events_unreadable(c, catalog);

	fclose(o->diag);
	o->diag = NULL;
	if (!unreadable && *diag)
		fputs(*diag, stderr);
	free(*diag);
	*diag = NULL;
	return unreadable;
}

static bool prog_empty;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* -l: one probe point per line, sorted, once each; -L: with the variables
 * its aliases define, as name:type. */
static void list_point_vars(FILE *f, struct st_catalog *cat, const struct st_probe_inst *pi)
{
	struct st_family_point fp;
	const struct st_catalog_field *fl;
	uint32_t nf, i;
	char sig[1024];

	if (st_family_classify(pi->point, &fp) < 0)
		return;
	if (fp.ksite) {      /* kernel functions: parameters and types from BTF */
		st_kernel_signature(fp.ksite, sig, sizeof(sig));
		if (sig[0])
			fprintf(f, " %s", sig);
		return;
	}
	if (fp.kind != ST_SRC_TRACEPOINT)
		return;
	if (fp.syscall) {
		struct st_syscall_arg a[8];
		uint32_t n = fp.is_return ? 0 : st_syscall_args(cat, &fp, a, 8);

		fputs(" name:string", f);
		for (i = 0; i < n; i++)
			fprintf(f, " %s:%s", a[i].name, a[i].conv == 'S' ? "string" : "long");
		fputs(fp.is_return ? " retval:long retstr:string" : " argstr:string", f);
		return;
	}
	/* stap lists a tracepoint's TP_PROTO arguments; without BTF, the
	 * format's fields (readable as $name too) */
	st_btf_tp_signature(fp.event, sig, sizeof(sig));
	if (sig[0]) {
		fprintf(f, " %s", sig);
		return;
	}
	if (cat->ops->fields(cat, fp.system, fp.event, &fl, &nf) < 0)
		return;
	for (i = 0; i < nf; i++)
		fprintf(f, " $%s:%s", fl[i].name, fl[i].is_string ? "string" : "long");
}

static void list_points(struct cli *c, const struct st_program *prog, struct st_catalog *cat)
{
	char **lines = calloc(prog->ninsts + 1, sizeof(*lines));
	uint32_t n = 0, i, j;

	if (!lines)
		return;
	for (i = 0; i < prog->ninsts; i++) {
		const struct st_probe_inst *pi = prog->insts[i];
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		if (!f)
			break;
		fputs(pi->user_pp, f);
		/* stap: the alias's locals, then the context's $variables */
		for (j = 0; c->list == 'L' && j < pi->nlocals; j++) {
			const struct st_symbol *s = pi->locals[j];

			if (s->name[0] != '_' && (s->type == ST_T_LONG || s->type == ST_T_STRING))
				fprintf(f, " %s:%s", s->name, st_type_name(s->type));
		}
		if (c->list == 'L')
			list_point_vars(f, cat, pi);
		fclose(f);
		lines[n++] = buf;
	}
	qsort(lines, n, sizeof(*lines), cmp_str);
	for (i = 0; i < n; i++) {
		if (!i || strcmp(lines[i], lines[i - 1]))
			printf("%s\n", lines[i]);
	}
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	prog_empty = n == 0;
}

/* stap's counts after pass 2: probes, the functions and globals in use */
static void pass2_line(const struct st_program *prog, const struct st_passclock *pc)
{
	uint32_t i, nf = 0, ng = 0;

	for (i = 0; i < prog->nfuncs; i++)
		nf += prog->funcs[i]->used;
	for (i = 0; i < prog->nglobals; i++)
		ng += prog->globals[i]->sym && (prog->globals[i]->read || prog->globals[i]->written);
	st_pass_line(stderr, pc, 1, "Pass 2: analyzed script: %u probe%s, %u function%s, 0 embeds, %u global%s",
		     prog->ninsts, prog->ninsts == 1 ? "" : "s", nf, nf == 1 ? "" : "s", ng, ng == 1 ? "" : "s");
}

/* Passes 1-3. */
/* -x PID of no process: stap says so only where a probe needs the process,
 * the process probes without a path that keep to the target's tree */
static int target_needed_alive(const struct cli *c, const struct st_plan *plan, char **err)
{
	uint32_t i;

	for (i = 0; i < plan->nprobes; i++) {
		if (plan->probes[i].target_scoped && kill(c->target, 0) < 0 && errno == ESRCH) {
			if (asprintf(err, "cannot probe pid %d: No such process", (int)c->target) < 0)
				*err = NULL;
			return -ESRCH;
		}
	}
	return 0;
}

static int compile(struct cli *c, const char *name, const char *text, int argc, char **argv,
		   struct st_catalog *catalog, struct st_program **progp, struct st_plan **planp)
{
	struct st_point_resolver resolver;
	struct st_compile_opts o;
	struct utsname u;
	struct st_program *prog;
	struct st_passclock pc;
	const char *dirs[17];
	char tapset_dir[PATH_MAX + 64];
	uint32_t nd = 0, i;
	char *err = NULL, *diag = NULL;
	size_t diaglen = 0;
	bool no_events;
	int r;

	uname(&u);
	for (i = 0; i < c->ntapset_dirs; i++)
		dirs[nd++] = c->tapset_dirs[i];
	if (getenv("SYSTEMTAP_TAPSET") && *getenv("SYSTEMTAP_TAPSET"))
		dirs[nd++] = getenv("SYSTEMTAP_TAPSET");   /* stap's: instead of the standard tapset */
	else if (default_tapset_dir(tapset_dir, sizeof(tapset_dir)))
		dirs[nd++] = tapset_dir;
	memset(&o, 0, sizeof(o));
	o.argc = argc;
	o.argv = argv;
	o.tapset_dirs = dirs;
	o.ntapset_dirs = nd;
	o.defines = c->defines;
	o.ndefines = c->ndefines;
	o.guru = c->guru;
	o.no_warnings = c->no_warnings;
	o.unoptimized = c->unoptimized;
	o.werror = c->werror;
	o.compatible = c->compatible;
	o.kernel_release = c->release ? c->release : u.release;
	o.arch = u.machine;
	o.runtime = c->runtime ? c->runtime : "kernel";
	o.verbose = c->verbose;
	o.diag = open_memstream(&diag, &diaglen);
	if (!o.diag)
		abort();
	st_resolver_init(&resolver, catalog);
	o.resolver = &resolver;

	st_passclock_start(&pc);
	prog = st_parse(name, text, &o);
	if (prog && c->verbose)
		st_pass_line(stderr, &pc, 1, "Pass 1: parsed user script and %u library script%s", prog->nfiles - 1,
			     prog->nfiles == 2 ? "" : "s");
	if (!prog) {
		flush_diag(c, &o, &diag, catalog);
		fputs("Pass 1: parse failed.  [man error::pass1]\n", stderr);
		st_resolver_free(&resolver);
		return 1;
	}
	if (c->dump) {
		r = st_dump(stdout, c->dump, prog);
		fclose(o.diag);
		free(diag);
		st_program_free(prog);
		st_resolver_free(&resolver);
		return r < 0 ? 1 : -1;
	}
	if (c->last_pass == 1) {
		fclose(o.diag);   /* pass 1's warnings (a tapset file skipped) */
		if (diag)
			fputs(diag, stderr);
		free(diag);
		st_program_print(stdout, prog);
		st_program_free(prog);
		st_resolver_free(&resolver);
		return -1;
	}
	st_passclock_start(&pc);
	r = st_elaborate(prog, &o);
	if (c->list) {
		/* stap prints nothing but the points: no diagnostics; status 1 when none */
		fclose(o.diag);
		free(diag);
		if (r >= 0)
			list_points(c, prog, catalog);
		if (r < 0 || prog_empty)
			events_unreadable(c, catalog);   /* the reason none matched */
		st_program_free(prog);
		st_resolver_free(&resolver);
		return r < 0 || prog_empty ? 1 : -1;
	}
	no_events = flush_diag(c, &o, &diag, catalog);
	if (r < 0) {
		/* an unreadable event catalog is the whole story: no pass trailer */
		if (!no_events)
			fputs("Pass 2: analysis failed.  [man error::pass2]\n", stderr);
		st_program_free(prog);
		st_resolver_free(&resolver);
		return 1;
	}
	if (c->verbose)
		pass2_line(prog, &pc);
	if (c->last_pass == 2) {
		st_program_print_elaborated(stdout, prog);
		st_program_free(prog);
		st_resolver_free(&resolver);
		return -1;
	}
	if (c->release && strcmp(c->release, u.release)) {
		st_program_free(prog);
		st_resolver_free(&resolver);
		return die("-r %s: staplet lowers onto the running kernel, not another; -p1 and -p2 check a script for %s",
			   c->release, c->release);
	}
	st_passclock_start(&pc);
	r = st_lower(prog, catalog, planp, &err);
	st_resolver_free(&resolver);
	if (r == 0 && c->verbose)
		st_pass_line(stderr, &pc, 1, "Pass 3: lowered to %u event source%s and %u handler%s", (*planp)->nsources,
			     (*planp)->nsources == 1 ? "" : "s", (*planp)->nprobes, (*planp)->nprobes == 1 ? "" : "s");
	if (r == 0 && c->target && !c->cmd && (r = target_needed_alive(c, *planp, &err)) < 0)
		st_plan_free(*planp);
	if (r < 0) {
		fprintf(stderr, "semantic error: %s\n\nPass 2: analysis failed.  [man error::pass2]\n",
			err ? err : strerror(-r));
		free(err);
		st_program_free(prog);
		return 1;
	}
	for (i = 0; c->no_global_display && i < (*planp)->nglobals; i++)
		(*planp)->globals[i].auto_print = false;
	if (c->last_pass == 3 || c->last_pass == 4) {
		if (c->last_pass == 3)
			st_plan_print(stdout, *planp);
		st_plan_free(*planp);
		st_program_free(prog);
		return -1;
	}
	*progp = prog;
	return 0;
}

/* -G NAME=VALUE: the initial value of a scalar global, as stap sets it
 * before the begin probes run.  Applied to the plan, so the session sees it
 * as if the script had initialised the global itself. */
static int apply_gsets(struct cli *c, struct st_plan *plan)
{
	uint32_t i, g;

	for (i = 0; i < c->ngsets; i++) {
		const char *eq = strchr(c->gsets[i], '=');
		size_t n = (size_t)(eq - c->gsets[i]);
		struct st_plan_global *pg = NULL;

		for (g = 0; g < plan->nglobals && !pg; g++)
			if (strlen(plan->globals[g].name) == n && !strncmp(plan->globals[g].name, c->gsets[i], n))
				pg = &plan->globals[g];
		if (!pg || pg->is_array || pg->type == ST_T_STATS)
			return die("-G %s: no scalar global '%.*s' in the script", c->gsets[i], (int)n, c->gsets[i]);
		pg->has_init = true;
		if (pg->type == ST_T_STRING) {
			pg->init.s = eq + 1;
		} else {
			char *end;

			errno = 0;
			pg->init.n = (int64_t)strtoll(eq + 1, &end, 0);
			if (errno || end == eq + 1 || *end)
				return die("-G %s: '%s' is not a number", c->gsets[i], eq + 1);
		}
	}
	return 0;
}

/* Paths of the files named `name` below dir, up to 8 (recursively). */
static void find_named(const char *dir, const char *name, char found[][PATH_MAX], int *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			find_named(path, name, found, n);
		else if (!strcmp(de->d_name, name) && (*n)++ < 8)
			snprintf(found[*n - 1], PATH_MAX, "%s", path);
	}
	if (d)
		closedir(d);
}

/* --example NAME.stp: the one example of that name under stap's examples */
static int find_example(struct cli *c)
{
	static char found[8][PATH_MAX];
	const char *dir = "/usr/share/systemtap/examples";
	int n = 0, i;

	find_named(dir, c->script_file, found, &n);
	if (n == 0) {
		fprintf(stderr, "Example '%s' was not found under '%s'\n", c->script_file, dir);
		return 1;
	}
	if (n > 1) {
		fprintf(stderr, "Multiple examples found: \n");
		for (i = 0; i < n && i < 8; i++)
			fprintf(stderr, "  %s\n", found[i]);
		return 1;
	}
	c->script_file = found[0];
	return 0;
}

/* -E SCRIPT runs with the main script: its declarations follow the script's
 * (on lines of their own, so the script's locations stay as they are). */
static int join_extra(struct cli *c, const char **text)
{
	if (!c->extra_script)
		return 0;
	if (asprintf(&c->script_joined, "%s\n%s\n", *text, c->extra_script) < 0)
		return die("out of memory");
	*text = c->script_joined;
	return 0;
}

static int load_script(struct cli *c, const char **name, const char **text)
{
	int e = 0;

	if (c->script_text) {
		*name = "<input>";
		*text = c->script_text;
		return join_extra(c, text);
	}
	if (!c->script_file)
		return die("no script given: use FILE or -e SCRIPT (see %s --help)", c->be->name);
	if (c->example && find_example(c))
		return 1;
	c->script_owned = read_file(c->script_file, &e);
	if (!c->script_owned && e == EFBIG)
		return die("script '%s' is larger than %u MB: refused", c->script_file, MAX_SCRIPT_BYTES >> 20);
	if (!c->script_owned)
		return die("cannot read script '%s': %s", c->script_file, strerror(e));
	*name = strcmp(c->script_file, "-") ? c->script_file : "<input>";   /* stdin, as stap names it */
	*text = c->script_owned;
	return join_extra(c, text);
}


static void session_opts(struct cli *c, struct st_session_opts *so, FILE *out)
{
	memset(so, 0, sizeof(*so));
	so->limits = c->limits;
	so->out = out;
	so->target_pid = c->target;
	so->suppress_errors = c->suppress_errors;
	so->timing = c->timing;
}

/* -o FILE for the script's output, live and on report; without -o it is
 * stdout and switch_file() does nothing, as in stap.  0, or 1 after the error. */
static int open_output(struct cli *c, struct st_output *o, struct st_session_opts *so)
{
	int r;

	if (!c->output)
		return 0;
	r = st_output_open(o, c->output, c->size_max, c->fnum_max);
	if (r == -EINVAL)
		die("invalid output file name format '%s'", c->output);
	else if (r < 0)
		die("cannot open output file '%s': %s", o->name ? o->name : c->output, strerror(-r));
	if (r < 0) {
		st_output_close(o);
		return 1;
	}
	so->output = o;
	return 0;
}

/* A backend that cannot copy user memory at the event (tracefs adds no
 * fetch args to tracepoints): say once, before the run, which values are
 * read when the handler runs instead (live only; a recording has none),
 * and which backend reads them at the event. */
static void warn_uncaptured(struct cli *c, const struct st_plan *plan)
{
	char names[512] = "";
	size_t len = 0;

	if (c->be->captures_user_memory)
		return;
	for (uint32_t i = 0; i < plan->nsources; i++)
		for (uint32_t k = 0; k < plan->sources[i].ncaptures && len < sizeof(names) - 1; k++) {
			const struct st_source *s = &plan->sources[i];

			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s (%s)", len ? ", " : "",
						s->captures[k].field, s->event ? s->event : s->name);
		}
	if (len)
		fprintf(stderr, "WARNING: %s cannot copy user memory at the event on this kernel (tracefs "
			"adds no fetch arguments to tracepoints): the strings and memory at %s are read from "
			"the process when the handler runs, live only; `perf stap` reads them at the event\n",
			c->be->name, names);
}

static int start_target(struct cli *c)
{
	pid_t pid;

	const char *why;
	int e;

	if (!c->cmd)
		return 0;
	/* a command that cannot run fails the run before anything is attached */
	e = st_target_check(c->cmd, &why);
	if (e)
		return die("cannot run '%s': %s", c->cmd, why ? why : strerror(e));
	pid = st_target_spawn(c->cmd);
	if (pid < 0)
		return die("cannot start '%s': %s", c->cmd, strerror((int)-pid));
	c->target = pid;
	return 0;
}

/* -F -o FILE: once the probes are armed the run goes on in a child of its
 * own session, writing to FILE; the command returns at once (stap's
 * on-file flight recorder). */
static int go_background(void)
{
	pid_t pid = fork();
	int null;

	if (pid < 0)
		return die("cannot go to the background: %s", strerror(errno));
	if (pid > 0) {
		fprintf(stderr, "Running in the background as process %d; kill -INT %d ends it.\n", (int)pid, (int)pid);
		st_control_release_terminal();
		_exit(0);   /* the child owns the events, links and output now */
	}
	setsid();
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		close(null);
	}
	return 0;
}

static int run_live(struct cli *c, struct st_plan *plan)
{
	struct st_backend_opts bo = { .buffer_kb = c->buffer_kb, .verbose = c->verbose };
	struct st_passclock pc;
	struct st_session_opts so;
	struct st_stream *stream = NULL;
	struct st_output output = { 0 };
	char *err = NULL;
	uint32_t i;
	bool need_stream = false;
	int r, status;

	if (apply_gsets(c, plan))
		return 1;
	for (i = 0; i < plan->nsources; i++)
		if (plan->sources[i].kind >= ST_SRC_TRACEPOINT)
			need_stream = true;
	session_opts(c, &so, stdout);
	if (open_output(c, &output, &so))
		return 1;
	if (start_target(c)) {
		st_output_close(&output);
		return 1;
	}
	bo.target_pid = c->target;
	so.target_pid = c->target;     /* -c: the child started above */
	bo.maxmapentries = c->limits.maxmapentries;
	bo.maxstringlen = c->limits.maxstringlen;
	st_passclock_start(&pc);
	if (need_stream) {
		warn_uncaptured(c, plan);
		r = c->be->live_open(plan->sources, plan->nsources, &bo, &stream, &err);
		if (r < 0) {
			st_target_cleanup();
			st_output_close(&output);
			die("%s", err ? err : strerror(-r));
			free(err);
			return 1;
		}
	}
	if (c->background && go_background()) {
		if (stream)
			stream->ops->close(stream);
		st_target_cleanup();
		st_output_close(&output);
		return 1;
	}
	if (c->verbose) {
		st_pass_line(stderr, &pc, 1, "Pass 4: attached %u event source%s to the kernel", plan->nsources,
			     plan->nsources == 1 ? "" : "s");
		fputs("Pass 5: starting run.\n", stderr);
	}
	if (c->timeout_ms)
		st_control_set_timeout_ms(c->timeout_ms);
	st_passclock_start(&pc);
	status = st_session_run(plan, stream, &so);
	if (stream)
		stream->ops->close(stream);
	st_target_cleanup();
	st_output_close(&output);
	if (c->verbose)
		st_pass_line(stderr, &pc, 0, "Pass 5: run completed");
	return st_target_exec_failed() ? 1 : status;
}

/* No kernel sources: only begin/end/error/timer probes. */
static bool runtime_only(const struct st_plan *plan)
{
	uint32_t i;

	for (i = 0; i < plan->nsources; i++)
		if (plan->sources[i].kind >= ST_SRC_TRACEPOINT)
			return false;
	return true;
}

/* A script with no kernel events decides on its own when it ends (exit()
 * in begin or in a timer).  Run it once, silently, so the recording spans
 * exactly the time the live run would have taken; report then replays the
 * same timer ticks over that span. */
static int shadow_run(struct cli *c, struct st_plan *plan)
{
	struct st_session_opts so;
	FILE *null = fopen("/dev/null", "w");

	if (!null)
		return die("cannot open /dev/null: %s", strerror(errno)), -1;
	if (apply_gsets(c, plan)) {
		fclose(null);
		return -1;
	}
	session_opts(c, &so, null);
	so.quiet = true;
	st_session_run(plan, NULL, &so);
	fclose(null);
	return 0;
}

static int run_record(struct cli *c, struct st_plan *plan, const char *name, const char *text)
{
	struct st_backend_opts bo = { .buffer_kb = c->buffer_kb, .verbose = c->verbose };
	struct st_recording_info ri;
	struct st_record_stats stats = { 0 };
	struct st_recorder *rec = NULL;
	const char *path = c->output ? c->output : c->be->default_output;
	char *err = NULL;
	int r;

	bo.maxstringlen = c->limits.maxstringlen;
	warn_uncaptured(c, plan);
	if (start_target(c))
		return 1;
	r = c->be->record_open(path, plan->sources, plan->nsources, &bo, &rec, &err);
	if (r < 0) {
		st_target_cleanup();
		die("%s", err ? err : strerror(-r));
		free(err);
		return 1;
	}
	memset(&ri, 0, sizeof(ri));
	ri.wall_offset_ns = st_clock_wall_offset_ns();
	ri.start_ns = st_clock_mono_ns();
	ri.script = (char *)text;
	ri.script_name = (char *)(c->script_text ? "-e" : name);
	ri.argc = c->argc;
	ri.argv = c->argv;
	ri.target_pid = c->target;
	if (c->timeout_ms)
		st_control_set_timeout_ms(c->timeout_ms);
	st_target_release();
	if (runtime_only(plan) && shadow_run(c, plan) < 0) {
		c->be->record_abort(rec);
		st_target_cleanup();
		return 1;
	}
	r = c->be->record_run(rec, &err);
	ri.end_ns = st_clock_mono_ns();
	if (r < 0) {
		c->be->record_abort(rec);
		st_target_cleanup();
		die("%s", err ? err : strerror(-r));
		free(err);
		return 1;
	}
	r = c->be->record_finish(rec, &ri, &stats, &err);
	st_target_cleanup();
	if (r < 0) {
		die("%s", err ? err : strerror(-r));
		free(err);
		return 1;
	}
	if (st_target_exec_failed())
		return 1;
	fprintf(stderr, "[ %s record: %llu events, %llu lost, %.1f KB written to %s ]\n", c->be->name,
		(unsigned long long)stats.events, (unsigned long long)stats.lost, stats.bytes / 1024.0, path);
	return 0;
}

static int run_report(struct cli *c)
{
	const char *path = c->input ? c->input : c->be->default_output;
	struct st_recording_info ri;
	struct st_recording *rec = NULL;
	struct st_stream *stream = NULL;
	struct st_session_opts so;
	struct st_output output = { 0 };
	struct st_catalog *catalog;
	struct st_program *prog = NULL;
	struct st_plan *plan = NULL;
	const char *name, *text;
	int argc, r, status;
	char **argv, *err = NULL;

	r = c->be->report_open(path, &ri, &rec, &err);
	if (r < 0) {
		die("%s", err ? err : strerror(-r));
		free(err);
		return 1;
	}
	if (c->script_text || c->script_file) {
		if (load_script(c, &name, &text)) {
			c->be->report_close(rec);
			st_recording_info_free(&ri);
			return 1;
		}
		argc = c->argc;
		argv = c->argv;
	} else {
		name = ri.script_name && strcmp(ri.script_name, "-e") ? ri.script_name : "<input>";
		text = ri.script;
		argc = c->argc ? c->argc : ri.argc;
		argv = c->argc ? c->argv : ri.argv;
	}
	catalog = st_catalog_layered(st_catalog_from_tep(c->be->report_tep(rec)),
				     access("/sys/kernel/tracing/events", R_OK) == 0 ? st_catalog_tracefs() : NULL);
	r = compile(c, name, text, argc, argv, catalog, &prog, &plan);
	if (r) {
		catalog->ops->free(catalog);
		c->be->report_close(rec);
		st_recording_info_free(&ri);
		return r < 0 ? 0 : 1;
	}
	if (apply_gsets(c, plan)) {
		status = 1;
		goto out;
	}
	session_opts(c, &so, stdout);
	if (open_output(c, &output, &so)) {
		status = 1;
		goto out;
	}
	warn_uncaptured(c, plan);
	r = c->be->report_stream(rec, plan->sources, plan->nsources, &stream, &err);
	if (r < 0) {
		die("%s", err ? err : strerror(-r));
		free(err);
		status = 1;
		goto out;
	}
	so.target_pid = ri.target_pid;
	so.wall_offset_ns = ri.wall_offset_ns;
	so.start_ns = ri.start_ns;
	so.end_ns = ri.end_ns;
	status = st_session_run(plan, stream, &so);
	stream->ops->close(stream);
	if (ri.lost)
		fprintf(stderr, "WARNING: the recording lost %llu events\n", (unsigned long long)ri.lost);
out:
	st_output_close(&output);
	st_plan_free(plan);
	st_program_free(prog);
	catalog->ops->free(catalog);
	c->be->report_close(rec);
	st_recording_info_free(&ri);
	return status;
}

int st_cli_main(int argc, char **argv, const struct st_backend *be)
{
	struct cli c;
	struct st_catalog *catalog;
	struct st_program *prog = NULL;
	struct st_plan *plan = NULL;
	const char *name, *text;
	int r;

	memset(&c, 0, sizeof(c));
	c.be = be;
	st_limits_default(&c.limits);
	if (argc > 1 && !strcmp(argv[1], "record")) {
		c.mode = MODE_RECORD;
		argc--, argv++;
	} else if (argc > 1 && !strcmp(argv[1], "report")) {
		c.mode = MODE_REPORT;
		argc--, argv++;
	}
	if (parse_args(&c, argc, argv) || st_cli_tmpdir())
		return 1;
	st_control_install();
	st_control_watch_parent();
	st_control_take_terminal();
	atexit(st_control_release_terminal);
	if (c.mode == MODE_REPORT) {
		r = run_report(&c);
		free(c.script_owned);
	free(c.script_joined);
		return r;
	}
	if (load_script(&c, &name, &text))
		return 1;
	catalog = st_catalog_tracefs();
	r = compile(&c, name, text, c.argc, c.argv, catalog, &prog, &plan);
	if (r == 0) {
		st_leftovers_remove();   /* of dead runs, before we attach anything */
		r = c.mode == MODE_RECORD ? run_record(&c, plan, name, text) : run_live(&c, plan);
		st_plan_free(plan);
		st_program_free(prog);
	} else if (r < 0) {
		r = 0;   /* stopped after an earlier pass, as asked */
	}
	catalog->ops->free(catalog);
	free(c.script_owned);
	free(c.script_joined);
	free(c.list_script);
	return r;
}
