# Tracepoint user strings captured at the event: syscall.openat's
# user_string($filename) prints exactly the paths the workload opened, live
# and record -> report.  The workload overwrites each path right after the
# call, so reading the process's memory later would print the wrong bytes.
# Nothing may stay in dynamic_events or BPF after a run, SIGINT included.
. "$(dirname "$0")/lib.sh"
O="$W/open_paths"
P="/etc/hostname /nonexistent/staplet/a /tmp/staplet-capture-$$-b"
S='probe syscall.openat { if (pid() == target()) printf("%s\n", user_string($filename)) }'
want() {   # want FILE: the workload's paths, in order, among the loader's
	grep -v -e '^/etc/ld.so' -e '^/lib' -e '^/usr/lib' "$1" | tr '\n' ' ' | grep -qx "${P// /\\ } "
}
no_dyn() {   # no_dyn NAME [PID]: none of this run's (PID's) or dead runs' dynamic events
	local g left=""
	for g in $(sed -n 's/^[a-z][^:]*:\(staplet_[0-9]*\)\/.*/\1/p' /sys/kernel/tracing/dynamic_events 2>/dev/null | sort -u); do
		if [ "$g" = "staplet_${2:-none}" ] || dead_owner "$g"; then left="$left $g"; fi
	done
	if [ -z "$left" ]; then pass "$1: no dynamic events left"; else fail "$1: dynamic events left" "$left"; fi
}

perf stap -c "$O $P" -e "$S" >"$TMP/p.out" 2>"$TMP/p.err"
check "perf stap live: openat paths captured" want "$TMP/p.out"
no_dyn "perf stap live"
perf stap record -o "$TMP/c.data" -c "$O $P" -e "$S" >/dev/null 2>"$TMP/pr.err"
perf stap report -i "$TMP/c.data" >"$TMP/pr.out" 2>&1
check "perf stap record -> report: openat paths replayed" want "$TMP/pr.out"
n=$(perf script -i "$TMP/c.data" 2>/dev/null | grep -c 'BPF output')
check "perf script reads the capture samples ($n)" test "$n" -ge 3
# the same recording under another script: user_string_n and quoted
perf stap report -i "$TMP/c.data" -e 'probe syscall.openat { if (execname() == "open_paths" && user_string_n($filename, 4) == "/etc") println(user_string_quoted($filename)) }' >"$TMP/pr2.out" 2>&1
check "report: user_string_n / user_string_quoted from captures" grep -qx '"/etc/hostname"' "$TMP/pr2.out"

# SIGINT while armed: the BPF program and events go with the process
perf-stap -e "$S" -x 1 >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
no_dyn "perf stap SIGINT" $pid
check "perf stap SIGINT: no capture program left" sh -c "! ls -l /proc/$pid/fd 2>/dev/null | grep -q bpf"

# trace-cmd: tracefs alone cannot copy a user string at the event here (no
# event probes, CONFIG_EPROBE_EVENTS), so a trace.dat holds no strings; the
# replay must then fail the way stap does on an unreadable string, never
# print another process's bytes.
trace-cmd-stap record -o "$TMP/c.dat" -e "$S" -c "$O $P" >/dev/null 2>&1
trace-cmd-stap report -i "$TMP/c.dat" >"$TMP/tc.out" 2>"$TMP/tc.err"
check "trace-cmd stap replay: an uncaptured string is stap's copy-fault error" \
	grep -q 'user string copy fault' "$TMP/tc.err"
check "trace-cmd stap replay: no wrong bytes printed" sh -c "! grep -q staplet-capture '$TMP/tc.out'"
no_leftovers "capture"

# Our capture program must not silence other tools on the same tracepoint:
# a BPF program on a tracepoint perf event that returns 0 drops the event
# for every perf consumer.
perf-stap -e 'probe syscall.openat { if (pid() == target()) printf("%s\n", user_string($filename)) }' >/dev/null 2>&1 &
sp=$!
sleep 1.5
n=$(perf stat -x, -e syscalls:sys_enter_openat -- "$O" $P 2>&1 >/dev/null | awk -F, '/sys_enter_openat/ { print $1 }')
kill -INT $sp; wait $sp
check "a concurrent perf stat still counts openat while we capture ($n)" test "${n:-0}" -ge 3
