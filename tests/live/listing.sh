# -l / -L: probe points matching a pattern, one per line, as stap prints them.
. "$(dirname "$0")/lib.sh"
check "-l syscall.open* lists syscall.openat" sh -c "perf-stap -l 'syscall.open*' | grep -qx syscall.openat"
check "-L syscall.read: stap's variables" test "$(perf-stap -L syscall.read)" = \
	"syscall.read name:string fd:long buf_uaddr:long count:long argstr:string"
perf-stap -l 'nosuch.point' >"$TMP/o" 2>&1
rc=$?
check "-l without a match: status 1, no output" test $rc -eq 1 -a ! -s "$TMP/o"
