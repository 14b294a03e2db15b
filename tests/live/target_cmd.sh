# A -c command that cannot run (issue 16, item 7) fails the run with a
# non-zero status, as stap does, and leaves nothing attached: caught before
# any probe is armed when it can be (a missing or non-executable program, an
# empty line, shell syntax), else when exec fails in the child.
. "$(dirname "$0")/lib.sh"

S='probe syscall.getppid { } probe end { println("end") }'
printf '#!/nonexistent/interpreter\n' >"$TMP/badinterp"
chmod +x "$TMP/badinterp"
for tool in perf trace-cmd; do
	for cmd in /nonexistent/prog /etc/passwd 'true ((' no-such-command-here "$TMP"; do
		$tool stap -w -e "$S" -c "$cmd" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		check "$tool -c '$cmd': exit status non-zero" test $rc != 0
		check "$tool -c '$cmd': an ERROR naming the command" grep -qF "ERROR: cannot run '$cmd'" "$TMP/err"
		check "$tool -c '$cmd': no probe ran" test ! -s "$TMP/out"
	done
	# passes every check beforehand; only exec(2) finds the interpreter missing
	$tool stap -w -e "$S" -c "$TMP/badinterp" >"$TMP/out" 2>"$TMP/err"
	check "$tool -c with a missing interpreter: exit status non-zero" test $? != 0
	check "$tool -c with a missing interpreter: an ERROR" grep -q "ERROR: cannot run" "$TMP/err"
	$tool stap record -o "$TMP/rec" -w -e "$S" -c /nonexistent/prog >/dev/null 2>&1
	check "$tool record -c /nonexistent/prog: exit status non-zero" test $? != 0
	check "$tool record -c /nonexistent/prog: no recording written" test ! -e "$TMP/rec"
	# a command that runs and fails is the command's business, as with stap
	$tool stap -w -e "$S" -c "sh -c 'exit 3'" >"$TMP/out" 2>&1
	check "$tool -c of a command exiting 3: the run succeeds" test $? = 0
done
no_leftovers "failing -c"
