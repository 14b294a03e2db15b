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
};

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

/* Every file with `suffix` under dir (recursively), sorted for a stable order. */
static void parse_dir(struct pass1 *S, const char *dir, const char *suffix, bool parse)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i, sl = strlen(suffix);

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		names[n++] = strdup(de->d_name);
		(void)l;
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	for (i = 0; i < n; i++) {
		char path[4096];
		size_t l = strlen(names[i]);
		char *text;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (l > sl && strcmp(names[i] + l - sl, suffix) == 0) {
			if ((text = read_file(path))) {
				parse_one(S, path, text, true, parse);
				free(text);
			}
		} else if (!strchr(names[i], '.')) {
			DIR *sub = opendir(path);

			if (sub) {
				closedir(sub);
				parse_dir(S, path, suffix, parse);
			}
		}
		free(names[i]);
	}
	free(names);
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
	for (i = 0; opts && i < opts->ntapset_dirs; i++)
		parse_dir(&S, opts->tapset_dirs[i], ".stpm", false);
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
		for (i = 0; opts && i < opts->ntapset_dirs; i++)
			parse_dir(&S, opts->tapset_dirs[i], ".stp", true);
	for (i = 0; i < S.nkeep; i++)
		st_tokvec_free(&S.keep[i]);
	free(S.keep);
	st_diag_free(&S.diag);
	if (S.errors || (opts && opts->werror && S.diag.warnings)) {
		if (S.diag.out && !S.empty && S.errors)
			fprintf(S.diag.out, "%d parse error%s.\n", S.errors, S.errors == 1 ? "" : "s");
		st_program_free(S.prog);
		return NULL;
	}
	return S.prog;
}
