/* frontend.c - pass 1 driver: the script, then the tapset library. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/parser.h"

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)(n < 0 ? 0 : n) + 1);
	if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n < 0 ? 0 : n] = 0;
	fclose(f);
	return buf;
}

struct pass1 {
	struct st_program *prog;
	struct st_diag diag;
	struct st_lexctx lx;
	struct st_macro_table library;
	struct st_tokvec *keep;      /* token vectors macros may point into */
	uint32_t nkeep;
	int errors;
	bool empty;                  /* the script had no tokens left */
	char **tails;                /* tapset paths below their -I directory, read once each */
	uint32_t ntails;
};

/* True if this path below its tapset directory was read before. */
static bool seen_tail(struct pass1 *S, const char *tail)
{
	uint32_t i;

	for (i = 0; i < S->ntails; i++)
		if (!strcmp(S->tails[i], tail))
			return true;
	S->tails = realloc(S->tails, (S->ntails + 1) * sizeof *S->tails);
	if (!S->tails)
		abort();
	S->tails[S->ntails++] = strdup(tail);
	return false;
}

static void add_file(struct pass1 *S, const char *name, const char *text)
{
	struct st_program *p = S->prog;
	uint32_t n = p->nfiles;

	st_pool_push(p->pool, (void ***)&p->files, &p->nfiles, (void *)name);
	st_pool_push(p->pool, (void ***)&p->file_texts, &n, (void *)text);
	st_diag_add_file(&S->diag, name, text);
}

static void parse_one(struct pass1 *S, const char *name, const char *text, bool tapset, bool parse)
{
	struct st_tokvec raw = { 0 }, out = { 0 };
	const char *n = st_pool_strndup(S->prog->pool, name, strlen(name));
	const char *t = st_pool_strndup(S->prog->pool, text, strlen(text));
	int e;

	add_file(S, n, t);
	/* stap substitutes the script's arguments in tapset files too
	 * (argv.stp), but a .stpm file only defines macros */
	S->lx.expand_args = parse;
	S->lx.library = tapset && !parse;
	uint32_t np = S->prog->nprobes, nf = S->prog->nfuncs, ng = S->prog->nglobals;

	e = st_lex(&S->lx, n, t, &raw);
	e += st_preprocess(&S->lx, &raw, &out, &S->library);
	if (parse && !tapset && out.n <= 1) {
		/* stap says this instead of counting errors */
		if (S->diag.out)
			fprintf(S->diag.out, raw.n ? "Input file '%s' is empty after preprocessing.\n" :
				"Input file '%s' is empty.\n", n);
		S->empty = true;
		e++;
	}
	if (parse && e == 0)
		e += st_parse_tokens(S->prog, S->prog->pool, &S->diag, S->lx.opts, &out, tapset);
	if (tapset && e) {
		/* stap skips a tapset file with errors, with a warning (-W: an error) */
		if (S->diag.out)
			fprintf(S->diag.out, "%d parse error%s.\n", e, e == 1 ? "" : "s");
		st_diag_warning(&S->diag, NULL, NULL, "tapset \"%s\" has errors, and will be skipped", n);
		S->prog->nprobes = np;
		S->prog->nfuncs = nf;
		S->prog->nglobals = ng;
		e = 0;
	}
	S->errors += e;
	st_tokvec_free(&out);
	/* Library macros point into raw: keep it until the end of pass 1. */
	S->keep = realloc(S->keep, (S->nkeep + 1) * sizeof *S->keep);
	S->keep[S->nkeep++] = raw;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The subdirectories stap searches in each tapset directory, in its order:
 * the runtime's ("linux/", "bpf/") first, then for each of the release,
 * the version and its families down to MAJOR.MINOR and the directory
 * itself, the arch's subdirectory before the plain one.  NULL-terminated. */
static void tapset_suffixes(const struct st_compile_opts *o, char out[][320], uint32_t max)
{
	const char *rel = o && o->kernel_release ? o->kernel_release : "";
	const char *arch = o && o->arch ? o->arch : "x86_64";
	const char *rt = o && o->runtime && !strcmp(o->runtime, "bpf") ? "/bpf" : "/linux";
	char vers[8][128], v[128];
	uint32_t nv = 0, i, r, n = 0;
	char *dot;

	if (*rel) {
		snprintf(vers[nv++], 128, "/%.100s", rel);
		snprintf(v, sizeof v, "%.*s", (int)(strcspn(rel, "-") < 100 ? strcspn(rel, "-") : 100), rel);
		if (strcmp(v, rel))
			snprintf(vers[nv++], 128, "/%.120s", v);
		while ((dot = strrchr(v, '.')) && dot != strchr(v, '.') && nv < 7) {
			*dot = 0;
			snprintf(vers[nv++], 128, "/%.120s", v);
		}
	}
	vers[nv++][0] = 0;
	for (r = 0; r < 2; r++)
		for (i = 0; i < nv && n + 2 < max; i++) {
			snprintf(out[n++], 320, "%s%.128s/%.64s", r ? "" : rt, vers[i], arch);
			snprintf(out[n++], 320, "%s%.128s", r ? "" : rt, vers[i]);
		}
	out[n][0] = 1;   /* the end */
}

/* Every file with `suffix` directly in dir, sorted for a stable order; a
 * file whose path below the tapset directory `base` was read already (from
 * another -I directory) is skipped, as stap skips it. */
static void parse_dir(struct pass1 *S, const char *base, const char *dir, const char *suffix, bool parse)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i, sl = strlen(suffix);

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.' || l <= sl || strcmp(de->d_name + l - sl, suffix))
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n)   /* qsort(NULL, 0, ...) is undefined */
		qsort(names, n, sizeof *names, cmp_str);
	for (i = 0; i < n; i++) {
		char path[4096];
		char *text;

		snprintf(path, sizeof path, "%.3400s/%.600s", dir, names[i]);
		if (seen_tail(S, path + strlen(base)))
			;
		else if ((text = read_file(path))) {
			parse_one(S, path, text, true, parse);
			free(text);
		}
		free(names[i]);
	}
	free(names);
}

