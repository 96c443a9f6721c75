# shapevm build.  make [ARCH=x86_64|arm64] [STATIC=1] [SAN=1] [V=1]
# Targets: all (default), check, check-unit, check-integration, check-l1,
#          demo, bench, fuzz [FUZZ_SECONDS=60], install, deps, clean.

HOST_ARCH := $(shell uname -m | sed -e 's/aarch64/arm64/')
ARCH ?= $(HOST_ARCH)
PREFIX ?= /usr/local
DESTDIR ?=

ifeq ($(ARCH),x86_64)
ARCH_DIR := arch/x86
CROSS_TRIPLE := x86_64-linux-gnu
else ifeq ($(ARCH),arm64)
ARCH_DIR := arch/arm64
CROSS_TRIPLE := aarch64-linux-gnu
else
$(error ARCH=$(ARCH): not supported (x86_64 or arm64))
endif

ifneq ($(ARCH),$(HOST_ARCH))
CROSS_COMPILE ?= $(CROSS_TRIPLE)-
# A cross build links Debian's arm64 libraries, unpacked into a private
# sysroot by scripts/arm64-sysroot.sh, statically: the binary then runs
# inside test hosts as it is.
STATIC := 1
SYSROOT := build/sysroot-$(ARCH)
SYSROOT_STAMP := $(SYSROOT)/.stamp
PKG_CONFIG := false
endif

CC := $(CROSS_COMPILE)gcc
AR := $(CROSS_COMPILE)ar
PKG_CONFIG ?= pkg-config

# Cross builds are always static, so their directory carries no suffix.
BUILD := build/$(ARCH)$(if $(SYSROOT),,$(if $(STATIC),-static))$(if $(SAN),-san)

# Debian 12's libfdt-dev ships no .pc file: fall back to plain -lfdt.
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs = $(or $(shell $(PKG_CONFIG) $(if $(STATIC),--static) --libs $(1) 2>/dev/null),$(2))

LIB_CFLAGS := $(call pc_cflags,libfdt libcap-ng)
ifdef SYSROOT
LIB_CFLAGS += -isystem $(SYSROOT)/usr/include
LDFLAGS += -L$(SYSROOT)/usr/lib/$(CROSS_TRIPLE)
endif
# libseccomp is used at build time (vmm/gen/seccomp_gen.c), not linked.
LIBS := $(call pc_libs,libfdt,-lfdt) $(call pc_libs,libcap-ng,-lcap-ng) -lpthread
CHECK_CFLAGS := $(call pc_cflags,check)
CHECK_LIBS := $(call pc_libs,check,-lcheck -lsubunit -lm -lrt -lpthread)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

CFLAGS ?= -O2 -g
LDFLAGS ?=
# Only the libraries an architecture uses are loaded (libfdt is arm64's).
LDFLAGS += -Wl,--as-needed
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-fno-strict-aliasing -I. -D_GNU_SOURCE \
	-DSHAPEVM_VERSION='"$(VERSION)"' -MMD -MP $(LIB_CFLAGS)
ifdef STATIC
LDFLAGS += -static
endif
ifdef SAN
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

ifndef V
Q := @
quiet = @printf '  %-7s %s\n' $(1) $(2);
endif

