#!/bin/bash
# triage.sh - turn raw fuzzer findings into one folder per bug under crashes/.
#
#   scripts/triage.sh [-q] [FILE|DIR ...]      (default: $CAMPAIGN and $SYNC)
#
# In a folder it takes AFL++ crashes/ and hangs/ entries (id:*; also the crashes.<date>/
# and hangs.<date>/ folders AFL++ moves the old ones to when it resumes) and libFuzzer artifacts
# (crash-*, timeout-*, leak-*, oom-*, slow-unit-*).  Each input is replayed with
# build/vm-replay; its `FINDING kind=.. sig=..` line names the bug.  A new (kind, sig)
# is minimized with `vm-replay --minimize` and stored as crashes/<kind>-<sig>/ with
# input.bin, input.txt, report.txt and repro.sh (and its name goes to build/triage/stored).
# A (kind, sig) already stored is only counted (build/triage/counts), except that one
# that vm-replay calls a fixed bug (a crashes/ folder git's HEAD holds, committed with
# its fix; crashes/README.md "Fixed or open") is announced as a REGRESSION.  A folder
# git does not hold (vm-replay: "OPEN"), or, where git cannot say, one this triage
# state stored, is an open finding: its later hits are known.  When vm-replay says the
# stored folder's own input replays clean ("SAME SIGNATURE", every kind but crash and
# panic: their signature names a rule, not a code location), the input is announced as a possibly
# different defect and kept in build/triage/collisions/ for a human, nothing stored.
# Inputs already triaged (by SHA-1) are skipped, so the
# campaign can call this periodically.  Inputs that replay clean are kept aside in
# build/triage/unreproduced/ for a human to look at; an AFL++ crash among them is
# replayed once more right after the queue entry it was mutated from (its name's
# src:N), in one process as the engine ran them: a finding then is a verdict that
# depends on a former conversation's state (announced "triage: SEQUENCE:", the parent
# kept beside it as <h>.parent.bin; harness/sequences is where such pairs become
# tests).  Each finding also appends a line
# to build/triage/events (tab-separated: unix time, new|known|regression|collision, kind-sig, raw
# input, FINDING line): the campaign announces new ones from it, the status page shows
# first and last seen.
#
#   REPLAY=path       the replay tool (default build/vm-replay; the campaign passes the
#                     copy it took when it built its engines, build/campaign/vm-replay)
#   TRIAGE_STATE=dir  where seen, counts and unreproduced/ live (default build/triage)
#   CRASHES=dir       store findings there instead of crashes/ (every crashes/ entry is
#                     a regression test of make test, so unfixed bugs may go elsewhere)
#   CAMPAIGN=dir SYNC=dir  the folders triaged when none is named (default build/campaign,
#                     and the sync folder of a multi-node campaign when SYNC is set)
#   REPLAY_TIMEOUT=s MINIMIZE_TIMEOUT=s  per replay (60) and per minimization (300)
set -u
cd "$(dirname "$0")/.." || exit 2
scripts/check-settings.sh triage || exit 2

