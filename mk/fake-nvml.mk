# SPDX-License-Identifier: GPL-2.0
#
# The FAKE libnvidia-ml.so.1 the NVML source's unit tests load in place of
# NVIDIA's (tests/fakes/nvml/fake_nvml.c): a shared object built with the
# project's warnings, never with the sanitizers, so that native and
# ASan+UBSan test binaries can both dlopen it. The tests find it under
# GA_BUILD.

FAKE_NVML := $(BUILD)/tests/fakes/nvml/libnvidia-ml.so.1

$(FAKE_NVML): tests/fakes/nvml/fake_nvml.c
	@mkdir -p $(@D)
	$(CC) $(GA_CFLAGS) -shared -fPIC -Wl,-soname,libnvidia-ml.so.1 \
		-o $@ $<

UNIT_DEPS += $(FAKE_NVML)
