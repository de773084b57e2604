#!/bin/bash
# check-settings.sh - refuse a bad setting of a campaign target before anything starts.
#
#   scripts/check-settings.sh TARGET...   (fuzz, triage, status, status-shot, sync-nodes,
#                                         bench, coverage)
#
# Checks every environment variable the target's script reads (make passes a
# command-line VAR=value to the recipe's environment).  A variable that is unset or empty
# takes the script's default and passes.  The first bad value prints one line naming the
# variable and what it accepts, `make TARGET: VAR=value: accepts ...`, on stderr, and the
# exit status is 2; otherwise nothing is printed and the status is 0.  It runs no build,
# so `make test` can try every variable in a second (scripts/test-settings.sh).
set -u
target=

# Refuse: one line, exit 2.
bad() { printf 'make %s: %s=%s: accepts %s\n' "$target" "$1" "${!1}" "$2" >&2; exit 2; }

# VAR must be a whole number in [min, max] when set.
uint()
{
	local v=${!1:-}
	[ -n "$v" ] || return 0
	[[ $v =~ ^[0-9]{1,9}$ ]] && [ $((10#$v)) -ge "$2" ] && [ $((10#$v)) -le "$3" ] || bad "$1" "$4"
}

# VAR must be one of the words of $2 when set.
oneof()
{
	local v=${!1:-} w
	[ -n "$v" ] || return 0
	for w in $2; do [ "$v" = "$w" ] && return 0; done
	bad "$1" "$3"
}

# VAR names a folder to create or reuse: no newline, not an existing non-folder, and a
# parent folder that exists or can be created (no file in the way).
dirpath()
{
	local v=${!1:-} p
	[ -n "$v" ] || return 0
	[[ $v != *$'\n'* ]] || bad "$1" "$2"
	[ ! -e "$v" ] || [ -d "$v" ] || bad "$1" "$2"
	p=$v
	while [ "$p" != / ] && [ "$p" != . ] && [ ! -e "$p" ]; do p=$(dirname "$p"); done
	[ -d "$p" ] && [ -w "$p" ] || bad "$1" "$2"
}

# VAR names an existing file or folder.
exists() { local v=${!1:-}; [ -z "$v" ] || [ -e "$v" ] || bad "$1" "$2"; }

# VAR names an executable file.
executable() { local v=${!1:-}; [ -z "$v" ] || { [ -f "$v" ] && [ -x "$v" ]; } || bad "$1" "$2"; }

check_fuzz()
{
	uint DURATION 0 315360000 "whole seconds >= 0 (0 = until Ctrl-C)"
	uint JOBS 1 256 "a whole number of engines, 1 to 256"
	local jobs=${JOBS:-$(nproc 2>/dev/null || echo 1)}
	uint SAN_JOBS 0 "$((10#$jobs))" "a whole number of ASan instances, 0 to JOBS ($jobs)"
	oneof ENGINE "afl libfuzzer" "afl or libfuzzer (empty: AFL++ when it is installed)"
	uint STATUS_EVERY 1 3600 "whole seconds between progress lines, 1 to 3600"
	uint TRIAGE_EVERY 0 60 "whole seconds between looks for new raw findings, 0 (only at the end) to 60"
	uint AFL_TIMEOUT 10 600000 "AFL++ milliseconds per execution, 10 to 600000"
	oneof PIN "0 1" "0 or 1 (bind AFL++ instance i to core i)"
	oneof TRIAGE "0 1" "0 or 1 (0: another node triages this node's findings)"
	oneof RESTART "0 1" "0 or 1 (restart an AFL++ instance that died)"
	uint SYNC_EVERY 5 86400 "whole seconds between sync-nodes.sh runs, 5 to 86400"
	dirpath CAMPAIGN "a folder path (created when missing) for the campaign's state"
	check_node
}

# NODE and SYNC go together (AFL++ only); PEERS needs them.
check_node()
{
	[ -z "${NODE:-}" ] || [[ $NODE =~ ^[A-Za-z0-9]{1,32}$ ]] ||
		bad NODE "this machine's name in the campaign: 1 to 32 letters and digits"
	dirpath SYNC "the sync folder of this machine (a folder path, created when missing)"
	if [ -n "${NODE:-}" ] && [ -z "${SYNC:-}" ]; then bad NODE "a name only with SYNC=dir"; fi
	if [ -z "${NODE:-}" ] && [ -n "${SYNC:-}" ]; then bad SYNC "a folder only with NODE=name"; fi
	if [ -n "${NODE:-}" ] && [ -n "${ENGINE:-}" ] && [ "$ENGINE" != afl ]; then
		bad ENGINE "afl only with NODE and SYNC (libFuzzer has no sync folder)"
	fi
	local p
	for p in ${PEERS:-}; do
		[[ $p =~ ^([A-Za-z0-9._@-]+:)?/?[A-Za-z0-9._/+-]+$ ]] ||
			bad PEERS "sync folders of the other nodes, space-separated, each dir or [user@]host:dir"
	done
	if [ -n "${PEERS:-}" ] && [ -z "${NODE:-}" ]; then bad PEERS "peers only with NODE and SYNC"; fi
}

check_triage()
{
	exists F "an existing raw finding file or a folder of them"
	executable REPLAY "an executable replay tool (build/vm-replay)"
	dirpath TRIAGE_STATE "a folder path for triage's state (default build/triage)"
	dirpath CRASHES "a folder path to store findings in (default crashes)"
	uint REPLAY_TIMEOUT 1 86400 "whole seconds per replay, 1 to 86400"
	uint MINIMIZE_TIMEOUT 1 86400 "whole seconds per minimization, 1 to 86400"
	dirpath CAMPAIGN "a campaign folder (default build/campaign)"
	dirpath SYNC "a sync folder of a multi-node campaign"
}

check_status()
{
	dirpath CAMPAIGN "a campaign folder (default build/campaign)"
	dirpath SYNC "a sync folder of a multi-node campaign"
	dirpath CRASHES "a folder of stored findings (default crashes)"
	dirpath STATUS_OUT "a folder path for the page (default build/status)"
	dirpath TRIAGE_STATE "triage's state folder (default build/triage)"
	dirpath COVERAGE_DIR "make coverage's folder (default build/coverage)"
	[ -z "${BENCH_RESULTS:-}" ] || [ ! -e "$BENCH_RESULTS" ] || [ -f "$BENCH_RESULTS" ] ||
		bad BENCH_RESULTS "make bench's results file (default build/bench/results.md)"
}

check_status_shot()
{
	dirpath STATUS_OUT "a folder path for the page (default build/status)"
	uint SHOT_WIDTH 200 10000 "the screenshot's width in pixels, 200 to 10000"
	uint SHOT_HEIGHT 200 100000 "the screenshot's height in pixels, 200 to 100000"
}

check_sync_nodes()
{
	[ -n "${NODE:-}" ] || { NODE=; bad NODE "this machine's name (required): letters and digits"; }
	[ -n "${SYNC:-}" ] || { SYNC=; bad SYNC "this machine's sync folder (required)"; }
	[ -n "${PEERS:-}" ] || { PEERS=; bad PEERS "the other nodes' sync folders (required), dir or [user@]host:dir"; }
	check_node
}

check_bench()
{
	uint BENCH_RUNS 1 1000000 "a whole number of executions per seed, >= 1"
	uint BENCH_SECONDS 1 86400 "whole seconds per AFL++ run, >= 1"
	uint BENCH_PROFILE 1 1000000 "a whole number of executions per seed, >= 1"
	uint BENCH_QUEUE_MAX 1 10000000 "a whole number of queue inputs, >= 1"
	uint BENCH_SCALE 0 86400 "whole seconds per scaling campaign, 0 = none"
	uint BENCH_SAN_JOBS 0 2 "0 to 2 ASan instances"
	oneof BENCH_PIN "0 1" "0 or 1"
	oneof BENCH_ENGINE "afl libfuzzer" "afl or libfuzzer"
	exists BENCH_BIN "an existing folder of kept binaries"
	uint BENCH_PLANT_SECONDS 1 86400 "whole seconds per plant, >= 1"
	oneof BENCH_PLANTS "0 1" "0 or 1"
	oneof BENCH_PLANTS_FROM "corpus empty" "corpus or empty"
	local q
	for q in ${BENCH_QUEUE:-}; do [ -d "$q" ] || bad BENCH_QUEUE "existing queue folders, space-separated"; done
}

# make fuzz-qemu (scripts/fuzz-qemu.sh).
check_fuzz_qemu()
{
	uint DURATION 0 315360000 "whole seconds >= 0 (0 = until Ctrl-C)"
	uint STATUS_EVERY 1 3600 "whole seconds between progress lines, 1 to 3600"
	dirpath CAMPAIGN "a folder path (created when missing) for the campaign's state"
}

check_coverage() { oneof COVERAGE_QUEUE "0 1" "0 or 1 (1: replay the campaign's queues too)"; }

for target in "$@"; do
	case $target in
	fuzz | fuzz-qemu | triage | status | status-shot | sync-nodes | bench | coverage) "check_${target//-/_}" ;;
	*) echo "check-settings: unknown target '$target'" >&2; exit 2 ;;
	esac
done
exit 0
