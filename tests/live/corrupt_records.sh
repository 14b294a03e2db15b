# A record with a corrupt size in perf.data (issue 16, item 10): report
# names the offset and exits non-zero, as perf script does, instead of
# dropping every event after it without a word.
. "$(dirname "$0")/lib.sh"
S='global n probe syscall.getppid { if (pid() == target()) n++ } probe end { printf("n=%d\n", n) }'
perf stap record -o "$TMP/p.data" -e "$S" -c "$W/getppid_loop 200" >/dev/null 2>&1
perf stap report -i "$TMP/p.data" >"$TMP/ok.out" 2>&1
check "the intact recording reads" grep -qx n=200 "$TMP/ok.out"

u64() { od -An -t u8 -j "$2" -N 8 "$1" | tr -d ' '; }
u16() { od -An -t u2 -j "$2" -N 2 "$1" | tr -d ' '; }
off=$(u64 "$TMP/p.data" 40) end=$(( $(u64 "$TMP/p.data" 40) + $(u64 "$TMP/p.data" 48) ))
# step to the middle of the data section, record by record
pos=$off
while [ $pos -lt $(( (off + end) / 2 )) ]; do
	size=$(u16 "$TMP/p.data" $((pos + 6)))
	[ "${size:-0}" -gt 0 ] || break
	pos=$((pos + size))
done
cp "$TMP/p.data" "$TMP/bad.data"
printf '\003\000' | dd of="$TMP/bad.data" bs=1 seek=$((pos + 6)) conv=notrunc status=none
perf stap report -i "$TMP/bad.data" >"$TMP/bad.out" 2>"$TMP/bad.err"
check "a corrupt record size: exit status non-zero" test $? != 0
check "a corrupt record size: the error names its offset" grep -q "corrupt record at offset $pos " "$TMP/bad.err"
