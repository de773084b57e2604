#!/bin/bash
# fuzz.sh - run a fuzzing campaign on the hosted VM server until Ctrl-C or DURATION.
#
#   DURATION=seconds  stop after that long (default: run until Ctrl-C)
#   JOBS=n            engines to run (default: number of cores)
#   ENGINE=afl|libfuzzer  force an engine (default: AFL++ when afl-fuzz and
#                     build/fuzz-afl exist, else libFuzzer fork mode)
#   STATUS_EVERY=s    seconds between progress lines (default 10)
#   TRIAGE_EVERY=s    seconds between looks for new raw findings, each triaged and
#                     announced with its FINDING line (default 20, at most 60; 0 = only
#                     when the campaign ends)
#   AFL_TIMEOUT=ms    AFL++ per-execution timeout (default 500; hangs proper are found by
#                     the harness's step caps, this only catches runaway executions)
#   CAMPAIGN=dir      where the campaign's state lives (default build/campaign)
#   PIN=0|1           AFL++: bind instance i to core i (afl-fuzz -b i; default 1 when
#                     JOBS is at most the number of cores), else AFL_NO_AFFINITY
#   SAN_JOBS=n        AFL++ instances that run the ASan+UBSan build (default 1); the
#                     others run build/fuzz-afl-fast, without sanitizers (every oracle on)
#   RESTART=0|1       restart an engine that dies before the end (default 1)
#   NODE=name SYNC=dir  one machine of a multi-machine AFL++ campaign: its instances are
#                     NODE (-M) and NODE-sN (-S) in the sync folder SYNC
#   PEERS="dir|host:dir ..."  the other nodes' sync folders: scripts/sync-nodes.sh pulls
#                     theirs before the start, then pushes and pulls every SYNC_EVERY
#                     seconds (default 300) and at the end
#   TRIAGE=0|1        0: leave this node's findings to the node that triages (default 1)
#
# Every setting is checked first (scripts/check-settings.sh: one line and exit 2).
# Sanitizers (AFL++'s advice: most instances without ASan, one with it): the last
# SAN_JOBS instances fuzz build/fuzz-afl (ASan+UBSan), the main and the rest
# build/fuzz-afl-fast, about three times faster.  The first secondary also runs CMPLOG
# (-c).  Every raw finding, from any instance, is replayed under ASan+UBSan by triage.
# State lives under CAMPAIGN so a second run resumes the first: AFL++ gets `-i -` for
# every instance whose output folder exists (seeds added to corpus/ since are offered
# through <out>/corpus/queue), libFuzzer reuses its corpus.  An engine that dies (kill
# -9, a crash of afl-fuzz) is restarted on its own queue.  Raw findings are triaged
# into crashes/ by scripts/triage.sh while the campaign runs and when it ends; a run
# killed outright leaves them for the next `make fuzz` or `make triage`, and the engines
# it left running are stopped by the next `make fuzz` (CAMPAIGN/engines.pids).
set -u
cd "$(dirname "$0")/.." || exit 2
scripts/check-settings.sh fuzz || exit 2

