# tests/tests.mk - unit tests of vm internals and the hosted platform.
TEST_SRCS := $(sort $(wildcard tests/*.c))
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/hosted/%.o)

$(BUILD)/vm-tests: $(TEST_OBJS) $(BUILD)/libvm-hosted.a $(BUILD)/libstubs-hosted.a
	$(CC) $(HOSTED_CFLAGS) -o $@ $(TEST_OBJS) $(BUILD)/libstubs-hosted.a $(BUILD)/libvm-hosted.a $(BUILD)/libstubs-hosted.a

.PHONY: unit-tests
unit-tests: $(BUILD)/vm-tests
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/vm-tests

TEST_TARGETS += unit-tests
