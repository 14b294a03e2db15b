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
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
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

# --- layering: no #include runs up a floor (tests/layers.sh, doc/design.md) ---
while IFS= read -r line; do
	case $line in
	PASS\ *) record PASS "${line#PASS }" ;;
	*) record FAIL "${line#FAIL }" ;;
	esac
done < <(bash "$ROOT/tests/layers.sh" "$ROOT" 2>&1 || echo "FAIL layers: tests/layers.sh exited $?")

# --- golden script tests: NAME.stp with NAME.out [NAME.err NAME.args NAME.rc] ---
# NAME.args holds options; words after a lone "--" are the script's arguments.
golden_args() {   # golden_args BASE: fills opts[] and sargs[]
	local all=() w seen=0
	opts=() sargs=()
	[ -f "$1.args" ] && read -r -a all <"$1.args"
	for w in "${all[@]}"; do
		if [ $seen = 0 ] && [ "$w" = -- ]; then seen=1
		elif [ $seen = 0 ]; then opts+=("$w")
		else sargs+=("$w"); fi
	done
}

# check_golden NAME BASE RC OUT ERR: compare one run with the expected files.
check_golden() {
	local name=$1 base=$2 rc=$3 out=$4 err=$5 want_rc=0
	[ -f "$base.rc" ] && want_rc=$(cat "$base.rc")
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
}

# Scripts whose probes are only begin/end/error/never/timers need no kernel
# events, so record + report must print exactly what the live run prints.
runtime_only() {   # runtime_only STP
	local kinds o
	# a golden that stops at a pass (-pN) records nothing to replay
	for o in "${opts[@]}"; do case $o in -p[1-5]) return 1 ;; esac; done
	kinds=$(cd "$(dirname "$1")" && timeout 60 perf-stap "${opts[@]}" -p3 "$(basename "$1")" "${sargs[@]}" 2>/dev/null |
		awk '/^source [0-9]+:/ { print $3 }') || return 1
	[ -n "$kinds" ] && ! grep -qvE '^(begin|end|error|never|timer)$' <<<"$kinds"
}

run_parity() {   # run_parity STP TOOL
	local stp=$1 tool=$2 base=${1%.stp} data out err rc
	data=$(mktemp -u /tmp/staplet-parity.XXXXXX) out=$(mktemp) err=$(mktemp)
	(cd "$(dirname "$stp")" &&
		timeout 60 "$tool" record -o "$data" "${opts[@]}" "$(basename "$stp")" "${sargs[@]}" >"$out" 2>"$err")
	rc=$?
	if [ $rc != 0 ]; then
		record FAIL "parity/$tool/$(basename "$base")" "record failed ($rc): $(head -3 "$err" | tr '\n' ' ')"
	else
		(cd "$(dirname "$stp")" && timeout 60 "$tool" report -i "$data" "${opts[@]}" >"$out" 2>"$err")
		rc=$?
		check_golden "parity/$tool/$(basename "$base")" "$base" $rc "$out" "$err"
	fi
	rm -f "$data" "$out" "$err"
}

parity_ok() {   # record/report needs root; under CI=true it must run
	[ "$(id -u)" = 0 ] || [ "${CI:-}" = true ]
}

