# guest-only (this host's kernel does not exec i386 programs; Debian's do)
# 32-bit syscalls of a 32-bit process under a script over many string
# syscalls: syscalls:* tracepoints do not report compat syscalls, and the
# raw_syscalls dispatcher that stands in for them (plugins/perf/
# perf_dispatch.h) must not either: their numbers are the i386 table's
# (compat32's symlink is x86-64's mkdir, its readlink x86-64's creat).
. "$(dirname "$0")/lib.sh"
C="$W/compat32"
S='probe syscall.* { if (isinstr(argstr, "staplet-wide-compat")) printf("%s %s\n", name, argstr) }'

check "the kernel runs an i386 program" "$C"
perf stap -v -e "$S" -c "$C" >"$TMP/on.out" 2>"$TMP/on.err"
check "dispatched: the fold is on" grep -q 'dispatched from raw_syscalls:sys_enter' "$TMP/on.err"
check "dispatched: no 32-bit syscall taken for a 64-bit one ($(head -2 "$TMP/on.out" | tr '\n' ' '))" \
	test ! -s "$TMP/on.out"
STAPLET_SYSCALL_DISPATCH=-1 perf stap -e "$S" -c "$C" >"$TMP/off.out" 2>"$TMP/off.err"
check "fold off: the tracepoints report none either" test ! -s "$TMP/off.out"
no_leftovers "compat_syscalls"
