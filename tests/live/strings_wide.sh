# Strings at the event over a wide syscall set: `syscall.*` with argstr
# gives 86 syscall sources that copy user memory (and as many task context
# companions when the handler reads uid()).  Their BPF programs sit behind
# one raw_syscalls dispatcher per direction (plugins/perf/perf_dispatch.h)
# instead of a tracepoint event each: the strings and the credentials of
# each call are exact, live and through record -> report, the same as with
# the fold turned off; -v says the fold happened; the run no longer spends
# seconds closing events; a script over one syscall does not fold.
. "$(dirname "$0")/lib.sh"
WL="$W/wide_paths"
S='probe syscall.* { if (execname() == "wide_paths" && isinstr(argstr, "/tmp/staplet-wide"))
	printf("%s uid=%d euid=%d %s\n", name, uid(), euid(), argstr) }
probe nd_syscall.openat { if (execname() == "wide_paths" && isinstr(argstr, "/tmp/staplet-wide"))
	printf("nd %s\n", filename) }'
{
	for k in 0 1 2 3 4; do
		printf 'openat uid=0 euid=0 AT_FDCWD, "/tmp/staplet-wide-%d", O_RDONLY\n' $k
		printf 'nd "/tmp/staplet-wide-%d"\n' $k
	done
	echo 'chdir uid=0 euid=0 "/tmp/staplet-wide-no"'
	echo 'mkdir uid=0 euid=0 "/tmp/staplet-wide-no/dir", 0755'
	echo 'openat uid=65534 euid=65533 AT_FDCWD, "/tmp/staplet-wide-child1", O_RDONLY'
	echo 'nd "/tmp/staplet-wide-child1"'
	echo 'openat uid=65533 euid=65534 AT_FDCWD, "/tmp/staplet-wide-child2", O_RDONLY'
	echo 'nd "/tmp/staplet-wide-child2"'
} >"$TMP/want"
same() {   # same OUT: exactly the wanted lines (pass lines of -v aside)
	grep -v '^Pass [0-9]' "$1" >"$TMP/got"
	if cmp -s "$TMP/want" "$TMP/got"; then return 0; fi
	diff "$TMP/want" "$TMP/got" | head -10 >&2
	return 1
}
folded() { grep -q 'syscall capture programs (and [1-9][0-9]* task context programs) dispatched from raw_syscalls:sys_enter' "$1"; }
pass5_ms() { sed -n 's/^Pass 5: run completed in .*\/\([0-9]*\)real ms.*/\1/p' "$1"; }

perf stap -v -e "$S" -c "$WL" >"$TMP/live.out" 2>"$TMP/live.err"
check "wide live: the strings and credentials of each call, exactly" same "$TMP/live.out"
check "wide live: -v says the capture programs are dispatched from raw_syscalls" folded "$TMP/live.err"
check "wide live: no other message" test -z "$(grep -v -e '^Pass ' -e '^perf stap: ' "$TMP/live.err")"
ms=$(pass5_ms "$TMP/live.err")
check "wide live: run and teardown within $(scaled 2) s (${ms:-?} ms; one event per syscall took 4 s)" \
	test "${ms:-999999}" -le "$(scaled 2000)"
no_leftovers "wide live"

perf stap record -v -o "$TMP/w.data" -e "$S" -c "$WL" >/dev/null 2>"$TMP/rec.err"
check "wide record: dispatched as live" folded "$TMP/rec.err"
perf stap report -i "$TMP/w.data" >"$TMP/rep.out" 2>"$TMP/rep.err"
check "wide record -> report: the same lines" same "$TMP/rep.out"
no_leftovers "wide record"

# the fold turned off: one tracepoint event each, the same output
STAPLET_SYSCALL_DISPATCH=-1 perf stap -v -e "$S" -c "$WL" >"$TMP/off.out" 2>"$TMP/off.err"
check "fold off: the same lines" same "$TMP/off.out"
check "fold off: -v says nothing is dispatched" sh -c "! grep -q dispatched '$TMP/off.err'"

# one syscall: its own tracepoint event, no dispatcher in the way
N='probe syscall.openat { if (execname() == "wide_paths") printf("%s uid=%d\n", filename, uid()) }'
perf stap -v -e "$N" -c "$WL" >"$TMP/n.out" 2>"$TMP/n.err"
check "narrow: syscall.openat is not folded" sh -c "! grep -q dispatched '$TMP/n.err'"
check "narrow: its strings" test "$(grep -c '^"/tmp/staplet-wide-[0-4]" uid=0$' "$TMP/n.out")" = 5 -a \
	"$(grep -c '^"/tmp/staplet-wide-child[12]" uid=6553[34]$' "$TMP/n.out")" = 2
no_leftovers "strings_wide"
