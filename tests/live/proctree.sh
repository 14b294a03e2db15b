# -c/-x scope process probes to the target's process tree; process.begin/end
# and process.thread.begin/end fire once per process / thread, with exact
# counts, live and record -> report, with both backends, while another
# instance of the same workload runs outside the tree.
. "$(dirname "$0")/lib.sh"
T=$(cd "$W" && pwd)/proc_tree
# proc_tree 2 3 DELAY: 3 threads, 2 children, 6 tick() calls
S="global n, pb, pe, tb, te, xe
probe process(\"$T\").function(\"tick\") { n++ }
probe process.begin { pb++ }
probe process.end { pe++ }
probe process.thread.begin { tb++ }
probe process.thread.end { te++ }
probe process(\"$T\").end { xe++ }
probe end { printf(\"n=%d pb=%d pe=%d tb=%d te=%d xe=%d\\n\", n, pb, pe, tb, te, xe) }"
WANT="n=6 pb=3 pe=3 tb=3 te=3 xe=3"
"$T" 3 2 50 $((120 * SLOW)) >/dev/null &   # outside the tree: 3 children, 2 threads every 50 ms for 6 s (scaled)
OTHER=$!
for b in perf trace-cmd; do
	$b stap -c "$T 2 3 300" -e "$S" >"$TMP/$b.out" 2>"$TMP/$b.err"
	check "$b stap -c: only the target's tree, lifecycle counts" grep -qx "$WANT" "$TMP/$b.out"
	$b stap record -o "$TMP/$b.rec" -c "$T 2 3 300" -e "$S" >/dev/null 2>&1
	$b stap report -i "$TMP/$b.rec" >"$TMP/$b.rep" 2>&1
	check "$b stap record -> report: the same counts" grep -qx "$WANT" "$TMP/$b.rep"
done
# -x: a process that already runs; begin fires for it at start
"$T" 2 1 $((1000 * SLOW)) >/dev/null &
X=$!
perf stap -x $X -T $((3 * SLOW)) -e "$S" >"$TMP/x.out" 2>&1
check "perf stap -x: already running target and its tree" grep -qx "n=4 pb=3 pe=3 tb=1 te=1 xe=3" "$TMP/x.out"
wait $X
# without -c/-x every process counts: the other instance's ticks too
perf stap -T 1 -e "global n probe process(\"$T\").function(\"tick\") { n++ } probe end { printf(\"%d\\n\", n) }" >"$TMP/all.out" 2>&1
check "perf stap: without -c/-x process probes see every process" test "$(tail -1 "$TMP/all.out")" -gt 6
wait $OTHER
no_leftovers "proctree"
