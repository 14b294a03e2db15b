/* cli_args.c - the options: usage, getopt, and the checks that span options. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "runtime/cli_int.h"
#include "runtime/cli_man.h"
#include "runtime/cli_values.h"

static void usage(const struct cli *c, FILE *f)
{
	const char *n = c->be->name;

	fprintf(f,
		"Usage: %s [OPTIONS] (FILE | -e SCRIPT) [ARGS...]           run a script live\n"
		"       %s record [-o FILE] [OPTIONS] (FILE | -e SCRIPT) [ARGS...]\n"
		"       %s report [-i FILE] [OPTIONS] [FILE | -e SCRIPT] [ARGS...]\n"
		"       %s -p4 -m NAME [OPTIONS] (FILE | -e SCRIPT) [ARGS...]   write the compiled plan NAME\n"
		"       %s run|record [OPTIONS] NAME                         run a compiled plan\n"
		"\n"
		"  -e SCRIPT     run the script given on the command line\n"
		"  -c CMD        start CMD once probes are armed; stop when it exits; target() is its pid\n"
		"  -x PID        target() is PID\n"
		"  -T SECS       stop after SECS seconds\n"
		"  -o FILE       live, report: send output to FILE (strftime %%-escapes expand);\n"
		"                record: the recording (default %s)\n"
		"  -S SIZE[,N]   live, report: start the next -o file (FILE.0, FILE.1, ...) once one\n"
		"                exceeds SIZE megabytes; keep the newest N files\n"
		"  -i FILE       report: the recording to read (default %s); repeat -i to\n"
		"                replay several in one time order (hostname() tells them apart)\n"
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
		"  -r RELEASE    %%( kernel_v %%) conditions for RELEASE (with -p1/-p2); with -p4 -m NAME\n"
		"                a plan for kernel RELEASE, from its symbols and BTF in /boot or in\n"
		"  --kernel-dir DIR  an unpacked kernel package (dpkg-deb -x linux-image-RELEASE.deb DIR)\n"
		"  --example NAME.stp  run one of stap's examples by name\n"
		"  --no-global-var-display  do not print unread globals at the end\n"
		"  --format=json  live, report: print every global's end-of-run value as one JSON document\n"
		"  --bpf, --runtime=bpf|kernel  accepted: staplet always lowers to perf, tracefs and BPF\n"
		"  -k -q -P -B -R --ldd --all-modules --prologue-searching[=WHEN]\n"
		"                accepted for stap's command lines: no module is built\n"
		"  --skip-badvars  accepted; a $var that cannot be read is still an error\n",
		n, n, n, n, n, c->be->default_output, c->be->default_output);
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
		return cli_die("Invalid file size option '%s'.", arg);
	c->size_opt = arg;
	c->size_max = (uint64_t)mb << 20;
	return 0;
}

enum { OPT_BUFFER = 1000, OPT_SUPPRESS, OPT_COMPATIBLE, OPT_SYMBOLS, OPT_DUMP_TYPES, OPT_DUMP_ALIASES, OPT_DUMP_FUNCTIONS,
       OPT_RUNTIME, OPT_BPF, OPT_EXAMPLE, OPT_NO_GLOBALS, OPT_PROLOGUE, OPT_FORMAT, OPT_KERNEL_DIR };

/* --runtime=MODE: staplet always lowers to perf, ftrace and small BPF
 * programs, which is what both of stap's modes ask for here. */
static int set_runtime(struct cli *c, const char *mode)
{
	if (strcmp(mode, "kernel") && strcmp(mode, "bpf")) {
		if (!strcmp(mode, "dyninst"))
			return cli_die("--runtime=dyninst unavailable; staplet runs on the kernel's tracing only");
		return cli_die("%s is an invalid argument for --runtime", mode);
	}
	c->runtime = mode;
	return 0;
}

/* -r RELEASE or -r BUILD-TREE: the kernel the script is compiled for. */
static int set_release(struct cli *c, const char *arg)
{
	char path[PATH_MAX];
	FILE *f;

	c->release = arg;
	if (!strchr(arg, '/'))
		return 0;
	snprintf(path, sizeof(path), "%s/include/config/kernel.release", arg);
	f = fopen(path, "r");
	if (!f)
		return cli_die("cannot read the kernel release of build tree %s (%s): %s", arg, path, strerror(errno));
	if (fgets(c->release_buf, sizeof(c->release_buf), f))
		c->release_buf[strcspn(c->release_buf, "\n")] = 0;
	fclose(f);
	c->release = c->release_buf;
	return 0;
}

