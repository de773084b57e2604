# tests/tests.mk - unit tests of vm internals and the hosted platform.
TEST_SRCS := $(sort $(wildcard tests/*.c))
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/hosted/%.o)

$(BUILD)/vm-tests: $(TEST_OBJS) $(BUILD)/libvm-hosted.a $(BUILD)/libstubs-hosted.a
	$(CC) $(HOSTED_CFLAGS) -o $@ $(TEST_OBJS) $(BUILD)/libstubs-hosted.a $(BUILD)/libvm-hosted.a $(BUILD)/libstubs-hosted.a

.PHONY: unit-tests
unit-tests: $(BUILD)/vm-tests
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/vm-tests

TEST_TARGETS += unit-tests

# Core-path cost (make bench runs it; never part of make test).  Built without
# sanitizers so the numbers are those of the code, not of ASan.
$(BUILD)/bench-core: tests/bench/bench_core.c $(VM_SRCS) $(STUB_SRCS) $(wildcard include/*.h vm/*.h stubs/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(INC) -Istubs -O2 -DVM_FAULT_POINTS -o $@ tests/bench/bench_core.c $(VM_SRCS) $(STUB_SRCS)
