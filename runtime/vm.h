/* vm.h - the handler VM: runs a plan's bytecode against events, owns the
 * script's globals, and formats output. */
#ifndef ST_RUNTIME_VM_H
#define ST_RUNTIME_VM_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include "lowering/plan.h"
#include "runtime/event.h"
#include "runtime/print.h"
#include "runtime/map.h"
#include "runtime/value.h"

struct tep_event;
struct st_output;

/* How to read one raw field out of a source's records. */
struct st_field_acc {
	uint16_t offset, size;
	bool is_signed;
	bool is_string;         /* char[N] */
	bool is_dataloc;        /* __data_loc char[] */
	bool present;
};

struct st_gslot {
	st_value v;             /* scalar long / string (owned copy in sbuf) */
	char *sbuf;
	struct st_map *map;     /* arrays */
	struct st_stat stat;    /* scalar statistics */
};

enum st_vm_status {
	ST_VM_OK = 0,
	ST_VM_NEXT,             /* `next` left the handler */
	ST_VM_ERROR,            /* run-time error: vm->errmsg, vm->errloc */
	ST_VM_ABORT,            /* abort(): leave at once, uncatchable */
};

/* Warnings a run gives once (st_vm.said). */
enum {
	ST_VM_SAID_NO_TASKCTX = 1u << 0,   /* a recording without task context */
	ST_VM_SAID_TASK_GONE = 1u << 1,    /* a task exited before /proc was read */
	ST_VM_SAID_NO_PROC_MEM = 1u << 2,  /* a recording without memory counters */
};

struct st_vm {
	const struct st_plan *plan;
	struct st_limits limits;
	struct st_gslot *globals;
	struct st_arena arena;          /* handler-lifetime strings */
	st_value *stack;                /* register frames */
	size_t stack_cap, stack_top;
	uint32_t depth;                 /* call nesting */
	int64_t actions_left;

	/* context of the running handler */
	const struct st_event *ev;
	const struct st_plan_probe *probe;
	struct st_field_acc **fields;   /* [source][field] */
	uint64_t now_mono;              /* the handler's time, CLOCK_MONOTONIC ns */
	int64_t wall_offset_ns;
	int64_t target_pid;
	const char *self_comm;          /* execname() outside events */
	const char *host;               /* hostname(): the machine the event happened on */
	int32_t self_pid;
	bool live;                      /* events from the running kernel: /proc and kernel memory are
					 * read at handler time (a replay has neither) */
	unsigned said;                  /* the once-a-run warnings given (ST_VM_SAID_*) */

	/* output */
	struct st_buf out;
	FILE *outf;
	struct st_output *output;       /* -o FILE: writes go here, switch_file() switches it */
	bool flush_each;                /* -S: each handler's output is one write, sized as stap's messages */

	/* errors */
	char errmsg[512];
	const struct st_insn_loc *errloc;
	bool err_noloc;                 /* error(): stap clears last_stmt, so no "near" */
	uint64_t nerrors;

	/* regex cache (per plan string) and the last match */
	regex_t **regex;
	regmatch_t match[10];
	const char *match_subject;
	uint32_t match_n;

	/* @entry values pending their return (vm_entry.c) */
	struct st_vm_entry *entry;

	/* kernel strings handed out as handles (vm_kstr.c) */
	struct st_vm_kstr *kstr;

	/* task context captured at events (taskctx.h), NULL: none */
	struct st_taskctx *taskctx;
	/* the processes the run follows (proctree.h), NULL: none */
	const struct st_proctree *tree;

	/* tokenize() state */
	char *tok_buf;
	char *tok_pos;
};

int st_vm_init(struct st_vm *vm, const struct st_plan *plan, const struct st_limits *limits, FILE *out);
void st_vm_free(struct st_vm *vm);
/* Resolve the raw fields every source's handlers read against the source's
 * record layout (NULL: none available, fields read as 0 / ""). */
void st_vm_bind_source(struct st_vm *vm, uint32_t source, struct tep_event *fmt);
/* Run one probe's handler for ev (NULL for begin/end/timers). */
enum st_vm_status st_vm_run_probe(struct st_vm *vm, const struct st_plan_probe *probe, const struct st_event *ev);
/* Print "ERROR: ..." for the last error, stap's way. */
void st_vm_report_error(struct st_vm *vm, FILE *err);
/* Print the globals that were written but never read, as stap does at exit. */
void st_vm_print_globals(struct st_vm *vm);
/* --format=json: every global's value as one JSON document (vm_json.c). */
void st_vm_print_json(struct st_vm *vm);
void st_vm_flush(struct st_vm *vm);

#endif
