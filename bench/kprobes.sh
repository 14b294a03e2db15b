#!/usr/bin/env bash
# bench/kprobes.sh BUILD - kernel probes beside bpftrace and perf probe, run
# in a guest with kprobes (tests/guest/run.sh 6.1 -- bench/kprobes.sh build;
# `make bench-kprobes`).  The guest is emulated (TCG): only ratios measured
# in one run mean anything.
#   per hit: thread CPU ns per read() of kread_loop under each tool, minus
#            the untraced cost; the ratio staplet / bpftrace
#   armed:   ms from start to the first instruction of the -c child for a
#            kernel.function("tcp_*") wildcard, and the total ms to exit
set -u
. "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-3}
AROUNDS=${AROUNDS:-1}
N=${N:-200000}
printf 'bench\n' >"$T/f"
KR="$W/kread_loop $T/f $N 64 0 time"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
last_num() { grep -E '^[0-9]+(\.[0-9]+)?$' | tail -1; }

echo "== per hit: kprobe on vfs_read, $N reads, thread CPU ns per read (median of $ROUNDS)"
perf probe -q -d 'probe:vfs_read' 2>/dev/null
perf probe -q vfs_read >/dev/null 2>&1
declare -A r
for tool in base staplet staplet-capture bpftrace perfprobe; do
	v=()
	for i in $(seq "$ROUNDS"); do
		case $tool in
		base) x=$($KR | last_num) ;;
		staplet) x=$(perf stap -e 'global n probe kernel.function("vfs_read") { n[execname()]++ } probe end { foreach (k in n) printf("%s %d\n", k, n[k]) }' -c "$KR" 2>/dev/null | last_num) ;;
		# the same count read through $count: the kprobe event's record,
		# aggregated in perf-stap (capture + replay)
		staplet-capture) x=$(perf stap -e 'global n probe kernel.function("vfs_read") { if ($count >= 0) n[execname()]++ } probe end { foreach (k in n) printf("%s %d\n", k, n[k]) }' -c "$KR" 2>/dev/null | last_num) ;;
		bpftrace) x=$(bpftrace -e 'kprobe:vfs_read { @[comm] = count(); }' -c "$KR" 2>/dev/null | last_num) ;;
		perfprobe) x=$(perf stat -e probe:vfs_read -x, -o "$T/ps" -- $KR 2>/dev/null | last_num) ;;
		esac
		[ -n "$x" ] && v+=("$x")
	done
	r[$tool]=$(printf '%s\n' "${v[@]}" | median)
	echo "$tool: ${r[$tool]} ns/read"
done
perf probe -q -d 'probe:vfs_read' 2>/dev/null
awk -v b="${r[base]}" -v s="${r[staplet]}" -v c="${r[staplet-capture]}" -v t="${r[bpftrace]}" -v p="${r[perfprobe]}" 'BEGIN {
	printf("per hit over the untraced read: staplet (fentry + BPF map) %.0f ns, staplet (kprobe event, captured) %.0f ns, bpftrace %.0f ns, perf probe+stat %.0f ns\n", s-b, c-b, t-b, p-b)
	if (t > b) printf("ratio staplet / bpftrace: %.2f, captured / bpftrace: %.2f (goal <= 0.7)\n", (s-b)/(t-b), (c-b)/(t-b)) }'

[ "${ARMED:-1}" = 1 ] || exit 0
echo "== armed and teardown: kernel.function(\"tcp_*\") / kprobe:tcp_* (median of $AROUNDS)"
n_tcp=$(perf stap -l 'kernel.function("tcp_*")' 2>/dev/null | wc -l)
echo "tcp_* functions staplet probes: $n_tcp"
armed_ms() {   # armed_ms CMD...: ms from start to the stamp child's first instruction
	local t0 st
	t0=$("$W/stamp")
	st=$("$@" 2>/dev/null | grep -E '^[0-9]{6,}$' | head -1)
	[ -n "$st" ] && echo $(( (st - t0) / 1000000 ))
}
declare -A arm tot
for tool in staplet bpftrace; do
	a=() tt=()
	for i in $(seq "$AROUNDS"); do
		t0=$(now)
		case $tool in
		staplet) v=$(armed_ms perf stap -e 'global n probe kernel.function("tcp_*") { n++ } probe end { printf("%d\n", n) }' -c "$W/stamp") ;;
		bpftrace) v=$(armed_ms bpftrace -e 'kprobe:tcp_* { @ = count(); }' -c "$W/stamp") ;;
		esac
		t1=$(now)
		[ -n "$v" ] && a+=("$v")
		tt+=($(( (t1 - t0) / 1000000 )))
	done
	arm[$tool]=$(printf '%s\n' "${a[@]}" | median)
	tot[$tool]=$(printf '%s\n' "${tt[@]}" | median)
	echo "$tool: armed ${arm[$tool]} ms, total ${tot[$tool]} ms, teardown $(( ${tot[$tool]%.*} - ${arm[$tool]%.*} )) ms"
done
awk -v s="${arm[staplet]}" -v b="${arm[bpftrace]}" -v S="${tot[staplet]}" -v B="${tot[bpftrace]}" 'BEGIN {
	if (b > 0) printf("ratio armed staplet / bpftrace: %.2f (goal <= 0.5)\n", s / b)
	if (B - b > 0) printf("ratio teardown staplet / bpftrace: %.2f\n", (S - s) / (B - b)) }'
