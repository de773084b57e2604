# kernel/kernel.mk - the i386 image: kernel.elf and one ELF module per boot process.
#   make image       build/image/{kernel,vm,pm,vfs,rs,init}.elf (+ .asm listings)
#   make qemu        boot it, serial console on the terminal, ending in init's monitor
#   make qemu-test   boot it headless; green when init's self-tests all PASS
#   make qemu-soak   the soak (SOAK_CYCLES, default 10000); qemu-soak-test: a short one
#   make qemu-monitor-test  every monitor command through the serial console
#   make qemu-gdb    boot it stopped, waiting for gdb on a per-user port (.gdbinit)
#   make image-fuzz  build/image-fuzz/{kernel,vm,agent}.elf: the fuzz image (KERNEL_FUZZ)
#   make replay-qemu F=FILE   replay one input (.bin or .txt) in the fuzz image; F="A B..."
#                             replays them all in one boot (a batch, kernel/snapshot.c)
#   make qemu-replay-test     corpus and crashes in one boot: the image's verdict equals
#                             the hosted one
#   make fuzz-qemu-test       make fuzz-qemu's driver, edge map and forkserver, short
# SANITY=n puts "sanity=n" on the kernel command line (VM's sanity level).

IMG        := $(BUILD)/image
KOBJ       := $(BUILD)/kernel
SANITY     ?= 3
QEMU       ?= qemu-system-i386
OBJDUMP    := $(shell command -v llvm-objdump-14 2>/dev/null || echo llvm-objdump)
OBJCOPY    := $(shell command -v llvm-objcopy-14 2>/dev/null || echo llvm-objcopy)
GDBPORT    := $(shell expr 26000 + `id -u` % 1000)
RT_I386    := $(RTDIR)/libclang_rt.builtins-i386.a

KCFLAGS    := $(I686_CFLAGS) -Ikernel -Ikernel/lib -fno-pic -fno-asynchronous-unwind-tables
KLDFLAGS   := -m elf_i386 -z norelro -z max-page-size=4096 --no-undefined

