/* kernel_dir.c - another kernel's symbols and BTF from its unpacked
 * package (`-r KREL --kernel-dir DIR`), offered to lowering as a catalog.
 *
 * DIR is the root the package was unpacked into (dpkg-deb -x; "/" for the
 * installed kernels).  The text symbols come from the real System.map (the
 * -dbg package's DIR/usr/lib/debug/boot/System.map-KREL, or DIR/boot's
 * when it is not Debian's one-line placeholder), else from the functions
 * the BTF describes: names without addresses, which is what a kprobe on a
 * function needs (statement(ADDR) probes and `.exported` then find
 * nothing, and a name defined twice is probed where the kernel's own
 * lookup puts it).  The BTF is the .BTF section of DIR/usr/lib/debug/boot/vmlinux-KREL (the
 * -dbg package) when present, else of the vmlinux compressed inside
 * DIR/boot/vmlinuz-KREL, which is unpacked with the compressor's own tool
 * into a temporary directory removed when the catalog is freed.  The raw
 * BTF is kept there as "vmlinux", the layout /sys/kernel/btf has, so the
 * kernel table reads it as it reads the running kernel's.
 *
 * Tracepoints have no description in the package: their names and fields
 * come from this machine's tracefs, and the target checks each field the
 * plan reads when it attaches.  Kprobes and uprobes are offered when the
 * package's config enables their tracefs events.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "runtime/bytes.h"
#include "runtime/kernel_dir.h"
#include "runtime/ktable.h"

struct kdir {
	struct st_catalog base;
	struct st_catalog *events;   /* this machine's tracefs */
	struct st_ktable *kt;
	char tmp[64];                /* the temporary directory, "" when none */
	char btf[128];               /* tmp/vmlinux */
	char syms[128];              /* tmp/kallsyms: symbols from the BTF, "" when none */
	bool kprobes, uprobes;
};

/* A compressed vmlinux inside a bzImage: where its stream starts. */
struct packer {
	const char *magic;
	size_t len;
	const char *tool;
};

static const struct packer packers[] = {
	{ "\xfd" "7zXZ\0", 6, "xz" },
	{ "\x28\xb5\x2f\xfd", 4, "zstd" },
	{ "\x1f\x8b\x08", 3, "gzip" },
};

static bool config_has(const char *config, const char *opt)
{
	char line[256];
	size_t n = strlen(opt);
	bool yes = false;
	FILE *f = fopen(config, "re");

	if (!f)
		return false;
	while (!yes && fgets(line, sizeof(line), f))
		yes = !strncmp(line, opt, n) && line[n] == '=' && line[n + 1] == 'y';
	fclose(f);
	return yes;
}

/* Run `tool -dc` on image from offset `at`, output to out: whether out is
 * then an ELF file.  The compressor complains of the bytes after its
 * stream (the rest of the bzImage): its status is not the test, the ELF
 * header is. */
static bool unpack_at(const char *image, off_t at, const char *tool, const char *out)
{
	int in = open(image, O_RDONLY | O_CLOEXEC), o, status;
	unsigned char head[4] = { 0 };
	pid_t pid;

	if (in < 0)
		return false;
	o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (o < 0 || lseek(in, at, SEEK_SET) != at) {
		close(in);
		if (o >= 0)
			close(o);
		return false;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(in, 0);
		dup2(o, 1);
		if (null >= 0)
			dup2(null, 2);
		execlp(tool, tool, "-dc", (char *)NULL);
		_exit(127);
	}
	close(in);
	close(o);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return false;
	o = open(out, O_RDONLY | O_CLOEXEC);
	if (o < 0)
		return false;
	status = read(o, head, sizeof(head)) == (ssize_t)sizeof(head) && !memcmp(head, "\x7f" "ELF", 4);
	close(o);
	return status;
}

