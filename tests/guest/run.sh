#!/usr/bin/env bash
# tests/guest/run.sh [--timeout SECS] [--keep] ID -- COMMAND...
#
# Boot Debian's kernel ID (6.1, 6.12: tests/guest/lib.sh; fetched by
# `make deps`) under qemu (TCG) with this machine's own root file system
# (9p, read-only, under a tmpfs overlay), run COMMAND there as root in the
# current directory with the host's PATH, CI, HOME, LANG and STAPLET_*,
# ASAN_*, LSAN_*, UBSAN_* variables, and pass back its stdout, stderr and exit
# status.  Several words are run as they are; a single word is a shell
# command line.  The guest sees a fresh /tmp and /run; writes elsewhere land
# in the overlay and vanish with the guest.
#
# Exit status: COMMAND's, or 124 when the guest ran past SECS (default
# $STAPLET_GUEST_TIMEOUT or 1200; qemu is then killed), 125 when the guest
# failed before COMMAND ended (its console log is printed), 127 when qemu or
# the kernel is missing (run `make deps`).  --keep (or STAPLET_GUEST_KEEP=1)
# keeps the run directory (console, dmesg, outputs) and prints its path.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/guest/lib.sh"

timeout=${STAPLET_GUEST_TIMEOUT:-1200} keep=${STAPLET_GUEST_KEEP:-0}
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	*) break ;;
	esac
done
id=${1:-}
if [ -z "$id" ] || [ "${2:-}" != -- ] || [ $# -lt 3 ]; then
	echo "usage: tests/guest/run.sh [--timeout SECS] [--keep] ID -- COMMAND..." >&2
	exit 2
fi
shift 2
say() { echo "guest $id: $*" >&2; }

qemu=$(command -v qemu-system-x86_64) || { say "no qemu-system-x86_64 (package qemu-system-x86: make deps)"; exit 127; }
guest_meta_package "$id" >/dev/null || { say "unknown kernel id (known: ${GUEST_KERNELS[*]})"; exit 2; }
guest_kernel_ready "$id" || { say "kernel not fetched into $(guest_dir "$id") (make deps)"; exit 127; }
command -v busybox >/dev/null && [ -x /bin/busybox ] || { say "no /bin/busybox (package busybox-static: make deps)"; exit 127; }
initrd=$(guest_initrd "$id") || { say "cannot build the initramfs"; exit 125; }

run=$(mktemp -d "$GUEST_CACHE/run.XXXXXX")
case $run$ROOT in *[[:space:]]*) say "paths with spaces cannot go on the kernel command line: $run"; exit 2 ;; esac

# The run directory: what to run, where, with which environment.
{
	for v in PATH HOME LANG LC_ALL TZ CI $(compgen -e | grep -E '^(STAPLET|ASAN|LSAN|UBSAN)_'); do
		[ -n "${!v+set}" ] && printf 'export %s=%q\n' "$v" "${!v}"
	done
	printf 'export STAPLET_GUEST=%q\n' "$id"
} >"$run/env"
pwd >"$run/cwd"
if [ $# = 1 ]; then
	printf '%s\n' "$1" >"$run/cmd"
else
	printf 'exec'; printf ' %q' "$@"; echo
fi >"$run/cmd"
: >"$run/stdout"; : >"$run/stderr"

"$qemu" -accel tcg -cpu max -m 4096 -smp 2 -nodefaults -no-user-config -display none -no-reboot \
	-serial "file:$run/console" \
	-kernel "$(guest_vmlinuz "$id")" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 quiet staplet_run=$run staplet_inside=$ROOT/tests/guest/inside.sh${STAPLET_GUEST_9P_CACHE:+ staplet_cache=$STAPLET_GUEST_9P_CACHE}" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$run,mount_tag=staplet_run,security_model=none,multidevs=remap" \
	</dev/null >"$run/qemu.log" 2>&1 &
qpid=$!
stop_qemu() {   # our own qemu only, by its pid
	kill -0 "$qpid" 2>/dev/null || return 0
	kill "$qpid" 2>/dev/null
	for _ in 1 2 3 4 5; do kill -0 "$qpid" 2>/dev/null || return 0; sleep 1; done
	kill -9 "$qpid" 2>/dev/null
}
trap 'stop_qemu; exit 130' INT TERM HUP

# Stream COMMAND's output as the guest writes it; tail stops once qemu is gone.
tail -n +1 -f --pid="$qpid" "$run/stdout" &
tout=$!
tail -n +1 -f --pid="$qpid" "$run/stderr" >&2 &
terr=$!

alive() { [ -d "/proc/$qpid" ] && [ "$(awk '{print $3}' "/proc/$qpid/stat" 2>/dev/null)" != Z ]; }
timed_out=0 start=$SECONDS
while alive; do
	if [ $((SECONDS - start)) -ge "$timeout" ]; then
		timed_out=1
		stop_qemu
		break
	fi
	sleep 1
done
wait "$qpid" 2>/dev/null
wait "$tout" "$terr" 2>/dev/null
trap - INT TERM HUP

# The guest kernel's complaints about probes or BPF are diagnostics, not results.
if [ -f "$run/dmesg" ]; then
	grep -E 'WARNING:|BUG:|Oops|Call Trace|(kprobe|bpf|BPF|trace).*(fail|error|refus|reject|invalid|leak)' "$run/dmesg" |
		head -20 | sed "s/^/guest $id dmesg: /" >&2
fi
if [ $timed_out = 1 ]; then
	say "timed out after ${timeout}s; qemu killed; console tail:"
	tail -20 "$run/console" | sed 's/^/  /' >&2
	rc=124 keep=1
elif [ -f "$run/rc" ]; then
	rc=$(cat "$run/rc")
else
	say "the guest ended before the command did; console tail:"
	tail -30 "$run/console" | sed 's/^/  /' >&2
	tail -5 "$run/qemu.log" | sed 's/^/  qemu: /' >&2
	rc=125 keep=1
fi
if [ "$keep" = 1 ]; then say "run directory kept: $run"; else rm -rf "$run"; fi
exit "$rc"
