# -o FILE with switch_file() and -S SIZE[,N]: the files stap's stapio
# writes (FILE, FILE.1, FILE.2 ...; with -S FILE.0, FILE.1 ... and only the
# newest N kept), their contents, live and on report -o; and the errors.
. "$(dirname "$0")/lib.sh"

# contents FILE TEXT: FILE holds exactly the lines of TEXT ('|' separated)
contents() {
	[ -f "$1" ] && [ "$(cat "$1")" = "$(tr '|' '\n' <<<"$2")" ]
}
# only DIR NAMES...: DIR holds exactly these files
only() {
	local dir=$1; shift
	[ "$(cd "$dir" && ls -A | sort | tr '\n' ' ')" = "$(for n in "$@"; do echo "$n"; done | sort | tr '\n' ' ')" ]
}

# switch_file(): output so far stays in FILE; a switch takes effect at the
# next output, so two switches with nothing between open one file and a
# switch with nothing after it opens none.
S='probe begin { println("one"); switch_file(); println("two"); println("two more") }
probe begin { switch_file(); switch_file(); println("three") }
probe end { println("end"); switch_file() }
probe begin { exit() }'
mkdir "$TMP/sw"
perf stap -o "$TMP/sw/log" -e "$S" >"$TMP/sw.out" 2>&1
check "switch_file: nothing on stdout" test ! -s "$TMP/sw.out"
check "switch_file: FILE, FILE.1, FILE.2 and no more" only "$TMP/sw" log log.1 log.2
check "switch_file: FILE holds the output before the first switch" contents "$TMP/sw/log" "one"
check "switch_file: FILE.1 the output up to the next switch" contents "$TMP/sw/log.1" "two|two more"
check "switch_file: two switches without output between them make one" contents "$TMP/sw/log.2" "three|end"

# the -o name is a strftime pattern, expanded again for each file
mkdir "$TMP/tm"
perf stap -o "$TMP/tm/log-%Y" -e 'probe begin { println("a"); switch_file(); println("b"); exit() }' >/dev/null 2>&1
Y=$(date +%Y)
check "switch_file: strftime -o names get the .N suffix" only "$TMP/tm" "log-$Y" "log-$Y.1"
check "switch_file: contents of the strftime-named files" contents "$TMP/tm/log-$Y.1" "b"

# /dev/null stays /dev/null: no /dev/null.1
perf stap -o /dev/null -e 'probe begin { println("a"); switch_file(); println("b"); exit() }' >"$TMP/null.out" 2>&1
check "switch_file: -o /dev/null never becomes /dev/null.1" test ! -e /dev/null.1 -a -c /dev/null -a ! -s "$TMP/null.out"

# -S 1,2: 600 KiB per handler; the next file starts once one exceeds
# 1 MiB, and only the newest two files are kept
B='function blob(tag) { for (i = 0; i < 600; i++) printf("%s%1022d\n", tag, i) }
probe begin { blob("a") } probe begin { blob("b") } probe begin { blob("c") }
probe begin { blob("d") } probe begin { blob("e") } probe begin { exit() }'
mkdir "$TMP/sz"
perf stap -o "$TMP/sz/big" -S 1,2 -e "$B" >"$TMP/sz.out" 2>&1
check "-S 1,2: FILE.0 removed, FILE.1 and FILE.2 kept" only "$TMP/sz" big.1 big.2
check "-S 1,2: FILE.1 holds the handlers after the first MiB" test "$(cut -c1 "$TMP/sz/big.1" | uniq -c | awk '{ printf "%s%s ", $2, $1 }')" = "c600 d600 "
check "-S 1,2: FILE.2 the last handler" test "$(cut -c1 "$TMP/sz/big.2" | uniq -c | awk '{ printf "%s%s ", $2, $1 }')" = "e600 "
mkdir "$TMP/sz0"
perf stap -o "$TMP/sz0/big" -S 1 -e "$B" >/dev/null 2>&1
check "-S 1: FILE.0 FILE.1 FILE.2, all kept" only "$TMP/sz0" big.0 big.1 big.2

# errors
perf stap -S 1,2 -e 'probe begin { exit() }' >"$TMP/e1.out" 2>&1; rc=$?
check "-S without -o: staprun's error, status 1" \
	test $rc = 1 -a "$(cat "$TMP/e1.out")" = "ERROR: You have to specify output FILE with '-S' option."
perf stap -o "$TMP/x" -S 1x -e 'probe begin { exit() }' >"$TMP/e2.out" 2>&1; rc=$?
check "-S 1x: invalid size, status 1" test $rc = 1 -a "$(cat "$TMP/e2.out")" = "ERROR: Invalid file size option '1x'."
perf stap record -o "$TMP/r.data" -S 1 -e 'probe begin { exit() }' >"$TMP/e3.out" 2>&1; rc=$?
check "record -S: refused (record writes no script output)" test $rc = 1 -a ! -e "$TMP/r.data"

# report -o: the replayed output goes to files and switches the same way;
# record itself writes no script output, so it switches nothing
R='probe timer.ms(100) { n++; printf("tick %d\n", n); if (n % 2 == 0) switch_file(); if (n == 5) exit() }
global n'
for b in perf trace-cmd; do
	mkdir "$TMP/rep-$b"
	(cd "$TMP/rep-$b" && $b stap record -o "$TMP/$b.data" -e "$R" >/dev/null 2>&1)
	check "$b stap record: switch_file makes no files" only "$TMP/rep-$b"
	$b stap report -i "$TMP/$b.data" -o "$TMP/rep-$b/out" >"$TMP/rep-$b.stdout" 2>&1
	check "$b stap report -o: FILE, FILE.1, FILE.2" only "$TMP/rep-$b" out out.1 out.2
	check "$b stap report -o: contents as live" \
		eval 'contents "$TMP/rep-$b/out" "tick 1|tick 2" && contents "$TMP/rep-$b/out.1" "tick 3|tick 4" &&
		      contents "$TMP/rep-$b/out.2" "tick 5" && test ! -s "$TMP/rep-$b.stdout"'
	$b stap report -i "$TMP/$b.data" >"$TMP/rep-$b.plain" 2>&1
	check "$b stap report without -o: switch_file does nothing" contents "$TMP/rep-$b.plain" "tick 1|tick 2|tick 3|tick 4|tick 5"
done
no_leftovers "output_files"
