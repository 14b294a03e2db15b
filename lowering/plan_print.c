/* plan_print.c - `-p3`: the plan, readably. */
#include <inttypes.h>
#include "lowering/inkernel.h"
#include "lowering/plan.h"

static const char *const op_names[ST_OP_COUNT_] = {
	[ST_OP_NOP] = "nop", [ST_OP_MOV] = "mov", [ST_OP_LOADN] = "loadn", [ST_OP_LOADS] = "loads",
	[ST_OP_ADD] = "add", [ST_OP_SUB] = "sub", [ST_OP_MUL] = "mul", [ST_OP_DIV] = "div",
	[ST_OP_MOD] = "mod", [ST_OP_SHL] = "shl", [ST_OP_SHR] = "shr", [ST_OP_USHR] = "ushr",
	[ST_OP_AND] = "and", [ST_OP_OR] = "or", [ST_OP_XOR] = "xor", [ST_OP_NEG] = "neg",
	[ST_OP_NOT] = "not", [ST_OP_BNOT] = "bnot", [ST_OP_CMP] = "cmp", [ST_OP_SCMP] = "scmp",
	[ST_OP_CONCAT] = "concat", [ST_OP_JMP] = "jmp", [ST_OP_JZ] = "jz", [ST_OP_JNZ] = "jnz",
	[ST_OP_TICK] = "tick", [ST_OP_GGET] = "gget", [ST_OP_GSET] = "gset", [ST_OP_GCLEAR] = "gclear",
	[ST_OP_MGET] = "mget", [ST_OP_MSET] = "mset", [ST_OP_MADD] = "madd", [ST_OP_MHAS] = "mhas",
	[ST_OP_MDEL] = "mdel", [ST_OP_MDELW] = "mdelw", [ST_OP_MHASW] = "mhasw", [ST_OP_SADD] = "sadd",
	[ST_OP_SGET] = "sget", [ST_OP_HPRINT] = "hprint", [ST_OP_HBUCKET] = "hbucket",
	[ST_OP_FIELD] = "field", [ST_OP_BUILTIN] = "builtin", [ST_OP_CALL] = "call", [ST_OP_RET] = "ret",
	[ST_OP_RET0] = "ret0", [ST_OP_NEXT] = "next", [ST_OP_FORMAT] = "format", [ST_OP_REGEX] = "regex",
	[ST_OP_ITER_INIT] = "iter_init", [ST_OP_ITER_NEXT] = "iter_next", [ST_OP_ITER_END] = "iter_end",
	[ST_OP_TRY] = "try", [ST_OP_TRY_END] = "try_end", [ST_OP_LOADST] = "loadst",
	[ST_OP_EPUSH] = "epush", [ST_OP_ESET] = "eset", [ST_OP_EPOP] = "epop",
	[ST_OP_BULKMUL] = "bulkmul",
};

static const char *kind_name(enum st_source_kind k)
{
	static const char *const names[] = { "begin", "end", "error", "never", "timer", "tracepoint",
					     "uprobe", "kprobe", "perf" };
	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static void print_code(FILE *out, const struct st_code *k)
{
	uint32_t i;

	fprintf(out, "  regs %u, iterators %u\n", k->nregs, k->niters);
	for (i = 0; i < k->ninsn; i++) {
		const struct st_insn *in = &k->insn[i];

		fprintf(out, "  %4u  %-9s a=%u b=%u c=%u", i, op_names[in->op] ? op_names[in->op] : "?",
			in->a, in->b, in->c);
		if (in->aux)
			fprintf(out, " aux=%u", in->aux);
		if (in->op == ST_OP_TICK && k->loc[i].file)
			fprintf(out, " near %s at %u:%u", k->loc[i].near ? k->loc[i].near : "?", k->loc[i].line,
				k->loc[i].col);
		fputc('\n', out);
	}
}

void st_plan_print(FILE *out, const struct st_plan *p)
{
	uint32_t i, j;

	fprintf(out, "# sources\n");
	for (i = 0; i < p->nsources; i++) {
		const struct st_source *s = &p->sources[i];

		fprintf(out, "source %u: %s %s", i, kind_name(s->kind), s->name);
		if (s->kind == ST_SRC_TIMER)
			fprintf(out, " every %" PRIu64 " ns", s->period_ns);
		if (s->kind == ST_SRC_UPROBE)
			fprintf(out, " %s %s:0x%" PRIx64 "%s%s%s", s->probe_return ? "r" : "p", s->probe_path,
				s->probe_offset, s->probe_fetch && *s->probe_fetch ? " [" : "",
				s->probe_fetch ? s->probe_fetch : "", s->probe_fetch && *s->probe_fetch ? "]" : "");
		if (s->nfields) {
			fprintf(out, " fields:");
			for (j = 0; j < s->nfields; j++)
				fprintf(out, " %s", s->fields[j]);
		}
		if (s->ctx_of) {
			/* a task context companion: what it reads at whose events */
			fprintf(out, " task context of source %u:", s->ctx_of - 1);
			for (j = 0; j < s->nbtf; j++)
				fprintf(out, " %s", s->btf[j].path);
		}
		if (s->ncaptures) {
			fprintf(out, " captures:");
			for (j = 0; j < s->ncaptures; j++) {
				const struct st_ucap *c = &s->captures[j];

				fprintf(out, " %s", c->field);
				if (c->off)
					fprintf(out, "%+" PRId64, c->off);
				if (c->kind == ST_UCAP_MEM)
					fprintf(out, ":%u", c->size);
				else if (c->kind == ST_UCAP_ARGV)
					fprintf(out, ":argv");
			}
		}
		if (s->stack)
			fprintf(out, " stack:%s%s", s->stack & ST_STACK_KERNEL ? " kernel" : "",
				s->stack & ST_STACK_USER ? " user" : "");
		if (s->kind == ST_SRC_TRACEPOINT)
			fprintf(out, " [live: %s]", st_inkernel_tier_name(s->ink ? s->ink->tier : ST_INK_NONE));
		fputc('\n', out);
	}
	fprintf(out, "# globals\n");
	for (i = 0; i < p->nglobals; i++) {
		const struct st_plan_global *g = &p->globals[i];
		static const char *const tn[] = { "?", "long", "string", "stats", "void" };

		fprintf(out, "global %u: %s %s%s%s\n", i, g->name, tn[g->type], g->is_array ? " array" : "",
			g->auto_print ? " (printed at exit)" : "");
	}
	for (i = 0; i < p->ncode; i++) {
		fprintf(out, "# code %u: %s\n", i, p->code[i].name);
		print_code(out, &p->code[i]);
	}
	fprintf(out, "# probes\n");
	for (i = 0; i < p->nprobes; i++)
		if (p->sources[p->probes[i].source].ink)
			fprintf(out, "probe %s: source %u, code %u, bulk code %u\n", p->probes[i].pp,
				p->probes[i].source, p->probes[i].code, p->probes[i].bulk_code);
		else
			fprintf(out, "probe %s: source %u, code %u\n", p->probes[i].pp, p->probes[i].source,
				p->probes[i].code);
}
