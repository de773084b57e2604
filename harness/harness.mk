# harness/harness.mk - the fuzz harness: vm-replay, the libFuzzer and AFL++ targets
# (one entry point, harness/fuzz_entry.c), the dictionary and `make harness-test`.
#
# Coverage is limited to vm/ minus vm/sanity.c and the checker's walkers (COV_VM_SKIP):
# vm/ is compiled once per engine under build/<engine>/ with the engine's instrumentation
# restricted by a list (libFuzzer: a file allowlist and a function ignorelist; AFL++: a
# denylist of the checker's file and the same functions); the harness, the stubs and the
# checker are plain ASan+UBSan objects.

HARNESS_CFLAGS := $(HOSTED_CFLAGS) -Iharness
HARNESS_HDRS   := $(wildcard harness/*.h harness/model/*.h include/*.h vm/*.h stubs/*.h)
# The runner, the oracles and the codec the guest agent shares (harness/guest/guest.mk
# builds them freestanding for it), then the text parser, the hosted platform and the
# hosted-only oracles, then the protocol model (harness/model/).
HARNESS_SHARED := proto codec recfmt selcore findings runner oracle_reply oracle_acl oracle_expect oracle_vm
MODEL_SRCS     := $(sort $(wildcard harness/model/*.c))
HARNESS_CORE   := $(patsubst %,$(BUILD)/harness/%.o,$(HARNESS_SHARED) text fault run host shadow shadow_map shadow_calls shadow_plant leak report) \
		  $(MODEL_SRCS:harness/%.c=$(BUILD)/harness/%.o)
HOSTED_LIBS    := $(BUILD)/libstubs-hosted.a $(BUILD)/libvm-hosted.a $(BUILD)/libstubs-hosted.a
COV_VM_SRCS    := $(filter-out vm/sanity.c,$(VM_SRCS))
# The checker's walkers that live outside vm/sanity.c are not instrumented either, nor
# the bitmap and table scans whose comparisons say nothing about the input but cost a
# comparison trace per word (measured: a fifth of an execution).
COV_VM_SKIP    := pt_for_each_mapping pt_for_each_page pt_kernel_intact slab_check slab_is_live \
		  region_tree_check next_nonzero pagemap_next leaf_next pagemap_leaf_count locate hdr_valid \
		  mem_largest_free_run bit_get pagemap_free region_page \
		  cache_pages cache_for_each sanity_changed sanity_pt_changed sanity_block_changed \
		  slab_check_incremental check_classes check_class check_counts slab_all_changed
AFL_CC         := $(shell command -v afl-clang-fast 2>/dev/null)

.PHONY: harness fuzz-targets harness-test harness-dict
harness: $(BUILD)/vm-replay $(BUILD)/fuzz-libfuzzer $(if $(AFL_CC),$(BUILD)/fuzz-afl)
fuzz-targets: harness $(BUILD)/vm-bench $(BUILD)/vm-bench-fast $(BUILD)/fuzz-empty-libfuzzer $(if $(AFL_CC),$(BUILD)/fuzz-empty-afl $(BUILD)/fuzz-afl-fast)

$(BUILD)/harness/%.o: harness/%.c $(HARNESS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HARNESS_CFLAGS) -c $< -o $@

# ---- vm-replay and the harness self-test (plain ASan + UBSan) ----
$(BUILD)/vm-replay: $(patsubst %,$(BUILD)/harness/%.o,replay minimize sweep) $(HARNESS_CORE) $(HOSTED_LIBS)
	$(CC) $(HARNESS_CFLAGS) -o $@ $(filter %.o,$^) $(HOSTED_LIBS)

$(BUILD)/harness-selftest: $(BUILD)/harness/selftest.o $(HARNESS_CORE) $(HOSTED_LIBS)
	$(CC) $(HARNESS_CFLAGS) -o $@ $(filter %.o,$^) $(HOSTED_LIBS)

# ---- libFuzzer: vm/ with -fsanitize=fuzzer-no-link and a coverage allowlist ----
$(BUILD)/libfuzzer/allowlist.txt: harness/harness.mk
	@mkdir -p $(dir $@)
	@printf 'src:%s\n' $(COV_VM_SRCS) > $@
	@echo 'fun:*' >> $@
	@printf 'fun:%s\n' $(COV_VM_SKIP) > $(BUILD)/libfuzzer/ignorelist.txt

$(BUILD)/libfuzzer/vm/%.o: vm/%.c $(BUILD)/libfuzzer/allowlist.txt $(HARNESS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOSTED_CFLAGS) -fsanitize=fuzzer-no-link \
		-fsanitize-coverage-allowlist=$(BUILD)/libfuzzer/allowlist.txt \
		-fsanitize-coverage-ignorelist=$(BUILD)/libfuzzer/ignorelist.txt -c $< -o $@

LF_VM_OBJS := $(VM_SRCS:%.c=$(BUILD)/libfuzzer/%.o)
$(BUILD)/fuzz-libfuzzer: $(BUILD)/harness/fuzz_entry.o $(HARNESS_CORE) $(LF_VM_OBJS) $(STUB_HOSTED_OBJS)
	$(CC) $(HARNESS_CFLAGS) -fsanitize=fuzzer -o $@ $^
# vm-bench (make bench's profiler): the libFuzzer target's objects, so it pays the same
# coverage and comparison hooks, with libFuzzer's runtime but not its main; the
# sanity checker is timed through --wrap.
$(BUILD)/vm-bench: $(BUILD)/harness/bench.o $(HARNESS_CORE) $(LF_VM_OBJS) $(STUB_HOSTED_OBJS)
	$(CC) $(HARNESS_CFLAGS) -fsanitize=fuzzer-no-link -Wl,--wrap=sanity_check,--wrap=sanity_at -o $@ $^ \
		$(RTDIR)/libclang_rt.fuzzer_no_main-x86_64.a -lstdc++
# The empty target carries one instrumented edge: libFuzzer refuses a target without any.
$(BUILD)/libfuzzer/bench_empty.o: harness/bench_empty.c
	@mkdir -p $(dir $@)
	$(CC) $(HARNESS_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(BUILD)/fuzz-empty-libfuzzer: $(BUILD)/libfuzzer/bench_empty.o $(HARNESS_CORE) $(LF_VM_OBJS) $(STUB_HOSTED_OBJS)
	$(CC) $(HARNESS_CFLAGS) -fsanitize=fuzzer -o $@ $^

# ---- AFL++: afl-clang-fast with AFL_LLVM_DENYLIST; -fsanitize=fuzzer links its driver ----
# Only vm/ goes through afl-clang-fast, so a denylist (AFL++ takes an allowlist or a
# denylist, not both) says all the libFuzzer lists say: not the checker's file, not the
# walkers of COV_VM_SKIP, whose edge counters cost a store per loop step and tell the
# fuzzer nothing about the input.
ifneq ($(AFL_CC),)
$(BUILD)/afl/denylist.txt: harness/harness.mk
	@mkdir -p $(dir $@)
	@printf 'src:%s\n' $(filter-out $(COV_VM_SRCS),$(VM_SRCS)) > $@
	@printf 'fun:%s\n' $(COV_VM_SKIP) >> $@

$(BUILD)/afl/vm/%.o: vm/%.c $(BUILD)/afl/denylist.txt $(HARNESS_HDRS)
	@mkdir -p $(dir $@)
	AFL_QUIET=1 AFL_LLVM_DENYLIST=$(abspath $(BUILD)/afl/denylist.txt) \
		$(AFL_CC) $(HOSTED_CFLAGS) -c $< -o $@

AFL_VM_OBJS := $(VM_SRCS:%.c=$(BUILD)/afl/%.o)
$(BUILD)/fuzz-afl: $(BUILD)/harness/fuzz_entry.o $(HARNESS_CORE) $(AFL_VM_OBJS) $(STUB_HOSTED_OBJS)
	AFL_QUIET=1 $(AFL_CC) $(HARNESS_CFLAGS) -fsanitize=fuzzer -o $@ $^
$(BUILD)/fuzz-empty-afl: $(BUILD)/harness/bench_empty.o $(HARNESS_CORE) $(AFL_VM_OBJS) $(STUB_HOSTED_OBJS)
	AFL_QUIET=1 $(AFL_CC) $(HARNESS_CFLAGS) -fsanitize=fuzzer -o $@ $^

# ---- AFL++ without sanitizers: the campaign's fast instances (scripts/fuzz.sh) ----
# The same sources at -O2 with no ASan or UBSan anywhere (every oracle stays: they are
# the harness's own checks).  harness/nosan.c stands in for the two sanitizer calls of
# harness/report.c.  The CMPLOG binary only traces comparisons, so it is fast too.
FAST_CFLAGS    := $(STD) $(WARN) $(INC) -Istubs -Iharness -g -O2 -DVM_FAULT_POINTS
FAST_CORE      := $(patsubst $(BUILD)/harness/%,$(BUILD)/fast/harness/%,$(HARNESS_CORE)) $(BUILD)/fast/harness/nosan.o
FAST_STUB_OBJS := $(STUB_SRCS:%.c=$(BUILD)/fast/%.o)
$(BUILD)/fast/%.o: %.c $(HARNESS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(FAST_CFLAGS) -c $< -o $@
$(BUILD)/afl-fast/vm/%.o: vm/%.c $(BUILD)/afl/denylist.txt $(HARNESS_HDRS)
	@mkdir -p $(dir $@)
	AFL_QUIET=1 AFL_LLVM_DENYLIST=$(abspath $(BUILD)/afl/denylist.txt) \
		$(AFL_CC) $(FAST_CFLAGS) -c $< -o $@
AFL_FAST_VM_OBJS := $(VM_SRCS:%.c=$(BUILD)/afl-fast/%.o)
$(BUILD)/fuzz-afl-fast: $(BUILD)/fast/harness/fuzz_entry.o $(FAST_CORE) $(AFL_FAST_VM_OBJS) $(FAST_STUB_OBJS)
	AFL_QUIET=1 $(AFL_CC) $(FAST_CFLAGS) -fsanitize=fuzzer -o $@ $^
$(BUILD)/fuzz-empty-afl-fast: $(BUILD)/fast/harness/bench_empty.o $(FAST_CORE) $(AFL_FAST_VM_OBJS) $(FAST_STUB_OBJS)
	AFL_QUIET=1 $(AFL_CC) $(FAST_CFLAGS) -fsanitize=fuzzer -o $@ $^
endif
# vm-bench of the fast build (no sanitizer, no coverage): where a fast instance's time goes.
$(BUILD)/vm-bench-fast: $(BUILD)/fast/harness/bench.o $(FAST_CORE) $(VM_SRCS:%.c=$(BUILD)/fast/%.o) $(FAST_STUB_OBJS)
	$(CC) $(FAST_CFLAGS) -Wl,--wrap=sanity_check,--wrap=sanity_at -o $@ $^

# ---- make fuzz-qemu's host driver: AFL++'s forkserver over one QEMU of the fuzz image ----
$(BUILD)/qemu-forkserver: harness/qemu_forkserver.c kernel/shm_abi.h
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) -Ikernel -O2 -g -o $@ harness/qemu_forkserver.c

# ---- The dictionary, generated from the call table (checked in, checked by the test) ----
$(BUILD)/dictgen: harness/dictgen.c harness/proto.c harness/codec.c $(HARNESS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(INC) -Iharness -O1 -o $@ harness/dictgen.c harness/proto.c harness/codec.c
harness-dict: $(BUILD)/dictgen
	$(BUILD)/dictgen > harness/vmfuzz.dict

# ---- The corpus as binaries (engines take binary seeds) ----
# A file whose header lets its repeats run more than 2048 records again (a 1000-cycle
# conformance scenario) is a test, not a seed: every mutant of it would be as slow.
CORPUS_TXT   := $(sort $(wildcard corpus/*.txt))
CORPUS_SEEDS := $(if $(CORPUS_TXT),$(shell grep -L -E '^header .*budget=(8192|32768)' $(CORPUS_TXT)))
$(BUILD)/corpus-bin/%.bin: corpus/%.txt $(BUILD)/vm-replay
	@mkdir -p $(dir $@)
	@$(BUILD)/vm-replay --compile $< $@
corpus-bin: $(CORPUS_SEEDS:corpus/%.txt=$(BUILD)/corpus-bin/%.bin)
	@for f in $(BUILD)/corpus-bin/*; do \
		case " $(CORPUS_SEEDS) " in *" corpus/$$(basename "$$f" .bin).txt "*) ;; *) rm -f "$$f" ;; esac; \
	done
.PHONY: corpus-bin

harness-test: $(BUILD)/vm-replay $(BUILD)/harness-selftest $(BUILD)/fuzz-libfuzzer $(BUILD)/dictgen corpus-bin \
		$(if $(AFL_CC),$(BUILD)/fuzz-afl-fast)
	@BUILD=$(BUILD) harness/harness-test.sh

TEST_TARGETS += harness-test

# The guest agent of the fuzz image (needs kernel/kernel.mk, included before this file).
-include harness/guest/guest.mk
