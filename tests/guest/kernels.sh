#!/usr/bin/env bash
# tests/guest/kernels.sh [ID...] - fetch and unpack the Debian kernels the
# guest tests boot (default: all of them) into build/guest/ID/.
#
# Each ID names a Debian 12 meta package; its dependency is the concrete
# kernel package, fetched with `apt-get download` and unpacked with
# `dpkg-deb -x`.  A kernel already unpacked from the same package version is
# kept, so a second run only asks apt which version is current.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/guest/lib.sh"

# kernel_package META: the linux-image-* package META depends on now.
kernel_package() {
	apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1
}

# fetch_kernel ID: make build/guest/ID/root hold the kernel ID's package.
fetch_kernel() {
	local id=$1 meta pkg ver dir want
	meta=$(guest_meta_package "$id") || { echo "kernels.sh: unknown kernel id $id" >&2; return 1; }
	dir=$(guest_dir "$id")
	pkg=$(kernel_package "$meta")
	if [ -z "$pkg" ]; then
		# No apt metadata (offline, or no `apt-get update` yet): keep what is there.
		if guest_kernel_ready "$id"; then return 0; fi
		echo "kernels.sh: apt knows no dependency of $meta (run apt-get update)" >&2
		return 1
	fi
	ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
	want="$pkg $ver"
	if guest_kernel_ready "$id" && [ "$(cat "$dir/package")" = "$want" ]; then
		echo "kernel $id: $want (present)"
		return 0
	fi
	echo "kernel $id: fetching $want"
	rm -rf "$dir.new" && mkdir -p "$dir.new"
	(cd "$dir.new" && apt-get download -q "$pkg=$ver" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) || true
	local deb
	deb=$(ls "$dir.new"/*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || { echo "kernels.sh: apt-get download $pkg=$ver failed" >&2; return 1; }
	dpkg-deb -x "$deb" "$dir.new/root"
	rm -f "$deb"
	echo "$want" >"$dir.new/package"
	rm -rf "$dir" && mv "$dir.new" "$dir"
	guest_kernel_ready "$id" || { echo "kernels.sh: $pkg holds no vmlinuz and modules" >&2; return 1; }
	echo "kernel $id: $(guest_krel "$id") unpacked in $dir"
}

ids=("$@")
[ ${#ids[@]} -gt 0 ] || ids=("${GUEST_KERNELS[@]}")
for id in "${ids[@]}"; do
	fetch_kernel "$id"
done
