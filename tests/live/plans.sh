# Compiled plans: a script with a tracepoint, syscalls with strings and
# uprobes with DWARF $args compiled with -p4 -m, then run from a directory
# with no tapset, by a staplet binary with no tapset beside it, on a
# stripped copy of the traced program (same build-id, no DWARF): exact
# counts with both backends and through record -> report; a program with
# another build-id, another kernel release and another BTF are refused
# with nothing attached.
. "$(dirname "$0")/lib.sh"
N=50
mkdir -p "$TMP/bin" "$TMP/tool" "$TMP/run"
cp "$W/uprobe_target" "$TMP/bin/uprobe_target"
T="$TMP/bin/uprobe_target"
# add(i, 2i) = 3i for i < N; greet("hello", i) when i % 10 == 0
S="global n, s, g, last, e, o, names
probe process(\"$T\").function(\"add\") { n++; s += \$a + \$b }
probe process(\"$T\").function(\"greet\") { g++; last = sprintf(\"%s/%d\", user_string(\$who), \$times) }
probe kernel.trace(\"sched:sched_process_exec\") { if (execname() == \"uprobe_target\") e++ }
probe syscall.openat { if (isinstr(filename, @1)) { o++; names .= filename . \",\" } }
probe end { printf(\"n=%d s=%d g=%d last=%s e=%d\\n\", n, s, g, last, e); printf(\"o=%d %s\\n\", o, names) }"
WANT="n=$N s=3675 g=5 last=hello/40 e=1"
P="$TMP/f"
WANT_O="o=3 \"$P.a\",\"$P.bb\",\"$P.ccc\","
CMD="sh -c '$W/open_paths $P.a $P.bb $P.ccc; $T $N'"

(cd "$TMP" && perf stap -p4 -m plan1 -e "$S" "$P" >"$TMP/p4.out" 2>"$TMP/p4.err")
check "-p4 -m writes the plan and names it" grep -qx plan1 "$TMP/p4.out"
check "the plan file exists" test -s "$TMP/plan1"
echo "# plan size: $(stat -c %s "$TMP/plan1") bytes" >&2

id_before=$(readelf -n "$T" | sed -n 's/.*Build ID: //p')
cp "$T" "$TMP/unstripped"
strip "$T"
id_after=$(readelf -n "$T" | sed -n 's/.*Build ID: //p')
check "the stripped copy keeps its build-id ($id_after)" test -n "$id_after" -a "$id_before" = "$id_after"
check "the stripped copy has no DWARF" sh -c "! readelf -S '$T' | grep -q debug_info"

# a staplet with no tapset beside it: a script does not even compile there
cp "$STAPLET_BUILD/bin/staplet" "$TMP/tool/staplet"
ln -s staplet "$TMP/tool/perf-stap"
ln -s staplet "$TMP/tool/trace-cmd-stap"
(cd "$TMP/run" && SYSTEMTAP_TAPSET= "$TMP/tool/perf-stap" -p4 -m x -e "$S" "$P" >/dev/null 2>"$TMP/nots.err")
check "without the tapset the script itself does not compile" test ! -e "$TMP/run/x"

cp "$TMP/plan1" "$TMP/run/plan"
(cd "$TMP/run" && "$TMP/tool/perf-stap" run plan -c "$CMD" >"$TMP/r.out" 2>"$TMP/r.err")
check "perf stap run: uprobe \$args, tracepoint, exact counts" grep -qx "$WANT" "$TMP/r.out"
check "perf stap run: syscall strings and the script argument" grep -qxF "$WANT_O" "$TMP/r.out"
(cd "$TMP/run" && "$TMP/tool/trace-cmd-stap" run plan -c "$CMD" >"$TMP/t.out" 2>"$TMP/t.err")
check "trace-cmd stap run: uprobe \$args, tracepoint, exact counts" grep -qx "$WANT" "$TMP/t.out"
# (trace-cmd reads user strings when the handler runs, and open_paths has
# overwritten them by then: it says so, as it does for a script)
check "trace-cmd stap run: names the strings it reads late" grep -q "filename (sys_enter_openat) are read from the process" "$TMP/t.err"

(cd "$TMP/run" && "$TMP/tool/perf-stap" record -o "$TMP/run/r.data" plan -c "$CMD" >/dev/null 2>"$TMP/rec.err")
# report compiles the recorded script again: where the program's DWARF is
cp "$TMP/unstripped" "$T"
perf stap report -i "$TMP/run/r.data" >"$TMP/rep.out" 2>"$TMP/rep.err"
check "perf stap record from the plan -> report" grep -qx "$WANT" "$TMP/rep.out"

# refusals: nothing attached, the difference named
refused() {   # refused NAME PLAN PATTERN
	local before after
	before=$(grep -c staplet /sys/kernel/tracing/uprobe_events 2>/dev/null)
	(cd "$TMP/run" && timeout 20 "$TMP/tool/perf-stap" run "$2" -c "$CMD" >"$TMP/x.out" 2>"$TMP/x.err")
	rc=$?
	after=$(grep -c staplet /sys/kernel/tracing/uprobe_events 2>/dev/null)
	if [ $rc != 0 ] && grep -q "$3" "$TMP/x.err" && ! [ -s "$TMP/x.out" ] && [ "$before" = "$after" ]; then
		pass "$1"
	else
		fail "$1" "rc $rc: $(head -2 "$TMP/x.err" | tr '\n' ' ')"
	fi
}
cp "$W/getppid_loop" "$T"
refused "a traced program with another build-id is refused" plan "uprobe_target has build-id .* the plan was compiled against build-id"
rel=$(uname -r)
# the meta section (after the 8-byte magic, the version and its length):
# its strings (u32 count, each with its NUL; the release first), then the
# release's and the machine's string numbers and the BTF fingerprint
python3 - "$TMP/run/plan" "$TMP/run/plan_rel" "$rel" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
rel = sys.argv[3].encode()
other = rel[:-1] + (b'X' if rel[-1:] != b'X' else b'Y')
i = data.index(rel + b'\x00', 20)
open(sys.argv[2], 'wb').write(data[:i] + other + data[i + len(rel):])
PY
refused "a plan for another kernel release is refused" plan_rel "compiled for kernel .* this kernel is $rel"
python3 - "$TMP/run/plan" "$TMP/run/plan_btf" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
n = struct.unpack_from('<I', data, 16)[0]
i = 20
for _ in range(n):
    i = data.index(b'\x00', i) + 1
data[i + 8] ^= 0xff                      # the fingerprint's first byte
open(sys.argv[2], 'wb').write(bytes(data))
PY
refused "a plan resolved against another BTF is refused" plan_btf "BTF differs from the one the plan was resolved against"
head -c 200 "$TMP/run/plan" >"$TMP/run/plan_cut"
refused "a cut plan file is refused" plan_cut "damaged"
no_leftovers "plans"
