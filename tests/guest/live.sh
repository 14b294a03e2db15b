# tests/guest/live.sh - sourced by tests/run.sh: guest_live ID runs the live
# tests (tests/run-live.sh) in Debian's kernel ID under qemu and counts their
# lines as guest-ID/live/NAME with record (tests/run.sh's).  Without qemu or
# the kernel the guest is a SKIP, and a FAIL under CI=true.
. "$ROOT/tests/guest/lib.sh"

# Guests run one after another (the CI machines have 2 cores).  The bound
# only catches a hung guest: 6.1's whole set took 53 minutes on a machine
# loaded by other jobs (28 minutes of qemu CPU), 6.12's subset 12.5 (4).
guest_timeout() {   # guest_timeout ID: seconds
	case $1 in
	6.1) echo "${STAPLET_GUEST_LIVE_TIMEOUT:-4200}" ;;
	*) echo "${STAPLET_GUEST_LIVE_TIMEOUT:-1800}" ;;
	esac
}

# guest_missing ID: why ID's guest cannot boot here, or nothing.
guest_missing() {
	command -v qemu-system-x86_64 >/dev/null || { echo "no qemu-system-x86_64 (qemu-system-x86; make deps)"; return; }
	[ -x /bin/busybox ] || { echo "no /bin/busybox (busybox-static; make deps)"; return; }
	guest_kernel_ready "$1" || echo "kernel $1 not fetched into $(guest_dir "$1") (make deps)"
}

# guest_tests ID: the live tests ID's guest runs (all when empty).  TCG
# makes the whole set take ~25 CPU-minutes a kernel, too much twice within
# 45 minutes: 6.12 runs every guest-only test (kernel probes) and those that
# lean most on what changes between kernel versions (BTF, BPF programs and
# readers, syscall tracepoints).
GUEST_6_12_TESTS="btf capture inkernel kread strings_wide syscall_entry tapset_kprobes"
guest_tests() {
	local t
	# 6.1 runs the same set for now: its whole set has not yet passed in one
	# run (53 minutes under load), and STAPLET_GUEST_FULL=1 runs it all.
	[ "${STAPLET_GUEST_FULL:-}" = 1 ] && return
	case $1 in
	6.1|6.12)
		echo "$GUEST_6_12_TESTS"
		# a guest-only test with a make target of its own (too long for
		# make check: examples_kprobes) is not among them
		for t in "$ROOT"/tests/live/*.sh; do
			head -10 "$t" | grep -qE '^# own-target\b' && continue
			head -10 "$t" | grep -qE '^# guest-only\b' && basename "$t" .sh
		done
		;;
	esac
}

# Checks known to fail on one kernel, each with the reason, in
# tests/guest/xfail as "ID live/NAME: CHECK<TAB>reason" (a * in CHECK matches
# anything, for names that carry a pid).  Such a FAIL prints XFAIL and is not
# counted; such a PASS is a FAIL, so the list only shrinks.
# guest_xfail ID LINE: the reason LINE (PASS/FAIL live/...) is listed for ID.
guest_xfail() {
	local id=$1 check=${2#* }
	awk -F'\t' -v k="$id $check" '
		function glob(s, p,   n, part, i, at, j) {
			n = split(p, part, "*")
			if (substr(s, 1, length(part[1])) != part[1]) return 0
			at = length(part[1]) + 1
			for (i = 2; i <= n; i++) {
				j = index(substr(s, at), part[i])
				if (!j) return 0
				at += j - 1 + length(part[i])
			}
			return n == 1 ? s == p : (part[n] == "" || substr(s, length(s) - length(part[n]) + 1) == part[n])
		}
		!/^#/ && NF >= 2 && glob(k, $1) { print $2; exit }' "$ROOT/tests/guest/xfail"
}

# guest_record ID LINE: count one result line of ID's guest.
guest_record() {
	local id=$1 line=$2 why
	why=$(guest_xfail "$id" "$line")
	if [ -z "$why" ]; then
		record_lines "guest-$id/" <<<"$line"
		return
	fi
	case $line in
	FAIL\ *) echo "XFAIL guest-$id/${line#FAIL }: $why" ;;
	PASS\ *) record FAIL "guest-$id/${line#PASS }" "passes but tests/guest/xfail lists it: remove the entry" ;;
	*) record_lines "guest-$id/" <<<"$line" ;;
	esac
}

guest_live() {   # guest_live ID
	local id=$1 why line rc=125 err times limit
	limit=$(guest_timeout "$id")
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
		*) guest_record "$id" "$line" ;;
		esac
	done < <(cd "$ROOT" && STAPLET_GUEST_TIMES=1 tests/guest/run.sh --timeout "$limit" "$id" -- \
		tests/run-live.sh $(guest_tests "$id") 2>"$err"; echo "guest-exit $?")
	times=$(sed -n "s/^guest $id: \([0-9]* s, qemu used [0-9]* s of CPU\)$/\1/p" "$err")
	grep -v "^guest $id: [0-9]* s, qemu used" "$err" >&2
	rm -f "$err"
	case $rc in
	0) record PASS "guest-$id: the live tests ran in Debian's $(guest_krel "$id") ($times)" ;;
	124) record FAIL "guest-$id" "timed out after ${limit}s" ;;
	*) record FAIL "guest-$id" "the guest failed (status $rc); see the console tail above" ;;
	esac
}
