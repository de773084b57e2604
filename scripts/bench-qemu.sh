#!/bin/bash
# bench-qemu.sh [SEEDS_DIR] - replays per second in the fuzz image under QEMU (TCG):
# one boot per input (each seed in a boot of its own, as replay-qemu.sh did before
# batches) against every seed in one boot (a batch: the kernel restores its snapshot
# of VM between inputs, kernel/snapshot.c), the batch repeated BENCH_QEMU_REPEAT times
# (default 5) and a batch of 200 empty inputs (the fixed cost of an input: reset,
# restore, verdict).  Writes build/bench/qemu.md.  Wall-clock numbers: never used by a
# test.  SEEDS_DIR defaults to build/bench/seeds (make bench's: the corpus without
# its 8192-record conformance files), else corpus/*.txt.
#
# Then fuzzing the image against fuzzing the hosted build: the driver of make fuzz-qemu
# (build/qemu-forkserver --run) over the binary seeds x BENCH_QEMU_REPEAT in one QEMU
# (inputs per second through the shared memory, host wall time), and with
# BENCH_QEMU_FUZZ=s (default 120; 0 skips) one afl-fuzz instance for s seconds on
# each, from the same seeds (build/corpus-bin): make fuzz-qemu's target and the hosted
# build/fuzz-afl-fast; execs/s is execs_done / run_time of each (the dry run of the
# seeds included, which in the image is most of a short run).
set -u
cd "$(dirname "$0")/.." || exit 2
B=build/bench
OUT=$B/qemu.md
REPEAT=${BENCH_QEMU_REPEAT:-5}
export IMG=build/image-fuzz REPLAY=build/vm-replay
mkdir -p "$B"
make -s image-fuzz build/vm-replay >/dev/null || exit 2
if [ -n "${1:-}" ] && ls "$1"/* >/dev/null 2>&1; then
	seeds=("$1"/*)
else
	seeds=()
	for t in corpus/*.txt; do
		grep -q -E '^header .*budget=(8192|32768)' "$t" || seeds+=("$t")
	done
fi
n=${#seeds[@]}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# rate N MS: N per MS milliseconds, per second
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf("%.1f", ms > 0 ? n * 1000 / ms : 0) }'; }
# guest_ms: the in-guest time of the last batch (the agent's line)
guest() { sed -n 's/^agent: batch of \([0-9]*\) inputs, [0-9]* findings, \([0-9]*\) ms.*/\1 \2/p' "$B/qemu-batch.log" | tail -1; }

t0=$(now_ms)
for f in "${seeds[@]}"; do
	scripts/replay-qemu.sh "$f" >/dev/null 2>&1
done
one_ms=$(($(now_ms) - t0))

t0=$(now_ms)
scripts/replay-qemu.sh --batch "${seeds[@]}" >"$B/qemu-batch.log" 2>&1
batch_ms=$(($(now_ms) - t0))
read -r bn bms <<<"$(guest)"

rep=()
for _ in $(seq "$REPEAT"); do rep+=("${seeds[@]}"); done
t0=$(now_ms)
scripts/replay-qemu.sh --batch "${rep[@]}" >"$B/qemu-batch.log" 2>&1
rep_ms=$(($(now_ms) - t0))
read -r rn rms <<<"$(guest)"

: >"$B/empty.bin"
empties=()
for _ in $(seq 200); do empties+=("$B/empty.bin"); done
scripts/replay-qemu.sh --batch "${empties[@]}" >"$B/qemu-batch.log" 2>&1
read -r en ems <<<"$(guest)"

