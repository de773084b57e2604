#!/bin/bash
# cmin.sh - `make cmin`: minimize a campaign's queues into a small corpus that keeps
# their coverage, and print it as text conversations.
#
#   CAMPAIGN=dir   the campaign (default build/campaign): every AFL++ instance's queue
#                  (afl/*/queue/, not its .state/) and the libFuzzer corpus
#                  (libfuzzer/corpus/), as scripts/fuzz.sh leaves them
#   CMIN_OUT=dir   where the result goes (default $CAMPAIGN/cmin): bin/ the minimized
#                  inputs (named by their SHA-1, as libFuzzer names them), txt/ the same
#                  as text (vm-replay --print), merge.log
#   QUIET=1        print the summary only, not the conversations
#
# The queues are pooled (identical files once), then libFuzzer's -merge=1 keeps, smallest
# first, every input that adds a coverage feature (edges of vm/ and their hit-count
# classes) the kept ones lack.  Then each kept input is printed as canonical text, and
# the summary says the feature counts of the pool and of the result, which must agree.
# Exit 0 done, 1 a step failed, 2 nothing to minimize or a bad setting.
set -u
cd "$(dirname "$0")/.." || exit 2
CAMPAIGN=${CAMPAIGN:-build/campaign}
OUT=${CMIN_OUT:-$CAMPAIGN/cmin}
FUZZER=${FUZZER:-build/fuzz-libfuzzer}
REPLAY=${REPLAY:-build/vm-replay}
# The engines' inputs run with the campaign's sanitizer options (fuzz.sh).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}

die() { echo "cmin: $*" >&2; exit "${2:-1}"; }

# pool: copy every queue entry into $OUT/pool/<sha1> (identical contents once); prints
# the number of entries seen.
pool()
{
	local f h n=0
	rm -rf "$OUT/pool" && mkdir -p "$OUT/pool"
	for f in "$CAMPAIGN"/afl/*/queue/* "$CAMPAIGN"/libfuzzer/corpus/*; do
		[ -f "$f" ] || continue
		h=$(sha1sum "$f" | cut -c1-40)
		cp "$f" "$OUT/pool/$h"
		n=$((n + 1))
	done
	echo "$n"
}

# features DIR: "cov ft" of the target over DIR's inputs, each run once (-runs=0).
features()
{
	"$FUZZER" -runs=0 "$1" 2>&1 | sed -n 's/.*INITED cov: \([0-9]*\) ft: \([0-9]*\).*/\1 \2/p' | tail -n 1
}

[ -d "$CAMPAIGN" ] || die "CAMPAIGN=$CAMPAIGN is not a folder (run make fuzz first)" 2
[ -x "$FUZZER" ] && [ -x "$REPLAY" ] || die "needs $FUZZER and $REPLAY (make $FUZZER $REPLAY)" 2
mkdir -p "$OUT" || exit 1
seen=$(pool)
unique=$(ls "$OUT/pool" | wc -l)
[ "$unique" -gt 0 ] || die "no queue entry under $CAMPAIGN/afl/*/queue or $CAMPAIGN/libfuzzer/corpus (run make fuzz first)" 2

rm -rf "$OUT/bin" "$OUT/txt" && mkdir -p "$OUT/bin" "$OUT/txt"
"$FUZZER" -merge=1 -merge_control_file="$OUT/merge.ctl" "$OUT/bin" "$OUT/pool" > "$OUT/merge.log" 2>&1 ||
	{ tail -n 5 "$OUT/merge.log" >&2; die "libFuzzer -merge=1 failed (see $OUT/merge.log)"; }
rm -f "$OUT/merge.ctl"
kept=$(ls "$OUT/bin" | wc -l)

# The text form, smallest input first.
for f in $(ls -Sr "$OUT/bin"); do
	"$REPLAY" --print "$OUT/bin/$f" > "$OUT/txt/$f.txt" || die "vm-replay --print $OUT/bin/$f failed"
	if [ "${QUIET:-0}" != 1 ]; then
		echo "# ---- $OUT/txt/$f.txt ($(stat -c %s "$OUT/bin/$f") bytes)"
		cat "$OUT/txt/$f.txt"
	fi
done

read -r pcov pft <<<"$(features "$OUT/pool")"
read -r kcov kft <<<"$(features "$OUT/bin")"
echo "cmin: $seen queue entries ($unique distinct) -> $kept in $OUT/bin, as text in $OUT/txt"
echo "cmin: coverage of the queues: cov $pcov ft $pft; of the minimized corpus: cov $kcov ft $kft"
[ "$pcov" = "$kcov" ] || die "the minimized corpus lost coverage (cov $pcov -> $kcov)"
rm -rf "$OUT/pool"
