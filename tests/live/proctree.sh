# -c/-x scope process probes without a path to the target's process tree;
# probes with a path watch every process running it, as in stap (-x only
# sets target()); process.begin/end and process.thread.begin/end fire once
# per process / thread, with exact counts, live and record -> report, with
# both backends, while another instance of the same workload runs outside
# the tree.
. "$(dirname "$0")/lib.sh"
T=$(cd "$W" && pwd)/proc_tree
# proc_tree 2 3 DELAY: 3 threads, 2 children, 6 tick() calls, of which 4 in
# the target's own process (its threads and itself)
S="global n, t, pb, pe, tb, te, xe, xt
probe process(\"$T\").function(\"tick\") { n++; if (pid() == target()) t++ }
probe process.begin { pb++ }
probe process.end { pe++ }
probe process.thread.begin { tb++ }
probe process.thread.end { te++ }
probe process(\"$T\").end { xe++; if (pid() == target()) xt++ }
probe end { printf(\"t=%d pb=%d pe=%d tb=%d te=%d xt=%d wide=%d\\n\", t, pb, pe, tb, te, xt, n > 6 && xe > 3) }"
# wide=1: the path probes saw the other instance's ticks and exits as well
WANT="t=4 pb=3 pe=3 tb=3 te=3 xt=1 wide=1"
"$T" 3 2 50 300 >/dev/null &   # outside the tree: 3 children, 2 threads every 50 ms for 15 s
OTHER=$!
for b in perf trace-cmd; do
	$b stap -c "$T 2 3 300" -e "$S" >"$TMP/$b.out" 2>"$TMP/$b.err"
	check "$b stap -c: only the target's tree, lifecycle counts" grep -qx "$WANT" "$TMP/$b.out"
	$b stap record -o "$TMP/$b.rec" -c "$T 2 3 300" -e "$S" >/dev/null 2>&1
	$b stap report -i "$TMP/$b.rec" >"$TMP/$b.rep" 2>&1
	# the replay knows the executables of processes that started during
	# the recording, not of those already running (the other instance)
	check "$b stap record -> report: the same counts" grep -q "^${WANT% wide=1} wide=" "$TMP/$b.rep"
done
# without -c/-x every process counts: the other instance's ticks too
perf stap -T 1 -e "global n probe process(\"$T\").function(\"tick\") { n++ } probe end { printf(\"%d\\n\", n) }" >"$TMP/all.out" 2>&1
check "perf stap: without -c/-x process probes see every process" test "$(tail -1 "$TMP/all.out")" -gt 6
kill $OTHER
wait $OTHER 2>/dev/null
# -x: a process that already runs; begin fires for it at start
S1="global n, pb, pe, tb, te, xe
probe process(\"$T\").function(\"tick\") { n++ }
probe process.begin { pb++ }
probe process.end { pe++ }
probe process.thread.begin { tb++ }
probe process.thread.end { te++ }
probe process(\"$T\").end { xe++ }
probe end { printf(\"n=%d pb=%d pe=%d tb=%d te=%d xe=%d\\n\", n, pb, pe, tb, te, xe) }"
"$T" 2 1 1000 >/dev/null &
X=$!
perf stap -x $X -T 3 -e "$S1" >"$TMP/x.out" 2>&1
check "perf stap -x: already running target and its tree" grep -qx "n=4 pb=3 pe=3 tb=1 te=1 xe=3" "$TMP/x.out"
wait $X
# -x PID only sets target(): a process outside PID's tree running PATH
# fires the path probes; the probes without a path stay in PID's tree
# (a sleep, which starts nothing)
for b in perf trace-cmd; do
	sleep 6 &
	X=$!
	( sleep 1.5; "$T" 2 1 0 >/dev/null ) &
	R=$!
	$b stap -x $X -T 4 -e "$S1" >"$TMP/xw.$b" 2>&1
	wait $R
	kill $X
	wait $X 2>/dev/null
	check "$b stap -x: path probes watch every process ($(tail -1 "$TMP/xw.$b"))" \
		grep -qx "n=4 pb=1 pe=0 tb=0 te=0 xe=3" "$TMP/xw.$b"
done
no_leftovers "proctree"
