# tapset_tp.sh - the tapset's tracepoint-backed aliases and its kernel
# object functions, with exact values from known workloads: vm.pagefault
# (N fresh pages written: N write faults in the mapped range), netdev.transmit
# and netdev.receive (N UDP datagrams over lo), dentry/path functions on the
# file an exec runs, task_open_file_handles and rlimits, and the inet
# socket helpers on a loopback TCP connection (IPv4 and IPv6).
. "$(dirname "$0")/lib.sh"
WA=$(cd "$W" && pwd)

# vm.pagefault: the exception tracepoints here, handle_mm_fault with kprobes
perf-stap -e 'global w, r
probe vm.pagefault {
	if (pid() == target() && address >= 0x5e0000000000 && address < 0x5e0000000000 + 37 * 4096) {
		if (write_access) w++; else r++
	}
}
probe end { printf("%d %d\n", w, r) }' -c "$WA/page_touch 37" >"$TMP/o" 2>"$TMP/e"
check "vm.pagefault: 37 write faults, no read fault, in the touched range (got $(cat "$TMP/o"))" \
	test "$(cat "$TMP/o")" = "37 0"

# netdev.transmit / netdev.receive: 7 datagrams of 333 bytes over lo are
# 375 bytes queued (UDP 8 + IPv4 20 + Ethernet 14), by the sender, and 361
# received (the Ethernet header pulled), in a softirq that may run in
# another task (so chosen by that length); protocol is ETH_P_IP as the skb
# stores it (big endian 0x0800 read as a little-endian short: 8)
perf-stap -e 'global tx, rx
probe netdev.transmit { if (pid() == target() && dev_name == "lo") tx[length, protocol, truesize > length]++ }
probe netdev.receive { if (dev_name == "lo" && length == 361) rx[length, protocol]++ }
probe end {
	foreach ([l, p, t] in tx) printf("tx %d %d %d %d\n", l, p, t, tx[l, p, t])
	foreach ([l, p] in rx) printf("rx %d %d %d\n", l, p, rx[l, p])
}' -c "python3 $(dirname "$0")/udp_lo.py 7 333" >"$TMP/o" 2>"$TMP/e"
check "netdev.transmit/receive: 7 datagrams each way on lo (got $(tr '\n' ' ' <"$TMP/o"))" \
	test "$(tr '\n' ' ' <"$TMP/o")" = "tx 375 8 1 7 rx 361 8 7 "

# d_name, fullpath_struct_file, inode_path of the program an exec runs
# (sched_process_exec's binprm file, read when the handler runs: the
# workload stays alive 2 s so the file is still its executable then)
perf-stap -e 'probe kernel.trace("sched:sched_process_exec") {
	if (pid() != target()) next
	f = $bprm->file
	printf("%s\n%s\n%s\n", d_name(@cast(f, "struct file")->f_path->dentry),
	       fullpath_struct_file(task_current(), f), inode_path(@cast(f, "struct file")->f_inode))
}' -c "$WA/mem_touch 1 2000" >"$TMP/o" 2>"$TMP/e"
real=$(realpath "$WA/mem_touch")
check "d_name of the exec'ed file" test "$(sed -n 1p "$TMP/o")" = mem_touch
check "fullpath_struct_file is the real path $real (got $(sed -n 2p "$TMP/o"))" test "$(sed -n 2p "$TMP/o")" = "$real"
check "inode_path is the same path" test "$(sed -n 3p "$TMP/o")" = "$real"

