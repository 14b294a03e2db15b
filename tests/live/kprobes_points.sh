# guest-only
# Kernel probe point families on a distro kernel: wildcards from kallsyms
# and BTF, .exported, .inline, module("M") functions (module BTF), a module
# not loaded (stap's error; `?` skips it), statements by address, source
# positions needing DWARF (an error naming the package), -l and -L.
. "$(dirname "$0")/lib.sh"
kprobes_setup

perf-stap -l 'kernel.function("vfs_rea*")' >"$TMP/o" 2>"$TMP/e"
check "-l: vfs_rea* lists vfs_read" grep -qx 'kernel.function("vfs_read")' "$TMP/o"
check "-l: each function once" test "$(sort "$TMP/o" | uniq -d | wc -l)" -eq 0
perf-stap -L 'kernel.function("vfs_read")' >"$TMP/o" 2>"$TMP/e"
check "-L: BTF parameters and types as stap lists them" test "$(cat "$TMP/o")" = \
	'kernel.function("vfs_read") $file:struct file* $buf:char* $count:size_t $pos:loff_t*'
perf-stap -L 'kernel.function("vfs_read").return' >"$TMP/o" 2>"$TMP/e"
check "-L .return: \$return first" grep -q '^kernel.function("vfs_read").return \$return:ssize_t \$file:' "$TMP/o"

perf-stap -e 'global n
probe kernel.function("vfs_rea?") { if (pid() == target()) n[ppfunc()]++ }
probe end { foreach (k in n) if (k == "vfs_read") printf("%s\n", k) }' -c "$KR 3 77" >"$TMP/o" 2>"$TMP/e"
check "a wildcard probes every match; ppfunc() names each" test "$(cat "$TMP/o")" = vfs_read

perf-stap -l 'kernel.function("vfs_*").exported' >"$TMP/o" 2>"$TMP/e"
check ".exported: exported vfs_ functions (vfs_read is not exported)" \
	sh -c "grep -qx 'kernel.function(\"vfs_fsync\").exported' $TMP/o && ! grep -q '\"vfs_read\"' $TMP/o"

perf-stap -e 'probe kernel.function("vfs_read").inline { }' -T 1 >"$TMP/o" 2>"$TMP/e"
check ".inline without DWARF: stap's resolution error" grep -q 'while resolving probe point' "$TMP/e"

perf-stap -e 'probe kernel.function("vfs_read@fs/read_write.c:450") { }' -T 1 >"$TMP/o" 2>"$TMP/e"
check "a source position needs DWARF: the error names linux-image-*-dbg" grep -q 'linux-image-.*-dbg' "$TMP/e"
perf-stap -e 'probe kernel.statement("vfs_read@fs/read_write.c:450") { }' -T 1 >"$TMP/o" 2>"$TMP/e"
check "kernel.statement(\"f@file:line\"): the same error" grep -q 'linux-image-.*-dbg' "$TMP/e"

perf-stap -e 'probe module("no_such_mod").function("f") { }' -T 1 >"$TMP/o" 2>"$TMP/e"
rc=$?
check "a module not loaded: a resolution error (status $rc)" sh -c "[ $rc -ne 0 ] && grep -q 'while resolving probe point' $TMP/e"
perf-stap -e 'probe module("no_such_mod").function("f") ? { } probe begin { print("ok\n"); exit() }' >"$TMP/o" 2>"$TMP/e"
check "a module not loaded with ?: skipped" test "$(cat "$TMP/o")" = ok

perf-stap -L 'module("9p").function("v9fs_file_open")' >"$TMP/o" 2>"$TMP/e"
check "module(\"9p\"): parameters from the module's BTF" test "$(cat "$TMP/o")" = \
	'module("9p").function("v9fs_file_open") $inode:struct inode* $file:struct file*'
perf-stap -l 'module("*").function("v9fs_file_open")' >"$TMP/o" 2>"$TMP/e"
check "module(\"*\") finds the function's module" grep -qx 'module("9p").function("v9fs_file_open")' "$TMP/o"
# the guest's root is 9p: reading a file opens it through v9fs
perf-stap -e 'global n
probe module("9p").function("v9fs_file_open") { if (pid() == target()) n++ }
probe end { printf("%d\n", n) }' -c "cat $STAPLET_BUILD/tests/workload/kread_loop.c" >"$TMP/o" 2>"$TMP/e"
check "module(\"9p\").function fires on a 9p open" test "$(tail -1 "$TMP/o")" -ge 1

addr=$(awk '$3 == "vfs_read" { print $1; exit }' /proc/kallsyms)
perf-stap -e 'global n
probe kernel.statement(0x'"$addr"').absolute { if (pid() == target()) n[probefunc()]++ }
probe end { foreach (k in n) printf("%s\n", k) }' -c "$KR 2 77" >"$TMP/o" 2>"$TMP/e"
check "kernel.statement(ADDR).absolute at vfs_read's address: probefunc() is vfs_read" \
	test "$(cat "$TMP/o")" = vfs_read
perf-stap -e 'global n
probe kprobe.statement(0x'"$addr"').absolute { if (pid() == target() && uint_arg(3) == 77) n++ }
probe end { printf("%d\n", n) }' -c "$KR 6 77" >"$TMP/o" 2>"$TMP/e"
check "kprobe.statement(ADDR).absolute: 6 reads" test "$(cat "$TMP/o")" = 6

perf-stap -e 'global n
probe kernel.function("tcp_v4_connect"), kernel.function("vfs_rea[d]") { if (pid() == target()) n++ }
probe end { printf("%d\n", n > 0) }' -c "$KR 2 77" >"$TMP/o" 2>"$TMP/e"
check "several kernel points in one probe" test "$(cat "$TMP/o")" = 1
no_leftovers "kprobes_points"
