/* vm_ustruct.c - the user structs stap's syscall tapset prints in argstr:
 * _struct_timespec_u ("[1.500000000]"), _struct_rlimit_u ("[1024,4096]"),
 * _struct_sockaddr_u ("{AF_INET, 127.0.0.1, 80}").  The bytes come from the
 * event's copy (the capture program took them at the syscall's entry),
 * else from the live process; an unreadable struct prints as stap prints
 * it (its address, or "{...}" for a sockaddr). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include "runtime/vm_internal.h"

#include "tapset/builtins.h"

#define UTIME_NOW_NS ((1l << 30) - 1l)
#define UTIME_OMIT_NS ((1l << 30) - 2l)

static const char *timespec_str(struct st_vm *vm, uint64_t addr, int64_t n, char *buf, size_t size)
{
	int64_t ts[4];
	size_t len = 0;

	if (!addr || n < 1 || n > 2)
		return "NULL";
	if (st_vm_user_bytes(vm, addr, ts, (size_t)n * 16) < 0) {
		snprintf(buf, size, "0x%llx", (unsigned long long)addr);
		return buf;
	}
	buf[0] = 0;
	for (int64_t i = 0; i < n && len < size; i++) {
		int64_t sec = ts[2 * i], ns = ts[2 * i + 1];

		if (ns == UTIME_NOW_NS || ns == UTIME_OMIT_NS)
			len += (size_t)snprintf(buf + len, size - len, "[%s]", ns == UTIME_NOW_NS ? "UTIME_NOW"
										   : "UTIME_OMIT");
		else
			len += (size_t)snprintf(buf + len, size - len, "[%lld.%09lld]", (long long)sec, (long long)ns);
	}
	return buf;
}

static const char *rlimit_str(struct st_vm *vm, uint64_t addr, char *buf, size_t size)
{
	int64_t rl[2];

	if (!addr)
		return "NULL";
	if (st_vm_user_bytes(vm, addr, rl, sizeof(rl)) < 0)
		snprintf(buf, size, "0x%llx", (unsigned long long)addr);
	else
		snprintf(buf, size, "[%lld,%lld]", (long long)rl[0], (long long)rl[1]);
	return buf;
}

/* %pI6: eight groups of four hex digits */
static void ip6_str(const uint8_t *a, char *out, size_t size)
{
	size_t len = 0;

	for (int i = 0; i < 16 && len < size; i += 2)
		len += (size_t)snprintf(out + len, size - len, "%s%02x%02x", i ? ":" : "", a[i], a[i + 1]);
}

static const char *sockaddr_str(struct st_vm *vm, uint64_t addr, int64_t salen, char *buf, size_t size)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_un un;
		struct sockaddr_nl nl;
		uint8_t b[128];
	} u;
	size_t len = salen < 0 ? 0 : salen > 128 ? 128 : (size_t)salen;
	char a[64];

	if (!addr)
		return "NULL";
	memset(&u, 0, sizeof(u));
	if (len && st_vm_user_bytes(vm, addr, u.b, len) < 0)
		return "{...}";
	if (u.sa.sa_family == AF_INET && len == sizeof(u.in)) {
		inet_ntop(AF_INET, &u.in.sin_addr, a, sizeof(a));
		snprintf(buf, size, "{AF_INET, %s, %d}", a, ntohs(u.in.sin_port));
	} else if (u.sa.sa_family == AF_UNIX && (len == sizeof(u.un) || len >= sizeof(sa_family_t) + 2)) {
		u.b[127] = 0;
		if (u.un.sun_path[0])
			snprintf(buf, size, "{AF_UNIX, \"%s\"}", u.un.sun_path);
		else     /* abstract: the name after the NUL, as is */
			snprintf(buf, size, "{AF_UNIX, \"\\000%.*s\"}", (int)(len - sizeof(sa_family_t) - 1),
				 u.un.sun_path + 1);
	} else if (u.sa.sa_family == AF_NETLINK && len == sizeof(u.nl)) {
		snprintf(buf, size, "{AF_NETLINK, pid=%d, groups=%08x}", (int)u.nl.nl_pid, u.nl.nl_groups);
	} else if (u.sa.sa_family == AF_INET6 && len == sizeof(u.in6)) {
		ip6_str(u.in6.sin6_addr.s6_addr, a, sizeof(a));
		snprintf(buf, size, "{AF_INET6, %s, %d}", a, ntohs(u.in6.sin6_port));
	} else if (len >= sizeof(sa_family_t)) {
		snprintf(buf, size, "{unknown sockaddr with sa=%d, salen=%d}", u.sa.sa_family, (int)len);
	} else {
		snprintf(buf, size, "{unknown sockaddr with salen=%d}", (int)len);
	}
	return buf;
}

enum st_vm_status st_vm_ustruct_builtin(struct st_vm *vm, unsigned id, const st_value *a, st_value *ret)
{
	char buf[512];
	const char *s;

	switch (id) {
	case ST_BI_STRUCT_TIMESPEC_U:
		s = timespec_str(vm, (uint64_t)a[0].n, a[1].n, buf, sizeof(buf));
		break;
	case ST_BI_STRUCT_RLIMIT_U:
		s = rlimit_str(vm, (uint64_t)a[0].n, buf, sizeof(buf));
		break;
	case ST_BI_STRUCT_SOCKADDR_U:
		s = sockaddr_str(vm, (uint64_t)a[0].n, a[1].n, buf, sizeof(buf));
		break;
	default:
		return st_vm_raise(vm, "internal: not a struct builtin %u", id);
	}
	ret->s = st_vm_str(vm, s, strlen(s));
	return ST_VM_OK;
}
