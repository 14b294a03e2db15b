# The pipeline end to end: live, perf.data and trace.dat runs count a workload's
# getppid calls exactly; the stock tools read our files; Ctrl-C runs end probes.
. "$(dirname "$0")/lib.sh"
N=1234
S='global n; probe syscall.getppid { n[execname()]++ } probe end { foreach (k in n-) printf("%s %d\n", k, n[k]) }'
WL="$W/getppid_loop $N"

exact_line() {   # exact_line FILE: the workload's line is exactly "getppid_loop N", once
	[ "$(grep -c '^getppid_loop ' "$1")" = 1 ] && grep -qx "getppid_loop $N" "$1"
}

# live, through perf's own dispatch (perf execs perf-stap from PATH)
perf stap -e "$S" -c "$WL" >"$TMP/live.out" 2>"$TMP/live.err"
check "perf stap live counts $N" exact_line "$TMP/live.out"
no_leftovers "perf stap live"

# live through the trace-cmd dispatcher
trace-cmd stap -e "$S" -c "$WL" >"$TMP/tlive.out" 2>"$TMP/tlive.err"
check "trace-cmd stap live counts $N" exact_line "$TMP/tlive.out"
no_leftovers "trace-cmd stap live"

# perf.data
perf stap record -o "$TMP/x.data" -e "$S" -c "$WL" 2>"$TMP/rec.err" >/dev/null
check "perf stap record writes the file" test -s "$TMP/x.data"
perf stap report -i "$TMP/x.data" >"$TMP/rep.out" 2>"$TMP/rep.err"
check "perf stap report counts $N" exact_line "$TMP/rep.out"
n=$(perf script -i "$TMP/x.data" 2>/dev/null | grep -c 'sys_enter_getppid')
check "perf script lists >= $N events ($n)" test "$n" -ge "$N"
no_leftovers "perf stap record"

# trace.dat
trace-cmd stap record -o "$TMP/x.dat" -e "$S" -c "$WL" 2>"$TMP/trec.err" >/dev/null
check "trace-cmd stap record writes the file" test -s "$TMP/x.dat"
trace-cmd stap report -i "$TMP/x.dat" >"$TMP/trep.out" 2>"$TMP/trep.err"
check "trace-cmd stap report counts $N" exact_line "$TMP/trep.out"
n=$(trace-cmd report -i "$TMP/x.dat" 2>/dev/null | grep -c 'sys_enter_getppid')
check "trace-cmd report lists >= $N events ($n)" test "$n" -ge "$N"
no_leftovers "trace-cmd stap record"

# live and replayed runs of one script over one workload print the same report
check "perf.data report equals the live run" cmp -s <(grep '^getppid_loop' "$TMP/live.out") <(grep '^getppid_loop' "$TMP/rep.out")

# a different script over the same recording
perf stap report -i "$TMP/x.data" -e 'global c probe syscall.getppid { if (execname() == "getppid_loop") c++ } probe end { printf("calls=%d\n", c) }' >"$TMP/rep2.out" 2>&1
check "report with another script" grep -qx "calls=$N" "$TMP/rep2.out"
perf stap report -i "$TMP/x.data" -e 'probe syscall.getpid { print(1) }' >"$TMP/rep3.out" 2>&1
check "report names the events a recording lacks" grep -q 'sys_enter_getpid' "$TMP/rep3.out"

# Ctrl-C (SIGINT) and SIGTERM run the end probes, and clean up
for tool in perf-stap trace-cmd-stap; do
	for sig in INT TERM; do
		$tool -e 'global n probe syscall.getppid { n++ } probe end { printf("end ran\n") }' >"$TMP/sig.out" 2>&1 &
		pid=$!
		sleep 1
		kill -$sig $pid
		wait $pid; rc=$?
		check "$tool SIG$sig runs end probes (rc $rc)" grep -qx "end ran" "$TMP/sig.out"
		no_leftovers "$tool SIG$sig"
	done
done

# -T stops the run
perf stap -T 1 -e 'probe end { printf("timed out\n") }' >"$TMP/t.out" 2>&1
check "-T runs end probes" grep -qx "timed out" "$TMP/t.out"
