# lib.sh - helpers for live tests: check NAME CONDITION-COMMAND..., leftovers.
W="$STAPLET_BUILD/tests/workload"
TMP=$(mktemp -d /tmp/staplet-live.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; }
check() {   # check NAME CMD...: PASS if CMD succeeds
	local name=$1; shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# Nothing of ours may stay in the kernel after a run.
no_leftovers() {   # no_leftovers NAME
	local t=/sys/kernel/tracing left=""
	ls "$t/instances" 2>/dev/null | grep -q '^staplet' && left="$left instances:$(ls "$t/instances" | grep '^staplet' | tr '\n' ' ')"
	grep -q 'staplet' "$t/uprobe_events" 2>/dev/null && left="$left uprobe_events"
	grep -q 'staplet' "$t/kprobe_events" 2>/dev/null && left="$left kprobe_events"
	if pgrep -f 'perf-stap|trace-cmd-stap' >/dev/null 2>&1; then
		for p in $(pgrep -f 'perf-stap|trace-cmd-stap'); do
			[ "$p" = "$$" ] || left="$left process:$p"
		done
	fi
	if [ -z "$left" ]; then pass "$1: nothing left in the kernel"; else fail "$1: left behind" "$left"; fi
}
