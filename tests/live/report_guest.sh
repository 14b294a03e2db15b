# One report over two machines (issue 15's "done when"): the same script
# recorded on this host and in Debian 12's 6.1 kernel under qemu (another
# kernel, another boot, so another CLOCK_MONOTONIC and other event layouts),
# then one `report -i host -i guest`: per-host counts equal the two single
# reports', and the guest's events, recorded after the host's, come after
# them (each clock is put on wall time through the offset its file carries).
# host-only (it boots the guest itself: tests/guest/run.sh)
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

S=$(cat "$(dirname "$0")/report_hosts.stp")

for tool in perf trace-cmd; do
	"$tool-stap" record --buffer-size=16384 -o "$TMP/host.$tool" -e "$S" -c "$W/getppid_loop 300" >"$TMP/rec.$tool" 2>&1
	check "$tool: the host's recording" grep -q 'record:' "$TMP/rec.$tool"
done

# In the guest: name the machine, record with both tools, hand the files back
# base64-encoded on stdout (the guest has a /tmp of its own, and its file
# system vanishes with it).  One word: run.sh runs it as a shell command line.
guest_cmd="hostname staplet-guest
for tool in perf trace-cmd; do
	\"\$tool-stap\" record -o /tmp/g.\$tool -e '$S' -c '$W/getppid_loop 700' >&2 || exit 1
	echo \"=== \$tool\"
	base64 -w0 /tmp/g.\$tool
	echo
done"
. "$ROOT/tests/guest/lib.sh"
if ! command -v qemu-system-x86_64 >/dev/null || ! guest_kernel_ready 6.1; then
	if [ "${CI:-}" = true ]; then fail "report over host and guest: no qemu or 6.1 guest kernel (make deps)"
	else echo "SKIP report over host and guest: no qemu or 6.1 guest kernel (make deps)"; fi
	exit 0
fi
"$ROOT/tests/guest/run.sh" --timeout "${STAPLET_GUEST_TIMEOUT:-1500}" 6.1 -- "$guest_cmd" >"$TMP/guest.out" 2>"$TMP/guest.err"
rc=$?
check "the 6.1 guest recorded (status $rc)" test $rc = 0
[ $rc = 0 ] || sed 's/^/  guest: /' "$TMP/guest.err" | tail -20
for tool in perf trace-cmd; do
	sed -n "/^=== $tool\$/{n;p}" "$TMP/guest.out" | base64 -d >"$TMP/guest.$tool" 2>/dev/null
	"$tool" stap report -i "$TMP/host.$tool" >"$TMP/oh" 2>"$TMP/oh.err"
	"$tool" stap report -i "$TMP/guest.$tool" >"$TMP/og" 2>"$TMP/og.err"
	"$tool" stap report -i "$TMP/guest.$tool" -i "$TMP/host.$tool" >"$TMP/both" 2>"$TMP/both.err"
	r=$?
	host=$(hostname)
	check "$tool: the host's report" grep -qx "$host getppid_loop 300" "$TMP/oh"
	check "$tool: the guest's report" grep -qx 'staplet-guest getppid_loop 700' "$TMP/og"
	if [ $r = 0 ] && [ "$(grep -v -e '^run ' -e '^end$' "$TMP/both")" = "$(cat "$TMP/oh" "$TMP/og" | grep -v -e '^run ' -e '^end$')" ]; then
		pass "$tool: one report of both: per-host counts are the single reports'"
	else
		fail "$tool: one report of both: per-host counts are the single reports'" \
			"rc=$r $(head -c 400 "$TMP/both" "$TMP/both.err" | tr '\n' ' ')"
	fi
	check "$tool: end runs once" test "$(grep -c '^end$' "$TMP/both")" = 1
	check "$tool: the host's events first, then the guest's (wall-clock order)" \
		test "$(grep '^run ' "$TMP/both" | tr '\n' ' ')" = "run $host run staplet-guest "
done
no_leftovers "report over host and guest"
