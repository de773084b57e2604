# scripts/campaign.mk - campaign targets: fuzz, triage, bench, coverage, status.
# Included from the top Makefile after harness/harness.mk, whose variables it uses
# (HARNESS_CFLAGS, HARNESS_CORE, HARNESS_HDRS, COV_VM_SRCS, AFL_CC).  The scripts do
# the work; this fragment builds the two binaries only they need: the CMPLOG build of
# the AFL++ target and the llvm-cov replay tool.
.PHONY: fuzz triage bench coverage status

# `make fuzz [DURATION=s] [JOBS=n] [ENGINE=afl|libfuzzer]`: a campaign, resumable.
fuzz:
	scripts/fuzz.sh
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

# ---- OSS-Fuzz / ClusterFuzzLite (.clusterfuzzlite/, scripts/oss-fuzz-check.sh) ----
# The sources of the fuzz target and the seeds, one list per line, for
# .clusterfuzzlite/build.sh: the lists above stay the only ones.
OSSFUZZ_SRCS := harness/fuzz_entry.c $(HARNESS_CORE:$(BUILD)/%.o=%.c) $(VM_SRCS) $(STUB_SRCS)
REPLAY_SRCS  := $(patsubst %,harness/%.c,replay minimize sweep) $(HARNESS_CORE:$(BUILD)/%.o=%.c) $(VM_SRCS) $(STUB_SRCS)
oss-fuzz-files:
	@echo "SRCS $(OSSFUZZ_SRCS)"
	@echo "REPLAY $(REPLAY_SRCS)"
	@echo "COV $(COV_VM_SRCS)"
	@echo "SKIP $(COV_VM_SKIP)"
	@echo "SEEDS $(CORPUS_SEEDS)"
# build.sh run as the builder image runs it, for address, undefined and coverage; each
# target fuzzes its seed corpus, and a planted crash reproduces as their reproducer runs it.
oss-fuzz-check: $(BUILD)/vm-replay
	scripts/oss-fuzz-check.sh
TEST_TARGETS += oss-fuzz-check
.PHONY: oss-fuzz-files oss-fuzz-check

# ---- Corpus care: scripts/cmin.sh, scripts/corpus-promote.sh ----
# `make cmin [CAMPAIGN=dir]`: the campaign's queues minimized (libFuzzer -merge=1) into
# $CAMPAIGN/cmin/, printed as text conversations.
cmin: $(BUILD)/fuzz-libfuzzer $(BUILD)/vm-replay
	scripts/cmin.sh
# `make corpus-promote F=file [NAME=name]`: a queue entry as corpus/NAME.txt with
# blessed expectations, for review.  F and NAME reach the script from the command line.
corpus-promote: $(BUILD)/vm-replay
	scripts/corpus-promote.sh
corpus-tools-test: $(BUILD)/vm-replay $(BUILD)/fuzz-libfuzzer corpus-bin
	@BUILD=$(BUILD) scripts/corpus-tools-test.sh
TEST_TARGETS += corpus-tools-test
.PHONY: cmin corpus-promote corpus-tools-test