REPLAY=${REPLAY:-build/vm-replay}
STATE=${TRIAGE_STATE:-build/triage}
CRASHES=${CRASHES:-crashes}
REPLAY_TIMEOUT=${REPLAY_TIMEOUT:-60}
MINIMIZE_TIMEOUT=${MINIMIZE_TIMEOUT:-300}
# Replays symbolize (stable, readable stacks) whatever the engines were given.
export ASAN_OPTIONS=${TRIAGE_ASAN_OPTIONS:-symbolize=1:detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${TRIAGE_UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
quiet=0
[ "${1:-}" = -q ] && { quiet=1; shift; }
[ $# -gt 0 ] || set -- "${CAMPAIGN:-build/campaign}" ${SYNC:+"$SYNC"}

n_in=0 n_new=0 n_known=0 n_regr=0 n_coll=0 n_clean=0 n_bad=0 n_seq=0
touched=()

say() { [ "$quiet" -eq 1 ] || printf 'triage: %s\n' "$*"; }

# Print every raw finding under the given files and folders, one path per line.
candidates()
{
	local p
	for p in "$@"; do
		if [ -d "$p" ]; then
			find "$p" -type f \( -path '*/crashes*/id:*' -o -path '*/hangs*/id:*' \
				-o -name 'crash-*' -o -name 'timeout-*' -o -name 'leak-*' \
				-o -name 'oom-*' -o -name 'slow-unit-*' \) | sort
		elif [ -f "$p" ]; then
			echo "$p"
		fi
	done
}

# Add one to the hit count of finding $1 (kind-sig) in build/triage/counts.
count_hit()
{
	local key=$1 c
	c=$(awk -v k="$key" '$1 == k { print $2 }' "$STATE/counts" 2>/dev/null)
	c=$(( ${c:-0} + 1 ))
	{ grep -v "^$key " "$STATE/counts" 2>/dev/null; echo "$key $c"; } | sort >"$STATE/counts.new"
	mv "$STATE/counts.new" "$STATE/counts"
}

# True when folder crashes/$1 (kind-sig) is an open finding that this triage state
# stored (build/triage/stored) and git's HEAD does not hold (not committed with a fix);
# vm-replay calls it a REGRESSION only where git cannot say.
stored_open()
{
	grep -qx "$1" "$STATE/stored" 2>/dev/null || return 1
	[ -z "$(git -C "crashes/$1" ls-tree --name-only HEAD . 2>/dev/null)" ]
}

# Append finding event $1 (new, known, regression, collision) of raw input $2 to build/triage/events.
event() { printf '%s\t%s\t%s\t%s\t%s\n' "$(date +%s)" "$1" "$kind-$sig" "$2" "$finding_line" >>"$STATE/events"; }

# Replay $1 into $2; set rc.  A replay that exceeds REPLAY_TIMEOUT gets rc 124.
replay() { timeout -k 5 "$REPLAY_TIMEOUT" "$REPLAY" "$1" >"$2" 2>&1; rc=$?; }

# Read kind and sig from the FINDING line of replay output $1 (empty when none).
parse_finding()
{
	local line
	line=$(grep -a -m1 '^FINDING ' "$1")
	kind=$(sed -n 's/.* kind=\([A-Za-z0-9_]*\).*/\1/p' <<<"$line")
	sig=$(sed -n 's/.* sig=\([0-9a-fA-F]\{8\}\).*/\1/p' <<<"$line")
	finding_line=$line
}

# Keep a raw input that did not reproduce, with the replay output beside it (and say
# so, unless a fifth argument asks for quiet: the caller announces it itself).
set_aside()
{
	local f=$1 h=$2 why=$3 out=$4
	mkdir -p "$STATE/unreproduced"
	cp "$f" "$STATE/unreproduced/$h.bin"
	{ echo "origin: $f"; echo "why: $why"; cat "$out"; } >"$STATE/unreproduced/$h.txt"
	[ $# -gt 4 ] || say "$f: $why (kept in $STATE/unreproduced/$h.bin)"
}

# The queue entry AFL++ mutated crash $1 from (the first src:N of its name, in the
# instance's queue/), or nothing.
afl_parent()
{
	local base src
	base=$(basename "$1")
	case $1 in */crashes/id:*src:[0-9]*) ;; *) return ;; esac
	src=$(sed -n 's/.*,src:\([0-9]\{6\}\).*/\1/p' <<<"$base")
	[ -n "$src" ] || return
	ls "${1%/crashes/*}/queue/id:$src,"* 2>/dev/null | head -n 1
}

# A raw crash $1 (hash $2) that replays clean alone: replayed after its parent in one
# process, does it give a finding?  Then it is kept as a SEQUENCE (0), else 1.
sequence_check()
{
	local f=$1 h=$2 parent got out=$STATE/tmp.seq
	parent=$(afl_parent "$f")
	[ -n "$parent" ] || return 1
	timeout -k 5 "$REPLAY_TIMEOUT" "$REPLAY" "$parent" "$f" >"$out" 2>&1
	got=$(grep -a -m1 '^FINDING ' "$out" | cut -d' ' -f2-3)
	[ -n "$got" ] || return 1
	n_seq=$((n_seq + 1))
	set_aside "$f" "$h" "replays clean alone, gives $got after its queue parent $parent" "$out" quiet
	cp "$parent" "$STATE/unreproduced/$h.parent.bin"
	printf 'triage: SEQUENCE: %s replays clean alone but gives %s after %s (kept in %s)\n' \
		"$f" "$got" "$parent" "$STATE/unreproduced/$h.bin"
	return 0
}

# Store a new finding: minimize, check the minimized input gives the same finding,
# then write input.bin, input.txt, report.txt and repro.sh.
store()
{
	local f=$1 dir=$CRASHES/$kind-$sig tmp=$STATE/tmp
	local want_kind=$kind want_sig=$sig
	mkdir -p "$dir"
	if ! timeout -k 5 "$MINIMIZE_TIMEOUT" "$REPLAY" --minimize "$f" "$tmp.min" >"$tmp.minlog" 2>&1; then
		say "$dir: minimizer failed, keeping the raw input"
		cp "$f" "$tmp.min"
	fi
	replay "$tmp.min" "$tmp.rep"
	parse_finding "$tmp.rep"
	if [ "$kind" != "$want_kind" ] || [ "$sig" != "$want_sig" ]; then
		say "$dir: minimized input gives '$kind-$sig', keeping the raw input"
		cp "$f" "$tmp.min"
		replay "$tmp.min" "$tmp.rep"
	fi
	kind=$want_kind sig=$want_sig
	cp "$tmp.min" "$dir/input.bin"
	replay "$dir/input.bin" "$tmp.rep" # names the stored path; no verdict on itself
	grep -a -v '^OPEN: \|^REGRESSION: \|^SAME SIGNATURE: ' "$tmp.rep" >"$dir/report.txt"
	"$REPLAY" --print "$dir/input.bin" >"$dir/input.txt" 2>&1
	echo "build/vm-replay $dir/input.bin" >"$dir/repro.sh"
	chmod +x "$dir/repro.sh"
	# The tree's crashes/ (however CRASHES names it): triage's own record of an open folder.
	[ "$(cd "$dir" && pwd -P)" = "$(cd "crashes/$kind-$sig" 2>/dev/null && pwd -P)" ] &&
		echo "$kind-$sig" >>"$STATE/stored"
	rm -f "$tmp.min" "$tmp.rep" "$tmp.minlog"
}

# Triage one raw input $1.
triage_one()
{
	local f=$1 h out=$STATE/tmp.out
	h=$(sha1sum "$f" | cut -c1-40)
	grep -qx "$h" "$STATE/seen" 2>/dev/null && return
	n_in=$((n_in + 1))
	replay "$f" "$out"
	parse_finding "$out"
	if [ -n "$kind" ] && [ -n "$sig" ]; then
		if grep -a -q '^SAME SIGNATURE: ' "$out"; then
			# A stored signature whose own input replays clean: maybe another defect
			# that the same rule sees on the same call.
			n_coll=$((n_coll + 1))
			mkdir -p "$STATE/collisions"
			cp "$f" "$STATE/collisions/${h:0:12}.bin"
			cp "$out" "$STATE/collisions/${h:0:12}.txt"
			printf 'triage: SAME SIGNATURE: %s: %s is stored, but its input replays clean: possibly a different defect (kept in %s)\n' \
				"$f" "$kind-$sig" "$STATE/collisions/${h:0:12}.bin"
			event collision "$f"
		elif grep -a -q '^REGRESSION: ' "$out" && ! stored_open "$kind-$sig"; then
			# A committed crashes/ folder is a fixed bug (make test replays it clean): it
			# is back, whatever folder this triage stores into.
			n_regr=$((n_regr + 1))
			printf 'triage: REGRESSION: %s: %s was fixed (crashes/%s) and reproduces again\n' \
				"$f" "$kind-$sig" "$kind-$sig"
			event regression "$f"
		elif [ -d "$CRASHES/$kind-$sig" ] || [ -d "crashes/$kind-$sig" ]; then
			# Stored and not fixed yet (vm-replay: OPEN): one more hit of it.
			n_known=$((n_known + 1))
			say "$f: $kind-$sig already stored, not fixed yet (known)"
			event known "$f"
		else
			n_new=$((n_new + 1))
			say "$f: NEW $finding_line"
			event new "$f"
			store "$f"
		fi
		count_hit "$kind-$sig"
		touched+=("$kind-$sig")
	elif [ "$rc" -eq 0 ]; then
		sequence_check "$f" "${h:0:12}" || {
			n_clean=$((n_clean + 1))
			set_aside "$f" "${h:0:12}" "replays clean" "$out"
		}
	elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		n_clean=$((n_clean + 1))
		set_aside "$f" "${h:0:12}" "replay timed out after ${REPLAY_TIMEOUT}s" "$out"
	else
		n_bad=$((n_bad + 1))
		set_aside "$f" "${h:0:12}" "replay exit $rc without a FINDING line" "$out"
	fi
	echo "$h" >>"$STATE/seen"
}

# Read whole before running (the campaign may call it while the file is edited).
main()
{
	[ -x "$REPLAY" ] || { echo "triage: $REPLAY missing (make build/vm-replay)" >&2; exit 2; }
	mkdir -p "$STATE" "$CRASHES"
	exec 9>"$STATE/lock"
	flock 9 # one triage at a time (the campaign triages periodically)
	while IFS= read -r f; do
		triage_one "$f"
	done < <(candidates "$@")

	if [ "$quiet" -eq 0 ] || [ "$n_in" -gt 0 ]; then
		printf 'triage: %d new inputs: %d new findings, %d known, %d REGRESSIONS, %d same signature (stored input clean), %d only after their queue parent, %d replay clean or time out, %d bad\n' \
			"$n_in" "$n_new" "$n_known" "$n_regr" "$n_coll" "$n_seq" "$n_clean" "$n_bad"
	fi
	if [ "${#touched[@]}" -gt 0 ]; then
		printf '%-28s %6s  %s\n' finding hits first-line
		for k in $(printf '%s\n' "${touched[@]}" | sort -u); do
			local dir=$CRASHES/$k
			[ -d "crashes/$k" ] && dir=crashes/$k
			printf '%-28s %6s  %s\n' "$k" "$(awk -v k="$k" '$1 == k { print $2 }' "$STATE/counts")" \
				"$(grep -a -m1 '^FINDING ' "$dir/report.txt" 2>/dev/null)"
		done
	fi
	return 0
}

main "$@"
exit
