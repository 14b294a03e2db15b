# Messages for unprivileged users (issue 16, item 11): every refusal says
# why — tracefs not readable, perf_event_paranoid and the capability — and
# never blames a missing tracepoint for a permission problem.
. "$(dirname "$0")/lib.sh"
id nobody >/dev/null 2>&1 || { echo "SKIP unprivileged: no user nobody"; exit 0; }
command -v setpriv >/dev/null || { echo "SKIP unprivileged: setpriv missing"; exit 0; }
B=$STAPLET_BUILD/bin
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
as_nobody "$B/perf-stap" -l 'syscall.read' >"$TMP/out" 2>"$TMP/err"
check "-l as a normal user: exit status 1" test $? = 1
check "-l as a normal user: says tracefs cannot be read" grep -q "cannot read the kernel's tracing events.*Permission denied (staplet needs root)" "$TMP/err"
as_nobody "$B/perf-stap" -e 'global n probe timer.profile { n++ } probe begin { exit() }' >"$TMP/out" 2>"$TMP/err"
check "perf_event_open refused: exit status 1" test $? = 1
check "perf_event_open refused: names kernel.perf_event_paranoid and the capability" \
	grep -q "Permission denied (kernel.perf_event_paranoid is [-0-9]*: .*CAP_PERFMON" "$TMP/err"
as_nobody "$B/perf-stap" -e 'global n probe perf.sw.cpu_clock.process("/bin/true") { n++ } probe begin { exit() }' >"$TMP/out" 2>"$TMP/err"
check ".process perf probe as a normal user: exit status 1" test $? = 1
check ".process perf probe as a normal user: a permission error, not a missing tracepoint" \
	sh -c "grep -q 'Permission denied' '$TMP/err' && ! grep -q 'no tracepoint' '$TMP/err'"
