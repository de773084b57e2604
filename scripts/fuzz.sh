#!/bin/bash
# fuzz.sh - run a fuzzing campaign on the hosted VM server until Ctrl-C or DURATION.
#
#   DURATION=seconds  stop after that long (default: run until Ctrl-C)
#   JOBS=n            engines to run (default: number of cores)
#   ENGINE=afl|libfuzzer  force an engine (default: AFL++ when afl-fuzz and
#                     build/fuzz-afl exist, else libFuzzer fork mode)
#   STATUS_EVERY=s    seconds between progress lines (default 20)
#   TRIAGE_EVERY=s    seconds between periodic triage passes (default 300, 0 = only at end)
#   AFL_TIMEOUT=ms    AFL++ per-execution timeout (default 500; hangs proper are found by
#                     the harness's step caps, this only catches runaway executions)
#   CAMPAIGN=dir      where the campaign's state lives (default build/campaign)
#   PIN=0|1           AFL++: bind instance i to core i (afl-fuzz -b i; default 1 when
#                     JOBS is at most the number of cores), else AFL_NO_AFFINITY
#   SAN_JOBS=n        AFL++ instances that run the ASan+UBSan build (default 1); the
#                     others run build/fuzz-afl-fast, without sanitizers (every oracle on)
#
# Sanitizers (AFL++'s advice: most instances without ASan, one with it): the last
# SAN_JOBS instances fuzz build/fuzz-afl (ASan+UBSan), the main and the rest
# build/fuzz-afl-fast, about three times faster.  sec1 also runs CMPLOG (-c).  Every
# raw finding, from any instance, is replayed under ASan+UBSan by triage.  With JOBS=1
# the one instance is the ASan one unless SAN_JOBS=0.
# State lives under build/campaign/ so a second run resumes the first: AFL++ gets
# `-i -` for every instance whose output folder exists (seeds added to corpus/ since are
# offered through build/campaign/afl/corpus/queue), libFuzzer reuses its corpus.
# Every finding is triaged into crashes/ by scripts/triage.sh when the campaign ends.
set -u
cd "$(dirname "$0")/.." || exit 2

DURATION=${DURATION:-0}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 1)}
STATUS_EVERY=${STATUS_EVERY:-20}
PIN=${PIN:-$([ "$JOBS" -le "$(nproc 2>/dev/null || echo 1)" ] && echo 1 || echo 0)}
TRIAGE_EVERY=${TRIAGE_EVERY:-300}
CAMPAIGN=${CAMPAIGN:-build/campaign}
SEEDS=build/seeds
DICT=harness/vmfuzz.dict
MAKE=${MAKE:-make}
pids=()
names=() # AFL++ instances of this run

log() { printf 'fuzz: %s\n' "$*"; }

# Install the toolchain when a fresh machine lacks it.
ensure_deps()
{
	if ! command -v clang-14 >/dev/null 2>&1 || ! command -v afl-fuzz >/dev/null 2>&1; then
		log "clang-14 or afl-fuzz missing: running scripts/deps.sh"
		scripts/deps.sh || exit 2
	fi
}

# Build the replay tool and the engine binaries that this machine can build.
build_targets()
{
	local t
	log "building build/vm-replay build/fuzz-libfuzzer"
	$MAKE -s build/vm-replay build/fuzz-libfuzzer || exit 2
	# Triage replays with the replay tool built with the engines: vm/ and the call table
	# (hence the binary decoding) may change while a campaign runs.
	mkdir -p "$CAMPAIGN"
	cp build/vm-replay "$CAMPAIGN/vm-replay"
	command -v afl-clang-fast >/dev/null 2>&1 || { log "no afl-clang-fast: libFuzzer only"; return; }
	mkdir -p "$CAMPAIGN/logs"
	for t in build/fuzz-afl build/fuzz-afl-fast build/fuzz-afl-cmplog; do
		$MAKE -s "$t" >"$CAMPAIGN/logs/build-${t#build/}.log" 2>&1 ||
			log "$t not built (see $CAMPAIGN/logs/build-${t#build/}.log)"
	done
}

