#!/usr/bin/env bash
# tests/run.sh BUILD - every test: unit binaries, golden scripts, live kernel tests.
# Each check prints PASS/FAIL; the last line is "N passed, N failed".
# Live tests need root and tracefs; under CI=true they fail instead of skipping.
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$BUILD/bin"
export PATH="$BIN:$PATH"
export STAPLET_BUILD="$ROOT/$BUILD"
pass=0 fail=0 skip=0
failed_names=()

record() {   # record STATUS NAME [DETAIL]
	case $1 in
	PASS) pass=$((pass + 1)); echo "PASS $2" ;;
	SKIP) skip=$((skip + 1)); echo "SKIP $2${3:+: $3}" ;;
	*) fail=$((fail + 1)); failed_names+=("$2"); echo "FAIL $2${3:+: $3}" ;;
	esac
}

# --- unit tests: each binary prints PASS/FAIL lines ---
for t in "$ROOT/$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out=$(cd "$ROOT" && timeout 300 "$t" 2>&1); rc=$?
	while IFS= read -r line; do
		case $line in
		PASS\ *) record PASS "$name: ${line#PASS }" ;;
		FAIL\ *) record FAIL "$name: ${line#FAIL }" ;;
		SKIP\ *) record SKIP "$name: ${line#SKIP }" ;;
		esac
	done <<<"$out"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' <<<"$out"; then
		record FAIL "$name" "exit status $rc: $(tail -3 <<<"$out" | tr '\n' ' ')"
	fi
done

# --- golden script tests: NAME.stp with NAME.out [NAME.err NAME.args NAME.rc] ---
run_golden() {   # run_golden STP
	local stp=$1 base=${1%.stp} name args rc want_rc out err
	name=golden/$(basename "$base")
	args=()
	[ -f "$base.args" ] && read -r -a args <"$base.args"
	want_rc=0
	[ -f "$base.rc" ] && want_rc=$(cat "$base.rc")
	out=$(mktemp) err=$(mktemp)
	(cd "$(dirname "$stp")" && timeout 60 perf-stap "${args[@]}" "$(basename "$stp")" >"$out" 2>"$err")
	rc=$?
	if [ "$rc" != "$want_rc" ]; then
		record FAIL "$name" "exit status $rc, expected $want_rc: $(head -3 "$err" | tr '\n' ' ')"
	elif [ -f "$base.out" ] && ! cmp -s "$out" "$base.out"; then
		record FAIL "$name" "stdout differs: $(diff "$base.out" "$out" | head -5 | tr '\n' ' ')"
	elif [ -f "$base.err" ] && ! cmp -s "$err" "$base.err"; then
		record FAIL "$name" "stderr differs: $(diff "$base.err" "$err" | head -5 | tr '\n' ' ')"
	elif [ ! -f "$base.err" ] && [ -s "$err" ] && [ "$want_rc" = 0 ]; then
		record FAIL "$name" "unexpected stderr: $(head -3 "$err" | tr '\n' ' ')"
	else
		record PASS "$name"
	fi
	rm -f "$out" "$err"
}
for stp in "$ROOT"/tests/golden/*.stp; do
	[ -f "$stp" ] && run_golden "$stp"
done

# --- live kernel tests: each script prints PASS/FAIL/SKIP lines ---
can_trace() {
	[ "$(id -u)" = 0 ] || return 1
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	[ -d /sys/kernel/tracing/events ]
}
if can_trace; then
	for t in "$ROOT"/tests/live/*.sh; do
		[ -f "$t" ] || continue
		name=live/$(basename "$t" .sh)
		out=$(cd "$ROOT" && timeout 600 bash "$t" 2>&1); rc=$?
		while IFS= read -r line; do
			case $line in
			PASS\ *) record PASS "$name: ${line#PASS }" ;;
			FAIL\ *) record FAIL "$name: ${line#FAIL }" ;;
			SKIP\ *) if [ "${CI:-}" = true ]; then record FAIL "$name: ${line#SKIP }" "skipped under CI"; else record SKIP "$name: ${line#SKIP }"; fi ;;
			esac
		done <<<"$out"
		if [ $rc -ne 0 ] && ! grep -q '^FAIL ' <<<"$out"; then
			record FAIL "$name" "exit status $rc: $(tail -3 <<<"$out" | tr '\n' ' ')"
		fi
	done
elif [ "${CI:-}" = true ]; then
	record FAIL live "live tests cannot run (need root and tracefs) and CI requires them"
else
	record SKIP live "need root and tracefs"
fi

if [ ${#failed_names[@]} -gt 0 ]; then
	echo
	echo "failed:"
	printf '  %s\n' "${failed_names[@]}"
fi
echo
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
