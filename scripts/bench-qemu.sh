#!/bin/bash
# bench-qemu.sh [SEEDS_DIR] - replays per second in the fuzz image under QEMU (TCG):
# one boot per input (each seed in a boot of its own, as replay-qemu.sh did before
# batches) against every seed in one boot (a batch: the kernel restores its snapshot
# of VM between inputs, kernel/snapshot.c), the batch repeated BENCH_QEMU_REPEAT times
# (default 5) and a batch of 200 empty inputs (the fixed cost of an input: reset,
# restore, verdict).  Writes build/bench/qemu.md.  Wall-clock numbers: never used by a
# test.  SEEDS_DIR defaults to build/bench/seeds (make bench's: the corpus without
# its 8192-record conformance files), else corpus/*.txt.
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
} >"$OUT"
cat "$OUT"
