# Ctrl-C at a terminal under `perf stap`: the end report is printed before
# perf returns (perf's own parent would otherwise die first and hand the
# shell back mid-report).  A pty from script(1) stands in for the terminal.
# (n is read in the end probe, or stap would print it at exit too.)
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "SKIP ctrlc: script(1) missing"; exit 0; }
# The script carries a marker (this test's temp dir) so the test finds its
# own perf-stap among other runs on the machine.
cat >"$TMP/run.sh" <<EOS
perf stap -e 'global n probe syscall.getppid { n++ } probe end { if (n >= 0) printf("end ran\\n") } # $TMP'
echo "perf returned \$?"
EOS
script -qfc "bash $TMP/run.sh" "$TMP/log" >/dev/null 2>&1 &
spid=$!
fg=""
for i in $(seq 50); do
	# wait until perf-stap leads the terminal's foreground group itself
	fg=$(ps -eo pid=,tpgid=,comm=,args= | awk -v m="$TMP" '$3 == "perf-stap" && index($0, m) && $1 == $2 { print $2; exit }')
	[ -n "$fg" ] && break
	sleep 0.1
done
sleep 0.5
[ -n "$fg" ] && kill -INT -- "-$fg"
( sleep 20; kill $spid 2>/dev/null ) &
guard=$!
wait $spid
kill $guard 2>/dev/null
# a run that missed the signal must not outlive the test
for p in $(ps -eo pid=,comm=,args= | awk -v m="$TMP" '$2 == "perf-stap" && index($0, m) { print $1 }'); do
	kill -TERM "$p" 2>/dev/null
done
tr -d '\r' <"$TMP/log" | grep -v '^Script ' >"$TMP/out"
check "Ctrl-C: end probe output comes before perf returns" \
	test "$(grep -v '^$' "$TMP/out" | tr '\n' '|')" = "end ran|perf returned 0|"
no_leftovers "ctrlc"
