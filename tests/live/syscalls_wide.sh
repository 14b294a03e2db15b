# syscall.* through one raw_syscalls event per CPU: exact counts live and
# record -> report, and a run that does not take 18 s to tear down (one
# perf event per syscall tracepoint did).  Bounds are generous on purpose.
. "$(dirname "$0")/lib.sh"
N=2345
WL="$W/getppid_loop $N"
S='global n probe syscall.* { if (pid() == target()) n[name]++ } probe end { printf("getppid %d\n", n["getppid"]) }'
R='global n probe syscall.*.return { if (pid() == target() && name == "getppid" && retval > 1) n++ } probe end { printf("returns %d\n", n) }'

secs() { date +%s.%N; }
within() { awk -v a="$1" -v b="$2" -v lim="$3" 'BEGIN { exit !(b - a <= lim) }'; }

t0=$(secs)
perf-stap -e "$S" -c "$WL" >"$TMP/live.out" 2>"$TMP/live.err"
t1=$(secs)
check "syscall.* live counts getppid exactly ($(cat "$TMP/live.out"))" grep -qx "getppid $N" "$TMP/live.out"
check "syscall.* live ends within $(scaled 5) s ($(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s)" within "$t0" "$t1" "$(scaled 5)"
no_leftovers "syscall.* live"

perf-stap -v -e "$S" -c "$WL" 2>&1 >/dev/null | grep -q 'served by raw_syscalls:sys_enter'
check "syscall.* is served by raw_syscalls" test $? = 0

t0=$(secs)
perf-stap record -o "$TMP/w.data" -e "$S" -c "$WL" >/dev/null 2>"$TMP/rec.err"
t1=$(secs)
check "syscall.* record ends within $(scaled 5) s" within "$t0" "$t1" "$(scaled 5)"
perf-stap report -i "$TMP/w.data" >"$TMP/rep.out" 2>"$TMP/rep.err"
check "syscall.* report counts getppid exactly ($(head -1 "$TMP/rep.out"))" grep -qx "getppid $N" "$TMP/rep.out"
n=$(perf script -i "$TMP/w.data" 2>/dev/null | grep -c 'raw_syscalls:sys_enter')
check "perf script reads the folded recording ($n raw_syscalls events)" test "$n" -ge "$N"
no_leftovers "syscall.* record"

# a different script over the folded recording: one syscall by name
perf-stap report -i "$TMP/w.data" -e 'global c probe syscall.getppid { if (pid() == target()) c++ } probe end { printf("c=%d\n", c) }' >"$TMP/rep2.out" 2>&1
check "report binds syscall.getppid to raw_syscalls records ($(head -1 "$TMP/rep2.out"))" grep -qx "c=$N" "$TMP/rep2.out"

# returns: the exit side, retval decoded from the record
perf-stap -e "$R" -c "$WL" >"$TMP/ret.out" 2>"$TMP/ret.err"
check "syscall.*.return live counts getppid returns ($(cat "$TMP/ret.out"))" grep -qx "returns $N" "$TMP/ret.out"

# a wildcard that is not every syscall: the in-kernel filter keeps the others out
F='global n probe syscall.get* { if (pid() == target()) n[name]++ } probe end { foreach (k in n) printf("%s %d\n", k, n[k]) }'
perf-stap -v -e "$F" -c "$WL" >"$TMP/f.out" 2>"$TMP/f.err"
check "syscall.get* is filtered in the kernel" grep -q 'raw_syscalls:sys_enter, filter: .*id' "$TMP/f.err"
check "syscall.get* counts getppid exactly" grep -qx "getppid $N" "$TMP/f.out"
check "syscall.get* reports only get* syscalls" test -z "$(grep -v '^get' "$TMP/f.out")"
no_leftovers "syscall.get*"
