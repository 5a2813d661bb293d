# SPDX-License-Identifier: GPL-2.0
#
# greenai top-level build. `make help` lists the targets.
#
# The kernel module is built by Kbuild (see ./Kbuild) against KDIR; the
# userspace parts with the host compiler into $(BUILD). Kernel style and
# -Werror everywhere.

KDIR	?= /lib/modules/$(shell uname -r)/build
KERNELS	?= 6.1 6.12
BUILD	?= build
PREFIX	?= /usr/local
DESTDIR	?=

CC	?= gcc
CFLAGS	?= -O2 -g
GA_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Iinclude $(CFLAGS)
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

VERSION := $(shell sed -n 's/^\#define GREENAI_VERSION "\(.*\)"/\1/p' \
	include/greenai/version.h)

CORE_SRC := include/greenai/attrib.c include/greenai/rapl.c
CORE_HDR := include/greenai/attrib.h include/greenai/rapl.h include/uapi/greenai.h
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
BPF_SRC := $(wildcard bpf/*.bpf.c)

.PHONY: all kmod kmod-if-possible bpf tools unit-build test-helpers check \
	layout unit fuzz fuzz-build soak host vm bench \
	lint demo deps format install clean help

all: tools bpf kmod-if-possible ## build everything this host can build

help: ## list the targets
	@echo "greenai $(VERSION): make [TARGET] [KDIR=...] [KERNELS=...]"
	@echo
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)/  \1\t\2/p' $(MAKEFILE_LIST) | \
		expand -t 20
	@echo
	@echo "  KDIR     kernel build tree for kmod (now: $(KDIR))"
	@echo "  KERNELS  kernel series the VM suite boots (now: $(KERNELS))"

# --- kernel module ----------------------------------------------------------

kmod: ## build kmod/greenai.ko against KDIR (W=1)
	@test -f "$(KDIR)/Makefile" || { \
		echo "kmod: no kernel build tree at KDIR=$(KDIR);" \
			"install its headers or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" W=1 modules

kmod-if-possible:
	@if test -f "$(KDIR)/Makefile"; then $(MAKE) --no-print-directory kmod; \
	else echo "kmod: skipped, no kernel build tree at $(KDIR)" \
		"(the VM suite builds it against Debian's 6.1 and 6.12)"; fi

# --- BPF --------------------------------------------------------------------
#
# Each bpf/X.bpf.c is compiled once, CO-RE, against a vmlinux.h generated
# from this host's BTF (or VMLINUX_BTF=), into $(BUILD)/bpf/X.bpf.o, and
# bpftool makes its skeleton, $(BUILD)/gen/X.skel.h, which libgreenai
# includes: the object is embedded in the library.

VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
BPF_CLANG ?= clang
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
BPF_OBJ := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRC))
BPF_SKEL := $(patsubst bpf/%.bpf.c,$(BUILD)/gen/%.skel.h,$(BPF_SRC))

.SECONDARY: $(BPF_OBJ)

bpf: $(BPF_SKEL) ## build the CO-RE BPF programs in bpf/ and their skeletons

$(BUILD)/gen/vmlinux.h:
	@test -r "$(VMLINUX_BTF)" || { echo "bpf: no BTF at" \
		"VMLINUX_BTF=$(VMLINUX_BTF) (a kernel with CONFIG_DEBUG_INFO_BTF," \
		"or the path of a vmlinux with BTF)" >&2; exit 1; }
	@mkdir -p $(@D)
	bpftool btf dump file "$(VMLINUX_BTF)" format c >$@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BUILD)/gen/vmlinux.h \
		include/greenai/bpf_abi.h include/greenai/bpf_counters.h \
		include/uapi/greenai.h
	@mkdir -p $(@D)
	$(BPF_CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
		-Wall -Werror -I$(BUILD)/gen -Iinclude -c $< -o $@
	llvm-strip -g $@	# DWARF off; BTF, which CO-RE needs, stays

$(BUILD)/gen/%.skel.h: $(BUILD)/bpf/%.bpf.o
	bpftool gen skeleton $< name $(subst -,_,$*)_bpf >$@.tmp && mv $@.tmp $@

# --- userspace --------------------------------------------------------------
#
# libgreenai is every tools/lib/<room>/*.c plus the attribution core. Its
# public API is include/greenai/libgreenai.h and the headers it includes
# (PUBLIC_HDR); the rest of tools/lib is private to it (docs/design.md).
# It is built as $(BUILD)/lib/libgreenai.a and, from the same
# position-independent objects, $(BUILD)/lib/libgreenai.so.0, which
# exports only what tools/lib/libgreenai.map lists; and once more with
# ASan and UBSan, $(BUILD)/lib-asan/libgreenai.a, for the unit tests. The
# tools see include/ alone: they are compiled with -Iinclude, never
# -Itools/lib. Parts of the tree with build steps of their own (BPF
# skeletons, test fakes) add them in mk/*.mk; a fragment may append to
# LIB_DEPS (built before any library object) and UNIT_DEPS (before the
# unit tests), and to LIB_LIBS (what programs linking libgreenai also
# need).

SOVERSION := 0
LIB_SRC := $(CORE_SRC) $(wildcard tools/lib/*/*.c)
PUBLIC_HDR := $(sort $(filter include/%.h,$(shell $(CC) -Iinclude -MM \
	-MT x include/greenai/libgreenai.h 2>/dev/null)))
