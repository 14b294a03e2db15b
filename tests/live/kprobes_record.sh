# guest-only
# Kernel function probes through the trace-cmd backend (live, in its private
# instance) and through both recording formats: the same exact counts as
# live perf, `report` replaying the recording through the script, and the
# stock tools (perf script, trace-cmd report) printing the kprobe events
# with their fetched arguments by name.
. "$(dirname "$0")/lib.sh"
kprobes_setup
S='global n, r
probe kernel.function("vfs_read") { if (pid() == target() && $count == 77) n[execname()]++ }
probe kernel.function("vfs_read").return { if (pid() == target() && @entry($count) == 77) r <<< $return }
probe end { foreach (k in n) printf("%s %d\n", k, n[k]); printf("sum %d\n", @sum(r)) }'
want=$(printf 'kread_loop 41\nsum 574')

trace-cmd stap -e "$S" -c "$KR 41 77" >"$TMP/o" 2>"$TMP/e"
check "trace-cmd stap live: 41 reads, \$return summed at the return" test "$(cat "$TMP/o")" = "$want"

perf-stap record -o "$TMP/k.data" -e "$S" -c "$KR 41 77" >"$TMP/o" 2>"$TMP/e"
check "perf stap record: written, nothing lost" grep -q 'perf stap record: .* events, 0 lost' "$TMP/e"
perf-stap report -i "$TMP/k.data" >"$TMP/o" 2>"$TMP/e"
check "perf stap report: the same counts from perf.data" test "$(cat "$TMP/o")" = "$want"
perf script -i "$TMP/k.data" >"$TMP/ps" 2>/dev/null
check "perf script prints the kprobe events with p_count" \
	test "$(grep -c 'staplet:vfs_read: .* p_count=77$' "$TMP/ps")" -eq 41
check "perf script prints the kretprobe events with ret" grep -q 'staplet:vfs_read__return: .* ret=14$' "$TMP/ps"

trace-cmd stap record -o "$TMP/k.dat" -e "$S" -c "$KR 41 77" >"$TMP/o" 2>"$TMP/e"
check "trace-cmd stap record: written, nothing lost" grep -q 'trace-cmd stap record: .* events, 0 lost' "$TMP/e"
trace-cmd stap report -i "$TMP/k.dat" >"$TMP/o" 2>"$TMP/e"
check "trace-cmd stap report: the same counts from trace.dat" test "$(cat "$TMP/o")" = "$want"
trace-cmd report -i "$TMP/k.dat" >"$TMP/tr" 2>/dev/null
check "trace-cmd report prints the kprobe events with p_count" \
	test "$(grep -c 'vfs_read: .*p_count=77$' "$TMP/tr")" -eq 41

# the recordings replay through another script reading what was recorded
perf-stap report -i "$TMP/k.data" -e 'global c
probe kernel.function("vfs_read") { if ($count == 77) c++ }
probe end { printf("%d\n", c) }' >"$TMP/o" 2>"$TMP/e"
check "perf stap report with another script" test "$(cat "$TMP/o")" = 41

# a run killed outright leaves its kprobes; the next run removes them
perf-stap -e 'global n probe kernel.function("vfs_read") { n++ }' >/dev/null 2>"$TMP/bg" &
kp=$!
for i in $(seq 50); do grep -q "^p:staplet_$kp/" /sys/kernel/tracing/kprobe_events 2>/dev/null && break; sleep 0.2; done
check "a live run's kprobe is named by its pid" grep -q "^p:staplet_$kp/vfs_read " /sys/kernel/tracing/kprobe_events
[ -s "$TMP/bg" ] && cat "$TMP/bg"
kill -9 $kp; wait $kp 2>/dev/null
perf-stap -e 'global n probe kernel.function("do_nanosleep") { n++ } probe begin { exit() }' >/dev/null 2>&1
check "the next run removed the killed run's kprobe" \
	test "$(grep -c "staplet_$kp/" /sys/kernel/tracing/kprobe_events)" -eq 0
no_leftovers "kprobes_record"
