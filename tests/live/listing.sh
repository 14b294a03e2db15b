# -l / -L: probe points matching a pattern, one per line, as stap prints them.
. "$(dirname "$0")/lib.sh"
check "-l syscall.open* lists syscall.openat" sh -c "perf-stap -l 'syscall.open*' | grep -qx syscall.openat"
check "-L syscall.read: stap's variables" test "$(perf-stap -L syscall.read)" = \
	"syscall.read name:string fd:long buf_uaddr:long count:long argstr:string"
# tracepoints: their TP_PROTO arguments with stap's type names (from BTF);
# an alias: its locals first, then the $variables of what it resolves to
check "-L sched_switch: \$prev:struct task_struct* and the rest, as stap" test \
	"$(perf-stap -L 'kernel.trace("sched:sched_switch")')" = \
	'kernel.trace("sched:sched_switch") $preempt:bool $prev:struct task_struct* $next:struct task_struct* $prev_state:unsigned int'
check "-L scheduler.cpu_on: locals, then sched_switch's \$variables" test \
	"$(perf-stap -L scheduler.cpu_on)" = \
	'scheduler.cpu_on name:string task_prev:long idle:long $preempt:bool $prev:struct task_struct* $next:struct task_struct* $prev_state:unsigned int'
perf-stap -l 'nosuch.point' >"$TMP/o" 2>&1
rc=$?
check "-l without a match: status 1, no output" test $rc -eq 1 -a ! -s "$TMP/o"
# tapset aliases list by the alias name matched, as stap lists them, once each
check "-l scheduler.* lists alias names" test "$(perf-stap -l 'scheduler.cpu_o*' | tr '\n' ' ')" = "scheduler.cpu_off scheduler.cpu_on "
check "-l kprocess.exec lists kprocess.exec once" test "$(perf-stap -l kprocess.exec)" = "kprocess.exec"
check "-l perf.sw.cpu_clock lists the alias" test "$(perf-stap -l 'perf.sw.cpu_cl*')" = "perf.sw.cpu_clock"
# --dump-*: what staplet offers, sorted, once each
perf-stap --dump-probe-types >"$TMP/types"
check "--dump-probe-types lists kernel.trace(string) and process(string).mark(string)" \
	sh -c "grep -qx 'kernel.trace(string)' '$TMP/types' && grep -qx 'process(string).mark(string)' '$TMP/types'"
check "--dump-probe-types is sorted and unique" sh -c "LC_ALL=C sort -uc '$TMP/types'"
perf-stap --dump-probe-aliases >"$TMP/aliases"
check "--dump-probe-aliases: scheduler.cpu_off = its tracepoint" grep -qx 'scheduler.cpu_off = kernel.trace("sched:sched_switch")' "$TMP/aliases"
check "--dump-probe-aliases: epilogue aliases with +=" grep -qx 'oneshot += begin' "$TMP/aliases"
perf-stap --dump-functions >"$TMP/funcs"
check "--dump-functions: tapset functions with their declared types" grep -qx 'thread_indent:string (delta:long)' "$TMP/funcs"
check "--dump-functions: builtins with stap's parameter names" grep -qx 'strlen:long (s:string)' "$TMP/funcs"
check "--dump-functions: each arity of a builtin its own names" sh -c "grep -qx 'tokenize:string (delim:string)' '$TMP/funcs' && grep -qx 'tokenize:string (input:string, delim:string)' '$TMP/funcs'"
check "--dump-functions: no builtin left with argN names" sh -c "! grep -q 'arg[0-9]:' '$TMP/funcs'"
check "--dump-functions lists no private (_) functions" sh -c "! grep -q '^_' '$TMP/funcs'"
# pn(): the script-level point; pp(): what it resolved to
out=$(perf-stap -e 'probe scheduler.cpu_of* { printf("%s | %s\n", pn(), pp()); exit() }' 2>&1 | head -1)
check "pn() of an alias matched by a wildcard ($out)" test "$out" = 'scheduler.cpu_off | kernel.trace("sched:sched_switch")'
