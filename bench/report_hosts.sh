#!/usr/bin/env bash
# bench/report_hosts.sh BUILD - one report over many recordings (issue 15)
# beside one report of a single recording with as many events: 10
# recordings of N events each (default 1M) against one of 10*N, replayed
# through the same script with perf stap and trace-cmd stap.  Prints events
# per second of each, the ratio (many/one), and each report's peak memory
# (max RSS, and the anonymous part of it: the readers map the files, so
# their pages count in RSS), which should not grow with the number of events.  Needs root
# and about 2 GB of free space in /tmp; not a test (timings are the
# machine's of the moment: compare the ratio, not the absolute numbers).
set -u
. "$(dirname "$0")/lib.sh"
N=${N:-1000000}
K=${K:-10}
TOOLS=${TOOLS:-"perf trace-cmd"}

S='global n probe syscall.getppid { n[hostname(), execname()]++ }
probe end { foreach ([h, e] in n-) printf("%s %s %d\n", h, e, n[h, e]) }'

# report_run OUT ARGS...: run ARGS (a report), leave its output in OUT, print
# "MILLISECONDS MAXRSS_KB PEAK_ANON_KB": the peak resident set counts the
# recordings' mapped pages (the readers map the files), the peak anonymous
# memory (sampled every 50 ms) is the reader's own
report_run() {
	local out=$1 t0 t1 pid child peak=0 a
	shift
	t0=$(now)
	/usr/bin/time -f '%M' -o "$T/rss" "$@" >"$out" 2>"$T/err" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		child=$(pgrep -P "$pid" | head -1)
		a=$(awk '/^RssAnon:/ { print $2 }' "/proc/${child:-$pid}/status" 2>/dev/null)
		[ -n "$a" ] && [ "$a" -gt "$peak" ] && peak=$a
		sleep 0.05
	done
	wait "$pid" || { cat "$T/err" >&2; return 1; }
	t1=$(now)
	echo "$(( (t1 - t0) / 1000000 )) $(tail -1 "$T/rss") $peak"
}
events() { awk '{ s += $NF } END { print s + 0 }' "$1"; }

for tool in $TOOLS; do
	echo "== $tool stap: $K recordings of $N getppid events vs one of $((K * N))"
	big=$((K * N))
	"$tool-stap" record --buffer-size=65536 -o "$T/one" -e "$S" -c "$W/getppid_loop $big" 2>&1 | tail -1
	args=()
	for i in $(seq "$K"); do
		unshare -u sh -c 'hostname "bench-host-$1" && shift && exec "$@"' sh "$i" \
			"$tool-stap" record --buffer-size=65536 -o "$T/part$i" -e "$S" -c "$W/getppid_loop $N" 2>&1 | tail -1
		args+=(-i "$T/part$i")
	done
	read -r ms1 rss1 anon1 < <(report_run "$T/one.out" "$tool-stap" report -i "$T/one")
	read -r msk rssk anonk < <(report_run "$T/many.out" "$tool-stap" report "${args[@]}")
	e1=$(events "$T/one.out") ek=$(events "$T/many.out")
	hosts=$(awk '{ print $1 }' "$T/many.out" | sort -u | wc -l)
	awk -v e1="$e1" -v ms1="$ms1" -v ek="$ek" -v msk="$msk" -v r1="$rss1" -v rk="$rssk" -v a1="$anon1" -v ak="$anonk" -v h="$hosts" -v k="$K" 'BEGIN {
		t1 = e1 / (ms1 / 1000); tk = ek / (msk / 1000)
		printf("  one recording:   %d events in %.2f s = %.2f M events/s, max RSS %.1f MB, peak anonymous %.1f MB\n",
		       e1, ms1 / 1000, t1 / 1e6, r1 / 1024, a1 / 1024)
		printf("  %d recordings:   %d events in %.2f s = %.2f M events/s, max RSS %.1f MB, peak anonymous %.1f MB (%d hosts)\n",
		       k, ek, msk / 1000, tk / 1e6, rk / 1024, ak / 1024, h)
		printf("  ratio (many/one): throughput %.2f, max RSS %.2f, anonymous %s\n", tk / t1, rk / r1,
		       a1 ? sprintf("%.2f", ak / a1) : "n/a (not sampled)")
	}'
	rm -f "$T"/one "$T"/part*
done