/* -s NUM: buffer megabytes, in stap's range */
static int set_buffer_mb(struct cli *c, const char *arg)
{
	char *end;
	unsigned long mb = strtoul(arg, &end, 10);

	if (*end || end == arg || mb < 1 || mb > 4095)
		return cli_die("Invalid buffer size (should be 1-4095).");
	c->buffer_kb = (uint32_t)mb * 1024;
	return 0;
}

static int set_prologue(const char *when)
{
	if (when && strcmp(when, "always") && strcmp(when, "auto") && strcmp(when, "never"))
		return cli_die("Invalid argument '%s' for --prologue-searching.", when);
	return 0;   /* uprobes sit after the prologue already (DWARF breakpoints) */
}

int cli_parse_args(struct cli *c, int argc, char **argv)
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
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "prologue-searching", optional_argument, NULL, OPT_PROLOGUE },
		{ "kernel-dir", required_argument, NULL, OPT_KERNEL_DIR },
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
				return cli_die_plain("Only one script can be given on the command line.");
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
		case 'i':
			if (c->ninputs == sizeof(c->inputs) / sizeof(c->inputs[0]))
				return cli_die("too many -i recordings (at most %zu)", sizeof(c->inputs) / sizeof(c->inputs[0]));
			c->inputs[c->ninputs++] = optarg;
			break;
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
				return cli_die("invalid -G argument '%s': expected NAME=VALUE", optarg);
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
				return cli_die("-a %s: staplet compiles for the machine it runs on (%s)", optarg, u.machine);
			break;
		/* stap's module build and its tapset coverage: nothing to keep, pass on or
		 * count when no module is built (-k -B -R -m -q), and uprobes are placed
		 * after the prologue already (-P) */
		case 'm':
			if (st_cli_module_name(optarg))
				return 1;
			c->module = optarg;
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
		case OPT_KERNEL_DIR: c->kernel_dir = optarg; break;
		case OPT_NO_GLOBALS: c->no_global_display = true; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") && strcmp(optarg, "text"))
				return cli_die("--format=%s: the formats are text and json", optarg);
			c->json = !strcmp(optarg, "json");
			break;
		case OPT_PROLOGUE:
			if (set_prologue(optarg))
				return 1;
			break;
		case 'd': break;
		case 'l': case 'L':
			c->list = (char)opt;
			c->list_pattern = optarg;
			break;        /* -d MODULE: symbols are read at run time */
		case 'h':
			if (!strcmp(argv[optind - 1], "--help"))
				st_cli_man(c->be->name);   /* returns when no page is installed */
			usage(c, stdout);
			exit(0);
		case 'V': printf("%s (staplet) 0.1\n", c->be->name); exit(0);
		default:
			if (optopt && strchr("ecxToSipIDGdlL", optopt))
				return cli_die("option -%c needs an argument", optopt);
			if (optopt)
				return cli_die("unknown option -%c (see %s --help)", optopt, c->be->name);
			return cli_die("unknown option '%s' (see %s --help)", argv[optind - 1], c->be->name);
		}
	}
	if (c->background && !c->output)
		return cli_die("-F without -o: staplet has no in-memory flight recorder; give -o FILE");
	if (c->background && c->mode != MODE_LIVE)
		return cli_die("-F runs a live script in the background: not with record or report");
	if (c->cmd && c->target) {
		fputs("You can't specify -c and -x together.\n", stderr);
		return 1;
	}
	if (c->size_opt && c->mode == MODE_RECORD)
		return cli_die("-S sizes the script's output files: use it live or with report -o FILE");
	if (c->size_opt && !c->output)
		return cli_die("You have to specify output FILE with '-S' option.");
	if (c->dump) {
		c->script_text = "probe never {}";   /* the tapset (stap: an empty script is an error) */
		c->no_warnings = true;
	}
	if (c->list) {
		/* -l/-L PP: elaborate `probe PP {}` and print what it resolves to */
		if (asprintf(&c->list_script, "probe %s {}", c->list_pattern) < 0)
			return cli_die("out of memory");
		c->script_text = c->list_script;
		c->no_warnings = true;
		c->unoptimized = true;   /* the empty body must not elide the probe */
	}
	if (!c->script_text && optind < argc && !(c->mode == MODE_REPORT && c->ninputs == 0 && 0))
		c->script_file = argv[optind++];
	c->argc = argc - optind;
	c->argv = argv + optind;
	return 0;
}
