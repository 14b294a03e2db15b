#!/bin/bash
# verify-stap.sh - compare the pass-1 golden cases (first line "# args: -p1
# ...") that stap rejects with what `stap -p1` prints for them.  stap wants
# a kernel build tree even for -p1; an empty fake one is enough.
# Prints SAME/DIFF per case; exit status 1 if any differ.
cd "$(dirname "$0")"
kb=$(mktemp -d)
trap 'rm -rf "$kb"' EXIT
mkdir -p "$kb/include/config"
uname -r > "$kb/include/config/kernel.release"
touch "$kb/.config" "$kb/Module.symvers"
rc=0
for stp in *.stp; do
	hdr=$(head -1 "$stp")
	case "$hdr" in "# args:"*-p1*) ;; *) continue ;; esac
	grep -q "error" "${stp%.stp}.expected" || continue
	set -- ${hdr#\# args:}
	opts=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		[ "$1" != "-p1" ] && [ "$1" != "-w" ] && opts+=("$1")
		shift
	done
	[ "$1" = "--" ] && shift
	stap -r "$kb" -p1 "${opts[@]}" "$stp" "$@" 2>&1 >/dev/null |
		grep -v '^Pass 1: \|^Tip: \|^WARNING: Kernel function symbol table missing\|^Number of similar error\|^Rerun with -v' > "$kb/got"
	if diff -u "${stp%.stp}.expected" "$kb/got" > "$kb/diff"; then
		echo "SAME $stp"
	else
		echo "DIFF $stp"; cat "$kb/diff"; rc=1
	fi
done
exit $rc
