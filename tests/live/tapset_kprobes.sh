# tapset_kprobes.sh - the tapset aliases built on kernel function probes.
# On a kernel without kprobes (this project's machines): each family stops
# at pass 2 with the clear reason, under the alias's own location, and `?`
# skips it.  On a kernel with kprobes (the distro-kernel guests): exact
# values from known workloads — the Beginners Guide's vfs.read script,
# bytes through vfs.read.return, a loopback TCP connection through
# tcp.sendmsg/recvmsg/disconnect, the faults of N fresh pages through
# vm.pagefault.return, UDP datagrams through udp.sendmsg.
. "$(dirname "$0")/lib.sh"
WA=$(cd "$W" && pwd)

if [ ! -e /sys/kernel/tracing/kprobe_events ]; then
	echo "(this kernel has no kprobes: the refusals are checked; the live values run in the kprobes guests)"
	for a in 'vfs.read' 'vfs.write.return' 'ioblock.request' 'ioblock.end' 'tcp.sendmsg' \
		 'tcp.recvmsg.return' 'tcp.disconnect' 'tcp.receive' 'udp.sendmsg' 'socket.sendmsg' \
		 'vm.pagefault.return'; do
		perf-stap -p2 -e "probe $a { printf(\"%s\\n\", pp()) }" >"$TMP/o" 2>"$TMP/e"
		rc=$?
		check "$a without kprobes: status 1 and the reason (rc $rc: $(grep -m1 'cannot attach' "$TMP/e"))" \
			grep -q '^semantic error: probe point kernel.function(.*cannot attach: this kernel lacks kprobes' "$TMP/e"
		check "$a without kprobes: status 1" test $rc = 1
	done
	# aliases whose points are all optional (stap's `?`): no match
	for a in 'vfs.open' 'vfs.readv' 'netdev.hard_transmit'; do
		perf-stap -p2 -e "probe $a { }" >"$TMP/o" 2>"$TMP/e"
		rc=$?
		check "$a without kprobes: no match, status 1 (rc $rc)" \
			grep -q "^semantic error: while resolving probe point: identifier '${a%%.*}' at <input>:1:7" "$TMP/e"
	done
	perf-stap -e 'probe vfs.read {printf("read performed\n"); exit()}' >"$TMP/o" 2>"$TMP/e"
	check "Beginners Guide vfs.read: the alias's location in the error" \
		grep -q "^semantic error: while resolving probe point: identifier 'kernel' at .*/vfs.stp:" "$TMP/e"
	perf-stap -e 'probe vfs.read ?, tcp.sendmsg ? { } probe begin { print("ok\n"); exit() }' >"$TMP/o" 2>"$TMP/e"
	check "vfs.read ?, tcp.sendmsg ? are skipped" test "$(cat "$TMP/o")" = ok
	no_leftovers "tapset_kprobes"
	exit 0
fi

# the first script of the SystemTap Beginners Guide
timeout 60 perf-stap -e 'probe vfs.read {printf("read performed\n"); exit()}' -c "$WA/read_loop /etc/passwd 10 3" \
	>"$TMP/o" 2>"$TMP/e"
check "Beginners Guide vfs.read prints 'read performed' and exits ($(head -c 200 "$TMP/e"))" \
	test "$(cat "$TMP/o")" = "read performed"

# vfs.read.return: 13 reads of 100 bytes of one file, matched by inode and dev
head -c 4096 /dev/zero >"$TMP/data"
ino=$(stat -c %i "$TMP/data")
udev=$(stat -c %d "$TMP/data")
perf-stap -e 'global n, bytes, want, entry
probe vfs.read { if (pid() == target() && ino == '"$ino"') entry++ }
probe vfs.read.return {
	if (pid() != target() || ino != '"$ino"' || dev != usrdev2kerndev('"$udev"')) next
	n++; bytes += bytes_read; want += bytes_to_read
}
probe end { printf("%d %d %d %d\n", entry, n, bytes, want) }' -c "$WA/read_loop $TMP/data 100 13" >"$TMP/o" 2>"$TMP/e"
check "vfs.read.return: 13 reads, 1300 bytes of 1300 asked (got $(cat "$TMP/o") $(head -c 200 "$TMP/e"))" \
	test "$(cat "$TMP/o")" = "13 13 1300 1300"

# tcp.*: 3 sends of 1000 bytes from the client to port 47124; the server
# receives the 3000 bytes; the client's close with SO_LINGER 0 disconnects
perf-stap -e 'global sends, sent, rcvd, disc
probe tcp.sendmsg { if (pid() == target() && family == 2) sends[size]++ }
probe tcp.sendmsg.return { if (pid() == target() && size > 0) sent += size }
probe tcp.recvmsg.return { if (pid() == target() && sport == 47124 && size > 0) rcvd += size }
probe tcp.disconnect { if (pid() == target() && dport == 47124) disc[sport, daddr, saddr]++ }
probe end {
	foreach (sz in sends) printf("send %d x%d\n", sz, sends[sz])
	printf("sent %d rcvd %d\n", sent, rcvd)
	foreach ([p, da, sa] in disc) printf("disconnect %d %s %s x%d\n", p, da, sa, disc[p, da, sa])
}' -c "$WA/tcp_pair 47124 3 1000" >"$TMP/o" 2>"$TMP/e"
cport=$(sed -n 1p "$TMP/o")
check "tcp.sendmsg/recvmsg/disconnect on loopback (got $(tr '\n' ';' <"$TMP/o") $(head -c 200 "$TMP/e"))" \
	test "$(sed 1d "$TMP/o" | tr '\n' ';')" = "send 1000 x3;sent 3000 rcvd 3000;disconnect $cport 127.0.0.1 127.0.0.1 x1;"

# vm.pagefault.return: the 37 faults of the touched range are minor
perf-stap -e 'global in_range, kinds
probe vm.pagefault {
	if (pid() == target() && address >= 0x5e0000000000 && address < 0x5e0000000000 + 37 * 4096)
		in_range[tid()] = 1
}
probe vm.pagefault.return {
	if (!(tid() in in_range)) next
	delete in_range[tid()]
	kinds[vm_fault_contains(fault_type, VM_FAULT_MINOR), vm_fault_contains(fault_type, VM_FAULT_MAJOR)]++
}
probe end { foreach ([mi, ma] in kinds) printf("%d %d %d\n", mi, ma, kinds[mi, ma]) }' \
	-c "$WA/page_touch 37" >"$TMP/o" 2>"$TMP/e"
check "vm.pagefault.return: 37 minor faults (got $(tr '\n' ';' <"$TMP/o") $(head -c 200 "$TMP/e"))" \
	test "$(cat "$TMP/o")" = "1 0 37"

# udp.sendmsg: 7 datagrams of 100 bytes to 127.0.0.1
perf-stap -e 'global n
probe udp.sendmsg { if (execname() == "python3") n[size]++ }
probe end { foreach (s in n) printf("%d x%d\n", s, n[s]) }' -c "python3 $(dirname "$0")/udp_lo.py 7 100" >"$TMP/o" 2>"$TMP/e"
check "udp.sendmsg: 7 datagrams of 100 bytes (got $(tr '\n' ';' <"$TMP/o"))" test "$(cat "$TMP/o")" = "100 x7"
no_leftovers "tapset_kprobes"
