# examples_kprobes_quick.sh - a few of examples_kprobes.sh's examples, one
# for each tapset family built on kernel function probes (vfs, ioblock,
# netdev, tcp/udp, vm.pagefault) and a script of its own kernel function
# probes with backtraces, for make check's 6.1 guest (where the set was
# measured; 6.12 not yet); the whole set (half an hour in a TCG guest) is
# make check-examples-guest.
# guest-only 6.1
EXAMPLES_LIST=$(dirname "$0")/examples_kprobes_quick.list
. "$(dirname "$0")/examples_kprobes.sh"
