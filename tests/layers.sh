#!/usr/bin/env bash
# tests/layers.sh [ROOT] - the floors hold: no #include runs up a floor.
# Floors, lowest first: frontend and tapset (0), lowering (1), runtime (2),
# plugins (3).  A file may include its own floor and the ones below
# (doc/design.md).  Prints one PASS/FAIL line per floor, and first checks
# that a planted upward include in a scratch tree is caught.
set -u
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}

floor() {   # floor DIR: the floor number of a top-level folder, or nothing
	case $1 in
	frontend|tapset) echo 0 ;;
	lowering) echo 1 ;;
	runtime) echo 2 ;;
	plugins) echo 3 ;;
	esac
}

# upward ROOT DIR: the includes in DIR's sources that name a higher floor,
# one "file:line: #include ..." per line.
upward() {
	local root=$1 dir=$2 mine f n line target tf
	mine=$(floor "$dir")
	while IFS= read -r f; do
		n=0
		while IFS= read -r line; do
			n=$((n + 1))
			[[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([a-z_-]+)/ ]] || continue
			target=${BASH_REMATCH[1]}
			tf=$(floor "$target")
			[ -n "$tf" ] && [ "$tf" -gt "$mine" ] && echo "${f#"$root"/}:$n: $line"
		done <"$f"
	done < <(find "$root/$dir" -type f \( -name '*.c' -o -name '*.h' -o -name '*.def' \) | sort)
}

check() {   # check ROOT: 0 when no floor includes upward
	local root=$1 dir bad=0
	for dir in frontend tapset lowering runtime plugins; do
		[ -d "$root/$dir" ] || continue
		[ -z "$(upward "$root" "$dir")" ] || bad=1
	done
	return $bad
}

# The check must be able to fail: a scratch tree with one upward include.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/frontend" "$scratch/runtime"
printf '#include "frontend/a.h"\n' >"$scratch/runtime/b.c"
printf '#include <stdio.h>\n' >"$scratch/frontend/a.h"
if ! check "$scratch"; then
	echo "FAIL layers: a clean scratch tree is reported as upward"
else
	printf '#include "runtime/b.h"\n' >>"$scratch/frontend/a.h"
	if check "$scratch"; then
		echo "FAIL layers: a planted frontend -> runtime include is not caught"
	else
		echo "PASS layers: a planted upward include is caught"
	fi
fi

for dir in frontend tapset lowering runtime plugins; do
	bad=$(upward "$ROOT" "$dir")
	if [ -z "$bad" ]; then
		echo "PASS layers: $dir includes nothing above its floor"
	else
		echo "FAIL layers: $dir includes upward: $(tr '\n' ';' <<<"$bad")"
	fi
done
