#!/bin/bash
# test-settings.sh - every variable of every campaign target refuses a bad value: `make
# TARGET VAR=bad` prints one line naming the variable and what it accepts and exits 2,
# before any build (scripts/check-settings.sh); good values pass the check.
set -u
cd "$(dirname "$0")/.." || exit 2
T=build/test-settings
rm -rf "$T" && mkdir -p "$T" && : >"$T/a-file"
fail=0 n=0

# make $1 with the settings $2..: must exit 2 with one line `make $1: VAR=value: accepts`.
refuse()
{
	local target=$1 var=${2%%=*} out rc
	shift
	out=$(env -u MAKEFLAGS -u MAKELEVEL make -s --no-print-directory "$target" "$@" 2>&1 </dev/null)
	rc=$?
	n=$((n + 1))
	# make adds its own "*** [...] Error 2" line; the script's line must be the only other.
	out=$(grep -v '^make: \*\*\*' <<<"$out")
	if [ "$rc" -ne 2 ] || [ "$(wc -l <<<"$out")" -ne 1 ] ||
		! grep -q "^make $target: $var=.*: accepts " <<<"$out"; then
		echo "FAIL make $target $*: exit $rc, output:"; echo "$out" | sed 's/^/    /'
		fail=1
	fi
}

refuse fuzz DURATION=abc
refuse fuzz DURATION=-5
refuse fuzz JOBS=0
refuse fuzz JOBS=two
refuse fuzz SAN_JOBS=2 JOBS=1
refuse fuzz SAN_JOBS=x
refuse fuzz ENGINE=honggfuzz
refuse fuzz STATUS_EVERY=0
refuse fuzz STATUS_EVERY=1s
refuse fuzz TRIAGE_EVERY=300
refuse fuzz AFL_TIMEOUT=5
refuse fuzz PIN=yes
refuse fuzz TRIAGE=2
refuse fuzz RESTART=no
refuse fuzz SYNC_EVERY=1
refuse fuzz CAMPAIGN=$T/a-file
refuse fuzz NODE=a-b SYNC=$T/s
refuse fuzz NODE=a
refuse fuzz SYNC=$T/s
refuse fuzz SYNC=$T/a-file NODE=a
refuse fuzz ENGINE=libfuzzer NODE=a SYNC=$T/s
refuse fuzz 'PEERS=bad;peer' NODE=a SYNC=$T/s
refuse fuzz PEERS=$T/p
refuse triage F=$T/no-such-file
refuse triage REPLAY=$T/a-file
refuse triage TRIAGE_STATE=$T/a-file
refuse triage CRASHES=$T/a-file
refuse triage REPLAY_TIMEOUT=0
refuse triage MINIMIZE_TIMEOUT=1h
refuse triage CAMPAIGN=$T/a-file
refuse triage SYNC=$T/a-file
refuse status CAMPAIGN=$T/a-file
refuse status SYNC=$T/a-file
refuse status CRASHES=$T/a-file
refuse status STATUS_OUT=$T/a-file
refuse status TRIAGE_STATE=$T/a-file
refuse status COVERAGE_DIR=$T/a-file
refuse status BENCH_RESULTS=$T
refuse status-shot STATUS_OUT=$T/a-file
refuse status-shot SHOT_WIDTH=wide
refuse status-shot SHOT_HEIGHT=0
refuse sync-nodes NODE= SYNC=$T/s PEERS=$T/p
refuse sync-nodes SYNC= NODE=a PEERS=$T/p
refuse sync-nodes PEERS= NODE=a SYNC=$T/s
refuse sync-nodes NODE=a/b SYNC=$T/s PEERS=$T/p
refuse bench BENCH_RUNS=0
refuse bench BENCH_SECONDS=x
refuse bench BENCH_PROFILE=-1
refuse bench BENCH_QUEUE_MAX=0
refuse bench BENCH_SCALE=x
refuse bench BENCH_SAN_JOBS=3
refuse bench BENCH_PIN=2
refuse bench BENCH_ENGINE=x
refuse bench BENCH_BIN=$T/none
refuse bench BENCH_PLANT_SECONDS=0
refuse bench BENCH_PLANTS=yes
refuse bench BENCH_PLANTS_FROM=nothing
refuse bench BENCH_QUEUE=$T/none
refuse coverage COVERAGE_QUEUE=2

# Good values pass.
if ! DURATION=120 JOBS=2 SAN_JOBS=1 ENGINE=afl STATUS_EVERY=5 TRIAGE_EVERY=0 AFL_TIMEOUT=500 PIN=0 \
	TRIAGE=1 RESTART=1 SYNC_EVERY=60 CAMPAIGN=$T/c NODE=n1 SYNC=$T/s/x PEERS="$T/p host:/srv/sync" \
	scripts/check-settings.sh fuzz; then
	echo "FAIL good fuzz settings refused"; fail=1
fi
if ! F=$T/a-file REPLAY_TIMEOUT=5 scripts/check-settings.sh triage status coverage bench; then
	echo "FAIL good triage settings refused"; fail=1
fi
[ "$fail" -eq 0 ] || exit 1
echo "campaign-settings-test: $n bad settings refused with one line and exit 2, good ones accepted"
