#!/bin/bash
# corpus-tools-test.sh - `make corpus-tools-test` (part of make test): make cmin and make
# corpus-promote on a small synthetic campaign built from compiled corpus files.
#   cmin: two AFL++ queues and a libFuzzer corpus holding 7 distinct inputs among 10
#   entries (copies under other names; a seed with a truncated record appended, which
#   runs the same conversation, so adds no coverage; an AFL++ .state/ file that is not
#   a queue entry) give a corpus of at most the 6 seeds, without the padded copy, each
#   one byte for byte an input, with the same libFuzzer coverage (cov and ft) as the
#   whole pool, and a text form that compiles back to the same bytes;
#   corpus-promote: a queue entry becomes CORPUS/NAME.txt whose blessed expectations
#   replay clean and whose records are the entry's; every bad F or NAME is refused with
#   one line and exit 2, and nothing is written.
set -u
cd "$(dirname "$0")/.." || exit 2
B=${BUILD:-build}
T=$B/corpus-tools-test
R=$B/vm-replay
export ASAN_OPTIONS=detect_leaks=0
fail() { echo "corpus-tools-test: FAIL: $*" >&2; exit 1; }
rm -rf "$T" && mkdir -p "$T"

# ---- the synthetic campaign ----
C=$T/campaign
mkdir -p "$C/afl/main/queue/.state/auto_extras" "$C/afl/sec1/queue" "$C/libfuzzer/corpus"
seeds=(fork-then-exit cow-write-both-sides mmap-errors brk-grow-and-collide denied-call stale-endpoint)
for s in "${seeds[@]}"; do [ -f "$B/corpus-bin/$s.bin" ] || fail "$B/corpus-bin/$s.bin missing (make corpus-bin)"; done
cp "$B/corpus-bin/fork-then-exit.bin" "$C/afl/main/queue/id:000000,time:0,execs:0,orig:fork-then-exit.bin"
cp "$B/corpus-bin/cow-write-both-sides.bin" "$C/afl/main/queue/id:000001,time:0,execs:0,orig:cow.bin"
cp "$B/corpus-bin/mmap-errors.bin" "$C/afl/main/queue/id:000002,src:000001,time:10,execs:99,op:havoc,rep:2,+cov"
cp "$B/corpus-bin/fork-then-exit.bin" "$C/afl/sec1/queue/id:000000,time:0,execs:0,orig:fork-then-exit.bin"
cp "$B/corpus-bin/brk-grow-and-collide.bin" "$C/afl/sec1/queue/id:000001,time:0,execs:0,orig:brk.bin"
cp "$B/corpus-bin/denied-call.bin" "$C/afl/sec1/queue/id:000002,sync:main,src:000002"
cp "$B/corpus-bin/mmap-errors.bin" "$C/libfuzzer/corpus/$(sha1sum "$B/corpus-bin/mmap-errors.bin" | cut -c1-40)"
cp "$B/corpus-bin/stale-endpoint.bin" "$C/libfuzzer/corpus/stale"
cp "$B/corpus-bin/cow-write-both-sides.bin" "$C/libfuzzer/corpus/cow"
# A MSG kind byte with nothing after it: a truncated last record, dropped by the decoder.
{ cat "$B/corpus-bin/denied-call.bin"; printf '\000'; } > "$C/libfuzzer/corpus/denied-padded"
printf 'not a queue entry' > "$C/afl/main/queue/.state/auto_extras/auto_000000"

