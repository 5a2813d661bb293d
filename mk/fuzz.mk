# SPDX-License-Identifier: GPL-2.0
#
# libFuzzer targets for every parser (tests/fuzz/fuzz_*.c): libgreenai
# built a third time, with clang, the fuzzer's coverage and ASan+UBSan
# ($(BUILD)/lib-fuzz), each target linked against it. tests/fuzz/run.sh
# runs them: briefly in make check, long in make soak.

FUZZ_CC ?= clang
FUZZ_FLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -Iinclude \
	-Wall -Wextra -Werror -Wno-unused-command-line-argument \
	-Wno-gnu-variable-sized-type-not-at-end \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_LIB_OBJ := $(patsubst %.c,$(BUILD)/lib-fuzz/%.o,$(LIB_SRC))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,\
	$(wildcard tests/fuzz/fuzz_*.c))

$(BUILD)/lib-fuzz/%.o: %.c $(LIB_HDR) | $(LIB_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(LIB_CFLAGS) \
		-c -o $@ $<

$(BUILD)/lib-fuzz/libgreenai.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# the exporter's own request parsing lives with its HTTP server
$(BUILD)/fuzz/fuzz_http_accept: FUZZ_EXTRA := tools/exporter/http.c \
	-Itools/exporter -pthread -lmicrohttpd

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(BUILD)/lib-fuzz/libgreenai.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $(LIB_CFLAGS) \
		-D_GNU_SOURCE -Itests/fuzz -Itools/exporter -o $@ $< $(FUZZ_EXTRA) \
		$(BUILD)/lib-fuzz/libgreenai.a $(LIB_LIBS)

fuzz-build: $(FUZZ_TARGETS)