static void parse_tapsets(struct pass1 *S, const struct st_compile_opts *o, const char *suffix, bool parse)
{
	char sub[40][320], dir[4096];
	uint32_t i, k;

	tapset_suffixes(o, sub, 40);
	for (i = 0; o && i < o->ntapset_dirs; i++)
		for (k = 0; sub[k][0] != 1; k++) {
			snprintf(dir, sizeof dir, "%.3000s%.320s", o->tapset_dirs[i], sub[k]);
			parse_dir(S, o->tapset_dirs[i], dir, suffix, parse);
		}
}

struct st_program *st_parse(const char *name, const char *text, const struct st_compile_opts *opts)
{
	struct pass1 S = { 0 };
	uint32_t i;

	S.prog = calloc(1, sizeof *S.prog);
	if (!S.prog)
		return NULL;
	S.prog->pool = st_pool_new();
	S.diag.out = opts ? opts->diag : stderr;
	S.diag.quiet_warnings = opts && opts->no_warnings;
	S.lx.pool = S.prog->pool;
	S.lx.diag = &S.diag;
	S.lx.opts = opts;
	/* Library macros first (.stpm), so the script may use them. */
	parse_tapsets(&S, opts, ".stpm", false);
	parse_one(&S, name ? name : "<input>", text ? text : "", false, true);
	/* The script is files[0]: move it to the front. */
	if (S.prog->nfiles > 1) {
		const char *fn = S.prog->files[S.prog->nfiles - 1], *ft = S.prog->file_texts[S.prog->nfiles - 1];

		memmove(S.prog->files + 1, S.prog->files, (S.prog->nfiles - 1) * sizeof(char *));
		memmove(S.prog->file_texts + 1, S.prog->file_texts, (S.prog->nfiles - 1) * sizeof(char *));
		S.prog->files[0] = fn;
		S.prog->file_texts[0] = ft;
	}
	if (S.errors == 0)
		parse_tapsets(&S, opts, ".stp", true);
	for (i = 0; i < S.nkeep; i++)
		st_tokvec_free(&S.keep[i]);
	free(S.keep);
	for (i = 0; i < S.ntails; i++)
		free(S.tails[i]);
	free(S.tails);
	st_diag_free(&S.diag);
	if (S.errors || (opts && opts->werror && S.diag.warnings)) {
		if (S.diag.out && !S.empty && S.errors)
			fprintf(S.diag.out, "%d parse error%s.\n", S.errors, S.errors == 1 ? "" : "s");
		st_program_free(S.prog);
		return NULL;
	}
	return S.prog;
}
