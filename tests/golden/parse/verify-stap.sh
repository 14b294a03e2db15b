#!/bin/bash
# verify-stap.sh - compare the pass-1 golden cases (first line "# args: -p1
# ...") that stap rejects with what `stap -p1` prints for them.  stap wants
# a kernel build tree even for -p1; an empty fake one is enough.
# The semantic cases (no -p1 in the header) that are rejected are compared
# with `stap -p2` the same way, except those whose stap message depends on
# stap's own tapset (the "(similar: ...)" lists, syscall probes) or that
# staplet refuses by design (embedded C), listed in P2_SKIP.
# Prints SAME/DIFF per case; exit status 1 if any differ.
cd "$(dirname "$0")"
kb=$(mktemp -d)
trap 'rm -rf "$kb"' EXIT
mkdir -p "$kb/include/config"
uname -r > "$kb/include/config/kernel.release"
touch "$kb/.config" "$kb/Module.symvers"
echo 'all:' > "$kb/Makefile"
P2_SKIP=" embedded_guru.stp err_macro_redefine.stp sem_target_write.stp sem_unresolved_function.stp sem_unresolved_probe.stp "
rc=0
for stp in *.stp; do
	hdr=$(head -1 "$stp")
	pass=-p1
	case "$hdr" in
	"# args:"*-p1*) ;;
	*) pass=-p2; case "$P2_SKIP" in *" $stp "*) continue ;; esac ;;
	esac
	grep -q "error" "${stp%.stp}.expected" || continue
	set --
	case "$hdr" in "# args:"*) set -- ${hdr#\# args:} ;; esac
	opts=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		[ "$1" != "-p1" ] && [ "$1" != "-w" ] && opts+=("$1")
		shift
	done
	[ $# -gt 0 ] && [ "$1" = "--" ] && shift
	stap -r "$kb" $pass "${opts[@]}" "$stp" "$@" 2>&1 >/dev/null |
		grep -v '^Pass [12]: \|^Tip: \|^WARNING: Kernel function symbol table missing\|^Number of similar error\|^Rerun with -v' > "$kb/got"
	if diff -u "${stp%.stp}.expected" "$kb/got" > "$kb/diff"; then
		echo "SAME $stp"
	else
		echo "DIFF $stp"; cat "$kb/diff"; rc=1
	fi
done
exit $rc