# Every build has every arch's planner constraints (arch/*/plan.c) and the
# arm64 modules that do no ioctl (Image header, device tree, GICv2m frame),
# so their unit tests run on any build machine.
ARCH_PURE_SRCS := $(wildcard arch/*/plan.c arch/arm64/image.c arch/arm64/fdt.c \
	arch/arm64/gicv2m.c)
CORE_SRCS := $(filter-out vmm/main.c,$(wildcard vmm/*.c)) \
	$(sort $(wildcard $(ARCH_DIR)/*.c) $(ARCH_PURE_SRCS)) $(wildcard devices/*.c) \
	$(wildcard vfio/*.c)
CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/vmm/main.o
CORE_LIB := $(BUILD)/libshapevm.a
SHAPEVM := $(BUILD)/shapevm
VFIO_EDU := $(BUILD)/vfio-edu

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/%.o)
UNIT_BIN := $(BUILD)/unit-tests

.PHONY: all check check-unit check-integration check-cross check-l1 check-l1-arm64 demo bench \
	install \
	deps clean guests static fuzz

# A static x86_64 build also makes the L1 VFIO test program (see static:).
all: $(SHAPEVM) $(if $(STATIC),$(if $(filter x86_64,$(ARCH)),$(VFIO_EDU)))

$(BUILD)/%.o: %.c | $(SYSROOT_STAMP)
	$(call quiet,CC,$<)mkdir -p $(dir $@) && $(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%.o: CFLAGS += $(CHECK_CFLAGS)

# The syscall filter is compiled to BPF at build time, by a tool that runs
# on the build machine and uses the build machine's libseccomp.
HOSTCC ?= gcc
SECCOMP_ARCH := $(if $(filter arm64,$(ARCH)),aarch64,x86_64)
SECCOMP_GEN := $(BUILD)/gen/seccomp_gen
SECCOMP_BPF := $(BUILD)/gen/seccomp_bpf.h

$(SECCOMP_GEN): vmm/gen/seccomp_gen.c vmm/seccomp_policy.h
	$(call quiet,HOSTCC,$@)mkdir -p $(dir $@) && $(HOSTCC) -O2 -Wall -Wextra -Werror -I. \
		-o $@ $< $(shell pkg-config --cflags --libs libseccomp 2>/dev/null || echo -lseccomp)

$(SECCOMP_BPF): $(SECCOMP_GEN)
	$(call quiet,GEN,$@)$(SECCOMP_GEN) $(SECCOMP_ARCH) > $@.tmp && mv $@.tmp $@

$(BUILD)/vmm/seccomp.o: $(SECCOMP_BPF)
$(BUILD)/vmm/seccomp.o: CFLAGS += -I$(BUILD)/gen

$(CORE_LIB): $(CORE_OBJS)
	$(call quiet,AR,$@)rm -f $@ && $(AR) rcs $@ $^

$(SHAPEVM): $(MAIN_OBJ) $(CORE_LIB)
	$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(UNIT_BIN): $(UNIT_OBJS) $(CORE_LIB)
	$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS)

ifdef SYSROOT_STAMP
$(SYSROOT_STAMP): scripts/arm64-sysroot.sh
	$(Q)bash scripts/arm64-sysroot.sh $(SYSROOT)
endif

deps:
	$(Q)bash scripts/install-deps.sh

# The static binary goes into the emulated test hosts.
static:
	$(Q)$(MAKE) --no-print-directory STATIC=1 SAN= all

# The VFIO test program of tests/l1/x86 (vfio-edu), made beside a static
# shapevm: tests/l1/x86/run.sh takes it into the L1 host from there.
$(VFIO_EDU): $(BUILD)/tests/l1/x86/vfio-edu.o $(CORE_LIB)
	$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

guests:
	$(Q)$(MAKE) --no-print-directory -C tests/guests OUT=$(abspath build/guests)

check: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory check-unit
	$(Q)$(MAKE) --no-print-directory check-integration
	$(Q)$(MAKE) --no-print-directory check-cross
	$(Q)$(MAKE) --no-print-directory check-l1

# The other architecture must keep building (the arm64 boot path is to come).
check-cross:
ifeq ($(HOST_ARCH),x86_64)
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 SAN= all
	$(Q)echo "ok - make ARCH=arm64 builds build/arm64/shapevm"
endif

check-unit: $(UNIT_BIN)
	$(Q)CK_DEFAULT_TIMEOUT=30 $(UNIT_BIN)

check-integration: $(SHAPEVM) guests
	$(Q)SHAPEVM=$(abspath $(SHAPEVM)) GUESTS=$(abspath build/guests) \
		bash tests/integration/run.sh
	$(Q)SHAPEVM=$(abspath $(SHAPEVM)) GUESTS=$(abspath build/guests) \
		bash tests/integration/plan.sh

check-l1: static
	$(Q)SHAPEVM_STATIC=$(abspath build/$(ARCH)-static/shapevm) \
		bash tests/l1/x86/run.sh
ifeq ($(HOST_ARCH),x86_64)
	$(Q)$(MAKE) --no-print-directory check-l1-arm64
endif

# arm64 guests inside an emulated arm64 host (QEMU TCG, nested KVM), booted
# by the static cross-built shapevm. SHAPEVM_L1_QEMU=1 adds QEMU's boot.
check-l1-arm64:
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 SAN= all
	$(Q)SHAPEVM_STATIC_ARM64=$(abspath build/arm64/shapevm) \
		bash tests/l1/arm64/run.sh

demo: deps all static
	$(Q)SHAPEVM=$(abspath $(SHAPEVM)) \
		SHAPEVM_STATIC=$(abspath build/$(ARCH)-static/shapevm) \
		bash scripts/demo.sh

PLAN_BENCH := $(BUILD)/bench/plan-bench

$(PLAN_BENCH): bench/plan/plan-bench.c $(CORE_LIB)
	$(call quiet,LD,$@)mkdir -p $(dir $@) && $(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

bench: all static guests $(PLAN_BENCH)
ifeq ($(HOST_ARCH),x86_64)
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 SAN= all	# bench/boot-arm64
endif
	$(Q)SHAPEVM=$(abspath $(SHAPEVM)) GUESTS=$(abspath build/guests) \
		PLAN_BENCH=$(abspath $(PLAN_BENCH)) \
		SHAPEVM_STATIC=$(abspath build/$(ARCH)-static/shapevm) \
		bash bench/run.sh

# libFuzzer harnesses, built by clang (Debian: clang, libclang-rt-14-dev)
# apart from the library: each links only the modules it tests.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -I. -D_GNU_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
VIRTQ_FUZZ := $(BUILD)/fuzz/virtq_fuzz

$(VIRTQ_FUZZ): tests/fuzz/virtq_fuzz.c devices/virtq.c devices/iov.c vmm/guest_mem.c \
		devices/virtq.h vmm/guest_mem.h
	$(call quiet,FUZZCC,$@)mkdir -p $(dir $@) && \
		$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

# Without clang's libFuzzer the target says so and passes.
fuzz:
	$(Q)if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return !d + !n; }' | \
		$(FUZZ_CC) -fsanitize=fuzzer -x c -o /dev/null - >/dev/null 2>&1; then \
		echo "fuzz: skipped: no $(FUZZ_CC) with libFuzzer (apt-get install clang libclang-rt-14-dev)"; \
	else \
		$(MAKE) --no-print-directory $(VIRTQ_FUZZ) && \
		mkdir -p build/fuzz-corpus/virtq && \
		$(VIRTQ_FUZZ) -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=$(BUILD)/fuzz/ build/fuzz-corpus/virtq \
			tests/fuzz/seeds/virtq; \
	fi

install: $(SHAPEVM)
	install -D -m 0755 $(SHAPEVM) $(DESTDIR)$(PREFIX)/bin/shapevm
	install -D -m 0644 docs/shapevm.1 $(DESTDIR)$(PREFIX)/share/man/man1/shapevm.1

clean:
	rm -rf build

-include $(CORE_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_OBJS:.o=.d) \
	$(BUILD)/tests/l1/x86/vfio-edu.d
