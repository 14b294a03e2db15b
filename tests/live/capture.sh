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

# trace-cmd: this kernel has no event probes (CONFIG_EPROBE_EVENTS), so
# tracefs alone cannot copy a user string at the event.
if grep -q '^e\[' /sys/kernel/tracing/README && [ -r /sys/kernel/tracing/dynamic_events ] &&
   echo 'e:staplet_probe_check/x syscalls.sys_enter_openat' >>/sys/kernel/tracing/dynamic_events 2>/dev/null; then
	echo '-:staplet_probe_check/x' >>/sys/kernel/tracing/dynamic_events
	echo "SKIP trace-cmd stap capture: eprobes exist here but the trace-cmd backend does not use them yet"
else
	echo "SKIP trace-cmd stap capture: the kernel has no event probes (CONFIG_EPROBE_EVENTS)"
fi
no_leftovers "capture"
