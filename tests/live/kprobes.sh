# guest-only
# Kernel function probes on a distro kernel (kprobes, BTF), perf backend,
# live: exact counts from kread_loop (N read()s of SIZE bytes through
# vfs_read, M nanosleep()s through do_nanosleep), filtered on the target's
# pid and the read size (the dynamic loader reads too), and the context
# stap offers there: $count, $return, @entry, $$parms, $$return, member
# chains, kernel_string/user_string, probefunc/ppfunc/pp, *_arg(N),
# register(), returnval(), backtraces.
. "$(dirname "$0")/lib.sh"
kprobes_setup

perf-stap -e 'global n
probe kernel.function("vfs_read") { if (pid() == target() && $count == 77) n[execname()]++ }
probe end { foreach (k in n) printf("%s %d\n", k, n[k]) }' -c "$KR 123 77" >"$TMP/o" 2>"$TMP/e"
check "kernel.function(vfs_read): 123 reads of the target" test "$(cat "$TMP/o")" = "kread_loop 123"

perf-stap -e 'global n
probe kernel.function("do_nanosleep") { if (pid() == target()) n++ }
probe end { printf("%d\n", n) }' -c "$KR 0 77 37" >"$TMP/o" 2>"$TMP/e"
check "kernel.function(do_nanosleep): 37 sleeps" test "$(cat "$TMP/o")" = 37

perf-stap -e 'global n, r, p, rr, f, g
probe kernel.function("vfs_read").return {
	if (pid() != target() || @entry($count) != 77) next
	n++; r <<< $return; p = $$parms; rr = $$return; f = probefunc(); g = ppfunc()
}
probe end { printf("%d %d %s|%s|%s %s\n", n, @sum(r), p, rr, f, g) }' -c "$KR 10 77" >"$TMP/o" 2>"$TMP/e"
sed -e 's/0x[0-9a-f]*/X/g' "$TMP/o" >"$TMP/o2"
check ".return: \$return, @entry(\$count), \$\$parms, \$\$return, probefunc, ppfunc" test \
	"$(cat "$TMP/o2")" = "10 140 file=X buf=X count=X pos=X|return=X|vfs_read vfs_read"
check "\$\$parms prints count=0x4d, \$\$return return=0xe" grep -q 'count=0x4d pos=.*|return=0xe|' "$TMP/o"

perf-stap -e 'global c, e
probe kernel.function("vfs_read").return { if (pid() == target() && $count == 77) { c++; e = $count } }
probe end { printf("%d %d\n", c, e) }' -c "$KR 4 77" >"$TMP/o" 2>"$TMP/e"
check ".return: a parameter reads its value at the entry" test "$(cat "$TMP/o")" = "4 77"

perf-stap -e 'global n, pos, name, ino
probe kernel.function("vfs_read") {
	if (pid() != target() || $count != 77) next
	n++; pos = $file->f_pos; name = kernel_string($file->f_path->dentry->d_name->name)
	ino = $file->f_inode->i_ino
}
probe end { printf("%d %d %s %d\n", n, pos, name, ino) }' -c "$KR 5 77" >"$TMP/o" 2>"$TMP/e"
check "member chains through BTF: \$file->f_pos, d_name, i_ino" test \
	"$(cat "$TMP/o")" = "5 0 small.txt $(stat -c %i "$F")"

perf-stap -e 'global s
probe kernel.function("do_sys_openat2") { if (pid() == target() && user_string($filename) == @1) s++ }
probe end { printf("%d\n", s) }' "$F" -c "$KR 1 77" >"$TMP/o" 2>"$TMP/e"
check "user_string(\$filename) at the event: one open of the file" test "$(cat "$TMP/o")" = 1

perf-stap -e 'global a, b, c, d, x
probe kernel.function("vfs_read") {
	if (pid() != target() || $count != 77) next
	a = uint_arg(3); b = register("rdx"); c = ulong_arg(3); d = pp(); x = s32_arg(3)
}
probe end { printf("%d %d %d %d %s\n", a, b, c, x, d) }' -c "$KR 3 77" >"$TMP/o" 2>"$TMP/e"
check "uint_arg/register/ulong_arg/s32_arg from pt_regs, pp()" test \
	"$(cat "$TMP/o")" = '77 77 77 77 kernel.function("vfs_read")'

perf-stap -e 'global n, r
probe kprobe.function("vfs_read") { if (pid() == target() && int_arg(3) == 77) n++ }
probe kprobe.function("vfs_read").return { if (pid() == target()) r[returnval()]++ }
probe end { printf("%d %d\n", n, r[14]) }' -c "$KR 7 77" >"$TMP/o" 2>"$TMP/e"
check "kprobe.function and .return: int_arg(3), returnval()" test "$(cat "$TMP/o")" = "7 7"

perf-stap -e 'probe kernel.function("vfs_read") { if (pid() == target() && $count == 77) { print_backtrace(); exit() } }' \
	-c "$KR 5 77" >"$TMP/o" 2>"$TMP/e"
# the probed address: the function's first byte, or its ftrace call after
# an IBT endbr64 (6.12) where kprobes move to
check "print_backtrace: the probed function first, then its callers" \
	grep -qE '^ 0x[0-9a-f]+ : vfs_read\+0x[04]/0x[0-9a-f]+ \[kernel\]$' <(head -1 "$TMP/o")
check "print_backtrace: ksys_read called it" grep -q ' : ksys_read+0x' "$TMP/o"

perf-stap -e 'global b
probe kernel.function("vfs_read") { if (pid() == target() && $count == 77) b = backtrace() }
probe end { print_stack(b) }' -c "$KR 2 77" >"$TMP/o" 2>"$TMP/e"
check "backtrace(): hex addresses print_stack names" grep -qE ' : vfs_read\+0x[04]/' "$TMP/o"

# live, n[execname()]++ runs in the kernel (fentry/fexit, or a BPF kprobe
# program) and n++ as a perf counter; the counts equal the capture path's
for kind in "" .return; do
	S="global n
probe kernel.function(\"vfs_read\")$kind { if (pid() == target()) n[execname()]++ }
probe end { foreach (k in n) printf(\"%s %d\\n\", k, n[k]) }"
	perf-stap -v -e "$S" -c "$KR 200 77" >"$TMP/o2" 2>"$TMP/e2"
	perf-stap -e "${S/pid() == target()/pid() == target() \&\& \$count >= 0}" -c "$KR 200 77" >"$TMP/o3" 2>"$TMP/e3"
	check "vfs_read$kind in the kernel: BPF map aggregation" grep -q 'vfs_read.*: tier 2: BPF map aggregation' "$TMP/e2"
	check "vfs_read$kind in the kernel counts what the capture path counts" \
		sh -c "grep -qE '^kread_loop 2[0-9][0-9]$' $TMP/o2 && cmp -s $TMP/o2 $TMP/o3"
done
perf-stap -v -e 'global n probe kernel.function("do_nanosleep") { n++ } probe end { printf("%d\n", n) }' \
	-c "$KR 0 77 25" >"$TMP/o" 2>"$TMP/e"
check "n++ at a kprobe: a perf counter" grep -q 'do_nanosleep: tier 1: perf counter' "$TMP/e"
check "n++ at a kprobe: at least the target's 25 sleeps" test "$(cat "$TMP/o")" -ge 25

no_leftovers "kprobes"
