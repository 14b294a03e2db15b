/* ctypes.h - the layout of user-space C types for @cast, from DWARF.
 *
 * @cast(p, "type", "</usr/include/stdio.h>") names a type of a header, and
 * @cast(p, "type", "/path/to/program") one of a program's debug
 * information.  The kernel's types come from BTF instead (btf.h).
 */
#ifndef ST_LOWERING_CTYPES_H
#define ST_LOWERING_CTYPES_H

#include <stdint.h>
#include <stddef.h>

/* sizeof(type) into *size and the byte offset of the member path
 * members[0..n) (embedded members only) into *off.  module is "<header.h>"
 * (compiled by cc, as stap does) or the path of an ELF file with DWARF.
 * 0, or -ENOENT / -EINVAL with stap's message in msg. */
int st_ctype_layout(const char *module, const char *type, const char *const *members, uint32_t n,
		    uint64_t *size, uint64_t *off, char *msg, size_t msgsz);

#endif
