# perf counter probes: timer.profile samples every CPU under load,
# perf.sw.* counts, hardware counters missing here give one clear error,
# and `?` skips them.
. "$(dirname "$0")/lib.sh"
ncpu=$(nproc)
# one busy loop per CPU so that every CPU ticks in the run
pids=""
for _ in $(seq "$ncpu"); do (while :; do :; done) & pids="$pids $!"; done
perf-stap -e 'global n probe timer.profile { n[cpu()]++ }
probe end { foreach (c+ in n) if (n[c] > 0) k++; printf("%d\n", k) }' -T 1 >"$TMP/o" 2>"$TMP/e"
check "timer.profile fires on each of $ncpu CPUs (got $(cat "$TMP/o"))" test "$(cat "$TMP/o")" = "$ncpu"
perf-stap -e 'global n probe perf.sw.cpu_clock.sample(1000000) { n++ }
probe end { printf("%d\n", n) }' -T 1 >"$TMP/o" 2>"$TMP/e"
# 1 ms of cpu-clock per sample, $ncpu busy CPUs for about 1 s (an emulated
# CPU the host does not run misses ticks: a SLOW-th of that in the guests)
check "perf.sw.cpu_clock samples every ms ($(cat "$TMP/o"))" test "$(cat "$TMP/o")" -gt $((ncpu * 500 / SLOW))
for p in $pids; do kill "$p"; done
# .process / .process("PATH"): only the target's tree / that executable's
# samples, while a busy loop runs outside
L=$(cd "$W" && pwd)/getppid_loop
(while :; do :; done) & busy=$!
S='global n probe perf.sw.task_clock.sample(1000000).process { n[execname()]++ }
probe end { foreach (c in n) printf("%s %d\n", c, n[c] > 0) }'
perf-stap -e "$S" -c "$L 3000000" >"$TMP/o" 2>"$TMP/e"
# (the target before its exec is still perf-stap by name)
check "perf .process: samples of the -c target only ($(tr '\n' ' ' <"$TMP/o"))" \
	sh -c "grep -qx 'getppid_loop 1' '$TMP/o' && ! grep -qv '^\(getppid_loop\|perf-stap\) ' '$TMP/o'"
S="global n probe perf.sw.task_clock.sample(1000000).process(\"$L\") { n[execname()]++ }
probe end { foreach (c in n) printf(\"%s %d\\n\", c, n[c] > 0) }"
perf-stap -e "$S" -c "sh -c '$L 3000000; sleep 0.1'" >"$TMP/o" 2>"$TMP/e"
check "perf .process(PATH): samples of that executable only ($(tr '\n' ' ' <"$TMP/o"))" test "$(cat "$TMP/o")" = "getppid_loop 1"
kill $busy
perf-stap -e 'probe perf.sw.cpu_clock.process("/no/such/program") { }' -T 1 >"$TMP/o" 2>"$TMP/e"
check "perf .process(PATH) of no file: an error naming it" grep -qx "semantic error: cannot find executable '/no/such/program'" "$TMP/e"
perf-stap -e 'global n probe perf.sw.context_switches.sample(1) { n++ }
probe end { printf("%d\n", n > 0) }' -c 'sleep 0.2' >"$TMP/o" 2>"$TMP/e"
check "perf.sw.context_switches counts" test "$(cat "$TMP/o")" = 1
if ! perf stat -e cycles true 2>&1 | grep -q 'not supported\|not counted'; then
	echo "SKIP hardware counters: this machine has them"
else
	perf-stap -e 'probe perf.hw.cpu_cycles { }' -T 1 >"$TMP/o" 2>"$TMP/e"
	rc=$?
	check "perf.hw without counters: status 1 and a reason ($(tail -1 "$TMP/e"))" \
		grep -q 'needs hardware performance counters' "$TMP/e"
	check "perf.hw without counters fails" test $rc -eq 1
	perf-stap -e 'probe perf.hw.cpu_cycles ? { } probe begin { print("ok\n") }' -T 1 >"$TMP/o" 2>"$TMP/e"
	check "perf.hw ? is skipped" test "$(cat "$TMP/o")" = ok
fi
trace-cmd-stap -e 'probe timer.profile { }' -T 1 >"$TMP/o" 2>"$TMP/e"
check "trace-cmd stap names the perf probe it cannot attach" grep -q 'timer.profile' "$TMP/e"
no_leftovers "perf_events"
