#!/usr/bin/env bash
# bench/plans.sh BUILD - compiled plans: each plan's size, and ms from
# command start to armed (the -c child's first instruction, as bench/run.sh
# measures it) from the script beside from its plan (`run NAME`), median of
# interleaved rounds.  Needs root.  Compare the ratio, not the milliseconds.
set -u
. "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-7}
armed_ms() {   # armed_ms CMD...: ms from start to the stamp child
	local t0 st
	t0=$("$W/stamp")
	st=$("$@" 2>/dev/null | grep -E '^[0-9]{6,}$' | head -1)
	[ -n "$st" ] && echo $(( (st - t0) / 1000000 ))
}
U="$W/uprobe_target"
declare -A SCRIPT
SCRIPT[syscalls]='global n; probe syscall.getppid, syscall.openat { n[execname(), name]++ } probe end { foreach ([e, s] in n-) printf("%s %s %d\n", e, s, n[e, s]) }'
SCRIPT[strings]='probe syscall.openat { if (isinstr(filename, "/nonexistent")) println(filename) }'
SCRIPT[uprobes]="global s; probe process(\"$U\").function(\"add\") { s += \$a + \$b } probe process(\"$U\").function(\"greet\") { println(user_string(\$who)) } probe end { println(s) }"
echo "== plans: size, and ms to armed from the script and from the plan (median of $ROUNDS)"
for k in syscalls strings uprobes; do
	(cd "$T" && perf-stap -p4 -m "$k" -e "${SCRIPT[$k]}" >/dev/null) || { echo "  $k: -p4 -m failed"; continue; }
	a=() b=()
	for i in $(seq "$ROUNDS"); do
		v=$(armed_ms perf-stap -e "${SCRIPT[$k]}" -c "$W/stamp") && a+=("$v")
		v=$(cd "$T" && armed_ms perf-stap run "$k" -c "$W/stamp") && b+=("$v")
	done
	ma=$(printf '%s\n' "${a[@]:-NA}" | median) mb=$(printf '%s\n' "${b[@]:-NA}" | median)
	printf "  %-9s plan %7d bytes   script %5s ms   plan %5s ms   ratio %s\n" "$k" "$(stat -c %s "$T/$k")" \
		"$ma" "$mb" "$(awk -v a="$ma" -v b="$mb" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "NA" }')"
done
