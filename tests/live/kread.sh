# Live kernel memory outside a capture (runtime/kread.h): kernel_long,
# kernel_short, kernel_string ... of addresses only known at run time read
# through a BPF program run with BPF_PROG_TEST_RUN.  Known objects: the
# kernel's BTF section (__start_BTF) is /sys/kernel/btf/vmlinux, its notes
# section (__start_notes) is /sys/kernel/notes.  Faults are stap's errors
# (catchable); report refuses clearly; no program is left in the kernel.
. "$(dirname "$0")/lib.sh"
B=$(awk '$3=="__start_BTF"{print "0x"$1}' /proc/kallsyms)
N=$(awk '$3=="__start_notes"{print "0x"$1}' /proc/kallsyms)
if [ -z "$B" ] || [ -z "$N" ] || [ "$B" = 0x0000000000000000 ] || [ ! -r /sys/kernel/notes ]; then
	echo "SKIP kread: no __start_BTF/__start_notes addresses in /proc/kallsyms"; exit 0
fi

# the first long of the BTF section, its magic as a short and a char
want_long=$(od -An -tx8 -N8 /sys/kernel/btf/vmlinux | tr -d ' ')
want_short=$(od -An -td2 -N2 /sys/kernel/btf/vmlinux | tr -d ' ')
want_char=$(od -An -td1 -N1 /sys/kernel/btf/vmlinux | tr -d ' ')
want_int=$(od -An -td4 -N4 /sys/kernel/btf/vmlinux | tr -d ' ')
perf-stap -e 'probe begin { printf("%x %d %d %d\n", kernel_long($1), kernel_short($1), kernel_char($1), kernel_int($1)) exit() }' \
	"$B" >"$TMP/v.out" 2>"$TMP/v.err"
check "kernel_long/short/char/int(__start_BTF) as /sys/kernel/btf/vmlinux ($(cat "$TMP/v.out" "$TMP/v.err"))" \
	test "$(cat "$TMP/v.out")" = "$(printf '%x' "0x$want_long") $want_short $want_char $want_int"

# the first note's name (after namesz, descsz, type) as a string, in begin
# and in a function, and cut by kernel_string_n
name=$(dd if=/sys/kernel/notes bs=1 skip=12 count=32 2>/dev/null | tr '\0' '\n' | head -1)
perf-stap -e 'function f(a) { return kernel_string(a) } probe begin { println(kernel_string($1 + 12)) println(f($1 + 12)) println(kernel_string_n($1 + 12, 1)) exit() }' \
	"$N" >"$TMP/s.out" 2>"$TMP/s.err"
check "kernel_string(__start_notes + 12) is /sys/kernel/notes' first name '$name' ($(cat "$TMP/s.out" "$TMP/s.err" | tr '\n' ' '))" \
	test "$(cat "$TMP/s.out")" = "$(printf '%s\n%s\n%s' "$name" "$name" "$(printf %.1s "$name")")"

# faults: stap's messages, caught by try/catch; kernel_string2's default;
# an uncaught one ends the run with the error
S='probe begin { try { println(kernel_string(0)) } catch (e) { println(e) }
  try { println(kernel_long(0)) } catch (e) { println(e) }
  try { println(kernel_char(4096)) } catch (e) { println(e) }
  println(kernel_string2(0, "default"))
  exit() }'
perf-stap -e "$S" >"$TMP/f.out" 2>"$TMP/f.err"
check "faults at 0 and 0x1000: stap's errors, caught ($(cat "$TMP/f.out" "$TMP/f.err" | tr '\n' ' '))" \
	test "$(cat "$TMP/f.out")" = "kernel string copy fault at 0x0 [man error::fault]
kernel long copy fault at 0x0 [man error::fault]
kernel char copy fault at 0x1000 [man error::fault]
default"
perf-stap -e 'probe begin { println(kernel_int(0)) }' >"$TMP/u.out" 2>"$TMP/u.err"
rc=$?
check "an uncaught fault is an ERROR, exit 1 ($(cat "$TMP/u.err" | tr '\n' ' '))" \
	sh -c "[ $rc = 1 ] && grep -q '^ERROR: kernel int copy fault at 0x0 \[man error::fault\]' '$TMP/u.err'"

# report: no kernel memory in a recording
perf-stap record -o "$TMP/r.data" -e 'probe end { try { println(kernel_long($1)) } catch (e) { println(e) }
  try { println(@cast($1, "struct task_struct")->mm->map_count) } catch (e) { println(e) } }' -c true "$B" \
	>/dev/null 2>"$TMP/rec.err"
perf-stap report -i "$TMP/r.data" >"$TMP/r.out" 2>"$TMP/r.err"
check "report: stap's fault saying the recording has no kernel memory ($(cat "$TMP/r.out" "$TMP/r.err" | tr '\n' ' '))" \
	sh -c "grep -q '^kernel long copy fault at $B: the recording holds no kernel memory .*\[man error::fault\]' '$TMP/r.out' &&
	       grep -q '^read fault \[man error::fault\] at 0x.*: the recording holds no kernel memory' '$TMP/r.out'"

