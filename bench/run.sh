#!/usr/bin/env bash
# bench/run.sh BUILD - staplet beside perf, trace-cmd and bpftrace on the same
# work, in interleaved rounds (this machine is noisy: compare ratios from one
# session, never absolute numbers across sessions).  Needs root.
set -u
. "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-5}
N=${N:-2000000}


S='global n; probe syscall.getppid { n[execname()]++ } probe end { foreach (k in n-) printf("%s %d\n", k, n[k]) }'
# the tiers (lowering/inkernel.h): S above is tier 2 live (BPF map); S1 is
# tier 1 (perf counter); S3 reads the count while running, so tier 3
S1='global n; probe syscall.getppid { n++ } probe end { println(n) }'
S3='global n; probe syscall.getppid { n[execname()]++ } probe timer.s(3600) { println(n["x"]) } probe end { foreach (k in n-) printf("%s %d\n", k, n[k]) }'

echo "== startup: ms from command start to armed (the -c child's first instruction), and total ms"
armed_ms() {   # armed_ms CMD...: ms from start to the stamp child (CLOCK_MONOTONIC both)
	local t0 st
	t0=$("$W/stamp")
	st=$("$@" 2>/dev/null | grep -E '^[0-9]{6,}$' | head -1)
	[ -n "$st" ] && echo $(( (st - t0) / 1000000 ))
}
for tool in "perf stap" "trace-cmd stap" "perf record" "bpftrace"; do
	a=() tt=()
	for i in $(seq "$ROUNDS"); do
		t0=$(now)
		case $tool in
		"perf stap") v=$(armed_ms perf stap -e "$S" -c "$W/stamp") ;;
		"trace-cmd stap") v=$(armed_ms trace-cmd stap -e "$S" -c "$W/stamp") ;;
		"perf record") v=$(armed_ms perf record -q -o "$T/p.data" -e syscalls:sys_enter_getppid -- "$W/stamp") ;;
		"bpftrace") v=$(armed_ms bpftrace -e 'tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }' -c "$W/stamp") ;;
		esac
		t1=$(now)
		[ -n "$v" ] && a+=("$v")
		tt+=($(( (t1 - t0) / 1000000 )))
	done
	printf "  %-16s armed %5s ms   total %6s ms\n" "$tool" \
		"$(printf '%s\n' "${a[@]:-NA}" | median)" "$(printf '%s\n' "${tt[@]}" | median)"
done

echo "== per-event overhead: thread CPU ns per getppid call, traced minus untraced (median of $ROUNDS interleaved rounds)"
overhead() {   # overhead CMD...: (run perf-stap itself: perf's parent dies on SIGINT and leaves its child running) start the tracer, let it arm, run the workload pinned to CPU1, stop it
	"$@" >/dev/null 2>&1 &
	local pid=$! v
	sleep 1.5
	v=$(taskset -c 1 "$W/getppid_timed" "$N")
	kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null
	echo "$v"
}
declare -A ov
for i in $(seq "$ROUNDS"); do
	ov[none]+="$(taskset -c 1 "$W/getppid_timed" "$N") "
	ov[perf_stap_t1]+="$(overhead taskset -c 0 perf-stap -e "$S1") "
	ov[perf_stap]+="$(overhead taskset -c 0 perf-stap -e "$S") "
	ov[perf_stap_t3]+="$(overhead taskset -c 0 perf-stap -e "$S3") "
	ov[trace_cmd_stap]+="$(overhead taskset -c 0 trace-cmd-stap -e "$S") "
	ov[perf_record]+="$(overhead taskset -c 0 perf record -q -o "$T/o.data" -e syscalls:sys_enter_getppid) "
	ov[perf_stat]+="$(overhead taskset -c 0 perf stat -e syscalls:sys_enter_getppid -a) "
	ov[bpftrace]+="$(overhead taskset -c 0 bpftrace -e 'tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }') "
	ov[bpftrace_global]+="$(overhead taskset -c 0 bpftrace -e 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }') "
	# every syscall: stap's syscall.* beside bpftrace's one-probe form
	ov[perf_stap_all]+="$(overhead taskset -c 0 perf-stap -e 'global n; probe syscall.* { n[execname()]++ }') "
	ov[bpftrace_all]+="$(overhead taskset -c 0 bpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }') "
done
base=$(printf '%s\n' ${ov[none]} | median)
printf "  %-16s %7s ns/call\n" untraced "$base"
# perf_stap_t1: n++ (tier 1), perf_stap: n[execname()]++ (tier 2),
# perf_stap_t3: the same with a running reader (tier 3, capture + replay);
# perf_stap_all: syscall.* { n[execname()]++ } (one raw_syscalls program),
# bpftrace_all: raw_syscalls:sys_enter { @[comm] = count(); }
for k in perf_stap_t1 perf_stap perf_stap_t3 trace_cmd_stap perf_record perf_stat bpftrace bpftrace_global \
	perf_stap_all bpftrace_all; do
	m=$(printf '%s\n' ${ov[$k]} | median)
	printf "  %-16s %7s ns/call  (+%s)\n" "$k" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.0f", a - b }')"
done