FUZZ_ONLY_SRCS := kernel/fuzz.c kernel/snapshot.c kernel/shm.c
KERNEL_SRCS := $(filter-out $(FUZZ_ONLY_SRCS),$(sort $(wildcard kernel/*.c kernel/arch/*.c))) kernel/lib/string.c
KERNEL_ASMS := $(sort $(wildcard kernel/arch/*.S))
KERNEL_OBJS := $(KERNEL_SRCS:%.c=$(KOBJ)/k/%.o) $(KERNEL_ASMS:%.S=$(KOBJ)/k/%.o)
ULIB_OBJS   := $(addprefix $(KOBJ)/u/kernel/lib/,crt0.o ipc.o print.o format.o vmclient.o string.o)
KERNEL_HDRS := $(wildcard include/*.h kernel/*.h kernel/arch/*.h kernel/lib/*.h kernel/servers/*.h kernel/user/*.h)

IMAGE_PROGS := vm pm vfs rs init
IMAGE_ELFS  := $(IMAGE_PROGS:%=$(IMG)/%.elf)
# QEMU's multiboot -initrd: comma-separated module paths; the kernel matches names.
QEMU_MODS   := $(subst $(eval) ,$(shell printf ','),$(strip $(IMAGE_ELFS)))
QEMU_BOOT   := -m 128 -kernel $(IMG)/kernel.elf -initrd "$(QEMU_MODS)" \
	       -display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04
QEMU_ARGS   := $(QEMU_BOOT) -append "sanity=$(SANITY)"
SOAK_CYCLES ?= 10000
SOAK_TEST_CYCLES ?= 300

.PHONY: image qemu qemu-test qemu-gdb qemu-soak qemu-soak-test qemu-monitor-test
image: $(IMG)/kernel.elf $(IMAGE_ELFS) $(IMG)/kernel.asm $(IMAGE_ELFS:.elf=.asm)

$(KOBJ)/k/%.o: %.c $(KERNEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@
$(KOBJ)/k/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@
$(KOBJ)/u/%.o: %.c $(KERNEL_HDRS) $(wildcard vm/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@
$(KOBJ)/u/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@

$(IMG)/kernel.elf: $(KERNEL_OBJS) kernel/kernel.ld
	@mkdir -p $(dir $@)
	$(LLD) $(KLDFLAGS) -T kernel/kernel.ld -o $@ $(KERNEL_OBJS)

# Ring-3 programs: crt0, the program, the user library.
# PM and RS also serve init's soak (pm_soak.c, rs_soak.c; PM's VM calls in pm_vm.c); init holds the self-tests,
# the soak and the monitor.
$(IMG)/pm.elf $(IMG)/vfs.elf $(IMG)/rs.elf: $(IMG)/%.elf: $(KOBJ)/u/kernel/servers/%.o $(ULIB_OBJS) kernel/user.ld
	@mkdir -p $(dir $@)
	$(LLD) $(KLDFLAGS) -T kernel/user.ld -o $@ $(ULIB_OBJS) $(filter-out $(ULIB_OBJS),$(filter %.o,$^))
$(IMG)/pm.elf: $(KOBJ)/u/kernel/servers/pm_soak.o $(KOBJ)/u/kernel/servers/pm_vm.o
# VFS's file set holds the exec self-test's program (kernel/user/hello.c): a flat
# binary at TEXT_VADDR (hello.ld), embedded by hello_file.S.
$(IMG)/vfs.elf: $(KOBJ)/u/kernel/servers/hello_file.o
HELLO_OBJS := $(KOBJ)/u/kernel/lib/crt0.o $(KOBJ)/u/kernel/user/hello.o $(KOBJ)/u/kernel/lib/ipc.o
$(IMG)/hello.elf: $(HELLO_OBJS) kernel/user/hello.ld
	@mkdir -p $(dir $@)
	$(LLD) $(KLDFLAGS) -T kernel/user/hello.ld -o $@ $(HELLO_OBJS)
$(IMG)/hello.bin: $(IMG)/hello.elf
	$(OBJCOPY) -O binary -j .text $< $@
$(KOBJ)/u/kernel/servers/hello_file.o: kernel/servers/hello_file.S $(IMG)/hello.bin
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -DHELLO_BIN='"$(IMG)/hello.bin"' -c $< -o $@
$(IMG)/rs.elf: $(KOBJ)/u/kernel/servers/rs_soak.o
INIT_OBJS := $(addprefix $(KOBJ)/u/kernel/user/,init.o soak.o monitor.o)
$(IMG)/init.elf: $(INIT_OBJS) $(ULIB_OBJS) kernel/user.ld
	@mkdir -p $(dir $@)
	$(LLD) $(KLDFLAGS) -T kernel/user.ld -o $@ $(ULIB_OBJS) $(INIT_OBJS)
# VM: the same vm/ objects the top Makefile builds for i686, its main, the seam.
$(IMG)/vm.elf: $(KOBJ)/u/kernel/servers/vm_main.o $(KOBJ)/u/kernel/lib/vmseam.o $(VM_I686_OBJS) $(ULIB_OBJS) kernel/user.ld
	@mkdir -p $(dir $@)
	$(LLD) $(KLDFLAGS) -T kernel/user.ld -o $@ $(ULIB_OBJS) $(KOBJ)/u/kernel/servers/vm_main.o \
		$(KOBJ)/u/kernel/lib/vmseam.o $(VM_I686_OBJS) $(RT_I386)

$(IMG)/%.asm: $(IMG)/%.elf
	$(OBJDUMP) -d -S --no-show-raw-insn $< > $@

# The self-tests, then init's console monitor (kernel/user/monitor.c); "halt" ends it.
qemu: image
	$(QEMU) $(QEMU_BOOT) -append "sanity=$(SANITY) monitor" -serial mon:stdio; s=$$?; [ $$s -eq 33 ] && exit 0 || exit $$s

qemu-test: image
	scripts/qemu-test.sh $(IMG)/qemu-test.log $(QEMU) $(QEMU_ARGS)

# The soak (kernel/user/soak.c): SOAK_CYCLES fork/exit cycles and the other workloads
# at SANITY, green when every workload and the baseline check PASS; make test runs a
# short one.
qemu-soak: image
	QEMU_TIMEOUT=$${QEMU_TIMEOUT:-600} scripts/qemu-test.sh $(IMG)/qemu-soak.log $(QEMU) $(QEMU_BOOT) \
		-append "sanity=$(SANITY) soak=$(SOAK_CYCLES)"
qemu-soak-test: image
	QEMU_TIMEOUT=$${QEMU_TIMEOUT:-120} scripts/qemu-test.sh $(IMG)/qemu-soak-test.log $(QEMU) $(QEMU_BOOT) \
		-append "sanity=$(SANITY) soak=$(SOAK_TEST_CYCLES)"

# Every monitor command through QEMU's serial on stdin; each must answer.
qemu-monitor-test: image
	scripts/qemu-monitor-test.sh $(IMG)/qemu-monitor-test.log $(QEMU) $(QEMU_BOOT) -append "sanity=$(SANITY) monitor"

# A .gdbinit with the kernel's and VM's symbols that stops at VM's main loop: a
# hardware breakpoint on vm_step, conditioned on vm_step's first bytes so the other
# programs (linked at the same addresses) do not stop there.
qemu-gdb: image
	scripts/gdbinit.sh $(IMG) $(GDBPORT) > .gdbinit
	@echo "*** waiting for gdb on port $(GDBPORT): run 'gdb -x .gdbinit' in another terminal"
	$(QEMU) $(QEMU_BOOT) -append "sanity=$(SANITY) monitor" -serial mon:stdio -S -gdb tcp::$(GDBPORT)

TEST_TARGETS += qemu-test qemu-soak-test qemu-monitor-test

# ---- The fuzz image: the kernel built with KERNEL_FUZZ (kernel/fuzz.c), VM built with
# fault points and its fuzz seam, and the guest agent (harness/guest/guest.mk, included
# by harness/harness.mk).  The input file is one more module, handed to the agent by
# the kernel.
FIMG        := $(BUILD)/image-fuzz
FKOBJ       := $(BUILD)/kernel-fuzz
FKCFLAGS    := $(KCFLAGS) -DKERNEL_FUZZ
FKERNEL_OBJS := $(patsubst %.c,$(FKOBJ)/k/%.o,$(KERNEL_SRCS) $(FUZZ_ONLY_SRCS)) $(KERNEL_ASMS:%.S=$(FKOBJ)/k/%.o)
VM_FUZZ_OBJS := $(VM_SRCS:%.c=$(BUILD)/i686-fuzz/%.o)
FVM_SEAM    := $(addprefix $(FKOBJ)/u/kernel/,servers/vm_main.o lib/vmseam.o lib/vmseam_fuzz.o lib/vmcov.o)
# VM's edges in the fuzz image (make fuzz-qemu): the files and functions the hosted
# engines count (harness/harness.mk's allowlist and ignorelist), counted by
# kernel/lib/vmcov.c into the memory the host shares.
FVM_COV     := -fsanitize-coverage=trace-pc-guard -fsanitize-coverage-allowlist=$(BUILD)/libfuzzer/allowlist.txt \
	       -fsanitize-coverage-ignorelist=$(BUILD)/libfuzzer/ignorelist.txt

.PHONY: image-fuzz replay-qemu qemu-replay-test
image-fuzz: $(FIMG)/kernel.elf $(FIMG)/vm.elf $(FIMG)/agent.elf $(FIMG)/kernel.asm $(FIMG)/vm.asm $(FIMG)/agent.asm

$(FKOBJ)/k/%.o: %.c $(KERNEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(FKCFLAGS) -c $< -o $@
$(FKOBJ)/k/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(FKCFLAGS) -c $< -o $@
$(FKOBJ)/u/%.o: %.c $(KERNEL_HDRS) $(wildcard vm/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(FKCFLAGS) -DVM_FAULT_POINTS -c $< -o $@
$(BUILD)/i686-fuzz/%.o: %.c $(wildcard include/*.h vm/*.h) $(BUILD)/libfuzzer/allowlist.txt
	@mkdir -p $(dir $@)
	$(CC) $(I686_CFLAGS) -DVM_FAULT_POINTS $(FVM_COV) -c $< -o $@

$(FIMG)/kernel.elf: $(FKERNEL_OBJS) kernel/kernel.ld
	@mkdir -p $(dir $@)
	$(LLD) $(KLDFLAGS) -T kernel/kernel.ld -o $@ $(FKERNEL_OBJS)
$(FIMG)/vm.elf: $(FVM_SEAM) $(VM_FUZZ_OBJS) $(ULIB_OBJS) kernel/user.ld
	@mkdir -p $(dir $@)
	$(LLD) $(KLDFLAGS) -T kernel/user.ld -o $@ $(ULIB_OBJS) $(FVM_SEAM) $(VM_FUZZ_OBJS) $(RT_I386)
$(FIMG)/%.asm: $(FIMG)/%.elf
	$(OBJDUMP) -d -S --no-show-raw-insn $< > $@

# One file: its verdict; several (F="a b ..."): all in one boot (a batch).
replay-qemu: image-fuzz $(BUILD)/vm-replay
	@test -n "$(F)" || { echo "usage: make replay-qemu F=FILE (or F=\"FILE...\")"; exit 2; }
	IMG=$(FIMG) REPLAY=$(BUILD)/vm-replay scripts/replay-qemu.sh $(if $(word 2,$(F)),--batch) $(F)

# Every corpus file and crash input in one boot (a batch, the snapshot checked whole
# after every restore): the fuzz image's verdict equals the hosted one.
qemu-replay-test: image-fuzz $(BUILD)/vm-replay
	SNAPCHECK=1 IMG=$(FIMG) REPLAY=$(BUILD)/vm-replay scripts/replay-qemu.sh --parity corpus/*.txt crashes/*/input.bin

TEST_TARGETS += qemu-replay-test

# make fuzz-qemu's parts (scripts/fuzz-qemu-test.sh): the driver boots the fuzz image
# with shared memory, VM's edges reach the host, afl-showmap gets them through the
# forkserver and a planted finding as SIGABRT, a hang boots a new QEMU.
.PHONY: fuzz-qemu-test
fuzz-qemu-test: image-fuzz $(BUILD)/qemu-forkserver $(BUILD)/vm-replay corpus-bin
	BUILD=$(BUILD) scripts/fuzz-qemu-test.sh

TEST_TARGETS += fuzz-qemu-test