/* Find the compressed stream in image and unpack it to out. */
static int unpack_vmlinuz(const char *image, const char *out, char *msg, size_t size)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(image, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size > (256 << 20)) {
		snprintf(msg, size, "cannot read %s: %s", image, fd < 0 ? strerror(errno) : "too large");
		if (fd >= 0)
			close(fd);
		return -ENOENT;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf)
		abort();
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	/* the first stream of a known compressor that unpacks to an ELF file */
	for (ssize_t i = 0; n > 0 && i < n - 6; i++)
		for (size_t k = 0; k < sizeof(packers) / sizeof(packers[0]); k++)
			if (!memcmp(buf + i, packers[k].magic, packers[k].len) && unpack_at(image, i, packers[k].tool, out)) {
				free(buf);
				return 0;
			}
	free(buf);
	snprintf(msg, size, "found no vmlinux inside %s (xz, zstd or gzip, with the tool on PATH)", image);
	return -ENOENT;
}

/* The .BTF section of ELF file elf, written raw to out. */
static int extract_btf(const char *elf, const char *out, char *msg, size_t size)
{
	int fd = open(elf, O_RDONLY | O_CLOEXEC), r = -ENOENT;
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	Elf *e;

	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (e && elf_getshdrstrndx(e, &shstrndx) == 0)
		while (r == -ENOENT && (scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			const char *name;
			Elf_Data *d;
			int o;

			if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(e, shstrndx, sh.sh_name)) || strcmp(name, ".BTF"))
				continue;
			d = elf_rawdata(scn, NULL);
			o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			r = !d || o < 0 ? -EIO : st_write_at(o, d->d_buf, d->d_size, 0);
			if (o >= 0)
				close(o);
		}
	if (e)
		elf_end(e);
	close(fd);
	if (r < 0)
		snprintf(msg, size, "%s has no BTF (.BTF section)%s", elf, r == -ENOENT ? "" : ": cannot copy it");
	return r;
}

static int find_btf(struct kdir *k, const char *dir, const char *rel, char *msg, size_t size)
{
	char dbg[4096], image[4096], elf[128];
	int r;

	snprintf(k->btf, sizeof(k->btf), "%s/vmlinux", k->tmp);
	snprintf(dbg, sizeof(dbg), "%s/usr/lib/debug/boot/vmlinux-%s", dir, rel);
	if (access(dbg, R_OK) == 0)
		return extract_btf(dbg, k->btf, msg, size);
	snprintf(image, sizeof(image), "%s/boot/vmlinuz-%s", dir, rel);
	snprintf(elf, sizeof(elf), "%s/vmlinux.elf", k->tmp);
	r = unpack_vmlinuz(image, elf, msg, size);
	if (r == 0)
		r = extract_btf(elf, k->btf, msg, size);
	unlink(elf);   /* tens of megabytes: only its BTF is kept */
	return r;
}

