# process("...") paths as stap resolves them: a glob over the file system
# (executable regular files, each real file once: a symlink and its target
# count once, a non-executable match is skipped), a shared library as the
# probed file (function, .return and a USDT mark, exact counts through
# dlopen), a bare name looked up on $PATH, and stap's errors for a mark that
# does not exist and a glob that matches nothing.
. "$(dirname "$0")/lib.sh"
WD=$(cd "$W" && pwd)
LIB=$WD/lib/libstapletu.so.1
N=30
# Two directories the glob reaches: libA holds the library and a symlink to
# it, libB a symlink to the same file and a non-executable look-alike.
mkdir -p "$TMP/libA" "$TMP/libB"
cp "$LIB" "$TMP/libA/"
ln -s libstapletu.so.1 "$TMP/libA/libstapletu.so"
ln -s ../libA/libstapletu.so.1 "$TMP/libB/libstapletu.so.1"
echo 'not ELF' >"$TMP/libB/libstapletu.so.txt"
G="$TMP/lib*/libstapletu.so*"
# ulib_step(i) for i < N: returns 2i, mark step(i, 2i).
S="global n, s, r, m, a
probe process(\"$G\").function(\"ulib_step\") { n++; s += \$i }
probe process(\"$G\").function(\"ulib_step\").return { r += \$return }
probe process(\"$G\").mark(\"step\") { m++; a += \$arg2 - \$arg1 }
probe end { printf(\"n=%d s=%d r=%d m=%d a=%d\\n\", n, s, r, m, a) }"
WANT="n=$N s=$((N * (N - 1) / 2)) r=$((N * (N - 1))) m=$N a=$((N * (N - 1) / 2))"

perf stap -p2 -e "$S" >"$TMP/p2.out" 2>&1
check "glob: one real file, symlinks and non-ELF matches dropped" \
	test "$(grep -c "^probe process(\"$TMP/libA/libstapletu.so.1\")" "$TMP/p2.out")" = 3
perf stap -c "$WD/ulib_user $TMP/libA/libstapletu.so $N" -e "$S" >"$TMP/p.out" 2>"$TMP/p.err"
check "perf stap glob library function/return/mark counts" grep -qx "$WANT" "$TMP/p.out"
trace-cmd stap -c "$WD/ulib_user $TMP/libB/libstapletu.so.1 $N" -e "$S" >"$TMP/t.out" 2>"$TMP/t.err"
check "trace-cmd stap glob library function/return/mark counts" grep -qx "$WANT" "$TMP/t.out"

# A bare name is looked up on $PATH.
PATH="$WD:$PATH" perf stap -c "uprobe_target 20" \
	-e 'global n probe process("uprobe_target").function("add") { n++ } probe end { printf("add=%d\n", n) }' \
	>"$TMP/path.out" 2>"$TMP/path.err"
check "process(\"NAME\") found on PATH" grep -qx "add=20" "$TMP/path.out"
perf stap -p2 -e 'probe process("staplet_no_such_program").function("f") { }' >/dev/null 2>"$TMP/nx.err"
check "bare name not on PATH: stap's error" \
	grep -qx "semantic error: cannot find executable 'staplet_no_such_program'" "$TMP/nx.err"

# A mark the binary does not have: stap's "no match", exit 1; with `?` the
# point is dropped and the rest runs.
perf stap -e "probe process(\"$LIB\").mark(\"no_such_mark\") { }" >/dev/null 2>"$TMP/nm.err"
rc=$?
check "missing mark: semantic error, no match" \
	eval "[ $rc -ne 0 ] && grep -q '^semantic error: while resolving probe point: identifier .process.' '$TMP/nm.err' && grep -qx 'semantic error: no match' '$TMP/nm.err'"
perf stap -e "probe process(\"$LIB\").mark(\"no_such_mark\") ? { } probe begin { println(\"ran\") exit() }" \
	>"$TMP/opt.out" 2>"$TMP/opt.err"
check "missing mark with ?: dropped, the rest runs" grep -qx ran "$TMP/opt.out"
perf stap -p2 -e "probe process(\"$TMP/nolib*/x.so\").function(\"f\") { }" >/dev/null 2>"$TMP/ng.err"
check "glob matching nothing: glob error (3)" grep -qx "semantic error: glob $TMP/nolib\*/x.so error (3)" "$TMP/ng.err"
perf stap -p2 -e "probe process(\"$TMP/libA/libstapletu.so.1\").function(\"no_such_fn\") { }" >/dev/null 2>"$TMP/nf.err"
check "missing function: no match" grep -qx "semantic error: no match" "$TMP/nf.err"
# The stap.* aliases (tapset/stap_staticmarkers.stp) over the marks of the
# real SystemTap binary: one `stap -p1` run passes 0 and 1 once each, in one
# session, and never reaches pass 2.  stap wants a kernel build tree even
# for -p1; an empty fake one is enough.
if command -v stap >/dev/null && readelf -n "$(command -v stap)" 2>/dev/null | grep -q pass0__start; then
	kb=$TMP/kbuild
	mkdir -p "$kb/include/config"
	uname -r >"$kb/include/config/kernel.release"
	touch "$kb/.config" "$kb/Module.symvers"
	perf stap -c "stap -r $kb -p1 -e 'probe begin { exit() }'" -e '
global p0, p0e, p1a, p1e, p2, s
probe stap.pass0 { p0++; s[session]++ }
probe stap.pass0.end { p0e++; s[session]++ }
probe stap.pass1a { p1a++; s[session]++ }
probe stap.pass1.end { p1e++; s[session]++ }
probe stap.pass2 { p2++ }
probe end {
	c = 0; foreach (k in s) c++
	printf("%d %d %d %d %d sessions=%d\n", p0, p0e, p1a, p1e, p2, c)
}' >"$TMP/st.out" 2>"$TMP/st.err"
	# (stap -p1 prints the parsed script on the same stdout, before our report)
	check "stap.pass* aliases on stap's own marks" grep -qx "1 1 1 1 0 sessions=1" "$TMP/st.out"
else
	echo "SKIP stap.pass* aliases: no SystemTap binary with its SDT marks"
fi
no_leftovers "uspace_paths"
