# guest_kprobes.sh - the distro-kernel guests have what this machine's kernel
# lacks: a tracefs kprobe and kretprobe on vfs_read count exactly the reads a
# workload makes (dd bs=1: one read() per byte; two runs differ by 1000).
# guest-only
. "$(dirname "$0")/lib.sh"
T=/sys/kernel/tracing
G=staplet_$$
check "kprobe_events exists on $(uname -r)" test -w "$T/kprobe_events"
head -c 2000 /dev/zero >"$TMP/file"

echo "p:$G/vfs_read vfs_read" >>"$T/kprobe_events"
echo "r:$G/vfs_read_ret vfs_read ret=\$retval" >>"$T/kprobe_events"
check "both probes are defined" test "$(grep -cE "^[pr][0-9]*:$G/" "$T/kprobe_events")" = 2

# reads EVENT N [FILTER]: the hits of EVENT while dd reads N single bytes.
reads() {
	perf stat -x, -e "$G:$1" ${3:+--filter "$3"} -- dd if="$TMP/file" of=/dev/null bs=1 count="$2" status=none 2>&1 >/dev/null |
		awk -F, -v e="$G:$1" '$3 == e { print $1 }'
}
a=$(reads vfs_read 100) b=$(reads vfs_read 1100)
check "kprobe vfs_read: 1100 reads hit 1000 more than 100 (got $a and $b)" test $((b - a)) = 1000
a=$(reads vfs_read_ret 100 'ret == 1') b=$(reads vfs_read_ret 1100 'ret == 1')
check "kretprobe vfs_read with ret == 1: 100 and 1100 (got $a and $b)" test "$a $b" = "100 1100"

echo "-:$G/vfs_read" >>"$T/kprobe_events"
echo "-:$G/vfs_read_ret" >>"$T/kprobe_events"
check "the probes are removed" test "$(grep -cE "^[pr][0-9]*:$G/" "$T/kprobe_events")" = 0
no_leftovers guest_kprobes
