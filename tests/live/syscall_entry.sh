# @entry in syscall / nd_syscall .return probes: a handler on sys_enter_NAME
# saves the values per thread for the return.  The workload makes N
# nanosleeps of MS ms, N reads of 1..N bytes from /dev/zero, and openat()s
# of paths it overwrites right after each call.  (Its "/dev/zero" is in a
# page the kernel faults in at the open: a capture at the entry reads "-".)
. "$(dirname "$0")/lib.sh"
T="$W/timed_syscalls"
N=12 MS=15
P="/etc/hostname /nonexistent/staplet/entry-$$"
S='global sl, rd, bad
probe syscall.nanosleep.return { if (pid() == target()) sl <<< gettimeofday_us() - @entry(gettimeofday_us()) }
probe nd_syscall.read.return {
  if (pid() == target() && @entry(ulong_arg(3)) <= '$N') {
    rd <<< @entry(ulong_arg(3))
    if (retval != @entry(ulong_arg(3)) || @entry(int_arg(1)) != $fd) bad++
  }
}
probe syscall.read.return { if (pid() == target() && $count <= '$N' && retval != $count) bad++ }
probe nd_syscall.openat.return {
  if (pid() == target() && user_string(@entry(pointer_arg(2)), "-") !~ "^(/etc/ld|/lib|/usr/lib|/dev/zero|-$)")
    printf("%s|%s\n", user_string(@entry(pointer_arg(2)), "-"), user_string($filename, "-"))
}
probe end {
  printf("sleeps %d min_ok %d max_ok %d\n", @count(sl), @min(sl) >= '$((MS * 1000))', @max(sl) < 2000000)
  printf("reads %d sum %d bad %d\n", @count(rd), @sum(rd), bad)
}'
WANT="/etc/hostname|/etc/hostname
/nonexistent/staplet/entry-$$|/nonexistent/staplet/entry-$$
sleeps $N min_ok 1 max_ok 1
reads $N sum $((N * (N + 1) / 2)) bad 0"
same() { test "$(cat "$1")" = "$WANT" || { diff <(echo "$WANT") "$1" | head -5 >&2; false; }; }

perf stap -c "$T $N $MS $P" -e "$S" >"$TMP/a.out" 2>&1
check "perf stap syscall @entry: times, arguments, entry strings" same "$TMP/a.out"
perf stap record -o "$TMP/a.data" -c "$T $N $MS $P" -e "$S" >/dev/null 2>&1
perf stap report -i "$TMP/a.data" >"$TMP/b.out" 2>&1
check "perf stap syscall @entry record -> report" same "$TMP/b.out"

# trace-cmd records no user strings (see capture.sh): the rest must match
WANT="sleeps $N min_ok 1 max_ok 1
reads $N sum $((N * (N + 1) / 2)) bad 0"
S2=$(sed '/openat/,/^}/d' <<<"$S")
trace-cmd stap -c "$T $N $MS" -e "$S2" >"$TMP/c.out" 2>&1
check "trace-cmd stap syscall @entry" same "$TMP/c.out"

# wildcards: every syscall's return pairs with its own entry (getppid_loop
# makes only getppid calls in its loop)
S3='global d probe syscall.getpp*.return { if (pid() == target()) d[name] += (@entry(gettimeofday_ns()) <= gettimeofday_ns()) }
probe end { foreach (k in d) printf("%s %d\n", k, d[k]) }'
perf stap -c "$W/getppid_loop 300" -e "$S3" >"$TMP/d.out" 2>&1
check "syscall.getpp*.return @entry pairs each call" grep -qx "getppid 300" "$TMP/d.out"

# int_arg(N) and kin in nd_syscall .return probes: the entry's arguments
# (the reads of 1..N bytes from /dev/zero return their count)
S4="global n, s, bad probe nd_syscall.read.return { if (pid() != target() || retval <= 0 || retval > $N) next
	n++; s += uint_arg(3); bad += (ulong_arg(3) != retval) + (int_arg(1) < 3) }
probe end { printf(\"%d %d %d\\n\", n, s, bad) }"
perf stap -c "$T $N 0" -e "$S4" >"$TMP/f.out" 2>&1
check "int_arg/uint_arg/ulong_arg in .return read the entry's arguments ($(cat "$TMP/f.out"))" \
	grep -qx "$N $((N * (N + 1) / 2)) 0" "$TMP/f.out"

# @entry outside a .return probe is stap's semantic error
perf stap -p3 -e 'probe syscall.read { println(@entry(gettimeofday_us())) }' >/dev/null 2>"$TMP/e.err"
check "@entry in an entry probe: semantic error" grep -q '@entry is only valid in .return probes' "$TMP/e.err"
no_leftovers "syscall @entry"
