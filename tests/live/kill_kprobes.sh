# guest-only
# SIGKILL with kernel probes (issue 16, item 4 and its "done when"): a run
# of either tool killed while its kprobe/kretprobe events (and, for
# trace-cmd, its instance with tracing_on=1) are in the kernel leaves them;
# the next start of `perf stap -e 'probe begin { exit() }'` removes every
# one.  A recording killed the same way reads up to its last write.
# (signals.sh covers uprobes and the instance on every kernel.)
. "$(dirname "$0")/lib.sh"
need_kprobes
F="$TMP/small.txt"
printf 'hello-kprobes\n' >"$F"
# no condition a backend could move into the kernel: the filler's reads
# must reach the ring to fill its pages
S='global n
probe kernel.function("vfs_read") { n[execname(), $count]++ }
probe kernel.function("do_nanosleep").return { n["", 0] += 0 }
probe begin { printf("begin\n") } probe end { printf("n=%d\n", n["kread_loop", 77]) }'

objects_of() {   # objects_of PID: the instances and dynamic events of run PID
	local t=/sys/kernel/tracing
	ls "$t/instances" 2>/dev/null | grep "^staplet_$1_"
	sed -n "s/^[a-z]:\(staplet_$1\)\/\([^ ]*\).*/\1\/\2/p" "$t/dynamic_events" 2>/dev/null
}
kprobes_of() {   # kprobes_of PID: the kprobe/kretprobe events of run PID
	grep -c "^[pr][0-9]*:staplet_$1/" /sys/kernel/tracing/kprobe_events
}

for tool in perf trace-cmd; do
	"$tool-stap" -e "$S" >"$TMP/live.out" 2>"$TMP/live.err" &
	pid=$!
	wait_for 30 grep -qx begin "$TMP/live.out"
	kill -KILL $pid
	# read at once: any staplet run starting now may remove them
	kp=$(kprobes_of $pid)
	inst=$(ls /sys/kernel/tracing/instances | grep "^staplet_${pid}_" | head -1)
	on=$(cat "/sys/kernel/tracing/instances/$inst/tracing_on" 2>/dev/null)
	wait $pid 2>/dev/null
	check "$tool: SIGKILL leaves its kprobe and kretprobe events (the precondition; $kp)" test "$kp" -ge 2
	[ $tool = trace-cmd ] && check "$tool: the dead run's instance is still tracing" test "$on" = 1
	perf stap -e 'probe begin { exit() }' >/dev/null 2>&1
	check "$tool: after SIGKILL, perf stap -e 'probe begin { exit() }' removes every object of the dead run" \
		test -z "$(objects_of $pid)"

	# a recording with kprobes, killed: read up to the last write
	out=$TMP/$tool.data
	"$tool-stap" record -o "$out" -e "$S" >/dev/null 2>&1 &
	pid=$!
	wait_for 30 grep -q kread_loop "$out" 2>/dev/null
	"$W/kread_loop" "$F" 300 77
	# trace-cmd moves full pages only: fill them with other reads
	"$W/kread_loop" "$F" 20000 5
	sleep "$(scaled 1)"
	kill -KILL $pid
	wait $pid 2>/dev/null
	"$tool" stap report -i "$out" >"$TMP/rep.out" 2>"$TMP/rep.err"
	rc=$?
	check "$tool report of a kprobe recording cut short: exit 0 (got $rc), n=300 ($(tr '\n' ' ' <"$TMP/rep.out"))" \
		test $rc = 0 -a "$(grep -c -x n=300 "$TMP/rep.out")" = 1
	check "$tool report: says it was cut short" grep -q "was cut short" "$TMP/rep.err"
	perf stap -e 'probe begin { exit() }' >/dev/null 2>&1
	check "$tool: the killed recorder's objects are removed too" test -z "$(objects_of $pid)"
done
no_leftovers "kill_kprobes"
