# The tapset's library macros at run time: @cast_module_sizeof and
# &@cast(...)->member walking a user array of struct sembuf (what
# semop-watch.stp does), @this1 handing a value from a syscall's entry to
# its return, @choose_defined on a tracepoint.
. "$(dirname "$0")/lib.sh"
if [ ! -r /sys/kernel/btf/vmlinux ]; then echo "SKIP macros: no /sys/kernel/btf/vmlinux"; exit 0; fi

# a semtimedop(2) of three sembufs {0,1,0} {2,1,0} {1,1,0} from a buffer
# that stays alive (glibc's semop() is the semtimedop system call)
cat >"$TMP/semop.py" <<'PY'
import ctypes, time
libc = ctypes.CDLL(None, use_errno=True)
sid = libc.semget(0, 3, 0o600)
buf = (ctypes.c_short * 9)(0, 1, 0, 2, 1, 0, 1, 1, 0)
if libc.semop(sid, buf, 3) != 0:
    raise SystemExit("semop: errno %d" % ctypes.get_errno())
libc.semctl(sid, 0, 0)
time.sleep(0.3)
PY
S='probe syscall.semtimedop {
  if (pid() != target()) next
  sz = @cast_module_sizeof("kernel", "struct sembuf")
  for (i = 0; i < nsops; i++)
    printf("%d ", user_short(&@cast(sops_uaddr + i * sz, "struct sembuf", "kernel")->sem_num))
  printf("| %d %d\n", sz, user_short(&@cast(sops_uaddr, "struct sembuf")[2]->sem_op))
  @this1 = nsops
}
probe syscall.semtimedop.return { if (pid() == target()) printf("%d %d\n", retval, @this1) }'
perf-stap -e "$S" -c "python3 $TMP/semop.py" >"$TMP/s.out" 2>"$TMP/s.err"
check "struct sembuf walk: sem_num of each, sizeof 6, [2]->sem_op; @this1 entry to return ($(cat "$TMP/s.out" "$TMP/s.err" | tr '\n' ' '))" \
	test "$(cat "$TMP/s.out")" = "$(printf '0 2 1 | 6 1\n0 3')"

# @choose_defined: sched_migrate_task names the target CPU dest_cpu (or
# new_cpu on older kernels); the other name is never looked at
S2='global n probe kernel.trace("sched_migrate_task") { if (@choose_defined($new_cpu, $dest_cpu) >= 0) n++ } probe timer.ms(300) { exit() } probe end { println(n >= 0) }'
perf-stap -e "$S2" >"$TMP/c.out" 2>"$TMP/c.err"
check "@choose_defined(\$new_cpu, \$dest_cpu) resolves ($(cat "$TMP/c.out" "$TMP/c.err" | tr '\n' ' '))" \
	test "$(cat "$TMP/c.out")" = 1
no_leftovers "macros"
