/* plan_file.c - writing a lowered plan as one file and reading it back.
 *
 * The writer walks the plan in a fixed order; the reader walks the same
 * order over an st_rd, whose reads past the end only set `bad`, so every
 * field is read without a check and the result is checked once per
 * section.  Counts are checked against the bytes left before anything is
 * allocated for them, so a forged count cannot ask for gigabytes.  The
 * in-kernel descriptions (st_inkernel), which sources share by pointer, go
 * in a table of their own and sources name them by index.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "frontend/format.h"
#include "lowering/inkernel.h"
#include "runtime/plan_file.h"

/* ---- writing ---- */

/* A section's writer: its body, and its strings, each kept once (names and
 * source locations repeat on every instruction) in a hash of indexes. */
struct enc {
	struct st_wbuf b;            /* first: the put_* functions take &enc.b */
	const char **strs;
	uint32_t nstrs, cap;
	uint32_t *slot;              /* open addressing: index + 1, 0 empty; 2 * cap */
};

static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static void enc_grow(struct enc *e)
{
	uint32_t cap = e->cap ? e->cap * 2 : 256;

	e->strs = realloc(e->strs, cap * sizeof(*e->strs));
	free(e->slot);
	e->slot = calloc(2 * (size_t)cap, sizeof(*e->slot));
	if (!e->strs || !e->slot)
		abort();
	e->cap = cap;
	for (uint32_t i = 0; i < e->nstrs; i++) {
		uint32_t h = str_hash(e->strs[i]) & (2 * cap - 1);

		while (e->slot[h])
			h = (h + 1) & (2 * cap - 1);
		e->slot[h] = i + 1;
	}
}

/* the index + 1 of s in the section's strings */
static uint32_t enc_intern(struct enc *e, const char *s)
{
	uint32_t h;

	if (e->nstrs == e->cap)
		enc_grow(e);
	h = str_hash(s) & (2 * e->cap - 1);
	while (e->slot[h] && strcmp(e->strs[e->slot[h] - 1], s))
		h = (h + 1) & (2 * e->cap - 1);
	if (!e->slot[h]) {
		e->strs[e->nstrs++] = s;
		e->slot[h] = e->nstrs;
	}
	return e->slot[h];
}

/* a string that may be NULL: 0, or its index + 1 in the section's strings */
static void put_str(struct st_wbuf *b, const char *s)
{
	struct enc *e = (struct enc *)b;   /* every put_* writes into an enc */

	st_wbuf_u32(b, s ? enc_intern(e, s) : 0);
}

static void put_u8(struct st_wbuf *b, uint8_t v)
{
	st_wbuf_put(b, &v, 1);
}

static void put_limits(struct st_wbuf *b, const struct st_limits *l)
{
	st_wbuf_u32(b, l->maxstringlen);
	st_wbuf_u32(b, l->maxmapentries);
	st_wbuf_u32(b, l->maxaction);
	st_wbuf_u32(b, l->maxnesting);
	st_wbuf_u32(b, l->maxerrors);
	st_wbuf_u32(b, (uint32_t)l->hist_elision);
	st_wbuf_u32(b, l->maxaction_int);
	st_wbuf_u32(b, l->interruptible);
}

static void put_meta(struct st_wbuf *b, const struct st_plan_meta *m)
{
	put_str(b, m->release);
	put_str(b, m->arch);
	st_wbuf_u64(b, m->btf_hash);
	st_wbuf_u64(b, m->btf_size);
	put_str(b, m->script_name);
	put_str(b, m->script);
	st_wbuf_u32(b, m->argc);
	for (uint32_t i = 0; i < m->argc; i++)
		put_str(b, m->argv[i]);
	put_limits(b, &m->limits);
	st_wbuf_u32(b, m->nfiles);
	for (uint32_t i = 0; i < m->nfiles; i++) {
		put_str(b, m->files[i].path);
		st_wbuf_u32(b, m->files[i].build_id_len);
		st_wbuf_put(b, m->files[i].build_id, m->files[i].build_id_len);
	}
}

static void put_btf_cap(struct st_wbuf *b, const struct st_btf_cap *c)
{
	put_str(b, c->field);
	put_str(b, c->path);
	put_u8(b, c->root);
	st_wbuf_u32(b, c->arg);
	st_wbuf_u32(b, c->nhops);
	for (uint32_t i = 0; i < ST_BTF_MAX_HOPS; i++)
		st_wbuf_u32(b, c->hop[i]);
	for (uint32_t i = 0; i < ST_BTF_MAX_HOPS + 1; i++) {
		st_wbuf_u32(b, c->hop_idx[i]);
		st_wbuf_u32(b, c->hop_stride[i]);
	}
	st_wbuf_u32(b, c->off);
	st_wbuf_u32(b, c->size);
	put_u8(b, (uint8_t)(c->direct | c->is_string << 1 | c->is_signed << 2 | c->addr << 3 | c->str_ptr << 4 |
			    c->is_task << 5 | c->urange << 6));
	st_wbuf_u32(b, c->bit_read);
	st_wbuf_u32(b, c->bit_shift);
	st_wbuf_u32(b, c->bit_size);
	st_wbuf_u32(b, c->urange_start);
	st_wbuf_u32(b, c->urange_end);
}