# Compile every corpus/*.txt into build/seeds/<name>.bin (stale seeds are removed),
# except the conformance files whose header lets repeats run more than 2048 records
# again: every mutant of one would be as slow.
compile_seeds()
{
	local t n=0
	rm -rf "$SEEDS" && mkdir -p "$SEEDS"
	for t in corpus/*.txt; do
		[ -e "$t" ] || continue
		grep -q -E '^header .*budget=(8192|32768)' "$t" && continue
		if build/vm-replay --compile "$t" "$SEEDS/$(basename "$t" .txt).bin" >/dev/null; then
			n=$((n + 1))
		else
			log "warning: cannot compile $t, skipped"
		fi
	done
	# Every byte string decodes to a conversation, so a lone byte is a valid seed.
	[ "$n" -gt 0 ] || { printf '\0' >"$SEEDS/empty.bin"; n=1; }
	log "$n seeds in $SEEDS"
}

# Offer seeds added to corpus/ since the campaign began to resumed AFL++ instances: they
# go to build/campaign/afl/corpus/queue/ as id:NNNNNN,sha:<sha1> files, which afl-fuzz
# imports like the queue of another instance (it syncs every folder of -o with a queue/).
offer_new_seeds()
{
	local q=$CAMPAIGN/afl/corpus/queue f h n added=0
	mkdir -p "$q"
	n=$(ls "$q" | wc -l)
	for f in "$SEEDS"/*; do
		h=$(sha1sum "$f" | cut -c1-40)
		ls "$q" | grep -q "sha:$h\$" && continue
		cp "$f" "$q/$(printf 'id:%06d' "$n"),sha:$h"
		n=$((n + 1)) added=$((added + 1))
	done
	log "$added seeds offered to resumed instances through $q"
}

# The binary instance i of JOBS fuzzes: the last SAN_JOBS instances the ASan+UBSan
# build, the others the fast one (when it was built).
afl_binary()
{
	if [ "$1" -ge $((JOBS - ${SAN_JOBS:-1})) ] || [ ! -x build/fuzz-afl-fast ]; then
		echo build/fuzz-afl
	else
		echo build/fuzz-afl-fast
	fi
}

# Start AFL++: one main (-M) and JOBS-1 secondaries (-S); the first secondary uses
# the CMPLOG binary when it was built.  Each instance logs to its own file.
start_afl()
{
	local out=$CAMPAIGN/afl i name input extra bin
	mkdir -p "$out" "$CAMPAIGN/logs"
	export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
	export AFL_IMPORT_FIRST=1
	[ "$PIN" = 1 ] || export AFL_NO_AFFINITY=${AFL_NO_AFFINITY:-1}
	# A resumed queue may hold inputs that crash today's vm/: skip them in the dry run.
	export AFL_SKIP_CRASHES=1
	export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=0}
	[ -d "$out/main/queue" ] && offer_new_seeds
	for ((i = 0; i < JOBS; i++)); do
		if [ "$i" -eq 0 ]; then name=main; else name=sec$i; fi
		input=$SEEDS
		[ -d "$out/$name/queue" ] && input=-
		extra=()
		[ "$i" -eq 0 ] && extra=(-M "$name") || extra=(-S "$name")
		[ "$i" -eq 1 ] && [ -x build/fuzz-afl-cmplog ] && extra+=(-c build/fuzz-afl-cmplog -l 2)
		[ "$DURATION" -gt 0 ] && extra+=(-V "$DURATION")
		[ -f "$DICT" ] && extra+=(-x "$DICT")
		extra+=(-t "${AFL_TIMEOUT:-500}")
		[ "$PIN" = 1 ] && extra+=(-b "$i")
		bin=$(afl_binary "$i")
		log "afl-fuzz ${extra[*]} (input: $input) -- $bin"
		names+=("$name")
		afl-fuzz -i "$input" -o "$out" "${extra[@]}" -- "$bin" \
			>"$CAMPAIGN/logs/afl-$name.log" 2>&1 &
		pids+=($!)
	done
}

# Start libFuzzer in fork mode on JOBS workers, corpus kept in build/campaign/libfuzzer.
start_libfuzzer()
{
	local dir=$CAMPAIGN/libfuzzer args
	mkdir -p "$dir/corpus" "$dir/artifacts" "$CAMPAIGN/logs"
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:symbolize=1}
	args=(-fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -timeout=10
		-artifact_prefix="$dir/artifacts/" -print_final_stats=1)
	[ -f "$DICT" ] && args+=(-dict="$DICT")
	[ "$DURATION" -gt 0 ] && args+=(-max_total_time="$DURATION")
	log "fuzz-libfuzzer ${args[*]}"
	build/fuzz-libfuzzer "${args[@]}" "$dir/corpus" "$SEEDS" >"$CAMPAIGN/logs/libfuzzer.log" 2>&1 &
	pids+=($!)
}

# Value of KEY in an AFL fuzzer_stats file (empty when absent).
stat() { sed -n "s/^$2 *: *//p" "$1" 2>/dev/null | head -n1; }

# One progress line: AFL++ stats summed over this run's instances (afl-fuzz rewrites its
# fuzzer_stats once a minute; execs/s is execs_done / run_time of each), or the last
# libFuzzer status line.
progress()
{
	local f execs=0 eps=0 paths=0 crashes=0 hangs=0 v rt
	if [ "$engine" = afl ]; then
		for v in "${names[@]}"; do
			f=$CAMPAIGN/afl/$v/fuzzer_stats
			[ -f "$f" ] || continue
			v=$(stat "$f" execs_done); execs=$((execs + ${v:-0}))
			rt=$(stat "$f" run_time); [ "${rt:-0}" -gt 0 ] && eps=$((eps + ${v:-0} / rt))
			v=$(stat "$f" corpus_count); [ -n "$v" ] || v=$(stat "$f" paths_total)
			paths=$((paths + ${v:-0}))
			v=$(stat "$f" saved_crashes); [ -n "$v" ] || v=$(stat "$f" unique_crashes)
			crashes=$((crashes + ${v:-0}))
			v=$(stat "$f" saved_hangs); [ -n "$v" ] || v=$(stat "$f" unique_hangs)
			hangs=$((hangs + ${v:-0}))
		done
		log "$(elapsed)s execs=$execs execs/s=$eps paths=$paths crashes=$crashes hangs=$hangs"
	else
		v=$(grep -a '^#[0-9]' "$CAMPAIGN/logs/libfuzzer.log" 2>/dev/null | tail -n1)
		f=$(find "$CAMPAIGN/libfuzzer/artifacts" -type f 2>/dev/null | wc -l)
		log "$(elapsed)s ${v:-starting} artifacts=$f"
	fi
}

elapsed() { echo $((SECONDS - start)); }

alive()
{
	local p
	for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done
	return 1
}

# Stop every engine this script started (by pid), then wait for them.
stop_engines()
{
	local p
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
}

finish()
{
	trap '' INT TERM
	log "stopping engines"
	stop_engines
	progress
	log "triaging findings"
	REPLAY=$CAMPAIGN/vm-replay scripts/triage.sh "$CAMPAIGN"
	exit 0
}

# The campaign.  Everything runs from this function, so bash has read the whole file
# before the first engine starts: editing the script during a campaign is harmless.
main()
{
	ensure_deps
	build_targets
	compile_seeds
	engine=${ENGINE:-}
	if [ -z "$engine" ]; then
		if command -v afl-fuzz >/dev/null 2>&1 && [ -x build/fuzz-afl ]; then engine=afl; else engine=libfuzzer; fi
	fi
	start=$SECONDS
	trap finish INT TERM
	log "engine=$engine jobs=$JOBS duration=${DURATION}s (0 = until Ctrl-C), state in $CAMPAIGN"
	if [ "$engine" = afl ]; then start_afl; else start_libfuzzer; fi
	last_triage=$SECONDS
	while alive; do
		sleep "$STATUS_EVERY" &
		wait $! # interruptible, so Ctrl-C reaches the trap at once
		progress
		if [ "$DURATION" -gt 0 ] && [ "$(elapsed)" -ge $((DURATION + 60)) ]; then
			log "engines overran DURATION by 60 s"
			break
		fi
		if [ "$TRIAGE_EVERY" -gt 0 ] && [ $((SECONDS - last_triage)) -ge "$TRIAGE_EVERY" ]; then
			REPLAY=$CAMPAIGN/vm-replay scripts/triage.sh -q "$CAMPAIGN"
			last_triage=$SECONDS
		fi
	done
	finish
}

main "$@"
exit
