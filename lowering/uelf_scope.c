/* uelf_scope.c - DWARF at a statement and along member chains: the
 * variables in scope at a probed line ($$vars, $x at a .statement probe)
 * and `$p->m[i]` / `*$p` / `user_string($argv[0])` as uprobe fetch arguments
 * (see uelf.h).
 *
 * Why fetch arguments and not a BPF program: a uprobe's fetch arguments
 * already read user memory at the event, in the kernel, as the trace-cmd
 * backend needs them anyway (it has no BPF), and each one costs a nested
 * copy_from_user per hop: the cheapest exact way, on both backends. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lowering/uelf.h"
#include "lowering/uelf_int.h"

/* The CFA at pc from the CFI (.eh_frame, else .debug_frame): after the
 * prologue it is usually %bp + 16, which a `fbreg` local is relative to. */
static bool cfa_at(const struct st_uelf *u, Dwarf_Addr pc, struct st_uelf_cfa *cfa)
{
	Dwarf_CFI *own = dwarf_getcfi_elf(u->elf), *cfi = own ? own : dwarf_getcfi(u->dwarf);
	Dwarf_Frame *fr = NULL;
	Dwarf_Op *ops;
	size_t n;
	bool ok = false;

	/* elfutils gives a register + offset rule as DW_OP_bregx reg, off */
	if (cfi && dwarf_cfi_addrframe(cfi, pc, &fr) == 0 && dwarf_frame_cfa(fr, &ops, &n) == 0 && n == 1) {
		if (ops[0].atom == DW_OP_bregx && ops[0].number < 16) {
			cfa->reg = (unsigned)ops[0].number;
			cfa->off = (int64_t)ops[0].number2;
			ok = true;
		} else if (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg15) {
			cfa->reg = ops[0].atom - DW_OP_breg0;
			cfa->off = (int64_t)ops[0].number;
			ok = true;
		}
	}
	free(fr);
	if (own)
		dwarf_cfi_end(own);
	return ok;
}

static bool seen(const struct st_uelf_var *v, uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return true;
	return false;
}

/* Add the parameters and variables one scope declares. */
static int scope_vars(Dwarf_Die *scope, Dwarf_Addr pc, const struct st_uelf_cfa *cfa, bool have_cfa,
		      struct st_uelf_var **vars, uint32_t *n)
{
	Dwarf_Die child, type;
	Dwarf_Attribute a;

	if (dwarf_child(scope, &child) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&child);
		const char *name = dwarf_diename(&child);
		struct st_uelf_var *nv, *v;

		if ((tag != DW_TAG_formal_parameter && tag != DW_TAG_variable) || !name || seen(*vars, *n, name))
			continue;
		nv = realloc(*vars, sizeof(*nv) * (*n + 1));
		if (!nv)
			return -ENOMEM;
		*vars = nv;
		v = &nv[*n];
		memset(v, 0, sizeof(*v));
		if (!(v->name = strdup(name)))
			return -ENOMEM;
		(*n)++;
		v->is_param = tag == DW_TAG_formal_parameter;
		if (dwarf_attr_integrate(&child, DW_AT_type, &a) && dwarf_formref_die(&a, &type))
			v->type_off = dwarf_dieoffset(&type);
		/* a struct or array has a location (for member chains) and no
		 * fetch type of its own */
		if (v->type_off)
			st_uelf_scalar_type(&type, v->type, &v->is_pointer);
		if (!have_cfa || !v->type_off || !st_uelf_eval_location(&child, pc, cfa, v->loc, sizeof(v->loc)))
			v->loc[0] = 0;
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

int st_uelf_stmt_scope(const struct st_uelf *u, uint64_t vaddr, char *fn, size_t fnlen, char *file,
		       size_t filelen, int *line, struct st_uelf_var **vars, uint32_t *n)
{
	Dwarf_Die cu, *scopes = NULL;
	Dwarf_Line *l;
	struct st_uelf_cfa cfa = { 16, 0 };
	bool have_cfa;
	int ns, rc = 0;

	*vars = NULL;
	*n = 0;
	fn[0] = file[0] = 0;
	*line = 0;
	if (!u->dwarf || !dwarf_addrdie(u->dwarf, vaddr, &cu))
		return -ENOENT;
	if ((l = dwarf_getsrc_die(&cu, vaddr))) {
		const char *src = dwarf_linesrc(l, NULL, NULL), *dir = NULL;
		Dwarf_Attribute a;

		/* stap names the file by its full path: a relative one is
		 * relative to the compilation directory */
		if (src && src[0] != '/' && dwarf_attr(&cu, DW_AT_comp_dir, &a))
			dir = dwarf_formstring(&a);
		snprintf(file, filelen, "%s%s%s", dir ? dir : "", dir ? "/" : "", src ? src : "");
		dwarf_lineno(l, line);
	}
	have_cfa = cfa_at(u, vaddr, &cfa);
	ns = dwarf_getscopes(&cu, vaddr, &scopes);
	for (int i = 0; i < ns && rc == 0; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if (tag == DW_TAG_compile_unit)
			break;
		rc = scope_vars(&scopes[i], vaddr, &cfa, have_cfa, vars, n);
		if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) {
			const char *name = dwarf_diename(&scopes[i]);

			snprintf(fn, fnlen, "%s", name ? name : "");
			break;
		}
	}
	free(scopes);
	if (rc < 0) {
		st_uelf_vars_free(*vars, *n);
		*vars = NULL;
		*n = 0;
	}
	return rc;
}

