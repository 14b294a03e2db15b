# The task context at the event: a child that takes other credentials,
# calls getppid() once and exits at once (ctx_target creds) has its uid(),
# euid(), gid(), egid(), ppid(), pexecname(), cmdline_str(), pgrp(), sid()
# exact live and in both recordings (perf: a companion BPF program reads
# them at the event; trace-cmd: ppid() and pexecname() from the forks it
# follows, and one notice before the run for the rest).  Statement probe
# context (ppfunc(), pp(), $$vars) and user memory behind uprobe arguments
# ($argv[0], $r->next->name) with both backends.
. "$(dirname "$0")/lib.sh"
T=$(cd "$W" && pwd)/ctx_target
S='probe syscall.getppid { if (execname() != "ctx_target" || pid() == target()) next
	printf("uid=%d euid=%d gid=%d egid=%d ppid=%d pexecname=%s cmdline=[%s] arg1=[%s] pgrp=%d sid=%d\n",
	       uid(), euid(), gid(), egid(), ppid() == target(), pexecname(), cmdline_str(), cmdline_arg(1), pgrp(), sid()) }'
want() {   # want OUT: the child's line, with the pgrp and sid ctx_target printed
	local ids
	ids=$(sed -n 's/^pgrp=\([0-9]*\) sid=\([0-9]*\)$/pgrp=\1 sid=\2/p' "$1")
	[ -n "$ids" ] && grep -qx "uid=65534 euid=65533 gid=65534 egid=65533 ppid=1 pexecname=ctx_target cmdline=\[$T creds\] arg1=\[creds\] $ids" "$1"
}
perf stap -c "$T creds" -e "$S" >"$TMP/p.out" 2>"$TMP/p.err"
check "perf stap: credentials, parent, command line of an exited task ($(grep uid= "$TMP/p.out"))" want "$TMP/p.out"
check "perf stap: no late /proc read warning" test ! -s "$TMP/p.err"
perf stap record -o "$TMP/c.data" -c "$T creds" -e "$S" >"$TMP/pr.out" 2>"$TMP/pr.err"
perf stap report -i "$TMP/c.data" >"$TMP/prr.out" 2>&1
grep '^pgrp=' "$TMP/pr.out" >>"$TMP/prr.out"
check "perf stap record -> report: the same ($(grep uid= "$TMP/prr.out"))" want "$TMP/prr.out"

# trace-cmd: no BPF; the parent from the fork it saw, the rest said once
TW="uid=0 euid=0 gid=0 egid=0 ppid=1 pexecname=ctx_target cmdline=\[\] arg1=\[\] pgrp=0 sid=0"
trace-cmd stap -c "$T creds" -e "$S" >"$TMP/t.out" 2>"$TMP/t.err"
# (the rest: right when the handler ran before the child exited, else 0 or "")
check "trace-cmd stap: ppid() and pexecname() of an exited task ($(grep uid= "$TMP/t.out"))" \
	grep -Eqx "uid=(65534|0) euid=(65533|0) gid=(65534|0) egid=(65533|0) ppid=1 pexecname=ctx_target .*" "$TMP/t.out"
check "trace-cmd stap: one notice before the run, no late-read warning" \
	test "$(grep -c 'trace-cmd stap reads uid(), euid(), gid(), egid(), ppid(), pgrp(), sid(), pexecname(), cmdline_str() when the handler runs' "$TMP/t.err")" = 1 -a \
	"$(grep -c 'exited before the handler' "$TMP/t.err")" = 0
trace-cmd stap record -o "$TMP/c.dat" -c "$T creds" -e "$S" >/dev/null 2>&1
trace-cmd stap report -i "$TMP/c.dat" >"$TMP/tr.out" 2>"$TMP/tr.err"
check "trace-cmd stap record -> report: ppid() and pexecname() ($(grep uid= "$TMP/tr.out"))" grep -qx "$TW" "$TMP/tr.out"

# a .statement probe: the function, the resolved point, the variables in
# scope with their values there (i counts 0, 1 in each of 2 calls)
L=$(grep -n 'STMT \*/' "$(dirname "$0")/../workload/ctx_target.c" | cut -d: -f1)
SRC=$(cd "$(dirname "$0")/../workload" && pwd)/ctx_target.c
S2="probe process(\"$T\").statement(\"*@ctx_target.c:$L\") {
	printf(\"%s|%s|%s|%s|%s|%d\\n\", ppfunc(), probefunc(), pp(), \$\$parms, \$\$locals, \$i) }"
for b in perf trace-cmd; do
	$b stap -c "$T uprobe 2" -e "$S2" >"$TMP/s.$b" 2>&1
	sed -i 's/r=0x[0-9a-f]*/r=ADDR/' "$TMP/s.$b"
	WS="handle|handle|process(\"$T\").statement(\"handle@$SRC:$L\")|r=ADDR n=0x2"
	check "$b stap: ppfunc(), pp(), \$\$parms, \$\$locals at a statement ($(head -1 "$TMP/s.$b"))" test "$(cat "$TMP/s.$b")" = \
"$WS|i=0x0 total=0x0|0
$WS|i=0x1 total=0xa|1
$WS|i=0x0 total=0x0|0
$WS|i=0x1 total=0xa|1"
done
perf stap -c "$T uprobe 1" -e "probe process(\"$T\").statement(\"handle@ctx_target.c:$L\") { println(\$\$vars) }" >"$TMP/v.out" 2>&1
sed -i 's/r=0x[0-9a-f]*/r=ADDR/' "$TMP/v.out"
check "\$\$vars: the innermost scope first ($(head -1 "$TMP/v.out"))" test "$(head -1 "$TMP/v.out")" = "i=0x0 r=ADDR n=0x2 total=0x0"

# user memory behind arguments, read at the event by fetch arguments
S3="probe process(\"$T\").function(\"main\") { printf(\"[%s] %d\\n\", user_string(\$argv[0]), \$argc) }
probe process(\"$T\").function(\"handle\") { printf(\"%d %d %s %s %d %s %s\\n\", \$r->id, \$r->size, user_string(\$r->name),
	user_string(\$r->tag), \$r->next->size, user_string(\$r->next->name), user_string(\$r->next->tag)) }"
W3="[$T] 3
8 10 beta second 4096 alpha tagged"
for b in perf trace-cmd; do
	$b stap -c "$T uprobe 1" -e "$S3" >"$TMP/u.$b" 2>&1
	check "$b stap: user_string(\$argv[0]), \$r->next->size, user_string(\$r->next->name)" test "$(cat "$TMP/u.$b")" = "$W3"
	$b stap record -o "$TMP/u.rec.$b" -c "$T uprobe 1" -e "$S3" >/dev/null 2>&1
	$b stap report -i "$TMP/u.rec.$b" >"$TMP/ur.$b" 2>&1
	check "$b stap record -> report: the same user memory" test "$(cat "$TMP/ur.$b")" = "$W3"
done
perf stap -e "probe process(\"$T\").function(\"handle\") { println(\$r->nope) }" >"$TMP/e.out" 2>&1
check "an unknown member is a semantic error" grep -q '^semantic error: unable to find member nope' "$TMP/e.out"
no_leftovers "task_context"
