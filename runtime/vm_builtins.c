/* vm_builtins.c - the functions stap implements in embedded C: context,
 * time, control and strings. */
#include <ctype.h>
#include <sched.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "runtime/clock.h"
#include "runtime/control.h"
#include "runtime/ctx_builtins.h"
#include "runtime/output.h"
#include "runtime/vm_internal.h"
#include "tapset/builtins.h"

static int64_t wall_ns(struct st_vm *vm)
{
	return (int64_t)vm->now_mono + vm->wall_offset_ns;
}

/* stap's ctime(): "Thu Jan  1 00:00:00 1970", UTC. */
static const char *ctime_str(struct st_vm *vm, int64_t secs)
{
	char buf[64];
	struct tm tm;
	time_t t = (time_t)secs;

	if (!gmtime_r(&t, &tm))
		return "<invalid time>";
	strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm);
	return st_vm_str(vm, buf, strlen(buf));
}

/* stap's tz_ctime(): local time with the zone, "Wed Jun 30 21:49:08 2010 PDT". */
static const char *tz_ctime_str(struct st_vm *vm, int64_t secs)
{
	char buf[80];
	struct tm tm;
	time_t t = (time_t)secs;

	if (!localtime_r(&t, &tm))
		return "<invalid time>";
	strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y %Z", &tm);
	return st_vm_str(vm, buf, strlen(buf));
}

static const char *substr(struct st_vm *vm, const char *s, int64_t start, int64_t len)
{
	int64_t n = (int64_t)strlen(s);

	if (start < 0 || len <= 0 || start >= n)
		return "";
	if (len > n - start)
		len = n - start;
	return st_vm_str(vm, s + start, (size_t)len);
}

static const char *str_replace(struct st_vm *vm, const char *s, const char *from, const char *to)
{
	struct st_buf b;
	const char *p, *hit, *r;
	size_t fl = strlen(from);

	if (!fl)
		return s;
	st_buf_init(&b);
	for (p = s; (hit = strstr(p, from)); p = hit + fl) {
		st_buf_append(&b, p, (size_t)(hit - p));
		st_buf_puts(&b, to);
	}
	st_buf_puts(&b, p);
	r = st_vm_str(vm, b.p ? b.p : "", b.len);
	st_buf_free(&b);
	return r;
}

/* One character of s (at most size bytes): a UTF-8 sequence of 2-4 bytes
 * that encodes a code point the shortest way, else one byte as is. */
static int utf8_char(const unsigned char *s, int size, int *cp)
{
	int c, n, i;

	if ((s[0] & 0xE0) == 0xC0 && size >= 2)
		n = 2, c = s[0] & 0x1F;
	else if ((s[0] & 0xF0) == 0xE0 && size >= 3)
		n = 3, c = s[0] & 0x0F;
	else if ((s[0] & 0xF8) == 0xF0 && size >= 4)
		n = 4, c = s[0] & 0x07;
	else
		goto one;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto one;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF || c < 0x80 || (n == 3 && c < 0x800) ||
	    (n == 4 && c < 0x10000))
		goto one;
	*cp = c;
	return n;
one:
	*cp = s[0];
	return 1;
}

/* text_str, text_strn and string_quoted, as stap's runtime escapes:
 * \a \b \f \n \r \t \v \" \\, other unprintable bytes as \ooo, UTF-8 as
 * \uXXXX or \UXXXXXXXX.  outlen caps the output (0: MAXSTRINGLEN-1); a
 * quoted result cut short ends `"...` without a partial escape. */