/* index + 1 of ink in the table, 0 for none */
static uint32_t ink_index(const struct st_plan *p, const struct st_inkernel *ink)
{
	uint32_t n = 0;

	if (!ink)
		return 0;
	for (uint32_t i = 0; i < p->nsources; i++) {
		const struct st_inkernel *k = p->sources[i].ink;
		bool first = k != NULL;

		for (uint32_t j = 0; first && j < i; j++)
			first = p->sources[j].ink != k;
		if (!first)
			continue;
		n++;
		if (k == ink)
			return n;
	}
	return 0;
}

static void put_inks(struct st_wbuf *b, const struct st_plan *p)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < p->nsources; i++)
		n = ink_index(p, p->sources[i].ink) > n ? ink_index(p, p->sources[i].ink) : n;
	st_wbuf_u32(b, n);
	/* in table order: the first source naming each one */
	for (uint32_t want = 1; want <= n; want++)
		for (uint32_t i = 0; i < p->nsources; i++) {
			const struct st_inkernel *k = p->sources[i].ink;

			if (!k || ink_index(p, k) != want)
				continue;
			st_wbuf_u32(b, k->tier);
			st_wbuf_u32(b, k->nkeys);
			for (uint32_t j = 0; j < ST_INK_MAX_KEYS; j++)
				st_wbuf_u32(b, k->key[j]);
			st_wbuf_u32(b, k->map_entries);
			st_wbuf_u32(b, k->guard);
			st_wbuf_u32(b, (uint32_t)k->guard_eq);
			st_wbuf_u32(b, (uint32_t)k->guard_target);
			st_wbuf_u64(b, (uint64_t)k->guard_num);
			put_str(b, k->guard_str);
			break;
		}
}

static void put_source(struct st_wbuf *b, const struct st_plan *p, const struct st_source *s)
{
	st_wbuf_u32(b, s->kind);
	put_str(b, s->name);
	put_str(b, s->system);
	put_str(b, s->event);
	st_wbuf_u64(b, (uint64_t)s->seq);
	st_wbuf_u64(b, s->period_ns);
	put_str(b, s->probe_path);
	st_wbuf_u64(b, s->probe_offset);
	put_str(b, s->probe_symbol);
	st_wbuf_u32(b, s->probe_maxactive);
	put_u8(b, s->probe_return);
	st_wbuf_u64(b, s->probe_ref_ctr);
	put_str(b, s->probe_fetch);
	put_str(b, s->probe_func);
	st_wbuf_u32(b, s->perf_type);
	st_wbuf_u64(b, s->perf_config);
	st_wbuf_u64(b, s->perf_period);
	put_u8(b, s->perf_freq);
	st_wbuf_u32(b, s->nfields);
	for (uint32_t i = 0; i < s->nfields; i++)
		put_str(b, s->fields[i]);
	st_wbuf_u32(b, s->ncaptures);
	for (uint32_t i = 0; i < s->ncaptures; i++) {
		put_str(b, s->captures[i].field);
		put_u8(b, s->captures[i].kind);
		st_wbuf_u32(b, s->captures[i].size);
		st_wbuf_u64(b, (uint64_t)s->captures[i].off);
		put_str(b, s->captures[i].len_field);
	}
	put_u8(b, s->stack);
	put_u8(b, s->optional);
	st_wbuf_u32(b, s->nbtf);
	for (uint32_t i = 0; i < s->nbtf; i++)
		put_btf_cap(b, &s->btf[i]);
	put_u8(b, s->btf_ctx);
	st_wbuf_u32(b, s->ctx_of);
	st_wbuf_u32(b, s->ctx_src);
	put_u8(b, s->ctx_syscalls);
	st_wbuf_u32(b, s->ctx_want);
	st_wbuf_u32(b, ink_index(p, s->ink));
}

static void put_code(struct st_wbuf *b, const struct st_code *k)
{
	put_str(b, k->name);
	st_wbuf_u32(b, k->ninsn);
	for (uint32_t i = 0; i < k->ninsn; i++) {
		put_u8(b, k->insn[i].op);
		put_u8(b, k->insn[i].aux);
		st_wbuf_u16(b, k->insn[i].a);
		st_wbuf_u16(b, k->insn[i].b);
		st_wbuf_u16(b, k->insn[i].c);
		put_str(b, k->loc ? k->loc[i].near : NULL);
		put_str(b, k->loc ? k->loc[i].file : NULL);
		st_wbuf_u32(b, k->loc ? k->loc[i].line : 0);
		st_wbuf_u32(b, k->loc ? k->loc[i].col : 0);
	}
	st_wbuf_u32(b, k->nregs);
	st_wbuf_u32(b, k->nparams);
	st_wbuf_u32(b, k->niters);
	st_wbuf_u32(b, k->ntries);
	st_wbuf_u32(b, k->ret);
	st_wbuf_u32(b, k->nstr_locals);
	for (uint32_t i = 0; i < k->nstr_locals; i++)
		st_wbuf_u16(b, k->str_locals[i]);
}

/* most globals have no histogram: its bounds only for a linear one */
static void put_shape(struct st_wbuf *b, const struct st_stat_shape *s)
{
	put_u8(b, (uint8_t)s->hist);
	put_u8(b, (uint8_t)s->variance_shift);
	if (s->hist == ST_HIST_LINEAR) {
		st_wbuf_u64(b, (uint64_t)s->lo);
		st_wbuf_u64(b, (uint64_t)s->hi);
		st_wbuf_u64(b, (uint64_t)s->width);
	}
}

