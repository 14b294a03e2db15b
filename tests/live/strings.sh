# The syscall tapset's strings read at the event: filename, argstr, execve's
# args/env_str, byte for byte as stap prints them, live and through
# record -> report (perf.data); trace-cmd says once that it cannot, live
# and on report.  Paths: a short one, one of 300 bytes, one of exactly
# MAXSTRINGLEN (512) bytes (stap reads 511 of them and cuts the quoted
# form to `"` + 506 bytes + `"...`), one with a quote and a tab, and an
# unmapped pointer (stap's user_string_quoted prints the address).
# Also: 300 distinct paths from one reused buffer give 300 keys, a script
# over syscall.* counts nothing from perf-stap's own process, and the
# issue's reproducer prints cat's "/etc/hostname".
. "$(dirname "$0")/lib.sh"
O="$W/open_paths -x"
pad() {   # pad PREFIX LEN: PREFIX then 'p's up to LEN bytes
	local s=$1
	while [ ${#s} -lt "$2" ]; do s="${s}p"; done
	printf '%s' "${s:0:$2}"
}
P1=/tmp/staplet-str-a
P2=$(pad /tmp/staplet-str-300- 300)
P3=$(pad /tmp/staplet-str-512- 512)
P4=$(printf '/tmp/staplet-str-"q"\tt')
S='probe syscall.openat { if (pid() == target()) printf("F %s|%s\n", filename, argstr) }
probe syscall.execve { if (pid() == target()) printf("X %s|%s|%s|%s\n", filename, args, env_str, argstr) }'

# what stap prints for each open and for the exec
{
	printf 'F "%s"|AT_FDCWD, "%s", O_RDONLY|O_LARGEFILE|O_CLOEXEC\n' "$P1" "$P1"
	printf 'F "%s"|AT_FDCWD, "%s", O_RDONLY|O_LARGEFILE|O_CLOEXEC\n' "$P2" "$P2"
	q3="\"${P3:0:506}\"..."
	a3="AT_FDCWD, $q3, O_RDONLY|O_LARGEFILE|O_CLOEXEC"
	printf 'F %s|%s\n' "$q3" "${a3:0:511}"
	printf 'F "%s"|AT_FDCWD, "%s", O_RDONLY|O_LARGEFILE|O_CLOEXEC\n' '/tmp/staplet-str-\"q\"\tt' '/tmp/staplet-str-\"q\"\tt'
	echo 'F @HOLE@|AT_FDCWD, @HOLE@, O_RDONLY'
	args='["true", "alpha", "two words", "q\"uote", "tab\there"]'
	env='["A=1", "B=two words"]'
	printf 'X "/bin/true"|%s|%s|"/bin/true", %s, %s\n' "$args" "$env" "$args" "$env"
} >"$TMP/want.tmpl"

# the lines of one run: the workload's opens and its exec of /bin/true (not
# the loader's opens, not perf-stap's exec of the workload)
mine() { grep -e '^F "/tmp/staplet-str' -e '^F 0x' -e '^X "/bin/true"' "$1"; }
same() {   # same OUT STDOUT_OF_WORKLOAD: byte for byte
	local hole
	hole=$(sed -n 's/^unmapped //p' "$2")
	sed "s/@HOLE@/$hole/g" "$TMP/want.tmpl" >"$TMP/want"
	mine "$1" >"$TMP/got"
	if cmp -s "$TMP/want" "$TMP/got"; then return 0; fi
	diff "$TMP/want" "$TMP/got" | head -10 >&2
	return 1
}

perf stap -e "$S" -c "$O $P1 $P2 $P3 '$P4'" >"$TMP/live.out" 2>"$TMP/live.err"
check "perf stap live: filename, argstr, args, env_str as stap prints them" same "$TMP/live.out" "$TMP/live.out"
check "perf stap live: nothing on stderr" test ! -s "$TMP/live.err"

perf stap record -o "$TMP/s.data" -e "$S" -c "$O $P1 $P2 $P3 '$P4'" >"$TMP/rw.out" 2>"$TMP/rec.err"
perf stap report -i "$TMP/s.data" >"$TMP/rep.out" 2>"$TMP/rep.err"
check "perf stap record -> report: the same bytes" same "$TMP/rep.out" "$TMP/rw.out"

# -D MAXSTRINGLEN=64: the copy at the event is 63 bytes; quoted, 58 of
# them and `"...`, as stap cuts them
perf stap -D MAXSTRINGLEN=64 -e 'probe syscall.openat { if (pid() == target()) println(filename) }' \
	-c "$W/open_paths $P2" >"$TMP/m64.out" 2>&1
check "-D MAXSTRINGLEN=64: the path cut as stap cuts it" grep -qxF "\"${P2:0:58}\"..." "$TMP/m64.out"

# trace-cmd: tracefs cannot copy user memory at a syscall tracepoint here;
# one clear warning before the run, live and on report, naming the value
# and perf stap
tc_warned() {   # tc_warned ERRFILE: exactly one warning naming filename and perf stap
	[ "$(grep -c 'WARNING: trace-cmd stap cannot copy user memory at the event' "$1")" = 1 ] &&
		grep 'WARNING: trace-cmd stap' "$1" | grep -q 'filename' &&
		grep 'WARNING: trace-cmd stap' "$1" | grep -q '`perf stap` reads them at the event'
}
trace-cmd-stap -e "$S" -c "$O $P1" >"$TMP/tl.out" 2>"$TMP/tl.err"
check "trace-cmd stap live: one warning names filename and perf stap" tc_warned "$TMP/tl.err"
trace-cmd-stap record -o "$TMP/s.dat" -e "$S" -c "$O $P1" >/dev/null 2>"$TMP/tr.err"
check "trace-cmd stap record: the same warning" tc_warned "$TMP/tr.err"
trace-cmd-stap report -i "$TMP/s.dat" >"$TMP/trr.out" 2>"$TMP/trr.err"
check "trace-cmd stap report: the same warning" tc_warned "$TMP/trr.err"
check "trace-cmd stap report: no other process's bytes for the path" sh -c "! grep -q 'staplet-str-a' '$TMP/trr.out'"

# 300 distinct paths from one buffer: 300 keys, one open each
paths=$(for i in $(seq 0 299); do printf '/tmp/staplet-P.%d ' "$i"; done)
perf stap -e 'global n probe syscall.openat { if (pid() == target()) n[filename]++ }
probe end { foreach (f in n) if (substr(f, 0, 15) == "\"/tmp/staplet-P") { k++; c += n[f] } printf("%d %d\n", k, c) }' \
	-c "$W/open_paths $paths" >"$TMP/p300.out" 2>&1
check "300 distinct paths give 300 keys, one open each ($(cat "$TMP/p300.out"))" grep -qx '300 300' "$TMP/p300.out"

# perf-stap's own work does not feed its probes: string variables over
# every syscall, none from its own pid; the workload's are there
perf stap -e 'global me, self, other
probe begin { me = pid() }
probe syscall.* { if (pid() == me) self++; else if (pid() == target() && argstr != "?") other++ }
probe end { printf("self=%d other=%d\n", self, other) }' -c "$W/open_paths /etc/hostname" >"$TMP/self.out" 2>&1
check "syscall.* with argstr: 0 events from perf-stap's own pid ($(cat "$TMP/self.out"))" \
	sh -c "grep -q '^self=0 other=[1-9]' '$TMP/self.out'"

# user memory followed through a local and a function parameter, and
# user_char() of an offset from it: copied at the event (the workload
# overwrites each path right after its open)
F='function show(x) { return sprintf("%s %d %d", user_string(x), user_char(x), user_char(x + 5)) }
probe syscall.openat { if (pid() == target()) { p = pointer_arg(2); q = p; println(show(q)) } }'
perf stap -p3 -e "$F" 2>&1 | grep 'sys_enter_openat' >"$TMP/p3.out"
check "-p3: the followed pointer is copied at the event (string and bytes 0..5)" \
	grep -q 'captures: filename filename:6' "$TMP/p3.out"
perf stap -e "$F" -c "$W/open_paths /etc/hostname /tmp/staplet-str-z" >"$TMP/flow.out" 2>&1
check "followed through a local and a parameter: the strings and bytes at the event" \
	sh -c "grep -qx '/etc/hostname 47 104' '$TMP/flow.out' && grep -qx '/tmp/staplet-str-z 47 115' '$TMP/flow.out'"

# structs stap prints in argstr: timespec, sockaddr, rlimit, copied at the
# event, live and through record -> report
ST='probe syscall.clock_nanosleep, syscall.nanosleep { if (pid() == target()) printf("T %s|%s\n", req_str, argstr) }
probe syscall.connect { if (pid() == target()) printf("K %s\n", argstr) }
probe syscall.prlimit64 { if (pid() == target() && new_rlim_str != "NULL") printf("R %s\n", new_rlim_str) }'
SC="bash -c 'ulimit -Sn 1000; exec 3<>/dev/tcp/127.0.0.1/9'"
structs() {   # structs OUT: the three structs as stap prints them
	grep -qx 'T \[0.250000000\]|0, 0x0, \[0.250000000\], 0x[0-9a-f]*' "$1" &&
		grep -qE '^K [0-9]+, \{AF_INET, 127\.0\.0\.1, 9\}, 16$' "$1" && grep -qE '^R \[1000,[0-9]+\]$' "$1"
}
{ perf stap -e "$ST" -c 'sleep 0.25'; perf stap -e "$ST" -c "$SC"; } >"$TMP/st.out" 2>&1
check "structs live: [0.250000000], {AF_INET, 127.0.0.1, 9}, [1000,...]" structs "$TMP/st.out"
perf stap record -o "$TMP/st1.data" -e "$ST" -c 'sleep 0.25' >/dev/null 2>&1
perf stap record -o "$TMP/st2.data" -e "$ST" -c "$SC" >/dev/null 2>&1
{ perf stap report -i "$TMP/st1.data"; perf stap report -i "$TMP/st2.data"; } >"$TMP/str.out" 2>&1
check "structs record -> report: the same" structs "$TMP/str.out"

# the issue's reproducer, live and through record/report
R='probe syscall.openat { if (execname()=="cat") printf("%s %s | %s\n", execname(), filename, argstr) }'
perf stap -e "$R" -c 'cat /etc/hostname' >"$TMP/cat.out" 2>&1
check "reproducer live: cat \"/etc/hostname\" | AT_FDCWD, \"/etc/hostname\", O_RDONLY" \
	grep -qx 'cat "/etc/hostname" | AT_FDCWD, "/etc/hostname", O_RDONLY' "$TMP/cat.out"
perf stap record -o "$TMP/cat.data" -e "$R" -c 'cat /etc/hostname' >/dev/null 2>&1
perf stap report -i "$TMP/cat.data" >"$TMP/catr.out" 2>&1
check "reproducer record -> report: the same line" \
	grep -qx 'cat "/etc/hostname" | AT_FDCWD, "/etc/hostname", O_RDONLY' "$TMP/catr.out"
no_leftovers "strings"