# @cast chains walked at run time (no capture program in end probes or
# functions): the target's parent is perf-stap itself, alive at the end
S='global t
probe kernel.trace("sched_switch") { if (!t && $prev->pid == target()) t = $prev->real_parent }
function comm(p) { return kernel_string(@cast(p, "struct task_struct", "kernel<linux/sched.h>")->comm) }
probe end {
  printf("%s %s %d %d %s\n", comm(t), kernel_string_n(@cast(t, "struct task_struct")->comm, 3),
         @cast(t, "struct task_struct")->pid == stp_pid(), @cast(t, "struct task_struct")->mm->map_count > 0,
         kernel_string(& @cast(t, "struct task_struct")->comm))
  try { println(@cast(0, "struct task_struct")->mm->map_count) } catch (e) { println(e) }
}'
perf-stap -e "$S" -c "sleep 0.2" >"$TMP/c.out" 2>"$TMP/c.err"
off=$(perf-stap -e 'probe begin { printf("0x%x\n", & @cast(0, "struct task_struct")->mm) exit() }' 2>&1)
check "@cast(ptr, \"struct task_struct\")->comm, ->pid, ->mm->map_count in a function and an end probe; a fault ($(cat "$TMP/c.out" "$TMP/c.err" | tr '\n' ' '))" \
	test "$(cat "$TMP/c.out")" = "perf-stap per 1 1 perf-stap
read fault [man error::fault] at $off"

# @cast(task_current(), ...) where the handler runs in perf-stap itself
# (begin, timer, end: stap's run in stapio): its own task_struct
S='probe begin { printf("%s %d\n", kernel_string(@cast(task_current(), "struct task_struct")->comm), @cast(task_current(), "struct task_struct")->tgid == stp_pid()) }
probe timer.ms(50) { println(@cast(task_current(), "struct task_struct", "kernel<linux/sched.h>")->tgid == stp_pid()) exit() }
probe end { println(@cast(task_current(), "struct task_struct")->real_parent->pid > 0) }'
perf-stap -e "$S" >"$TMP/tc.out" 2>"$TMP/tc.err"
check "@cast(task_current(), \"struct task_struct\") in begin, timer and end probes ($(cat "$TMP/tc.out" "$TMP/tc.err" | tr '\n' ' '))" \
	test "$(cat "$TMP/tc.out")" = "perf-stap 1
1
1"

# stap's autocast through a local assigned once from a typed value: the
# task, and the address of its embedded signal member
S='probe begin { t = @cast(task_current(), "struct task_struct"); s = &@cast(task_current(), "struct task_struct")->pending
	printf("%s %d %d\n", kernel_string(t->comm), t->tgid == stp_pid(), s->signal->sig[0] == @cast(task_current(), "struct task_struct")->pending->signal->sig[0]); exit() }'
perf-stap -e "$S" >"$TMP/ac.out" 2>"$TMP/ac.err"
check "autocast through locals: t->comm, t->tgid, s->signal of &t->pending ($(cat "$TMP/ac.out" "$TMP/ac.err" | tr '\n' ' '))" \
	test "$(cat "$TMP/ac.out")" = "perf-stap 1 1"

# @container_of($arg, ...)->m at a tracepoint: captured at the event (the
# process_timer lives on the sleeper's stack, gone by the time a handler runs)
S='global n, zero
probe kernel.trace("timer_expire_entry") {
  if (symname($timer->function) != "process_timeout") next
  n++; if (!@module_container_of($timer, "kernel", "struct process_timer", timer)->task) zero++ }
probe end { printf("%d %d\n", n > 0, zero) }'
perf-stap -e "$S" -T 1 >"$TMP/t.out" 2>"$TMP/t.err"
check "@module_container_of(\$timer, ...)->task read at the event, never 0 ($(cat "$TMP/t.out" "$TMP/t.err" | tr '\n' ' '))" \
	test "$(cat "$TMP/t.out")" = "1 0"

# the trace-cmd backend shares the runtime: the same reads
trace-cmd-stap -e 'probe begin { printf("%x %s\n", kernel_long($1), kernel_string(@cast(task_current(), "struct task_struct")->comm)) exit() }' \
	"$B" >"$TMP/tc2.out" 2>"$TMP/tc2.err"
check "trace-cmd stap: kernel_long and a task_current() chain ($(cat "$TMP/tc2.out" "$TMP/tc2.err" | tr '\n' ' '))" \
	test "$(cat "$TMP/tc2.out")" = "$(printf '%x' "0x$want_long") trace-cmd-stap"

# nothing of ours stays loaded
left=$(bpftool prog show 2>/dev/null | grep -c 'name stap_kread')
check "no stap_kread program left after the runs ($left)" test "$left" = 0
no_leftovers "kread"
