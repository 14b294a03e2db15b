/* ctypes.c - @cast layouts from DWARF (ctypes.h). */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lowering/ctypes.h"

/* Through typedefs and qualifiers. */
static bool skip_mods(Dwarf_Die *die)
{
	for (;;) {
		int tag = dwarf_tag(die);
		Dwarf_Attribute a;

		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type &&
		    tag != DW_TAG_restrict_type)
			return true;
		if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, die))
			return false;
	}
}

/* "struct x", "union x", "enum x" or a bare (typedef or tag) name. */
static bool names_type(Dwarf_Die *die, const char *type)
{
	static const struct { const char *prefix; int tag; } k[] = {
		{ "struct ", DW_TAG_structure_type }, { "union ", DW_TAG_union_type },
		{ "enum ", DW_TAG_enumeration_type },
	};
	const char *n = dwarf_diename(die);
	int tag = dwarf_tag(die);

	if (!n || dwarf_hasattr(die, DW_AT_declaration))
		return false;
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (!strncmp(type, k[i].prefix, strlen(k[i].prefix)))
			return tag == k[i].tag && !strcmp(n, type + strlen(k[i].prefix));
	return !strcmp(n, type) && (tag == DW_TAG_typedef || tag == DW_TAG_structure_type ||
				    tag == DW_TAG_union_type || tag == DW_TAG_base_type);
}

static bool find_type(Dwarf *dw, const char *type, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsz;

	while (dwarf_nextcu(dw, off, &next, &hsz, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, c;

		if (dwarf_offdie(dw, off + hsz, &cu) && dwarf_child(&cu, &c) == 0)
			do {
				if (names_type(&c, type)) {
					*out = c;
					return true;
				}
			} while (dwarf_siblingof(&c, &c) == 0);
		off = next;
	}
	return false;
}

/* Member `name` of the struct/union at *t, into anonymous members too;
 * its byte offset added to *off, its DIE into *m.  -1 absent, -2 bitfield. */
static int find_member(Dwarf_Die *t, const char *name, uint64_t *off, Dwarf_Die *m)
{
	Dwarf_Die c;

	if (dwarf_child(t, &c) != 0)
		return -1;
	do {
		Dwarf_Attribute a;
		Dwarf_Word at = 0;
		const char *n;

		if (dwarf_tag(&c) != DW_TAG_member)
			continue;
		if (dwarf_attr_integrate(&c, DW_AT_data_member_location, &a))
			dwarf_formudata(&a, &at);
		n = dwarf_diename(&c);
		if (n) {
			if (strcmp(n, name))
				continue;
			if (dwarf_hasattr(&c, DW_AT_bit_size))
				return -2;
			*off += at;
			*m = c;
			return 0;
		} else {
			Dwarf_Die in;
			uint64_t sub = *off + at;
			int r;

			if (!dwarf_attr_integrate(&c, DW_AT_type, &a) || !dwarf_formref_die(&a, &in) || !skip_mods(&in))
				continue;
			r = find_member(&in, name, &sub, m);
			if (r == 0)
				*off = sub;
			if (r != -1)
				return r;
		}
	} while (dwarf_siblingof(&c, &c) == 0);
	return -1;
}

static int layout(Dwarf *dw, const char *type, const char *module, const char *const *members, uint32_t n,
		  uint64_t *size, uint64_t *off, char *msg, size_t msgsz)
{
	Dwarf_Die t, m;
	Dwarf_Word sz = 0;

	if (!find_type(dw, type, &t) || !skip_mods(&t)) {
		snprintf(msg, msgsz, "type definition '%s' not found in '%s'", type, module);
		return -ENOENT;
	}
	*size = dwarf_aggregate_size(&t, &sz) == 0 ? sz : 0;
	*off = 0;
	for (uint32_t i = 0; i < n; i++) {
		int tag = dwarf_tag(&t), r;
		Dwarf_Attribute a;

		if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type) {
			snprintf(msg, msgsz, "member '%s' accessed on a non-struct type", members[i]);
			return -EINVAL;
		}
		r = find_member(&t, members[i], off, &m);
		if (r == -1) {
			snprintf(msg, msgsz, "unable to find member '%s' for %s", members[i], type);
			return -EINVAL;
		}
		if (r == -2) {
			snprintf(msg, msgsz, "member '%s' of %s is a bitfield: it has no address", members[i], type);
			return -EINVAL;
		}
		if (!dwarf_attr_integrate(&m, DW_AT_type, &a) || !dwarf_formref_die(&a, &t) || !skip_mods(&t))
			return -EINVAL;
		if (i + 1 < n && dwarf_tag(&t) == DW_TAG_pointer_type) {
			snprintf(msg, msgsz, "the address of a member through pointer '%s' needs a read of "
				 "memory, which staplet does not do here", members[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* The header's types, as stap gets them: a C file that includes it,
 * compiled with debug information for every type it declares. */
static int compile_header(const char *hdr, char *obj, size_t objsz, char *msg, size_t msgsz)
{
	char src[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	int fd, st = 0;
	pid_t pid;
	FILE *f;

	snprintf(src, sizeof(src), "%s/staplet-hdrXXXXXX.c", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemps(src, 2);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		int e = errno;

		if (fd >= 0) {
			close(fd);
			unlink(src);
		}
		snprintf(msg, msgsz, "cannot create a file to compile <%s>: %s", hdr, strerror(e));
		return -e;
	}
	fprintf(f, "#include <%s>\n", hdr);
	fclose(f);
	snprintf(obj, objsz, "%.*s.o", (int)(strlen(src) - 2), src);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		/* linked (a shared object): a relocatable .o keeps DWARF string
		 * offsets in relocations, which plain libdw does not apply */
		execlp("cc", "cc", "-g", "-fno-eliminate-unused-debug-types", "-shared", "-nostdlib", "-o", obj,
		       src, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	unlink(src);
	if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		unlink(obj);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
			snprintf(msg, msgsz, "no C compiler (cc) to read the types of <%s>", hdr);
			return -ENOEXEC;
		}
		return -ENOENT;   /* stap: the type is not found there */
	}
	return 0;
}

int st_ctype_layout(const char *module, const char *type, const char *const *members, uint32_t n,
		    uint64_t *size, uint64_t *off, char *msg, size_t msgsz)
{
	char obj[64], hdr[512];
	const char *path = module;
	size_t l = strlen(module);
	Dwarf *dw;
	int fd, r;

	if (module[0] == '<') {
		if (l < 3 || module[l - 1] != '>' || l - 2 >= sizeof(hdr)) {
			snprintf(msg, msgsz, "type definition '%s' not found in '%s'", type, module);
			return -ENOENT;
		}
		memcpy(hdr, module + 1, l - 2);
		hdr[l - 2] = 0;
		if ((r = compile_header(hdr, obj, sizeof(obj), msg, msgsz)) == -ENOENT)
			snprintf(msg, msgsz, "type definition '%s' not found in '%s'", type, module);
		if (r < 0)
			return r;
		path = obj;
	}
	fd = open(path, O_RDONLY);
	dw = fd >= 0 ? dwarf_begin(fd, DWARF_C_READ) : NULL;
	if (!dw) {
		snprintf(msg, msgsz, "type definition '%s' not found in '%s'", type, module);
		r = -ENOENT;
	} else
		r = layout(dw, type, module, members, n, size, off, msg, msgsz);
	if (dw)
		dwarf_end(dw);
	if (fd >= 0)
		close(fd);
	if (path == obj)
		unlink(obj);
	return r;
}
