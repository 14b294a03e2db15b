#!/usr/bin/env bash
# Install, as root on Debian 12, every package staplet's build, run and tests need.
set -eu
pkgs=(build-essential pkg-config clang libclang-rt-14-dev
      libtraceevent-dev libtracefs-dev libtracecmd-dev libbpf-dev libelf-dev libdw-dev
      linux-perf trace-cmd bpftrace bpftool systemtap systemtap-doc systemtap-sdt-dev hyperfine
      php8.2-cli    # php's USDT marks (apps/php-trace.stp example)
      debhelper     # the Debian package (debian/, dpkg-buildpackage)
      sudo          # process/auditbt.stp's test command runs `sudo true`
      qemu-system-x86 busybox-static xz-utils cpio)   # distro-kernel guests (tests/guest); xz unpacks -r kernels
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "make deps: run as root to install: ${missing[*]}" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
# tracefs may be unmounted on a fresh machine
if [ "$(id -u)" = 0 ] && [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing || true
fi
echo "make deps: all packages present"
# Debian's own kernels for the guest tests, unpacked under build/guest
"$(dirname "$0")/guest/kernels.sh"