NO=${NO:-300000}
echo "== strings at the event: ns per openat, traced minus untraced; the traced thread's CPU plus the tracer's own CPU"
echo "   (median of $ROUNDS interleaved rounds, $NO opens over 64 distinct paths)"
SO='global n; probe syscall.openat { n[filename]++ }'
tracer_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
open_cost() {   # open_cost CMD...: thread ns/call + tracer ns/call while it runs the workload
	"$@" >/dev/null 2>&1 &
	local pid=$! v t0 t1
	sleep 5      # armed: bpftrace takes seconds to attach on a loaded machine
	t0=$(tracer_ticks $pid)
	v=$(taskset -c 1 "$W/open_timed" "$NO")
	sleep 1      # let the tracer drain what the workload produced
	t1=$(tracer_ticks $pid)
	kill -INT $pid 2>/dev/null
	# a tracer that does not stop on SIGINT (bpftrace, now and then, on a
	# loaded machine) is terminated after 20 s
	( sleep 20; kill -TERM $pid 2>/dev/null ) &
	local guard=$!
	wait $pid 2>/dev/null
	kill $guard 2>/dev/null; wait $guard 2>/dev/null
	awk -v v="$v" -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v n="$NO" \
		'BEGIN { printf "%.1f/%.1f", v, t * 1e9 / hz / n }'
}
declare -A oc
for i in $(seq "$ROUNDS"); do
	oc[none]+="$(taskset -c 1 "$W/open_timed" "$NO") "
	oc[perf_stap]+="$(open_cost taskset -c 0 perf-stap -D MAXMAPENTRIES=1000000 -e "$SO") "
	[ -n "${BASE_BUILD:-}" ] && oc[perf_stap_base]+="$(open_cost taskset -c 0 "$BASE_BUILD/bin/perf-stap" -D MAXMAPENTRIES=1000000 -e "$SO") "
	oc[bpftrace]+="$(open_cost taskset -c 0 bpftrace -e 'tracepoint:syscalls:sys_enter_openat { @[str(args->filename)] = count(); }') "
done
obase=$(printf '%s\n' ${oc[none]} | median)
printf "  %-16s %7s ns/open\n" untraced "$obase"
declare -A ototal
for k in perf_stap perf_stap_base bpftrace; do
	[ -n "${oc[$k]:-}" ] || continue
	th=$(printf '%s\n' ${oc[$k]} | cut -d/ -f1 | median)
	tr=$(printf '%s\n' ${oc[$k]} | cut -d/ -f2 | median)
	ototal[$k]=$(awk -v a="$th" -v b="$obase" -v t="$tr" 'BEGIN { printf "%.0f", a - b + t }')
	printf "  %-16s %7s ns/open in the task (+%s) + %s ns/open in the tracer = +%s ns/event\n" "$k" "$th" \
		"$(awk -v a="$th" -v b="$obase" 'BEGIN { printf "%.0f", a - b }')" "$tr" "${ototal[$k]}"
done
for k in perf_stap_base bpftrace; do
	[ -n "${ototal[$k]:-}" ] && printf "  perf_stap / %-16s %s\n" "$k" \
		"$(awk -v a="${ototal[perf_stap]}" -v b="${ototal[$k]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
done

echo "== offline: a $N-event recording, report throughput (events/s)"
perf stap record -o "$T/x.data" -e "$S" --buffer-size=65536 -c "$W/getppid_loop $N" >/dev/null 2>"$T/rec.err"
cat "$T/rec.err"
perf record -q -m 64M -o "$T/p.data" -e syscalls:sys_enter_getppid -- "$W/getppid_loop" "$N" >/dev/null 2>&1
timeit() {   # timeit CMD...: median seconds over ROUNDS
	local s=() i t0 t1
	for i in $(seq "$ROUNDS"); do t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); s+=($(( (t1 - t0) / 1000 ))); done
	printf '%s\n' "${s[@]}" | median
}
rate() { awk -v n="$N" -v us="$1" 'BEGIN { printf "%8.2f M events/s (%.3f s)", n / us, us / 1e6 }'; }
echo "  perf stap report (our perf.data):      $(rate "$(timeit perf stap report -i "$T/x.data")")"
echo "  perf report -s comm (perf's file):     $(rate "$(timeit perf report --stdio -s comm -i "$T/p.data")")"
echo "  perf script | sort | uniq -c:          $(rate "$(timeit sh -c "perf script -F comm,pid -i $T/p.data | sort | uniq -c")")"
trace-cmd stap record -o "$T/x.dat" -e "$S" --buffer-size=65536 -c "$W/getppid_loop $N" >/dev/null 2>"$T/trec.err"
cat "$T/trec.err"
echo "  trace-cmd stap report (our trace.dat): $(rate "$(timeit trace-cmd stap report -i "$T/x.dat")")"
echo "  trace-cmd report:                      $(rate "$(timeit trace-cmd report -i "$T/x.dat")")"
ls -l "$T/x.data" "$T/p.data" "$T/x.dat" | awk -v n="$N" '{ printf "  %-40s %8.1f B/event\n", $NF, $5 / n }'

echo "== frontend: parse + elaborate a 5,000-line script"
"$ROOT/$BUILD/tests/test_frontend" 2>/dev/null | grep '^speed:' | sed 's/^/  /'

echo "== handler VM on replayed events: a[execname(), \$fd]++; s <<< \$count"
"$ROOT/$BUILD/bench/vm_replay" 100000000 | tail -1