# ---- fuzzing the image vs the hosted build ----
make -s build/qemu-forkserver corpus-bin >/dev/null || exit 2
bins=()
for _ in $(seq "$REPEAT"); do bins+=(build/corpus-bin/*.bin); done
build/qemu-forkserver --run build/image-fuzz "${bins[@]}" >"$B/qemu-driver.log" 2>&1
drv=$(sed -n 's/^qemu-forkserver: \([0-9]*\) inputs, .* \([0-9]*\) edges, \([0-9]*\) ms, .*/\1 \2 \3/p' "$B/qemu-driver.log")
read -r dn dedges dms <<<"${drv:-0 0 0}"
FUZZ_S=${BENCH_QEMU_FUZZ:-120}
stat() { sed -n "s/^$2 *: *//p" "$1" 2>/dev/null | head -n1; }
# afl_rate DIR: "execs_done run_time execs/s edges paths" of an AFL++ output folder
afl_rate()
{
	local f=$1/default/fuzzer_stats e r
	e=$(stat "$f" execs_done) r=$(stat "$f" run_time)
	echo "${e:-0} ${r:-0} $(rate "${e:-0}" $((${r:-0} * 1000))) $(stat "$f" edges_found) $(stat "$f" corpus_count)"
}
if [ "$FUZZ_S" -gt 0 ]; then
	rm -rf "$B/fuzz-qemu" "$B/afl-hosted"
	# bench.sh's ASAN_OPTIONS (no abort_on_error) make afl-fuzz refuse to start
	env -u ASAN_OPTIONS DURATION=$FUZZ_S CAMPAIGN=$B/fuzz-qemu STATUS_EVERY=60 scripts/fuzz-qemu.sh >"$B/fuzz-qemu.log" 2>&1
	read -r qe qr qeps qedges qpaths <<<"$(afl_rate "$B/fuzz-qemu/afl")"
	make -s build/fuzz-afl-fast >/dev/null 2>&1
	ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0 \
		AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
		afl-fuzz -i build/corpus-bin -o "$B/afl-hosted" -t 500 -V "$FUZZ_S" -- build/fuzz-afl-fast \
		>"$B/afl-hosted.log" 2>&1
	read -r he hr heps hedges hpaths <<<"$(afl_rate "$B/afl-hosted")"
fi

{
	echo "## The fuzz image under QEMU (TCG): replays per second"
	echo ""
	echo "| how | inputs | wall ms | replays/s (wall) | in-guest ms | replays/s (in guest) |"
	echo "|---|---:|---:|---:|---:|---:|"
	echo "| one boot per input | $n | $one_ms | $(rate "$n" "$one_ms") | | |"
	echo "| one batch, one boot | $bn | $batch_ms | $(rate "$bn" "$batch_ms") | $bms | $(rate "$bn" "$bms") |"
	echo "| the seeds x$REPEAT, one boot | $rn | $rep_ms | $(rate "$rn" "$rep_ms") | $rms | $(rate "$rn" "$rms") |"
	echo "| empty inputs, one boot | $en | | | $ems | $(rate "$en" "$ems") |"
	echo ""
	echo "In-guest time is the agent's, from the first input to the last verdict (100 Hz timer);"
	echo "wall time adds QEMU's start, the boot, and compiling the text inputs."
	echo ""
	echo "## Fuzzing the image (make fuzz-qemu) vs the hosted build"
	echo ""
	echo "| what | execs | seconds | execs/s | edges | paths |"
	echo "|---|---:|---:|---:|---:|---:|"
	echo "| qemu-forkserver --run, the seeds x$REPEAT, one QEMU | $dn | $(rate "$dms" 1000000) | $(rate "$dn" "$dms") | $dedges | |"
	if [ "$FUZZ_S" -gt 0 ]; then
		echo "| afl-fuzz on the image, ${FUZZ_S} s | $qe | $qr | $qeps | $qedges | $qpaths |"
		echo "| afl-fuzz on build/fuzz-afl-fast, ${FUZZ_S} s | $he | $hr | $heps | $hedges | $hpaths |"
	fi
	echo ""
	echo "Edges are each build's own: VM's trace-pc-guard counters in the image, AFL++'s edge"
	echo "ids of the same vm/ files (the same allowlist) in the hosted build: counts compare loosely."
	echo ""
} >"$OUT"
cat "$OUT"
