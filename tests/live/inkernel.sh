# In-kernel sources (lowering/inkernel.h): live counts are exact for each
# lowered pattern, -p3 names the tier, recordings stay per event (tier 3)
# and report the same, and no BPF program or perf fd outlives a run.
. "$(dirname "$0")/lib.sh"
# a copy under a name no other job's getppid loop has (nor a concurrent
# run of this test: the name carries our pid)
IN=ink$$
cp "$W/getppid_loop" "$TMP/$IN"
L="$TMP/$IN"
N=3000
tier() {   # tier SCRIPT: the live tier of source 0
	perf stap -p3 -e "$1" 2>/dev/null | sed -n 's/^source 0: .*\[live: \(tier [0-9]\).*/\1/p'
}
run() {    # run SCRIPT N: live output with the loop as target
	perf stap -e "$1" -c "$L $2" 2>&1
}
no_progs() {   # no stap_agg program left in the kernel by a run of ours
	! bpftool prog show 2>/dev/null | grep -q 'name stap_agg'
}

# tier 1: perf counters.  Unguarded counts see every task's getppid, so
# other jobs on the machine may add to them: at least N, and exact for the
# target in the keyed/guarded forms below.
S1='global n; probe syscall.getppid { n++ } probe end { println(n) }'
check "inkernel: n++ is tier 1" test "$(tier "$S1")" = "tier 1"
out=$(run "$S1" $N)
check "inkernel: n++ counted at least $N ($out)" test "$out" -ge $N
S2='global s; probe syscall.getppid { s <<< 1 } probe end { println(@count(s), " ", @min(s), " ", @max(s), " ", @avg(s), " ", @sum(s) == @count(s)) }'
check "inkernel: s <<< 1 is tier 1" test "$(tier "$S2")" = "tier 1"
out=$(run "$S2" $N)
check "inkernel: s <<< 1: @count >= $N, @min @max @avg 1 ($out)" \
	sh -c "set -- $out; [ \$1 -ge $N ] && [ \"\$2 \$3 \$4 \$5\" = '1 1 1 1' ]"
# a timer reading the count while running keeps it in userspace
check "inkernel: a running reader keeps tier 3" \
	test "$(tier 'global n; probe syscall.getppid { n++ } probe timer.s(1) { println(n) }')" = "tier 3"

# tier 2: BPF map aggregation, exact for the target
S3='global n; probe syscall.getppid { n[execname()]++ } probe end { println(n["'"$IN"'"]) }'
check "inkernel: n[execname()]++ is tier 2" test "$(tier "$S3")" = "tier 2"
check "inkernel: n[execname()]++ exact" test "$(run "$S3" $N)" = $N
S4='global n; probe syscall.getppid { n[pid()] += 2 } probe end { println(n[target()]) }'
check "inkernel: n[pid()] += 2 is tier 2" test "$(tier "$S4")" = "tier 2"
check "inkernel: n[pid()] += 2 exact" test "$(run "$S4" $N)" = $((2 * N))
S5='global n; probe syscall.getppid { if (pid() == target()) n++ } probe end { println(n) }'
check "inkernel: guarded n++ is tier 2" test "$(tier "$S5")" = "tier 2"
check "inkernel: if (pid() == target()) n++ exact" test "$(run "$S5" $N)" = $N
S6='global s; probe syscall.getppid { if (execname() == "'"$IN"'") s[tid(), cpu()] <<< 5 } probe end { foreach ([t, c] in s) { k += @count(s[t, c]); m += @sum(s[t, c]) } println(k, " ", m) }'
check "inkernel: execname()-guarded stats by tid, cpu is tier 2" test "$(tier "$S6")" = "tier 2"
check "inkernel: execname()-guarded s[tid(), cpu()] <<< 5 exact" test "$(run "$S6" $N)" = "$N $((5 * N))"
# A probe over a set of syscalls: one program on raw_syscalls filtered by
# id serves the whole set (entry and return sets apart, handlers apart).
S7='global a, b; probe syscall.getppid, syscall.getpgrp, syscall.getpgid, syscall.getsid { a[execname()]++ }
probe syscall.getppid.return, syscall.getpgrp.return, syscall.getpgid.return, syscall.getsid.return { b[execname()] += 2 }
probe end { println(a["'"$IN"'"], " ", b["'"$IN"'"]) }'
check "inkernel: a syscall set is tier 2" test "$(tier "$S7")" = "tier 2"
out=$(perf stap -v -e "$S7" -c "$L $N" 2>&1)
check "inkernel: a syscall set is one raw_syscalls program per direction" \
	test "$(grep -c '4 syscall sources from .*on raw_syscalls:sys_e' <<<"$out")" = 2
res=$(grep -v "^Pass [0-9]" <<<"$out" | tail -1)   # -v adds stap's pass lines on stderr
check "inkernel: syscall sets exact ($res)" test "$res" = "$N $((2 * N))"
S8='global n; probe syscall.* { n[execname()]++ } probe end { println(n["'"$IN"'"] >= '$N') }'
out=$(perf stap -v -e "$S8" -c "$L $N" 2>&1)
check "inkernel: syscall.* { n[execname()]++ } is served in the kernel" grep -q 'syscall sources from .*raw_syscalls:sys_enter' <<<"$out"
check "inkernel: syscall.* counts every getppid" test "$(grep -v "^Pass [0-9]" <<<"$out" | tail -1)" = 1
# MAXMAPENTRIES: more keys than the array holds is stap's error at read time
out=$(perf stap -DMAXMAPENTRIES=1 -e 'global n; probe syscall.getppid { n[tid()]++ } probe end { println("end") }' -c "sh -c '$L 10; $L 10; $L 10'" 2>&1)
check "inkernel: map overflow is the MAXMAPENTRIES error" grep -q 'MAXMAPENTRIES' <<<"$out"

# recordings keep every event: record -> report equals the live result
for s in "$S3" "$S4" "$S5" "$S6" "$S7"; do
	want=$(run "$s" 500)
	perf stap record -o "$TMP/r.data" -c "$L 500" -e "$s" >/dev/null 2>&1
	got=$(perf stap report -i "$TMP/r.data" 2>&1)
	check "inkernel: record -> report same as live ($s)" test "$got" = "$want"
done

# SIGINT: the counts are applied, end runs, nothing is left
perf-stap -e 'global n; probe syscall.getppid { n[execname()]++ } probe end { println("got ", n["'"$IN"'"]) }' >"$TMP/int.out" 2>&1 &
sp=$!
sleep "$(scaled 1.5)"
"$L" 700
kill -INT $sp
wait $sp
check "inkernel: SIGINT applies the counts" grep -qx 'got 700' "$TMP/int.out"
check "inkernel: no BPF program left after the runs" no_progs
no_leftovers "inkernel"

# In-kernel counting must not silence other tools on the same tracepoint.
perf-stap -e 'global n probe syscall.getppid { n[execname()]++ } probe end { println(n["x"]) }' >/dev/null 2>&1 &
sp=$!
sleep "$(scaled 1.5)"
c=$(perf stat -x, -e syscalls:sys_enter_getppid -- "$W/getppid_loop" 5000 2>&1 >/dev/null | awk -F, '/getppid/ { print $1 }')
kill -INT $sp; wait $sp
check "a concurrent perf stat still counts while we aggregate in the kernel ($c)" test "${c:-0}" = 5000
