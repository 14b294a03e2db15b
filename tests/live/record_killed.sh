# A recording whose recorder is killed (issue 16, item 4): the file under
# its final name stays readable up to the recorder's last write, in both
# formats; report says it was cut short (one WARNING line, exit 0: the
# events read are whole, the rest of the run was never written, like
# events lost in the ring); the next start of any run removes every kernel
# object the dead recorder left.
. "$(dirname "$0")/lib.sh"
T=$(cd "$W" && pwd)/uprobe_target
# known_calls's getppid calls are the known events (a copy of getppid_loop
# under a name no other test runs); the uprobe leaves an object in the
# kernel for the next run to remove
S="global n, fill
probe syscall.getppid { if (execname() == \"known_calls\") n++; else if (execname() == \"fill_pages\") fill++ }
probe process(\"$T\").function(\"add\") { n += 0 }
probe end { printf(\"n=%d\\n\", n); if (fill) printf(\"filled\\n\") }"
cp "$W/getppid_loop" "$TMP/fill_pages"
cp "$W/getppid_loop" "$TMP/known_calls"

objects_of() {   # objects_of PID: the instances and dynamic events of run PID
	local t=/sys/kernel/tracing
	ls "$t/instances" 2>/dev/null | grep "^staplet_$1_"
	sed -n "s/^[a-z]:\(staplet_$1\)\/\([^ ]*\).*/\1\/\2/p" "$t/dynamic_events" 2>/dev/null
}
# fill CPUS N: N getppid calls by fill_pages on each CPU, so that every
# ring-buffer page holding earlier events is full and written (trace-cmd
# moves only full pages while it runs, as trace-cmd record does)
fill() {
	local c
	for c in $(seq 0 $(($(nproc) - 1))); do
		taskset -c "$c" "$TMP/fill_pages" "$1"
	done
}
all_known() {   # all_known NAME: the report counted the 1000 known calls and some filler
	if grep -qx 'n=1000' "$TMP/rep.out" && grep -qx filled "$TMP/rep.out"; then
		pass "$1"
	else
		fail "$1" "$(head -c 300 "$TMP/rep.out" "$TMP/rep.err" | tr '\n' ' ')"
	fi
}
mode_0600() { [ -f "$1" ] && [ ! -L "$1" ] && [ "$(stat -c %a "$1")" = 600 ]; }

for tool in perf trace-cmd; do
	out=$TMP/$tool.data
	rm -f "$out" "$out.old"
	"$tool-stap" record -o "$out" -e "$S" >"$TMP/rec.out" 2>&1 &
	pid=$!
	# armed once the provisional header is there (it carries the script)
	wait_for 20 grep -q "known_calls" "$out" 2>/dev/null
	"$TMP/known_calls" 1000
	fill 20000
	sleep "$(scaled 1)"           # both recorders move data at least every 200 ms
	left=$(objects_of $pid)
	kill -KILL $pid
	wait $pid 2>/dev/null
	check "$tool: the killed recorder left objects (the precondition)" test -n "$left"
	check "$tool: the recording cut short is under its name, mode 0600" mode_0600 "$out"
	"$tool" stap report -i "$out" >"$TMP/rep.out" 2>"$TMP/rep.err"
	rc=$?
	check "$tool report of a recording cut short: exit status 0 (got $rc)" test $rc = 0
	all_known "$tool report: every event written before the kill (1000 getppid calls)"
	check "$tool report: one line says the recording was cut short, naming the recorder" \
		test "$(grep -c "WARNING: $out was cut short: its recorder (pid $pid) did not finish it" "$TMP/rep.err")" = 1
	# the stock tools open it too (perf: data size 0, "not properly terminated")
	if [ $tool = perf ]; then
		perf report -i "$out" --stdio >/dev/null 2>"$TMP/stock.err"
		check "perf report (stock) opens the recording cut short without crashing" test $? -lt 128
	else
		trace-cmd report -i "$out" >/dev/null 2>"$TMP/stock.err"
		check "trace-cmd report (stock) opens the recording cut short without crashing" test $? -lt 128
	fi
	perf stap -e 'probe begin { exit() }' >/dev/null 2>&1
	check "$tool: after SIGKILL, the next run removes every object of the dead recorder" \
		test -z "$(objects_of $pid)"

	# killed while events pour in: the file ends in the middle of what was
	# being written; what is whole is read, the rest ignored, still exit 0
	rm -f "$out" "$out.old"
	"$tool-stap" record -o "$out" -e "$S" >"$TMP/rec.out" 2>&1 &
	pid=$!
	wait_for 20 grep -q "known_calls" "$out" 2>/dev/null
	"$TMP/known_calls" 1000
	"$TMP/fill_pages" 100000000 &
	fpid=$!
	sleep "$(scaled 1)"
	kill -KILL $pid
	wait $pid 2>/dev/null
	kill $fpid
	wait $fpid 2>/dev/null
	"$tool" stap report -i "$out" >"$TMP/rep.out" 2>"$TMP/rep.err"
	rc=$?
	check "$tool report of a recording killed mid-write: exit status 0 (got $rc)" test $rc = 0
	all_known "$tool report killed mid-write: the events before the flood, and some of it"
	check "$tool report killed mid-write: says it was cut short" grep -q "cut short" "$TMP/rep.err"
	perf stap -e 'probe begin { exit() }' >/dev/null 2>&1

	# a recording that ends well is not cut short, and replaces the file
	"$tool-stap" record -o "$out" -e "$S" -c "$TMP/known_calls 7" >/dev/null 2>&1
	"$tool" stap report -i "$out" >"$TMP/rep.out" 2>"$TMP/rep.err"
	check "$tool: a finished recording reads whole (n=7), no cut-short warning" \
		test "$(cat "$TMP/rep.out")" = "n=7" -a ! -s "$TMP/rep.err"
done
no_leftovers "record_killed"
