/* ast.c - tree copies, probe point text, and the -p1/-p2 printers. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/parser.h"
#include "tapset/builtins.h"

struct st_expr *st_expr_clone(struct st_fe_pool *pool, const struct st_expr *e)
{
	struct st_expr *c;
	uint32_t i;

	if (!e)
		return NULL;
	c = st_pool_zalloc(pool, sizeof *c);
	*c = *e;
	c->a = st_expr_clone(pool, e->a);
	c->b = st_expr_clone(pool, e->b);
	c->c = st_expr_clone(pool, e->c);
	if (e->nargs) {
		c->args = st_pool_zalloc(pool, e->nargs * sizeof *c->args);
		for (i = 0; i < e->nargs; i++)
			c->args[i] = st_expr_clone(pool, e->args[i]);
	}
	return c;
}

static struct st_expr **clone_vec(struct st_fe_pool *pool, struct st_expr **v, uint32_t n)
{
	struct st_expr **r;
	uint32_t i;

	if (!v)
		return NULL;
	r = st_pool_zalloc(pool, (n + 1) * sizeof *r);
	for (i = 0; i < n; i++)
		r[i] = st_expr_clone(pool, v[i]);
	return r;
}

struct st_stmt *st_stmt_clone(struct st_fe_pool *pool, const struct st_stmt *s)
{
	struct st_stmt *c;
	uint32_t i;

	if (!s)
		return NULL;
	c = st_pool_zalloc(pool, sizeof *c);
	*c = *s;
	c->expr = st_expr_clone(pool, s->expr);
	c->cond = st_expr_clone(pool, s->cond);
	c->init = st_expr_clone(pool, s->init);
	c->step = st_expr_clone(pool, s->step);
	c->then = st_stmt_clone(pool, s->then);
	c->els = st_stmt_clone(pool, s->els);
	if (s->nbody) {
		c->body = st_pool_zalloc(pool, s->nbody * sizeof *c->body);
		for (i = 0; i < s->nbody; i++)
			c->body[i] = st_stmt_clone(pool, s->body[i]);
	}
	c->fe_value = st_expr_clone(pool, s->fe_value);
	c->fe_keys = clone_vec(pool, s->fe_keys, s->fe_nkeys);
	c->fe_array = st_expr_clone(pool, s->fe_array);
	c->fe_filter = clone_vec(pool, s->fe_filter, s->fe_nkeys);
	c->fe_limit = st_expr_clone(pool, s->fe_limit);
	c->catch_var = st_expr_clone(pool, s->catch_var);
	return c;
}

struct st_probe_point *st_point_clone(struct st_fe_pool *pool, const struct st_probe_point *pp)
{
	struct st_probe_point *c = st_pool_zalloc(pool, sizeof *c);

	*c = *pp;
	c->comp = st_pool_zalloc(pool, (pp->ncomp + 1) * sizeof *c->comp);
	st_copy(c->comp, pp->comp, pp->ncomp * sizeof *c->comp);
	return c;
}

/* ---- printing ---- */

struct out { char *buf; size_t len; FILE *f; };

static void put_string(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		default:
			if (c < 32 || c == 127)
				fprintf(f, "\\%03o", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

char *st_point_str(struct st_fe_pool *pool, const struct st_probe_point *pp, bool marks)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	uint32_t i;
	char *r;

	for (i = 0; i < pp->ncomp; i++) {
		const struct st_pp_component *c = &pp->comp[i];

		if (i)
			fputc('.', f);
		fputs(c->name, f);
		if (c->has_arg) {
			fputc('(', f);
			if (c->arg_is_string)
				put_string(f, c->arg_str, strlen(c->arg_str));
			else
				fprintf(f, "%" PRId64, c->arg_num);
			fputc(')', f);
		}
	}
	if (marks && pp->sufficient)
		fputc('!', f);
	else if (marks && pp->optional)
		fputc('?', f);
	fclose(f);
	r = st_pool_strndup(pool, buf, len);
	free(buf);
	return r;
}

static const char *binop_text(int op)
{
	switch (op) {
	case '<' + 256: return "<<";
	case '>' + 256: return ">>";
	case '>' + 512: return ">>>";
	case 'l': return "<=";
	case 'g': return ">=";
	case 'e': return "==";
	case 'n': return "!=";
	case 'A': return "&&";
	case 'O': return "||";
	}
	{
		/* one-character operators: each followed by its NUL in a constant */
		static const char ones[] = "+\0-\0*\0/\0%\0<\0>\0&\0|\0^\0.\0!\0~\0=\0";
		static const char chars[] = "+-*/%<>&|^.!~=";
		const char *c = op > 0 && op < 256 ? strchr(chars, op) : NULL;

		return c ? ones + 2 * (c - chars) : "?";
	}
}

static const char *const stat_names[] = { "@count", "@sum", "@min", "@max", "@avg", "@variance" };

static void print_expr(FILE *f, const struct st_expr *e);

static void print_args(FILE *f, struct st_expr *const *args, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		if (args[i])
			print_expr(f, args[i]);
		else
			fputc('*', f);
	}
}

