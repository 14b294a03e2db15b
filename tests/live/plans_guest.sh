# plans_guest.sh - compile here, run there: a plan compiled on this machine
# for Debian 12's 6.1 kernel (-r against its unpacked package: BTF from
# the vmlinuz, no System.map needed) with a kernel.function probe reading
# $count, a tracepoint, syscall strings and uprobe $args, then run in the
# 6.1 guest by a staplet with no tapset beside it, on a stripped copy of
# the program: exact counts.  There a plan for this machine's kernel and
# a program with another build-id are refused with nothing attached.
# host-only
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/guest/lib.sh"
GUEST_CACHE=${STAPLET_GUEST_CACHE:-$STAPLET_BUILD/guest}
KREL=$(guest_krel 6.1)
if [ -z "$KREL" ] || ! guest_kernel_ready 6.1 || ! command -v qemu-system-x86_64 >/dev/null; then
	echo "SKIP plans_guest: no 6.1 guest kernel or qemu (make deps)"
	exit 0
fi
# the guest sees this machine's file system but a fresh /tmp: work under the build
D=$(mktemp -d "$STAPLET_BUILD/plans-guest.XXXXXX")
trap 'rm -rf "$D" "$TMP"' EXIT
mkdir -p "$D/bin" "$D/tool" "$D/run"
cp "$W/uprobe_target" "$D/bin/uprobe_target"
T="$D/bin/uprobe_target"
head -c 4096 /dev/zero >"$D/data"
N=50 P="$D/f"
S="global n, s, g, last, e, o, names, kr, kc
probe process(\"$T\").function(\"add\") { n++; s += \$a + \$b }
probe process(\"$T\").function(\"greet\") { g++; last = sprintf(\"%s/%d\", user_string(\$who), \$times) }
probe kernel.trace(\"sched:sched_process_exec\") { e[execname()]++ }
probe syscall.openat { if (isinstr(filename, @1)) { o++; names .= filename . \",\" } }
probe kernel.function(\"vfs_read\") { if (execname() == \"read_loop\" && \$count == 77) { kr++; kc += \$count } }
probe end { printf(\"n=%d s=%d g=%d last=%s e=%d\\n\", n, s, g, last, e[\"uprobe_target\"]); printf(\"o=%d %s\\n\", o, names)
  printf(\"kr=%d kc=%d\\n\", kr, kc) }"

(cd "$D" && perf stap -p4 -m k61 -r "$KREL" --kernel-dir "$(guest_dir 6.1)/root" -e "$S" "$P" >"$TMP/p4.out" 2>"$TMP/p4.err")
check "-r $KREL --kernel-dir: the plan is written" test -s "$D/k61"
[ -s "$D/k61" ] || { head -5 "$TMP/p4.err" | sed 's/^/# /' >&2; exit 0; }
(cd "$D" && perf stap -p4 -m here -e "probe begin { println(\"here\"); exit() }" >/dev/null 2>&1)
check "a plan from this kernel's script runs here" sh -c "cd '$D/run' && perf stap run ../here | grep -qx here"
(cd "$D/run" && perf stap run ../k61 >/dev/null 2>"$TMP/here.err")
check "the 6.1 plan is refused on this kernel, naming both releases" \
	grep -q "compiled for kernel $KREL, this kernel is $(uname -r)" "$TMP/here.err"
strip "$T"
cp "$STAPLET_BUILD/bin/staplet" "$D/tool/staplet"
ln -s staplet "$D/tool/perf-stap"

CMD="sh -c '$W/open_paths $P.a $P.bb $P.ccc; $T $N; $W/read_loop $D/data 77 40'"
cat >"$D/inside.sh" <<IN
#!/bin/sh
cd "$D/run" || exit 1
echo "== run"
"$D/tool/perf-stap" run ../k61 -c "$CMD" 2>&1
echo "== release"
uname -r
echo "== here"
"$D/tool/perf-stap" run ../here 2>&1
echo "== buildid"
cp "$W/getppid_loop" "$T"
"$D/tool/perf-stap" run ../k61 -c "$CMD" 2>&1
echo "== kprobes left"
grep -c staplet /sys/kernel/tracing/kprobe_events /sys/kernel/tracing/uprobe_events
exit 0
IN
chmod +x "$D/inside.sh"
in_guest 6.1 900 "$D/inside.sh"
rc=$guest_rc
check "the 6.1 guest ran the plan (status $rc)" test $rc = 0
section run >"$TMP/g.run"
section "kprobes left" >"$TMP/g.left"
check "the guest is $KREL" test "$(section release)" = "$KREL"
check "guest: uprobe \$args on the stripped copy, tracepoint: exact" \
	grep -qx "n=$N s=3675 g=5 last=hello/40 e=1" "$TMP/g.run"
check "guest: syscall strings and the script argument" \
	grep -qxF "o=3 \"$P.a\",\"$P.bb\",\"$P.ccc\"," "$TMP/g.run"
check "guest: kernel.function(\"vfs_read\") \$count, resolved against 6.1's BTF here: exact" \
	grep -qx "kr=40 kc=3080" "$TMP/g.run"
check "guest: this machine's plan is refused there" \
	sh -c "grep -q 'compiled for kernel $(uname -r), this kernel is $KREL' '$TMP/g.out'"
check "guest: a program with another build-id is refused" \
	grep -q "uprobe_target has build-id .* the plan was compiled against build-id" "$TMP/g.out"
check "guest: nothing left in kprobe_events or uprobe_events" \
	test "$(grep -c ':0$' "$TMP/g.left")" = 2
if [ $rc != 0 ] || ! grep -q "kr=40" "$TMP/g.out"; then
	head -40 "$TMP/g.out" "$TMP/g.err" | sed 's/^/# /' >&2
fi