static void put_global(struct st_wbuf *b, const struct st_plan_global *g)
{
	put_str(b, g->name);
	put_u8(b, (uint8_t)g->type);
	put_u8(b, g->is_array);
	put_u8(b, g->map.nkeys);
	for (uint32_t i = 0; i < g->map.nkeys && i < ST_MAP_MAXKEYS; i++)
		put_u8(b, (uint8_t)g->map.key[i]);
	put_u8(b, (uint8_t)g->map.value);
	put_shape(b, &g->map.shape);
	put_shape(b, &g->shape);
	st_wbuf_u32(b, g->size);
	put_u8(b, g->wrap);
	put_u8(b, g->has_init);
	if (g->has_init && g->type == ST_T_STRING)
		put_str(b, g->init.s);
	else
		st_wbuf_u64(b, (uint64_t)g->init.n);
	put_u8(b, g->auto_print);
	put_u8(b, g->in_script);
}

static void put_fmt(struct st_wbuf *b, const struct st_fmt *f)
{
	/* a script's strings hold no NUL: the literals lie within strlen */
	size_t len = f->text ? strlen(f->text) : 0;

	st_wbuf_u32(b, (uint32_t)len);
	st_wbuf_put(b, f->text ? f->text : "", len);
	st_wbuf_u32(b, f->nspec);
	for (uint32_t i = 0; i < f->nspec; i++) {
		const struct st_fmt_spec *s = &f->spec[i];

		put_u8(b, (uint8_t)s->conv);
		put_u8(b, s->flags);
		st_wbuf_u32(b, (uint32_t)s->width);
		st_wbuf_u32(b, (uint32_t)s->precision);
		st_wbuf_u32(b, s->lit ? (uint32_t)(s->lit - f->text) : UINT32_MAX);
		st_wbuf_u32(b, (uint32_t)s->litlen);
	}
	st_wbuf_u32(b, f->nargs);
	for (uint32_t i = 0; i < f->nargs; i++)
		put_u8(b, (uint8_t)f->argtype[i]);
}

static void put_plan(struct st_wbuf *b, const struct st_plan *p)
{
	put_str(b, p->script_name);
	put_inks(b, p);
	st_wbuf_u32(b, p->nsources);
	for (uint32_t i = 0; i < p->nsources; i++)
		put_source(b, p, &p->sources[i]);
	st_wbuf_u32(b, p->nprobes);
	for (uint32_t i = 0; i < p->nprobes; i++) {
		const struct st_plan_probe *pr = &p->probes[i];

		st_wbuf_u32(b, pr->source);
		st_wbuf_u32(b, pr->code);
		put_str(b, pr->pp);
		put_str(b, pr->pn);
		put_u8(b, pr->task_role);
		put_u8(b, pr->target_scoped);
		put_str(b, pr->task_path);
		st_wbuf_u32(b, pr->bulk_code);
	}
	st_wbuf_u32(b, p->ncode);
	for (uint32_t i = 0; i < p->ncode; i++)
		put_code(b, &p->code[i]);
	st_wbuf_u32(b, p->nglobals);
	for (uint32_t i = 0; i < p->nglobals; i++)
		put_global(b, &p->globals[i]);
	st_wbuf_u32(b, p->nnums);
	for (uint32_t i = 0; i < p->nnums; i++)
		st_wbuf_u64(b, (uint64_t)p->nums[i]);
	st_wbuf_u32(b, p->nstrs);
	for (uint32_t i = 0; i < p->nstrs; i++)
		put_str(b, p->strs[i]);
	st_wbuf_u32(b, p->nfmts);
	for (uint32_t i = 0; i < p->nfmts; i++)
		put_fmt(b, p->fmts[i]);
	st_wbuf_u32(b, p->nforeachs);
	for (uint32_t i = 0; i < p->nforeachs; i++) {
		const struct st_plan_foreach *f = &p->foreachs[i];

		st_wbuf_u32(b, f->global);
		st_wbuf_u32(b, (uint32_t)f->sort_column);
		st_wbuf_u32(b, (uint32_t)f->sort_dir);
		st_wbuf_u32(b, f->sort_agg);
		st_wbuf_u32(b, f->nkeys);
		st_wbuf_u32(b, f->filter_mask);
	}
}

/* a section: u32 length, its strings (u32 count, each with its NUL), then
 * the bytes put() lays out */
static void put_section(struct st_wbuf *b, void (*put)(struct st_wbuf *, const void *), const void *arg)
{
	struct enc e = { 0 };
	struct st_wbuf t = { 0 };

	put(&e.b, arg);
	st_wbuf_u32(&t, e.nstrs);
	for (uint32_t i = 0; i < e.nstrs; i++)
		st_wbuf_str(&t, e.strs[i]);
	if (e.b.oom || t.oom || t.len + e.b.len > UINT32_MAX) {
		b->oom = true;
	} else {
		st_wbuf_u32(b, (uint32_t)(t.len + e.b.len));
		st_wbuf_put(b, t.p, t.len);
		st_wbuf_put(b, e.b.p, e.b.len);
	}
	st_wbuf_free(&t);
	st_wbuf_free(&e.b);
	free(e.strs);
	free(e.slot);
}

