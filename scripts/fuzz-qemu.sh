#!/bin/bash
# fuzz-qemu.sh - AFL++ on the real kernel and VM: one afl-fuzz instance whose target is
# build/qemu-forkserver, a forkserver over one QEMU (TCG) of the fuzz image, which
# counts VM's edges into memory it shares with the host (kernel/README.md, "Fuzzing
# the image").  Findings are triaged into crashes/ (scripts/triage.sh: replayed in the
# hosted build); the image's own verdict of each is printed beside.
#
#   DURATION=seconds  stop after that long (default: until Ctrl-C); afl-fuzz -V counts
#                     its dry run of the seeds too
#   CAMPAIGN=dir      the campaign's state (default build/campaign-qemu; a second run
#                     resumes it with afl-fuzz -i -)
#   AFL_TIMEOUT=ms    afl-fuzz -t (default 20000: the slowest seed takes 6 s under TCG
#                     on a loaded machine); afl-fuzz kills QEMU on a timeout, the next
#                     input boots a new one
#   STATUS_EVERY=s    seconds between progress lines (default 20)
#   SEEDS=dir         seeds (default build/corpus-bin, make corpus-bin)
#   QEMU_FS_SANITY, QEMU_FS_LOG, QEMU_FS_BOOT: harness/qemu_forkserver.c's
#
# AFL++'s variables set here: AFL_SKIP_BIN_CHECK=1 (the target is the driver, not an
# instrumented binary: afl-fuzz must not look for its instrumentation),
# AFL_FORKSRV_INIT_TMOUT=120000 (the driver says hello once QEMU has booted and its
# agent serves), AFL_NO_UI, AFL_SKIP_CPUFREQ, AFL_NO_AFFINITY (QEMU is the process that
# works, not the driver afl-fuzz would pin), AFL_SKIP_CRASHES (a resumed queue may
# hold inputs that find something today), AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES.
set -u
cd "$(dirname "$0")/.." || exit 2
scripts/check-settings.sh fuzz-qemu || exit 2

DURATION=${DURATION:-0}
CAMPAIGN=${CAMPAIGN:-build/campaign-qemu}
STATUS_EVERY=${STATUS_EVERY:-20}
SEEDS=${SEEDS:-build/corpus-bin}
MAKE=${MAKE:-make}
DICT=harness/vmfuzz.dict
OUT=$CAMPAIGN/afl

log() { printf 'fuzz-qemu: %s\n' "$*"; }
stat() { sed -n "s/^$2 *: *//p" "$1" 2>/dev/null | head -n1; }

# The campaign's copy of the image, driver and replay tool: rebuilding during a
# campaign changes nothing under it.
build()
{
	command -v afl-fuzz >/dev/null 2>&1 || { log "afl-fuzz missing: run make deps"; exit 2; }
	$MAKE -s image-fuzz build/qemu-forkserver build/vm-replay corpus-bin >/dev/null || exit 2
	mkdir -p "$CAMPAIGN/image" "$CAMPAIGN/logs"
	cp build/image-fuzz/kernel.elf build/image-fuzz/vm.elf build/image-fuzz/agent.elf "$CAMPAIGN/image/"
	cp build/qemu-forkserver build/vm-replay "$CAMPAIGN/"
}

# One line of AFL++'s plot_data (line: 1 = the first, written after the dry run, $ = the
# last) as "at <afl-fuzz's seconds>s: paths=... edges=... execs=... execs/s=..."
# (execs/s: AFL++'s recent rate).
plot_line()
{
	local f=$OUT/default/plot_data
	[ -f "$f" ] || return
	grep -v '^#' "$f" | sed -n "${1}p" | awk -F', *' \
		'{ printf "at %ss: paths=%s edges=%s execs=%s execs/s=%s crashes=%s hangs=%s\n", $1, $4, $13, $12, $11, $8, $9 }'
}

