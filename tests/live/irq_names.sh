# irq_handler.entry dev_name is, as in stap, a pointer for kernel_string():
# here a handle for the tracepoint's copy of the name.  Every name printed
# is an interrupt action of /proc/interrupts; live and recorded alike.
. "$(dirname "$0")/lib.sh"
S='global n probe irq_handler.entry { n[dev_name]++ }
probe end { foreach (d in n) println(kernel_string(d)) }'
WL="dd if=/dev/zero of=$TMP/io bs=64k count=16 conv=fsync status=none; sleep 0.3"

names_ok() {   # names_ok FILE: non-empty, each line a /proc/interrupts action
	local name
	[ -s "$1" ] || return 1
	while IFS= read -r name; do
		grep -qF -- " $name" /proc/interrupts || { echo "not an irq action: $name"; return 1; }
	done <"$1"
}

perf-stap -e "$S" -c "$WL" >"$TMP/live.out" 2>"$TMP/live.err"
check "live: kernel_string(dev_name) names irq actions ($(cat "$TMP/live.out" "$TMP/live.err" | head -3 | tr '\n' ' '))" names_ok "$TMP/live.out"

perf-stap record -o "$TMP/r.data" -e "$S" -c "$WL" >/dev/null 2>"$TMP/rec.err"
perf-stap report -i "$TMP/r.data" >"$TMP/rep.out" 2>"$TMP/rep.err"
check "record + report: kernel_string(dev_name) names irq actions ($(cat "$TMP/rep.out" "$TMP/rep.err" | head -3 | tr '\n' ' '))" names_ok "$TMP/rep.out"
no_leftovers "irq_names"