/* The value under ->m or [i]: an operator expression (an autocast) in
 * parentheses, so that the text parses back to the same tree. */
static void print_base(FILE *f, const struct st_expr *e)
{
	static const enum st_expr_kind bare[] = { ST_E_VAR, ST_E_TARGET, ST_E_MEMBER, ST_E_INDEX, ST_E_CAST,
						  ST_E_ATOP, ST_E_CALL, ST_E_ENTRY, ST_E_DEFINED, ST_E_PRINT };
	size_t i;

	for (i = 0; i < sizeof bare / sizeof *bare; i++)
		if (e->kind == bare[i]) {
			print_expr(f, e);
			return;
		}
	fputc('(', f);
	print_expr(f, e);
	fputc(')', f);
}

static void print_expr(FILE *f, const struct st_expr *e)
{
	switch (e->kind) {
	case ST_E_NUM:
		fprintf(f, "%" PRId64, e->num);
		if (e->num < 0)
			fputs("", f);
		break;
	case ST_E_STR: put_string(f, e->str, e->strlen); break;
	case ST_E_VAR: case ST_E_TARGET: fputs(e->str, f); break;
	case ST_E_INDEX:
		print_base(f, e->a);
		fputc('[', f);
		print_args(f, e->args, e->nargs);
		fputc(']', f);
		break;
	case ST_E_CALL:
		fprintf(f, "%s(", e->str);
		print_args(f, e->args, e->nargs);
		fputc(')', f);
		break;
	case ST_E_UNARY:
		fprintf(f, "%c(", e->op);
		print_expr(f, e->a);
		fputc(')', f);
		break;
	case ST_E_ADDR:
		fputc('&', f);
		print_expr(f, e->a);
		break;
	case ST_E_BINARY: case ST_E_LOGICAL: case ST_E_COMPARE: case ST_E_CONCAT: case ST_E_REGEX:
		fputc('(', f);
		print_expr(f, e->a);
		if (e->kind == ST_E_REGEX) {   /* the pattern is a literal, bare as stap prints it */
			fprintf(f, ") %c~ ", e->op);
			print_expr(f, e->b);
			break;
		}
		if (e->kind == ST_E_CONCAT)
			fputs(") . (", f);
		else
			fprintf(f, ") %s (", binop_text(e->op));
		print_expr(f, e->b);
		fputc(')', f);
		break;
	case ST_E_TERNARY:
		fputc('(', f);
		print_expr(f, e->a);
		fputs(")?(", f);
		print_expr(f, e->b);
		fputs("):(", f);
		print_expr(f, e->c);
		fputc(')', f);
		break;
	case ST_E_ASSIGN: case ST_E_AGG_ADD:
		fputc('(', f);
		print_expr(f, e->a);
		if (e->kind == ST_E_AGG_ADD)
			fputs(") <<< (", f);
		else
			fprintf(f, ") %s= (", e->op == '=' ? "" : binop_text(e->op));
		print_expr(f, e->b);
		fputc(')', f);
		break;
	case ST_E_INCDEC:
		if (!e->post)
			fprintf(f, "%c%c", e->op, e->op);
		fputc('(', f);
		print_expr(f, e->a);
		fputc(')', f);
		if (e->post)
			fprintf(f, "%c%c", e->op, e->op);
		break;
	case ST_E_IN:
		fputc('[', f);
		print_args(f, e->args, e->nargs);
		fputs("] in ", f);
		print_expr(f, e->a);
		break;
	case ST_E_STAT:
		fprintf(f, "%s(", stat_names[e->stat_op]);
		print_expr(f, e->a);
		if (e->stat_op == ST_AGG_VARIANCE && e->hist_lo)
			fprintf(f, ", %" PRId64, e->hist_lo);
		fputc(')', f);
		break;
	case ST_E_HIST:
		fputs(e->hist == ST_HIST_LOG ? "@hist_log(" : "@hist_linear(", f);
		print_expr(f, e->a);
		if (e->hist == ST_HIST_LINEAR)
			fprintf(f, ", %" PRId64 ", %" PRId64 ", %" PRId64, e->hist_lo, e->hist_hi, e->hist_width);
		fputc(')', f);
		break;
	case ST_E_HIST_BUCKET:
		print_expr(f, e->a);
		fputc('[', f);
		print_expr(f, e->b);
		fputc(']', f);
		break;
	case ST_E_PRINT:
		fprintf(f, "%s(", e->str);
		if (e->a) {
			print_expr(f, e->a);
			if (e->nargs)
				fputs(", ", f);
		}
		print_args(f, e->args, e->nargs);
		fputc(')', f);
		break;
	case ST_E_DEFINED: case ST_E_ENTRY: case ST_E_PROBEWRITE:
		fputs(e->kind == ST_E_DEFINED ? "@defined(" : e->kind == ST_E_ENTRY ? "@entry(" : "@probewrite(", f);
		print_expr(f, e->a);
		fputc(')', f);
		break;
	case ST_E_CAST:
		fputs("@cast(", f);
		print_expr(f, e->a);
		fputs(", ", f);
		put_string(f, e->str, strlen(e->str));
		if (e->b) {
			fputs(", ", f);
			print_expr(f, e->b);
		}
		fputc(')', f);
		break;
	case ST_E_MEMBER:
		print_base(f, e->a);
		fprintf(f, "->%s", e->str);
		break;
	case ST_E_ATOP:
		fprintf(f, "%s(", e->str);
		print_args(f, e->args, e->nargs);
		fputc(')', f);
		break;
	case ST_E_EMBEDDED:
		fprintf(f, "%%{%s%%}", e->str);
		break;
	}
}