# task_open_file_handles, task_max_file_handles, task_rlimit_nofile,
# pid2task, pid2execname: the workload says what it has open at a marker
# getppid() and stays alive while the handler reads /proc (python3 may be
# a wrapper that calls getppid itself before it execs the interpreter)
cat >"$TMP/fds.py" <<'EOF'
import os, resource, time
fs = [open("/dev/null") for i in range(5)]
resource.setrlimit(resource.RLIMIT_NOFILE, (77, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
print(len(os.listdir("/proc/self/fd")) - 1, flush=True)
os.getppid()
time.sleep(0.5)
EOF
perf-stap -e 'probe syscall.getppid {
	if (pid() != target() || execname() != "python3") next
	t = task_current()
	printf("%d %d %d %d %s %d\n", task_open_file_handles(t), task_max_file_handles(t), task_rlimit_nofile(t),
	       pid2task(pid()) == t, pid2execname(pid()), pid2task(0x7ffffff0))
}' -c "python3 $TMP/fds.py" >"$TMP/o" 2>"$TMP/e"
fds=$(sed -n 1p "$TMP/o")
check "task_open_file_handles = the workload's own count $fds; rlimits 77; pid2task (got $(sed -n 2p "$TMP/o"))" \
	test "$(sed -n 2p "$TMP/o")" = "$fds 77 77 1 python3 0"

# __ip_sock_*, format_ipaddr, inet_get_*, tcpmib_*, tcp_sockstate_str on
# each end of a loopback connection as it becomes established (chosen by
# the tracepoint's own ports: the server's end may change state in a
# softirq that runs in another task)
for fam in 4 6; do
	perf-stap -e 'probe kernel.trace("sock:inet_sock_set_state") {
		if ($newstate != 1 || ($sport != 47123 && $dport != 47123)) next
		sk = $skaddr
		f = __ip_sock_family(sk)
		printf("%d %s %s %d %d %d %s %d\n", f, format_ipaddr(__ip_sock_saddr(sk), f), inet_get_ip_source(sk),
		       inet_get_local_port(sk), __tcp_sock_dport(sk), tcpmib_remote_port(sk),
		       tcp_sockstate_str(tcp_ts_get_info_state(sk)), tcp_get_info_rto(sk) > 0)
	}' -c "$WA/tcp_pair 47123 1 10 $fam" >"$TMP/o" 2>"$TMP/e"
	cport=$(sed -n 1p "$TMP/o")
	if [ $fam = 4 ]; then a=127.0.0.1 af=2; else a=::1 af=10; fi
	sed 1d "$TMP/o" | sort >"$TMP/got"
	printf '%s\n' "$af $a $a $cport 47123 47123 TCP_ESTABLISHED 1" "$af $a $a 47123 $cport $cport TCP_ESTABLISHED 1" |
		sort >"$TMP/want"
	check "inet socket helpers, IPv$fam loopback, both ends (got $(sed 1d "$TMP/o" | tr '\n' ';'))" \
		cmp -s "$TMP/got" "$TMP/want"
done

# tcpmib.* on the sock/tcp tracepoints, with a script's own filter: a
# loopback connection on port 47125 that the client resets (SO_LINGER 0).
# Each end becomes established once (keys 1: the server's socket, 2: the
# client's, read while both live); both leave ESTABLISHED by a reset
# (EstabResets 2, CurrEstab -1 twice) and one reset is sent.  (The closing
# sockets' ports are read when the handler runs, after the close: their
# keys are not checked.  State changes are chosen by the tracepoint's own
# ports, as the server's end may change state in a softirq of another
# task; the reset is the client's, sent in its close().)
perf-stap -e 'global n
function tcpmib_filter_key:long (sk:long, op:long) {
	if (!sk) return 0
	return tcpmib_local_port(sk) == 47125 ? 1 : tcpmib_remote_port(sk) == 47125 ? 2 : 0
}
probe tcpmib.CurrEstab, tcpmib.EstabResets { if ($sport == 47125 || $dport == 47125) n[pn(), op]++ }
probe tcpmib.OutRsts { if (pid() == target()) n[pn(), op]++ }
probe end {
	foreach ([p, o] in n) printf("%s %d %d\n", p, o, n[p, o])
	foreach (k in CurrEstab) if (k) printf("CurrEstab[%d] %d\n", k, CurrEstab[k])
}' -c "$WA/tcp_pair 47125 2 100" >"$TMP/o" 2>"$TMP/e"
got=$(sed 1d "$TMP/o" | LC_ALL=C sort | tr '\n' ';')
check "tcpmib.CurrEstab/EstabResets/OutRsts of a reset loopback connection (got $got)" test "$got" = \
	"CurrEstab[1] 1;CurrEstab[2] 1;tcpmib.CurrEstab -1 2;tcpmib.CurrEstab 1 2;tcpmib.EstabResets 1 2;tcpmib.OutRsts 1 1;"
no_leftovers "tapset_tp"