static const char *escape(struct st_vm *vm, const char *in, int64_t outlen, bool quoted)
{
	const int max = (int)vm->limits.maxstringlen - 1;
	char *outstr = st_arena_alloc(&vm->arena, (size_t)max + 8), *out = outstr, *esc = NULL;
	const unsigned char *p = (const unsigned char *)in;
	int inlen = max, left = outlen <= 0 || outlen > max ? max : (int)outlen, esc_len = 0, c = 0;

	if (quoted) {
		left = (left > 5 ? left : 5) - 2;
		*out++ = '"';
	}
	while (inlen > 0) {
		int num = 1, n = utf8_char(p, inlen, &c);

		if (c == 0 || left <= 0)
			break;
		p += n;
		inlen -= n;
		if (n > 1) {
			num = c <= 0xFFFF ? 6 : 10;
			if (!esc && left - 3 < num)
				esc = out, esc_len = num;
			if (left < num)
				break;
			out += sprintf(out, c <= 0xFFFF ? "\\u%04X" : "\\U%08X", c);
		} else if (c >= 32 && c < 127 && c != '"' && c != '\\') {
			*out++ = (char)c;
		} else {
			static const char shortesc[] = "\aa\bb\ff\nn\rr\tt\vv\"\"\\\\";
			const char *e = NULL;

			for (int i = 0; shortesc[i]; i += 2)
				if (shortesc[i] == c)
					e = &shortesc[i + 1];
			num = e ? 2 : 4;
			if (!esc && left - 3 < num)
				esc = out, esc_len = num;
			if (left < num)
				break;
			*out++ = '\\';
			if (e) {
				*out++ = *e;
			} else {
				*out++ = (char)('0' + ((c >> 6) & 3));
				*out++ = (char)('0' + ((c >> 3) & 7));
				*out++ = (char)('0' + (c & 7));
			}
		}
		left -= num;
	}
	if (quoted) {
		if (c && inlen > 0) {
			char *cut = out - 3 + left;

			out = esc && esc < cut && cut < esc + esc_len ? esc : cut;
			memcpy(out, "\"...", 4);
			out += 4;
		} else {
			*out++ = '"';
		}
	}
	*out = 0;
	return outstr;
}

/* tokenize(s, delim): a non-empty s starts over; "" continues. */
static const char *tokenize(struct st_vm *vm, const char *s, const char *delim)
{
	char *tok;

	if (*s) {
		free(vm->tok_buf);
		vm->tok_buf = strdup(s);
		vm->tok_pos = vm->tok_buf;
	}
	if (!vm->tok_pos)
		return "";
	do
		tok = strsep(&vm->tok_pos, delim);
	while (tok && !*tok && vm->tok_pos);
	if (!tok || !*tok)
		return "";
	return st_vm_str(vm, tok, strlen(tok));
}

/* stap's strtol is the kernel's simple_strtol: an optional '-', digits
 * (with 0x for base 16 or 0), and no leading blanks or '+' as C's allows. */
static int64_t str_to_long(const char *s, int64_t base)
{
	if ((base != 0 && (base < 2 || base > 36)) || isspace((unsigned char)*s) || *s == '+')
		return 0;
	return (int64_t)strtoll(s, NULL, (int)base);
}

static const char *matched(struct st_vm *vm, int64_t n)
{
	if (n < 0 || (uint32_t)n >= vm->match_n || vm->match[n].rm_so < 0)
		return "";
	return st_vm_str(vm, vm->match_subject + vm->match[n].rm_so,
			 (size_t)(vm->match[n].rm_eo - vm->match[n].rm_so));
}

