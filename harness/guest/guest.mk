# harness/guest/guest.mk - the guest agent of the fuzz image (included by kernel/kernel.mk):
# the agent's own files plus the harness's codec and call table, built freestanding for
# i686 (harness/guest/include supplies the two libc headers they name).
GUEST_CFLAGS := $(KCFLAGS) -DKERNEL_FUZZ -Iharness/guest/include -Iharness/guest -Iharness
GUEST_SRCS   := $(sort $(wildcard harness/guest/*.c)) harness/codec.c harness/proto.c harness/selcore.c
GUEST_OBJS   := $(GUEST_SRCS:%.c=$(BUILD)/guest/%.o)
GUEST_HDRS   := $(KERNEL_HDRS) $(wildcard harness/guest/*.h harness/guest/include/*.h vm/*.h) harness/input.h harness/selcore.h

$(BUILD)/guest/%.o: %.c $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(FIMG)/agent.elf: $(GUEST_OBJS) $(ULIB_OBJS) kernel/user.ld
	@mkdir -p $(dir $@)
	$(LLD) $(KLDFLAGS) -T kernel/user.ld -o $@ $(ULIB_OBJS) $(GUEST_OBJS) $(RT_I386)