LIB_HDR := $(CORE_HDR) $(wildcard include/greenai/*.h) \
	$(wildcard tools/lib/*/*.h)
LIB_OBJ := $(patsubst %.c,$(BUILD)/lib/%.o,$(LIB_SRC))
LIB_ASAN_OBJ := $(patsubst %.c,$(BUILD)/lib-asan/%.o,$(LIB_SRC))
LIB_CFLAGS := -Itools/lib -I$(BUILD)/gen
LIB_MAP := tools/lib/libgreenai.map
LIB_DEPS := $(BPF_SKEL)
UNIT_DEPS :=
LIB_LIBS := -lbpf -lelf -lz -lsqlite3 -ljson-c -lcurl
LIBGREENAI := $(BUILD)/lib/libgreenai.a $(BUILD)/lib/libgreenai.so.$(SOVERSION)

include $(wildcard mk/*.mk)

TOOLS := $(BUILD)/greenai $(BUILD)/gtop $(BUILD)/greenai-exporter

tools: $(LIBGREENAI) $(TOOLS) ## build libgreenai and the tools

# Each tool: its own folder's sources, objects in $(BUILD)/obj, linked
# with the static libgreenai. A tool's objects depend on the public
# headers and its own.
TOOL_OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/$(1)/*.c))

$(BUILD)/obj/tools/%.o: tools/%.c $(PUBLIC_HDR) $(wildcard tools/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) -c -o $@ $<

# The greenai command (tools/greenai).
$(BUILD)/greenai: $(call TOOL_OBJ,greenai) $(BUILD)/lib/libgreenai.a
	$(CC) $(GA_CFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/lib/libgreenai.a \
		$(LIB_LIBS)

# gtop, the live view (tools/gtop): and ncurses.
$(BUILD)/gtop: $(call TOOL_OBJ,gtop) $(BUILD)/lib/libgreenai.a
	$(CC) $(GA_CFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/lib/libgreenai.a \
		$(LIB_LIBS) -lncursesw -lm

# greenai-exporter (tools/exporter): and libmicrohttpd, on two threads.
$(call TOOL_OBJ,exporter): GA_CFLAGS += -pthread
$(BUILD)/greenai-exporter: $(call TOOL_OBJ,exporter) $(BUILD)/lib/libgreenai.a
	$(CC) $(GA_CFLAGS) -pthread -o $@ $(filter %.o,$^) \
		$(BUILD)/lib/libgreenai.a $(LIB_LIBS) -lmicrohttpd

$(BUILD)/lib/%.o: %.c $(LIB_HDR) | $(LIB_DEPS)
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) -fPIC $(LIB_CFLAGS) -c -o $@ $<

$(BUILD)/lib-asan/%.o: %.c $(LIB_HDR) | $(LIB_DEPS)
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) $(SAN_FLAGS) $(LIB_CFLAGS) -c -o $@ $<

# The BPF backend embeds the programs' skeleton.
$(BUILD)/lib/tools/lib/engine/backend_bpf.o \
$(BUILD)/lib-asan/tools/lib/engine/backend_bpf.o: $(BPF_SKEL)

$(BUILD)/lib/libgreenai.a: $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/lib/libgreenai.so.$(SOVERSION): $(LIB_OBJ) $(LIB_MAP)
	$(CC) -shared -Wl,-soname,libgreenai.so.$(SOVERSION) \
		-Wl,--version-script=$(LIB_MAP) -Wl,--no-undefined \
		-o $@ $(LIB_OBJ) $(LIB_LIBS)
	ln -sf libgreenai.so.$(SOVERSION) $(BUILD)/lib/libgreenai.so

$(BUILD)/lib-asan/libgreenai.a: $(LIB_ASAN_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

# Unit tests: each tests/unit/test_X.c, linked with libgreenai, built
# natively and with ASan+UBSan. GA_FIXTURES is the fixture trees' root.
UNIT_CFLAGS := $(LIB_CFLAGS) -DGA_FIXTURES='"$(CURDIR)/tests/fixtures"' \
	-DGA_BUILD='"$(CURDIR)/$(BUILD)"'

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/lib/libgreenai.a | $(UNIT_DEPS)
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) $(UNIT_CFLAGS) -o $@ $< \
		$(BUILD)/lib/libgreenai.a $(LIB_LIBS) $(CMOCKA_LIBS)

$(BUILD)/unit-asan/%: tests/unit/%.c $(BUILD)/lib-asan/libgreenai.a | $(UNIT_DEPS)
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) $(SAN_FLAGS) $(UNIT_CFLAGS) -o $@ $< \
		$(BUILD)/lib-asan/libgreenai.a $(LIB_LIBS) $(CMOCKA_LIBS)

unit-build: $(addprefix $(BUILD)/unit/,$(UNIT_TESTS)) \
	    $(addprefix $(BUILD)/unit-asan/,$(UNIT_TESTS))

# Workloads the module suite runs in the guest (tests/kmod/helpers).
KMOD_HELPERS := $(patsubst tests/kmod/helpers/%.c,$(BUILD)/tests/%,\
	$(wildcard tests/kmod/helpers/*.c)) \
	$(patsubst tests/bench/%.c,$(BUILD)/tests/%,$(wildcard tests/bench/*.c))

$(BUILD)/tests/%: tests/kmod/helpers/%.c
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) -o $@ $<

$(BUILD)/tests/%: tests/bench/%.c
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) -o $@ $<

# Programs the host suite runs (tests/host/helpers), over libgreenai.
HOST_HELPERS := $(patsubst tests/host/helpers/%.c,$(BUILD)/tests/%,\
	$(wildcard tests/host/helpers/*.c))

$(BUILD)/tests/%: tests/host/helpers/%.c $(BUILD)/lib/libgreenai.a
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) -o $@ $< $(BUILD)/lib/libgreenai.a \
		$(LIB_LIBS)

# Programs the benchmarks run over libgreenai (tests/bench/helpers).
BENCH_HELPERS := $(patsubst tests/bench/helpers/%.c,$(BUILD)/tests/%,\
	$(wildcard tests/bench/helpers/*.c))

$(BUILD)/tests/%: tests/bench/helpers/%.c $(BUILD)/lib/libgreenai.a
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) -o $@ $< $(BUILD)/lib/libgreenai.a \
		$(LIB_LIBS)

# The BPF cost benchmark's floor: an empty sched_switch program, and its
# loader (tests/bench/bpf/).
BENCH_BPF := $(BUILD)/tests/empty_switch.bpf.o $(BUILD)/tests/bpf-floor

$(BUILD)/tests/empty_switch.bpf.o: tests/bench/bpf/empty_switch.bpf.c \
		$(BUILD)/gen/vmlinux.h
	@mkdir -p $(@D)
	$(BPF_CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
		-Wall -Werror -I$(BUILD)/gen -c $< -o $@

$(BUILD)/tests/bpf-floor: tests/bench/bpf/floor.c
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) -o $@ $< -lbpf -lelf -lz

test-helpers: $(KMOD_HELPERS) $(HOST_HELPERS) $(BENCH_HELPERS) $(BENCH_BPF) \
		$(FAKE_NVML)

# --- tests ------------------------------------------------------------------

check: deps ## install deps, run the layout, unit, fuzz, host and VM suites, print the tally
	tests/run-all.sh layout unit fuzz host vm

layout: ## check the rooms, layers and public API (docs/design.md)
	tests/run-all.sh layout

unit: unit-build ## run the unit tests only (native and ASan/UBSan)
	tests/run-all.sh unit

fuzz: ## run each libFuzzer target briefly (GREENAI_FUZZ_SECONDS, 15)
	tests/run-all.sh fuzz

soak: deps tools test-helpers ## the long reliability runs: fuzzing (600 s a target), the exporter (600 s) and the module in the VM (1 h)
	GREENAI_FUZZ_SECONDS=$${GREENAI_SOAK_FUZZ_SECONDS:-600} tests/run-all.sh fuzz
	tests/soak/exporter-soak.sh $${GREENAI_SOAK_SECONDS:-600}
	echo $${GREENAI_VM_SOAK_SECONDS:-3600} >$(BUILD)/vm-soak-seconds
	for k in $(KERNELS); do \
		GREENAI_VM_TIMEOUT=$$(($${GREENAI_VM_SOAK_SECONDS:-3600} + 900)) \
			tests/vm/run.sh --exec tests/soak/module-soak.sh $$k || exit 1; \
	done

host: ## run the host bats suite only
	tests/run-all.sh host

vm: ## run the module suite in QEMU guests on every kernel of KERNELS
	KERNELS="$(KERNELS)" tests/run-all.sh vm

bench: deps ## every benchmark, each figure beside its target (tests/bench; root, a quiet machine)
	tests/bench/ctxswitch.sh
	tests/bench/bpf-cost.sh
	tests/bench/scale.sh
	tests/bench/agent-cost.sh
	tests/bench/gtop-cost.sh
	tests/bench/exporter-scrape.sh
	tests/bench/ring-loss.sh
	tests/bench/accuracy.sh

lint: ## checkpatch.pl --strict over kernel code (from linux-source-6.1)
	scripts/checkpatch.sh

demo: deps ## install deps and run the demo
	scripts/demo.sh

deps: ## install every Debian package the project needs (apt)
	scripts/install-deps.sh

format: ## apply .clang-format to the C sources
	clang-format -i $(wildcard kmod/*.[ch] include/*/*.[ch] tests/unit/*.c \
		tests/kmod/fake_rapl/*.c \
		tools/*/*.[ch] tools/lib/*/*.[ch] bpf/*.[ch])

# --- install and clean ------------------------------------------------------

SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

# The Python package (python/greenai) goes where Debian's python3 looks:
# /usr/lib/python3/dist-packages for PREFIX=/usr, else
# PREFIX/lib/python3.X/dist-packages (Debian's sys.path has
# /usr/local/lib/python3.X/dist-packages, no version-free one there).
PYTHON ?= /usr/bin/python3
PYTHON_VERSION = $(shell $(PYTHON) -c \
	'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PYTHONDIR ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/python$(PYTHON_VERSION)/dist-packages)

# libgreenai's public headers go under INCLUDEDIR/greenai, in the folders
# they include each other by (greenai/, uapi/); greenai.pc names that -I.
install: tools ## install the tools, man pages, unit, libgreenai (headers, .a, .so, greenai.pc), the Python package, module sources (DKMS)
	@test -n "$(PYTHON_VERSION)" || { echo "install: no $(PYTHON)" \
		"to place the Python package for (PYTHON= or PYTHONDIR=)" >&2; \
		exit 1; }
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(PYTHONDIR)/greenai \
		$(DESTDIR)$(INCLUDEDIR)/greenai/greenai \
		$(DESTDIR)$(INCLUDEDIR)/greenai/uapi \
		$(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(SYSTEMDDIR) \
		$(DESTDIR)/etc/default $(DESTDIR)/usr/src/greenai-$(VERSION)
	install -m 755 $(BUILD)/greenai $(BUILD)/gtop $(BUILD)/greenai-exporter \
		$(DESTDIR)$(PREFIX)/bin/
	install -m 644 python/greenai/*.py $(DESTDIR)$(PYTHONDIR)/greenai/
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	sed 's|/usr/local/bin/|$(PREFIX)/bin/|' \
		deploy/systemd/greenai-exporter.service \
		>$(DESTDIR)$(SYSTEMDDIR)/greenai-exporter.service
	test -e $(DESTDIR)/etc/default/greenai-exporter || install -m 644 \
		deploy/systemd/greenai-exporter.default \
		$(DESTDIR)/etc/default/greenai-exporter
	install -m 644 $(filter include/greenai/%,$(PUBLIC_HDR)) \
		$(DESTDIR)$(INCLUDEDIR)/greenai/greenai/
	install -m 644 $(filter include/uapi/%,$(PUBLIC_HDR)) \
		$(DESTDIR)$(INCLUDEDIR)/greenai/uapi/
	install -m 644 $(BUILD)/lib/libgreenai.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/lib/libgreenai.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libgreenai.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libgreenai.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@LIBS@|$(LIB_LIBS)|' tools/lib/greenai.pc.in \
		>$(DESTDIR)$(LIBDIR)/pkgconfig/greenai.pc
	cp -r Kbuild kmod include $(DESTDIR)/usr/src/greenai-$(VERSION)/
	sed 's/@VERSION@/$(VERSION)/' dkms.conf \
		>$(DESTDIR)/usr/src/greenai-$(VERSION)/dkms.conf
	find $(DESTDIR)/usr/src/greenai-$(VERSION) \
		\( -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
		   -o -name '.*.cmd' \) -delete

clean: ## remove everything the build made
	rm -rf $(BUILD)
	find kmod include \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name '*.o.d' \) -delete
	rm -f Module.symvers modules.order .module-common.o .modules-order.cmd
