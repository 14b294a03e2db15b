/* test_btf.c - tracepoint arguments resolve through vmlinux BTF, and the
 * capture programs lowering emits for them pass the verifier and attach to
 * their raw tracepoints.  BPF needs root: those checks SKIP otherwise. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "check.h"
#include "lowering/bpf_capture.h"
#include "lowering/btf.h"
#include "lowering/catalog.h"

static struct bpf_insn insn[ST_BPF_TPARGS_MAX_INSNS];
static char vlog[65536];

static int load_as(enum bpf_prog_type pt, const char *event, struct st_btf_cap *caps, uint32_t n)
{
	uint32_t off[64], rec = st_bpf_tpargs_layout(caps, n, off);
	int sfd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "t_scr", 4, rec, 1, NULL);
	int ofd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "t_out", 4, 4, 64, NULL);
	int k, pfd = -1, lfd = -1;
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = vlog, .log_size = sizeof(vlog), .log_level = 1);

	k = st_bpf_tpargs_emit(caps, n, 60001, sfd, ofd, insn, ST_BPF_TPARGS_MAX_INSNS);
	if (sfd >= 0 && ofd >= 0 && k > 0)
		pfd = bpf_prog_load(pt, "t_tpargs", "GPL", insn, (size_t)k, &o);
	if (pfd < 0)
		fprintf(stderr, "verifier: %s\n", vlog);
	if (pfd >= 0)
		lfd = event ? bpf_raw_tracepoint_open(event, pfd) : dup(pfd);
	if (lfd >= 0)
		close(lfd);
	if (pfd >= 0)
		close(pfd);
	if (sfd >= 0)
		close(sfd);
	if (ofd >= 0)
		close(ofd);
	return lfd >= 0 ? 0 : -1;
}

static int load(const char *event, struct st_btf_cap *caps, uint32_t n)
{
	return load_as(BPF_PROG_TYPE_RAW_TRACEPOINT, event, caps, n);
}

/* @cast(task_current(), "struct task_struct")->files->fdt->fd[$fd]->f_op->x
 * with $fd the direct cap 1 (idx_cap 1 + 1) */
static int fd_chain(struct st_btf_cap *c, const char *last, bool want_string, char *msg, size_t n)
{
	struct st_btf_chain ch = { .root = ST_BTF_ROOT_TASK, .cast = "struct task_struct", .want_string = want_string };
	const char *m[] = { "files", "fdt", "fd", NULL, "f_op", last };

	for (uint32_t i = 0; i < 6; i++) {
		ch.step[ch.nsteps].member = m[i];
		ch.step[ch.nsteps++].idx_cap = m[i] ? 0 : 1;
	}
	if (!last)
		ch.nsteps--;
	return st_btf_chain_resolve(&ch, c, msg, n);
}

/* @cast(p, "T", "nfsd"): a kernel module's types are its BTF (split over
 * vmlinux's); a catalog whose only loaded module is "nfsd" with one struct */
static struct btf *mod_btf;

static const struct btf *one_module_btf(struct st_catalog *c, const char *module)
{
	(void)c;
	return module && !strcmp(module, "nfsd") ? mod_btf : NULL;
}

