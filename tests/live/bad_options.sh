# Bad option values are refused (issue 16, item 6): exit status 1 and one
# line, stap's own words where stap has them, before anything runs.
. "$(dirname "$0")/lib.sh"

S='probe begin { println("ran"); exit() }'
# refused OPTION EXPECTED-STDERR-LINE
refused() {
	local tool a=$1 want=$2 rc
	for tool in perf trace-cmd; do
		# shellcheck disable=SC2086
		$tool stap $a -e "$S" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		if [ $rc = 1 ] && [ ! -s "$TMP/out" ] && [ "$(cat "$TMP/err")" = "$want" ]; then
			pass "$tool $a: refused"
		else
			fail "$tool $a: refused" "rc=$rc out=$(head -c 80 "$TMP/out") err=$(head -c 200 "$TMP/err")"
		fi
	done
}
accepted() {   # accepted OPTION: the run goes ahead
	local tool
	for tool in perf trace-cmd; do
		# shellcheck disable=SC2086
		$tool stap $1 -e "$S" >"$TMP/out" 2>"$TMP/err"
		check "$tool $1: accepted" grep -qx ran "$TMP/out"
	done
}

for v in abc -1 0 99999999999999999999 4294967297 1s; do
	refused "-T$v" "Invalid timeout interval."
done
accepted "-T 5"
accepted "-T 0.5"
P=$(printf "%s" '^[a-z_][a-z_0-9]*(=-?[a-z_0-9]+)?$')
refused "-D =5" "ERROR: Safety pattern mismatch for -D parameter ('=5' vs. '$P') rc=1"
refused "-D A=B=C" "ERROR: Safety pattern mismatch for -D parameter ('A=B=C' vs. '$P') rc=1"
refused "-D MAXMAPENTRIES=abc" "ERROR: -D MAXMAPENTRIES=abc: MAXMAPENTRIES takes a number from 1 to 67108864"
refused "-D MAXACTION=-1" "ERROR: -D MAXACTION=-1: MAXACTION takes a number from 1 to 268435456"
refused "-D MAXACTION" "ERROR: -D MAXACTION: MAXACTION takes a number from 1 to 268435456"
refused "-D MAXSTRINGLEN=0" "ERROR: -D MAXSTRINGLEN=0: MAXSTRINGLEN takes a number from 1 to 1048576"
refused "-D FOO" "ERROR: -D FOO: not a setting staplet knows (MAXSTRINGLEN, MAXMAPENTRIES, MAXACTION, MAXACTION_INTERRUPTIBLE, INTERRUPTIBLE, MAXNESTING, MAXERRORS, HIST_ELISION)"
accepted "-D MAXACTION=5000"
accepted "-D STP_NO_OVERLOAD"
accepted "-D MAXSKIPPED=100"
for v in 0 -1 abc 99999999999 12k; do
	refused "--buffer-size=$v" "ERROR: Invalid buffer size '$v' (should be 1-4193280 kilobytes)."
done
accepted "--buffer-size=64"
for v in abc -5 0 12x 99999999999; do
	refused "-x $v" "Invalid target process ID number."
done
# a pid that names no process
pid=$(sh -c 'echo $$')
while kill -0 "$pid" 2>/dev/null; do pid=$((pid + 100000)); done
# stap checks the pid only where it needs its executable (process probes
# without a path); elsewhere target() is the number given (SystemTap's bpf
# tests run with -x 12345)
accepted "-x $pid"
out=$(perf-stap -x "$pid" -e 'probe begin { println(target()); exit() }' 2>&1)
check "-x $pid of no process: target() is $pid ($out)" test "$out" = "$pid"
out=$(perf-stap -x "$pid" -e 'probe process.begin { println(pid()) }' 2>&1); rc=$?
check "-x $pid of no process with process.begin: stap's error ($(head -1 <<<"$out"))" test $rc = 1 -a \
	"$out" = "semantic error: cannot probe pid $pid: No such process

Pass 2: analysis failed.  [man error::pass2]"
accepted "-x $$"
refused "-x $$ -c true" "You can't specify -c and -x together."
refused "-c true -x $$" "You can't specify -c and -x together."
for tool in perf trace-cmd; do
	$tool stap -c '' -e "$S" >"$TMP/out" 2>"$TMP/err"
	check "$tool -c '': refused" test $? = 1 -a ! -s "$TMP/out" -a "$(cat "$TMP/err")" = "Empty CMD string invalid."
done
for v in 0 6 3x abc; do
	refused "-p $v" "Invalid pass number (should be 1-5)."
done
# MAXACTION=-1 used to disable the runaway guard: the guard must still stop this
timeout 20 perf stap -D MAXACTION=1000 -e 'probe begin { while (1) {} }' >/dev/null 2>&1
check "MAXACTION: a runaway begin probe is stopped" test $? != 124

# scripts of unbounded size (issue 16, item 9): refused with one line, fast
for tool in perf trace-cmd; do
	timeout 60 $tool stap /dev/zero >"$TMP/out" 2>"$TMP/err"
	rc=$?
	check "$tool stap /dev/zero: refused" test $rc = 1 -a "$(cat "$TMP/err")" = "ERROR: script '/dev/zero' is larger than 8 MB: refused"
done
head -c $((9 << 20)) /dev/zero | tr '\0' ' ' >"$TMP/big.stp"
echo 'probe begin { exit() }' >>"$TMP/big.stp"
perf stap "$TMP/big.stp" >"$TMP/out" 2>"$TMP/err"
check "a 9 MB script file: refused" test $? = 1 -a "$(cat "$TMP/err")" = "ERROR: script '$TMP/big.stp' is larger than 8 MB: refused"
echo 'probe begin { println("from a pipe"); exit() }' | perf stap - >"$TMP/out" 2>&1
check "a script from a pipe still runs" grep -qx "from a pipe" "$TMP/out"
