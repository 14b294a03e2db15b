#!/bin/sh
# build.sh - build every libFuzzer target tests/fuzz/fuzz_*.c, independent
# of the Makefile.  build/libstaplet.a is not sanitizer-built, so the library
# sources (frontend, tapset, lowering, runtime, the perf and trace-cmd
# backends; not plugins/main.c) are compiled here with clang
# and the fuzzer's sanitizers into an archive each target links against; the
# archive only pulls the objects a target needs.
#
#   tests/fuzz/build.sh [OUTDIR]          (default build-fuzz)
#   build-fuzz/fuzz_frontend CORPUS_DIR -max_total_time=600
set -e
cd "$(dirname "$0")/../.."
OUT=${1:-build-fuzz}
CC=${CC:-clang}
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
PKGS="libtracefs libtraceevent libtracecmd libbpf libelf libdw"
CFLAGS="-g -O1 -std=gnu11 -D_GNU_SOURCE -I. -Wall -Wextra -Werror -Wno-unused-parameter $(pkg-config --cflags $PKGS 2>/dev/null)"
LIBS="$(pkg-config --libs $PKGS 2>/dev/null) -lpthread -lm"

mkdir -p "$OUT/obj"
# a changed header rebuilds everything (no dependency tracking here)
newest_h=$(ls -t frontend/*.h tapset/*.h lowering/*.h runtime/*.h plugins/*/*.h tapset/*.def 2>/dev/null | head -1)
if [ -f "$OUT/libstaplet-fuzz.a" ] && [ -n "$newest_h" ] && [ "$newest_h" -nt "$OUT/libstaplet-fuzz.a" ]; then
	rm -f "$OUT"/obj/*.o
fi
objs=""
for src in frontend/*.c tapset/*.c lowering/*.c runtime/*.c plugins/*/*.c; do
	[ -f "$src" ] || continue
	obj="$OUT/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$0" -nt "$obj" ]; then
		$CC $CFLAGS $SAN -c -o "$obj" "$src"
	fi
	objs="$objs $obj"
done
stale=0
for o in $objs; do [ "$o" -nt "$OUT/libstaplet-fuzz.a" ] && stale=1; done
if [ ! -f "$OUT/libstaplet-fuzz.a" ] || [ $stale = 1 ]; then
	rm -f "$OUT/libstaplet-fuzz.a"
	ar rcs "$OUT/libstaplet-fuzz.a" $objs
fi

for t in tests/fuzz/fuzz_*.c; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .c)
	if [ -x "$OUT/$name" ] && [ "$OUT/$name" -nt "$t" ] && ! [ "$OUT/libstaplet-fuzz.a" -nt "$OUT/$name" ]; then
		continue
	fi
	$CC $CFLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o "$OUT/$name" "$t" "$OUT/libstaplet-fuzz.a" $LIBS
	echo "built $OUT/$name"
done
