/* cli_int.h - what cli.c, cli_args.c, cli_compile.c and cli_run.c share:
 * the parsed command line and each part's entry points.  Private to the
 * command line. */
#ifndef ST_RUNTIME_CLI_INT_H
#define ST_RUNTIME_CLI_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "frontend/base_types.h"
#include "frontend/frontend.h"
#include "runtime/backend.h"
#include "runtime/control.h"
#include "runtime/dump.h"

enum mode { MODE_LIVE, MODE_RECORD, MODE_REPORT };

struct cli {
	const struct st_backend *be;
	const struct st_backend *const *readers;   /* report: the formats it reads, NULL: be's */
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
	struct st_target child;       /* -c CMD */
	uint64_t timeout_ms;          /* -T */
	const char *output;           /* -o */
	const char *size_opt;         /* -S SIZE[,N] as given */
	uint64_t size_max;            /* -S SIZE, in bytes */
	uint32_t fnum_max;            /* -S ...,N */
	const char *inputs[64];       /* -i, repeated: one report over them all */
	uint32_t ninputs;
	const char *compatible;       /* --compatible=VER */
	int last_pass;                /* -p */
	int verbose;
	bool guru, no_warnings, unoptimized, suppress_errors, timing;
	bool werror;                  /* -W */
	bool no_global_display;       /* --no-global-var-display */
	bool json;                    /* --format=json: the globals as one JSON document at the end */
	bool example;                 /* --example: FILE names one of stap's examples */
	char example_path[PATH_MAX];  /* where --example found it */
	const char *runtime;          /* --runtime=, --bpf: what %( runtime == ... %) sees */
	const char *release;          /* -r RELEASE (or a build tree's release) */
	const char *module;           /* -m NAME: with -p4, the plan file to write */
	bool plan_run;                /* `run NAME`: the script is a plan file */
	const char *kernel_dir;       /* --kernel-dir DIR: -r's kernel package, unpacked */
	const char *btf_path;         /* -r another kernel: its BTF */
	bool other_kernel;            /* -r names another kernel than this one */
	char release_buf[256];        /* a build tree's release, read from it */
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

/* cli.c */
/* "ERROR: " and the message on stderr; returns 1 (the exit status) */
int cli_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* stap's option errors have no ERROR: prefix */
int cli_die_plain(const char *msg);
/* The script's name and text (FILE, -e, --example, with -E after it). */
int cli_load_script(struct cli *c, const char **name, const char **text);

/* cli_args.c: 0, or 1 after the message */
int cli_parse_args(struct cli *c, int argc, char **argv);

/* cli_compile.c: passes 1-3.  0 with *progp and *planp set, -1 when the
 * run stops after an earlier pass as asked (-p, -l, --dump-*), 1 on error. */
struct st_catalog;
struct st_program;
struct st_plan;
int cli_compile(struct cli *c, const char *name, const char *text, int argc, char **argv,
		struct st_catalog *catalog, struct st_program **progp, struct st_plan **planp);

/* cli_run.c: the exit status */
int cli_run_live(struct cli *c, struct st_plan *plan);
int cli_run_record(struct cli *c, struct st_plan *plan, const char *name, const char *text);
int cli_run_report(struct cli *c);
/* `run NAME`, or a plan where the script goes */
int cli_run_plan(struct cli *c);

#endif
