# lib.sh - helpers for live tests: check NAME CONDITION-COMMAND..., leftovers.
W="$STAPLET_BUILD/tests/workload"
TMP=$(mktemp -d /tmp/staplet-live.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# The distro-kernel guests (tests/guest, $STAPLET_GUEST set) emulate every
# instruction: a test's waits and wall-time bounds are multiplied by SLOW
# there (STAPLET_GUEST_SLOW, default 10), never its counts.
SLOW=1
[ -n "${STAPLET_GUEST:-}" ] && SLOW=${STAPLET_GUEST_SLOW:-10}
scaled() { awk -v s="$1" -v k="$SLOW" 'BEGIN { print s * k }'; }   # scaled SECS
wait_for() {   # wait_for SECS CMD...: until CMD succeeds, for at most SECS (scaled)
	local n
	n=$(awk -v s="$1" -v k="$SLOW" 'BEGIN { printf "%d", s * k * 10 }')
	shift
	while ! "$@"; do
		[ "$n" -gt 0 ] || return 1
		n=$((n - 1))
		sleep 0.1
	done
}

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; }
check() {   # check NAME CMD...: PASS if CMD succeeds
	local name=$1; shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# The kernel-probe tests: they run in the distro-kernel guests, which have
# kprobes (tests/guest/README); on a kernel without them they say so and
# stop.  Each reads a 14-byte file F with kread_loop (KR): each read
# returns 14.
kprobes_setup() {
	if [ ! -e /sys/kernel/tracing/kprobe_events ]; then
		echo "SKIP $(basename "$0" .sh): this kernel has no kprobes (a guest-only test: tests/guest/README)"
		exit 0
	fi
	F="$TMP/small.txt"
	printf 'hello-kprobes\n' >"$F"
	KR="$W/kread_loop $F"
}

# Nothing may stay in the kernel after a run: a tracefs instance or dynamic
# event whose owning run (the pid in its name, staplet_<pid>...) is gone is a
# leftover; so is a tool this test started that is still running.  Objects of
# runs still alive (other tests on the machine) are not ours to judge.
dead_owner() {   # dead_owner NAME: true if NAME is staplet_<pid>... and <pid> is gone
	local pid
	pid=$(sed -n 's/^staplet_\([0-9][0-9]*\).*/\1/p' <<<"$1")
	[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null
}
no_leftovers() {   # no_leftovers NAME
	local t=/sys/kernel/tracing left="" i g
	for i in $(ls "$t/instances" 2>/dev/null | grep '^staplet'); do
		dead_owner "$i" && left="$left instance:$i"
	done
	for f in uprobe_events kprobe_events; do
		[ -r "$t/$f" ] || continue
		for g in $(sed -n 's/^[pr][^:]*:\([^/]*\)\/.*/\1/p' "$t/$f" | grep '^staplet' | sort -u); do
			dead_owner "$g" && left="$left $f:$g"
		done
	done
	[ -n "$(jobs -pr)" ] && left="$left running:$(jobs -pr | tr '\n' ' ')"
	if [ -z "$left" ]; then pass "$1: nothing left in the kernel"; else fail "$1: left behind" "$left"; fi
}

# Host tests that boot a distro-kernel guest themselves (plans_guest,
# package): in_guest ID SECS SCRIPT runs SCRIPT there (tests/guest/run.sh),
# keeps its output and sets guest_rc; SCRIPT prints "== NAME" lines and
# `section NAME` reads back what followed one.
in_guest() {
	"$(dirname "${BASH_SOURCE[0]}")/../guest/run.sh" --timeout "$2" "$1" -- "$3" >"$TMP/g.out" 2>"$TMP/g.err"
	guest_rc=$?
}
section() { sed -n "/^== $1\$/,/^== /p" "$TMP/g.out" | grep -v '^== '; }

# guest_module NAME: load the kernel module NAME (and the modules it
# depends on) from the guest kernel's package (tests/guest: its modules are
# in build/guest/ID/root/lib/modules, with no modules.dep), as a distro
# system has it loaded; true when it is loaded.  Guests only.
guest_module() {
	local name=$1 dir f dep cache
	[ -n "${STAPLET_GUEST:-}" ] || return 1
	grep -q "^${name//-/_} " /proc/modules && return 0
	cache=${STAPLET_GUEST_CACHE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/guest}
	dir=$(echo "$cache/$STAPLET_GUEST/root/lib/modules/"*/kernel)
	# one walk of the tree (over 9p in a TCG guest: slow) for every module
	[ -s "$TMP/modules.list" ] || find "$dir" -name '*.ko*' >"$TMP/modules.list" 2>/dev/null
	f=$(grep -m1 -E "/$name\.ko(\.xz)?\$" "$TMP/modules.list")
	[ -n "$f" ] || return 1
	case $f in
	*.xz) xz -dc "$f" >"$TMP/$name.ko" ;;   # busybox insmod takes plain .ko
	*) cp "$f" "$TMP/$name.ko" ;;
	esac
	for dep in $(strings -a "$TMP/$name.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
		guest_module "$dep" || return 1
	done
	busybox insmod "$TMP/$name.ko" 2>/dev/null || grep -q "^${name//-/_} " /proc/modules
}

# need_kprobes: a guest-only test's first step, a SKIP on a kernel without
# kprobes (this machine's; the distro-kernel guests have them)
need_kprobes() {
	[ -e /sys/kernel/tracing/kprobe_events ] && return 0
	echo "SKIP $(basename "$0" .sh): this kernel has no kprobes (a guest-only test: tests/guest/README)"
	exit 0
}
