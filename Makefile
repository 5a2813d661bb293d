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
	unit host vm bench \
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

bpf: ## build the CO-RE BPF programs in bpf/
ifeq ($(BPF_SRC),)
	@echo "bpf: no programs yet (bpf/README.md)"
else
	@echo "bpf: $(BPF_SRC)" && false
endif

# --- userspace --------------------------------------------------------------

tools: $(BUILD)/lib/libgreenai.a ## build libgreenai and the tools

$(BUILD)/lib/%.o: include/greenai/%.c $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) -c -o $@ $<

$(BUILD)/lib/libgreenai.a: $(BUILD)/lib/attrib.o
	$(AR) rcs $@ $^

# Unit tests: each tests/unit/test_X.c, built natively and with ASan+UBSan.
$(BUILD)/unit/%: tests/unit/%.c $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) -o $@ $< $(CORE_SRC) $(CMOCKA_LIBS)

$(BUILD)/unit-asan/%: tests/unit/%.c $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) $(SAN_FLAGS) -o $@ $< $(CORE_SRC) $(CMOCKA_LIBS)

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

test-helpers: $(KMOD_HELPERS)

# --- tests ------------------------------------------------------------------

check: deps ## install deps, run unit, host and VM suites, print the tally
	tests/run-all.sh unit host vm

unit: unit-build ## run the unit tests only (native and ASan/UBSan)
	tests/run-all.sh unit

host: ## run the host bats suite only
	tests/run-all.sh host

vm: ## run the module suite in QEMU guests on every kernel of KERNELS
	KERNELS="$(KERNELS)" tests/run-all.sh vm

bench: deps ## context-switch cost of greenai.ko, in a QEMU guest
	tests/bench/ctxswitch.sh

lint: ## checkpatch.pl --strict over kernel code (from linux-source-6.1)
	scripts/checkpatch.sh

demo: deps ## install deps and run the demo
	scripts/demo.sh

deps: ## install every Debian package the project needs (apt)
	scripts/install-deps.sh

format: ## apply .clang-format to the C sources
	clang-format -i $(wildcard kmod/*.[ch] include/*/*.[ch] tests/unit/*.c \
		tests/kmod/fake_rapl/*.c \
		tools/*/*.[ch] bpf/*.[ch])

# --- install and clean ------------------------------------------------------

install: tools ## install headers, libgreenai and the module sources
	install -d $(DESTDIR)$(PREFIX)/include/greenai \
		$(DESTDIR)$(PREFIX)/lib \
		$(DESTDIR)/usr/src/greenai-$(VERSION)
	install -m 644 include/uapi/greenai.h \
		$(DESTDIR)$(PREFIX)/include/greenai/uapi.h
	install -m 644 $(BUILD)/lib/libgreenai.a $(DESTDIR)$(PREFIX)/lib/
	cp -r Kbuild kmod include $(DESTDIR)/usr/src/greenai-$(VERSION)/
	find $(DESTDIR)/usr/src/greenai-$(VERSION) \
		\( -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
		   -o -name '.*.cmd' \) -delete

clean: ## remove everything the build made
	rm -rf $(BUILD)
	find kmod include \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name '*.o.d' \) -delete
	rm -f Module.symvers modules.order .module-common.o .modules-order.cmd
