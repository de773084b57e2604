# scripts/campaign.mk - campaign targets: fuzz, triage, bench, coverage, status,
# status-shot, sync-nodes, and the tests of their scripts.
# Included from the top Makefile after harness/harness.mk, whose variables it uses
# (HARNESS_CFLAGS, HARNESS_CORE, HARNESS_HDRS, COV_VM_SRCS, AFL_CC).  The scripts do
# the work; this fragment builds the two binaries only they need: the CMPLOG build of
# the AFL++ target and the llvm-cov replay tool.
.PHONY: fuzz fuzz-qemu triage bench coverage status status-shot sync-nodes

# Every target checks its settings first (scripts/check-settings.sh): a bad value is one
# line naming the variable and what it accepts, and make exits with status 2.
# `make fuzz [DURATION=s] [JOBS=n] [ENGINE=afl|libfuzzer] [NODE=name SYNC=dir [PEERS=..]]`:
# a campaign, resumable (scripts/fuzz.sh lists every variable).
fuzz:
	scripts/fuzz.sh
# `make fuzz-qemu [DURATION=s]`: AFL++ on the fuzz image in QEMU (scripts/fuzz-qemu.sh,
# harness/qemu_forkserver.c), state in build/campaign-qemu, resumable.
fuzz-qemu:
	scripts/fuzz-qemu.sh
# Triage the campaign's raw findings (or F=file|dir) into crashes/, with the replay tool
# the campaign was built with when there is one.
triage:
	@scripts/check-settings.sh triage
	@$(MAKE) -s $(BUILD)/vm-replay
	REPLAY=$${REPLAY:-$$(test -x $${CAMPAIGN:-$(BUILD)/campaign}/vm-replay && echo $${CAMPAIGN:-$(BUILD)/campaign}/vm-replay || echo $(BUILD)/vm-replay)} \
		scripts/triage.sh $(F)
# execs/s of the fuzz targets beside the empty target (fuzz-empty-*).
bench:
	@scripts/check-settings.sh bench
	scripts/bench.sh
# llvm-cov line coverage of vm/ by the corpus and the campaign queue.
coverage:
	@scripts/check-settings.sh coverage
	scripts/coverage.sh
# Static HTML status page build/status/index.html, and a PNG of it (headless Chromium).
status:
	scripts/status.sh
status-shot:
	scripts/status-shot.sh
# Push and pull AFL++ queues with the other nodes: NODE=name SYNC=dir PEERS="dir host:dir".
sync-nodes:
	scripts/sync-nodes.sh

# ---- Tests of the campaign scripts (make test) ----
.PHONY: campaign-settings-test status-page-test campaign-sync-test campaign-restart-test
# Every variable of every campaign target refuses a bad value (no build runs).
campaign-settings-test:
	@scripts/test-settings.sh
# The status page of a synthetic campaign is well-formed HTML with every section.
status-page-test:
	@scripts/test-status-page.sh
# Two nodes on this machine: an input found on one reaches the other's queue.
campaign-sync-test: $(BUILD)/vm-replay $(BUILD)/fuzz-libfuzzer $(if $(AFL_CC),$(BUILD)/fuzz-afl $(BUILD)/fuzz-afl-fast)
	@scripts/test-sync-nodes.sh
# kill -9 of the main AFL++ instance: the campaign restarts it and goes on.  After the
# sync test (never two campaigns at once on a shared machine).
campaign-restart-test: campaign-sync-test
	@scripts/test-restart.sh
TEST_TARGETS += campaign-settings-test status-page-test
ifneq ($(AFL_CC),)
TEST_TARGETS += campaign-sync-test campaign-restart-test
endif

# ---- AFL++ CMPLOG build (afl-fuzz -c): vm/ compiled with AFL_LLVM_CMPLOG=1 ----
ifneq ($(AFL_CC),)
# It only traces comparisons for the instance that runs -c, so it is built like
# build/fuzz-afl-fast, without sanitizers (harness/harness.mk: FAST_*).
CMPLOG_VM_OBJS := $(VM_SRCS:%.c=$(BUILD)/afl-cmplog/%.o)
$(BUILD)/afl-cmplog/vm/%.o: vm/%.c $(BUILD)/afl/denylist.txt $(HARNESS_HDRS)
	@mkdir -p $(dir $@)
	AFL_QUIET=1 AFL_LLVM_CMPLOG=1 AFL_LLVM_DENYLIST=$(abspath $(BUILD)/afl/denylist.txt) \
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
