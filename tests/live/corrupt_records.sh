# A record with a corrupt size in perf.data (issue 16, item 10): report
# names the offset and exits non-zero, as perf script does, instead of
# dropping every event after it without a word.
. "$(dirname "$0")/lib.sh"
S='global n probe syscall.getppid { if (pid() == target()) n++ } probe end { printf("n=%d\n", n) }'
perf stap record -o "$TMP/p.data" -e "$S" -c "$W/getppid_loop 200" >/dev/null 2>&1
perf stap report -i "$TMP/p.data" >"$TMP/ok.out" 2>&1
check "the intact recording reads" grep -qx n=200 "$TMP/ok.out"

# the offset of the record that starts in the middle of the data section,
# stepping record by record from its start (perl-base is in every Debian)
pos=$(perl -e 'open(F, "<", $ARGV[0]) or die; binmode F; read(F, my $h, 56);
	my ($off, $size) = unpack("x40 Q< Q<", $h); my $p = $off;
	while ($p < $off + $size / 2) { seek(F, $p + 6, 0); read(F, my $b, 2); my $z = unpack("S<", $b); last unless $z; $p += $z }
	print $p' "$TMP/p.data")
cp "$TMP/p.data" "$TMP/bad.data"
printf '\003\000' | dd of="$TMP/bad.data" bs=1 seek=$((pos + 6)) conv=notrunc status=none
perf stap report -i "$TMP/bad.data" >"$TMP/bad.out" 2>"$TMP/bad.err"
check "a corrupt record size: exit status non-zero" test $? != 0
check "a corrupt record size: the error names its offset" grep -q "corrupt record at offset $pos " "$TMP/bad.err"
