# bench/lib.sh - what every benchmark script starts with (sourced; BUILD is
# the script's first argument): the build's tools first on PATH, the
# workloads in W, and a scratch directory T removed on exit.
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$ROOT/$BUILD/bin:$PATH"
W="$ROOT/$BUILD/tests/workload"
T=$(mktemp -d "/tmp/staplet-$(basename "$0" .sh).XXXXXX")
trap 'rm -rf "$T"' EXIT
now() { date +%s%N; }
# median: the middle of the numbers on stdin, one per line (an integer)
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
