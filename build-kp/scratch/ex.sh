# run SystemTap's examples that use kernel probes directly (their .meta
# test_installcheck commands) with perf-stap; classify each
export PATH=$STAPLET_BUILD/bin:$PATH
EX=/usr/share/systemtap/examples
STAP_FN='stap() { perf-stap "$@"; }'
T=$(mktemp -d)
np=0; na=0; nr=0
while read -r f; do
	meta=$EX/${f%.stp}.meta
	cmd=$(grep -m1 '^test_installcheck:' "$meta" 2>/dev/null | sed 's/^test_installcheck: *//')
	[ -n "$cmd" ] || continue
	nr=$((nr+1))
	(cd "$EX/$(dirname "$f")" && timeout -s INT 20 bash -c "$STAP_FN; $cmd" </dev/null >"$T/out" 2>"$T/err")
	rc=$?
	if [ $rc -eq 0 ] && ! grep -q 'ERROR' "$T/out" "$T/err"; then
		np=$((np+1)); na=$((na+1)); echo "PASS $f"
	elif ! grep -qE 'semantic error|cannot attach|cannot create kprobe|parse error|not supported|unsupported' "$T/err"; then
		na=$((na+1)); echo "ATTACHED $f rc=$rc: $(grep -m1 -h 'ERROR' "$T/err" "$T/out" | cut -c1-150)"
	else
		echo "FAIL $f rc=$rc: $(grep -m1 -hE 'semantic error|ERROR|error' "$T/err" | cut -c1-200)"
	fi
done < "$STAPLET_BUILD/scratch/ex.txt"
echo "examples with a test command: $nr, past attaching: $na, passing: $np"
rm -rf "$T"
