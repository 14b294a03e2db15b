# Recording files (issue 16, item 1): a recorder running as root writes only
# a file of its own making.  A link planted at the output name or at a
# temporary name the recorder once used is replaced, never followed; the
# recording is mode 0600 in both formats; perf keeps the previous recording
# as FILE.old, moved aside at the start as perf record does; no
# temporary stays behind.
. "$(dirname "$0")/lib.sh"

S='global n probe syscall.getppid { if (pid() == target()) n++ } probe end { printf("n=%d\n", n) }'
D="$TMP/d"
mkdir "$D"
chmod 0777 "$D"                         # a directory other users can write
echo "precious" >"$TMP/victim"
chmod 0600 "$TMP/victim"
victim_intact() { [ "$(cat "$TMP/victim")" = precious ] && [ ! -L "$TMP/victim" ]; }
mode_0600() { [ -f "$1" ] && [ ! -L "$1" ] && [ "$(stat -c %a "$1")" = 600 ]; }
no_temporaries() { [ -z "$(ls -A "$D" | grep -v -x -e "$1" -e "$1.old")" ]; }

for tool in perf trace-cmd; do
	rm -f "$D"/* "$D"/.[!.]* 2>/dev/null
	out=$D/rec.data
	# the names the recorders used to write first: FILE.tmp.PID (perf, PID
	# is ours after exec) and FILE.staplet-tmp (trace-cmd), and FILE itself
	ln -s "$TMP/victim" "$out.staplet-tmp"
	ln -s "$TMP/victim" "$out"
	bash -c 'ln -s "$1" "$2.tmp.$$"; exec "$3-stap" record -o "$2" -e "$4" -c "$5"' sh \
		"$TMP/victim" "$out" "$tool" "$S" "$W/getppid_loop 3" >"$TMP/rec.out" 2>&1
	check "$tool record: succeeds with links planted at its names" grep -q 'record:' "$TMP/rec.out"
	check "$tool record: the file a planted link points to is untouched" victim_intact
	check "$tool record: the recording is a regular file of mode 0600" mode_0600 "$out"
	rm -f "$D"/*.tmp.* "$out.staplet-tmp"
	check "$tool record: no temporary left next to the recording" no_temporaries rec.data
	"$tool" stap report -i "$out" >"$TMP/rep.out" 2>&1
	if grep -qx 'n=3' "$TMP/rep.out"; then pass "$tool report: reads the recording"
	else fail "$tool report: reads the recording" "$(head -c 300 "$TMP/rep.out" "$TMP/rec.out" | tr '\n' ' ')"; fi
done

# perf keeps the previous recording as FILE.old, as perf record does
rm -f "$D"/* "$D"/.[!.]* 2>/dev/null
perf stap record -o "$D/p.data" -e "$S" -c "$W/getppid_loop 2" >/dev/null 2>&1
perf stap record -o "$D/p.data" -e "$S" -c "$W/getppid_loop 5" >/dev/null 2>&1
perf stap report -i "$D/p.data.old" >"$TMP/old.out" 2>&1
perf stap report -i "$D/p.data" >"$TMP/new.out" 2>&1
check "perf record: the previous recording becomes FILE.old" grep -qx 'n=2' "$TMP/old.out"
check "perf record: FILE is the new recording" grep -qx 'n=5' "$TMP/new.out"
check "perf record: FILE.old stays 0600" mode_0600 "$D/p.data.old"

# a run killed while it had a temporary (perf: the moment between creating
# its file and naming it; trace-cmd: while it writes the finished file)
# leaves it; the next recording to the same name removes it, never a live
# run's (a killed recording itself stays under its name: record_killed.sh)
for tool in perf trace-cmd; do
	rm -f "$D"/* "$D"/.[!.]* 2>/dev/null
	sh -c 'exit 0' &
	dead=$!
	wait $dead
	touch "$D/.k.data.$dead.AbC123" "$D/.k.data.$$.XyZ789"
	"$tool-stap" record -o "$D/k.data" -e "$S" -c "$W/getppid_loop 1" >/dev/null 2>&1
	check "$tool record: removes a dead run's temporary" test ! -e "$D/.k.data.$dead.AbC123"
	check "$tool record: keeps a live run's temporary" test -e "$D/.k.data.$$.XyZ789"
	rm -f "$D/.k.data.$$.XyZ789"
	check "$tool record: no other temporary left" no_temporaries k.data
done
no_leftovers "record files"