static void indent(FILE *f, int d)
{
	while (d-- > 0)
		fputs("  ", f);
}

static void print_stmt(FILE *f, const struct st_stmt *s, int d);

static void print_sort(FILE *f, const struct st_stmt *s, int column)
{
	if (s->fe_sort_dir && s->fe_sort_column == column)
		fputc(s->fe_sort_dir > 0 ? '+' : '-', f);
}

static void print_stmt(FILE *f, const struct st_stmt *s, int d)
{
	uint32_t i;

	switch (s->kind) {
	case ST_S_NULL: indent(f, d); fputs(";\n", f); break;
	case ST_S_BLOCK:
		indent(f, d);
		fputs("{\n", f);
		for (i = 0; i < s->nbody; i++)
			print_stmt(f, s->body[i], d + 1);
		indent(f, d);
		fputs("}\n", f);
		break;
	case ST_S_EXPR:
		indent(f, d);
		print_expr(f, s->expr);
		fputs(";\n", f);
		break;
	case ST_S_IF:
		indent(f, d);
		fputs("if (", f);
		print_expr(f, s->cond);
		fputs(")\n", f);
		print_stmt(f, s->then, d + 1);
		if (s->els) {
			indent(f, d);
			fputs("else\n", f);
			print_stmt(f, s->els, d + 1);
		}
		break;
	case ST_S_WHILE:
		indent(f, d);
		fputs("while (", f);
		print_expr(f, s->cond);
		fputs(")\n", f);
		print_stmt(f, s->then, d + 1);
		break;
	case ST_S_FOR:
		indent(f, d);
		fputs("for (", f);
		if (s->init)
			print_expr(f, s->init);
		fputs("; ", f);
		if (s->cond)
			print_expr(f, s->cond);
		fputs("; ", f);
		if (s->step)
			print_expr(f, s->step);
		fputs(")\n", f);
		print_stmt(f, s->then, d + 1);
		break;
	case ST_S_FOREACH:
		indent(f, d);
		fputs("foreach (", f);
		if (s->fe_value) {
			fputs(s->fe_value->str, f);
			fputs(" = ", f);
		}
		fputc('[', f);
		for (i = 0; i < s->fe_nkeys; i++) {
			if (i)
				fputs(", ", f);
			fputs(s->fe_keys[i]->str, f);
			print_sort(f, s, (int)i + 1);
		}
		fputs("] in ", f);
		print_expr(f, s->fe_array);
		if (s->fe_filter) {
			fputc('[', f);
			print_args(f, s->fe_filter, s->fe_nkeys);
			fputc(']', f);
		}
		if (s->fe_sort_dir && s->fe_sort_column == 0 && s->fe_sort_agg != ST_AGG_COUNT)
			fprintf(f, " %s", stat_names[s->fe_sort_agg]);
		print_sort(f, s, 0);
		if (s->fe_limit) {
			fputs(" limit ", f);
			print_expr(f, s->fe_limit);
		}
		fputs(")\n", f);
		print_stmt(f, s->then, d + 1);
		break;
	case ST_S_BREAK: indent(f, d); fputs("break;\n", f); break;
	case ST_S_CONTINUE: indent(f, d); fputs("continue;\n", f); break;
	case ST_S_NEXT: indent(f, d); fputs("next;\n", f); break;
	case ST_S_RETURN:
		indent(f, d);
		fputs("return", f);
		if (s->expr) {
			fputc(' ', f);
			print_expr(f, s->expr);
		}
		fputs(";\n", f);
		break;
	case ST_S_DELETE:
		indent(f, d);
		fputs("delete ", f);
		print_expr(f, s->expr);
		fputs(";\n", f);
		break;
	case ST_S_TRY:
		indent(f, d);
		fputs("try\n", f);
		print_stmt(f, s->then, d + 1);
		indent(f, d);
		fputs("catch", f);
		if (s->catch_var)
			fprintf(f, " (%s)", s->catch_var->str);
		fputc('\n', f);
		print_stmt(f, s->els, d + 1);
		break;
	}
}

