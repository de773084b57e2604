# scripts/campaign.mk - campaign targets: fuzz, triage, bench, coverage, status.
# Included from the top Makefile after harness/harness.mk, whose variables it uses
# (HARNESS_CFLAGS, HARNESS_CORE, HARNESS_HDRS, COV_VM_SRCS, AFL_CC).  The scripts do
# the work; this fragment builds the two binaries only they need: the CMPLOG build of
# the AFL++ target and the llvm-cov replay tool.
.PHONY: fuzz fuzz-qemu triage bench coverage status

# `make fuzz [DURATION=s] [JOBS=n] [ENGINE=afl|libfuzzer]`: a campaign, resumable.
fuzz:
	scripts/fuzz.sh
# `make fuzz-qemu [DURATION=s]`: AFL++ on the fuzz image in QEMU (scripts/fuzz-qemu.sh,
# harness/qemu_forkserver.c), state in build/campaign-qemu, resumable.
fuzz-qemu:
	scripts/fuzz-qemu.sh
# Triage build/campaign's raw findings into crashes/, with the replay tool the
# campaign was built with when there is one.
triage: $(BUILD)/vm-replay
	REPLAY=$$(test -x $(BUILD)/campaign/vm-replay && echo $(BUILD)/campaign/vm-replay || echo $(BUILD)/vm-replay) \
		scripts/triage.sh build/campaign
# execs/s of the fuzz targets beside the empty target (fuzz-empty-*).
bench:
	scripts/bench.sh
# llvm-cov line coverage of vm/ by the corpus and the campaign queue.
coverage:
	scripts/coverage.sh
# Static HTML status page in build/status/.
status:
	scripts/status.sh

# ---- AFL++ CMPLOG build (afl-fuzz -c): vm/ compiled with AFL_LLVM_CMPLOG=1 ----
ifneq ($(AFL_CC),)
# It only traces comparisons for the instance that runs -c, so it is built like
# build/fuzz-afl-fast, without sanitizers (harness/harness.mk: FAST_*).
CMPLOG_VM_OBJS := $(VM_SRCS:%.c=$(BUILD)/afl-cmplog/%.o)
$(BUILD)/afl-cmplog/vm/%.o: vm/%.c $(BUILD)/afl/allowlist.txt $(HARNESS_HDRS)
	@mkdir -p $(dir $@)
	AFL_QUIET=1 AFL_LLVM_CMPLOG=1 AFL_LLVM_ALLOWLIST=$(abspath $(BUILD)/afl/allowlist.txt) \
		$(AFL_CC) $(FAST_CFLAGS) -c $< -o $@
$(BUILD)/fuzz-afl-cmplog: $(BUILD)/fast/harness/fuzz_entry.o $(FAST_CORE) $(CMPLOG_VM_OBJS) $(FAST_STUB_OBJS)
	AFL_QUIET=1 AFL_LLVM_CMPLOG=1 $(AFL_CC) $(FAST_CFLAGS) -fsanitize=fuzzer -o $@ $^
endif

# ---- llvm-cov replay: vm/ alone carries -fprofile-instr-generate -fcoverage-mapping ----
PROF_FLAGS := -fprofile-instr-generate -fcoverage-mapping
COVREP_VM_OBJS := $(VM_SRCS:%.c=$(BUILD)/coverage/obj/%.o)
$(BUILD)/coverage/obj/vm/%.o: vm/%.c $(HARNESS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOSTED_CFLAGS) $(PROF_FLAGS) -c $< -o $@
$(BUILD)/coverage/vm-replay-cov: $(patsubst %,$(BUILD)/harness/%.o,replay minimize sweep) $(HARNESS_CORE) \
		$(COVREP_VM_OBJS) $(STUB_HOSTED_OBJS)
	$(CC) $(HARNESS_CFLAGS) -fprofile-instr-generate -o $@ $^