static const char *errno_name(int64_t e)
{
	static const char *const names[] = {
		[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EINTR] = "EINTR",
		[EIO] = "EIO", [ENXIO] = "ENXIO", [E2BIG] = "E2BIG", [ENOEXEC] = "ENOEXEC",
		[EBADF] = "EBADF", [ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM",
		[EACCES] = "EACCES", [EFAULT] = "EFAULT", [ENOTBLK] = "ENOTBLK", [EBUSY] = "EBUSY",
		[EEXIST] = "EEXIST", [EXDEV] = "EXDEV", [ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR",
		[EISDIR] = "EISDIR", [EINVAL] = "EINVAL", [ENFILE] = "ENFILE", [EMFILE] = "EMFILE",
		[ENOTTY] = "ENOTTY", [ETXTBSY] = "ETXTBSY", [EFBIG] = "EFBIG", [ENOSPC] = "ENOSPC",
		[ESPIPE] = "ESPIPE", [EROFS] = "EROFS", [EMLINK] = "EMLINK", [EPIPE] = "EPIPE",
		[EDOM] = "EDOM", [ERANGE] = "ERANGE", [EDEADLK] = "EDEADLK", [ENAMETOOLONG] = "ENAMETOOLONG",
		[ENOLCK] = "ENOLCK", [ENOSYS] = "ENOSYS", [ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP",
		[ENOMSG] = "ENOMSG", [EIDRM] = "EIDRM", [ETIME] = "ETIME", [EOVERFLOW] = "EOVERFLOW",
		[ENOTSOCK] = "ENOTSOCK", [EADDRINUSE] = "EADDRINUSE", [ECONNREFUSED] = "ECONNREFUSED",
		[ECONNRESET] = "ECONNRESET", [ETIMEDOUT] = "ETIMEDOUT", [EINPROGRESS] = "EINPROGRESS",
		[EALREADY] = "EALREADY", [ENOTCONN] = "ENOTCONN", [EOPNOTSUPP] = "EOPNOTSUPP",
	};

	if (e < 0)
		e = -e;
	if (e < (int64_t)(sizeof(names) / sizeof(names[0])) && names[e])
		return names[e];
	return NULL;
}

/* user_string_quoted / user_string_n_quoted, as stap's tapset defines
 * them: the quoted string, or the address as "0x..." when it cannot be
 * read (never an error). */
static const char *user_quoted(struct st_vm *vm, uint64_t addr, int64_t n)
{
	const size_t max = vm->limits.maxstringlen - 1;
	const char *q;
	st_value v;
	char buf[32];

	if (st_vm_user_string(vm, n, addr, &v) != ST_VM_OK) {
		vm->errmsg[0] = 0;
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)addr);
		return st_vm_str(vm, buf, strlen(buf));
	}
	q = escape(vm, v.s, 0, true);
	if (n >= 0 && strlen(q) + 2 > max + 1 && max >= 4) {
		/* user_string_n_quoted: room for the quotes and "..." */
		char *cut = st_arena_alloc(&vm->arena, max + 1);

		snprintf(cut, max + 1, "%.*s\"...", (int)(max + 1 - 4), q);
		return cut;
	}
	return q;
}

/* s .= t within MAXSTRINGLEN - 1 bytes (buf holds max + 1). */
static size_t cat_max(char *buf, size_t len, size_t max, const char *t)
{
	size_t n = strlen(t);

	if (n > max - len)
		n = max - len;
	memcpy(buf + len, t, n);
	buf[len + n] = 0;
	return len + n;
}

/* __get_argv(argv, first): ["a", "b"] as stap's syscall tapset prints a
 * NULL-terminated array of strings; a pointer that cannot be read ends it
 * as 0x..., an output that is full ends it early (stap's loop stops when
 * an element no longer grows it). */
static const char *get_argv(struct st_vm *vm, uint64_t argv, int64_t first)
{
	const size_t max = vm->limits.maxstringlen - 1;
	char *str = st_arena_alloc(&vm->arena, max + 1), hex[32];
	size_t len = 0, prev = 0;

	str[0] = 0;
	len = cat_max(str, len, max, "[");
	if (first && argv)
		argv += 8 * (uint64_t)first;
	while (argv && len < max) {
		st_value p, addr = { .n = (int64_t)argv };

		if (st_vm_builtin(vm, ST_BI_USER_LONG, &addr, &p) != ST_VM_OK) {
			vm->errmsg[0] = 0;
			if (prev)
				len = cat_max(str, len, max, ", ");
			snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)argv);
			len = cat_max(str, len, max, hex);
			break;
		}
		if (p.n == 0)
			break;
		if (prev)
			len = cat_max(str, len, max, ", ");
		len = cat_max(str, len, max, user_quoted(vm, (uint64_t)p.n, -1));
		if (len == prev)
			break;
		prev = len;
		argv += 8;
	}
	cat_max(str, len, max, "]");
	return str;
}

enum st_vm_status st_vm_builtin(struct st_vm *vm, unsigned id, const st_value *a, st_value *ret)
{
	const struct st_event *ev = vm->ev;

