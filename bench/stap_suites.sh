#!/bin/bash
# stap_suites.sh - measure staplet against SystemTap's own test suites, the
# rows of the conformance issue, each judged as SystemTap's suite judges it:
#
#   parseko    each parseko/*.stp run as its first line says (#! stap ARGS,
#              or a shell script whose `stap` is perf-stap): must fail
#   parseok    the same, must succeed
#   examples   each example's .meta test_installcheck command at pass 1
#              (-p1 added): our exit status must be stap's (needs /usr/bin/stap)
#   expect     systemtap.{maps,printf,string}: X.stp's output must be X.exp's
#              result_string byte for byte
#   bpf        systemtap.bpf/bpf_tests and bpf_target_tests as bpf.exp runs
#              them (-x 12345 or -c ./a.out, --compatible=4.1 where it asks):
#              "END PASS", or the expected string before "END" (live, root)
#
# Usage: bench/stap_suites.sh TESTSUITE_DIR [ROW...]
# (STAPLET_BUILD=DIR measures another build; STAP_VERDICTS=FILE caches
# stap's own pass-1 verdicts on the examples between runs.)
# TESTSUITE_DIR is the testsuite/ directory of a SystemTap source tree; none
# of its files are part of this repository.  Prints one line per failing
# case and a "ROW: passed/total" line per row.  Not part of make check.
set -u
SUITE=${1:?usage: $0 TESTSUITE_DIR [parseko parseok examples expect bpf]}
shift
ROWS=${*:-parseko parseok examples expect bpf}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${STAPLET_BUILD:-$ROOT/build}/bin
EX=${STAPLET_EXAMPLES_DIR:-/usr/share/systemtap/examples}
[ -x "$BIN/perf-stap" ] || { echo "no $BIN/perf-stap: make first" >&2; exit 2; }
[ -d "$SUITE/parseko" ] || { echo "$SUITE: not a SystemTap testsuite directory" >&2; exit 2; }