static void print_points(FILE *f, struct st_fe_pool *pool, struct st_probe_point **pts, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		fputs(st_point_str(pool, pts[i], true), f);
		/* Each point carries its own condition (as stap prints it):
		 * "a, b if (x)" would re-parse with a unconditional. */
		if (pts[i]->cond) {
			fputs(" if (", f);
			print_expr(f, pts[i]->cond);
			fputc(')', f);
		}
	}
}

static void print_global(FILE *f, const struct st_global *g, bool types)
{
	fprintf(f, "%sglobal %s", g->is_private ? "private " : "", g->name);
	if (g->wrap)
		fputc('%', f);
	if (g->size)
		fprintf(f, "[%u]", g->size);
	if (g->has_init) {
		fputs(" = ", f);
		print_expr(f, g->init);
	}
	if (types && g->sym) {
		uint32_t k;

		fprintf(f, " /* %s", st_type_name(g->sym->type));
		if (g->sym->is_array) {
			fputs(" [", f);
			for (k = 0; k < g->sym->nkeys; k++)
				fprintf(f, "%s%s", k ? ", " : "", st_type_name(g->sym->key[k]));
			fputc(']', f);
		}
		fputs(" */", f);
	}
	fputc('\n', f);
}

static void print_function(FILE *f, const struct st_function *fn, bool types)
{
	uint32_t i;

	fprintf(f, "%sfunction %s", fn->is_private ? "private " : "", fn->name);
	if (types ? fn->type == ST_T_LONG || fn->type == ST_T_STRING : fn->declared != ST_T_UNKNOWN)
		fprintf(f, ":%s", st_type_name(types ? fn->type : fn->declared));
	fputc('(', f);
	for (i = 0; i < fn->nparams; i++) {
		enum st_type t = types && fn->params[i].sym ? fn->params[i].sym->type : fn->params[i].declared;

		fprintf(f, "%s%s", i ? ", " : "", fn->params[i].name);
		if (t == ST_T_LONG || t == ST_T_STRING)
			fprintf(f, ":%s", st_type_name(t));
	}
	fputc(')', f);
	if (fn->priority != (fn->is_tapset ? 1 : 0))
		fprintf(f, ":%d", fn->priority);
	fputc('\n', f);
	if (fn->embedded)
		fprintf(f, "%%{%s%%}\n", fn->embedded);
	else
		print_stmt(f, fn->body, 0);
}

