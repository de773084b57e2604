# scripts/campaign.mk - campaign targets: fuzz, triage, bench, coverage, status.
# Included from the top Makefile.  The scripts do the work; this fragment builds the
# few binaries that only they need (the empty bench targets, the coverage replay).
.PHONY: fuzz triage bench coverage status

# `make fuzz [DURATION=s] [JOBS=n] [ENGINE=afl|libfuzzer]`: a campaign, resumable.
fuzz:
	scripts/fuzz.sh
# Triage build/campaign's raw findings into crashes/.
triage: $(BUILD)/vm-replay
	scripts/triage.sh build/campaign
# execs/s of the fuzz targets beside an empty target.
bench:
	scripts/bench.sh
# llvm-cov line coverage of vm/ by the corpus and the campaign queue.
coverage:
	scripts/coverage.sh
# Static HTML status page in build/status/.
status:
	scripts/status.sh

# ---- The empty fuzz target of make bench, built like the real ones. ----
AFL_CC ?= afl-clang-fast
$(BUILD)/bench/empty-libfuzzer: scripts/bench_empty.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) -g -O1 -fsanitize=fuzzer $(SAN) -o $@ $<
$(BUILD)/bench/empty-afl: scripts/bench_empty.c
	@mkdir -p $(dir $@)
	$(AFL_CC) $(STD) $(WARN) -g -O1 -fsanitize=fuzzer -o $@ $<
