# One report over several recordings (issue 15): `report -i A -i B` replays
# both through one script.  The two "hosts" are UTS namespaces with names of
# their own; each records a workload of known size.  The merged report's
# per-host counts equal the single reports' (and the workloads'), events come
# in time order across the files whatever the -i order, hostname() answers
# the host each event came from, `end` runs once, and a recording that lacks
# an event the script needs is named.
. "$(dirname "$0")/lib.sh"

S=$(cat "$(dirname "$0")/report_hosts.stp")

for tool in perf trace-cmd; do
	ext=data
	[ $tool = trace-cmd ] && ext=dat
	a=$TMP/a.$ext b=$TMP/b.$ext
	unshare -u sh -c 'hostname staplet-host-a && exec "$@"' sh \
		"$tool-stap" record --buffer-size=16384 -o "$a" -e "$S" -c "$W/getppid_loop 300" >"$TMP/ra" 2>&1
	unshare -u sh -c 'hostname staplet-host-b && exec "$@"' sh \
		"$tool-stap" record --buffer-size=16384 -o "$b" -e "$S" -c "$W/getppid_loop 700" >"$TMP/rb" 2>&1
	check "$tool: both recordings made" grep -q 'record:' "$TMP/ra" "$TMP/rb"
	"$tool" stap report -i "$a" >"$TMP/oa" 2>"$TMP/oa.err"
	"$tool" stap report -i "$b" >"$TMP/ob" 2>"$TMP/ob.err"
	# -i in the other order than they were recorded: time decides
	"$tool" stap report -i "$b" -i "$a" >"$TMP/ab" 2>"$TMP/ab.err"
	rc=$?
	check "$tool: a single report answers its recording's host" grep -qx 'staplet-host-a getppid_loop 300' "$TMP/oa"
	check "$tool: the other single report" grep -qx 'staplet-host-b getppid_loop 700' "$TMP/ob"
	# other runs' getppid storms may fill the ring buffer: a loss warning
	# is the only stderr allowed (a lost event of the target shows in the counts)
	if [ $rc = 0 ] && [ -z "$(grep -v '^WARNING: the recordings lost [0-9]* events$' "$TMP/ab.err")" ] &&
		[ "$(grep -v -e '^run ' -e '^end$' "$TMP/ab")" = "$(cat "$TMP/oa" "$TMP/ob" | grep -v -e '^run ' -e '^end$')" ]; then
		pass "$tool: merged per-host counts are the single reports'"
	else
		fail "$tool: merged per-host counts are the single reports'" "rc=$rc $(head -c 400 "$TMP/ab" "$TMP/ab.err" | tr '\n' ' ')"
	fi
	check "$tool: events in time order across recordings (a's run, then b's)" \
		test "$(grep '^run ' "$TMP/ab" | tr '\n' ' ')" = "run staplet-host-a run staplet-host-b "
	check "$tool: end runs once" test "$(grep -c '^end$' "$TMP/ab")" = 1
	# three inputs, one of them twice: counts accumulate
	"$tool" stap report -i "$a" -i "$b" -i "$a" >"$TMP/aba" 2>&1
	check "$tool: a recording given twice counts twice" grep -qx 'staplet-host-a getppid_loop 600' "$TMP/aba"
	# another script over both: hostname() splits by host
	"$tool" stap report -i "$a" -i "$b" -e 'global n probe syscall.getppid { n[hostname()]++ }
		probe end { foreach (h+ in n) printf("%s>=%d\n", h, n[h] >= (h == "staplet-host-a" ? 300 : 700)) }' \
		>"$TMP/other" 2>"$TMP/other.err"
	check "$tool: another script over both recordings" \
		test "$(tr '\n' ' ' <"$TMP/other")" = "staplet-host-a>=1 staplet-host-b>=1 "
	# a recording of a different script lacks the script's events: named
	"$tool-stap" record -o "$TMP/c.$ext" -e 'global m probe syscall.getpid { m++ }' -c "$W/getppid_loop 1" >/dev/null 2>&1
	"$tool" stap report -i "$a" -i "$TMP/c.$ext" >"$TMP/miss" 2>&1
	rc=$?
	check "$tool: a recording without the events is named" \
		grep -q "ERROR: $TMP/c.$ext: the recording has no events for: syscalls:sys_enter_getppid" "$TMP/miss"
	check "$tool: and the report fails" test $rc = 1
done

# perf.data and trace.dat in one report, with either tool: each file is read
# by its own format's reader
for tool in perf trace-cmd; do
	"$tool" stap report -i "$TMP/a.data" -i "$TMP/b.dat" >"$TMP/mixed" 2>&1
	if [ "$(grep -v -e '^run ' -e '^end$' "$TMP/mixed" | tr '\n' ' ')" = \
		"staplet-host-a getppid_loop 300 staplet-host-b getppid_loop 700 " ]; then
		pass "$tool stap report: a perf.data and a trace.dat in one report"
	else
		fail "$tool stap report: a perf.data and a trace.dat in one report" "$(head -c 300 "$TMP/mixed" | tr '\n' ' ')"
	fi
done
no_leftovers "report over hosts"
