/* uelf.c - ELF symbols, USDT notes, PLT slots and DWARF parameters of a
 * user-space binary (see uelf.h). */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lowering/uelf.h"
#include "lowering/uelf_int.h"

char *st_uelf_resolve_path(const char *path)
{
	char buf[PATH_MAX];
	const char *env;

	if (!path || !*path)
		return NULL;
	if (strchr(path, '/'))
		return realpath(path, buf) ? strdup(buf) : NULL;
	env = getenv("PATH");
	while (env && *env) {
		const char *colon = strchr(env, ':');
		size_t n = colon ? (size_t)(colon - env) : strlen(env);
		char cand[PATH_MAX];
		struct stat st;

		if (n && (size_t)snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, env, path) < sizeof(cand) &&
		    stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return realpath(cand, buf) ? strdup(buf) : NULL;
		env = colon ? colon + 1 : NULL;
	}
	/* stap's resolution (execvp's policy, then its fallback): a bare name
	 * that is on no $PATH directory names the file in the current one */
	return realpath(path, buf) ? strdup(buf) : NULL;
}

static int fail(char **err, int rc, const char *fmt, const char *a, const char *b)
{
	if (err && asprintf(err, fmt, a, b) < 0)
		*err = NULL;
	return rc;
}

static int add_func(struct st_uelf *u, uint32_t *cap, const char *name, uint64_t vaddr, uint64_t size,
		    bool global)
{
	for (uint32_t i = 0; i < u->nfuncs; i++)
		if (u->funcs[i].vaddr == vaddr && !strcmp(u->funcs[i].name, name)) {
			u->funcs[i].global |= global;
			return 0;
		}
	if (u->nfuncs == *cap) {
		struct st_uelf_func *n = realloc(u->funcs, sizeof(*n) * (*cap ? *cap * 2 : 64));

		if (!n)
			return -ENOMEM;
		u->funcs = n;
		*cap = *cap ? *cap * 2 : 64;
	}
	u->funcs[u->nfuncs].name = strdup(name);
	if (!u->funcs[u->nfuncs].name)
		return -ENOMEM;
	u->funcs[u->nfuncs].vaddr = vaddr;
	u->funcs[u->nfuncs].size = size;
	u->funcs[u->nfuncs].global = global;
	u->nfuncs++;
	return 0;
}