	switch ((enum st_builtin_id)id) {
	case ST_BI_EXECNAME: ret->s = ev ? ev->comm : vm->self_comm; break;
	case ST_BI_HOSTNAME: ret->s = vm->host ? vm->host : ""; break;
	case ST_BI_PID: ret->n = ev ? ev->pid : vm->self_pid; break;
	case ST_BI_TID: ret->n = ev ? ev->tid : vm->self_pid; break;
	case ST_BI_CPU: ret->n = ev ? ev->cpu : sched_getcpu(); break;
	case ST_BI_TARGET: ret->n = vm->target_pid; break;
	case ST_BI_MAXSTRINGLEN: ret->n = vm->limits.maxstringlen; break;
	case ST_BI_PP: ret->s = vm->probe ? vm->probe->pp : ""; break;
	case ST_BI_PN: ret->s = vm->probe && vm->probe->pn ? vm->probe->pn : ""; break;
	case ST_BI_PPFUNC:
	case ST_BI_PROBEFUNC: {
		const struct st_source *s = vm->probe ? &vm->plan->sources[vm->probe->source] : NULL;

		ret->s = s && s->probe_func ? s->probe_func : s && s->event ? s->event : "";
		break;
	}
	case ST_BI_GETTIMEOFDAY_S: ret->n = wall_ns(vm) / 1000000000; break;
	case ST_BI_GETTIMEOFDAY_MS: ret->n = wall_ns(vm) / 1000000; break;
	case ST_BI_GETTIMEOFDAY_US: ret->n = wall_ns(vm) / 1000; break;
	case ST_BI_GETTIMEOFDAY_NS: ret->n = wall_ns(vm); break;
	case ST_BI_LOCAL_CLOCK_NS: case ST_BI_CPU_CLOCK_NS: ret->n = (int64_t)vm->now_mono; break;
	case ST_BI_LOCAL_CLOCK_US: case ST_BI_CPU_CLOCK_US: ret->n = (int64_t)vm->now_mono / 1000; break;
	case ST_BI_LOCAL_CLOCK_MS: case ST_BI_CPU_CLOCK_MS: ret->n = (int64_t)vm->now_mono / 1000000; break;
	case ST_BI_LOCAL_CLOCK_S: case ST_BI_CPU_CLOCK_S: ret->n = (int64_t)vm->now_mono / 1000000000; break;
	case ST_BI_GET_CYCLES: ret->n = (int64_t)st_clock_mono_ns(); break;
	case ST_BI_JIFFIES: ret->n = (int64_t)vm->now_mono / 4000000; break;
	case ST_BI_HZ: ret->n = 250; break;
	case ST_BI_CTIME: ret->s = ctime_str(vm, a[0].n); break;
	case ST_BI_TZ_CTIME: ret->s = tz_ctime_str(vm, a[0].n); break;
	case ST_BI_CTIME0: ret->s = ctime_str(vm, wall_ns(vm) / 1000000000); break;
	case ST_BI_EXIT: st_control_request_stop(ST_STOP_EXIT); break;
	case ST_BI_ERROR:
		vm->err_noloc = true;
		return st_vm_raise(vm, "%s", a[0].s);
	case ST_BI_WARN:
		st_vm_flush(vm);
		fprintf(stderr, "WARNING: %s\n", a[0].s);
		break;
	case ST_BI_LOG:
		st_buf_puts(&vm->out, a[0].s);
		st_buf_puts(&vm->out, "\n");
		st_vm_flush(vm);
		break;
	case ST_BI_ABORT:
		st_control_request_stop(ST_STOP_EXIT);
		return ST_VM_ABORT;
	case ST_BI_STRLEN: ret->n = (int64_t)strlen(a[0].s); break;
	case ST_BI_SUBSTR: ret->s = substr(vm, a[0].s, a[1].n, a[2].n); break;
	case ST_BI_ISINSTR: ret->n = strstr(a[0].s, a[1].s) != NULL; break;
	case ST_BI_STRPOS: {
		const char *h = strstr(a[0].s, a[1].s);

		ret->n = h ? h - a[0].s : -1;
		break;
	}
	case ST_BI_FIELD_BYTE:
		/* char is signed, as the kernel's char arrays are on x86 */
		ret->n = a[1].n >= 0 && a[1].n < (int64_t)strlen(a[0].s) ? (signed char)a[0].s[a[1].n] : 0;
		break;
	case ST_BI_STRINGAT:
		if (a[1].n < 0 || a[1].n >= (int64_t)strlen(a[0].s))
			return st_vm_raise(vm, "Position out of bounds");
		ret->n = (unsigned char)a[0].s[a[1].n];
		break;
	case ST_BI_STRTOL: ret->n = str_to_long(a[0].s, a[1].n); break;
	case ST_BI_ISDIGIT: ret->n = isdigit((unsigned char)a[0].s[0]) != 0; break;
	case ST_BI_TOUPPER:
	case ST_BI_TOLOWER: {
		char *s = (char *)st_vm_str(vm, a[0].s, strlen(a[0].s));
		char *p;

		for (p = s; *p; p++)
			*p = (char)(id == ST_BI_TOUPPER ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
		ret->s = s;
		break;
	}
	case ST_BI_STR_REPLACE: ret->s = str_replace(vm, a[0].s, a[1].s, a[2].s); break;
	case ST_BI_TEXT_STR: ret->s = escape(vm, a[0].s, 0, false); break;
	case ST_BI_TEXT_STRN: ret->s = escape(vm, a[0].s, a[1].n, a[2].n != 0); break;
	case ST_BI_STRING_QUOTED: ret->s = escape(vm, a[0].s, 0, true); break;
	case ST_BI_TOKENIZE: ret->s = tokenize(vm, a[0].s, a[1].s); break;
	case ST_BI_TOKENIZE1: ret->s = tokenize(vm, "", a[0].s); break;   /* continue the last input */
	case ST_BI_MATCHED: ret->s = matched(vm, a[0].n); break;
	case ST_BI_MATCHED_STR: ret->s = matched(vm, 0); break;
	case ST_BI_NGROUPS: ret->n = vm->match_n ? vm->match_n - 1 : 0; break;
	case ST_BI_RANDINT: ret->n = a[0].n > 0 ? (int64_t)(random() % a[0].n) : 0; break;
	case ST_BI_ABS: ret->n = a[0].n < 0 ? (int64_t)(0 - (uint64_t)a[0].n) : a[0].n; break;
	case ST_BI_ERRNO_STR: {
		const char *n = errno_name(a[0].n);
		char buf[32];

		if (!n) {
			snprintf(buf, sizeof(buf), "E#%lld", (long long)(a[0].n < 0 ? -a[0].n : a[0].n));
			n = buf;
		}
		ret->s = st_vm_str(vm, n, strlen(n));
		break;
	}
	case ST_BI_USER_STRING:
	case ST_BI_USER_STRING_N:
		return st_vm_user_string(vm, id == ST_BI_USER_STRING_N ? a[1].n : -1, (uint64_t)a[0].n, ret);
	case ST_BI_USER_STRING_QUOTED:
	case ST_BI_USER_STRING_N_QUOTED:
		ret->s = user_quoted(vm, (uint64_t)a[0].n, id == ST_BI_USER_STRING_N_QUOTED ? a[1].n : -1);
		break;
	case ST_BI_GET_ARGV:
		ret->s = get_argv(vm, (uint64_t)a[0].n, a[1].n);
		break;
	case ST_BI_STRUCT_TIMESPEC_U: case ST_BI_STRUCT_RLIMIT_U: case ST_BI_STRUCT_SOCKADDR_U:
		return st_vm_ustruct_builtin(vm, id, a, ret);
	case ST_BI_SWITCH_FILE:
		/* what was printed so far stays in the current file */
		st_vm_flush(vm);
		if (vm->output)
			st_output_switch(vm->output);
		break;
	case ST_BI_PROC_MEM_SIZE0: case ST_BI_PROC_MEM_SIZE: case ST_BI_PROC_MEM_RSS0: case ST_BI_PROC_MEM_RSS:
	case ST_BI_PROC_MEM_SHR0: case ST_BI_PROC_MEM_SHR: case ST_BI_PROC_MEM_TXT0: case ST_BI_PROC_MEM_TXT:
	case ST_BI_PROC_MEM_DATA0: case ST_BI_PROC_MEM_DATA: case ST_BI_MEM_PAGE_SIZE:
		return st_proc_mem_builtin(vm, id, a, ret);
	case ST_BI_TASK_OPEN_FILE_HANDLES: case ST_BI_TASK_RLIMIT: case ST_BI_PID2TASK:
	case ST_BI_BDEVNAME: case ST_BI_ADDR_TO_NODE:
		return st_task_files_builtin(vm, id, a, ret);
	case ST_BI_KERNEL_STRING: case ST_BI_KERNEL_STRING_N: case ST_BI_KERNEL_STRING2: case ST_BI_KREAD_STRING:
	case ST_BI_KERNEL_LONG: case ST_BI_KERNEL_POINTER: case ST_BI_KERNEL_INT: case ST_BI_KERNEL_SHORT:
	case ST_BI_KERNEL_CHAR: case ST_BI_KREAD_VALUE: case ST_BI_KREAD_TASK:
		return st_vm_kmem_builtin(vm, id, a, ret);
	case ST_BI_COUNT:
		return st_vm_raise(vm, "internal: unknown builtin %u", id);
	default:   /* context, user memory, syscall arguments, flags */
		return st_ctx_builtin(vm, id, a, ret);
	}
	return ST_VM_OK;
}