run_golden() {   # run_golden STP
	local stp=$1 base=${1%.stp} name rc out err opts sargs w tool
	name=golden/$(basename "$base")
	golden_args "$base"
	out=$(mktemp) err=$(mktemp)
	(cd "$(dirname "$stp")" && timeout 60 perf-stap "${opts[@]}" "$(basename "$stp")" "${sargs[@]}" >"$out" 2>"$err")
	rc=$?
	check_golden "$name" "$base" $rc "$out" "$err"
	rm -f "$out" "$err"
	for w in "${opts[@]}"; do
		[ "$w" = -o ] && return   # -o means the recording file to record
	done
	if parity_ok && runtime_only "$stp"; then
		for tool in perf-stap trace-cmd-stap; do
			run_parity "$stp" "$tool"
		done
	fi
}
for stp in "$ROOT"/tests/golden/*.stp; do
	[ -f "$stp" ] && run_golden "$stp"
done

# --- the same goldens compiled to plans (-p4 -m) and run from them ---
while IFS= read -r line; do
	case $line in
	PASS\ *) record PASS "${line#PASS }" ;;
	*) record FAIL "${line#FAIL }" ;;
	esac
done < <(bash "$ROOT/tests/plan_goldens.sh" "$ROOT" 2>&1 || echo "FAIL plan_goldens: exited $?")

# --- fuzz smoke: each libFuzzer target a few seconds from the goldens (needs clang) ---
# Built by tests/fuzz/build.sh into $BUILD/fuzz (cached); the targets run side by side.
if command -v clang >/dev/null 2>&1 && [ "${STAPLET_NO_FUZZ:-}" != 1 ]; then
	fz="$ROOT/$BUILD/fuzz"
	if ! fzlog=$(cd "$ROOT" && tests/fuzz/build.sh "$BUILD/fuzz" 2>&1); then
		record FAIL fuzz/build "$(tail -3 <<<"$fzlog" | tr '\n' ' ')"
	else
		for t in "$fz"/fuzz_*; do
			[ -x "$t" ] || continue
			n=$(basename "$t"); secs=10
			[ "$n" = fuzz_frontend ] && secs=30
			mkdir -p "$fz/corpus/$n"
			# the plan reader's seeds: plans of a few goldens
			[ "$n" = fuzz_planfile ] && for g in arrays foreach histforeach stats trycatch; do
				[ -f "$ROOT/tests/golden/$g.stp" ] && (cd "$fz/corpus/$n" &&
					perf-stap -p4 -m "seed_$g" "$ROOT/tests/golden/$g.stp" >/dev/null 2>&1)
			done
			# tests/fuzz/corpus/NAME: seeds and inputs that once failed
			seeds=$(ls -d "$ROOT/tests/fuzz/corpus/$n" 2>/dev/null)
			(cd "$ROOT" && timeout $((secs + 60)) "$t" -max_total_time=$secs -timeout=10 -print_final_stats=1 -artifact_prefix="$fz/$n-" \
				"$fz/corpus/$n" $seeds tests/golden tests/golden/parse >"$fz/$n.log" 2>&1; echo $? >"$fz/$n.rc") &
		done
		wait
		for t in "$fz"/fuzz_*; do
			[ -x "$t" ] || continue
			n=$(basename "$t")
			if [ "$(cat "$fz/$n.rc" 2>/dev/null)" = 0 ]; then
				record PASS "fuzz/$n"
			else
				record FAIL "fuzz/$n" "$(grep -m1 'ERROR\|SUMMARY' "$fz/$n.log"), see $fz/$n.log"
			fi
		done
	fi
fi

# --- live kernel tests (tests/run-live.sh): each script prints PASS/FAIL/SKIP lines ---
# record_lines PREFIX: count the PASS/FAIL/SKIP lines read from stdin; a SKIP
# is a FAIL under CI=true.
record_lines() {
	local line
	while IFS= read -r line; do
		case $line in
		PASS\ *) record PASS "$1${line#PASS }" ;;
		FAIL\ *) record FAIL "$1${line#FAIL }" ;;
		SKIP\ *) if [ "${CI:-}" = true ]; then record FAIL "$1${line#SKIP }" "skipped under CI"; else record SKIP "$1${line#SKIP }"; fi ;;
		esac
	done
}
# STAPLET_NO_LIVE=1 (a quick run while working): the live and guest tests
# are one SKIP, which CI counts as a failure.
if [ -n "${STAPLET_NO_LIVE:-}" ]; then
	record_lines "" <<<"SKIP live: STAPLET_NO_LIVE is set"
	STAPLET_GUESTS=""
else
	record_lines "" < <("$ROOT/tests/run-live.sh")
fi

# --- the same live tests on Debian's own kernels under qemu (tests/guest/README) ---
. "$ROOT/tests/guest/live.sh"
for id in ${STAPLET_GUESTS-${GUEST_KERNELS[*]}}; do
	guest_live "$id"
done

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
