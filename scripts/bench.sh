#!/bin/bash
# bench.sh - how fast the fuzz targets run and where an execution's time goes.  Prints
# everything and writes it to build/bench/results.md (the previous file is kept as
# results.prev.md and its execs/s are shown beside the new ones).  Wall-clock numbers:
# never used by a test.
#
#   BENCH_RUNS=n      libFuzzer executions of each corpus seed (default 50)
#   BENCH_SECONDS=s   length of each AFL++ run (default 30)
#   BENCH_PROFILE=n   vm-bench executions of each seed for the profile (default 20)
#   BENCH_QUEUE="dir..."  the queue whose slowest inputs are timed (default: every
#                     build/campaign/afl/*/queue, else build/campaign/libfuzzer/corpus)
#   BENCH_QUEUE_MAX=n at most that many queue inputs (default 3000)
#   BENCH_SCALE=s     also run `make fuzz` (scripts/fuzz.sh) for s seconds with JOBS=1
#                     and JOBS=2, in scratch campaigns under build/bench/ (default 0: no)
#   BENCH_SAN_JOBS=n  SAN_JOBS of those campaigns (default 0: every instance the fast build)
#   BENCH_PIN=0|1     PIN of those campaigns (default: fuzz.sh's)
#   BENCH_ENGINE=afl|libfuzzer  ENGINE of those campaigns (default afl)
#   BENCH_BIN=dir     take the binaries from dir (kept from an older build) instead of
#                     building them; results go to build/bench/<dir's name>/
#
# 1. execs/s: libFuzzer runs every compiled seed (build/bench/seeds) BENCH_RUNS times
#    with no mutation (files, not a folder), so the number is repeatable: the real
#    target, the same without the protocol model (VMFUZZ_MODEL=off), and the empty
#    target linked the same way (harness/bench_empty.c).  AFL++ fuzzes for BENCH_SECONDS
#    from the same seeds, each build (ASan+UBSan, and the fast one without sanitizers
#    that most campaign instances run) beside its own empty target.  Every real target
#    runs again with the sanity checker off (VMFUZZ_SANITY=off, rows *-nosanity) and
#    with every oracle off too (VMFUZZ_ORACLES=off, rows *-bare): the ceilings a faster
#    checker or faster oracles could reach (harness/run.c).
# 2. build/vm-bench (harness/bench.c, the libFuzzer target's objects) times the seeds'
#    executions: the share of restore, VM's handlers, the sanity checker and each
#    oracle; restore cost; deliver cost by call; the shares again in the fast build
#    (build/vm-bench-fast); then without the leak, memory and model oracles (what
#    leaving each out saves).
# 3. The slowest inputs of the last campaign's queue against the median.
# 4. With BENCH_SCALE: execs/s of a whole campaign on one and on two cores.
# 5. Time to first finding of every self-test plant (scripts/bench-plants.sh: libFuzzer
#    on one core, at most BENCH_PLANT_SECONDS each, default 120; BENCH_PLANTS=0 skips
#    it; BENCH_PLANTS_FROM=empty starts from nothing instead of the corpus), so a speed
#    change that costs findings shows up.
# 6. Replays per second in the fuzz image under QEMU: one boot per input against a
#    batch in one boot, and make fuzz-qemu's execs/s against the hosted AFL++ target's
#    (scripts/bench-qemu.sh, BENCH_QEMU_FUZZ seconds each; BENCH_QEMU=0 skips it).
set -u
cd "$(dirname "$0")/.." || exit 2
BENCH_RUNS=${BENCH_RUNS:-50}
BENCH_SECONDS=${BENCH_SECONDS:-30}
BENCH_PROFILE=${BENCH_PROFILE:-20}
BENCH_QUEUE_MAX=${BENCH_QUEUE_MAX:-3000}
MAKE=${MAKE:-make}
BIN=${BENCH_BIN:-build}
B=build/bench
[ "$BIN" = build ] || B=build/bench/$(basename "$BIN")
SEEDS=$B/seeds
OUT=$B/results.md
VMB=$BIN/vm-bench
export ASAN_OPTIONS=detect_leaks=0
rows=()

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Print a line and add it to the results file.
out() { printf '%s\n' "$*" | tee -a "$OUT"; }

