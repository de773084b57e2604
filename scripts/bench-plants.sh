#!/bin/bash
# bench-plants.sh - time to first finding for every self-test plant: for each plant a
# libFuzzer campaign on one core from the corpus seeds (build/corpus-bin), with the plant
# set (VMFUZZ_PLANT), stopped at its first finding or after PLANT_SECONDS; prints a
# table (plant, seconds, executions, the finding's kind and sig) with the median and
# the slowest, and writes it to build/bench/plants.md.  So a speed change that costs
# findings shows up in make bench.  Wall-clock numbers: never used by a test.
#
#   PLANT_SECONDS=s   the longest campaign per plant (default 120)
#   PLANT_FROM=empty  start from one empty input instead of the corpus (what mutation
#                     alone finds; the corpus reaches most plants in its first pass)
#   PLANTS="a b"      the plants to time (default: every plant harness-test checks)
set -u
cd "$(dirname "$0")/.." || exit 2
PLANT_SECONDS=${PLANT_SECONDS:-120}
case "$PLANT_SECONDS" in '' | *[!0-9]*) echo "bench-plants: PLANT_SECONDS must be a number of seconds, not '$PLANT_SECONDS'" >&2; exit 2 ;; esac
PLANT_FROM=${PLANT_FROM:-corpus}
case "$PLANT_FROM" in corpus | empty) ;; *) echo "bench-plants: PLANT_FROM must be corpus or empty, not '$PLANT_FROM'" >&2; exit 2 ;; esac
PLANTS=${PLANTS:-"crash:page_alloc panic:page_alloc mem:flip mem:cow mem:unmap mem:ro mem:alias mem:cache
	leak:kslot leak:fork-abort leak:pages leak:slab leak:acl leak:host
	model:acl-allow model:acl-deny model:errno model:frame model:out-field model:power model:reply-dst
	sanity:fork-refcount sanity:remap-refcount"}
B=build/bench/plants
OUT=build/bench/plants.md
MAKE=${MAKE:-make}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

$MAKE -s build/fuzz-libfuzzer corpus-bin >/dev/null || exit 1
mkdir -p "$B"
SEEDS=build/corpus-bin
if [ "$PLANT_FROM" = empty ]; then
	SEEDS=$B/empty-seed
	rm -rf "$SEEDS" && mkdir -p "$SEEDS" && printf 'V\002\000\000' >"$SEEDS/header.bin"
fi
{
	echo "## Time to first finding of each plant (libFuzzer, one core, at most ${PLANT_SECONDS} s, seeds: $PLANT_FROM)"
	echo
	echo "| plant | seconds | executions | finding |"
	echo "|---|---:|---:|---|"
} >"$OUT"
times=()
missed=0
for p in $PLANTS; do
	d="$B/${p//:/-}"
	rm -rf "$d" && mkdir -p "$d/queue"
	t0=$(now_ms)
	ASAN_OPTIONS=detect_leaks=1 VMFUZZ_PLANT=$p timeout $((PLANT_SECONDS + 30)) build/fuzz-libfuzzer -max_total_time="$PLANT_SECONDS" \
		-timeout=10 -max_len=1024 -dict=harness/vmfuzz.dict -artifact_prefix="$d/" \
		"$d/queue" "$SEEDS" >"$d/log" 2>&1
	t1=$(now_ms)
	secs=$(awk -v ms=$((t1 - t0)) 'BEGIN { printf "%.1f", ms / 1000 }')
	execs=$(grep -oE '^#[0-9]+' "$d/log" | tail -n 1 | tr -d '#')
	[ -n "$execs" ] || execs="seed pass"
	f=$(grep -m 1 '^FINDING' "$d/log" | sed -E 's/^FINDING kind=([a-z]+) sig=([0-9a-f]+).*/\1 \2/')
	if [ -z "$f" ]; then # a sanitizer's own report (crash, host leak): libFuzzer's artifact
		a=$(ls "$d" | grep -m 1 -E '^(crash|leak|timeout|oom)-')
		[ -z "$a" ] || f="${a%%-*} (sanitizer report)"
	fi
	if [ -n "$f" ]; then
		times+=("$secs")
	else
		f="none in ${PLANT_SECONDS} s"
		missed=$((missed + 1))
	fi
	printf '| %s | %s | %s | %s |\n' "$p" "$secs" "$execs" "$f" >>"$OUT"
	printf 'bench-plants: %-24s %7s s %10s execs  %s\n' "$p" "$secs" "$execs" "$f"
done
summary=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END {
	if (NR == 0) { print "no plant found"; exit }
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "found %d: median %.1f s, slowest %.1f s", NR, m, v[NR] }')
{
	echo
	echo "$summary; missed $missed"
} >>"$OUT"
echo "bench-plants: $summary; missed $missed (table in $OUT)"