TMP=$(mktemp -d /tmp/stap_suites.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# A `stap` on PATH for the suites' shell scripts: it is perf-stap.
mkdir -p "$TMP/bin"
printf '#!/bin/sh\nexec "%s/perf-stap" "$@"\n' "$BIN" >"$TMP/bin/stap"
chmod +x "$TMP/bin/stap"

# run_batch FILE: run a suite file as stap_run_batch does; prints its status
run_batch() {
	local first args
	first=$(head -1 "$1")
	if [[ "$first" =~ ^#!\ *stap\ *(.*)$ ]]; then
		read -r -a args <<<"${BASH_REMATCH[1]}"
		PATH=$TMP/bin:$PATH timeout 30 "$BIN/perf-stap" "${args[@]}" "$1" >"$TMP/out" 2>&1
	elif [[ "$first" =~ ^#!\ *([^\ ]+) ]]; then   # a script for its own interpreter
		PATH=$TMP/bin:$PATH timeout 30 "${BASH_REMATCH[1]}" "$1" >"$TMP/out" 2>&1
	else
		PATH=$TMP/bin:$PATH timeout 30 sh "$1" >"$TMP/out" 2>&1
	fi
	echo $?
}

row_parse() {  # row_parse parseko|parseok
	local n=0 ok=0 f rc
	for f in "$SUITE/$1"/*.stp; do
		n=$((n + 1))
		rc=$(cd "$(dirname "$f")" && run_batch "$(basename "$f")")
		if { [ "$1" = parseko ] && [ "$rc" -ne 0 ] && [ "$rc" -lt 124 ]; } ||
		   { [ "$1" = parseok ] && [ "$rc" -eq 0 ]; }; then
			ok=$((ok + 1))
		else
			echo "  FAIL $1/$(basename "$f") (exit $rc)"
		fi
	done
	echo "$1: $ok/$n"
}

row_examples() {
	local real n=0 ok=0 meta cmd f ours theirs
	real=$(command -v stap) || { echo "examples: no stap on PATH to compare with"; return; }
	[ "$real" != "$TMP/bin/stap" ] || return
	# stap wants a kernel build tree even at pass 1; an empty one will do
	mkdir -p "$TMP/kb/include/config"
	echo 'all:' >"$TMP/kb/Makefile"
	: >"$TMP/kb/Module.symvers"; : >"$TMP/kb/.config"
	uname -r >"$TMP/kb/include/config/kernel.release"
	while read -r meta; do
		f=${meta%.meta}.stp
		[ -f "$f" ] || continue
		cmd=$(grep -m1 '^test_installcheck:' "$meta" | sed 's/^test_installcheck: *//')
		[ -n "$cmd" ] || cmd="stap $(basename "$f")"
		n=$((n + 1))
		ours=$(cd "$(dirname "$f")" && timeout 30 bash -c \
			"stap() { '$BIN/perf-stap' -p1 \"\$@\"; }; $cmd" </dev/null >/dev/null 2>&1; echo $?)
		# stap's verdicts do not change between runs: STAP_VERDICTS=FILE keeps them
		theirs=$( [ -n "${STAP_VERDICTS:-}" ] && awk -v f="$f" '$1 == f { print $2; exit }' "$STAP_VERDICTS" 2>/dev/null)
		if [ -z "$theirs" ]; then
			theirs=$(cd "$(dirname "$f")" && timeout 60 bash -c \
				"stap() { '$real' -r '$TMP/kb' -p1 \"\$@\"; }; $cmd" </dev/null >/dev/null 2>&1; echo $?)
			[ -n "${STAP_VERDICTS:-}" ] && echo "$f $theirs" >>"$STAP_VERDICTS"
		fi
		if [ "$ours" = "$theirs" ] || { [ "$ours" -ne 0 ] && [ "$theirs" -ne 0 ]; }; then
			ok=$((ok + 1))
		else
			echo "  FAIL examples/${f#"$EX"/} (ours $ours, stap $theirs)"
		fi
	done < <(find "$EX" -name '*.meta' | sort)
	echo "examples: $ok/$n"
}

# expect_case EXP: "ARGS" on the first line, then the expected output: the
# result_string an .exp file sets for its first stap_run2 call on its script
expect_case() {
	python3 - "$1" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
m = re.search(r'result_string\s*\{(.*?)\}\s*\n\s*(\n|stap_run|set|$)', s, re.S) \
    or re.search(r'result_string\s*\{(.*)\}', s, re.S)
r = re.search(r'^\s*stap_run2 \$srcdir/\$subdir/\$test(?:\.stp)?((?: -[-\w=.]+)*)\s*$', s, re.M)
if not m or not r:
    sys.exit(1)
print(r.group(1).strip())
print(m.group(1))
PY
}

row_expect() {
	local n=0 ok=0 d e b args
	for d in systemtap.maps systemtap.printf systemtap.string; do
		for e in "$SUITE/$d"/*.exp; do
			b=${e%.exp}
			[ -f "$b.stp" ] && expect_case "$e" >"$TMP/case" 2>/dev/null || continue
			n=$((n + 1))
			read -r -a args <"$TMP/case"
			tail -n +2 "$TMP/case" >"$TMP/want"
			# stap_run2 compares stdout then stderr, less one final newline
			(cd "$SUITE/$d" && timeout 30 "$BIN/perf-stap" "${args[@]}" "$b.stp" >"$TMP/got" 2>"$TMP/err")
			cat "$TMP/err" >>"$TMP/got"
			if [ "$(cat "$TMP/want")" = "$(cat "$TMP/got")" ]; then
				ok=$((ok + 1))
			else
				echo "  FAIL $d/$(basename "$b")"
			fi
		done
	done
	echo "expect: $ok/$n"
}

# bpf_output NAME: the string bpf.exp expects before END (empty: END PASS)
bpf_output() {
	case $1 in
	printf.stp) printf 'abcd123456%.0s' 1 2 3 ;;
	sprintf.stp) printf '0123456789%.0s' 1 2 ;;
	string1.stp) echo -n 'begin[str0str1str2str3]probe[str0str1str2str3]end[str0str1str2str3]' ;;
	string*.stp) echo -n 'probe0[str0str1str2str3]probe1[str0str1str2str3]end[str0str1str2str3]' ;;
	target.stp) echo -n '12345' ;;   # bpf.exp's pattern [12345]END: what -x 12345 prints
	esac
}

row_bpf() {
	local n=0 ok=0 f t opts want sleeper
	[ "$(id -u)" = 0 ] || { echo "bpf: needs root"; return; }
	cc -g -o "$TMP/a.out" "$SUITE/systemtap.bpf/bpf-target.c" || return
	for f in "$SUITE"/systemtap.bpf/bpf_tests/*.stp "$SUITE"/systemtap.bpf/bpf_target_tests/*.stp; do
		t=$(basename "$f")
		n=$((n + 1))
		opts=(-x 12345)
		case $f in */bpf_target_tests/*) opts=(-c ./a.out) ;; esac
		case $t in
		cast_op_tracepoint.stp | reg_alloc3.stp | tracepoint1.stp) opts+=(--compatible=4.1) ;;
		esac
		sleeper=
		[ "$t" = uprobes.stp ] && { sleep 20 & sleeper=$!; }
		(cd "$TMP" && timeout -s INT 40 "$BIN/perf-stap" --runtime=bpf "${opts[@]}" "$f" >"$TMP/got" 2>&1)
		[ -n "$sleeper" ] && { kill "$sleeper"; wait "$sleeper"; } 2>/dev/null
		want="$(bpf_output "$t")END"
		[ "$want" = END ] && want="END PASS"
		if grep -q '^BEGIN' "$TMP/got" && grep -qF "$want" "$TMP/got"; then
			ok=$((ok + 1))
		else
			echo "  FAIL systemtap.bpf/$t: $(grep -m1 -v '^BEGIN' "$TMP/got" | cut -c1-100)"
		fi
	done
	echo "bpf: $ok/$n"
}

for r in $ROWS; do
	case $r in
	parseko | parseok) row_parse "$r" ;;
	examples) row_examples ;;
	expect) row_expect ;;
	bpf) row_bpf ;;
	*) echo "unknown row $r" >&2; exit 2 ;;
	esac
done
