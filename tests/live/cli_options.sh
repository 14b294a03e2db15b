# cli_options.sh - stap's options that need more than one word or a file:
# -E (a second script), -F -o (run on in the background), --example, -I
# with a broken tapset file (skipped with a warning; -W makes it fatal),
# -m "" and a TMPDIR that is not a directory or has a space, -t's report.
. "$(dirname "$0")/lib.sh"

# -E: both scripts' probes run, the main script's first
out=$(perf-stap -e 'probe begin { println("main") }' -E 'probe begin { println("extra"); exit() }' 2>&1)
check "-E runs with -e: main then extra ($(tr '\n' ' ' <<<"$out"))" test "$out" = "main
extra"

# -F -o FILE: the command returns at once; the run goes on and writes FILE
perf-stap -F -o "$TMP/bg.out" -e 'global n
probe timer.ms(200) { if (++n == 2) { println("second tick"); exit() } }' >"$TMP/bg.msg" 2>&1
rc=$?
bgpid=$(sed -n 's/.*as process \([0-9]*\);.*/\1/p' "$TMP/bg.msg")
check "-F returns 0 at once naming the background process ($(cat "$TMP/bg.msg"))" test $rc = 0 -a -n "$bgpid"
for _ in $(seq 50); do kill -0 "$bgpid" 2>/dev/null || break; sleep 0.1; done
check "-F: the background run wrote its output and ended ($(cat "$TMP/bg.out"))" \
	test "$(cat "$TMP/bg.out")" = "second tick" -a ! -d "/proc/$bgpid"

# --example NAME: one of stap's own examples, found by name
if [ -f /usr/share/systemtap/examples/general/helloworld.stp ]; then
	out=$(perf-stap -p1 --example helloworld.stp 2>&1 | head -2 | tail -1)
	check "--example helloworld.stp finds the example ($out)" \
		test "$out" = "# file /usr/share/systemtap/examples/general/helloworld.stp"
else
	echo "SKIP --example: systemtap-doc examples not installed"
fi
out=$(perf-stap -p1 --example no-such-example.stp 2>&1); rc=$?
check "--example with an unknown name fails ($out)" test $rc = 1 -a \
	"$out" = "Example 'no-such-example.stp' was not found under '/usr/share/systemtap/examples'"

# -I DIR holding a tapset file with a syntax error: skipped with a warning;
# under -W the warning fails pass 1
mkdir -p "$TMP/badtapset"
printf 'probe broken = .nothing {}\n' >"$TMP/badtapset/broken.stp"
out=$(perf-stap -p1 -I "$TMP/badtapset" -e 'probe begin {}' 2>&1 >/dev/null); rc=$?
check "broken tapset: rc 0, the error then 'will be skipped' ($(tr '\n' ' ' <<<"$out"))" \
	test $rc = 0 -a "$(tail -1 <<<"$out")" = "WARNING: tapset \"$TMP/badtapset/broken.stp\" has errors, and will be skipped"
out=$(perf-stap -p1 -W -I "$TMP/badtapset" -e 'probe begin {}' 2>&1 >/dev/null); rc=$?
check "broken tapset with -W: pass 1 fails ($(tail -1 <<<"$out"))" \
	test $rc = 1 -a "$(tail -1 <<<"$out")" = "Pass 1: parse failed.  [man error::pass1]"

# -m "" and a TMPDIR that cannot be one
out=$(perf-stap -p1 -m "" -e 'probe begin {}' 2>&1); rc=$?
check "-m '' is refused ($out)" test $rc = 1 -a "$out" = "Module name cannot be empty."
out=$(TMPDIR=/dev/null/sub perf-stap -p1 -e 'probe begin {}' 2>&1); rc=$?
check "TMPDIR under /dev/null is refused ($out)" test $rc = 1 -a \
	"$out" = "ERROR: cannot use temporary directory TMPDIR=/dev/null/sub: Not a directory"
# stap's safety patterns, case-insensitive: a TMPDIR with a space is refused
# before it is used; capitals pass, in TMPDIR and in -m
mkdir -p "$TMP/with space" "$TMP/Upper_Case"
out=$(TMPDIR="$TMP/with space" perf-stap -p1 -e 'probe begin {}' 2>&1); rc=$?
check "TMPDIR with a space is refused ($out)" test $rc = 1 -a \
	"$out" = "ERROR: Safety pattern mismatch for TMPDIR ('$TMP/with space' vs. '^[-/._0-9a-z]+\$') rc=1"