static void module_casts(void)
{
	struct st_catalog_ops ops = { .kbtf = one_module_btf };
	struct st_catalog cat = { &ops };
	const char *len[] = { "len" }, *files[] = { "files" };
	struct btf *base = btf__load_vmlinux_btf();
	uint32_t size = 0, off = 0;
	char msg[256];
	int i32 = base ? btf__find_by_name_kind(base, "int", BTF_KIND_INT) : -1;

	mod_btf = base ? btf__new_empty_split(base) : NULL;
	if (!mod_btf || i32 <= 0 || btf__add_struct(mod_btf, "staplet_mod_args", 16) < 0 ||
	    btf__add_field(mod_btf, "pad", i32, 0, 0) < 0 || btf__add_field(mod_btf, "len", i32, 64, 0) < 0) {
		CHECK("a module's BTF can be made", 0);
		return;
	}
	CHECK("@cast module \"kernel\": vmlinux's types", st_btf_for_cast(&cat, "kernel") == NULL);
	CHECK("@cast module \"kernel<linux/fs.h>\": vmlinux's types", st_btf_for_cast(&cat, "kernel<linux/fs.h>") == NULL);
	CHECK("@cast module \"nfsd\": the module's", st_btf_for_cast(&cat, "nfsd") == mod_btf);
	CHECK("@cast module \"kernel:nfsd\": the first loaded module of the list", st_btf_for_cast(&cat, "kernel:nfsd") == mod_btf);
	CHECK("@cast module \"ext4:nfsd\": a module not loaded is passed over", st_btf_for_cast(&cat, "ext4:nfsd") == mod_btf);
	CHECK("@cast module \"ext4\" not loaded: vmlinux's", st_btf_for_cast(&cat, "ext4") == NULL);
	CHECK("&@cast(p, \"staplet_mod_args\", \"nfsd\")->len is p + 8",
	      st_btf_cast_addr(mod_btf, "staplet_mod_args", len, 1, &size, &off, msg, sizeof(msg)) == 0 && off == 8 &&
	      size == 16);
	CHECK("the module's type is not the kernel's",
	      st_btf_cast_addr(NULL, "staplet_mod_args", len, 1, &size, &off, msg, sizeof(msg)) == -ENOENT);
	CHECK("@defined(@cast(p, \"struct staplet_mod_args\", \"nfsd\")->len)",
	      st_btf_cast_defined(mod_btf, "struct staplet_mod_args", len, 1));
	CHECK("kernel types resolve in a module's BTF too",
	      st_btf_cast_defined(mod_btf, "struct task_struct", files, 1));
	btf__free(mod_btf);
	btf__free(base);
}

