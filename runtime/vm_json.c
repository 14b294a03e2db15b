/* vm_json.c - `--format=json`: the end-of-run values of every global as one
 * JSON document, for programs rather than people (the script's own globals,
 * in declaration order; a tapset's are left out):
 *
 *   {"globals": {
 *     "count": 42,                                    a long
 *     "name": "text",                                 a string
 *     "lat": {"count": 3, "sum": 30, "min": 5,        a statistic (min, max,
 *             "max": 20, "avg": 10,                   avg null when empty)
 *             "histogram": {"type": "log",            when the script takes one:
 *                           "buckets": [{"value": 4, "count": 2}, ...]}},
 *     "n": [{"key": ["bash", 3], "value": 7}, ...]    an array, insertion order
 *   }}
 *
 * Histograms list the buckets that count something, labelled as stap's
 * printed histogram labels them; a linear histogram's underflow and
 * overflow rows say "edge": "under" / "over".  Strings are escaped to valid
 * UTF-8 JSON: a byte that does not start a well-formed UTF-8 sequence is
 * written as the code point of the same number (\u00XX).
 */
#include <stdio.h>
#include <stdlib.h>
#include "runtime/stats.h"
#include "runtime/vm.h"

/* The length of the well-formed UTF-8 sequence at s (2-4 bytes, shortest
 * form, no surrogates, at most U+10FFFF), or 0. */
static int utf8_len(const unsigned char *s)
{
	unsigned c = s[0], cp, n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return (int)n;
}

static void json_str(struct st_buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	char esc[8];

	st_buf_puts(b, "\"");
	while (*s) {
		int n = *s >= 0x80 ? utf8_len(s) : 0;

		if (n) {
			st_buf_append(b, (const char *)s, (size_t)n);
			s += n;
			continue;
		}
		switch (*s) {
		case '"': st_buf_puts(b, "\\\""); break;
		case '\\': st_buf_puts(b, "\\\\"); break;
		case '\n': st_buf_puts(b, "\\n"); break;
		case '\t': st_buf_puts(b, "\\t"); break;
		case '\r': st_buf_puts(b, "\\r"); break;
		default:
			if (*s < 0x20 || *s >= 0x80) {
				snprintf(esc, sizeof(esc), "\\u%04x", *s);
				st_buf_puts(b, esc);
			} else {
				st_buf_append(b, (const char *)s, 1);
			}
		}
		s++;
	}
	st_buf_puts(b, "\"");
}

static void json_field(struct st_buf *b, const char *name, int64_t v, bool have)
{
	st_buf_puts(b, ", \"");
	st_buf_puts(b, name);
	st_buf_puts(b, "\": ");
	if (have)
		st_buf_long(b, v);
	else
		st_buf_puts(b, "null");
}

static void json_hist(struct st_buf *b, const struct st_stat *st, const struct st_stat_shape *shape)
{
	bool first = true;

	st_buf_puts(b, ", \"histogram\": {\"type\": ");
	st_buf_puts(b, shape->hist == ST_HIST_LOG ? "\"log\"" : "\"linear\"");
	st_buf_puts(b, ", \"buckets\": [");
	for (uint32_t i = 0; i < shape->nbuckets; i++) {
		int edge;
		int64_t label = st_stat_bucket_label(shape, (int)i, &edge);

		if (!st->buckets[i])
			continue;
		st_buf_puts(b, first ? "{\"value\": " : ", {\"value\": ");
		first = false;
		st_buf_long(b, label);
		st_buf_puts(b, ", \"count\": ");
		st_buf_long(b, st->buckets[i]);
		if (edge)
			st_buf_puts(b, edge < 0 ? ", \"edge\": \"under\"" : ", \"edge\": \"over\"");
		st_buf_puts(b, "}");
	}
	st_buf_puts(b, "]}");
}

/* element: an array's entry (stap extracts those per partition). */
static void json_stat(struct st_buf *b, const struct st_stat *st, const struct st_stat_shape *shape, bool element)
{
	enum st_stat_op ops[3] = { ST_AGG_MIN, ST_AGG_MAX, ST_AGG_AVG };
	static const char *const names[3] = { "min", "max", "avg" };

	st_buf_puts(b, "{\"count\": ");
	st_buf_long(b, st->count);
	json_field(b, "sum", st->sum, true);
	for (int i = 0; i < 3; i++) {
		int64_t v = 0;
		int r = element ? st_stat_get_element(st, shape, ops[i], &v) : st_stat_get(st, shape, ops[i], &v);

		json_field(b, names[i], v, st->count && r == 0);
	}
	if (shape->hist != ST_HIST_NONE && st->buckets && shape->nbuckets)
		json_hist(b, st, shape);
	st_buf_puts(b, "}");
}

static void json_array(struct st_buf *b, const struct st_plan_global *g, const struct st_map *m)
{
	const struct st_map_entry *e;
	bool first = true;

	st_buf_puts(b, "[");
	for (e = m ? st_map_first(m) : NULL; e; e = st_map_next(e)) {
		st_buf_puts(b, first ? "\n    {\"key\": [" : ",\n    {\"key\": [");
		first = false;
		for (uint32_t k = 0; k < g->map.nkeys; k++) {
			if (k)
				st_buf_puts(b, ", ");
			if (g->map.key[k] == ST_T_STRING)
				json_str(b, e->key[k].s);
			else
				st_buf_long(b, e->key[k].n);
		}
		st_buf_puts(b, "], \"value\": ");
		if (g->type == ST_T_STATS)
			json_stat(b, &e->val.stat, &g->map.shape, true);
		else if (g->type == ST_T_STRING)
			json_str(b, e->val.s);
		else
			st_buf_long(b, e->val.n);
		st_buf_puts(b, "}");
	}
	st_buf_puts(b, first ? "]" : "\n  ]");
}

void st_vm_print_json(struct st_vm *vm)
{
	const struct st_plan *p = vm->plan;
	struct st_buf *b = &vm->out;

	bool first = true;

	st_buf_puts(b, "{\"globals\": {");
	for (uint32_t i = 0; i < p->nglobals; i++) {
		const struct st_plan_global *g = &p->globals[i];
		const struct st_gslot *s = &vm->globals[i];

		if (!g->in_script)
			continue;     /* a tapset's own state */
		st_buf_puts(b, first ? "\n  " : ",\n  ");
		first = false;
		json_str(b, g->name);
		st_buf_puts(b, ": ");
		if (g->is_array)
			json_array(b, g, s->map);
		else if (g->type == ST_T_STATS)
			json_stat(b, &s->stat, &g->shape, false);
		else if (g->type == ST_T_STRING)
			json_str(b, s->v.s);
		else
			st_buf_long(b, s->v.n);
	}
	st_buf_puts(b, first ? "}}\n" : "\n}}\n");
}
