#!/usr/bin/env bash
# tests/run-live.sh [NAME...] - the live kernel tests (tests/live/NAME.sh, all
# of them by default) on the running kernel, as tests/run.sh runs them on the
# host and tests/guest/run.sh in each distro-kernel guest.  Prints PASS/FAIL/
# SKIP lines named live/NAME: ...; the caller counts them.
#
# Where a test runs: everywhere, unless a line among its first 10 is
# "# guest-only" (only where $STAPLET_GUEST is set, i.e. in a guest;
# "# guest-only 6.1" only in the guests it names) or
# "# host-only" (never in a guest).  STAPLET_LIVE_TIMES=1 prints each test's
# seconds on stderr.  PATH and STAPLET_BUILD are the caller's (tests/run.sh).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# runs_here TEST: whether TEST's marker lets it run on this kernel.
runs_here() {
	local mark ids
	mark=$(head -10 "$1" | grep -m1 -oE '^# (guest|host)-only\b')
	# "# guest-only 6.1": only in the guests named (measured there)
	ids=$(head -10 "$1" | sed -n 's/^# guest-only \([0-9][0-9. ]*\)$/\1/p' | head -1)
	case $mark in
	'# guest-only') [ -n "${STAPLET_GUEST:-}" ] && { [ -z "$ids" ] || [[ " $ids " == *" $STAPLET_GUEST "* ]]; } ;;
	'# host-only') [ -z "${STAPLET_GUEST:-}" ] ;;
	*) true ;;
	esac
}

can_trace() {
	[ "$(id -u)" = 0 ] || return 1
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	[ -d /sys/kernel/tracing/events ]
}

# run_one TEST: its result lines, named; a failed exit without a FAIL line fails.
run_one() {
	local t=$1 name out rc start=$SECONDS
	name=live/$(basename "$t" .sh)
	out=$(cd "$ROOT" && timeout "$limit" bash "$t" 2>&1); rc=$?
	grep -E '^(PASS|FAIL|SKIP) ' <<<"$out" | sed -E "s#^(PASS|FAIL|SKIP) #\1 $name: #"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' <<<"$out"; then
		echo "FAIL $name: exit status $rc: $(tail -3 <<<"$out" | tr '\n' ' ')"
	fi
	[ "${STAPLET_LIVE_TIMES:-}" = 1 ] && echo "time $name $((SECONDS - start))s" >&2
	return 0
}

# A test's own time limit; TCG guests run about ten times slower.
limit=600
[ -n "${STAPLET_GUEST:-}" ] && limit=1500
if ! can_trace; then
	echo "SKIP live: need root and tracefs"
	exit 0
fi
tests=()
if [ $# -gt 0 ]; then
	for n in "$@"; do tests+=("$ROOT/tests/live/$n.sh"); done
else
	tests=("$ROOT"/tests/live/*.sh)
fi
for t in "${tests[@]}"; do
	[ "$(basename "$t")" = lib.sh ] && continue
	if [ ! -f "$t" ]; then
		echo "FAIL live/$(basename "$t" .sh): no such test"
		continue
	fi
	runs_here "$t" && run_one "$t"
done
# the results are the lines above, whatever the last test was
exit 0
