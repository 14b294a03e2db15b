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