/* a System.map with symbols in it, not Debian's placeholder line */
static bool real_map(const char *path)
{
	char line[256];
	int n = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (n < 2 && fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n > 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The BTF's function names, once each, as kallsyms lines without addresses. */
static int btf_symbols(struct kdir *k, char *msg, size_t size)
{
	struct btf *b = btf__parse(k->btf, NULL);
	const char **names;
	uint32_t n = 0, cnt;
	FILE *f;

	if (!b) {
		snprintf(msg, size, "cannot parse the BTF of %s", k->btf);
		return -EINVAL;
	}
	cnt = btf__type_cnt(b);
	names = calloc(cnt, sizeof(*names));
	if (!names)
		abort();
	for (uint32_t id = 1; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(b, id);

		if (btf_is_func(t))
			names[n++] = btf__name_by_offset(b, t->name_off);
	}
	qsort(names, n, sizeof(*names), cmp_str);
	snprintf(k->syms, sizeof(k->syms), "%s/kallsyms", k->tmp);
	f = fopen(k->syms, "we");
	for (uint32_t i = 0; f && i < n; i++)
		if (!i || strcmp(names[i], names[i - 1]))
			fprintf(f, "0000000000000000 T %s\n", names[i]);
	if (!f || fclose(f) != 0) {
		snprintf(msg, size, "cannot write %s", k->syms);
		k->syms[0] = 0;
	}
	free(names);
	btf__free(b);
	return k->syms[0] ? 0 : -EIO;
}

/* ---- the catalog ---- */

static int kd_list(struct st_catalog *c, const char *sg, const char *eg, int (*fn)(void *, const char *, const char *),
		   void *arg)
{
	struct kdir *k = (struct kdir *)c;

	return k->events->ops->list(k->events, sg, eg, fn, arg);
}

static int kd_fields(struct st_catalog *c, const char *sys, const char *evt, const struct st_catalog_field **out,
		     uint32_t *n)
{
	struct kdir *k = (struct kdir *)c;

	return k->events->ops->fields(k->events, sys, evt, out, n);
}

static bool kd_has(struct st_catalog *c, enum st_capability cap)
{
	struct kdir *k = (struct kdir *)c;

	if (cap == ST_CAP_KPROBES)
		return k->kprobes;
	if (cap == ST_CAP_UPROBES)
		return k->uprobes;
	return false;   /* fentry and hardware counters: not known of another machine */
}

static void kd_free(struct st_catalog *c)
{
	struct kdir *k = (struct kdir *)c;

	k->events->ops->free(k->events);
	st_ktable_free(k->kt);
	if (k->tmp[0]) {
		unlink(k->btf);
		if (k->syms[0])
			unlink(k->syms);
		rmdir(k->tmp);
	}
	free(k);
}

static int kd_ksyms(struct st_catalog *c, const char *module, const char *glob, bool traceable,
		    int (*fn)(void *arg, const struct st_ksym *sym), void *arg)
{
	return st_ktable_each(((struct kdir *)c)->kt, module, glob, traceable, fn, arg);
}

static const struct btf *kd_kbtf(struct st_catalog *c, const char *module)
{
	return module ? NULL : st_ktable_btf(((struct kdir *)c)->kt, NULL);
}

static const struct st_ksym *kd_ksym_at(struct st_catalog *c, uint64_t addr, uint64_t *off)
{
	return st_ktable_at(((struct kdir *)c)->kt, addr, off);
}

static bool kd_module_loaded(struct st_catalog *c, const char *name)
{
	return false;   /* what the target will have loaded is not known here */
}

static const struct st_catalog_ops kdir_ops = {
	.list = kd_list,
	.fields = kd_fields,
	.has = kd_has,
	.free = kd_free,
	.ksyms = kd_ksyms,
	.kbtf = kd_kbtf,
	.ksym_at = kd_ksym_at,
	.module_loaded = kd_module_loaded,
};

struct st_catalog *st_catalog_kernel_dir(const char *dir, const char *release, struct st_catalog *events,
					 const char **btf_path, char *msg, size_t size)
{
	struct kdir *k = calloc(1, sizeof(*k));
	char map[4096], dbg_map[4096], config[4096];
	const char *t = getenv("TMPDIR");

	if (!k)
		abort();
	k->base.ops = &kdir_ops;
	k->events = events;
	snprintf(map, sizeof(map), "%s/boot/System.map-%s", dir, release);
	snprintf(dbg_map, sizeof(dbg_map), "%s/usr/lib/debug/boot/System.map-%s", dir, release);
	snprintf(config, sizeof(config), "%s/boot/config-%s", dir, release);
	if (access(config, R_OK) != 0 && access(map, R_OK) != 0) {
		snprintf(msg, size, "-r %s: no such kernel in %s (no %s)", release, dir, config);
		kd_free(&k->base);
		return NULL;
	}
	snprintf(k->tmp, sizeof(k->tmp), "%s/staplet-kernel.XXXXXX", t && *t && strlen(t) < 30 ? t : "/tmp");
	if (!mkdtemp(k->tmp)) {
		snprintf(msg, size, "cannot make a temporary directory %s: %s", k->tmp, strerror(errno));
		k->tmp[0] = 0;
		kd_free(&k->base);
		return NULL;
	}
	if (find_btf(k, dir, release, msg, size) < 0) {
		kd_free(&k->base);
		return NULL;
	}
	/* the tracing directory is this machine's: no filter list of the
	 * other kernel, so every text symbol is offered (tmp has none) */
	if (real_map(dbg_map))
		snprintf(map, sizeof(map), "%s", dbg_map);
	else if (!real_map(map) && btf_symbols(k, msg, size) < 0) {
		kd_free(&k->base);
		return NULL;
	}
	k->kt = st_ktable_new(k->syms[0] ? k->syms : map, k->tmp, k->tmp);
	k->kprobes = config_has(config, "CONFIG_KPROBE_EVENTS");
	k->uprobes = config_has(config, "CONFIG_UPROBE_EVENTS");
	*btf_path = k->btf;
	return &k->base;
}
