# examples.sh - run SystemTap's own example scripts the way SystemTap's test
# suite does (the .meta file's test_installcheck command), with the leading
# `stap` bound to perf-stap, under a light background load.  An example
# passes when it exits 0 and prints no ERROR.
#
# The examples that do not pass yet are listed in examples.xfail with the
# reason; they print XFAIL (run.sh ignores it).  A listed example that passes
# prints PASS, so the list only shrinks.  STAPLET_EXAMPLES=all runs the xfail
# ones too and reports them as FAIL.
. "$(dirname "$0")/lib.sh"

EX=/usr/share/systemtap/examples
LIST=${STAPLET_EXAMPLES_LIST:-/work/shared/notes/examples-runnable-here.txt}
XFAIL="$(dirname "$0")/examples.xfail"
if [ ! -d "$EX" ] || [ ! -f "$LIST" ]; then
	echo "SKIP examples: $EX or $LIST missing"
	exit 0
fi

# The command's own `stap` is perf-stap: a shell function in the command's
# shell, not exported.  Whatever the command names `stap` beyond that (the
# -c target "stap -V", `which stap`, process("stap") in a script) is the
# real SystemTap binary on PATH, as in SystemTap's own suite.
STAP_FN='stap() { perf-stap "$@"; }'

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

npass=0 nrun=0
while read -r f; do
	[ -n "$f" ] || continue
	meta=$EX/${f%.stp}.meta
	cmd=$(grep -m1 '^test_installcheck:' "$meta" 2>/dev/null | sed 's/^test_installcheck: *//')
	[ -n "$cmd" ] || continue
	nrun=$((nrun + 1))
	reason=$(grep -m1 "^$f " "$XFAIL" 2>/dev/null | cut -d' ' -f2-)
	if [ -n "$reason" ] && [ "${STAPLET_EXAMPLES:-}" != all ] && [ "${STAPLET_EXAMPLES:-}" != xfail ]; then
		echo "XFAIL example $f: $reason"
		continue
	fi
	dir=$EX/$(dirname "$f")
	(cd "$dir" && timeout -s INT 15 bash -c "$STAP_FN; $cmd" </dev/null >"$TMP/out" 2>"$TMP/err")
	rc=$?
	# stap's errors start a line; an example's output may quote other
	# processes' command lines, which may say ERROR (execsnoop)
	if [ $rc -eq 0 ] && ! grep -q '^ERROR' "$TMP/out" "$TMP/err"; then
		npass=$((npass + 1))
		pass "example $f"
	elif [ -n "$reason" ] && [ "${STAPLET_EXAMPLES:-}" = xfail ]; then
		echo "XFAIL example $f: $reason"
	else
		fail "example $f" "rc=$rc: $(grep -m2 -h 'ERROR\|error' "$TMP/err" "$TMP/out" | head -2 | cut -c1-200 | tr '\n' ' ')"
	fi
done <"$LIST"
echo "examples: $npass of $nrun passed"
kill $LOAD 2>/dev/null
wait $LOAD 2>/dev/null
no_leftovers "examples"