# Compile corpus/*.txt into $B/seeds (a one-byte seed when the corpus is empty), the
# fuzzing seeds only: a file whose header lets repeats run 8192 records again is a
# conformance test that make fuzz leaves out too.
seeds()
{
	local t
	rm -rf "$SEEDS" && mkdir -p "$SEEDS"
	for t in corpus/*.txt; do
		[ -e "$t" ] || continue
		grep -q -E '^header .*budget=(8192|32768)' "$t" && continue
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
	env "$@" "$bin" -runs="$BENCH_RUNS" "$SEEDS"/* >"$log" 2>&1 ||
		{ echo "bench: $name failed (see $log)" >&2; return; }
	t1=$(now_ms)
	ms=$((t1 - t0))
	[ "$ms" -gt 0 ] || ms=1
	rows+=("libFuzzer $name $execs $ms $((execs * 1000 / ms))")
}

# AFL++: fuzz binary $2 for BENCH_SECONDS, with the environment assignments $3...;
# add a row named $1 from its fuzzer_stats.
bench_afl()
{
	local name=$1 bin=$2 out=$B/$1.afl st execs rt
	shift 2
	rm -rf "$out"
	env "$@" AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
		ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0 \
		afl-fuzz -i "$SEEDS" -o "$out" -V "$BENCH_SECONDS" -- "$bin" >"$B/afl-$name.log" 2>&1
	st=$out/default/fuzzer_stats
	[ -f "$st" ] || { echo "bench: $name did not run (see $B/afl-$name.log)" >&2; return; }
	execs=$(sed -n 's/^execs_done *: *//p' "$st")
	rt=$(sed -n 's/^run_time *: *//p' "$st")
	[ "${rt:-0}" -gt 0 ] || rt=1
	rows+=("AFL++ $name $execs $((rt * 1000)) $((execs / rt))")
}

# execs/s of row "$1 $2" (empty when absent).
rate()
{
	local r want="$1 $2"
	for r in "${rows[@]}"; do
		set -- $r
		[ "$1 $2" = "$want" ] && { echo "$5"; return; }
	done
}

# execs/s of row "$1 $2" in the previous results (empty when absent).
prev_rate()
{
	[ -f "$B/rows.prev" ] && awk -v e="$1" -v t="$2" '$1 == e && $2 == t { print $5 }' "$B/rows.prev"
}

# The empty target a real one is compared with.
empty_of()
{
	case $1 in
	vm-fast*) echo empty-fast ;;
	*) echo empty ;;
	esac
}

# The ceilings: what each engine's real target would reach against its empty target if
# the sanity checker, then every oracle, cost nothing (the rows run with
# VMFUZZ_SANITY=off, and with VMFUZZ_ORACLES=off as well: VM's handlers, restore,
# decoding and the runner only).  Issue 9's goal, 40 % of the empty target, is out of
# reach for a build whose row without any oracle is below it.
print_ceilings()
{
	local e t real nos bare emp
	out "### Ceilings: the same targets with the checker off, and with every oracle off"
	out ""
	out "| engine | target | every oracle on | checker off | every oracle and the checker off |"
	out "|---|---|---:|---:|---:|"
	for t in "libFuzzer vm" "AFL++ vm" "AFL++ vm-fast"; do
		set -- $t
		e=$1
		real=$(rate "$e" "$2") nos=$(rate "$e" "$2-nosanity") bare=$(rate "$e" "$2-bare") emp=$(rate "$e" "$(empty_of "$2")")
		[ -n "$real" ] && [ -n "$emp" ] || continue
		out "| $e | $2 | $(pct "$real" "$emp") | $(pct "$nos" "$emp") | $(pct "$bare" "$emp") |"
	done
	out ""
}

# a / b as a percentage, or - when either is missing.
pct()
{
	[ -n "$1" ] && [ -n "$2" ] && [ "$2" -gt 0 ] || { echo -; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f %%", 100 * a / b }'
}

print_rates()
{
	local r e ratio prev
	out "## Executions per second"
	out ""
	out "| engine | target | execs | seconds | execs/s | of empty | previous execs/s |"
	out "|---|---|---:|---:|---:|---:|---:|"
	for r in "${rows[@]}"; do
		set -- $r
		e=$(rate "$1" "$(empty_of "$2")")
		ratio=-
		case $2 in empty*) ;; *) ratio=$(pct "$5" "$e") ;; esac
		prev=$(prev_rate "$1" "$2")
		out "| $1 | $2 | $3 | $(awk -v m="$4" 'BEGIN { printf "%.1f", m / 1000 }') | $5 | $ratio | ${prev:--} |"
	done
	printf '%s\n' "${rows[@]}" >"$B/rows"
	out ""
}