/* ---- member chains ---- */

/* Past typedefs and qualifiers. */
static bool strip(Dwarf_Die *t)
{
	Dwarf_Attribute a;

	for (int depth = 0; depth < 32; depth++) {
		int tag = dwarf_tag(t);

		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type &&
		    tag != DW_TAG_restrict_type && tag != DW_TAG_atomic_type)
			return true;
		if (!dwarf_attr_integrate(t, DW_AT_type, &a) || !dwarf_formref_die(&a, t))
			return false;
	}
	return false;
}

static bool inner_type(Dwarf_Die *t, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(t, DW_AT_type, &a) && dwarf_formref_die(&a, out) && strip(out);
}

/* Member `name` of struct/union t (through anonymous members): its type
 * and byte offset added to *off. */
static bool find_member(Dwarf_Die *t, const char *name, Dwarf_Die *type, int64_t *off)
{
	Dwarf_Die m;

	if (dwarf_child(t, &m) != 0)
		return false;
	do {
		const char *mn = dwarf_diename(&m);
		Dwarf_Attribute a;
		Dwarf_Word moff = 0;
		Dwarf_Die mt;

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		if (dwarf_attr_integrate(&m, DW_AT_data_member_location, &a))
			dwarf_formudata(&a, &moff);
		if (!inner_type(&m, &mt))
			continue;
		if (mn && !strcmp(mn, name)) {
			if (dwarf_hasattr(&m, DW_AT_bit_size))
				return false;     /* a bitfield: no fetch type for it */
			*type = mt;
			*off += (int64_t)moff;
			return true;
		}
		if (!mn && (dwarf_tag(&mt) == DW_TAG_structure_type || dwarf_tag(&mt) == DW_TAG_union_type)) {
			int64_t sub = *off + (int64_t)moff;

			if (find_member(&mt, name, type, &sub)) {
				*off = sub;
				return true;
			}
		}
	} while (dwarf_siblingof(&m, &m) == 0);
	return false;
}

/* Where the current object is: its value in a fetch expression (`val`,
 * in_mem false), or the memory at `val` + off (in_mem). */
struct place {
	char val[160];
	int64_t off;
	bool in_mem;
};

/* The value stored at the place (a pointer to follow, a scalar to fetch). */
static bool load(struct place *p)
{
	char buf[sizeof(p->val)];

	if (!p->in_mem)
		return true;
	if ((size_t)snprintf(buf, sizeof(buf), "%+lld(%s)", (long long)p->off, p->val) >= sizeof(buf))
		return false;
	memcpy(p->val, buf, sizeof(buf));
	p->in_mem = false;
	p->off = 0;
	return true;
}

static int chain_fail(char *msg, size_t len, const char *what, const char *name)
{
	snprintf(msg, len, "%s%s%s", what, name ? " " : "", name ? name : "");
	return -EINVAL;
}

