# Process names and pids in recordings are right at each event's time:
# prctl renames and exec included; pid() agrees between live and replay.
. "$(dirname "$0")/lib.sh"
cp "$W/rename_exec" "$TMP/rename_exec"
ln -s rename_exec "$TMP/execd_loop"
S='global n probe syscall.getppid { if (pid() == target()) n[execname()]++ } probe end { foreach (k+ in n) printf("%s %d\n", k, n[k]) }'
want=$(printf 'execd_loop 30\nrename_exec 10\nrenamed 20\n')
for tool in perf-stap trace-cmd-stap; do
	$tool -e "$S" -c "$TMP/rename_exec 10 20 30" >"$TMP/live.out" 2>"$TMP/live.err"
	check "$tool live names per event" test "$(cat "$TMP/live.out")" = "$want"
	$tool record -o "$TMP/r.$tool" -e "$S" -c "$TMP/rename_exec 10 20 30" >/dev/null 2>&1
	$tool report -i "$TMP/r.$tool" >"$TMP/rep.out" 2>"$TMP/rep.err"
	check "$tool replay names per event" test "$(cat "$TMP/rep.out")" = "$want"
	[ "$(cat "$TMP/rep.out")" = "$want" ] || { echo "# got:"; sed 's/^/#   /' "$TMP/rep.out"; }
done
no_leftovers "names"

# no permission: an unprivileged user gets one clear line and status 1
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	cp "$STAPLET_BUILD/bin/staplet" "$TMP/perf-stap"
	chmod 755 "$TMP" "$TMP/perf-stap"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$TMP/perf-stap" -e 'probe syscall.getppid { }' >"$TMP/o" 2>"$TMP/e"
	rc=$?
	check "unprivileged: status 1 (got $rc)" test $rc -eq 1
	check "unprivileged: one line on stderr ($(head -1 "$TMP/e"))" test "$(wc -l <"$TMP/e")" -eq 1
fi