int main(void)
{
	struct st_btf_cap c[4];
	char msg[256];
	int rc;

	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		printf("SKIP btf: no vmlinux BTF\n");
		return 0;
	}
	module_casts();
	rc = st_btf_tp_resolve("sched_switch", "$prev->pid", &c[0], msg, sizeof(msg));
	CHECK("$prev->pid resolves", rc == 0 && c[0].arg == 1 && c[0].size == 4 && c[0].is_signed && !c[0].direct);
	rc = st_btf_tp_resolve("sched_switch", "$next->comm", &c[1], msg, sizeof(msg));
	CHECK("$next->comm is its address (a char array, as in stap)", rc == 0 && c[1].arg == 2 && c[1].addr &&
	      !c[1].is_string && c[1].size == 8);
	rc = st_btf_tp_resolve("sched_switch", "$next->mm->map_count", &c[2], msg, sizeof(msg));
	CHECK("$next->mm->map_count follows one pointer", rc == 0 && c[2].nhops == 1);
	rc = st_btf_tp_resolve("sched_switch", "$prev_state", &c[3], msg, sizeof(msg));
	CHECK("$prev_state is the direct fourth argument", rc == 0 && c[3].direct && c[3].arg == 3 && c[3].size == 4);
	rc = st_btf_tp_resolve("sched_switch", "$prev->nope", &c[0], msg, sizeof(msg));
	CHECK("a missing member: stap's message", rc == -EINVAL && strstr(msg, "unable to find member 'nope' for struct task_struct"));
	rc = st_btf_tp_resolve("sched_switch", "$nope", &c[0], msg, sizeof(msg));
	CHECK("a missing argument: -ENOENT", rc == -ENOENT);
	rc = st_btf_tp_resolve("sched_wakeup", "$p->pid", &c[0], msg, sizeof(msg));
	CHECK("DEFINE_EVENT names come from its template ($p of sched_wakeup)", rc == 0 && c[0].arg == 0);
	rc = st_btf_tp_resolve("sched_process_exit", "$p", &c[0], msg, sizeof(msg));
	CHECK("a template's name, not another event's ($p of sched_process_exit, not sched_process_hang's tsk)",
	      rc == 0 && c[0].arg == 0);
	rc = fd_chain(&c[0], "unlocked_ioctl", false, msg, sizeof(msg));
	CHECK("task_current()->files->fdt->fd[i]->f_op->unlocked_ioctl: 5 pointers, indexed by 8 at the 4th",
	      rc == 0 && c[0].root == ST_BTF_ROOT_TASK && c[0].nhops == 5 && c[0].hop_idx[3] == 1 &&
	      c[0].hop_stride[3] == 8 && c[0].size == 8 && !c[0].direct);
	{
		struct st_btf_chain ch = { .root = ST_BTF_ROOT_TASK, .cast = "task_struct", .want_string = true,
					   .nsteps = 1 };

		ch.step[0].member = "comm";
		rc = st_btf_chain_resolve(&ch, &c[1], msg, sizeof(msg));
		CHECK("kernel_string(@cast(task_current(), \"task_struct\")->comm): the string in place",
		      rc == 0 && c[1].is_string && !c[1].str_ptr && c[1].nhops == 0);
		ch.step[0].member = "nosuch";
		rc = st_btf_chain_resolve(&ch, &c[1], msg, sizeof(msg));
		CHECK("@cast chain: a missing member in stap's words",
		      rc == -EINVAL && strstr(msg, "unable to find member 'nosuch' for struct task_struct"));
		ch.cast = "struct no_such_type_here";
		rc = st_btf_chain_resolve(&ch, &c[1], msg, sizeof(msg));
		CHECK("@cast to a type BTF lacks: named", rc == -ENOENT && strstr(msg, "no_such_type_here"));
	}
	{
		/* @container_of($timer, "struct process_timer", timer)->task:
		 * the root offset joins the first addition, negative as well */
		struct st_btf_chain ch = { .root = ST_BTF_ROOT_ARG, .event = "timer_expire_entry", .argname = "timer",
					   .cast = "struct process_timer", .nsteps = 1 };
		struct st_btf_cap plain;

		ch.step[0].member = "task";
		rc = st_btf_chain_resolve(&ch, &plain, msg, sizeof(msg));
		ch.delta = -24;
		rc |= st_btf_chain_resolve(&ch, &c[1], msg, sizeof(msg));
		CHECK("a root offset ($timer - 24) shifts the final read", rc == 0 && c[1].nhops == 0 &&
		      (int32_t)c[1].off == (int32_t)plain.off - 24 && c[1].size == 8);
		ch.step[1].member = "pid";
		ch.nsteps = 2;
		rc = st_btf_chain_resolve(&ch, &c[1], msg, sizeof(msg));
		CHECK("a root offset shifts the first pointer read of a longer chain", rc == 0 && c[1].nhops == 1 &&
		      (int32_t)c[1].hop[0] == (int32_t)plain.off - 24 && c[1].size == 4);
	}
	if (geteuid() != 0) {
		printf("SKIP btf capture programs: needs root\n");
		return check_failures != 0;
	}
	st_btf_tp_resolve("sched_switch", "$prev->pid", &c[0], msg, sizeof(msg));
	for (int i = 0; i < 4; i++)
		c[i].field = "f";
	CHECK("sched_switch capture (int, string, chain, direct) loads and attaches", load("sched_switch", c, 4) == 0);
	rc = st_btf_tp_resolve("block_rq_issue", "$rq->__data_len", &c[0], msg, sizeof(msg));
	CHECK("block_rq_issue $rq->__data_len resolves", rc == 0);
	if (rc == 0)
		CHECK("block_rq_issue capture loads and attaches", load("block_rq_issue", c, 1) == 0);
	{
		/* a syscall event: ctx field $fd (offset 16), the indexed chain,
		 * a string through a pointer: a tracepoint program */
		struct st_btf_chain fd = { .root = ST_BTF_ROOT_CTX, .arg = 16, .size = 8 };
		struct st_btf_chain nm = { .root = ST_BTF_ROOT_TASK, .cast = "struct task_struct", .want_string = true };
		const char *m[] = { "files", "fdt", "fd", NULL, "f_path", "dentry", "d_name", "name" };

		st_btf_chain_resolve(&fd, &c[0], msg, sizeof(msg));
		fd_chain(&c[1], "llseek", false, msg, sizeof(msg));
		for (uint32_t i = 0; i < 8; i++) {
			nm.step[nm.nsteps].member = m[i];
			nm.step[nm.nsteps++].idx_cap = m[i] ? 0 : 1;
		}
		rc = st_btf_chain_resolve(&nm, &c[2], msg, sizeof(msg));
		CHECK("...->f_path->dentry->d_name->name as a string: through the pointer", rc == 0 && c[2].str_ptr);
		for (int i = 0; i < 3; i++)
			c[i].field = "f";
		CHECK("syscall capture (ctx field, indexed chain, string) passes the verifier as a tracepoint program",
		      load_as(BPF_PROG_TYPE_TRACEPOINT, NULL, c, 3) == 0);
	}
	return check_failures != 0;
}