/* Is t a char type (for strings)? */
static bool is_char(Dwarf_Die *t)
{
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;

	return dwarf_tag(t) == DW_TAG_base_type && dwarf_bytesize(t) == 1 &&
	       dwarf_attr_integrate(t, DW_AT_encoding, &a) && dwarf_formudata(&a, &enc) == 0 &&
	       (enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char);
}

int st_uelf_var_chain(const struct st_uelf *u, const struct st_uelf_var *v, const struct st_uelf_step *steps,
		      uint32_t nsteps, bool want_string, char *spec, size_t speclen, bool *is_pointer, char *msg,
		      size_t msglen)
{
	Dwarf_Die t, inner;
	struct place p = { .off = 0 };
	char type[8];
	int tag;

	if (!u->dwarf || !v->type_off || !v->loc[0] || !dwarf_offdie(u->dwarf, v->type_off, &t) || !strip(&t))
		return chain_fail(msg, msglen, "no location or type for", v->name);
	/* a register holds the value; "OFF(%reg)" is memory that does */
	snprintf(p.val, sizeof(p.val), "%s", v->loc);
	if (v->loc[0] != '%') {
		char *open = strchr(v->loc, '(');

		if (!open)
			return chain_fail(msg, msglen, "unsupported location of", v->name);
		p.off = strtoll(v->loc, NULL, 10);
		snprintf(p.val, sizeof(p.val), "%.*s", (int)(strlen(open) - 2), open + 1);
		p.in_mem = true;
	}
	for (uint32_t i = 0; i < nsteps; i++) {
		tag = dwarf_tag(&t);
		if (tag == DW_TAG_pointer_type) {
			/* ->m, [i] and * through a pointer: to its target */
			if (!inner_type(&t, &inner))
				return chain_fail(msg, msglen, "dereferencing a void pointer in", v->name);
			if (!load(&p))
				return chain_fail(msg, msglen, "chain too deep at", v->name);
			p.in_mem = true;
			p.off = 0;
			t = inner;
			if (!steps[i].member) {
				Dwarf_Word sz = 0;

				if (steps[i].index && dwarf_aggregate_size(&t, &sz) != 0)
					return chain_fail(msg, msglen, "element of unknown size in", v->name);
				p.off += steps[i].index * (int64_t)sz;
				continue;
			}
			tag = dwarf_tag(&t);
		}
		if (steps[i].member) {
			if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type)
				return chain_fail(msg, msglen, "not a struct or union before member", steps[i].member);
			if (!p.in_mem || !find_member(&t, steps[i].member, &inner, &p.off))
				return chain_fail(msg, msglen, "unable to find member", steps[i].member);
			t = inner;
		} else if (tag == DW_TAG_array_type) {
			Dwarf_Word sz = 0;

			if (!p.in_mem || !inner_type(&t, &inner) || dwarf_aggregate_size(&inner, &sz) != 0)
				return chain_fail(msg, msglen, "array of unknown element size in", v->name);
			p.off += steps[i].index * (int64_t)sz;
			t = inner;
		} else {
			return chain_fail(msg, msglen, "not a pointer or array:", v->name);
		}
	}
	tag = dwarf_tag(&t);
	if (want_string) {
		/* char *: the string it points to; char[N]: the array itself */
		if (tag == DW_TAG_pointer_type && inner_type(&t, &inner) && is_char(&inner) && load(&p))
			return snprintf(spec, speclen, "+0(%s):ustring", p.val) < (int)speclen ? 0 : -E2BIG;
		if (tag == DW_TAG_array_type && p.in_mem && inner_type(&t, &inner) && is_char(&inner))
			return snprintf(spec, speclen, "%+lld(%s):ustring", (long long)p.off, p.val) < (int)speclen
				       ? 0 : -E2BIG;
		return chain_fail(msg, msglen, "not a string:", v->name);
	}
	if (!st_uelf_scalar_type(&t, type, is_pointer))
		return chain_fail(msg, msglen, "not a scalar value:", v->name);
	if (!load(&p))
		return chain_fail(msg, msglen, "chain too deep at", v->name);
	return snprintf(spec, speclen, "%s:%s", p.val, type) < (int)speclen ? 0 : -E2BIG;
}