static void put_meta_v(struct st_wbuf *b, const void *m) { put_meta(b, m); }
static void put_plan_v(struct st_wbuf *b, const void *p) { put_plan(b, p); }

int st_planfile_encode(const struct st_plan *plan, const struct st_plan_meta *meta, struct st_wbuf *out)
{
	st_wbuf_put(out, ST_PLANFILE_MAGIC, 8);
	st_wbuf_u32(out, ST_PLANFILE_VERSION);
	put_section(out, put_meta_v, meta);
	put_section(out, put_plan_v, plan);
	return out->oom ? -ENOMEM : 0;
}

/* ---- reading ---- */

struct dec {
	struct st_rd r;
	struct st_arena *arena;
	char *err;
	char **strs;                 /* the section's strings, in the arena */
	uint32_t nstrs;
};

static void bad(struct dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(struct dec *d, const char *fmt, ...)
{
	va_list ap;

	d->r.bad = true;
	if (d->err)
		return;   /* the first problem is the one to name */
	va_start(ap, fmt);
	if (vasprintf(&d->err, fmt, ap) < 0)
		d->err = NULL;
	va_end(ap);
}

static uint8_t get_u8(struct dec *d) { return (uint8_t)st_rd_uint(&d->r, 1); }
static uint16_t get_u16(struct dec *d) { return (uint16_t)st_rd_uint(&d->r, 2); }
static uint32_t get_u32(struct dec *d) { return st_rd_u32(&d->r); }
static uint64_t get_u64(struct dec *d) { return st_rd_u64(&d->r); }
static bool get_bool(struct dec *d) { return get_u8(d) != 0; }

/* a string that may be NULL: one of the section's (in the plan's arena) */
static char *get_str(struct dec *d)
{
	uint32_t i = get_u32(d);

	if (d->r.bad || !i)
		return NULL;
	if (i > d->nstrs) {
		bad(d, "string %u of %u at byte %zu", i, d->nstrs, d->r.off - 4);
		return NULL;
	}
	return d->strs[i - 1];
}

/* the same, never NULL */
static char *get_str_req(struct dec *d, const char *what)
{
	char *s = get_str(d);

	if (!s && !d->r.bad)
		bad(d, "%s missing", what);
	return s;
}

/* A count of items each at least `least` bytes long: more than the bytes
 * left could hold is a forged count. */
static uint32_t get_count(struct dec *d, size_t least, const char *what)
{
	uint32_t n = get_u32(d);

	if (!d->r.bad && (uint64_t)n * least > d->r.len - d->r.off) {
		bad(d, "%s: count %u exceeds the file", what, n);
		return 0;
	}
	return d->r.bad ? 0 : n;
}

static void *zalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

static void get_limits(struct dec *d, struct st_limits *l)
{
	l->maxstringlen = get_u32(d);
	l->maxmapentries = get_u32(d);
	l->maxaction = get_u32(d);
	l->maxnesting = get_u32(d);
	l->maxerrors = get_u32(d);
	l->hist_elision = (int32_t)get_u32(d);
	l->maxaction_int = get_u32(d);
	l->interruptible = get_u32(d);
	if (!d->r.bad && (l->maxstringlen < 2 || l->maxstringlen > (1u << 20) || l->maxnesting > 10000 ||
			  l->maxmapentries == 0 || l->maxmapentries > (1u << 26)))
		bad(d, "limits out of range (MAXSTRINGLEN %u, MAXMAPENTRIES %u, MAXNESTING %u)", l->maxstringlen,
		    l->maxmapentries, l->maxnesting);
}

/* meta strings are malloc'd: the meta outlives the plan's arena in callers */
static char *meta_str(struct dec *d)
{
	char *s = get_str(d);

	return s ? strdup(s) : NULL;
}

static void get_meta(struct dec *d, struct st_plan_meta *m)
{
	m->release = meta_str(d);
	m->arch = meta_str(d);
	m->btf_hash = get_u64(d);
	m->btf_size = get_u64(d);
	m->script_name = meta_str(d);
	m->script = meta_str(d);
	m->argc = get_count(d, 1, "script arguments");
	m->argv = zalloc(m->argc + 1, sizeof(*m->argv));
	for (uint32_t i = 0; i < m->argc; i++)
		m->argv[i] = meta_str(d);
	for (uint32_t i = 0; i < m->argc && !d->r.bad; i++)
		if (!m->argv[i])
			bad(d, "script argument %u missing", i + 1);
	get_limits(d, &m->limits);
	m->nfiles = get_count(d, 6, "traced files");
	m->files = zalloc(m->nfiles, sizeof(*m->files));
	for (uint32_t i = 0; i < m->nfiles && !d->r.bad; i++) {
		const uint8_t *id;

		m->files[i].path = meta_str(d);
		m->files[i].build_id_len = get_u32(d);
		if (!m->files[i].path || m->files[i].build_id_len > ST_BUILD_ID_MAX) {
			bad(d, "traced file %u: bad path or build-id length", i);
			break;
		}
		id = st_rd_take(&d->r, m->files[i].build_id_len);
		if (id)
			memcpy(m->files[i].build_id, id, m->files[i].build_id_len);
	}
	if (!d->r.bad && (!m->release || !m->arch))
		bad(d, "the kernel release or architecture is missing");
}

static void get_btf_cap(struct dec *d, struct st_btf_cap *c)
{
	uint8_t flags;

	c->field = get_str_req(d, "capture field");
	c->path = get_str(d);
	c->root = get_u8(d);
	c->arg = get_u32(d);
	c->nhops = get_u32(d);
	for (uint32_t i = 0; i < ST_BTF_MAX_HOPS; i++)
		c->hop[i] = get_u32(d);
	for (uint32_t i = 0; i < ST_BTF_MAX_HOPS + 1; i++) {
		c->hop_idx[i] = get_u32(d);
		c->hop_stride[i] = get_u32(d);
	}
	c->off = get_u32(d);
	c->size = get_u32(d);
	flags = get_u8(d);
	c->direct = flags & 1;
	c->is_string = flags >> 1 & 1;
	c->is_signed = flags >> 2 & 1;
	c->addr = flags >> 3 & 1;
	c->str_ptr = flags >> 4 & 1;
	c->is_task = flags >> 5 & 1;
	c->urange = flags >> 6 & 1;
	c->bit_read = get_u32(d);
	c->bit_shift = get_u32(d);
	c->bit_size = get_u32(d);
	c->urange_start = get_u32(d);
	c->urange_end = get_u32(d);
	if (!d->r.bad && (c->nhops > ST_BTF_MAX_HOPS || c->root > ST_BTF_ROOT_FUNC || c->bit_read > 8 ||
			  c->bit_shift + c->bit_size > 64))
		bad(d, "BTF capture %s: bad hop count, root or bitfield", c->field);
}

static struct st_inkernel *get_inks(struct dec *d, uint32_t *n)
{
	struct st_inkernel *t;

	*n = get_count(d, 40, "in-kernel sources");
	t = (struct st_inkernel *)st_arena_zalloc(d->arena, (*n ? *n : 1) * sizeof(*t));
	for (uint32_t i = 0; i < *n && !d->r.bad; i++) {
		t[i].tier = (enum st_ink_tier)get_u32(d);
		t[i].nkeys = get_u32(d);
		for (uint32_t j = 0; j < ST_INK_MAX_KEYS; j++)
			t[i].key[j] = (enum st_ink_key)get_u32(d);
		t[i].map_entries = get_u32(d);
		t[i].guard = (enum st_ink_guard)get_u32(d);
		t[i].guard_eq = (int)get_u32(d);
		t[i].guard_target = (int)get_u32(d);
		t[i].guard_num = (int64_t)get_u64(d);
		t[i].guard_str = get_str(d);
		if (d->r.bad)
			break;
		if (t[i].tier > ST_INK_BPFAGG || t[i].nkeys > ST_INK_MAX_KEYS || t[i].guard > ST_INK_G_COMM ||
		    (t[i].guard == ST_INK_G_COMM && (!t[i].guard_str || strlen(t[i].guard_str) > 15)))
			bad(d, "in-kernel source %u: bad tier, keys or guard", i);
		for (uint32_t j = 0; j < t[i].nkeys && !d->r.bad; j++)
			if (t[i].key[j] > ST_INK_K_CPU)
				bad(d, "in-kernel source %u: bad key", i);
	}
	return t;
}

static void get_source(struct dec *d, struct st_source *s, struct st_inkernel *inks, uint32_t ninks)
{
	uint32_t ink;

	s->kind = (enum st_source_kind)get_u32(d);
	s->name = get_str_req(d, "source name");
	s->system = get_str(d);
	s->event = get_str(d);
	s->seq = (int64_t)get_u64(d);
	s->period_ns = get_u64(d);
	s->probe_path = get_str(d);
	s->probe_offset = get_u64(d);
	s->probe_symbol = get_str(d);
	s->probe_maxactive = get_u32(d);
	s->probe_return = get_bool(d);
	s->probe_ref_ctr = get_u64(d);
	s->probe_fetch = get_str(d);
	s->probe_func = get_str(d);
	s->perf_type = get_u32(d);
	s->perf_config = get_u64(d);
	s->perf_period = get_u64(d);
	s->perf_freq = get_bool(d);
	s->nfields = get_count(d, 2, "fields");
	s->fields = zalloc(s->nfields, sizeof(*s->fields));
	for (uint32_t i = 0; i < s->nfields; i++)
		s->fields[i] = get_str_req(d, "field name");
	s->ncaptures = get_count(d, 16, "captures");
	s->captures = zalloc(s->ncaptures, sizeof(*s->captures));
	for (uint32_t i = 0; i < s->ncaptures; i++) {
		struct st_ucap *c = &s->captures[i];

		c->field = get_str_req(d, "capture field");
		c->kind = get_u8(d);
		c->size = get_u32(d);
		c->off = (int64_t)get_u64(d);
		c->len_field = get_str(d);
		if (!d->r.bad && c->kind > ST_UCAP_ARGV)
			bad(d, "source %s: bad capture kind %u", s->name, c->kind);
	}
	s->stack = get_u8(d);
	s->optional = get_bool(d);
	s->nbtf = get_count(d, 100, "BTF captures");
	s->btf = zalloc(s->nbtf, sizeof(*s->btf));
	for (uint32_t i = 0; i < s->nbtf; i++)
		get_btf_cap(d, &s->btf[i]);
	s->btf_ctx = get_bool(d);
	s->ctx_of = get_u32(d);
	s->ctx_src = get_u32(d);
	s->ctx_syscalls = get_u8(d);
	s->ctx_want = get_u32(d);
	ink = get_u32(d);
	if (d->r.bad)
		return;
	if (s->kind > ST_SRC_PERF)
		bad(d, "source %s: unknown kind %u", s->name, s->kind);
	else if (ink > ninks)
		bad(d, "source %s: in-kernel index %u out of range", s->name, ink);
	else if ((s->kind == ST_SRC_TRACEPOINT || s->kind == ST_SRC_UPROBE || s->kind == ST_SRC_KPROBE) &&
		 (!s->system || !s->event))
		bad(d, "source %s: no event name", s->name);
	else if (s->kind == ST_SRC_UPROBE && !s->probe_path)
		bad(d, "source %s: a uprobe without a file", s->name);
	else if (s->kind == ST_SRC_KPROBE && !s->probe_symbol)
		bad(d, "source %s: a kprobe without a symbol", s->name);
	s->ink = ink ? &inks[ink - 1] : NULL;
}

static void get_code(struct dec *d, struct st_code *k)
{
	uint16_t *sl;

	k->name = get_str(d);
	k->ninsn = get_count(d, 16, "instructions");
	k->insn = zalloc(k->ninsn, sizeof(*k->insn));
	k->loc = zalloc(k->ninsn, sizeof(*k->loc));
	for (uint32_t i = 0; i < k->ninsn && !d->r.bad; i++) {
		k->insn[i].op = get_u8(d);
		k->insn[i].aux = get_u8(d);
		k->insn[i].a = get_u16(d);
		k->insn[i].b = get_u16(d);
		k->insn[i].c = get_u16(d);
		k->loc[i].near = get_str(d);
		k->loc[i].file = get_str(d);
		k->loc[i].line = get_u32(d);
		k->loc[i].col = get_u32(d);
	}
	k->nregs = get_u32(d);
	k->nparams = get_u32(d);
	k->niters = get_u32(d);
	k->ntries = get_u32(d);
	k->ret = (enum st_type)get_u32(d);
	k->nstr_locals = get_count(d, 2, "string locals");
	sl = (uint16_t *)st_arena_zalloc(d->arena, (k->nstr_locals ? k->nstr_locals : 1) * sizeof(*sl));
	for (uint32_t i = 0; i < k->nstr_locals; i++)
		sl[i] = get_u16(d);
	k->str_locals = sl;
}

static void get_shape(struct dec *d, struct st_stat_shape *s)
{
	s->hist = (enum st_hist_kind)get_u8(d);
	s->variance_shift = (int)get_u8(d);
	if (s->hist == ST_HIST_LINEAR) {
		s->lo = (int64_t)get_u64(d);
		s->hi = (int64_t)get_u64(d);
		s->width = (int64_t)get_u64(d);
	}
	if (d->r.bad)
		return;
	if (s->hist > ST_HIST_LINEAR || s->variance_shift < 0 || s->variance_shift > 64)
		bad(d, "bad statistics shape");
	else if (s->hist == ST_HIST_LINEAR &&
		 (s->width <= 0 || s->hi < s->lo || (uint64_t)s->hi - (uint64_t)s->lo > (1u << 24) * (uint64_t)s->width))
		bad(d, "bad linear histogram %lld..%lld by %lld", (long long)s->lo, (long long)s->hi, (long long)s->width);
	else
		st_stat_shape_init(s);
}

static bool value_type(enum st_type t)
{
	return t <= ST_T_STATS;   /* unknown: a global nothing uses */
}

static void get_global(struct dec *d, struct st_plan_global *g)
{
	g->name = get_str_req(d, "global name");
	g->type = (enum st_type)get_u8(d);
	g->is_array = get_bool(d);
	g->map.nkeys = get_u8(d);
	if (g->map.nkeys > ST_MAP_MAXKEYS) {
		bad(d, "global %s: %u keys", g->name ? g->name : "?", g->map.nkeys);
		return;
	}
	for (uint32_t i = 0; i < g->map.nkeys; i++)
		g->map.key[i] = (enum st_type)get_u8(d);
	g->map.value = (enum st_type)get_u8(d);
	get_shape(d, &g->map.shape);
	get_shape(d, &g->shape);
	g->size = get_u32(d);
	g->wrap = get_bool(d);
	g->has_init = get_bool(d);
	if (g->has_init && g->type == ST_T_STRING) {
		g->init.s = get_str_req(d, "string initialiser");
	} else {
		g->init.n = (int64_t)get_u64(d);
		if (g->type == ST_T_STRING)
			g->init.s = NULL;
	}
	g->auto_print = get_bool(d);
	g->in_script = get_bool(d);
	if (d->r.bad)
		return;
	if (!value_type(g->type) || g->size > (1u << 26))
		bad(d, "global %s: bad type or size", g->name);
	else if (g->is_array && ((g->map.nkeys < 1 && g->type != ST_T_UNKNOWN) || g->map.nkeys > ST_MAP_MAXKEYS || !value_type(g->map.value)))
		bad(d, "global %s: bad array type", g->name);
	for (uint32_t i = 0; g->is_array && !d->r.bad && i < g->map.nkeys; i++)
		if (!value_type(g->map.key[i]) || g->map.key[i] == ST_T_STATS)
			bad(d, "global %s: bad key type", g->name);
}

static struct st_fmt *get_fmt(struct dec *d)
{
	struct st_fmt *f = zalloc(1, sizeof(*f));
	uint32_t len = get_count(d, 1, "format text");
	const uint8_t *t = st_rd_take(&d->r, len);

	f->text = zalloc(len + 1, 1);
	if (t)
		memcpy(f->text, t, len);
	f->nspec = get_count(d, 18, "format conversions");
	f->spec = zalloc(f->nspec, sizeof(*f->spec));
	for (uint32_t i = 0; i < f->nspec && !d->r.bad; i++) {
		struct st_fmt_spec *s = &f->spec[i];
		uint32_t off, litlen;

		s->conv = (enum st_fmt_conv)get_u8(d);
		s->flags = get_u8(d);
		s->width = (int32_t)get_u32(d);
		s->precision = (int32_t)get_u32(d);
		off = get_u32(d);
		litlen = get_u32(d);
		if (d->r.bad)
			break;
		if (s->conv > ST_FMT_MEMORY_HEX || s->width < ST_FMT_STAR || s->precision < ST_FMT_STAR ||
		    s->width > 1000000 || s->precision > 1000000)
			bad(d, "format %u: bad conversion", i);
		else if (off != UINT32_MAX && ((uint64_t)off + litlen > len))
			bad(d, "format %u: literal outside the text", i);
		else if (off != UINT32_MAX) {
			s->lit = f->text + off;
			s->litlen = litlen;
		} else if (s->conv == ST_FMT_LITERAL)
			bad(d, "format %u: literal without text", i);
	}
	f->nargs = get_count(d, 1, "format arguments");
	f->argtype = zalloc(f->nargs, sizeof(*f->argtype));
	for (uint32_t i = 0; i < f->nargs; i++) {
		f->argtype[i] = (enum st_type)get_u8(d);
		if (!d->r.bad && f->argtype[i] != ST_T_LONG && f->argtype[i] != ST_T_STRING)
			bad(d, "format argument %u: bad type", i);
	}
	return f;
}

static void get_plan(struct dec *d, struct st_plan *p)
{
	struct st_inkernel *inks;
	uint32_t ninks;

	p->script_name = get_str(d);
	if (!p->script_name)
		p->script_name = "<input>";
	inks = get_inks(d, &ninks);
	p->nsources = get_count(d, 40, "sources");
	p->sources = zalloc(p->nsources, sizeof(*p->sources));
	for (uint32_t i = 0; i < p->nsources && !d->r.bad; i++)
		get_source(d, &p->sources[i], inks, ninks);
	if (d->r.bad)
		return;
	p->nprobes = get_count(d, 16, "probes");
	p->probes = zalloc(p->nprobes, sizeof(*p->probes));
	for (uint32_t i = 0; i < p->nprobes && !d->r.bad; i++) {
		struct st_plan_probe *pr = &p->probes[i];

		pr->source = get_u32(d);
		pr->code = get_u32(d);
		pr->pp = get_str_req(d, "probe point");
		pr->pn = get_str(d);
		pr->task_role = get_u8(d);
		pr->target_scoped = get_bool(d);
		pr->task_path = get_str(d);
		pr->bulk_code = get_u32(d);
	}
	p->ncode = get_count(d, 30, "code");
	p->code = zalloc(p->ncode, sizeof(*p->code));
	for (uint32_t i = 0; i < p->ncode && !d->r.bad; i++)
		get_code(d, &p->code[i]);
	p->nglobals = get_count(d, 15, "globals");
	p->globals = zalloc(p->nglobals, sizeof(*p->globals));
	for (uint32_t i = 0; i < p->nglobals && !d->r.bad; i++)
		get_global(d, &p->globals[i]);
	p->nnums = get_count(d, 8, "numbers");
	p->nums = zalloc(p->nnums, sizeof(*p->nums));
	for (uint32_t i = 0; i < p->nnums; i++)
		p->nums[i] = (int64_t)get_u64(d);
	p->nstrs = get_count(d, 1, "strings");
	p->strs = zalloc(p->nstrs, sizeof(*p->strs));
	for (uint32_t i = 0; i < p->nstrs; i++)
		p->strs[i] = get_str_req(d, "string constant");
	p->nfmts = get_count(d, 12, "formats");
	p->fmts = zalloc(p->nfmts, sizeof(*p->fmts));
	p->owned_fmts = zalloc(p->nfmts, sizeof(*p->owned_fmts));
	for (uint32_t i = 0; i < p->nfmts && !d->r.bad; i++) {
		p->owned_fmts[i] = get_fmt(d);
		p->fmts[i] = p->owned_fmts[i];
		p->nowned_fmts = i + 1;
	}
	p->nforeachs = get_count(d, 24, "foreachs");
	p->foreachs = zalloc(p->nforeachs, sizeof(*p->foreachs));
	for (uint32_t i = 0; i < p->nforeachs; i++) {
		struct st_plan_foreach *f = &p->foreachs[i];

		f->global = get_u32(d);
		f->sort_column = (int)get_u32(d);
		f->sort_dir = (int)get_u32(d);
		f->sort_agg = (enum st_stat_op)get_u32(d);
		f->nkeys = get_u32(d);
		f->filter_mask = get_u32(d);
	}
}

bool st_planfile_is(const uint8_t *p, size_t len)
{
	return len >= 8 && !memcmp(p, ST_PLANFILE_MAGIC, 8);
}

/* The next section's bytes as a reader of their own. */
static bool get_section(struct dec *d, struct st_rd *sec, const char *what)
{
	uint32_t n = get_u32(d);
	const uint8_t *p = st_rd_take(&d->r, n);

	if (!p) {
		bad(d, "the %s section is cut short", what);
		return false;
	}
	*sec = (struct st_rd){ .p = p, .len = n };
	return true;
}

/* the section's strings, read before its body */
static void get_strings(struct dec *d)
{
	d->nstrs = get_count(d, 1, "strings");
	d->strs = (char **)st_arena_zalloc(d->arena, (d->nstrs ? d->nstrs : 1) * sizeof(*d->strs));
	for (uint32_t i = 0; i < d->nstrs && !d->r.bad; i++) {
		const char *s = st_rd_str(&d->r);

		if (!s)
			bad(d, "string %u is unterminated", i);
		else
			d->strs[i] = (char *)st_arena_strndup(d->arena, s, strlen(s), SIZE_MAX);
	}
}

static struct st_plan *plan_new(void)
{
	struct st_plan *p = zalloc(1, sizeof(*p));

	p->arena = zalloc(1, sizeof(*p->arena));
	st_arena_init(p->arena, 16384);
	return p;
}

int st_planfile_decode(const uint8_t *buf, size_t len, struct st_plan **planp, struct st_plan_meta *meta, char **err)
{
	struct dec d = { .r = { .p = buf, .len = len } };
	struct st_plan *p = plan_new();
	struct st_rd outer;
	uint32_t version;
	char msg[256];

	memset(meta, 0, sizeof(*meta));
	d.arena = p->arena;
	if (!st_planfile_is(buf, len)) {
		bad(&d, "not a staplet plan file");
		goto fail;
	}
	d.r.off = 8;
	version = get_u32(&d);
	if (d.r.bad || version != ST_PLANFILE_VERSION) {
		bad(&d, "plan file version %u; this staplet reads version %u", version, ST_PLANFILE_VERSION);
		goto fail;
	}
	outer = d.r;
	if (!get_section(&d, &d.r, "meta"))
		goto fail;
	outer.off = d.r.p + d.r.len - buf;
	get_strings(&d);
	get_meta(&d, meta);
	if (d.r.bad)
		goto fail;
	d.r = outer;
	if (!get_section(&d, &d.r, "plan"))
		goto fail;
	get_strings(&d);
	get_plan(&d, p);
	if (d.r.bad)
		goto fail;
	if (st_plan_verify(p, msg, sizeof(msg)) < 0) {
		bad(&d, "%s", msg);
		goto fail;
	}
	*planp = p;
	return 0;
fail:
	if (!d.err)
		bad(&d, "the plan file is cut short");
	st_plan_free(p);
	st_plan_meta_free(meta);
	*err = d.err;
	return -EINVAL;
}

void st_plan_meta_free(struct st_plan_meta *m)
{
	free(m->release);
	free(m->arch);
	free(m->script_name);
	free(m->script);
	for (uint32_t i = 0; m->argv && i < m->argc; i++)
		free(m->argv[i]);
	free(m->argv);
	for (uint32_t i = 0; m->files && i < m->nfiles; i++)
		free(m->files[i].path);
	free(m->files);
	memset(m, 0, sizeof(*m));
}

/* ---- whole files ---- */

int st_planfile_write(const char *path, const struct st_plan *plan, const struct st_plan_meta *meta, char **err)
{
	struct st_wbuf b = { 0 };
	int fd, r;

	if (st_planfile_encode(plan, meta, &b) < 0) {
		st_wbuf_free(&b);
		return asprintf(err, "out of memory writing %s", path) < 0 ? -ENOMEM : -ENOMEM;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
	} else {
		r = st_write_at(fd, b.p, b.len, 0);
		if (close(fd) < 0 && r == 0)
			r = -errno;
	}
	st_wbuf_free(&b);
	if (r < 0 && asprintf(err, "cannot write the plan %s: %s", path, strerror(-r)) < 0)
		*err = NULL;
	return r;
}

int st_planfile_read(const char *path, struct st_plan **plan, struct st_plan_meta *meta, char **err)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;
	char *why = NULL;

	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return asprintf(err, "cannot read the plan %s: %s", path, strerror(-r)) < 0 ? r : r;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > ST_PLANFILE_MAX_BYTES) {
		close(fd);
		return asprintf(err, "the plan %s is not a regular file of at most %u MB", path,
				ST_PLANFILE_MAX_BYTES >> 20) < 0 ? -EINVAL : -EINVAL;
	}
	buf = zalloc((size_t)st.st_size, 1);
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	r = st_planfile_decode(buf, got, plan, meta, &why);
	free(buf);
	if (r < 0 && asprintf(err, "the plan %s is damaged: %s", path, why ? why : "unreadable") < 0)
		*err = NULL;
	free(why);
	return r;
}
