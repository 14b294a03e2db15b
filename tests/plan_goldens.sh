#!/usr/bin/env bash
# tests/plan_goldens.sh ROOT: every golden script that runs to status 0 (and
# does not stop at a pass or write -o), compiled to a plan with -p4 -m and
# run from it in an empty directory (no tapset beside it, no script), must
# print the golden's expected stdout.  One PASS/FAIL line per script.
set -u
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
G="$ROOT/tests/golden"
work=$(mktemp -d /tmp/staplet-plans.XXXXXX)
trap 'rm -rf "$work"' EXIT
for stp in "$G"/*.stp; do
	b=${stp%.stp} n=$(basename "$b")
	[ -f "$b.rc" ] && [ "$(cat "$b.rc")" != 0 ] && continue
	opts=() sargs=() all=() seen=0
	[ -f "$b.args" ] && read -r -a all <"$b.args"
	for w in "${all[@]}"; do
		if [ $seen = 0 ] && [ "$w" = -- ]; then seen=1
		elif [ $seen = 0 ]; then opts+=("$w")
		else sargs+=("$w"); fi
	done
	case " ${opts[*]} " in *" -p"*|*" -o "*|*" -l"*|*" -L"*|*" --dump"*|*" -m "*) continue ;; esac
	rm -rf "$work"/*
	if ! (cd "$G" && timeout 60 perf-stap "${opts[@]}" -p4 -m plan "$stp" "${sargs[@]}" >"$work/p4.out" 2>"$work/p4.err" &&
		mv plan "$work/plan"); then
		echo "FAIL plan/$n: -p4 -m failed: $(head -2 "$work/p4.err" | tr '\n' ' ')"
		continue
	fi
	if [ "$(cat "$work/p4.out")" != plan ]; then
		echo "FAIL plan/$n: -p4 -m printed '$(head -c 80 "$work/p4.out")', not the plan's name"
		continue
	fi
	mkdir "$work/run"
	(cd "$work/run" && SYSTEMTAP_TAPSET=/nonexistent timeout 60 perf-stap run "${opts[@]}" ../plan >"$work/out" 2>"$work/err")
	rc=$?
	if [ $rc != 0 ]; then
		echo "FAIL plan/$n: run exited $rc: $(head -2 "$work/err" | tr '\n' ' ')"
	elif ! cmp -s "$work/out" "$b.out"; then
		echo "FAIL plan/$n: stdout differs: $(diff "$b.out" "$work/out" | head -4 | tr '\n' ' ')"
	else
		echo "PASS plan/$n"
	fi
done
