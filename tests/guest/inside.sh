#!/bin/bash
# tests/guest/inside.sh RUNDIR - run in the guest, chrooted into the overlay
# of the host's root: mount what a booted system has, then run RUNDIR/cmd
# with the host's environment (RUNDIR/env) in the host's working directory
# (RUNDIR/cwd); its stdout, stderr and exit status go to RUNDIR, as does the
# guest's kernel log.
run=$1
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tracefs nodev /sys/kernel/tracing
mount -t debugfs nodev /sys/kernel/debug
mount -t cgroup2 nodev /sys/fs/cgroup 2>/dev/null
mount -t bpf nodev /sys/fs/bpf 2>/dev/null
ip link set lo up 2>/dev/null || true
# devtmpfs lacks the links udev makes; bash's <(...) needs /dev/fd
ln -sfn /proc/self/fd /dev/fd
for i in 0:stdin 1:stdout 2:stderr; do ln -sfn "/proc/self/fd/${i%%:*}" "/dev/${i#*:}"; done
echo "booted $(uname -r) $(cut -d' ' -f1 /proc/uptime)s" >"$run/boot"
(
	. "$run/env"
	cd "$(cat "$run/cwd")" || exit 125
	exec bash "$run/cmd" </dev/null >"$run/stdout" 2>"$run/stderr"
)
echo $? >"$run/rc.tmp" && mv "$run/rc.tmp" "$run/rc"
dmesg >"$run/dmesg" 2>&1
sync
