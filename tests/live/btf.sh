# kernel.trace TP_PROTO arguments through BTF: $arg->member read by a BPF
# capture program, live and recorded; trace-cmd refuses with a clear error.
. "$(dirname "$0")/lib.sh"
if [ ! -r /sys/kernel/btf/vmlinux ]; then echo "SKIP btf: no /sys/kernel/btf/vmlinux"; exit 0; fi

# the children target() forks, as the kernel's task_struct says
S='probe kernel.trace("sched_process_fork") { if ($parent->pid == target()) printf("%d %s\n", $child->pid, kernel_string($parent->comm)) }'
WL='/bin/true & echo $! >&2; wait'
perf-stap -e "$S" -c "$WL" >"$TMP/f.out" 2>"$TMP/f.err"
want="$(cat "$TMP/f.err") sh"
check "fork: \$child->pid is the child's pid, kernel_string(\$parent->comm) (got: $(cat "$TMP/f.out"), want: $want)" \
	test "$(cat "$TMP/f.out")" = "$want"

# sched_switch: prev is the task that was running (tid(), execname())
S2='global n, bad probe kernel.trace("sched_switch") { if (!tid()) next; n++; if ($prev->pid != tid() || (tid() == target() && kernel_string($prev->comm) != execname())) bad++ }
probe end { printf("%d %d\n", n > 0, bad) }'
perf-stap -e "$S2" -c "sleep 0.2" >"$TMP/s.out" 2>"$TMP/s.err"
check "sched_switch: \$prev->pid == tid() and kernel_string(\$prev->comm) == execname() for the target ($(cat "$TMP/s.out"))" test "$(cat "$TMP/s.out")" = "1 0"

# a plain argument and a two-pointer chain: next->mm->map_count > 0 for user tasks
S3='global ok probe kernel.trace("sched_switch") { if ($next->pid == target() && $next->mm) ok = $next->mm->map_count > 0 } probe end { println(ok) }'
perf-stap -e "$S3" -c "sleep 0.1" >"$TMP/m.out" 2>"$TMP/m.err"
check "\$next->mm->map_count through two pointers" test "$(cat "$TMP/m.out")" = 1

# record + report: the same lines
S4='probe kernel.trace("sched_process_exec") { if ($p->tgid == target()) printf("%d %d\n", $p->pid == $old_pid, $p->pid == target()) }'
perf-stap record -o "$TMP/r.data" -e "$S4" -c "/bin/true" >/dev/null 2>"$TMP/r.err"
perf-stap report -i "$TMP/r.data" >"$TMP/r.out" 2>"$TMP/rr.err"
check "record + report: sched_process_exec \$p->pid ($(cat "$TMP/r.out" "$TMP/rr.err" | head -3))" test "$(cat "$TMP/r.out")" = "1 1"

# a bitfield member: task_struct.sched_reset_on_fork is 1 only for a task
# that chrt -R gave SCHED_RESET_ON_FORK (shifted out of its storage word)
S5='global on, d probe kernel.trace("sched_switch") { d = @defined($prev->in_iowait); if ($prev->pid == target() && $prev->sched_reset_on_fork) on++ } probe end { println(on > 0, d) }'
perf-stap -e "$S5" -c "chrt -R -o 0 sleep 0.2" >"$TMP/b1.out" 2>"$TMP/b1.err"
perf-stap -e "$S5" -c "sleep 0.2" >"$TMP/b2.out" 2>"$TMP/b2.err"
check "bitfield \$prev->sched_reset_on_fork: 1 under chrt -R, 0 without ($(cat "$TMP/b1.out" "$TMP/b2.out" "$TMP/b1.err" | tr '\n' ' '))" \
	test "$(cat "$TMP/b1.out" "$TMP/b2.out")" = "$(printf '11\n01')"

# a task_struct pointer names its task (its tid), and task_*() of one read
# the task at the event: sched_migrate_task's task_cpu($p) is the CPU the
# target leaves, never $dest_cpu (taskset moves it back and forth)
S6='global same, moved, name, bad probe kernel.trace("sched_migrate_task") { if ($p != target()) next; if (task_tid($p) != $p->pid || task_pid($p) != $p->tgid) bad++; if (task_cpu($p) == $dest_cpu) same++; else moved++; name = task_execname($p) } probe end { printf("%d %d %d %s\n", moved > 0, same, bad, name) }'
perf-stap -e "$S6" -c 'taskset -pc 0 $$ >/dev/null; taskset -pc 1 $$ >/dev/null; taskset -pc 0 $$ >/dev/null; taskset -pc 1 $$ >/dev/null' >"$TMP/t.out" 2>"$TMP/t.err"
check "task_cpu/task_tid/task_pid/task_execname(\$p) at sched_migrate_task ($(cat "$TMP/t.out" "$TMP/t.err" | tr '\n' ' '))" \
	test "$(cat "$TMP/t.out")" = "1 0 0 sh"

# errors
perf-stap -p4 -e 'probe kernel.trace("sched_switch") { println($prev->pidx) }' >/dev/null 2>"$TMP/e1"
check "no such member: stap's message ($(head -1 "$TMP/e1"))" grep -q "unable to find member 'pidx' for struct task_struct" "$TMP/e1"
trace-cmd-stap -e 'probe kernel.trace("sched_switch") { println($prev->pid) }' -c true >/dev/null 2>"$TMP/e2"
check "trace-cmd: a clear refusal" grep -q "use perf stap" "$TMP/e2"
no_leftovers "btf"
