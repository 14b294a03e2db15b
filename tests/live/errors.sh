# Bad input: a one-line clear error on stderr, exit status 1, nothing left behind.
. "$(dirname "$0")/lib.sh"

expect_error() {   # expect_error NAME PATTERN CMD...
	local name=$1 pat=$2; shift 2
	"$@" >"$TMP/o" 2>"$TMP/e"; local rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$pat" "$TMP/e"; then pass "$name"; else fail "$name" "rc=$rc stderr=$(head -2 "$TMP/e" | tr '\n' ' ')"; fi
}
expect_error "missing script file" "cannot read script 'nope.stp'" perf-stap nope.stp
expect_error "unknown option" "unknown option" perf-stap --bogus -e 'probe begin {}'
expect_error "no script" "no script given" perf-stap
expect_error "parse error" "parse error" perf-stap -e 'probe begin { x = }'
expect_error "unknown probe point" "semantic error" perf-stap -e 'probe nosuch.thing { }'
expect_error "missing recording" "x.data" perf-stap report -i "$TMP/x.data"
head -c 300 /dev/urandom >"$TMP/junk.data"
expect_error "corrupt perf.data" "junk.data" perf-stap report -i "$TMP/junk.data"
cp "$TMP/junk.data" "$TMP/junk.dat"
expect_error "corrupt trace.dat" "junk.dat" trace-cmd-stap report -i "$TMP/junk.dat"
no_leftovers "errors"