static int read_symtab(struct st_uelf *u, Elf_Scn *scn, GElf_Shdr *sh, uint32_t *cap)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	bool dyn = sh->sh_type == SHT_DYNSYM;

	for (size_t i = 0; d && i < n; i++) {
		GElf_Sym sym;
		const char *name;
		int t;

		if (!gelf_getsym(d, (int)i, &sym))
			break;
		t = GELF_ST_TYPE(sym.st_info);
		if ((t != STT_FUNC && t != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		name = elf_strptr(u->elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		if (add_func(u, cap, name, sym.st_value, sym.st_size,
			     dyn && GELF_ST_BIND(sym.st_info) != STB_LOCAL) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* .note.stapsdt: pc, base, semaphore, then "provider\0name\0args\0". */
static int read_notes(struct st_uelf *u, Elf_Scn *scn, uint64_t base_addr, bool have_base)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	uint32_t cap = 0;

	while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		const char *owner = (const char *)d->d_buf + name_off;
		const char *desc = (const char *)d->d_buf + desc_off;
		const char *prov, *name, *args, *end = desc + nh.n_descsz;
		uint64_t pc, base, sem;
		struct st_uelf_note *nn;

		if (nh.n_type != 3 || nh.n_namesz != 8 || strcmp(owner, "stapsdt") || nh.n_descsz < 27)
			continue;
		memcpy(&pc, desc, 8);
		memcpy(&base, desc + 8, 8);
		memcpy(&sem, desc + 16, 8);
		prov = desc + 24;
		name = memchr(prov, 0, (size_t)(end - prov));
		if (!name++ || name >= end)
			continue;
		args = memchr(name, 0, (size_t)(end - name));
		if (!args++ || args > end || !memchr(args, 0, (size_t)(end - args)))
			continue;
		/* prelinked or relocated: .stapsdt.base moved by as much as pc */
		if (have_base) {
			pc += base_addr - base;
			if (sem)
				sem += base_addr - base;
		}
		if (u->nnotes == cap) {
			nn = realloc(u->notes, sizeof(*nn) * (cap ? cap * 2 : 16));
			if (!nn)
				return -ENOMEM;
			u->notes = nn;
			cap = cap ? cap * 2 : 16;
		}
		nn = &u->notes[u->nnotes++];
		nn->provider = strdup(prov);
		nn->name = strdup(name);
		nn->args = strdup(args);
		nn->pc = pc;
		nn->semaphore = sem;
		if (!nn->provider || !nn->name || !nn->args)
			return -ENOMEM;
	}
	return 0;
}

/* PLT slots from .rela.plt: slot i of .plt.sec, else slot i+1 of .plt. */
static int read_plt(struct st_uelf *u, Elf_Scn *rela, GElf_Shdr *rsh, uint64_t plt, uint64_t plt_sec)
{
	Elf_Data *d = elf_getdata(rela, NULL);
	Elf_Scn *dynsym = elf_getscn(u->elf, rsh->sh_link);
	GElf_Shdr dsh;
	Elf_Data *dd;
	size_t n = rsh->sh_entsize ? rsh->sh_size / rsh->sh_entsize : 0;

	if (!d || !dynsym || !gelf_getshdr(dynsym, &dsh) || !(dd = elf_getdata(dynsym, NULL)))
		return 0;
	u->plt = calloc(n ? n : 1, sizeof(*u->plt));
	if (!u->plt)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		GElf_Rela r;
		GElf_Sym sym;
		const char *name;

		if (!gelf_getrela(d, (int)i, &r) || !gelf_getsym(dd, (int)GELF_R_SYM(r.r_info), &sym))
			continue;
		name = elf_strptr(u->elf, dsh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		u->plt[u->nplt].name = strdup(name);
		if (!u->plt[u->nplt].name)
			return -ENOMEM;
		u->plt[u->nplt].vaddr = plt_sec ? plt_sec + 16 * i : plt + 16 * (i + 1);
		u->plt[u->nplt].size = 16;
		u->nplt++;
	}
	return 0;
}

int st_uelf_open(const char *path, struct st_uelf **out, char **err)
{
	struct st_uelf *u;
	Elf_Scn *scn = NULL, *notes = NULL, *rela_plt = NULL;
	GElf_Shdr rela_sh;
	size_t shstrndx, nph;
	uint64_t base_addr = 0, plt = 0, plt_sec = 0;
	bool have_base = false, have_symtab = false;
	uint32_t cap = 0;
	int rc = -ENOMEM;

	*out = NULL;
	elf_version(EV_CURRENT);
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (u->fd < 0) {
		rc = -errno;
		free(u);
		return fail(err, rc, "cannot open %s: %s", path, strerror(-rc));
	}
	u->path = strdup(path);
	u->elf = elf_begin(u->fd, ELF_C_READ_MMAP, NULL);
	if (!u->path || !u->elf || elf_kind(u->elf) != ELF_K_ELF || elf_getshdrstrndx(u->elf, &shstrndx) < 0 ||
	    elf_getphdrnum(u->elf, &nph) < 0) {
		st_uelf_close(u);
		return fail(err, -ENOEXEC, "%s is not an ELF file%s", path, "");
	}
	u->loads = calloc(nph ? nph : 1, sizeof(*u->loads));
	if (!u->loads)
		goto out;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(u->elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
			u->loads[u->nloads].vaddr = ph.p_vaddr;
			u->loads[u->nloads].offset = ph.p_offset;
			u->loads[u->nloads].filesz = ph.p_filesz;
			u->nloads++;
		}
	}
	while ((scn = elf_nextscn(u->elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(u->elf, shstrndx, sh.sh_name)))
			continue;
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) {
			if (read_symtab(u, scn, &sh, &cap) < 0)
				goto out;
			have_symtab |= sh.sh_type == SHT_SYMTAB;
		} else if (sh.sh_type == SHT_NOTE && !strcmp(name, ".note.stapsdt")) {
			notes = scn;
		} else if (!strcmp(name, ".stapsdt.base")) {
			base_addr = sh.sh_addr;
			have_base = true;
		} else if (!strcmp(name, ".rela.plt")) {
			rela_plt = scn;
			rela_sh = sh;
		} else if (!strcmp(name, ".plt")) {
			plt = sh.sh_addr;
		} else if (!strcmp(name, ".plt.sec")) {
			plt_sec = sh.sh_addr;
		}
	}
	(void)have_symtab;
	if (notes && read_notes(u, notes, base_addr, have_base) < 0)
		goto out;
	if (rela_plt && (plt || plt_sec) && read_plt(u, rela_plt, &rela_sh, plt, plt_sec) < 0)
		goto out;
	u->dwarf = dwarf_begin_elf(u->elf, DWARF_C_READ, NULL);
	*out = u;
	return 0;
out:
	st_uelf_close(u);
	return rc;
}

void st_uelf_close(struct st_uelf *u)
{
	if (!u)
		return;
	if (u->dwarf)
		dwarf_end(u->dwarf);
	if (u->elf)
		elf_end(u->elf);
	if (u->fd >= 0)
		close(u->fd);
	for (uint32_t i = 0; i < u->nfuncs; i++)
		free(u->funcs[i].name);
	for (uint32_t i = 0; i < u->nplt; i++)
		free(u->plt[i].name);
	for (uint32_t i = 0; i < u->nnotes; i++) {
		free(u->notes[i].provider);
		free(u->notes[i].name);
		free(u->notes[i].args);
	}
	free(u->funcs);
	free(u->plt);
	free(u->notes);
	free(u->loads);
	free(u->path);
	free(u);
}

int64_t st_uelf_file_offset(const struct st_uelf *u, uint64_t vaddr)
{
	for (uint32_t i = 0; i < u->nloads; i++)
		if (vaddr >= u->loads[i].vaddr && vaddr < u->loads[i].vaddr + u->loads[i].filesz)
			return (int64_t)(vaddr - u->loads[i].vaddr + u->loads[i].offset);
	return -1;
}

uint64_t st_uelf_entry(const struct st_uelf *u)
{
	GElf_Ehdr eh;

	return gelf_getehdr(u->elf, &eh) ? eh.e_entry : 0;
}

const struct st_uelf_func *st_uelf_find_func(const struct st_uelf *u, const char *name)
{
	const struct st_uelf_func *best = NULL;

	for (uint32_t i = 0; i < u->nfuncs; i++)
		if (!strcmp(u->funcs[i].name, name) && (!best || (u->funcs[i].global && !best->global)))
			best = &u->funcs[i];
	return best;
}

/* ---- DWARF ---- */

struct find_fn { const char *name; Dwarf_Die die; bool found; };

static int find_fn_cb(Dwarf_Die *die, void *arg)
{
	struct find_fn *f = arg;
	const char *n = dwarf_diename(die);

	if (n && !strcmp(n, f->name) && !dwarf_func_inline(die) && dwarf_hasattr(die, DW_AT_low_pc)) {
		f->die = *die;
		f->found = true;
		return DWARF_CB_ABORT;
	}
	return DWARF_CB_OK;
}

bool st_uelf_dwarf_function(const struct st_uelf *u, const char *name, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsz;
	struct find_fn f = { name, { 0 }, false };

	if (!u->dwarf)
		return false;
	while (!f.found && dwarf_nextcu(u->dwarf, off, &next, &hsz, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;

		if (dwarf_offdie(u->dwarf, off + hsz, &cu))
			dwarf_getfuncs(&cu, find_fn_cb, &f, 0);
		off = next;
	}
	if (f.found)
		*out = f.die;
	return f.found;
}

bool st_uelf_scalar_type(Dwarf_Die *type, char out[8], bool *is_pointer)
{
	Dwarf_Die t = *type, next;
	Dwarf_Attribute a;
	Dwarf_Word size = 8, enc = DW_ATE_signed;

	*is_pointer = false;
	for (int depth = 0; depth < 16; depth++) {
		int tag = dwarf_tag(&t);

		if (tag == DW_TAG_typedef || tag == DW_TAG_const_type || tag == DW_TAG_volatile_type ||
		    tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type) {
			if (!dwarf_attr_integrate(&t, DW_AT_type, &a) || !dwarf_formref_die(&a, &next))
				return false;
			t = next;
			continue;
		}
		if (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type) {
			*is_pointer = true;
			snprintf(out, 8, "u64");
			return true;
		}
		if (tag == DW_TAG_enumeration_type) {
			size = (Dwarf_Word)dwarf_bytesize(&t);
			snprintf(out, 8, "s%u", (unsigned)(size ? size * 8 : 32));
			return true;
		}
		if (tag != DW_TAG_base_type)
			return false;
		if (dwarf_attr_integrate(&t, DW_AT_byte_size, &a))
			dwarf_formudata(&a, &size);
		if (dwarf_attr_integrate(&t, DW_AT_encoding, &a))
			dwarf_formudata(&a, &enc);
		if (enc == DW_ATE_float || (size != 1 && size != 2 && size != 4 && size != 8))
			return false;
		snprintf(out, 8, "%c%u", enc == DW_ATE_signed || enc == DW_ATE_signed_char ? 's' : 'u',
			 (unsigned)size * 8);
		return true;
	}
	return false;
}

const char *const st_uelf_dwarf_regs[16] = {
	"%ax", "%dx", "%cx", "%bx", "%si", "%di", "%bp", "%sp",
	"%r8", "%r9", "%r10", "%r11", "%r12", "%r13", "%r14", "%r15",
};

bool st_uelf_eval_location(Dwarf_Die *var, Dwarf_Addr pc, const struct st_uelf_cfa *cfa, char *loc, size_t len)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t n;

	if (!dwarf_attr_integrate(var, DW_AT_location, &a) || dwarf_getlocation_addr(&a, pc, &ops, &n, 1) != 1 ||
	    n != 1)
		return false;
	if (ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg15) {
		snprintf(loc, len, "%s", st_uelf_dwarf_regs[ops[0].atom - DW_OP_reg0]);
		return true;
	}
	if (ops[0].atom == DW_OP_regx && ops[0].number < 16) {
		snprintf(loc, len, "%s", st_uelf_dwarf_regs[ops[0].number]);
		return true;
	}
	/* the frame base is the CFA (gcc's DW_OP_call_frame_cfa) */
	if (ops[0].atom == DW_OP_fbreg && cfa->reg < 16) {
		snprintf(loc, len, "%+lld(%s)", (long long)((int64_t)ops[0].number + cfa->off), st_uelf_dwarf_regs[cfa->reg]);
		return true;
	}
	if (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg15) {
		snprintf(loc, len, "%+lld(%s)", (long long)(int64_t)ops[0].number, st_uelf_dwarf_regs[ops[0].atom - DW_OP_breg0]);
		return true;
	}
	return false;
}

void st_uelf_vars_free(struct st_uelf_var *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

int st_uelf_params(const struct st_uelf *u, const char *name, struct st_uelf_var **out, uint32_t *n,
		   char ret_type[8])
{
	static const char *const abi[] = { "%di", "%si", "%dx", "%cx", "%r8", "%r9" };
	static const struct st_uelf_cfa entry_cfa = { 7, 8 };   /* at entry the CFA is %sp + 8 */
	Dwarf_Die fn, child, type;
	Dwarf_Attribute a;
	Dwarf_Addr pc = 0;
	struct st_uelf_var *v = NULL;
	uint32_t cnt = 0, ints = 0;
	bool ptr;

	*out = NULL;
	*n = 0;
	snprintf(ret_type, 8, "s64");
	if (!st_uelf_dwarf_function(u, name, &fn))
		return 0;
	if (!dwarf_attr_integrate(&fn, DW_AT_type, &a))
		ret_type[0] = 0;
	else if (dwarf_formref_die(&a, &type) && !st_uelf_scalar_type(&type, ret_type, &ptr))
		ret_type[0] = 0;
	if (dwarf_entrypc(&fn, &pc) != 0)
		dwarf_lowpc(&fn, &pc);
	if (dwarf_child(&fn, &child) != 0)
		return 0;
	do {
		struct st_uelf_var *nv;
		const char *pn;
		bool scalar;

		if (dwarf_tag(&child) != DW_TAG_formal_parameter)
			continue;
		pn = dwarf_diename(&child);
		nv = realloc(v, sizeof(*v) * (cnt + 1));
		if (!nv) {
			st_uelf_vars_free(v, cnt);
			return -ENOMEM;
		}
		v = nv;
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].is_param = true;
		if (dwarf_attr_integrate(&child, DW_AT_type, &a) && dwarf_formref_die(&a, &type))
			v[cnt].type_off = dwarf_dieoffset(&type);
		scalar = v[cnt].type_off && st_uelf_scalar_type(&type, v[cnt].type, &v[cnt].is_pointer);
		if (asprintf(&v[cnt].name, "%s", pn ? pn : "") < 0) {
			st_uelf_vars_free(v, cnt);
			return -ENOMEM;
		}
		/* the location list first; the SysV ABI for integer classes when
		 * it says nothing simple at the entry pc (optimised code) */
		if (scalar && !st_uelf_eval_location(&child, pc, &entry_cfa, v[cnt].loc, sizeof(v[cnt].loc)) && ints < 6)
			snprintf(v[cnt].loc, sizeof(v[cnt].loc), "%s", abi[ints]);
		if (scalar)
			ints++;
		cnt++;
	} while (dwarf_siblingof(&child, &child) == 0);
	*out = v;
	*n = cnt;
	return 0;
}

bool st_uelf_decl(const struct st_uelf *u, const char *name, char *buf, size_t len)
{
	Dwarf_Die fn;
	const char *file;
	int line = 0;

	if (!st_uelf_dwarf_function(u, name, &fn) || !(file = dwarf_decl_file(&fn)))
		return false;
	dwarf_decl_line(&fn, &line);
	snprintf(buf, len, "%s:%d", file, line);
	return true;
}

static bool suffix_match(const char *path, const char *file)
{
	size_t lp = strlen(path), lf = strlen(file);

	return lp >= lf && !strcmp(path + lp - lf, file) && (lp == lf || path[lp - lf - 1] == '/');
}

int st_uelf_line_addr(const struct st_uelf *u, const char *func, const char *file, int line, uint64_t *vaddr)
{
	Dwarf_Off off = 0, next;
	size_t hsz;
	Dwarf_Addr lo = 0, hi = UINT64_MAX, best = UINT64_MAX;
	Dwarf_Die fn;

	if (!u->dwarf)
		return -ENOENT;
	if (func && *func && strcmp(func, "*")) {
		if (!st_uelf_dwarf_function(u, func, &fn) || dwarf_lowpc(&fn, &lo) != 0 || dwarf_highpc(&fn, &hi) != 0)
			return -ENOENT;
	}
	while (dwarf_nextcu(u->dwarf, off, &next, &hsz, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		Dwarf_Lines *lines;
		size_t nl;

		if (dwarf_offdie(u->dwarf, off + hsz, &cu) && dwarf_getsrclines(&cu, &lines, &nl) == 0) {
			for (size_t i = 0; i < nl; i++) {
				Dwarf_Line *l = dwarf_onesrcline(lines, i);
				Dwarf_Addr addr;
				const char *src;
				int ln;
				bool stmt;

				if (!l || dwarf_lineno(l, &ln) != 0 || ln != line || dwarf_lineaddr(l, &addr) != 0 ||
				    dwarf_linebeginstatement(l, &stmt) != 0 || !stmt || !(src = dwarf_linesrc(l, NULL, NULL)))
					continue;
				if (addr >= lo && addr < hi && suffix_match(src, file) && addr < best)
					best = addr;
			}
		}
		off = next;
	}
	if (best == UINT64_MAX)
		return -ENOENT;
	*vaddr = best;
	return 0;
}

/* SDT arg spec "[-]N@OPERAND": %reg, disp(%reg), $imm. */
int st_uelf_sdt_arg(const char *spec, char *loc, size_t loclen, char type[8])
{
	static const struct { const char *names[4]; const char *reg; } regs[] = {
		{ { "rax", "eax", "ax", "al" }, "%ax" }, { { "rbx", "ebx", "bx", "bl" }, "%bx" },
		{ { "rcx", "ecx", "cx", "cl" }, "%cx" }, { { "rdx", "edx", "dx", "dl" }, "%dx" },
		{ { "rsi", "esi", "si", "sil" }, "%si" }, { { "rdi", "edi", "di", "dil" }, "%di" },
		{ { "rbp", "ebp", "bp", "bpl" }, "%bp" }, { { "rsp", "esp", "sp", "spl" }, "%sp" },
		{ { "r8", "r8d", "r8w", "r8b" }, "%r8" }, { { "r9", "r9d", "r9w", "r9b" }, "%r9" },
		{ { "r10", "r10d", "r10w", "r10b" }, "%r10" }, { { "r11", "r11d", "r11w", "r11b" }, "%r11" },
		{ { "r12", "r12d", "r12w", "r12b" }, "%r12" }, { { "r13", "r13d", "r13w", "r13b" }, "%r13" },
		{ { "r14", "r14d", "r14w", "r14b" }, "%r14" }, { { "r15", "r15d", "r15w", "r15b" }, "%r15" },
		{ { "rip", "rip", "rip", "rip" }, "%ip" },
	};
	char *at, *end;
	long size = strtol(spec, &at, 10);
	const char *op, *reg = NULL;
	long long disp = 0;
	char rname[8];
	size_t k;

	if (*at != '@' || size == 0 || labs(size) > 8)
		return -EINVAL;
	snprintf(type, 8, "%c%ld", size < 0 ? 's' : 'u', labs(size) * 8);
	op = at + 1;
	if (*op == '$') {
		long long imm = strtoll(op + 1, &end, 0);

		if (*end)
			return -EINVAL;
		snprintf(loc, loclen, "\\%lld", imm);
		return 0;
	}
	if (*op != '%') {
		disp = strtoll(op, &end, 0);
		if (*end != '(' || end[1] != '%')
			return -EINVAL;
		op = end + 1;
	}
	for (k = 0; op[1 + k] && op[1 + k] != ')' && k < sizeof(rname) - 1; k++)
		rname[k] = op[1 + k];
	rname[k] = 0;
	if (op[1 + k] && (op[1 + k] != ')' || op[2 + k] || at[1] == '%'))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]) && !reg; i++)
		for (int j = 0; j < 4; j++)
			if (!strcmp(rname, regs[i].names[j]))
				reg = regs[i].reg;
	if (!reg)
		return -EINVAL;
	if (at[1] == '%')
		snprintf(loc, loclen, "%s", reg);
	else
		snprintf(loc, loclen, "%+lld(%s)", disp, reg);
	return 0;
}

/* A struct/union/class/typedef named `name` ("struct x", "x") among the
 * top-level DIEs of path's DWARF: what stap's @cast looks for. */
bool st_uelf_has_type(const char *path, const char *name)
{
	const char *bare = name;
	bool found = false;
	Dwarf_Off off = 0, next;
	size_t hsize;
	Dwarf *dw;
	int fd;

	if (!strncmp(bare, "struct ", 7) || !strncmp(bare, "class ", 6) || !strncmp(bare, "union ", 6))
		bare = strchr(bare, ' ') + 1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	dw = dwarf_begin(fd, DWARF_C_READ);
	while (dw && !found && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) {
			do {
				int tag = dwarf_tag(&d);
				const char *n = dwarf_diename(&d);

				if (n && !strcmp(n, bare) && (tag == DW_TAG_structure_type || tag == DW_TAG_union_type ||
							      tag == DW_TAG_class_type || tag == DW_TAG_typedef))
					found = true;
			} while (!found && dwarf_siblingof(&d, &d) == 0);
		}
		off = next;
	}
	if (dw)
		dwarf_end(dw);
	close(fd);
	return found;
}
