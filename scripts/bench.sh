#!/bin/bash
# bench.sh - executions per second of the fuzz targets, beside an empty target built
# and linked the same way (harness/bench_empty.c: build/fuzz-empty-*), so the cost of
# the VM server per execution shows apart from the engine's own cost.  Wall-clock numbers: never used by a test.
#
#   BENCH_RUNS=n      libFuzzer executions of each corpus seed (default 50)
#   BENCH_SECONDS=s   length of each AFL++ run (default 30)
#
# libFuzzer runs every compiled seed (build/bench/seeds) BENCH_RUNS times (the real
# target with and without the protocol model, VMFUZZ_MODEL=off, and the empty one), with no
# mutation (files, not a folder, as arguments), so the number is repeatable; AFL++
# fuzzes for BENCH_SECONDS from the same seeds into a fresh folder under build/bench/
# and reports execs_done / run_time from its fuzzer_stats.
set -u
cd "$(dirname "$0")/.." || exit 2
BENCH_RUNS=${BENCH_RUNS:-50}
BENCH_SECONDS=${BENCH_SECONDS:-30}
MAKE=${MAKE:-make}
B=build/bench
SEEDS=$B/seeds
rows=()

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Compile corpus/*.txt into $B/seeds (a one-byte seed when the corpus is empty).
seeds()
{
	local t
	rm -rf "$SEEDS" && mkdir -p "$SEEDS"
	for t in corpus/*.txt; do
		[ -e "$t" ] || continue
		build/vm-replay --compile "$t" "$SEEDS/$(basename "$t" .txt).bin" >/dev/null 2>&1
	done
	[ -n "$(ls -A "$SEEDS")" ] || printf '\0' >"$SEEDS/empty.bin"
}

# libFuzzer: run binary $2 on every seed BENCH_RUNS times, with the environment
# assignments $3... (e.g. VMFUZZ_MODEL=off); add a row named $1.
bench_libfuzzer()
{
	local name=$1 bin=$2 t0 t1 ms n execs log=$B/libfuzzer-$1.log
	shift 2
	n=$(ls "$SEEDS" | wc -l)
	execs=$((n * BENCH_RUNS))
	t0=$(now_ms)
	env ASAN_OPTIONS=detect_leaks=0 "$@" "$bin" -runs="$BENCH_RUNS" "$SEEDS"/* >"$log" 2>&1 ||
		{ echo "bench: $name failed (see $log)" >&2; return; }
	t1=$(now_ms)
	ms=$((t1 - t0))
	[ "$ms" -gt 0 ] || ms=1
	rows+=("libFuzzer $name $execs $ms $((execs * 1000 / ms))")
}

# AFL++: fuzz binary $2 for BENCH_SECONDS; add a row from its fuzzer_stats.
bench_afl()
{
	local name=$1 bin=$2 out=$B/$1.afl st execs rt
	rm -rf "$out"
	AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
		ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0 \
		afl-fuzz -i "$SEEDS" -o "$out" -V "$BENCH_SECONDS" -- "$bin" >"$B/afl-$1.log" 2>&1
	st=$out/default/fuzzer_stats
	[ -f "$st" ] || { echo "bench: $name did not run (see $B/afl-$1.log)" >&2; return; }
	execs=$(sed -n 's/^execs_done *: *//p' "$st")
	rt=$(sed -n 's/^run_time *: *//p' "$st")
	[ "${rt:-0}" -gt 0 ] || rt=1
	rows+=("AFL++ $name $execs $((rt * 1000)) $((execs / rt))")
}

# The protocol model's cost: time per record (message or access) of the libFuzzer runs
# with and without it (VMFUZZ_MODEL=off), and its share of an execution.
model_cost()
{
	local r with= without= recs=0 f
	for r in "${rows[@]}"; do
		set -- $r
		[ "$1 $2" = "libFuzzer vm" ] && with=$4
		[ "$1 $2" = "libFuzzer vm-nomodel" ] && without=$4
	done
	[ -n "$with" ] && [ -n "$without" ] || return 0
	for f in "$SEEDS"/*; do
		recs=$((recs + $(build/vm-replay --print "$f" | grep -cE '^(msg|read|write|kpf|notify) ')))
	done
	[ "$recs" -gt 0 ] || return 0
	awk -v w="$with" -v wo="$without" -v n="$recs" -v runs="$BENCH_RUNS" 'BEGIN {
		pw = w * 1000 / (n * runs); pwo = wo * 1000 / (n * runs)
		printf "\nmodel: %.1f us per record with the model, %.1f us without (%d records x %d runs): the model costs %.1f us per record, %.0f%% of an execution\n",
			pw, pwo, n, runs, pw - pwo, (w > wo ? (w - wo) * 100 / w : 0) }'
}

mkdir -p "$B"
$MAKE -s build/vm-replay build/fuzz-libfuzzer build/fuzz-empty-libfuzzer || exit 2
seeds
echo "bench: libFuzzer, $BENCH_RUNS runs of each of $(ls "$SEEDS" | wc -l) seeds"
bench_libfuzzer vm build/fuzz-libfuzzer
bench_libfuzzer vm-nomodel build/fuzz-libfuzzer VMFUZZ_MODEL=off
bench_libfuzzer empty build/fuzz-empty-libfuzzer
if command -v afl-fuzz >/dev/null 2>&1 && $MAKE -s build/fuzz-afl build/fuzz-empty-afl >/dev/null 2>&1; then
	echo "bench: AFL++, ${BENCH_SECONDS}s each"
	bench_afl vm build/fuzz-afl
	bench_afl empty build/fuzz-empty-afl
else
	echo "bench: AFL++ or build/fuzz-afl unavailable, skipped"
fi
printf '\n%-10s %-10s %10s %9s %10s\n' engine target execs seconds execs/s
for r in "${rows[@]}"; do
	set -- $r
	printf '%-10s %-10s %10s %9s %10s\n' "$1" "$2" "$3" "$(awk -v m="$4" 'BEGIN { printf "%.1f", m / 1000 }')" "$5"
done
model_cost
