# kernel.function / kprobe.function on this kernel: without kprobe_events and
# BPF fentry, one clear error naming the probe; `?` and `!` points skipped.
# host-only (the guests have kprobes; their kernel-probe tests are guest-only)
. "$(dirname "$0")/lib.sh"
if [ -e /sys/kernel/tracing/kprobe_events ]; then
	echo "SKIP kernel probes: this kernel has kprobes"
	exit 0
fi
perf-stap -e 'probe kernel.function("vfs_read").return { }' -T 1 >"$TMP/o" 2>"$TMP/e"
rc=$?
check "kernel.function without kprobes: status 1 (got $rc)" test $rc -eq 1
check "kernel.function without kprobes: the reason names the probe" grep -qx \
	'semantic error: probe point kernel.function("vfs_read").return cannot attach: this kernel lacks kprobes (no kprobe_events) and BPF fentry' "$TMP/e"
perf-stap -e 'probe kprobe.function("vfs_read") ? { } probe begin { print("ok\n") }' -T 1 >"$TMP/o" 2>"$TMP/e"
check "kprobe.function ? is skipped" test "$(cat "$TMP/o")" = ok
perf-stap -e 'probe module("ext4").function("*") !, begin { print("ok\n") }' -T 1 >"$TMP/o" 2>"$TMP/e"
check "module().function ! falls through to the next point" test "$(cat "$TMP/o")" = ok
no_leftovers "kernel_probes"
