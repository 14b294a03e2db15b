#!/usr/bin/env bash
# bench/soak.sh BUILD - `make soak`: SECS (default 600) of syscall.* with
# string variables under two CPU-bound syscall loops, for each backend live
# and recording.  Each second: the tool's RSS and CPU, and (trace-cmd) the
# kernel's own overrun count for our instance.  Checks: RSS flat from the
# first minute (or the first sixth of a shorter run) to the end (+10% and
# 2 MB at most), and every event the loops made either handled or counted
# lost.  Needs root.  Not part of `make check`.  SOAK_TOOLS="perf" and
# SOAK_MODES="record" pick a part (default: both tools, both modes).
set -u
. "$(dirname "$0")/lib.sh"
SECS=${SECS:-600}
fails=0
S='global n, last, bytes
probe syscall.* {
	if (execname() == "syscall_spin") {
		n[name]++
		last = sprintf("%s(%s)", name, argstr)
		bytes += strlen(last)
	}
}
probe end { printf("getppid %d read %d\n", n["getppid"], n["read"]) }'

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }
overrun() {   # the kernel's count for trace-cmd-stap PID's instance
	local i v s=0
	for i in /sys/kernel/tracing/instances/staplet_"$1"_*/per_cpu/cpu*/stats; do
		# the instance goes away when the run ends, maybe mid-loop
		v=$(awk '/^overrun:/ { print $2 }' "$i" 2>/dev/null)
		[ -n "$v" ] || return 0     # no sample this second
		s=$((s + v))
	done
	echo $s
}

soak() {   # soak TOOL MODE
	local tool=$1 mode=$2 pid i rss cpu ov rss_early="" rss_end rss_max=0 early
	local hz; hz=$(getconf CLK_TCK)
	early=$((SECS / 6)); [ $early -gt 60 ] && early=60
	# the loops start once the probes are armed (-c) and the run ends
	# when both are done, so every call they make falls inside it
	local loops="\"$W/syscall_spin\" $SECS >$T/spin1 & \"$W/syscall_spin\" $SECS >$T/spin2; wait"
	if [ "$mode" = live ]; then
		"$tool-stap" -c "$loops" -e "$S" >"$T/out" 2>"$T/err" & pid=$!
	else
		"$tool-stap" record -o "$T/rec" -c "$loops" -e "$S" >"$T/out" 2>"$T/err" & pid=$!
	fi
	echo "# $tool $mode: second rss_kb cpu_pct kernel_overrun" >"$T/samples"
	local last_cpu; last_cpu=$(cpu_ticks $pid)
	for i in $(seq 1 $((SECS + 1))); do
		sleep 1
		kill -0 $pid 2>/dev/null || break
		rss=$(rss_kb $pid); cpu=$(cpu_ticks $pid)
		[ -n "$rss" ] && [ -n "$cpu" ] || break
		ov=$([ "$tool" = trace-cmd ] && overrun $pid || echo -)
		echo "$i ${rss:-0} $(( (${cpu:-0} - ${last_cpu:-0}) * 100 / hz )) $ov" >>"$T/samples"
		last_cpu=$cpu
		[ "${rss:-0}" -gt $rss_max ] && rss_max=$rss
		[ $i = $early ] && rss_early=$rss
		[ -n "$rss" ] && rss_end=$rss
	done
	wait $pid
	if [ "$mode" = record ]; then
		"$tool-stap" report -i "$T/rec" >"$T/out" 2>"$T/err"
	fi
	local want_p want_r got_p got_r lost
	want_p=$(( $(awk '{ print $2 }' "$T/spin1") + $(awk '{ print $2 }' "$T/spin2") ))
	want_r=$(( $(awk '{ print $4 }' "$T/spin1") + $(awk '{ print $4 }' "$T/spin2") ))
	got_p=$(awk '/^getppid/ { print $2 }' "$T/out"); got_r=$(awk '/^getppid/ { print $4 }' "$T/out")
	lost=$(sed -n 's/.*skipped probes: \([0-9]*\)$/\1/p; s/^WARNING: the recording lost \([0-9]*\) events$/\1/p' "$T/err" | tail -1)
	lost=${lost:-0}
	echo "== $tool $mode, $SECS s: RSS ${rss_early:-?} KB at ${early}s, ${rss_end:-?} KB at the end (max $rss_max KB);" \
		"CPU $(awk 'NR > 1 { s += $3; n++ } END { printf "%.0f", n ? s / n : 0 }' "$T/samples")% on average;" \
		"loops made $want_p getppid + $want_r read, handled $got_p + $got_r, lost (reported) $lost;" \
		"kernel overrun last sampled: $(awk 'NF == 4 { v = $4 } END { print v }' "$T/samples")"
	cp "$T/samples" "/tmp/staplet-soak-$tool-$mode.samples"
	if [ -z "$rss_early" ] || [ -z "$rss_end" ] || [ "$rss_end" -gt $((rss_early * 11 / 10 + 2048)) ]; then
		echo "FAIL $tool $mode: RSS grew from ${rss_early:-?} KB to ${rss_end:-?} KB"; fails=$((fails + 1))
	else
		echo "PASS $tool $mode: RSS flat"
	fi
	# getppid is the exact one: the dynamic loader's read()s of libc come
	# on top of the loops' own reads
	if [ -z "$got_p" ] || [ "$got_p" -gt "$want_p" ] || [ $((got_p + lost)) -lt "$want_p" ] ||
	   [ $((got_r + lost)) -lt "$want_r" ]; then
		echo "FAIL $tool $mode: events unaccounted: $want_p getppid made, $got_p handled, $lost lost"
		fails=$((fails + 1))
	else
		echo "PASS $tool $mode: every event handled or counted lost"
	fi
}

for tool in ${SOAK_TOOLS:-perf trace-cmd}; do
	for mode in ${SOAK_MODES:-live record}; do
		soak $tool $mode
	done
done
echo "samples: /tmp/staplet-soak-TOOL-MODE.samples"
[ $fails = 0 ]
