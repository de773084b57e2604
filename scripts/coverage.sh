#!/bin/bash
# coverage.sh - line coverage of vm/ by the corpus (and the campaign queue), with llvm-cov.
#
#   COVERAGE_QUEUE=0  replay only corpus/ (default 1: add build/campaign's queues)
#
# Replays with build/coverage/vm-replay-cov, a replay tool whose vm/ objects alone are
# built with -fprofile-instr-generate -fcoverage-mapping (scripts/campaign.mk).  Prints
# `llvm-cov report` for vm/*.c, writes it to build/coverage/report.txt, the coverage of
# each call handler (do_*) to build/coverage/calls.txt, and HTML to build/coverage/html/.
set -u
cd "$(dirname "$0")/.." || exit 2
LLVM_COV=$(command -v llvm-cov-14 || command -v llvm-cov)
LLVM_PROFDATA=$(command -v llvm-profdata-14 || command -v llvm-profdata)
C=build/coverage
BIN=$C/vm-replay-cov
MAKE=${MAKE:-make}

${MAKE} -s build/vm-replay "$BIN" || exit 2
rm -rf "$C/seeds" "$C/prof" && mkdir -p "$C/seeds" "$C/prof"
for t in corpus/*.txt; do
	[ -e "$t" ] || continue
	build/vm-replay --compile "$t" "$C/seeds/$(basename "$t" .txt).bin" >/dev/null ||
		echo "coverage: cannot compile $t" >&2
done

# Every input file to replay, one per line.
inputs()
{
	find "$C/seeds" -type f
	[ "${COVERAGE_QUEUE:-1}" = 1 ] || return
	find build/campaign/afl -path '*/queue/id:*' -type f 2>/dev/null
	find build/campaign/libfuzzer/corpus -type f 2>/dev/null
}
n=$(inputs | wc -l)
echo "coverage: replaying $n inputs"
# Batches of 100 files; each process writes its own profile (%p), and a finding
# (exit 1) does not stop the others.
inputs | ASAN_OPTIONS=detect_leaks=0 LLVM_PROFILE_FILE="$C/prof/%p-%m.profraw" \
	xargs -d '\n' -n 100 "$BIN" >"$C/replay.log" 2>&1
"$LLVM_PROFDATA" merge -sparse "$C"/prof/*.profraw -o "$C/vm.profdata" || exit 1

srcs=$(ls vm/*.c)
"$LLVM_COV" report "$BIN" -instr-profile="$C/vm.profdata" $srcs | tee "$C/report.txt"
# Coverage of the call handlers: one line per do_* function.
"$LLVM_COV" report "$BIN" -instr-profile="$C/vm.profdata" -show-functions $srcs |
	awk '$1 ~ /^do_/ { printf "%-16s lines %5s missed %4s cover %8s  regions cover %8s\n", $1, $5, $6, $7, $4 }' \
		>"$C/calls.txt"
"$LLVM_COV" show "$BIN" -instr-profile="$C/vm.profdata" -format=html \
	-output-dir="$C/html" -show-line-counts-or-regions $srcs
echo "coverage: call handlers ($C/calls.txt):"
cat "$C/calls.txt"
echo "coverage: HTML report in $C/html/index.html"
