# tests/guest/live.sh - sourced by tests/run.sh: guest_live ID runs the live
# tests (tests/run-live.sh) in Debian's kernel ID under qemu and counts their
# lines as guest-ID/live/NAME with record (tests/run.sh's).  Without qemu or
# the kernel the guest is a SKIP, and a FAIL under CI=true.
. "$ROOT/tests/guest/lib.sh"

# Guests run one after another (the CI machines have 2 cores); each is
# bounded so the whole `make check` stays within its 45 minutes.
GUEST_LIVE_TIMEOUT=${STAPLET_GUEST_LIVE_TIMEOUT:-1500}

# guest_missing ID: why ID's guest cannot boot here, or nothing.
guest_missing() {
	command -v qemu-system-x86_64 >/dev/null || { echo "no qemu-system-x86_64 (qemu-system-x86; make deps)"; return; }
	[ -x /bin/busybox ] || { echo "no /bin/busybox (busybox-static; make deps)"; return; }
	guest_kernel_ready "$1" || echo "kernel $1 not fetched into $(guest_dir "$1") (make deps)"
}

# guest_tests ID: the live tests ID's guest runs (all when empty).
guest_tests() {
	case $1 in
	*) ;;
	esac
}

guest_live() {   # guest_live ID
	local id=$1 why line rc=125 err times
	why=$(guest_missing "$id")
	if [ -n "$why" ]; then
		if [ "${CI:-}" = true ]; then record FAIL "guest-$id" "$why; CI requires the guest tests"
		else record SKIP "guest-$id" "$why"; fi
		return
	fi
	err=$(mktemp)
	# shellcheck disable=SC2046
	while IFS= read -r line; do
		case $line in
		guest-exit\ *) rc=${line#guest-exit } ;;
		*) record_lines "guest-$id/" <<<"$line" ;;
		esac
	done < <(cd "$ROOT" && STAPLET_GUEST_TIMES=1 tests/guest/run.sh --timeout "$GUEST_LIVE_TIMEOUT" "$id" -- \
		tests/run-live.sh $(guest_tests "$id") 2>"$err"; echo "guest-exit $?")
	times=$(sed -n "s/^guest $id: \([0-9]* s, qemu used [0-9]* s of CPU\)$/\1/p" "$err")
	grep -v "^guest $id: [0-9]* s, qemu used" "$err" >&2
	rm -f "$err"
	case $rc in
	0) record PASS "guest-$id: the live tests ran in Debian's $(guest_krel "$id") ($times)" ;;
	124) record FAIL "guest-$id" "timed out after ${GUEST_LIVE_TIMEOUT}s" ;;
	*) record FAIL "guest-$id" "the guest failed (status $rc); see the console tail above" ;;
	esac
}