# The protocol model's cost from the two libFuzzer runs: per record, and its share.
model_cost()
{
	local with without recs=0 f
	with=$(rate libFuzzer vm) without=$(rate libFuzzer vm-nomodel)
	[ -n "$with" ] && [ -n "$without" ] || return 0
	for f in "$SEEDS"/*; do
		recs=$((recs + $(build/vm-replay --print "$f" | grep -cE '^(msg|read|write|kpf|notify) ')))
	done
	[ "$recs" -gt 0 ] || return 0
	out "$(awk -v w="$with" -v wo="$without" -v n="$recs" -v s="$(ls "$SEEDS" | wc -l)" 'BEGIN {
		pw = 1e6 * s / (w * n); pwo = 1e6 * s / (wo * n)
		printf "libFuzzer with and without the model (VMFUZZ_MODEL=off): %.1f and %.1f us per record (%d records in %d seeds): the model is %.0f %% of an execution", pw, pwo, n, s, (pw > pwo ? 100 * (pw - pwo) / pw : 0) }')"
	out ""
}

# vm-bench over the seeds: the profile, restore without the teardown, and what leaving
# each costly oracle out saves.
profile()
{
	local full o us
	out "## Where an execution goes ($VMB, $BENCH_PROFILE runs of each seed)"
	out ""
	$VMB --runs "$BENCH_PROFILE" --profile "$SEEDS"/* >"$B/profile.txt" 2>&1 ||
		{ echo "bench: vm-bench failed (see $B/profile.txt)" >&2; return; }
	tee -a "$OUT" <"$B/profile.txt"
	out ""
	out "restore without the leak oracle's teardown (what the conversation itself wrote):"
	out "$($VMB --runs "$BENCH_PROFILE" --without leak --restore "$SEEDS"/* 2>&1)"
	out ""
	if [ -x "$VMB-fast" ] && $VMB-fast --runs "$BENCH_PROFILE" --profile "$SEEDS"/* >"$B/profile-fast.txt" 2>&1; then
		out "### The same in the fast build ($VMB-fast: no sanitizer, no coverage)"
		out ""
		sed -n '1,/^restore:/p' "$B/profile-fast.txt" | sed '1s/^### Where an execution.s time goes //' | tee -a "$OUT"
		out ""
	fi
	full=$(sed -n 's/.*executions, \([0-9.]*\) us each.*/\1/p' "$B/profile.txt")
	out "### Leaving one oracle out (mean us per execution; the profile above: $full)"
	out ""
	out "| without | us per execution | saves |"
	out "|---|---:|---:|"
	for o in leak memory model; do
		us=$($VMB --runs "$BENCH_PROFILE" --without "$o" --profile "$SEEDS"/* 2>&1 |
			sed -n 's/.*executions, \([0-9.]*\) us each.*/\1/p')
		out "| $o | $us | $(awk -v f="$full" -v u="$us" 'BEGIN { printf("%.1f %%", (f > 0 ? 100 * (f - u) / f : 0)) }') |"
	done
	out ""
}

# The input issue 9 started from, written out here (corpus/ holds conformance tests):
# RS preallocates most of RAM for a child of init, which then forks seven times, and
# the child maps five pages.  Its time per execution and where it goes.
prealloc_forks()
{
	local t=$B/prealloc-forks.txt f
	{
		echo "msg from=live:0 VM_FORK parent=live:4 slot=3"
		echo "msg from=live:2 VM_RS_MEMCTL endpt=live:3 req=2 addr=0 len=0x600000"
		for f in 7 9 10 11 12 13 14 15; do echo "msg from=live:0 VM_FORK parent=live:3 slot=$f"; done
		for f in 0 1 2 3 4; do
			echo "msg from=live:3 VM_MMAP offset=0 addr=0x3000${f}000 len=0x1000 prot=PROT_READ|PROT_WRITE flags=MAP_PRIVATE|MAP_ANON|MAP_FIXED fd=-1 forwhom=self pad0=0"
		done
	} >"$t"
	build/vm-replay --compile "$t" "$B/prealloc-forks.bin" >/dev/null 2>&1 || return 0
	out "## A worst case: RS preallocates 6 MiB for a child, which forks 7 times, then maps 5 pages"
	out ""
	$VMB --runs 5 --profile "$B/prealloc-forks.bin" 2>&1 | sed -n '1,/^execution:/p' | sed '1s/^### Where an execution.s time goes //' | tee -a "$OUT"
	out ""
}

# The slowest inputs of the last campaign's queue against the median.
slowest()
{
	local dirs list n med medrec
	dirs=${BENCH_QUEUE:-$(ls -d build/campaign/afl/*/queue 2>/dev/null || true)}
	[ -n "$dirs" ] || dirs=$(ls -d build/campaign/libfuzzer/corpus 2>/dev/null || true)
	out "## The slowest inputs of the last campaign's queue"
	out ""
	if [ -z "$dirs" ]; then
		out "no campaign queue (build/campaign/afl/*/queue; set BENCH_QUEUE): skipped"
		out ""
		return
	fi
	list=$B/queue.list
	find $dirs -maxdepth 1 -type f ! -name '.*' 2>/dev/null | sort | head -n "$BENCH_QUEUE_MAX" >"$list"
	n=$(wc -l <"$list")
	# A first pass of 3 runs each finds the candidates; the 10 slowest are timed again
	# with 11 runs each, so one noisy run does not make the list.
	# vm-bench --each: "<us per execution> <records delivered> <file>"
	tr '\n' '\0' <"$list" | xargs -0 $VMB --runs 3 --each >"$B/queue-times.txt" 2>/dev/null
	med=$(awk '{ print $1 }' "$B/queue-times.txt" | sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }')
	medrec=$(awk '$2 > 0 { print $1 / $2 }' "$B/queue-times.txt" | sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "%.1f", a[int((NR + 1) / 2)] }')
	sort -gr "$B/queue-times.txt" | head -n 10 | cut -d' ' -f3- | tr '\n' '\0' |
		xargs -0 $VMB --runs 11 --each | sort -gr >"$B/queue-slowest.txt"
	out "$n inputs from $dirs; median $med us per execution (3 runs each); median cost of a"
	out "record (a message or access the runner delivered; its checks and oracles included):"
	out "${medrec:--} us."
	out "Goal: the slowest within 10x of the median."
	out ""
	out "| us per execution (median of 11) | x median | records | us per record | x median per record | input |"
	out "|---:|---:|---:|---:|---:|---|"
	head -n 5 "$B/queue-slowest.txt" | while read -r us recs f; do
		out "| $us | $(awk -v a="$us" -v m="$med" 'BEGIN { printf("%.1f", (m > 0 ? a / m : 0)) }') | $recs |" \
			"$(awk -v a="$us" -v r="$recs" -v m="${medrec:-0}" 'BEGIN { if (r > 0) printf("%.1f | %.1f", a / r, (m > 0 ? a / r / m : 0)); else printf("- | -") }') | $f |"
	done
	out ""
	out "$(awk -v m="$med" 'NR == 1 { r = m > 0 ? $1 / m : 0; printf "slowest: %.1fx the median: goal %s", r, r <= 10 ? "met" : "NOT met" }' "$B/queue-slowest.txt")"
	out ""
}

# execs/s of campaign folder $1: the sum over its AFL++ instances of execs_done /
# run_time; for libFuzzer's fork mode, executions over time of its last status line.
campaign_rate()
{
	local f e t sum=0
	if [ -f "$1/logs/libfuzzer.log" ]; then
		grep -a '^#[0-9]*: cov:' "$1/logs/libfuzzer.log" | tail -n 1 |
			sed -n 's/^#\([0-9]*\):.* time: \([0-9]*\)s.*/\1 \2/p' | awk '{ print ($2 > 0 ? int($1 / $2) : 0) }'
		return
	fi
	for f in "$1"/afl/*/fuzzer_stats; do
		[ -f "$f" ] || continue
		e=$(sed -n 's/^execs_done *: *//p' "$f") t=$(sed -n 's/^run_time *: *//p' "$f")
		[ "${t:-0}" -gt 0 ] && sum=$((sum + e / t))
	done
	echo "$sum"
}

# `make fuzz` with JOBS=1 and JOBS=2 for BENCH_SCALE seconds each, from the seeds.
scale()
{
	local j r1 r2 c
	[ "${BENCH_SCALE:-0}" -gt 0 ] && [ "$BIN" = build ] || return 0
	out "## make fuzz on one and two cores (${BENCH_ENGINE:-afl}, ${BENCH_SCALE}s each, SAN_JOBS=${BENCH_SAN_JOBS:-0}${BENCH_PIN:+ PIN=$BENCH_PIN})"
	out ""
	for j in 1 2; do
		c=$B/scale-$j
		rm -rf "$c"
		env -u ASAN_OPTIONS CAMPAIGN=$c CRASHES=$c/crashes TRIAGE_STATE=$c/triage DURATION=$BENCH_SCALE JOBS=$j \
			SAN_JOBS=${BENCH_SAN_JOBS:-0} ${BENCH_PIN:+PIN=$BENCH_PIN} ENGINE=${BENCH_ENGINE:-afl} STATUS_EVERY=30 TRIAGE_EVERY=0 scripts/fuzz.sh >"$B/scale-$j.log" 2>&1
	done
	r1=$(campaign_rate "$B/scale-1") r2=$(campaign_rate "$B/scale-2")
	out "| JOBS | execs/s | per instance |"
	out "|---:|---:|---|"
	for j in 1 2; do
		out "| $j | $(campaign_rate "$B/scale-$j") | $(for f in "$B/scale-$j"/afl/*/fuzzer_stats; do
			[ -f "$f" ] || continue
			printf '%s %s/s ' "$(basename "$(dirname "$f")")" \
				"$(awk '/^execs_done/ { e = $3 } /^run_time/ { t = $3 } END { if (t) print int(e / t) }' "$f")"
		done) |"
	done
	out ""
	out "$(awk -v a="$r1" -v b="$r2" 'BEGIN { printf("JOBS=2 gives %.2fx the execs/s of JOBS=1 (goal: 1.8x)", (a > 0 ? b / a : 0)) }')"
	out ""
}

mkdir -p "$B"
afl=0
if [ "$BIN" = build ]; then
	$MAKE -s build/vm-replay $VMB $VMB-fast build/fuzz-libfuzzer build/fuzz-empty-libfuzzer || exit 2
	command -v afl-fuzz >/dev/null 2>&1 &&
		$MAKE -s build/fuzz-afl build/fuzz-empty-afl build/fuzz-afl-fast build/fuzz-empty-afl-fast >/dev/null 2>&1 && afl=1
else
	command -v afl-fuzz >/dev/null 2>&1 && [ -x "$BIN/fuzz-afl" ] && afl=1
fi
seeds
[ -f "$OUT" ] && mv "$OUT" "$B/results.prev.md"
[ -f "$B/rows" ] && mv "$B/rows" "$B/rows.prev"
: >"$OUT"
out "# make bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
out ""
echo "bench: libFuzzer, $BENCH_RUNS runs of each of $(ls "$SEEDS" | wc -l) seeds"
bench_libfuzzer vm $BIN/fuzz-libfuzzer
bench_libfuzzer vm-nomodel $BIN/fuzz-libfuzzer VMFUZZ_MODEL=off
bench_libfuzzer vm-nosanity $BIN/fuzz-libfuzzer VMFUZZ_SANITY=off
bench_libfuzzer vm-bare $BIN/fuzz-libfuzzer VMFUZZ_SANITY=off VMFUZZ_ORACLES=off
bench_libfuzzer empty $BIN/fuzz-empty-libfuzzer
if [ "$afl" = 1 ]; then
	echo "bench: AFL++, ${BENCH_SECONDS}s each"
	bench_afl vm $BIN/fuzz-afl
	bench_afl vm-nosanity $BIN/fuzz-afl VMFUZZ_SANITY=off
	bench_afl vm-bare $BIN/fuzz-afl VMFUZZ_SANITY=off VMFUZZ_ORACLES=off
	bench_afl empty $BIN/fuzz-empty-afl
	if [ -x "$BIN/fuzz-afl-fast" ]; then
		bench_afl vm-fast $BIN/fuzz-afl-fast
		bench_afl vm-fast-nosanity $BIN/fuzz-afl-fast VMFUZZ_SANITY=off
		bench_afl vm-fast-bare $BIN/fuzz-afl-fast VMFUZZ_SANITY=off VMFUZZ_ORACLES=off
	fi
	[ -x "$BIN/fuzz-empty-afl-fast" ] && bench_afl empty-fast $BIN/fuzz-empty-afl-fast
else
	echo "bench: AFL++ or build/fuzz-afl unavailable, skipped"
fi
print_rates
print_ceilings
model_cost
profile
prealloc_forks
slowest
scale
if [ "${BENCH_QEMU:-1}" != 0 ] && [ "$BIN" = build ]; then
	echo "bench: the fuzz image under QEMU (scripts/bench-qemu.sh)"
	scripts/bench-qemu.sh "$SEEDS" && cat build/bench/qemu.md >>"$OUT"
fi
if [ "${BENCH_PLANTS:-1}" != 0 ] && [ "$BIN" = build ]; then
	echo "bench: time to first finding of every plant"
	PLANT_SECONDS=${BENCH_PLANT_SECONDS:-120} PLANT_FROM=${BENCH_PLANTS_FROM:-corpus} scripts/bench-plants.sh &&
		cat build/bench/plants.md >>"$OUT"
fi
echo "bench: written to $OUT"