out=$(TMPDIR="$TMP/Upper_Case" perf-stap -p1 -m Mod_1 -e 'probe begin {}' 2>&1 >/dev/null); rc=$?
check "TMPDIR and -m with capitals are taken ($out)" test $rc = 0 -a -z "$out"

# -t: after the end probe and the globals, stap's probe hit report: one line
# per probe that ran, with its hit count, handler times and index
cat >"$TMP/timing.stp" <<'EOS'
global n
probe timer.ms(20) { if (++n == 4) exit() }
probe never { n = 99 }
probe end { println("n=", n) }
EOS
out=$(perf-stap -t "$TMP/timing.stp" 2>&1); rc=$?
T='nsecs: [0-9]+min/[0-9]+avg/[0-9]+max, variance: [0-9]+'
check "-t: output, the report header, then the probes that ran ($(tr '\n' '|' <<<"$out"))" test $rc = 0 \
	-a "$(sed -n 1,2p <<<"$out")" = "n=4
----- probe hit report: " -a "$(wc -l <<<"$out")" = 4
check "-t: the timer probe's line" grep -Eqx \
	"timer\.ms\(20\), \($TMP/timing\.stp:2:1\), hits: 4, $T, from: timer\.ms\(20\), index: 0" <<<"$out"
check "-t: the end probe's line" grep -Eqx \
	"end, \($TMP/timing\.stp:4:1\), hits: 1, $T, from: end, index: 2" <<<"$out"
check "-t: min <= avg <= max" awk -F'[ /]' '/hits:/ { for (i = 1; i <= NF; i++) if ($i == "nsecs:") {
	a = $(i + 1) + 0; b = $(i + 2) + 0; c = $(i + 3) + 0; if (!(a <= b && b <= c)) exit 1 } }' <<<"$out"

# SYSTEMTAP_TAPSET replaces the standard tapset directory; a .stpm's
# conditionals pick which of its macros exist
mkdir -p "$TMP/stpm"
printf '%%( 2 > 1 %%?\n@define picked %%( 7 %%)\n%%:\n@define other %%( 9 %%)\n%%)\n' >"$TMP/stpm/choice.stpm"
out=$(echo 'probe begin { println(@picked) }' | SYSTEMTAP_TAPSET="$TMP/stpm" perf-stap -p1 - 2>&1); rc=$?
check "SYSTEMTAP_TAPSET: the kept branch's macro expands (rc $rc)" test $rc = 0 -a "$(grep -c 'println(7)' <<<"$out")" = 1
out=$(echo 'probe begin { println(@other) }' | SYSTEMTAP_TAPSET="$TMP/stpm" perf-stap -p1 - 2>&1); rc=$?
check "SYSTEMTAP_TAPSET: the dropped branch's macro is unknown ($(head -1 <<<"$out"))" \
	test $rc = 1 -a "$(head -1 <<<"$out")" = "parse error: unknown operator @other"

# -v: stap's pass lines with this run's figures, passes 3-4 being lowering
# and attaching
perf-stap -v -e 'probe syscall.getppid { n++ } probe timer.ms(100) { exit() }' >"$TMP/v.out" 2>"$TMP/v.err"
num='[0-9][0-9]*'
mem="using ${num}virt/${num}res/${num}shr/${num}data kb, in ${num}usr/${num}sys/${num}real ms\."
check "-v pass 1 ($(sed -n 1p "$TMP/v.err"))" grep -q "^Pass 1: parsed user script and $num library scripts $mem\$" "$TMP/v.err"
check "-v pass 2 ($(sed -n 2p "$TMP/v.err"))" grep -q "^Pass 2: analyzed script: 2 probes, 0 functions, 0 embeds, 0 globals $mem\$" "$TMP/v.err"
check "-v pass 3 ($(sed -n 3p "$TMP/v.err"))" grep -q "^Pass 3: lowered to $num event sources\? and 2 handlers $mem\$" "$TMP/v.err"
check "-v pass 4 ($(sed -n 4p "$TMP/v.err"))" grep -q "^Pass 4: attached $num event sources\? to the kernel $mem\$" "$TMP/v.err"
check "-v pass 5 ($(sed -n 5,6p "$TMP/v.err" | tr '\n' ' '))" \
	test "$(sed -n 5p "$TMP/v.err")" = "Pass 5: starting run." -a \
	"$(grep -c "^Pass 5: run completed in ${num}usr/${num}sys/${num}real ms\.\$" "$TMP/v.err")" = 1