# ---- make cmin ----
CAMPAIGN=$C scripts/cmin.sh > "$T/cmin.log" 2>&1 || { tail -n 5 "$T/cmin.log"; fail "cmin exited $?"; }
grep -q '^cmin: 10 queue entries (7 distinct) -> ' "$T/cmin.log" || fail "cmin did not pool 10 entries, 7 distinct: $(grep '^cmin:' "$T/cmin.log" | head -n 1)"
kept=$(ls "$C/cmin/bin" | wc -l)
[ "$kept" -ge 1 ] && [ "$kept" -le 6 ] || fail "cmin kept $kept files of 7 distinct inputs, one of them redundant"
for f in "$C/cmin/bin"/*; do
	match=0
	for s in "${seeds[@]}"; do cmp -s "$f" "$B/corpus-bin/$s.bin" && match=1; done
	[ "$match" = 1 ] || fail "cmin kept $f, which is none of the inputs"
	t=$C/cmin/txt/$(basename "$f").txt
	[ -s "$t" ] || fail "no text form $t"
	$R --compile "$t" "$T/back.bin" > /dev/null || fail "$t does not compile"
	cmp -s "$T/back.bin" "$f" || fail "$t does not compile back to $f"
	grep -q "^# ---- $t " "$T/cmin.log" || fail "cmin did not print $t"
done
grep -q '^msg from=' "$T/cmin.log" || fail "cmin printed no conversation"
line=$(grep '^cmin: coverage' "$T/cmin.log")
[[ "$line" =~ queues:\ cov\ ([0-9]+)\ ft\ [0-9]+\;\ of\ the\ minimized\ corpus:\ cov\ ([0-9]+) ]] ||
	fail "no coverage line: $line"
[ "${BASH_REMATCH[1]}" -gt 0 ] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] || fail "coverage not kept: $line"
[[ "$line" =~ ft\ ([0-9]+)\;.*ft\ ([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] || fail "features not kept: $line"
echo "corpus-tools-test: $(grep '^cmin: 10' "$T/cmin.log")"
echo "corpus-tools-test: ${line}"
#    Nothing to minimize is refused.
mkdir -p "$T/empty-campaign"
CAMPAIGN=$T/empty-campaign scripts/cmin.sh > "$T/cmin-empty.log" 2>&1
[ $? = 2 ] && [ "$(wc -l < "$T/cmin-empty.log")" = 1 ] || fail "cmin of an empty campaign: not one line and exit 2"

# ---- make corpus-promote ----
mkdir -p "$T/corpus"
q="$C/afl/main/queue/id:000002,src:000001,time:10,execs:99,op:havoc,rep:2,+cov"
F=$q NAME=mmap-from-queue CORPUS=$T/corpus scripts/corpus-promote.sh > "$T/promote.log" 2>&1 ||
	{ cat "$T/promote.log"; fail "corpus-promote of a queue entry"; }
p=$T/corpus/mmap-from-queue.txt
[ -f "$p" ] || fail "corpus-promote wrote no $p"
grep -q '=> ' "$p" || fail "$p has no expectation"
$R "$p" > "$T/promoted-replay.log" 2>&1 || { cat "$T/promoted-replay.log"; fail "$p does not replay clean"; }
#    Its records are the entry's: with the expectations dropped, it prints as the entry does.
sed 's/ *=>.*//' "$p" > "$T/noexp.txt"
$R --print "$T/noexp.txt" > "$T/a.txt" && $R --print "$q" | sed 's/ *=>.*//' > "$T/b.txt" || fail "--print"
cmp -s "$T/a.txt" "$T/b.txt" || fail "$p does not hold the queue entry's records"
echo "corpus-tools-test: $(cat "$T/promote.log")"
#    Refusals: one line, exit 2, nothing written.
printf 'msg from=live:4 VM_MMAP addr=0 len=0x1000 prot=3 flags=0x1002 fd=-1 forwhom=self\nwrite proc=live:4 addr=region:4.2 value=1\n' > "$T/plant.txt"
printf 'msg from=live:4 VM_NOSUCH addr=0\n' > "$T/bad.txt"
: > "$T/empty.bin"
refused=0
refuse_case() # WHY ENV...: corpus-promote run with ENV must be refused
{
	local why=$1 before
	shift
	before=$(ls "$T/corpus" | wc -l)
	env CORPUS="$T/corpus" "$@" scripts/corpus-promote.sh > "$T/refuse.log" 2>&1
	local rc=$?
	[ "$rc" = 2 ] || fail "corpus-promote ($why): exit $rc, not 2: $(cat "$T/refuse.log")"
	[ "$(wc -l < "$T/refuse.log")" = 1 ] || fail "corpus-promote ($why): not one line: $(cat "$T/refuse.log")"
	[ "$(ls "$T/corpus" | wc -l)" = "$before" ] || fail "corpus-promote ($why) wrote a file"
	refused=$((refused + 1))
}
refuse_case "no F" F=
refuse_case "missing file" F="$T/no-such-file"
refuse_case "a folder" F="$C/afl/main/queue"
refuse_case "an empty conversation" F="$T/empty.bin"
refuse_case "a text syntax error" F="$T/bad.txt"
refuse_case "a bad NAME" F="$q" NAME="Bad Name"
refuse_case "an existing name" F="$q" NAME=mmap-from-queue
refuse_case "an input with a finding" F="$T/plant.txt" NAME=planted VMFUZZ_PLANT=panic:page_alloc
echo "corpus-tools-test: corpus-promote refused $refused bad settings with one line and exit 2"