DURATION=$((10#${DURATION:-0}))
JOBS=$((10#${JOBS:-$(nproc 2>/dev/null || echo 1)}))
SAN_JOBS=$((10#${SAN_JOBS:-1}))
STATUS_EVERY=$((10#${STATUS_EVERY:-10}))
PIN=${PIN:-$([ "$JOBS" -le "$(nproc 2>/dev/null || echo 1)" ] && echo 1 || echo 0)}
TRIAGE_EVERY=$((10#${TRIAGE_EVERY:-20}))
CAMPAIGN=${CAMPAIGN:-build/campaign}
NODE=${NODE:-}
SYNC=${SYNC:-}
PEERS=${PEERS:-}
SYNC_EVERY=$((10#${SYNC_EVERY:-300}))
TRIAGE=${TRIAGE:-1}
RESTART=${RESTART:-1}
SEEDS=$CAMPAIGN/seeds
DICT=harness/vmfuzz.dict
MAKE=${MAKE:-make}
OUT=$CAMPAIGN/afl          # AFL++ output (sync) folder
[ -n "$NODE" ] && OUT=$SYNC
names=() pids=() started=() logstart=() prev_t=() prev_x=() eps_i=() restarts=() base_execs=() resumed=() done_=()
engine= start=0 tty=0 status_shown=0 stopping=0 n_restarts=0
triage_pid= last_raw=-1 events_from=0 sync_pid=
[ -t 1 ] && tty=1

# A line of its own, above the live status line on a terminal.
log()
{
	[ "$status_shown" = 1 ] && printf '\r\033[K'
	status_shown=0
	printf 'fuzz: %s\n' "$*"
}

# The status line: on a terminal one line that rewrites itself, in a log one per call.
show_status()
{
	if [ "$tty" = 1 ]; then printf '\r\033[K%s' "fuzz: $*"; status_shown=1; else printf 'fuzz: %s\n' "$*"; fi
}

# Install the toolchain when a fresh machine lacks it.
ensure_deps()
{
	if ! command -v clang-14 >/dev/null 2>&1 || ! command -v afl-fuzz >/dev/null 2>&1 ||
		{ [ -n "$PEERS" ] && ! command -v rsync >/dev/null 2>&1; }; then
		log "clang-14, afl-fuzz or rsync missing: running scripts/deps.sh"
		scripts/deps.sh || exit 2
	fi
}

# Refuse to share CAMPAIGN with a running campaign; stop the engines a killed one left.
take_over_campaign()
{
	local p name cmd
	mkdir -p "$CAMPAIGN/logs"
	if [ -f "$CAMPAIGN/fuzz.pid" ]; then
		p=$(cat "$CAMPAIGN/fuzz.pid")
		if [ "$p" != $$ ] && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'fuzz\.sh'; then
			log "a campaign is already running in $CAMPAIGN (pid $p)"
			exit 1
		fi
	fi
	echo $$ >"$CAMPAIGN/fuzz.pid"
	[ -f "$CAMPAIGN/engines.pids" ] || return 0
	while read -r p name; do
		cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
		case $cmd in *afl-fuzz*|*fuzz-libfuzzer*) ;; *) continue ;; esac
		log "stopping $name (pid $p), left running by a campaign that was killed"
		kill -INT "$p" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 1; done
		kill -KILL "$p" 2>/dev/null
	done <"$CAMPAIGN/engines.pids"
	: >"$CAMPAIGN/engines.pids"
}

# Build the replay tool and the engine binaries that this machine can build.
build_targets()
{
	local t
	log "building build/vm-replay build/fuzz-libfuzzer"
	$MAKE -s build/vm-replay build/fuzz-libfuzzer || exit 2
	# Triage replays with the replay tool built with the engines: vm/ and the call table
	# (hence the binary decoding) may change while a campaign runs.
	cp build/vm-replay "$CAMPAIGN/vm-replay"
	command -v afl-clang-fast >/dev/null 2>&1 || { log "no afl-clang-fast: libFuzzer only"; return; }
	t=build/fuzz-afl-cmplog
	[ "$JOBS" -ge 2 ] || t= # only the first secondary runs CMPLOG
	for t in build/fuzz-afl build/fuzz-afl-fast $t; do
		$MAKE -s "$t" >"$CAMPAIGN/logs/build-${t#build/}.log" 2>&1 ||
			log "$t not built (see $CAMPAIGN/logs/build-${t#build/}.log)"
	done
}

# Compile every corpus/*.txt into CAMPAIGN/seeds/<name>.bin (stale seeds are removed),
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
# go to <out>/corpus/queue/ as id:NNNNNN,sha:<sha1> files, which the main instance
# imports like the queue of another instance (it syncs every folder of -o with a queue/).
offer_new_seeds()
{
	local q=$OUT/corpus/queue f h n added=0
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
	if [ "$1" -ge $((JOBS - SAN_JOBS)) ] || [ ! -x build/fuzz-afl-fast ]; then
		echo build/fuzz-afl
	else
		echo build/fuzz-afl-fast
	fi
}

# Name of AFL++ instance i: main, secN; with NODE: NODE, NODE-sN.
instance_name()
{
	if [ -n "$NODE" ]; then
		[ "$1" -eq 0 ] && echo "$NODE" || echo "$NODE-s$1"
	else
		[ "$1" -eq 0 ] && echo main || echo "sec$1"
	fi
}

# Seconds left of DURATION (a large number when there is none).
remaining() { [ "$DURATION" -gt 0 ] && echo $((DURATION - $(elapsed))) || echo 999999999; }

# Value of column $2 (1-based) of the last line of AFL++ plot_data $1 (empty when none).
plot_col() { tail -n1 "$1" 2>/dev/null | awk -F', *' -v c="$2" '$1 !~ /^#/ { v = $c; sub(/%$/, "", v); print v }'; }

# Start (or restart, on its own queue) AFL++ instance i: a main (-M) or a secondary (-S).
start_afl_instance()
{
	local i=$1 name input extra bin left
	name=$(instance_name "$i")
	input=$SEEDS
	resumed[i]=0
	if [ -d "$OUT/$name/queue" ]; then input=- resumed[i]=$(ls "$OUT/$name/queue" | grep -c '^id:'); fi
	extra=()
	[ "$i" -eq 0 ] && extra=(-M "$name") || extra=(-S "$name")
	[ "$i" -eq 1 ] && [ -x build/fuzz-afl-cmplog ] && extra+=(-c build/fuzz-afl-cmplog -l 2)
	left=$(remaining)
	[ "$DURATION" -gt 0 ] && extra+=(-V "$left")
	[ -f "$DICT" ] && extra+=(-x "$DICT")
	extra+=(-t "${AFL_TIMEOUT:-500}")
	[ "$PIN" = 1 ] && extra+=(-b "$i")
	bin=$(afl_binary "$i")
	if [ "${resumed[i]}" -gt 0 ]; then
		log "afl-fuzz ${extra[*]} -- $bin (resuming $name: ${resumed[i]} queue entries to re-calibrate first)"
	else
		log "afl-fuzz ${extra[*]} (input: $input) -- $bin"
	fi
	# Execs of this run: AFL++ carries execs_done over a resume, so the base is taken once.
	if [ -z "${base_execs[i]:-}" ]; then
		base_execs[i]=$(plot_col "$OUT/$name/plot_data" 12)
		base_execs[i]=${base_execs[i]:-0}
	fi
	names[i]=$name
	started[i]=$(date +%s)
	logstart[i]=$(cat "$CAMPAIGN/logs/afl-$name.log" 2>/dev/null | wc -l)
	afl-fuzz -i "$input" -o "$OUT" "${extra[@]}" -- "$bin" >>"$CAMPAIGN/logs/afl-$name.log" 2>&1 &
	pids[i]=$!
	done_[i]=0
	echo "${pids[i]} $name" >>"$CAMPAIGN/engines.pids"
}

# Start AFL++: one main (-M) and JOBS-1 secondaries (-S), each logging to its own file.
start_afl()
{
	local i
	mkdir -p "$OUT"
	export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
	export AFL_IMPORT_FIRST=1
	# afl-fuzz's own sync (a main imports the other instances' queues) runs every half of
	# AFL_SYNC_TIME minutes; on a node it keeps pace with sync-nodes.sh (SYNC_EVERY).
	if [ -n "$NODE" ]; then
		export AFL_SYNC_TIME=${AFL_SYNC_TIME:-$(( SYNC_EVERY >= 120 ? SYNC_EVERY / 60 : 2 ))}
	fi
	[ "$PIN" = 1 ] || export AFL_NO_AFFINITY=${AFL_NO_AFFINITY:-1}
	# A resumed queue may hold inputs that crash today's vm/: skip them in the dry run.
	export AFL_SKIP_CRASHES=1
	export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=0}
	[ -d "$OUT/$(instance_name 0)/queue" ] && offer_new_seeds
	for ((i = 0; i < JOBS; i++)); do restarts[i]=0; start_afl_instance "$i"; done
}

# Start libFuzzer in fork mode on JOBS workers, corpus kept in CAMPAIGN/libfuzzer.
start_libfuzzer()
{
	local dir=$CAMPAIGN/libfuzzer args
	mkdir -p "$dir/corpus" "$dir/artifacts"
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:symbolize=1}
	args=(-fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -timeout=10
		-artifact_prefix="$dir/artifacts/" -print_final_stats=1)
	[ -f "$DICT" ] && args+=(-dict="$DICT")
	[ "$DURATION" -gt 0 ] && args+=(-max_total_time="$(remaining)")
	log "fuzz-libfuzzer ${args[*]}"
	names[0]=libfuzzer started[0]=$(date +%s) done_[0]=0 resumed[0]=0 restarts[0]=${restarts[0]:-0}
	build/fuzz-libfuzzer "${args[@]}" "$dir/corpus" "$SEEDS" >>"$CAMPAIGN/logs/libfuzzer.log" 2>&1 &
	pids[0]=$!
	echo "${pids[0]} libfuzzer" >>"$CAMPAIGN/engines.pids"
}

# Calibration progress of a resumed AFL++ instance i that has not fuzzed yet since its
# (re)start, as "NAME re-calibrating its resumed queue k/N" (empty once its log, after
# line logstart[i], says every test case was processed).
calibrating()
{
	local i=$1 k
	[ "${resumed[i]}" -gt 0 ] || return 0
	k=$(tail -n +$((logstart[i] + 1)) "$CAMPAIGN/logs/afl-${names[i]}.log" 2>/dev/null |
		awk '/Attempting dry run/ { n++ } /All test cases processed/ { done = 1 } END { print done ? "" : n + 0 }')
	[ -n "$k" ] && echo "${names[i]} re-calibrating its resumed queue $k/${resumed[i]}"
}

# Findings of this run by kind-sig (from triage's events): "kind-sig xN ..." or "none".
findings_summary()
{
	tail -n +$((events_from + 1)) "$TRIAGE_STATE/events" 2>/dev/null |
		awk -F'\t' '{ n[$3]++ } END { for (k in n) printf "%s x%d ", k, n[k] }' | sed 's/ $//'
}

# One status line with numbers that move: execs, execs/s and edges from AFL++'s
# plot_data (rewritten every 5 s, but only once an instance has run a minute: until
# then "warming up"), summed over this run's instances (edges: the most any instance
# has); queue entries (paths) and raw crashes counted in the folders as they arrive;
# or the last libFuzzer status line; then the triaged findings by kind-sig.
progress()
{
	local i f execs=0 eps=0 paths=0 edges=0 crashes=0 hangs=0 v t x cal="" line fnd warm=0
	if [ "$engine" = afl ]; then
		for i in "${!names[@]}"; do
			v=$(calibrating "$i"); [ -n "$v" ] && cal="$cal; $v"
			f=$OUT/${names[i]}/plot_data
			[ $(( $(date +%s) - started[i] )) -ge 62 ] || warm=1 # plot_data starts at 60 s
			v=$(plot_col "$f" 12); v=${v:-0}
			[ "$v" -lt "${base_execs[i]}" ] && base_execs[i]=0 # a resume that restarted the count
			execs=$((execs + v - base_execs[i]))
			# execs/s since the previous line of this instance's plot_data that we read
			# (its own execs_per_sec column is a slow moving average), else that column.
			t=$(plot_col "$f" 1); t=${t:-0}; x=$(plot_col "$f" 12); x=${x:-0}
			if [ -n "${prev_t[i]:-}" ] && [ "$t" -gt "${prev_t[i]}" ] && [ "$x" -ge "${prev_x[i]}" ]; then
				eps_i[i]=$(( (x - prev_x[i]) / (t - prev_t[i]) ))
				prev_t[i]=$t prev_x[i]=$x
			elif [ -z "${prev_t[i]:-}" ] || [ "$t" -lt "${prev_t[i]}" ]; then
				v=$(plot_col "$f" 11); v=${v%.*}; eps_i[i]=${v:-0}
				prev_t[i]=$t prev_x[i]=$x
			fi
			eps=$((eps + ${eps_i[i]:-0}))
			v=$(plot_col "$f" 13); [ "${v:-0}" -gt "$edges" ] && edges=$v
			v=$(ls "$OUT/${names[i]}/queue" 2>/dev/null | grep -c '^id:'); paths=$((paths + v))
			v=$(ls "$OUT/${names[i]}/crashes" 2>/dev/null | grep -c '^id:'); crashes=$((crashes + v))
			v=$(ls "$OUT/${names[i]}/hangs" 2>/dev/null | grep -c '^id:'); hangs=$((hangs + v))
		done
		if [ "$warm" = 1 ] && [ "$execs" -eq 0 ]; then
			line="$(elapsed)s execs, execs/s, edges: after AFL++'s first minute; paths=$paths crashes=$crashes hangs=$hangs"
		else
			line="$(elapsed)s execs=$execs execs/s=$eps edges=$edges paths=$paths crashes=$crashes hangs=$hangs"
		fi
	else
		v=$(grep -a '^#[0-9]' "$CAMPAIGN/logs/libfuzzer.log" 2>/dev/null | tail -n1)
		execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$v")
		eps=$(sed -n 's/.*exec\/s:* \([0-9]*\).*/\1/p' <<<"$v")
		edges=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$v")
		paths=$(sed -n 's/.*corp: \([0-9]*\).*/\1/p' <<<"$v")
		crashes=$(find "$CAMPAIGN/libfuzzer/artifacts" -type f 2>/dev/null | wc -l)
		line="$(elapsed)s execs=${execs:-0} execs/s=${eps:-0} edges=${edges:-0} paths=${paths:-0} crashes=$crashes"
	fi
	last_execs=$execs last_edges=$edges last_paths=$paths last_crashes=$crashes last_hangs=$hangs
	fnd=$(findings_summary)
	show_status "$line findings: ${fnd:-none}${cal}"
}

elapsed() { echo $((SECONDS - start)); }

# The folders triage reads: this campaign's (libFuzzer artifacts, AFL++ output) and,
# on a node, the sync folder with every node's crashes that sync-nodes.sh brought.
triage_dirs() { echo "$CAMPAIGN"; [ -n "$NODE" ] && echo "$SYNC"; }

# Number of raw findings (AFL++ crashes and hangs, old crashes.* folders included,
# libFuzzer artifacts) under the triaged folders.
count_raw()
{
	# shellcheck disable=SC2046
	find $(triage_dirs) -type f \( -path '*/crashes*/id:*' -o -path '*/hangs*/id:*' \
		-o -path '*/artifacts/*' \) 2>/dev/null | wc -l
}

# When there are raw findings triage has not seen, triage them in the background
# (one triage at a time); its events come back through announce.
maybe_triage()
{
	local n
	[ "$TRIAGE" = 1 ] || return 0
	[ -n "$triage_pid" ] && kill -0 "$triage_pid" 2>/dev/null && return 0
	n=$(count_raw)
	[ "$n" -eq "$last_raw" ] && return 0
	last_raw=$n
	# shellcheck disable=SC2046
	REPLAY=$CAMPAIGN/vm-replay scripts/triage.sh -q $(triage_dirs) >>"$CAMPAIGN/logs/triage.log" 2>&1 &
	triage_pid=$!
}

# Print the FINDING line of every new finding and regression triage recorded since the
# last call (events are "time, status, kind-sig, raw input, FINDING line", tab-separated).
# Later hits of a finding stored and not fixed yet are triage's "known" events: counted
# in the status line and the summary, not announced (crashes/README.md, "Fixed or open").
announce()
{
	local n t st key raw line
	n=$(wc -l <"$TRIAGE_STATE/events")
	[ "$n" -gt "${announced:-0}" ] || return 0
	while IFS=$'\t' read -r t st key raw line; do
		case $st in
		new) log "NEW $line (from $raw; stored in ${CRASHES:-crashes}/$key)" ;;
		regression) log "REGRESSION $line (from $raw; crashes/$key holds it, fixed)" ;;
		collision) log "SAME SIGNATURE $line (from $raw; crashes/$key was fixed and its input replays clean: possibly a different defect)" ;;
		esac
	done < <(sed -n "$((${announced:-0} + 1)),${n}p" "$TRIAGE_STATE/events")
	announced=$n
}

# Restart every AFL++ instance (or libFuzzer) that died before the end, on its own
# queue; an engine that ends within 10 s of DURATION is done.  One that dies within a
# minute of its start 5 times in a row is left dead.
tend_engines()
{
	local i rc why
	for i in "${!names[@]}"; do
		[ "${done_[i]}" = 1 ] && continue
		kill -0 "${pids[i]}" 2>/dev/null && continue
		wait "${pids[i]}" 2>/dev/null; rc=$?
		if [ "$stopping" = 1 ] || [ "$(remaining)" -lt 10 ]; then done_[i]=1; continue; fi
		why="exit $rc"; [ "$rc" -gt 128 ] && why="killed by signal $((rc - 128))"
		if [ "$RESTART" != 1 ]; then log "${names[i]} (pid ${pids[i]}) ended ($why); RESTART=0"; done_[i]=1; continue; fi
		# restarts[i]: deaths in a row, each within a minute of its start.
		[ $(( $(date +%s) - started[i] )) -ge 60 ] && restarts[i]=0
		if [ "${restarts[i]}" -ge 5 ]; then
			log "${names[i]} died 5 times in a row within a minute of its start ($why); left dead (see $CAMPAIGN/logs/)"
			done_[i]=1; continue
		fi
		restarts[i]=$((restarts[i] + 1)) n_restarts=$((n_restarts + 1))
		log "${names[i]} (pid ${pids[i]}) died ($why): restarting it on its own queue"
		if [ "$engine" = afl ]; then start_afl_instance "$i"; else start_libfuzzer; fi
	done
}

alive() { local i; for i in "${!names[@]}"; do [ "${done_[i]}" = 1 ] || return 0; done; return 1; }

# Push and pull queues with the peers (scripts/sync-nodes.sh), in the background unless $1.
sync_peers()
{
	[ -n "$PEERS" ] || return 0
	[ -n "$sync_pid" ] && kill -0 "$sync_pid" 2>/dev/null && return 0
	if [ "${1:-}" = wait ]; then
		scripts/sync-nodes.sh >>"$CAMPAIGN/logs/sync.log" 2>&1 || log "sync-nodes.sh failed (see $CAMPAIGN/logs/sync.log)"
		tail -n 1 "$CAMPAIGN/logs/sync.log" | sed 's/^/fuzz: /'
	else
		scripts/sync-nodes.sh >>"$CAMPAIGN/logs/sync.log" 2>&1 &
		sync_pid=$!
	fi
}

# Stop every engine this script started (by pid), then wait for them.
stop_engines()
{
	local i
	stopping=1
	for i in "${!names[@]}"; do kill -INT "${pids[i]}" 2>/dev/null; done
	for i in "${!names[@]}"; do wait "${pids[i]}" 2>/dev/null; done
	: >"$CAMPAIGN/engines.pids"
}

# The end-of-campaign table of this run.
summary()
{
	local new known regr fnd
	fnd=$(findings_summary); fnd=${fnd:-none}
	new=$(tail -n +$((events_from + 1)) "$TRIAGE_STATE/events" 2>/dev/null | awk -F'\t' '$2 == "new" { print $3 }' | sort -u | wc -l)
	# known: stored before this run, not fixed (a finding new in this run counts as new only)
	known=$(tail -n +$((events_from + 1)) "$TRIAGE_STATE/events" 2>/dev/null |
		awk -F'\t' '$2 == "new" { n[$3] = 1 } $2 == "known" { k[$3] = 1 } END { for (x in k) if (!(x in n)) print x }' | wc -l)
	regr=$(tail -n +$((events_from + 1)) "$TRIAGE_STATE/events" 2>/dev/null | awk -F'\t' '$2 == "regression" { print $3 }' | sort -u | wc -l)
	printf 'fuzz: summary of this run (%s, %d instance(s), state in %s)\n' "$engine" "$JOBS" "$CAMPAIGN"
	printf '  %-12s %s\n' duration "$fuzzed s of fuzzing" \
		execs "$last_execs ($(( last_execs / (fuzzed > 0 ? fuzzed : 1) )) per second)" \
		coverage "$last_edges edges, $last_paths queue entries" \
		"raw finds" "$last_crashes crashes, $last_hangs hangs" \
		findings "$new new, $known known, $regr regressions (kind-sig: $fnd)" \
		restarts "$n_restarts"
}

finish()
{
	trap '' INT TERM
	[ "$status_shown" = 1 ] && { printf '\n'; status_shown=0; }
	log "stopping engines"
	stop_engines
	fuzzed=$(elapsed)
	progress
	[ "$status_shown" = 1 ] && { printf '\n'; status_shown=0; }
	[ -n "$triage_pid" ] && wait "$triage_pid" 2>/dev/null
	[ -n "$sync_pid" ] && wait "$sync_pid" 2>/dev/null
	sync_peers wait
	if [ "$TRIAGE" = 1 ]; then
		log "triaging findings"
		# shellcheck disable=SC2046
		REPLAY=$CAMPAIGN/vm-replay scripts/triage.sh $(triage_dirs) | sed -e '/^triage: [^ ]*: NEW /d' -e '/^triage: REGRESSION: /d'
		announce
	fi
	summary
	rm -f "$CAMPAIGN/fuzz.pid"
	exit 0
}

# The campaign.  Everything runs from this function, so bash has read the whole file
# before the first engine starts: editing the script during a campaign is harmless.
main()
{
	local last_status last_triage last_sync
	ensure_deps
	take_over_campaign
	build_targets
	compile_seeds
	engine=${ENGINE:-}
	if [ -z "$engine" ]; then
		if command -v afl-fuzz >/dev/null 2>&1 && [ -x build/fuzz-afl ]; then engine=afl; else engine=libfuzzer; fi
	fi
	export TRIAGE_STATE=${TRIAGE_STATE:-build/triage}
	mkdir -p "$TRIAGE_STATE" && touch "$TRIAGE_STATE/events"
	events_from=$(wc -l <"$TRIAGE_STATE/events")
	announced=$events_from
	last_execs=0 last_edges=0 last_paths=0 last_crashes=0 last_hangs=0
	start=$SECONDS
	trap finish INT TERM
	log "engine=$engine jobs=$JOBS duration=${DURATION}s (0 = until Ctrl-C), state in $CAMPAIGN${NODE:+, node $NODE of sync folder $SYNC}"
	[ -n "$PEERS" ] && { log "pulling the peers' queues ($PEERS)"; sync_peers wait; }
	if [ "$engine" = afl ]; then start_afl; else start_libfuzzer; fi
	last_status=$SECONDS last_triage=$SECONDS last_sync=$SECONDS
	while alive; do
		sleep 1 &
		wait $! # interruptible, so Ctrl-C reaches the trap at once
		tend_engines
		announce
		if [ $((SECONDS - last_status)) -ge "$STATUS_EVERY" ]; then progress; last_status=$SECONDS; fi
		if [ "$TRIAGE_EVERY" -gt 0 ] && [ $((SECONDS - last_triage)) -ge "$TRIAGE_EVERY" ]; then
			maybe_triage; last_triage=$SECONDS
		fi
		if [ -n "$PEERS" ] && [ $((SECONDS - last_sync)) -ge "$SYNC_EVERY" ]; then sync_peers; last_sync=$SECONDS; fi
		if [ "$DURATION" -gt 0 ] && [ "$(elapsed)" -ge $((DURATION + 60)) ]; then
			log "engines overran DURATION by 60 s"
			break
		fi
	done
	finish
}

main "$@"
exit
