# How runs end when they are not asked nicely (issue 16, items 4 and 5):
# SIGHUP ends a run like SIGTERM (end probes, cleanup); after SIGKILL the
# next start of any run removes what the dead run left (its instance still
# tracing, its uprobe events held by it); killing `perf` ends perf-stap,
# even when perf died before perf-stap could ask to be told.
. "$(dirname "$0")/lib.sh"
T=$(cd "$W" && pwd)/uprobe_target
S="global n probe process(\"$T\").function(\"add\") { n++ }
probe syscall.getppid, scheduler.process_exit { n++ }
probe begin { printf(\"begin\\n\") } probe end { printf(\"end\\n\") }"

wait_for() {   # wait_for FILE TEXT: up to 15 s
	local i
	for i in $(seq 150); do
		grep -qx "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
gone() {   # gone PID: the process ends within 10 s
	local i
	for i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}
objects_of() {   # objects_of PID: the instances and dynamic events of run PID
	local t=/sys/kernel/tracing
	ls "$t/instances" 2>/dev/null | grep "^staplet_$1_"
	sed -n "s/^[a-z]:\(staplet_$1\)\/\([^ ]*\).*/\1\/\2/p" "$t/dynamic_events" 2>/dev/null
}

for tool in perf trace-cmd; do
	# SIGHUP: the end probes run and nothing stays
	"$tool-stap" -e "$S" >"$TMP/hup.out" 2>"$TMP/hup.err" &
	pid=$!
	wait_for "$TMP/hup.out" begin
	kill -HUP $pid
	gone $pid
	wait $pid
	rc=$?
	check "$tool: SIGHUP ends the run with status 0" test $rc = 0
	check "$tool: SIGHUP runs the end probes" wait_for "$TMP/hup.out" end
	check "$tool: SIGHUP leaves no object of the run" test -z "$(objects_of $pid)"

	# SIGKILL: the objects stay until the next run of any kind starts
	"$tool-stap" -e "$S" >"$TMP/kill.out" 2>"$TMP/kill.err" &
	pid=$!
	wait_for "$TMP/kill.out" begin
	kill -KILL $pid
	wait $pid 2>/dev/null
	left=$(objects_of $pid)
	check "$tool: SIGKILL leaves objects (the precondition)" test -n "$left"
	if [ $tool = trace-cmd ]; then
		inst=$(ls /sys/kernel/tracing/instances | grep "^staplet_${pid}_" | head -1)
		check "$tool: the dead run's instance is still tracing" \
			test "$(cat /sys/kernel/tracing/instances/$inst/tracing_on 2>/dev/null)" = 1
	fi
	perf stap -e 'probe begin { exit() }' >/dev/null 2>&1
	check "$tool: after SIGKILL, the next run removes every object of the dead run" \
		test -z "$(objects_of $pid)"
done

# killing perf ends perf-stap, which runs its end probes and cleans up
perf stap -e "$S" >"$TMP/perf.out" 2>"$TMP/perf.err" &
ppid=$!
wait_for "$TMP/perf.out" begin
child=$(pgrep -P $ppid -x perf-stap)
kill -TERM $ppid
wait $ppid 2>/dev/null
check "perf killed: perf-stap ends" gone "$child"
check "perf killed: perf-stap ran its end probes" wait_for "$TMP/perf.out" end
check "perf killed: no object of the run stays" test -z "$(objects_of "$child")"

# a perf that dies before perf-stap sets its death signal: stand-ins named
# perf, with perf's environment, start perf-stap and exit, (a) at once,
# before perf-stap looks at its parent, (b) after it looked, while a test
# hook holds perf-stap back before it sets the signal
mkdir "$TMP/bin"
race() {   # race NAME SLEEP [ENV...]
	local name=$1 nap=$2 child
	shift 2
	printf '#!/bin/sh\n"$@" >"%s/race.out" 2>&1 &\necho $! >"%s/race.pid"\nsleep %s\n' \
		"$TMP" "$TMP" "$nap" >"$TMP/bin/perf"
	chmod +x "$TMP/bin/perf"
	env PERF_BUILDID_DIR=/nonexistent "$@" "$TMP/bin/perf" perf-stap -e "$S"
	child=$(cat "$TMP/race.pid")
	check "perf died $name: perf-stap ends" gone "$child"
	kill -TERM "$child" 2>/dev/null
	check "perf died $name: end probes ran" wait_for "$TMP/race.out" end
	check "perf died $name: no object of the run stays" test -z "$(objects_of "$child")"
}
race "before perf-stap looked" 0
race "before perf-stap set its death signal" 0.5 STAPLET_TEST_PARENT_RACE_MS=2000
no_leftovers "signals"
