# tests/guest/lib.sh - where the guest kernels live; sourced with ROOT set.
#
# Kernel ids and the Debian 12 meta package each follows: 6.1 is the
# release's default kernel, 6.12 the newest it offers.
GUEST_KERNELS=(6.1 6.12)
GUEST_CACHE=${STAPLET_GUEST_CACHE:-$ROOT/build/guest}

guest_meta_package() {   # guest_meta_package ID
	case $1 in
	6.1) echo linux-image-amd64 ;;
	6.12) echo linux-image-6.12-amd64 ;;
	*) return 1 ;;
	esac
}
guest_dir() { echo "$GUEST_CACHE/$1"; }
guest_krel() {   # guest_krel ID: the kernel release (uname -r) of the unpacked package
	ls "$(guest_dir "$1")/root/lib/modules" 2>/dev/null | head -1
}
guest_vmlinuz() { echo "$(guest_dir "$1")/root/boot/vmlinuz-$(guest_krel "$1")"; }
guest_kernel_ready() {   # guest_kernel_ready ID: unpacked and complete
	local krel
	krel=$(guest_krel "$1")
	[ -n "$krel" ] && [ -f "$(guest_vmlinuz "$1")" ] && [ -f "$(guest_dir "$1")/package" ]
}

# The modules the guest's init loads, in any order (it loads them in
# rounds); those a kernel builds in are simply absent from its package.
GUEST_MODULES=(virtio virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
	netfs fscache 9pnet 9pnet_virtio 9p overlay)

# guest_initrd ID: print the path of ID's initramfs, building it when the
# kernel package, tests/guest/init, the module list or busybox changed.
guest_initrd() {
	local id=$1 dir krel key img tmp m f
	dir=$(guest_dir "$id") krel=$(guest_krel "$id") img=$(guest_dir "$id")/initrd.cpio.gz
	key=$({ cat "$dir/package" "$ROOT/tests/guest/init"; echo "${GUEST_MODULES[*]}"
		stat -L -c '%s %Y' /bin/busybox; } | sha1sum | cut -d' ' -f1)
	if [ -f "$img" ] && [ "$(cat "$img.key" 2>/dev/null)" = "$key" ]; then
		echo "$img"
		return 0
	fi
	tmp=$(mktemp -d "$dir/initrd.XXXXXX")
	mkdir -p "$tmp/bin" "$tmp/modules" "$tmp/proc" "$tmp/sys" "$tmp/dev"
	cp /bin/busybox "$tmp/bin/busybox"
	install -m 755 "$ROOT/tests/guest/init" "$tmp/init"
	for m in "${GUEST_MODULES[@]}"; do
		f=$(find "$dir/root/lib/modules/$krel/kernel" \( -name "$m.ko" -o -name "$m.ko.xz" \) | head -1)
		case $f in
		'') ;;   # built into this kernel
		*.xz) xz -dc "$f" >"$tmp/modules/$m.ko" ;;   # busybox insmod takes plain .ko
		*) cp "$f" "$tmp/modules/$m.ko" ;;
		esac
	done
	(cd "$tmp" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$tmp.img" || { rm -rf "$tmp" "$tmp.img"; return 1; }
	rm -rf "$tmp"
	mv "$tmp.img" "$img"
	echo "$key" >"$img.key"
	echo "$img"
}
