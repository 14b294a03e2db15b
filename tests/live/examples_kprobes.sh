# examples_kprobes.sh - SystemTap's examples that need kernel function
# probes (directly, or through the tapset's vfs/ioblock/tcp/netdev/nfsd...
# aliases), run by their .meta test_installcheck command with stap bound to
# perf-stap, as examples.sh runs the others.  The list holds the 66 examples
# with a test_installcheck command that examples.list leaves out for this
# reason; the ones that do not pass are in examples_kprobes.xfail with why.
# guest-only
# own-target: make check-examples-guest (half an hour in a TCG guest)
EXAMPLES_SET=examples_kprobes
# kernel function probes cost more to place and remove than tracepoints:
# under a loaded host a guest took over a minute for some (12 s unloaded)
EXAMPLES_GUEST_LIMIT=180

# A distro system has its file systems' and NFS server's modules loaded
# when it uses them; the guest boots with none: enospc.stp probes ext4,
# the nfsd*.stp examples the NFS server.
examples_setup() {
	local m
	for m in ext4:enospc nfsd:nfsd; do
		grep -q "${m#*:}" "$LIST" || continue
		guest_module "${m%%:*}" || echo "(the guest kernel's module ${m%%:*} could not be loaded)"
	done
}
. "$(dirname "$0")/examples.sh"
