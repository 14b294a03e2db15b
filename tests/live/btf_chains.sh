# Kernel memory along BTF offsets from task_current() and event arguments:
# @cast(task_current(), "struct task_struct")->... and ->files->fdt->fd[fd]
# read by the BPF capture program at syscall and tracepoint events, live and
# recorded; a user-space @cast type without DWARF names the module as stap.
. "$(dirname "$0")/lib.sh"
if [ ! -r /sys/kernel/btf/vmlinux ]; then echo "SKIP btf_chains: no /sys/kernel/btf/vmlinux"; exit 0; fi

T='@cast(task_current(), "struct task_struct")'
# the workload: the target, or its child when -c goes through a shell
MINE='(pid() == target() || ppid() == target())'
# a recording has no ppid() of gone tasks: there, the parent the task_struct names
MINE_R="(pid() == target() || $T->real_parent->tgid == target())"
# the target's getpid calls: its task_struct says what pid(), tid(),
# execname() and ppid() say
S1="global n, bad
probe syscall.getppid { if (!$MINE) next; n++
  if ($T->pid != tid() || $T->tgid != pid() || kernel_string($T->comm) != execname() ||
      $T->real_parent->tgid != ppid()) bad++ }
probe end { printf(\"%d %d\\n\", n >= 5, bad) }"
WL="python3 -c 'import os,time; [os.getppid() for i in range(5)]; time.sleep(0.3)'"
perf-stap -e "$S1" -c "$WL" >"$TMP/t.out" 2>"$TMP/t.err"
check "task_current(): ->pid, ->tgid, ->comm, ->real_parent->tgid at syscall.getppid ($(cat "$TMP/t.out" "$TMP/t.err" | head -3))" \
	test "$(cat "$TMP/t.out")" = "1 0"

# recorded and reported (a recording has no ppid() of gone tasks: the
# parent is the one the task_struct names)
S1R="global n, bad
probe syscall.getppid { if (pid() != target() && $T->real_parent->tgid != target()) next; n++
  if ($T->pid != tid() || $T->tgid != pid() || kernel_string($T->comm) != execname()) bad++ }
probe end { printf(\"%d %d\\n\", n >= 5, bad) }"
perf-stap record -o "$TMP/t.data" -e "$S1R" -c "$WL" >/dev/null 2>"$TMP/tr.err"
perf-stap report -i "$TMP/t.data" >"$TMP/tr.out" 2>>"$TMP/tr.err"
check "record + report: task_current() chains ($(cat "$TMP/tr.out" "$TMP/tr.err" | head -3))" \
	test "$(cat "$TMP/tr.out")" = "1 0"

# at a tracepoint (a raw tracepoint program): the exec'ing task
S2="probe kernel.trace(\"sched_process_exec\") { if (pid() == target())
  printf(\"%d %d %s\\n\", $T->tgid == pid(), $T->pid == \$p->pid, kernel_string_n($T->comm, 4)) }"
perf-stap -e "$S2" -c "/bin/true" >"$TMP/x.out" 2>"$TMP/x.err"
check "task_current() at kernel.trace(sched_process_exec), kernel_string_n ($(cat "$TMP/x.out" "$TMP/x.err" | head -3))" \
	test "$(cat "$TMP/x.out")" = "1 1 true"

# an index known at the event: the file behind lseek's fd is the one the
# workload opened (its inode, as stat says), and has file operations
F=/etc/hostname
[ -r "$F" ] || F=/etc/passwd
S3="probe syscall.lseek { if (!$MINE || \$offset != 4242) next
  f = $T->files->fdt->fd[fd]
  printf(\"%d %d %d\\n\", fd, $T->files->fdt->fd[fd]->f_inode->i_ino, f != 0 && $T->files->fdt->fd[fd]->f_op != 0) }"
WL3="python3 -c 'import os,sys
f = os.open(\"$F\", os.O_RDONLY); open(\"$TMP/fd\", \"w\").write(str(f)); os.lseek(f, 4242, 0)'"
perf-stap -e "$S3" -c "$WL3" >"$TMP/i.out" 2>"$TMP/i.err"
want="$(cat "$TMP/fd") $(stat -L -c %i "$F") 1"
check "files->fdt->fd[fd]->f_inode->i_ino is stat's inode of the opened file (got: $(head -3 "$TMP/i.out"), want: $want)" \
	test "$(cat "$TMP/i.out")" = "$want"

# symdata() of a function pointer read through the chain
S4="probe syscall.lseek { if (!$MINE || \$offset != 4242) next
  println(symname($T->files->fdt->fd[fd]->f_op->llseek)) }"
perf-stap -e "$S4" -c "$WL3" >"$TMP/s.out" 2>"$TMP/s.err"
check "symname() of ->f_op->llseek names a kernel function ($(cat "$TMP/s.out" | head -2))" \
	grep -q '^[a-z_0-9]*llseek' "$TMP/s.out"

# a NULL pointer on the way is stap's read fault, which try/catch catches
# (fd 50 is not open: the table's slot is NULL)
cat >"$TMP/w5.py" <<'PY'
import os
try:
    os.lseek(50, 4242, 0)
except OSError:
    pass
PY
S5="probe syscall.lseek { if (!$MINE || \$offset != 4242) next
  try { println($T->files->fdt->fd[fd]->f_flags) } catch (m) { println(\"caught \", m) } }"
perf-stap -e "$S5" -c "python3 $TMP/w5.py" >"$TMP/f.out" 2>"$TMP/f.err"
check "a NULL in the chain: stap's read fault, caught ($(cat "$TMP/f.out" "$TMP/f.err" | head -2))" \
	grep -q '^caught read fault \[man error::fault\] at 0x[0-9a-f]*$' "$TMP/f.out"

# recorded and reported: the indexed chain and the caught fault again
perf-stap record -o "$TMP/f.data" -e "${S5/"$MINE"/"$MINE_R"}" -c "python3 $TMP/w5.py" >/dev/null 2>"$TMP/fr.err"
perf-stap report -i "$TMP/f.data" >"$TMP/fr.out" 2>>"$TMP/fr.err"
check "record + report: the caught read fault, as live ($(cat "$TMP/fr.out" | head -2))" cmp -s "$TMP/f.out" "$TMP/fr.out"
perf-stap record -o "$TMP/i.data" -e "${S3/"$MINE"/"$MINE_R"}" -c "$WL3" >/dev/null 2>"$TMP/ir.err"
perf-stap report -i "$TMP/i.data" >"$TMP/ir.out" 2>>"$TMP/ir.err"
check "record + report: fd[fd]->f_inode->i_ino ($(cat "$TMP/ir.out" "$TMP/ir.err" | head -2))" \
	test "$(cat "$TMP/ir.out")" = "$want"

# a chain from a value the event does not give is walked when the handler
# runs (runtime/kread.h): address 1 faults as stap's deref does
off=$(perf-stap -e 'probe begin { printf("0x%x\n", 1 + & @cast(0, "struct file")->f_flags) exit() }' 2>&1)
perf-stap -e 'probe syscall.lseek { if (pid() != target()) next; p = 1; try { println(@cast(p, "struct file")->f_flags) } catch (e) { println(e) } }' \
	-c "python3 -c 'import os; os.lseek(os.open(\"/dev/null\", os.O_RDONLY), 0, 0)'" >"$TMP/e1" 2>&1
check "a chain from a local: read at run time, a fault at $off ($(head -1 "$TMP/e1"))" \
	grep -q "^read fault \[man error::fault\] at $off$" "$TMP/e1"
# errors: a user-space type
perf-stap -p4 -e 'probe syscall.lseek { fd = 3; println(@cast(task_current(), "struct task_struct")->files->fdt->fd[fd]->f_flags) }' >/dev/null 2>"$TMP/e3"
check "an index the probe reassigned is no longer the event's: a clear error ($(head -1 "$TMP/e3"))" grep -q "indexes kernel memory in a probe only by a constant or an argument of the event" "$TMP/e3"
if [ -x /usr/bin/stap ] && [ -r /usr/share/systemtap/examples/apps/stap_time.stp ]; then
	perf-stap -p4 /usr/share/systemtap/examples/apps/stap_time.stp >/dev/null 2>"$TMP/e2"
	check "@cast of a user type without DWARF: stap's wording ($(head -1 "$TMP/e2"))" \
		grep -q "semantic error: type definition 'struct systemtap_session' not found in '/usr/bin/stap': operator '@cast' at .*stap_time.stp:24:20" "$TMP/e2"
fi

# $field[i] of a tracepoint's char array field (sched_switch's next_comm, as
# --compatible=4.1 scripts read it): its bytes, 0 past the string
out=$(perf-stap --compatible=4.1 -e 'global n
probe kernel.trace("sched:sched_switch") { if ($next_pid == target() && $next_comm == "sleep" && !n++)
  printf("%d %d %d %d %d\n", $next_comm[0], $next_comm[1], $next_comm[4], $next_comm[5], $next_comm[15]) }' \
	-c "sleep 0.3" 2>&1)
check "\$next_comm[i]: the bytes of \"sleep\", then 0 ($out)" test "$out" = "115 108 112 0 0"

# @cast(p, "T")[i]: the i-th T from p, as stap reads it (x86_64's
# thread_info at the start of task_struct: flags, syscall_work, status, cpu)
if [ "$(uname -m)" = x86_64 ]; then
	out=$(perf-stap -e 'global n, bad
probe kernel.trace("sched:sched_switch") { n++
  if (@cast($next, "u32")[5] != $next->thread_info->cpu || @cast($next, "u64")[1] != $next->thread_info->syscall_work) bad++ }
probe timer.ms(300) { printf("%d %d\n", n > 0, bad); exit() }' 2>&1)
	check "@cast(\$next, \"u32\")[5] is thread_info.cpu, @cast(\$next, \"u64\")[1] its syscall_work ($out)" test "$out" = "1 0"
fi
no_leftovers "btf_chains"
