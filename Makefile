# vmfuzz - fuzzing and fault-injection bench for a MINIX-style VM server.
# `make test` is what CI runs; `make fuzz` runs a campaign.  Objects go under build/.
# Each part owns a fragment: kernel/kernel.mk, harness/harness.mk, tests/tests.mk.

# `make test` sets itself up as `make fuzz` does: scripts/deps.sh installs what is
# missing before anything below asks for clang-14 (one dpkg-query when all is there).
ifneq ($(filter test oss-fuzz-check,$(MAKECMDGOALS)),)
ifneq ($(shell scripts/deps.sh -q >&2 && echo ok),ok)
$(error scripts/deps.sh could not install the toolchain (see above))
endif
endif

CC      := $(shell command -v clang-14 2>/dev/null || echo clang)
# Sanitizers symbolise with it: stack signatures of findings depend on it.
export ASAN_SYMBOLIZER_PATH ?= $(shell command -v llvm-symbolizer-14 2>/dev/null || command -v llvm-symbolizer 2>/dev/null)
LLD     := $(shell command -v ld.lld-14 2>/dev/null || echo ld.lld)
BUILD   := build
RTDIR   := $(shell $(CC) -print-resource-dir)/lib/linux

WARN    := -Wall -Wextra -Werror -fno-common
STD     := -std=gnu11
INC     := -Iinclude -Ivm
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOSTED_CFLAGS := $(STD) $(WARN) $(INC) -Istubs -g -O2 -DVM_FAULT_POINTS $(SAN)
# vm/ built freestanding for the i386 image (no libc headers, no libc).
I686_CFLAGS := --target=i686-elf -ffreestanding -nostdlibinc -isystem $(shell $(CC) -print-resource-dir)/include \
	-fno-builtin -fno-stack-protector -mno-sse -mno-mmx -mno-80387 -O2 -g $(STD) $(WARN) $(INC)

VM_SRCS   := $(sort $(wildcard vm/*.c))
STUB_SRCS := $(sort $(wildcard stubs/*.c))

VM_HOSTED_OBJS   := $(VM_SRCS:%.c=$(BUILD)/hosted/%.o)
STUB_HOSTED_OBJS := $(STUB_SRCS:%.c=$(BUILD)/hosted/%.o)
VM_I686_OBJS     := $(VM_SRCS:%.c=$(BUILD)/i686/%.o)

.PHONY: all test clean check-freestanding check-globals fuzz bench deps deps-test
all: $(BUILD)/libvm-hosted.a $(BUILD)/libstubs-hosted.a check-freestanding

$(BUILD)/hosted/%.o: %.c $(wildcard include/*.h vm/*.h stubs/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOSTED_CFLAGS) -c $< -o $@

$(BUILD)/i686/%.o: %.c $(wildcard include/*.h vm/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(I686_CFLAGS) -c $< -o $@

$(BUILD)/libvm-hosted.a: $(VM_HOSTED_OBJS)
	@rm -f $@; ar rcs $@ $^

$(BUILD)/libstubs-hosted.a: $(STUB_HOSTED_OBJS)
	@rm -f $@; ar rcs $@ $^

# vm/ must compile for i686 without libc and link without undefined libc symbols.
$(BUILD)/i686/vm.o: $(VM_I686_OBJS)
	$(LLD) -m elf_i386 -r -o $@ $^
check-freestanding: $(BUILD)/i686/vm.o
	@scripts/check-freestanding.sh $<

# No writable global in vm/ but the one state struct.
check-globals: $(BUILD)/libvm-hosted.a $(BUILD)/i686/vm.o
	@scripts/check-globals.sh $(BUILD)/i686/vm.o

-include kernel/kernel.mk
-include harness/harness.mk
-include tests/tests.mk
-include scripts/campaign.mk

# make test's own set-up, with stand-ins for dpkg-query and sudo (nothing is installed).
deps-test:
	@BUILD=$(BUILD) scripts/deps-test.sh
TEST_TARGETS += deps-test

test: all check-globals $(TEST_TARGETS)
	@echo "make test: all green"

deps:
	scripts/deps.sh

clean:
	rm -rf $(BUILD)