# A progress line from plot_data (afl-fuzz writes it every few seconds, fuzzer_stats
# only once a minute), once the dry run of the seeds is over.
progress()
{
	local line f=$OUT/default/fuzzer_stats
	if [ -z "$seeded" ] && [ -f "$f" ]; then # written first when the seeds have run
		seeded="paths=$(stat "$f" corpus_count) edges=$(stat "$f" edges_found) execs=$(stat "$f" execs_done)"
		log "$((SECONDS - start))s: the seeds ran: $seeded"
	fi
	line=$(plot_line '$')
	log "$((SECONDS - start))s: ${line:-dry run of the seeds}"
}

# The whole run from fuzzer_stats (final once afl-fuzz has stopped): execs/s over its
# run time, the dry run included.
summary()
{
	local f=$OUT/default/fuzzer_stats e r
	[ -f "$f" ] || return
	e=$(stat "$f" execs_done) r=$(stat "$f" run_time)
	log "afl-fuzz: $e execs in ${r}s ($(awk -v e="${e:-0}" -v r="${r:-0}" \
		'BEGIN { printf "%.1f", (r > 0 ? e / r : 0) }') execs/s), paths=$(stat "$f" corpus_count)" \
		"edges=$(stat "$f" edges_found) crashes=$(stat "$f" saved_crashes) hangs=$(stat "$f" saved_hangs)"
}

# Every raw finding: its verdict in the image (the driver's --run), then triage.
finish()
{
	local f
	trap '' INT TERM
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	summary
	log "start (the seeds): ${seeded:-not seen}"
	log "first plot line:   $(plot_line 1)"
	log "end:               $(plot_line '$')"
	set -- $(find "$OUT" -path '*/crashes/id:*' -type f 2>/dev/null | sort)
	if [ $# -gt 0 ]; then
		log "$# raw findings; in the image:"
		"$CAMPAIGN/qemu-forkserver" --run "$CAMPAIGN/image" "$@" | sed 's/^/fuzz-qemu:   /'
	fi
	log "triaging findings (replayed in the hosted build)"
	REPLAY=$CAMPAIGN/vm-replay scripts/triage.sh "$CAMPAIGN"
	exit 0
}

main()
{
	local input=$SEEDS extra=()
	build
	[ -d "$OUT/default/queue" ] && input=-
	[ "$DURATION" -gt 0 ] && extra+=(-V "$DURATION")
	[ -f "$DICT" ] && extra+=(-x "$DICT")
	export AFL_SKIP_BIN_CHECK=1 AFL_FORKSRV_INIT_TMOUT=${AFL_FORKSRV_INIT_TMOUT:-120000}
	export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_SKIP_CRASHES=1
	export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
	export QEMU_FS_LOG=${QEMU_FS_LOG:-$CAMPAIGN/logs/qemu-console.log}
	start=$SECONDS seeded=
	log "afl-fuzz -t ${AFL_TIMEOUT:-20000} ${extra[*]} (input: $input) -- qemu-forkserver; state in $CAMPAIGN"
	afl-fuzz -i "$input" -o "$OUT" -t "${AFL_TIMEOUT:-20000}" "${extra[@]}" -- \
		"$CAMPAIGN/qemu-forkserver" "$CAMPAIGN/image" @@ >"$CAMPAIGN/logs/afl.log" 2>&1 &
	pid=$!
	trap finish INT TERM
	while kill -0 "$pid" 2>/dev/null; do
		sleep "$STATUS_EVERY" &
		wait $!
		progress
		if [ "$DURATION" -gt 0 ] && [ $((SECONDS - start)) -ge $((DURATION + 120)) ]; then
			log "afl-fuzz overran DURATION by 120 s"
			break
		fi
	done
	wait "$pid" 2>/dev/null || { [ -f "$OUT/default/fuzzer_stats" ] || { tail -n 20 "$CAMPAIGN/logs/afl.log"; exit 1; }; }
	finish
}

main "$@"
exit
