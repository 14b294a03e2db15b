/* kread.c - the on-demand kernel memory reader (kread.h).
 *
 * The program (raw_tracepoint type, never attached) takes its context as
 * u64 args[]: args[0] the address, args[1] the length, args[2] the mode:
 * 0 bytes, 1 a string, 2 the calling task's task_struct address.  It reads into the one value of an array map and returns the
 * helper's result, which BPF_PROG_TEST_RUN hands back as retval.  The map
 * is mmap'ed where the kernel allows, so one read costs one syscall. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "lowering/bpf_insn.h"
#include "runtime/kread.h"

static struct {
	bool tried;
	int map_fd, prog_fd;
	void *mem;               /* the map's value, mmap'ed; NULL: lookup it */
	char why[160];
	char value[ST_KREAD_MAX];   /* the map's value, looked up */
} kr = { .map_fd = -1, .prog_fd = -1 };

static int emit(int map_fd, struct bpf_insn *p)
{
	int k = 0, skip;

	p[k++] = MOV64_REG(BPF_REG_6, BPF_REG_1);         /* r6 = args */
	p[k++] = ST_W(BPF_REG_10, -4, 0);                 /* key 0 */
	p[k++] = MOV64_REG(BPF_REG_2, BPF_REG_10);
	p[k++] = ADD64_IMM(BPF_REG_2, -4);
	p[k++] = LD_IMM64_LO(BPF_REG_1, BPF_PSEUDO_MAP_FD, map_fd);
	p[k++] = LD_IMM64_HI(0);
	p[k++] = CALL(BPF_FUNC_map_lookup_elem);
	p[k++] = MOV64_REG(BPF_REG_1, BPF_REG_0);         /* r1 = the buffer */
	p[k++] = MOV64_IMM(BPF_REG_0, -ENOMEM);
	skip = k;
	p[k++] = JEQ_IMM(BPF_REG_1, 0, 0);                /* patched: exit */
	p[k++] = LDX_DW(BPF_REG_2, BPF_REG_6, 8);         /* len, bounded */
	p[k++] = MOV64_IMM(BPF_REG_0, -E2BIG);
	p[k++] = JGT_IMM(BPF_REG_2, ST_KREAD_MAX, 0);
	p[k - 1].off = (int16_t)(0);                      /* patched below */
	p[k++] = MOV64_IMM(BPF_REG_0, 0);
	p[k++] = JEQ_IMM(BPF_REG_2, 0, 0);                /* patched: exit */
	p[k++] = LDX_DW(BPF_REG_3, BPF_REG_6, 0);         /* addr */
	p[k++] = LDX_DW(BPF_REG_4, BPF_REG_6, 16);        /* the mode */
	p[k++] = JEQ_IMM(BPF_REG_4, 2, 5);
	p[k++] = JNE_IMM(BPF_REG_4, 0, 2);
	p[k++] = CALL(BPF_FUNC_probe_read_kernel);
	p[k++] = EXIT();
	p[k++] = CALL(BPF_FUNC_probe_read_kernel_str);
	p[k++] = EXIT();
	p[k++] = MOV64_REG(BPF_REG_6, BPF_REG_1);         /* mode 2: current */
	p[k++] = CALL(BPF_FUNC_get_current_task);
	p[k++] = STX_DW(BPF_REG_6, BPF_REG_0, 0);
	p[k++] = MOV64_IMM(BPF_REG_0, 8);
	p[k++] = EXIT();
	/* every early way out returns r0 as set */
	p[skip].off = (int16_t)(k - skip - 1);
	p[skip + 3].off = (int16_t)(k - (skip + 3) - 1);
	p[skip + 5].off = (int16_t)(k - (skip + 5) - 1);
	p[k++] = EXIT();
	return k;
}

static int load(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_MMAPABLE);
	LIBBPF_OPTS(bpf_prog_load_opts, po);
	struct bpf_insn p[32];
	int n, err;

	kr.tried = true;
	kr.map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "stap_kread", 4, ST_KREAD_MAX, 1, &mo);
	if (kr.map_fd >= 0) {
		kr.mem = mmap(NULL, ST_KREAD_MAX, PROT_READ, MAP_SHARED, kr.map_fd, 0);
		if (kr.mem == MAP_FAILED)
			kr.mem = NULL;
	} else {
		mo.map_flags = 0;
		kr.map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "stap_kread", 4, ST_KREAD_MAX, 1, &mo);
	}
	if (kr.map_fd < 0) {
		err = -errno;
		snprintf(kr.why, sizeof(kr.why), "cannot create a BPF map: %s", strerror(-err));
		return err;
	}
	n = emit(kr.map_fd, p);
	kr.prog_fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "stap_kread", "GPL", p, (size_t)n, &po);
	if (kr.prog_fd < 0) {
		err = -errno;
		snprintf(kr.why, sizeof(kr.why), "cannot load a BPF raw_tracepoint program: %s", strerror(-err));
		st_kread_close();
		kr.tried = true;
		return err;
	}
	return 0;
}

/* one run: the helper's result (>= 0 ok), or -errno */
static int run(uint64_t addr, size_t len, int mode)
{
	uint64_t args[3] = { addr, len, (uint64_t)mode };
	LIBBPF_OPTS(bpf_test_run_opts, t, .ctx_in = args, .ctx_size_in = sizeof(args));

	if (!kr.tried && load() < 0)
		return -ENOSYS;
	if (kr.prog_fd < 0)
		return -ENOSYS;
	if (bpf_prog_test_run_opts(kr.prog_fd, &t) < 0)
		return -errno;
	/* the helper answers -EFAULT, or -ERANGE for a user address or NULL */
	return (int32_t)t.retval < 0 ? -EFAULT : (int32_t)t.retval;
}

static int fetch(void *buf, size_t len)
{
	uint32_t key = 0;

	if (kr.mem) {
		memcpy(buf, kr.mem, len);
		return 0;
	}
	if (bpf_map_lookup_elem(kr.map_fd, &key, kr.value) < 0)
		return -errno;
	memcpy(buf, kr.value, len);
	return 0;
}

ssize_t st_kread(uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < ST_KREAD_MAX ? len - done : ST_KREAD_MAX;
		int r = run(addr + done, n, 0), e;

		if (r < 0)
			return r;
		if ((e = fetch((char *)buf + done, n)) < 0)
			return e;
		done += n;
	}
	return (ssize_t)len;
}

ssize_t st_kread_str(uint64_t addr, char *buf, size_t max)
{
	int r, e;

	if (!max)
		return 0;
	if (max > ST_KREAD_MAX)
		max = ST_KREAD_MAX;
	r = run(addr, max, 1);
	if (r < 0)
		return r;
	if (r == 0)
		return -EFAULT;
	if ((e = fetch(buf, (size_t)r)) < 0)
		return e;
	buf[r - 1] = 0;
	return r - 1;
}

int64_t st_kread_current_task(void)
{
	uint64_t t;
	int r = run(0, 8, 2);

	if (r < 0)
		return r;
	if ((r = fetch(&t, 8)) < 0)
		return r;
	return (int64_t)t;
}

const char *st_kread_why(void)
{
	return kr.why;
}

void st_kread_close(void)
{
	if (kr.mem)
		munmap(kr.mem, ST_KREAD_MAX);
	if (kr.prog_fd >= 0)
		close(kr.prog_fd);
	if (kr.map_fd >= 0)
		close(kr.map_fd);
	kr.mem = NULL;
	kr.prog_fd = kr.map_fd = -1;
	kr.tried = false;
}