void st_program_print(FILE *f, const struct st_program *prog)
{
	uint32_t i;

	fprintf(f, "# parse tree dump\n# file %s\n", prog->nfiles ? prog->files[0] : "<input>");
	for (i = 0; i < prog->nembedded; i++)
		fprintf(f, "%%{%s%%}\n", prog->embedded[i]);
	for (i = 0; i < prog->nglobals; i++)
		if (!prog->globals[i]->is_tapset)   /* stap -p1 prints the user's script */
			print_global(f, prog->globals[i], false);
	for (i = 0; i < prog->nprobes; i++) {
		const struct st_probe *p = prog->probes[i];

		if (p->is_tapset)
			continue;
		fputs("probe ", f);
		if (p->is_alias) {
			print_points(f, prog->pool, p->alias_names, p->nalias_names);
			fputs(p->alias_epilogue ? " += " : " = ", f);
		}
		print_points(f, prog->pool, p->points, p->npoints);
		fputc('\n', f);
		print_stmt(f, p->body, 0);
	}
	for (i = 0; i < prog->nfuncs; i++)
		if (!prog->funcs[i]->is_tapset)
			print_function(f, prog->funcs[i], false);
}

void st_program_print_elaborated(FILE *f, const struct st_program *prog)
{
	uint32_t i, k;

	fputs("# globals\n", f);
	for (i = 0; i < prog->nglobals; i++)
		if (prog->globals[i]->sym && (prog->globals[i]->read || prog->globals[i]->written))
			print_global(f, prog->globals[i], true);
	fputs("# functions\n", f);
	for (i = 0; i < prog->nfuncs; i++) {
		const struct st_function *fn = prog->funcs[i];

		if (!fn->used)
			continue;
		print_function(f, fn, true);
		for (k = fn->nparams; k < fn->nlocals; k++)
			fprintf(f, "  # local %s:%s\n", fn->locals[k]->name, st_type_name(fn->locals[k]->type));
	}
	fputs("# probes\n", f);
	for (i = 0; i < prog->ninsts; i++) {
		const struct st_probe_inst *in = prog->insts[i];

		fprintf(f, "probe %s", in->pp);
		if (in->cond) {
			fputs(" if (", f);
			print_expr(f, in->cond);
			fputc(')', f);
		}
		fputc('\n', f);
		for (k = 0; k < in->nlocals; k++)
			fprintf(f, "  # local %s:%s\n", in->locals[k]->name, st_type_name(in->locals[k]->type));
		for (k = 0; k < in->nbindings; k++)
			fprintf(f, "  # bound %s:%s\n", in->bindings[k].name, st_type_name(in->bindings[k].sym->type));
		print_stmt(f, in->body, 0);
	}
}

void st_program_free(struct st_program *prog)
{
	uint32_t i;
	struct st_fe_pool *pool;

	if (!prog)
		return;
	/* Formats own their buffers (st_fmt_parse allocates). */
	pool = prog->pool;
	for (i = 0; i < prog->nfmts; i++)
		st_fmt_free(prog->fmts[i]);
	st_pool_free(pool);
	free(prog);
}

bool st_member_path(const struct st_expr *e, char *buf, size_t n)
{
	const struct st_expr *chain[32];
	uint32_t k = 0;
	size_t at;

	while (e && e->kind == ST_E_MEMBER && k < sizeof(chain) / sizeof(chain[0])) {
		chain[k++] = e;
		e = e->a;
	}
	if (!e || e->kind != ST_E_TARGET || !e->str || e->str[0] != '$' || e->str[1] == '$' || !n)
		return false;
	at = (size_t)snprintf(buf, n, "%s", e->str);
	while (k-- > 0 && at < n)
		at += (size_t)snprintf(buf + at, n - at, "->%s", chain[k]->str);
	return at < n;
}
