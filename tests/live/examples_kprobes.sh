# examples_kprobes.sh - SystemTap's examples that need kernel function
# probes (directly, or through the tapset's vfs/ioblock/tcp/netdev/nfsd...
# aliases), run by their .meta test_installcheck command with stap bound to
# perf-stap, as examples.sh runs the others.  The list holds the 66 examples
# with a test_installcheck command that examples.list leaves out for this
# reason; the ones that do not pass are in examples_kprobes.xfail with why.
# guest-only
# own-target: make check-examples-guest (half an hour in a TCG guest)
EXAMPLES_SET=examples_kprobes
. "$(dirname "$0")/examples.sh"
