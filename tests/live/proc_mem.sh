# proc_mem_*: the memory of a workload that writes a known 64 MiB and then
# makes one getppid call, in pages, for the event's task and by pid; the
# strings over them; 0 for a pid that does not exist; on report, 0 and one
# warning naming the function.
. "$(dirname "$0")/lib.sh"
MT=$(cd "$W" && pwd)/mem_touch
S='probe syscall.getppid {
	if (pid() != target()) next
	printf("cur %d %d %d %d %d\n", proc_mem_size(), proc_mem_rss(), proc_mem_shr(), proc_mem_txt(), proc_mem_data())
	printf("pid %d %d %d %d %d\n", proc_mem_size(pid()), proc_mem_rss(pid()), proc_mem_shr(pid()),
	       proc_mem_txt(pid()), proc_mem_data(pid()))
	printf("_pid %d %d %d %d %d\n", proc_mem_size_pid(pid()), proc_mem_rss_pid(pid()), proc_mem_shr_pid(pid()),
	       proc_mem_txt_pid(pid()), proc_mem_data_pid(pid()))
	printf("page %d\n", mem_page_size())
	printf("str %s\n", proc_mem_string())
	printf("strpid %s\n", proc_mem_string_pid(pid()))
	printf("none %d %d %d %d %d [%s]\n", proc_mem_size(999999999), proc_mem_rss(-1), proc_mem_shr(0),
	       proc_mem_txt(999999999), proc_mem_data(999999999), proc_mem_string(999999999))
}'
MIB=$((1024 * 1024))
perf stap -c "$MT 64" -e "$S" >"$TMP/live.out" 2>"$TMP/live.err"
line() { sed -n "s/^$1 //p" "$TMP/live.out"; }
read -r size rss shr txt data <<<"$(line cur)"
page=$(line page)
check "mem_page_size: the machine's page" test "$page" = "$(getconf PAGESIZE)"
check "proc_mem_rss: 64 MiB written, plus a small program's own (64-72 MiB)" \
	test $((rss * page)) -ge $((64 * MIB)) -a $((rss * page)) -le $((72 * MIB))
check "proc_mem_size: at least the resident set and the 64 MiB" test "$size" -ge "$rss" -a $((size * page)) -ge $((64 * MIB))
check "proc_mem_data: the 64 MiB heap is data" test $((data * page)) -ge $((64 * MIB)) -a "$data" -le "$size"
check "proc_mem_txt: the program's code, a few pages" test "$txt" -ge 1 -a "$txt" -le 64
check "proc_mem_shr: file pages (libc), fewer than resident" test "$shr" -ge 1 -a "$shr" -lt "$rss"
check "proc_mem_*(pid) and the _pid forms: the same as for the event's task" \
	test "$(line pid)" = "$size $rss $shr $txt $data" -a "$(line _pid)" = "$size $rss $shr $txt $data"
check "proc_mem_string: stap's layout" \
	grep -qE '^str size: 6[0-9]\.[0-9]M, rss: 6[4-9]\.[0-9]M, shr: [ 0-9.]{4}[KM], txt: [ 0-9.]{4}K, data: 6[4-9]\.[0-9]M$' "$TMP/live.out"
check "proc_mem_string(pid): the same" test "$(line strpid)" = "$(line str)"
check "proc_mem_*: 0 for a pid that does not exist" \
	test "$(line none)" = "0 0 0 0 0 [size:     0, rss:     0, shr:     0, txt:     0, data:     0]"
check "proc_mem_*: no warnings live" test ! -s "$TMP/live.err"

# report: the recording holds no memory counters
perf stap record -o "$TMP/rec.data" -c "$MT 8" -e "$S" >/dev/null 2>&1
perf stap report -i "$TMP/rec.data" >"$TMP/rep.out" 2>"$TMP/rep.err"; rc=$?
check "report: proc_mem_* answer 0, status 0" \
	test $rc = 0 -a "$(sed -n 's/^cur //p' "$TMP/rep.out")" = "0 0 0 0 0"
check "report: one warning naming the function" test "$(cat "$TMP/rep.err")" = \
	"WARNING: proc_mem_size: a recording holds no process memory counters; proc_mem_* functions answer 0 on report"
no_leftovers "proc_mem"
