# staplet - SystemTap scripts on the kernel's own tracing infrastructure.
#
#   make              build build/bin/{perf-stap,trace-cmd-stap,trace-cmd}
#   make deps         install the Debian packages the build, run and tests need
#   make check        run every test; ends with "N passed, N failed"
#   make check-asan   the same under ASan + UBSan
#   make check-examples-guest  SystemTap's kprobe examples in a distro-kernel guest
#   make bench        benchmarks against perf, trace-cmd and bpftrace
#   make soak         10 minutes per backend and mode under load: RSS flat, no event unaccounted
#   make install      PREFIX=/usr/local

PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
PKGS    := libtracefs libtraceevent libtracecmd libbpf libelf libdw
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPT     ?= -O2 -g
CFLAGS  += $(OPT) -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
           -D_GNU_SOURCE -I. $(PKG_CFLAGS) $(SAN)
LDFLAGS += $(SAN)
LDLIBS  += $(PKG_LIBS) -lpthread -lm

CORE_SRC   := $(wildcard frontend/*.c lowering/*.c runtime/*.c tapset/*.c)
PLUGIN_SRC := $(wildcard plugins/perf/*.c plugins/trace-cmd/*.c)
MAIN_SRC   := plugins/main.c
CORE_OBJ   := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
PLUGIN_OBJ := $(PLUGIN_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ   := $(MAIN_SRC:%.c=$(BUILD)/obj/%.o)
LIB        := $(BUILD)/libstaplet.a

UNIT_SRC   := $(wildcard tests/unit/*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC  := $(wildcard bench/*.c)
BENCH_BIN  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
WORK_SRC   := $(wildcard tests/workload/*.c)
WORK_BIN   := $(WORK_SRC:tests/workload/%.c=$(BUILD)/tests/workload/%)
WORK_LIB   := $(BUILD)/tests/workload/lib/libstapletu.so.1

BIN_NAMES  := perf-stap trace-cmd-stap trace-cmd

all: $(BUILD)/bin/staplet $(BIN_NAMES:%=$(BUILD)/bin/%)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(CORE_OBJ) $(PLUGIN_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/staplet: $(MAIN_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN_NAMES:%=$(BUILD)/bin/%): $(BUILD)/bin/staplet
	ln -sf staplet $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/workload/%: tests/workload/%.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -Wall -Wextra -Werror -o $@ $<

# a 32-bit program without libc (tests/live/compat_syscalls.sh)
$(BUILD)/tests/workload/compat32: tests/workload/compat32.c
	@mkdir -p $(dir $@)
	$(CC) -m32 -nostdlib -static -ffreestanding -fno-pie -no-pie -fno-stack-protector -O1 -Wall -Wextra -Werror -o $@ $<

$(WORK_LIB): tests/workload/lib/ulib.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -fPIC -shared -Wall -Wextra -Werror -o $@ $<

tests: all $(UNIT_BIN) $(WORK_BIN) $(WORK_LIB)

check: tests
	tests/run.sh $(BUILD)

check-asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" check

deps:
	tests/install-deps.sh

bench: all $(WORK_BIN) $(BENCH_BIN)
	bench/run.sh $(BUILD)

# kernel probes need a kernel with kprobes: Debian's 6.1 under qemu
bench-kprobes: all $(WORK_BIN)
	tests/guest/run.sh --timeout 3000 6.1 -- bench/kprobes.sh $(BUILD)

# not in check (half an hour in a TCG guest): SystemTap's examples that need
# kernel function probes, in Debian's kernel GUEST (6.1 or 6.12); make check
# runs a few of them (tests/live/examples_kprobes_quick.sh)
GUEST ?= 6.1
check-examples-guest: tests
	PATH="$(CURDIR)/$(BUILD)/bin:$$PATH" STAPLET_BUILD="$(CURDIR)/$(BUILD)" STAPLET_GUEST_TIMES=1 \
	  tests/guest/run.sh --timeout 5400 $(GUEST) -- bash tests/live/examples_kprobes.sh

# not in check: SECS (default 600) per backend and mode
soak: all $(WORK_BIN)
	bench/soak.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/staplet/tapset $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/bin/staplet $(DESTDIR)$(PREFIX)/bin/staplet
	for n in $(BIN_NAMES); do ln -sf staplet $(DESTDIR)$(PREFIX)/bin/$$n; done
	find tapset -maxdepth 1 \( -name '*.stp' -o -name '*.stpm' \) -exec install -m 644 {} $(DESTDIR)$(PREFIX)/share/staplet/tapset/ \;
	install -m 644 doc/perf-stap.1 $(DESTDIR)$(PREFIX)/share/man/man1/perf-stap.1
	ln -sf perf-stap.1 $(DESTDIR)$(PREFIX)/share/man/man1/trace-cmd-stap.1

clean:
	rm -rf build build-asan

.PHONY: soak all tests check check-asan check-examples-guest deps bench bench-kprobes install clean
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
