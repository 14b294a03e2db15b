/* plan_check.c - what a plan was resolved against, taken when it is
 * written and compared when it is run: the kernel release and machine, a
 * fingerprint of the kernel's BTF (the offsets the capture programs read
 * along come from it), and the build-id of every file a uprobe or a
 * process probe names (offsets and argument locations come from it).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "runtime/plan_check.h"

int st_build_id_read(const char *path, uint8_t *id, uint32_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = -ENOENT;
	Elf_Scn *scn = NULL;
	Elf *e;

	*len = 0;
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		r = -ENOEXEC;
		goto out;
	}
	while (r == -ENOENT && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE || !(d = elf_getdata(scn, NULL)))
			continue;
		while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((const char *)d->d_buf + name_off, "GNU", 4) || nh.n_descsz > ST_BUILD_ID_MAX)
				continue;
			memcpy(id, (const char *)d->d_buf + desc_off, nh.n_descsz);
			*len = (uint32_t)nh.n_descsz;
			r = 0;
			break;
		}
	}
	if (r == -ENOENT)
		r = 0;   /* an ELF file without a build-id: recorded as none */
out:
	if (e)
		elf_end(e);
	close(fd);
	return r;
}

/* FNV-1a over the file, 8 bytes a step: a fingerprint, not a defence */
int st_btf_fingerprint(const char *path, uint64_t *hash, uint64_t *size)
{
	uint8_t buf[65536];
	uint64_t h = 0xcbf29ce484222325ull, n = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*hash = 0;
	*size = 0;
	if (fd < 0)
		return -errno;
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < got; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
		n += (uint64_t)got;
	}
	close(fd);
	if (got < 0)
		return -EIO;
	*hash = h;
	*size = n;
	return 0;
}

static void hex(char *out, const uint8_t *id, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", id[i]);
	if (!len)
		strcpy(out, "none");
}

/* add path (once) to the traced files */
static int add_file(struct st_plan_meta *m, const char *path, char *msg, size_t size)
{
	struct st_plan_traced *t;
	int r;

	for (uint32_t i = 0; i < m->nfiles; i++)
		if (!strcmp(m->files[i].path, path))
			return 0;
	t = realloc(m->files, (m->nfiles + 1) * sizeof(*t));
	if (!t)
		abort();
	m->files = t;
	t = &t[m->nfiles];
	memset(t, 0, sizeof(*t));
	r = st_build_id_read(path, t->build_id, &t->build_id_len);
	if (r < 0) {
		snprintf(msg, size, "cannot read the build-id of %s: %s", path, strerror(-r));
		return r;
	}
	t->path = strdup(path);
	if (!t->path)
		abort();
	m->nfiles++;
	return 0;
}

int st_plan_meta_identify(struct st_plan_meta *m, const struct st_plan *plan, const char *release,
			  const char *btf_path, char *msg, size_t size)
{
	struct utsname u;
	int r;

	uname(&u);
	m->release = strdup(release ? release : u.release);
	m->arch = strdup(u.machine);
	if (!m->release || !m->arch)
		abort();
	/* no BTF (a kernel without it): the fingerprint is left out, 0 */
	st_btf_fingerprint(btf_path ? btf_path : "/sys/kernel/btf/vmlinux", &m->btf_hash, &m->btf_size);
	for (uint32_t i = 0; i < plan->nsources; i++)
		if (plan->sources[i].kind == ST_SRC_UPROBE &&
		    (r = add_file(m, plan->sources[i].probe_path, msg, size)) < 0)
			return r;
	for (uint32_t i = 0; i < plan->nprobes; i++)
		if (plan->probes[i].task_path && (r = add_file(m, plan->probes[i].task_path, msg, size)) < 0)
			return r;
	return 0;
}

static int check_file(const struct st_plan_traced *t, char *msg, size_t size)
{
	uint8_t id[ST_BUILD_ID_MAX];
	char want[2 * ST_BUILD_ID_MAX + 8], have[2 * ST_BUILD_ID_MAX + 8];
	uint32_t len;
	int r = st_build_id_read(t->path, id, &len);

	if (r < 0) {
		snprintf(msg, size, "%s, which the plan traces, cannot be read here: %s", t->path, strerror(-r));
		return r;
	}
	if (len == t->build_id_len && !memcmp(id, t->build_id, len))
		return 0;
	hex(want, t->build_id, t->build_id_len);
	hex(have, id, len);
	snprintf(msg, size, "%s has build-id %s, the plan was compiled against build-id %s: its offsets and "
		 "argument locations would be wrong", t->path, have, want);
	return -ESTALE;
}

int st_plan_meta_check(const struct st_plan_meta *m, const char *btf_path, char *msg, size_t size)
{
	struct utsname u;
	uint64_t hash, bytes;

	uname(&u);
	if (strcmp(m->arch, u.machine)) {
		snprintf(msg, size, "the plan was compiled for %s, this machine is %s", m->arch, u.machine);
		return -ESTALE;
	}
	if (strcmp(m->release, u.release)) {
		snprintf(msg, size, "the plan was compiled for kernel %s, this kernel is %s", m->release, u.release);
		return -ESTALE;
	}
	if (m->btf_size) {
		if (st_btf_fingerprint(btf_path ? btf_path : "/sys/kernel/btf/vmlinux", &hash, &bytes) < 0) {
			snprintf(msg, size, "the plan was resolved against kernel BTF, and this kernel has none (%s)",
				 btf_path ? btf_path : "/sys/kernel/btf/vmlinux");
			return -ESTALE;
		}
		if (hash != m->btf_hash || bytes != m->btf_size) {
			snprintf(msg, size, "kernel %s's BTF differs from the one the plan was resolved against "
				 "(fingerprint %016llx, %llu bytes; the plan's %016llx, %llu bytes): another build of "
				 "the same release", u.release, (unsigned long long)hash, (unsigned long long)bytes,
				 (unsigned long long)m->btf_hash, (unsigned long long)m->btf_size);
			return -ESTALE;
		}
	}
	for (uint32_t i = 0; i < m->nfiles; i++) {
		int r = check_file(&m->files[i], msg, size);

		if (r < 0)
			return r;
	}
	return 0;
}
