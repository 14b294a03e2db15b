export PATH=$STAPLET_BUILD/bin:$PATH
W=$STAPLET_BUILD/tests/workload
echo x > /tmp/f
perf-stap -v -e 'global n probe kernel.function("vfs_read") { n[execname()]++ } probe end { foreach (k in n) if (k == "kread_loop") printf("%s %d\n", k, n[k]) }' -c "$W/kread_loop /tmp/f 500 64" 2>&1 | grep -v "^perf stap: [a-z]*:" | tail -5
perf-stap -v -e 'global n probe kernel.function("vfs_read").return { n[execname()]++ } probe end { foreach (k in n) if (k == "kread_loop") printf("%s %d\n", k, n[k]) }' -c "$W/kread_loop /tmp/f 500 64" 2>&1 | tail -3
perf-stap -v -e 'global n probe kernel.function("do_nanosleep") { n++ } probe end { printf("%d\n", n) }' -c "$W/kread_loop /tmp/f 0 64 20" 2>&1 | tail -3
perf-stap -v -e 'global n probe module("9p").function("v9fs_file_open") { n[pid()]++ } probe end { printf("%d\n", n[target()]) }' -c "cat /etc/hostname" 2>&1 | tail -3
cat /sys/kernel/tracing/kprobe_events; ls /sys/fs/bpf
