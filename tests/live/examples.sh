# examples.sh - run SystemTap's own example scripts the way SystemTap's test
# suite does (the .meta file's test_installcheck command), with the leading
# `stap` bound to perf-stap, under a light background load.  An example
# passes when it exits 0 and prints no ERROR.
#
# The examples that do not pass yet are listed in examples.xfail with the
# reason; they print XFAIL (run.sh ignores it).  A listed example that passes
# prints PASS, so the list only shrinks.  STAPLET_EXAMPLES=all runs the xfail
# ones too and reports them as FAIL.  An entry that holds only on some
# kernels starts with where, "[guest-6.1]" or "[host,guest-6.12]" (host: this
# machine's kernel; guest-ID: the distro kernels of tests/guest).
#
# Another set of examples sources this file with EXAMPLES_SET naming its
# list and xfail files (examples_kprobes.sh), or EXAMPLES_LIST a part of the
# set (examples_kprobes_quick.sh); STAPLET_EXAMPLES_LIST runs another list
# (a few examples again) with the set's xfail file.
. "$(dirname "$0")/lib.sh"

EX=/usr/share/systemtap/examples
: "${EXAMPLES_SET:=examples}"
LIST=${STAPLET_EXAMPLES_LIST:-${EXAMPLES_LIST:-$(dirname "$0")/$EXAMPLES_SET.list}}
XFAIL="$(dirname "$0")/$EXAMPLES_SET.xfail"
if [ ! -d "$EX" ] || [ ! -f "$LIST" ]; then
	echo "SKIP examples: $EX or $LIST missing"
	exit 0
fi

# The command's own `stap` is perf-stap: a shell function in the command's
# shell, not exported.  Whatever the command names `stap` beyond that (the
# -c target "stap -V", `which stap`, process("stap") in a script) is the
# real SystemTap binary on PATH, as in SystemTap's own suite.
STAP_FN='stap() { perf-stap "$@"; }'

# the set's own preparation (examples_kprobes.sh loads modules)
if declare -F examples_setup >/dev/null; then examples_setup; fi

# Light background load: file, pipe, fork/exec and sleep activity.
(
	trap 'exit 0' TERM
	while :; do
		ls /proc >/dev/null; cat /proc/stat >/dev/null
		dd if=/dev/zero of="$TMP/load" bs=64k count=4 conv=fsync status=none
		sleep 0.1
	done
) &
LOAD=$!
trap 'kill $LOAD 2>/dev/null; wait $LOAD 2>/dev/null; rm -rf "$TMP"' EXIT

# xfail_reason EXAMPLE: why EXAMPLE is listed for the kernel this runs on.
xfail_reason() {
	local here=host
	[ -n "${STAPLET_GUEST:-}" ] && here=guest-$STAPLET_GUEST
	awk -v f="$1" -v here="$here" '
		/^#/ { next }
		/^\[/ {
			n = split(substr($1, 2, length($1) - 2), where, ",")
			ok = 0
			for (i = 1; i <= n; i++) if (where[i] == here) ok = 1
			if (!ok) next
			sub(/^[^ ]+ +/, "")
		}
		$1 == f { sub(/^[^ ]+ +/, ""); print; exit }' "$XFAIL"
}

# Seconds an example may take; the TCG guests emulate every instruction.
limit=15
[ -n "${STAPLET_GUEST:-}" ] && limit=${EXAMPLES_GUEST_LIMIT:-60}

npass=0 nrun=0
while read -r f; do
	[ -n "$f" ] || continue
	meta=$EX/${f%.stp}.meta
	cmd=$(grep -m1 '^test_installcheck:' "$meta" 2>/dev/null | sed 's/^test_installcheck: *//')
	[ -n "$cmd" ] || continue
	nrun=$((nrun + 1))
	reason=$(xfail_reason "$f")
	if [ -n "$reason" ] && [ "${STAPLET_EXAMPLES:-}" != all ] && [ "${STAPLET_EXAMPLES:-}" != xfail ]; then
		echo "XFAIL example $f: $reason"
		continue
	fi
	dir=$EX/$(dirname "$f") t0=$SECONDS
	(cd "$dir" && timeout -s INT "$limit" bash -c "$STAP_FN; $cmd" </dev/null >"$TMP/out" 2>"$TMP/err")
	rc=$?
	[ "${STAPLET_LIVE_TIMES:-}" = 1 ] && echo "time example $f $((SECONDS - t0))s" >&2
	# stap's errors start a line; an example's output may quote other
	# processes' command lines, which may say ERROR (execsnoop)
	if [ $rc -eq 0 ] && ! grep -q '^ERROR' "$TMP/out" "$TMP/err"; then
		npass=$((npass + 1))
		pass "example $f"
	elif [ -n "$reason" ] && [ "${STAPLET_EXAMPLES:-}" = xfail ]; then
		echo "XFAIL example $f: $reason"
	else
		why=$(grep -m2 -h 'ERROR\|error' "$TMP/err" "$TMP/out" | head -2)
		[ -n "$why" ] || why=$(grep -m1 . "$TMP/err")
		[ $rc = 124 ] && why="timed out after ${limit}s; $why"
		# SystemTap's suite skips an example whose test_support fails
		# (a function this kernel lacks): say so, it is often the reason
		sup=$(grep -m1 '^test_support:' "$meta" | sed 's/^test_support: *//')
		if [ -n "$sup" ] && ! (cd "$dir" && timeout "$limit" bash -c "$STAP_FN; $sup" </dev/null >/dev/null 2>&1); then
			why="test_support fails here ($sup); $why"
		fi
		fail "example $f" "rc=$rc: $(cut -c1-200 <<<"$why" | tr '\n' ' ')"
	fi
done <"$LIST"
echo "$EXAMPLES_SET: $npass of $nrun passed"
kill $LOAD 2>/dev/null
wait $LOAD 2>/dev/null
no_leftovers "$EXAMPLES_SET"
