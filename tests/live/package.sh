# package.sh - the Debian package: `dpkg-buildpackage -b -us -uc` on a copy
# of the sources builds a .deb; in the 6.1 guest (a throwaway overlay of
# this machine's root, where Debian's trace-cmd is installed) it installs
# perf-stap, trace-cmd-stap, the tapset, the man pages and the trace-cmd
# dispatcher, diverting Debian's trace-cmd; a script runs through
# `perf stap` and `trace-cmd stap` (live and record) and `trace-cmd report`
# reaches Debian's trace-cmd through the dispatcher; purging the package
# gives Debian's trace-cmd its name back.
# host-only
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/guest/lib.sh"
GUEST_CACHE=${STAPLET_GUEST_CACHE:-$STAPLET_BUILD/guest}
if ! guest_kernel_ready 6.1 || ! command -v qemu-system-x86_64 >/dev/null || ! command -v dh >/dev/null ||
	! [ -x /usr/bin/trace-cmd ]; then
	echo "SKIP package: needs the 6.1 guest, qemu, debhelper and trace-cmd (make deps)"
	exit 0
fi
D=$(mktemp -d "$STAPLET_BUILD/package.XXXXXX")
trap 'rm -rf "$D" "$TMP"' EXIT
# STAPLET_DEB=FILE: test that package instead of building one (while working on the test)
if [ -n "${STAPLET_DEB:-}" ]; then
	cp "$STAPLET_DEB" "$D/"
else
	mkdir "$D/staplet"
	(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$D/staplet")
	(cd "$D/staplet" && DEB_BUILD_OPTIONS="parallel=2 nocheck" dpkg-buildpackage -b -us -uc >"$D/build.log" 2>&1)
fi
DEB=$(ls "$D"/staplet_*_*.deb 2>/dev/null | head -1)
check "dpkg-buildpackage -b -us -uc builds the package" test -s "$DEB"
[ -s "$DEB" ] || { tail -5 "$D/build.log" | sed 's/^/# /' >&2; exit 0; }
files=$(dpkg-deb -c "$DEB")
for f in ./usr/bin/perf-stap ./usr/bin/trace-cmd-stap ./usr/bin/trace-cmd ./usr/share/man/man1/perf-stap.1.gz \
	./usr/share/man/man1/trace-cmd-stap.1.gz ./usr/share/staplet/tapset/context.stp; do
	check "the package holds $f" grep -q " $f\( ->\|$\)" <<<"$files"
done

cat >"$D/inside.sh" <<IN
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
cd /tmp
echo "== before"; readlink -f /usr/bin/trace-cmd
# man-db's trigger rebuilds its index: minutes under TCG, and man -w needs none
rm -f /var/lib/man-db/auto-update
echo "== install"; dpkg -i "$DEB" >/dev/null 2>&1; echo "status \$?"
echo "== diversion"; dpkg-divert --list /usr/bin/trace-cmd
echo "== perf stap"; perf stap -e 'global n; probe syscall.getppid { if (pid() == target()) n++ } probe end { printf("n=%d\\n", n) }' -c "$W/getppid_loop 100" 2>&1
echo "== trace-cmd stap"; trace-cmd stap -e 'global n; probe syscall.getppid { if (pid() == target()) n++ } probe end { printf("n=%d\\n", n) }' -c "$W/getppid_loop 100" 2>&1
echo "== record"; trace-cmd stap record -o /tmp/t.dat -e 'global n; probe syscall.getppid { if (pid() == target()) n++ } probe end { printf("n=%d\\n", n) }' -c "$W/getppid_loop 100" >/dev/null 2>&1
trace-cmd stap report -i /tmp/t.dat 2>&1
echo "== trace-cmd report"; trace-cmd report -i /tmp/t.dat 2>/dev/null | grep -c 'sys_enter_getppid'
echo "== man"; man -w perf-stap trace-cmd-stap 2>&1
echo "== purge"; dpkg --purge staplet >/dev/null 2>&1; echo "status \$?"
echo "== after"; readlink -f /usr/bin/trace-cmd; ls /usr/bin/trace-cmd.distrib 2>&1 | sed 's/.*No such.*/no trace-cmd.distrib/'
trace-cmd list -o 2>&1 | head -1
echo "== end"
exit 0
IN
chmod +x "$D/inside.sh"
in_guest 6.1 1500 "$D/inside.sh"
rc=$guest_rc
check "the guest ran the package test (status $rc)" test $rc = 0
real=$(readlink -f /usr/bin/trace-cmd)
check "before: Debian's trace-cmd" test "$(section before)" = "$real"
check "dpkg -i installs it" test "$(section install)" = "status 0"
check "Debian's trace-cmd is diverted to trace-cmd.distrib" sh -c "grep -q 'trace-cmd.distrib' <<'X'
$(section diversion)
X"
check "perf stap runs a script from the package (n=100)" test "$(section 'perf stap')" = "n=100"
check "trace-cmd stap runs through the dispatcher (n=100)" test "$(section 'trace-cmd stap')" = "n=100"
check "trace-cmd stap record -> report (n=100)" test "$(section record)" = "n=100"
check "trace-cmd report reaches Debian's trace-cmd through the dispatcher (100 events)" \
	test "$(section 'trace-cmd report')" = 100
check "the man pages are installed" test "$(section man | grep -c '/usr/share/man/man1/.*stap.1.gz')" = 2
check "dpkg --purge removes it" test "$(section purge)" = "status 0"
check "after purge: Debian's trace-cmd has its name back" \
	test "$(section after | head -2 | tr '\n' ' ')" = "$real no trace-cmd.distrib "
if [ $rc != 0 ] || ! grep -q "^n=100" "$TMP/g.out"; then
	head -60 "$TMP/g.out" "$TMP/g.err" | sed 's/^/# /' >&2
fi
