#!/usr/bin/env bash
# tests/guest/kernels.sh [ID...] - fetch and unpack the Debian kernels the
# guest tests boot (default: all of them) into build/guest/ID/.
#
# Each ID names a Debian 12 meta package; its dependency is the concrete
# kernel package, fetched with `apt-get download` and unpacked with
# `dpkg-deb -x`.  A kernel already unpacked from the same package version is
# kept, so a second run only asks apt (twice, for all ids) what is current.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/guest/lib.sh"

# fetch_kernel ID PKG VER: make build/guest/ID/root hold PKG at version VER.
fetch_kernel() {
	local id=$1 pkg=$2 ver=$3 dir deb
	dir=$(guest_dir "$id")
	if [ -z "$pkg" ] || [ -z "$ver" ]; then
		# No apt metadata (offline, or no `apt-get update` yet): keep what is there.
		guest_kernel_ready "$id" && return 0
		echo "kernels.sh: apt knows no package for kernel $id ($(guest_meta_package "$id"); run apt-get update)" >&2
		return 1
	fi
	if guest_kernel_ready "$id" && [ "$(cat "$dir/package")" = "$pkg $ver" ]; then
		echo "kernel $id: $pkg $ver (present)"
		return 0
	fi
	echo "kernel $id: fetching $pkg $ver"
	rm -rf "$dir.new" && mkdir -p "$dir.new"
	(cd "$dir.new" && apt-get download -q "$pkg=$ver" 2>&1 | grep -v 'unsandboxed' >&2) || true
	deb=$(ls "$dir.new"/*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || { echo "kernels.sh: apt-get download $pkg=$ver failed" >&2; return 1; }
	dpkg-deb -x "$deb" "$dir.new/root"
	rm -f "$deb"
	echo "$pkg $ver" >"$dir.new/package"
	rm -rf "$dir" && mv "$dir.new" "$dir"
	guest_kernel_ready "$id" || { echo "kernels.sh: $pkg holds no vmlinuz and modules" >&2; return 1; }
	echo "kernel $id: $(guest_krel "$id") unpacked in $dir"
}

ids=("$@")
[ ${#ids[@]} -gt 0 ] || ids=("${GUEST_KERNELS[@]}")
metas=()
for id in "${ids[@]}"; do
	metas+=("$(guest_meta_package "$id")") || { echo "kernels.sh: unknown kernel id $id" >&2; exit 1; }
done
# meta -> package, package -> candidate version, for all ids in two apt calls
declare -A pkg_of ver_of
while read -r m p; do pkg_of[$m]=$p; done < <(apt-cache depends "${metas[@]}" 2>/dev/null |
	awk '/^[^ ]/ { m = $1 } /^ *Depends: linux-image-/ && !(m in seen) { seen[m]; print m, $2 }')
pkgs=("${pkg_of[@]}")
if [ ${#pkgs[@]} -gt 0 ]; then
	while read -r p v; do ver_of[$p]=$v; done < <(apt-cache policy "${pkgs[@]}" 2>/dev/null |
		awk '/^[^ ]/ { p = $1; sub(/:$/, "", p) } /^ *Candidate:/ { print p, $2 }')
fi
for i in "${!ids[@]}"; do
	p=${pkg_of[${metas[$i]}]:-}
	fetch_kernel "${ids[$i]}" "$p" "${p:+${ver_of[$p]:-}}"
done
