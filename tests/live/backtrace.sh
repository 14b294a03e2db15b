# Backtraces: a uprobe's user stack names main -> chain_a -> chain_b ->
# chain_c in order (through a script function, so lowering must see the
# call), a syscall probe's kernel stack names the syscall entry path, the
# recording replays to the same stacks after the process is gone, and
# trace-cmd stap says it cannot capture stacks.
. "$(dirname "$0")/lib.sh"
T=$(cd "$W" && pwd)/callchain
N=5
S="global bt
function where() { return sprint_ubacktrace() }
probe process(\"$T\").function(\"chain_c\") { bt[where()] <<< 1 }
probe end { foreach (b in bt) printf(\"%d hits\\n%s\", @count(bt[b]), b) }"

chain() {   # chain FILE: one stack, hit N times, innermost first
	[ "$(grep -c hits "$1")" = 1 ] && grep -qx "$N hits" "$1" &&
	sed -n 2,5p "$1" | tr '\n' '|' | grep -Eq '^chain_c\+0x0 \[callchain\]\|chain_b\+0x[0-9a-f]+ \[callchain\]\|chain_a\+0x[0-9a-f]+ \[callchain\]\|main\+0x[0-9a-f]+ \[callchain\]\|$'
}

perf stap -c "$T $N" -e "$S" >"$TMP/u.out" 2>"$TMP/u.err"
check "perf stap live sprint_ubacktrace names main/chain_a/chain_b/chain_c" chain "$TMP/u.out"

# print_ubacktrace: " 0xADDR : sym+0xOFF/0xSIZE [path]"; ubacktrace: hex words
perf stap -c "$T 1" -e "probe process(\"$T\").function(\"chain_b\") { print_ubacktrace(); println(ubacktrace()) }" \
	>"$TMP/p.out" 2>"$TMP/p.err"
check "print_ubacktrace format" grep -Eqx " 0x[0-9a-f]+ : chain_b\+0x0/0x[0-9a-f]+ \[$T\]" "$TMP/p.out"
check "ubacktrace hex words" grep -Eqx '(0x[0-9a-f]+ ){3,}' "$TMP/p.out"

K="global n
probe syscall.getppid { if (pid() != target()) next; if (n++) next; print_backtrace(); print(sprint_backtrace()); println(backtrace()) }"
perf stap -c "$T 3" -e "$K" >"$TMP/k.out" 2>"$TMP/k.err"
check "print_backtrace at syscall.getppid names do_syscall_64" \
	grep -Eq '^ 0xffffffff[0-9a-f]+ : do_syscall_64\+0x[0-9a-f]+/0x[0-9a-f]+ \[kernel\]$' "$TMP/k.out"
check "sprint_backtrace names entry_SYSCALL_64" grep -Eq '^entry_SYSCALL_64[a-z_]*\+0x[0-9a-f]+ \[kernel\]$' "$TMP/k.out"
check "backtrace() is kernel hex words" grep -Eqx '(0xffffffff[0-9a-f]+ )+' "$TMP/k.out"

perf stap record -o "$TMP/k.data" -c "$T 3" -e "$K" >/dev/null 2>"$TMP/kr.err"
perf stap report -i "$TMP/k.data" >"$TMP/kr.out" 2>&1
check "record -> report on this kernel: the same kernel frames" \
	grep -Eq '^do_syscall_64\+0x[0-9a-f]+ \[kernel\]$' "$TMP/kr.out"

# record -> report: the process is gone; its MMAP2 records name the frames
perf stap record -o "$TMP/u.data" -c "$T $N" -e "$S" >/dev/null 2>"$TMP/r.err"
perf stap report -i "$TMP/u.data" >"$TMP/r.out" 2>&1
check "perf stap record -> report: the same user stacks" chain "$TMP/r.out"
check "report prints what live printed" cmp -s "$TMP/u.out" "$TMP/r.out"
perf stap report -i "$TMP/u.data" -e "probe process(\"$T\").function(\"chain_c\") { print_backtrace() }" \
	>"$TMP/r2.out" 2>&1
check "report: a kernel stack the recording lacks is an error" grep -q "did not capture kernel stacks" "$TMP/r2.out"

# A process already running when the recording starts: its mappings are
# written into the recording (synthesized MMAP records), so report names
# its frames although the process has exited by then.
"$T" 400000000 &
BUSY=$!
sleep 0.3
P="global p
probe timer.profile { if (pid() == target() && user_mode()) p[sprint_ubacktrace()] <<< 1 }
probe end { foreach (b in p) print(b) }"
perf stap record -o "$TMP/b.data" -x $BUSY -T 1 -e "$P" >/dev/null 2>"$TMP/b.err"
kill $BUSY 2>/dev/null
wait $BUSY 2>/dev/null
perf stap report -i "$TMP/b.data" >"$TMP/b.out" 2>&1
check "report names the frames of a process that predates the recording" \
	grep -Eq '^(main|chain_[abc])\+0x[0-9a-f]+ \[callchain\]$' "$TMP/b.out"

trace-cmd stap -c "$T 1" -e "$S" >"$TMP/t.out" 2>"$TMP/t.err"
rc=$?
check "trace-cmd stap: stacks are a clear error" test $rc -ne 0 -a -n "$(grep 'cannot capture stacks.*use perf stap' "$TMP/t.err")"
no_leftovers "backtrace"
