/* builtin_params.c - the parameter names of the builtins, for
 * --dump-functions: stap's names where stap has the function (its
 * signatures name them), ours for the few it lacks. */
#include <stdlib.h>
#include <string.h>
#include "tapset/builtins.h"

struct params {
	const char *fn;
	int nargs;
	const char *name[4];
};

/* sorted by function name, then arity */
static const struct params params[] = {
	{ "abs", 1, { "x" } },
	{ "addr_to_node", 1, { "addr" } },
	{ "cmdline_arg", 1, { "n" } },
	{ "cmdline_args", 3, { "n", "m", "delim" } },
	{ "cpu_clock_ms", 1, { "cpu" } },
	{ "cpu_clock_ns", 1, { "cpu" } },
	{ "cpu_clock_s", 1, { "cpu" } },
	{ "cpu_clock_us", 1, { "cpu" } },
	{ "ctime", 1, { "epochsecs" } },
	{ "env_var", 1, { "name" } },
	{ "errno_str", 1, { "err" } },
	{ "error", 1, { "msg" } },
	{ "int_arg", 1, { "argnum" } },
	{ "isdigit", 1, { "str" } },
	{ "isinstr", 2, { "s1", "s2" } },
	{ "kernel_char", 1, { "addr" } },
	{ "kernel_int", 1, { "addr" } },
	{ "kernel_long", 1, { "addr" } },
	{ "kernel_pointer", 1, { "addr" } },
	{ "kernel_short", 1, { "addr" } },
	{ "kernel_string", 1, { "addr" } },
	{ "kernel_string2", 2, { "addr", "err_msg" } },
	{ "kernel_string_n", 2, { "addr", "n" } },
	{ "log", 1, { "msg" } },
	{ "long_arg", 1, { "argnum" } },
	{ "matched", 1, { "n" } },
	{ "modname", 1, { "addr" } },
	{ "pid2task", 1, { "pid" } },
	{ "pointer_arg", 1, { "argnum" } },
	{ "print_stack", 1, { "stk" } },
	{ "print_syms", 1, { "callers" } },
	{ "print_ustack", 1, { "stk" } },
	{ "print_usyms", 1, { "callers" } },
	{ "proc_mem_data", 1, { "pid" } },
	{ "proc_mem_rss", 1, { "pid" } },
	{ "proc_mem_shr", 1, { "pid" } },
	{ "proc_mem_size", 1, { "pid" } },
	{ "proc_mem_txt", 1, { "pid" } },
	{ "randint", 1, { "n" } },
	{ "register", 1, { "name" } },
	{ "s32_arg", 1, { "argnum" } },
	{ "s64_arg", 1, { "argnum" } },
	{ "sprint_stack", 1, { "stk" } },
	{ "sprint_syms", 1, { "callers" } },
	{ "sprint_ustack", 1, { "stk" } },
	{ "sprint_usyms", 1, { "callers" } },
	{ "stack", 1, { "n" } },
	{ "str_replace", 3, { "prnt_str", "srch_str", "rplc_str" } },
	{ "string_quoted", 1, { "str" } },
	{ "stringat", 2, { "str", "pos" } },
	{ "strlen", 1, { "s" } },
	{ "strpos", 2, { "s1", "s2" } },
	{ "strtol", 2, { "str", "base" } },
	{ "substr", 3, { "str", "start", "length" } },
	{ "symdata", 1, { "addr" } },
	{ "symfileline", 1, { "addr" } },
	{ "symname", 1, { "addr" } },
	{ "system", 1, { "cmd" } },
	{ "task_cpu", 1, { "task" } },
	{ "task_execname", 1, { "task" } },
	{ "task_gid", 1, { "task" } },
	{ "task_nice", 1, { "task" } },
	{ "task_open_file_handles", 1, { "task" } },
	{ "task_parent", 1, { "task" } },
	{ "task_pid", 1, { "task" } },
	{ "task_ppid", 1, { "task" } },
	{ "task_prio", 1, { "task" } },
	{ "task_state", 1, { "task" } },
	{ "task_stime", 1, { "tid" } },
	{ "task_tid", 1, { "task" } },
	{ "task_uid", 1, { "task" } },
	{ "task_utime", 1, { "tid" } },
	{ "text_str", 1, { "input" } },
	{ "text_strn", 3, { "input", "len", "quoted" } },
	{ "tokenize", 1, { "delim" } },
	{ "tokenize", 2, { "input", "delim" } },
	{ "tolower", 1, { "str" } },
	{ "toupper", 1, { "str" } },
	{ "tz_ctime", 1, { "epochsecs" } },
	{ "u32_arg", 1, { "argnum" } },
	{ "u64_arg", 1, { "argnum" } },
	{ "u_register", 1, { "name" } },
	{ "uint_arg", 1, { "argnum" } },
	{ "ulong_arg", 1, { "argnum" } },
	{ "umodname", 1, { "addr" } },
	{ "user_char", 1, { "addr" } },
	{ "user_int", 1, { "addr" } },
	{ "user_int16", 1, { "addr" } },
	{ "user_int32", 1, { "addr" } },
	{ "user_int64", 1, { "addr" } },
	{ "user_int8", 1, { "addr" } },
	{ "user_long", 1, { "addr" } },
	{ "user_short", 1, { "addr" } },
	{ "user_string", 1, { "addr" } },
	{ "user_string", 2, { "addr", "err_msg" } },
	{ "user_string2", 2, { "addr", "err_msg" } },
	{ "user_string_n", 2, { "addr", "n" } },
	{ "user_string_n_quoted", 2, { "addr", "n" } },
	{ "user_string_quoted", 1, { "addr" } },
	{ "user_string_warn", 1, { "addr" } },
	{ "user_uint16", 1, { "addr" } },
	{ "user_uint32", 1, { "addr" } },
	{ "user_uint64", 1, { "addr" } },
	{ "user_uint8", 1, { "addr" } },
	{ "user_ushort", 1, { "addr" } },
	{ "ustack", 1, { "n" } },
	{ "usymdata", 1, { "addr" } },
	{ "usymfileline", 1, { "addr" } },
	{ "usymname", 1, { "addr" } },
	{ "warn", 1, { "msg" } },
};

static int cmp(const void *key, const void *elem)
{
	const struct st_builtin *b = key;
	const struct params *p = elem;
	int c = strcmp(b->name, p->fn);

	return c ? c : b->nargs - p->nargs;
}

const char *st_builtin_param_name(const struct st_builtin *b, int i)
{
	const struct params *p = bsearch(b, params, sizeof(params) / sizeof(params[0]), sizeof(params[0]), cmp);

	return p && i >= 0 && i < 4 ? p->name[i] : NULL;
}
