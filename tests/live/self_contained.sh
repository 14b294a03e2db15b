# The test suite runs from a fresh clone (issue 16, item 12): no test reads
# anything from this machine outside the repository besides the system's
# packages, and the example list lives in the repository.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
outside=$(cd "$ROOT" && grep -rlE '(^|[^[:alnum:]_.)}])/(work|home|root)/' tests bench Makefile 2>/dev/null | grep -v '^tests/live/self_contained.sh$')
check "no test names a path outside the repository${outside:+ ($outside)}" test -z "$outside"
check "the examples list is in the repository" test -s "$ROOT/tests/live/examples.list"
missing=$(while read -r f; do [ -f "/usr/share/systemtap/examples/$f" ] || echo "$f"; done <"$ROOT/tests/live/examples.list")
check "every listed example exists in systemtap-doc${missing:+ (missing: $missing)}" test -z "$missing"
