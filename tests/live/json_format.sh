# --format=json (issue 15): the end-of-run values of the script's globals as
# one JSON document, checked with a JSON parser (python3's json module):
# live, with counts from a workload of known size, and from a recording
# (report); a run with script output before the document; the golden's
# expected document parses too.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

S='global calls, lat, who
probe syscall.getppid { if (pid() == target()) { calls[execname(), 1]++; lat <<< 10 } }
probe syscall.getppid { if (pid() == target()) who = execname() }'
# JSON CHECK: python3 reads the document from stdin and evaluates CHECK on it (d)
json_ok() {
	python3 -c 'import json, sys; d = json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)' "$1"
}
want='d["globals"]["calls"] == [{"key": ["getppid_loop", 1], "value": 250}] and d["globals"]["lat"] == {"count": 250, "sum": 2500, "min": 10, "max": 10, "avg": 10} and d["globals"]["who"] == "getppid_loop"'

perf stap --format=json -e "$S" -c "$W/getppid_loop 250" >"$TMP/live.json" 2>"$TMP/live.err"
check "perf live: one JSON document with the workload's counts" json_ok "$want" <"$TMP/live.json"
check "perf live: no automatic print of write-only globals besides it" test "$(grep -c '^who=' "$TMP/live.json")" = 0
for tool in perf trace-cmd; do
	"$tool-stap" record --buffer-size=16384 -o "$TMP/r.$tool" -e "$S" -c "$W/getppid_loop 250" >/dev/null 2>&1
	"$tool" stap report --format=json -i "$TMP/r.$tool" >"$TMP/rep.json" 2>"$TMP/rep.err"
	check "$tool report --format=json: the same document from the recording" json_ok "$want" <"$TMP/rep.json"
done
# script output first, the document after it (the last lines)
perf stap --format=json -e 'global n probe begin { println("hello"); n = 1; exit() }' >"$TMP/mixed" 2>&1
check "script output, then the document" test "$(head -1 "$TMP/mixed")" = hello
tail -n +2 "$TMP/mixed" >"$TMP/mixed.json"
check "the document after script output parses" json_ok 'd == {"globals": {"n": 1}}' <"$TMP/mixed.json"
check "the golden's expected document parses" json_ok \
	'd["globals"]["sizes"]["histogram"]["buckets"] == [{"value": 1, "count": 1}, {"value": 8, "count": 2}]' \
	<"$ROOT/tests/golden/json_globals.out"
perf stap --format=xml -e 'probe begin { exit() }' >/dev/null 2>"$TMP/bad"
check "--format=xml is refused" grep -q 'the formats are text and json' "$TMP/bad"
no_leftovers "json format"
