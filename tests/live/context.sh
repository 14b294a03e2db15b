# Context functions that read the event's process at event time: its
# command line, environment, and user memory of a known write(2) buffer.
. "$(dirname "$0")/lib.sh"
L=$(cd "$W" && pwd)/getppid_loop

S='probe syscall.getppid { if (pid() != target()) next
	printf("[%s] [%s] [%s] [%s] [%s]\n", cmdline_str(), cmdline_arg(1),
	       cmdline_args(0, -1, "|"), cmdline_arg(9), env_var("STAPLET_CTX"))
	printf("%d %s %d [%s]\n", stp_pid() != pid(), module_name(), remote_id(), remote_uri())
	exit() }'
STAPLET_CTX=hello perf stap -c "$L 200000 x" -e "$S" >"$TMP/c.out" 2>"$TMP/c.err"
WANT="[$L 200000 x] [200000] [$L|200000|x] [] [hello]
1 staplet -1 []"
check "cmdline_str, cmdline_arg, cmdline_args, env_var, stp_pid, module_name" test "$(cat "$TMP/c.out")" = "$WANT"

# user_* reads of the bytes ff ff ff 81 that bash's printf builtin writes
S2='probe syscall.write { if (pid() != target() || $count != 4) next
	printf("%d %d %d %d %d %d %d %d\n", user_int8($buf), user_uint8($buf), user_int16($buf),
	       user_ushort($buf), user_uint16($buf), user_int32($buf), user_uint32($buf), user_short($buf))
	println(user_string_warn(0))
	exit() }'
perf stap -c "bash -c 'printf \"\\xff\\xff\\xff\\x81\" >/dev/null; sleep 1; :'" -e "$S2" >"$TMP/u.out" 2>"$TMP/u.err"
WANT2="-1 255 -1 65535 65535 -2113929217 2181038079 -1
<unknown>"
check "user_int8/uint8/int16/ushort/uint16/int32/uint32 ($(head -1 "$TMP/u.out"))" test "$(cat "$TMP/u.out")" = "$WANT2"
check "user_string_warn warns once, stap's words" grep -q '^WARNING: user string copy fault' "$TMP/u.err"
# scheduler.ctxswitch names its tasks as task_current() does (by tid)
perf stap -T 1 -e 'global ok, bad probe scheduler.ctxswitch { if (prev_task == prev_tid && next_task == next_tid) ok++; else bad++ }
probe end { printf("%d %d\n", ok > 0, bad) }' >"$TMP/s.out" 2>&1
check "scheduler.ctxswitch prev_task/next_task ($(cat "$TMP/s.out"))" test "$(cat "$TMP/s.out")" = "1 0"
# exit() in the first of 50 quick uprobe hits: once the target has exited
# before the events were read, the queued ones after exit() are dropped
C=$(cd "$W" && pwd)/callchain
for b in perf trace-cmd; do
	$b stap -e "probe process(\"$C\").function(\"chain_c\") { println(\"hit\"); exit() }" -c "$C 50" >"$TMP/x.out" 2>&1
	check "$b stap: exit() ends the handlers of queued events ($(sort "$TMP/x.out" | uniq -c | tr '\n' ' '))" \
		test "$(cat "$TMP/x.out")" = hit
done
no_leftovers "context"
