# User-space probes: process("PATH").function/.return/.mark/.plt/.begin with
# exact counts and argument values, live and record -> report, with both
# backends; nothing left in uprobe_events after each run, SIGINT included.
. "$(dirname "$0")/lib.sh"
T=$(cd "$W" && pwd)/uprobe_target
N=50
# For i < N: add(i, 2i) = 3i; tick(i, 3i); greet("hello", i) when i % 10 == 0.
S="global n, s, r, t, g, last
probe process(\"$T\").function(\"add\") { n++; s += \$a + \$b }
probe process(\"$T\").function(\"add\").return { r += \$return }
probe process(\"$T\").mark(\"tick\") { t += \$arg2 - \$arg1 }
probe process(\"$T\").function(\"greet\") { g++; last = sprintf(\"%s/%d\", user_string(\$who), \$times) }
probe process(\"$T\").mark(\"done\") { printf(\"done %d\\n\", \$arg1) }
probe end { printf(\"n=%d s=%d r=%d t=%d g=%d last=%s\\n\", n, s, r, t, g, last) }"
# Other runs may share this machine: only our uprobe events are checked here
# (lib.sh's no_leftovers also counts other sessions' instances and processes).
no_uprobes() {   # no_uprobes NAME: no uprobe event of a finished run is left
	local g left=""
	for g in $(sed -n 's/^[pr]:\(staplet_[0-9]*\)\/.*/\1/p' /sys/kernel/tracing/uprobe_events 2>/dev/null | sort -u); do
		dead_owner "$g" && left="$left $g"
	done
	if [ -n "$left" ]; then
		fail "$1: uprobe events left behind" "$left"
	else
		pass "$1: no uprobe events left"
	fi
}
WANT="n=$N s=3675 r=3675 t=2450 g=5 last=hello/40"

expect() {   # expect FILE: the exact report
	grep -qx "$WANT" "$1" && grep -qx "done $N" "$1"
}

perf stap -c "$T $N" -e "$S" >"$TMP/p.out" 2>"$TMP/p.err"
check "perf stap live function/return/mark/user_string" expect "$TMP/p.out"
no_uprobes "perf stap uprobes live"
trace-cmd stap -c "$T $N" -e "$S" >"$TMP/t.out" 2>"$TMP/t.err"
check "trace-cmd stap live function/return/mark/user_string" expect "$TMP/t.out"
no_uprobes "trace-cmd stap uprobes live"

perf stap record -o "$TMP/u.data" -c "$T $N" -e "$S" >/dev/null 2>"$TMP/pr.err"
perf stap report -i "$TMP/u.data" >"$TMP/pr.out" 2>&1
check "perf stap record -> report" expect "$TMP/pr.out"
no_uprobes "perf stap uprobes record"
n=$(perf script -i "$TMP/u.data" 2>/dev/null | grep -c 'f_add_')
check "perf script reads our uprobe events ($n)" test "$n" -eq $N
trace-cmd stap record -o "$TMP/u.dat" -c "$T $N" -e "$S" >/dev/null 2>"$TMP/tr.err"
trace-cmd stap report -i "$TMP/u.dat" >"$TMP/tr.out" 2>&1
check "trace-cmd stap record -> report" expect "$TMP/tr.out"
no_uprobes "trace-cmd stap uprobes record"
# another script over the recording, and the other backend's reader
perf stap report -i "$TMP/u.data" -e "global c probe process(\"$T\").function(\"add\") { c++ } probe end { printf(\"c=%d\\n\", c) }" >"$TMP/pr2.out" 2>&1
check "report with another script" grep -qx "c=$N" "$TMP/pr2.out"

# relative path through \$PATH, globs, .call, statement, plt, process(PATH).begin
S2="global f, b, p, st
probe process(\"uprobe_target\").function(\"gre*\").call { f++ }
probe process(\"uprobe_target\").begin { b++ }
probe process(\"uprobe_target\").plt(\"strlen\") { p++ }
probe process(\"uprobe_target\").statement(\"main@uprobe_target.c:48\") { st++ }
probe end { printf(\"f=%d b=%d p=%d st=%d\\n\", f, b, p, st) }"
PATH="$(dirname "$T"):$PATH" perf stap -c "$T $N" -e "$S2" >"$TMP/r.out" 2>&1
check "PATH lookup, glob, .call, .begin, .plt, .statement" grep -qx "f=5 b=1 p=5 st=$N" "$TMP/r.out"
no_uprobes "perf stap uprobes misc"
# a bare name on no $PATH directory: the file in the current directory, as
# stap resolves it (execvp's search, then the name as given)
(cd "$(dirname "$T")" && PATH="$STAPLET_BUILD/bin:/usr/bin:/bin" perf stap -c "./uprobe_target 7" \
	-e 'global n probe process("uprobe_target").function("add") { n++ } probe end { printf("n=%d\n", n) }') >"$TMP/cwd.out" 2>&1
check "process(\"a.out\") in the current directory ($(tail -1 "$TMP/cwd.out"))" grep -qx "n=7" "$TMP/cwd.out"
# $$name: the PLT entry's or the mark's name, as stap gives it
perf stap -c "$T 3" -e "global pn, mn probe process(\"$T\").plt(\"strlen\") { pn = \$\$name }
probe process(\"$T\").mark(\"done\") { mn = \$\$name } probe end { printf(\"%s %s\\n\", pn, mn) }" >"$TMP/nm.out" 2>&1
check "\$\$name in .plt and .mark probes ($(tail -1 "$TMP/nm.out"))" grep -qx "strlen done" "$TMP/nm.out"

# a library: libc's atol (or strtol, when the compiler inlined atol), called
# once by the target's main
LIBC=$(ldd "$T" | awk '/libc.so/ { print $3 }')
perf stap -c "$T 3" -e "global a, b probe process(\"$LIBC\").function(\"atol\") { if (execname() == \"uprobe_target\") a++ }
probe process(\"$LIBC\").function(\"strtol\") { if (execname() == \"uprobe_target\") b++ } probe end { printf(\"atol=%d strtol=%d\\n\", a, b) }" >"$TMP/l.out" 2>&1
check "library function probe" grep -Eqx "atol=1 strtol=[01]|atol=0 strtol=1" "$TMP/l.out"

# -p3 shows the uprobe definition; an unknown function is an error; '?' skips it
perf stap -p3 -e "probe process(\"$T\").function(\"greet\") { println(user_string(\$who), \$times) }" >"$TMP/p3.out" 2>&1
check "-p3 shows fetch args" grep -q 'str_p_who=+0(%di):ustring p_times=%si:s32' "$TMP/p3.out"
perf stap -p2 -e "probe process(\"$T\").function(\"no_such_fn\") { }" >"$TMP/e.out" 2>&1
check "unknown function is an error" test $? -ne 0
perf stap -c "$T 1" -e "probe process(\"$T\").function(\"no_such_fn\")? { } probe end { println(\"ok\") }" >"$TMP/o.out" 2>&1
check "optional unknown function is skipped" grep -qx ok "$TMP/o.out"

# SIGINT while attached: end probes run, nothing left
for tool in perf-stap trace-cmd-stap; do
	$tool -e "global n probe process(\"$T\").function(\"add\") { n++ } probe end { printf(\"end ran\\n\") }" >"$TMP/sig.out" 2>&1 &
	pid=$!
	sleep 1
	grep -q "staplet_$pid/" /sys/kernel/tracing/uprobe_events
	check "$tool: uprobe event exists while attached" test $? -eq 0
	kill -INT $pid
	wait $pid
	check "$tool SIGINT runs end probes" grep -qx "end ran" "$TMP/sig.out"
	no_uprobes "$tool uprobes SIGINT"
done

# a dead run's leftovers are removed by the next run
sh -c 'exit 0' & dead=$!; wait $dead
echo "p:staplet_$dead/f_stale $T:0x$(printf %x $(($(nm "$T" | awk '$3 == "add" { print "0x" $1 }'))))" >>/sys/kernel/tracing/uprobe_events 2>/dev/null
perf stap -c "$T 1" -e "probe process(\"$T\").function(\"add\") { n++ }" >/dev/null 2>&1
no_uprobes "stale events of dead run $dead"

# @entry and parameters in .return probes: a paired entry uprobe pushes them
# per thread; recursion pairs each return with its own call (LIFO)
S3="global s, e, st
probe process(\"$T\").function(\"add\").return { s += \$a + \$b; e += @entry(\$a * 10) }
probe process(\"$T\").function(\"greet\").return { st = sprintf(\"%s/%d/%d\", user_string(\$who), \$times, \$return) }
probe process(\"$T\").function(\"depth_sum\").return { printf(\"%d:%d:%d \", \$n, @entry(\$n + 100), \$return) }
probe end { printf(\"\\ns=%d e=%d st=%s\\n\", s, e, st) }"
WANT3="0:100:0 1:101:1 2:102:3 3:103:6 4:104:10 5:105:15 
s=3675 e=12250 st=hello/40/200"
entry_ok() { test "$(cat "$1")" = "$WANT3"; }
perf stap -c "$T $N" -e "$S3" >"$TMP/en.out" 2>&1
check "perf stap @entry / .return params / recursion" entry_ok "$TMP/en.out"
trace-cmd stap -c "$T $N" -e "$S3" >"$TMP/en2.out" 2>&1
check "trace-cmd stap @entry / .return params / recursion" entry_ok "$TMP/en2.out"
perf stap record -o "$TMP/en.data" -c "$T $N" -e "$S3" >/dev/null 2>&1
perf stap report -i "$TMP/en.data" >"$TMP/en3.out" 2>&1
check "perf stap @entry record -> report" entry_ok "$TMP/en3.out"
trace-cmd stap record -o "$TMP/en.dat" -c "$T $N" -e "$S3" >/dev/null 2>&1
trace-cmd stap report -i "$TMP/en.dat" >"$TMP/en4.out" 2>&1
check "trace-cmd stap @entry record -> report" entry_ok "$TMP/en4.out"
no_uprobes "@entry runs"

# $$parms / $$vars / $$return / $x$ in stap's "name=0x…" form; in .return
# probes the parameters are the entry's
S4="probe process(\"$T\").function(\"greet\") { if (\$times == 10) println(\$\$parms, \"|\", \$times\$) }
probe process(\"$T\").function(\"square_u\").return { println(\$\$parms, \"|\", \$\$vars, \"|\", \$\$return, \"|\", \$x\$) }"
pretty_ok() { sed 's/who=0x[0-9a-f]\{6,\}/who=PTR/' "$1" | tr '\n' ';' | grep -qx "who=PTR times=0xa|10;x=0x7|x=0x7|return=0x31|7;"; }
perf stap -c "$T 11" -e "$S4" >"$TMP/pp.out" 2>&1
check "perf stap \$\$parms \$\$vars \$\$return \$x\$" pretty_ok "$TMP/pp.out"
trace-cmd stap record -o "$TMP/pp.dat" -c "$T 11" -e "$S4" >/dev/null 2>&1
trace-cmd stap report -i "$TMP/pp.dat" >"$TMP/pp2.out" 2>&1
check "trace-cmd stap \$\$parms record -> report" pretty_ok "$TMP/pp2.out"
no_uprobes "pretty runs"

# dwarfless arguments by the calling convention, and @uregister (DWARF numbers:
# 5 = rdi, 4 = rsi), at add(3, 6) and greet("hello", 30)
S4="probe process(\"$T\").function(\"add\") { if (\$a == 3) printf(\"%d %d %d %d %d %d\\n\", int_arg(1), uint_arg(2), long_arg(2), s32_arg(1), u64_arg(2), @uregister(4)) }
probe process(\"$T\").function(\"greet\") { if (int_arg(2) == 30) printf(\"%d %d %d\\n\", pointer_arg(1) == \$who, u32_arg(2), @uregister(5) == pointer_arg(1)) }"
for b in perf trace-cmd; do
	$b stap -g -c "$T 50" -e "$S4" >"$TMP/a.$b" 2>&1
	check "$b stap *_arg(N) and @uregister at uprobes" test "$(cat "$TMP/a.$b")" = "3 6 6 3 6 6
1 30 1"
done
perf stap record -g -o "$TMP/a.data" -c "$T 50" -e "probe process(\"$T\").function(\"add\") { if (\$a == 3) printf(\"%d %d\\n\", long_arg(1), @uregister(4)) }" >/dev/null 2>&1
check "*_arg(N) record -> report" test "$(perf stap report -g -i "$TMP/a.data" 2>/dev/null)" = "3 6"
no_uprobes "uprobe args"
