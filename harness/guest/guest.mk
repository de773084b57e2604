# harness/guest/guest.mk - the guest agent of the fuzz image (included by harness/harness.mk,
# after kernel/kernel.mk): the agent's own files (agent.c, plat.c) plus the runner, the
# oracles, the codec and the call table the hosted harness runs (HARNESS_SHARED) and the
# protocol model (MODEL_SRCS), built freestanding for i686 (harness/guest/include
# supplies the libc headers they name; kernel/lib supplies the functions, snprintf
# included).
GUEST_CFLAGS := $(KCFLAGS) -DKERNEL_FUZZ -Iharness/guest/include -Iharness/guest -Iharness
GUEST_SRCS   := $(sort $(wildcard harness/guest/*.c)) $(HARNESS_SHARED:%=harness/%.c) $(MODEL_SRCS)
GUEST_OBJS   := $(GUEST_SRCS:%.c=$(BUILD)/guest/%.o)
GUEST_HDRS   := $(KERNEL_HDRS) $(wildcard harness/*.h harness/model/*.h harness/guest/*.h harness/guest/include/*.h)

$(BUILD)/guest/%.o: %.c $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(FIMG)/agent.elf: $(GUEST_OBJS) $(ULIB_OBJS) kernel/user.ld
	@mkdir -p $(dir $@)
	$(LLD) $(KLDFLAGS) -T kernel/user.ld -o $@ $(ULIB_OBJS) $(GUEST_OBJS) $(RT_I386)
