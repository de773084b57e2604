#!/bin/sh
# harness-test.sh - `make harness-test`: the harness self-tests, the dictionary is up to
# date, every corpus file round-trips text -> binary -> text and replays with its
# expected replies, replays are deterministic, every crashes/ input replays clean,
# a planted crash and a planted panic give stable findings (the same with --fast, as
# every plant below), every rule of the memory
# oracle, two of its memory effects (mem:alias, mem:cache), every counter of the
# leak oracle, the protocol model and VM's sanity checker fire on their planted bugs,
# no two plants share a signature and none is a stored finding's, a stored model
# or memory finding (any kind but crash and panic) is a REGRESSION only when its own
# input gives it again (else SAME SIGNATURE,
# which triage keeps aside), a folder git has not committed is an open finding (triage:
# first hit NEW, second known, after the commit REGRESSION), the fault
# sweep finds nothing on inputs that reach every fault site, and a short seeded
# libFuzzer run ends without a finding.  Needs the targets harness.mk builds first.
set -eu
# LeakSanitizer checks the host heap of every replay (vm-replay reports it as a finding).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
B=${BUILD:-build}
R=$B/vm-replay
T=$B/harness-test
rm -rf "$T"
mkdir -p "$T/lf-new"
: > "$T/plants" # one line per plant: NAME and its FINDING line (section 7d)
fail() { echo "harness-test: FAIL: $*" >&2; exit 1; }
# fast_same PLANT FILE LINE: with PLANT, FILE run the engines' way (vm-replay --fast:
# incremental sanity checks, touched-only teardown) gives the FINDING line in LINE.
fast_same() {
	VMFUZZ_PLANT=$1 $R --fast "$2" 2>&1 | grep '^FINDING' | head -n 1 > "$T/fast-plant.line"
	cmp -s "$3" "$T/fast-plant.line" ||
		fail "planted $1: --fast gives '$(cat "$T/fast-plant.line")', not '$(cat "$3")'"
}

# 1. Self-tests (decoder totality, round trips, errors, fault engine, random runs).
$B/harness-selftest 1000 > "$T/selftest.log" || { cat "$T/selftest.log"; fail "harness-selftest"; }
grep -c '^PASS' "$T/selftest.log" | sed 's/^/harness-test: self-tests passed: /'

# 2. The checked-in dictionary is what the call table generates.
$B/dictgen | cmp -s - harness/vmfuzz.dict || fail "harness/vmfuzz.dict is stale: run make harness-dict"

# 3. Every corpus file: canonical text is a fixed point of text -> binary -> text.
n=0
for f in corpus/*.txt; do
	[ -e "$f" ] || continue
	$R --print "$f" > "$T/a.txt"
	$R --compile "$T/a.txt" "$T/a.bin"
	$R --print "$T/a.bin" > "$T/b.txt"
	$R --compile "$f" "$T/f.bin"
	cmp -s "$T/a.txt" "$T/b.txt" || fail "$f: text -> binary -> text changed the text"
	cmp -s "$T/a.bin" "$T/f.bin" || fail "$f: canonical text encodes differently"
	n=$((n + 1))
done
echo "harness-test: $n corpus files round-trip"

# 4. The corpus replays clean with expected replies, and deterministically.
if ls corpus/*.txt > /dev/null 2>&1; then
	$R corpus/ > "$T/corpus.log" || { cat "$T/corpus.log"; fail "corpus replay"; }
	$R --repeat 3 corpus/ > "$T/repeat.log" || { cat "$T/repeat.log"; fail "corpus --repeat 3"; }
	# The engines' fast checks (incremental sanity, touched-only teardown) agree.
	$R --fast corpus/ > "$T/fast.log" || { cat "$T/fast.log"; fail "corpus --fast"; }
	tail -n 1 "$T/corpus.log" | sed 's/^/harness-test: corpus: /'
fi

# 5. Every kept crash is a regression test: no finding on today's code.  The text form
#    is replayed where there is one: it names every field, so it keeps its meaning when
#    the call table grows (the binary form is positional).
k=0
for d in crashes/*/; do
	f="$d/input.txt"
	[ -e "$f" ] || f="$d/input.bin"
	[ -e "$f" ] || continue
	$R "$f" > "$T/crash.log" || { cat "$T/crash.log"; fail "REGRESSION: $f (a fixed bug) gives a finding again"; }
	$R --fast "$f" > "$T/crash.log" || { cat "$T/crash.log"; fail "REGRESSION: $f gives a finding with --fast"; }
	k=$((k + 1))
done
echo "harness-test: $k crashes/ inputs replay clean"

# 6. A planted crash (use after free inside a fault point) and a planted panic give a
#    FINDING line with the same signature on every run.
printf 'msg from=live:4 VM_MMAP addr=0 len=0x1000 prot=3 flags=0x1002 fd=-1 forwhom=self\nwrite proc=live:4 addr=region:4.2 value=1\n' > "$T/plant.txt"
for kind in crash panic; do
	for i in 1 2; do
		if VMFUZZ_PLANT=$kind:page_alloc $R "$T/plant.txt" > "$T/plant-$kind-$i.log" 2>&1; then
			fail "planted $kind gave no finding"
		fi
		grep '^FINDING' "$T/plant-$kind-$i.log" | head -n 1 > "$T/plant-$kind-$i.line"
	done
	grep -q "^FINDING kind=$kind " "$T/plant-$kind-1.line" || fail "planted $kind: $(cat "$T/plant-$kind-1.line")"
	cmp -s "$T/plant-$kind-1.line" "$T/plant-$kind-2.line" || fail "planted $kind: signature differs between runs"
	fast_same "$kind:page_alloc" "$T/plant.txt" "$T/plant-$kind-1.line"
	echo "harness-test: planted $kind: $(cat "$T/plant-$kind-1.line")"
	echo "$kind:page_alloc $(cat "$T/plant-$kind-1.line")" >> "$T/plants"
done
grep -q 'at=vm/' "$T/plant-crash-1.line" || fail "planted crash not attributed to a vm/ frame"
#    A stored finding that shows up again is a REGRESSION, not "already stored" ($T/stored
#    out of git's sight counts as fixed); one git sees and has not committed is OPEN.
ks=$(sed -n 's/^FINDING kind=\([a-z]*\) sig=\([0-9a-f]*\) .*/\1-\2/p' "$T/plant-panic-1.line")
mkdir -p "$T/stored/$ks"
GIT_CEILING_DIRECTORIES="$PWD/$T" VMFUZZ_PLANT=panic:page_alloc $R --crashes "$T/stored" "$T/plant.txt" > "$T/regression.log" 2>&1 || true
grep -q "^REGRESSION: $ks is stored in $T/stored/$ks" "$T/regression.log" ||
	fail "a stored finding that reproduces is not announced as a REGRESSION"
echo "harness-test: a stored finding that reproduces: $(grep '^REGRESSION' "$T/regression.log")"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	VMFUZZ_PLANT=panic:page_alloc $R --crashes "$T/stored" "$T/plant.txt" > "$T/open.log" 2>&1 || true
	grep -q "^OPEN: $ks is stored in $T/stored/$ks, not committed" "$T/open.log" && ! grep -q '^REGRESSION' "$T/open.log" ||
		{ cat "$T/open.log"; fail "a stored folder git has not committed is not OPEN"; }
fi
#    --keep-going reports every mismatch of a file, then one finding.
printf '%s\n' 'msg from=live:4 VM_BRK addr=0x1000 => EPERM' 'read proc=live:4 addr=0x0804c010 => 0x5' \
	'msg from=live:4 VM_MUNMAP addr=0x1001 len=0 => EFAULT|EINVAL' 'check dead=live:4' > "$T/mismatch.txt"
$R --keep-going "$T/mismatch.txt" > "$T/mismatch.log" 2>&1 && fail "--keep-going: mismatches gave no finding"
[ "$(grep -c '^mismatch: record' "$T/mismatch.log")" = 3 ] && grep -q 'detail: 3 mismatch(es)' "$T/mismatch.log" ||
	{ cat "$T/mismatch.log"; fail "--keep-going did not report the 3 mismatches"; }
echo "harness-test: --keep-going reports 3 of 3 mismatches"

# 7. Each planted bug makes its oracle fire with a stable signature: the memory rules
#    and memory effects (the harness corrupts the MMU state or RAM as a VM bug would)
#    and the leak counters.
#    plant_expect NAME KIND AT FILE
plant_expect() {
	for i in 1 2; do
		if VMFUZZ_PLANT=$1 $R "$4" > "$T/plant-$1-$i.log" 2>&1; then
			fail "planted $1 gave no finding"
		fi
		grep '^FINDING' "$T/plant-$1-$i.log" | head -n 1 > "$T/plant-$1-$i.line"
	done
	grep -q "^FINDING kind=$2 .* at=$3\$" "$T/plant-$1-1.line" ||
		fail "planted $1: expected kind=$2 at=$3, got: $(cat "$T/plant-$1-1.line")"
	cmp -s "$T/plant-$1-1.line" "$T/plant-$1-2.line" || fail "planted $1: signature differs between runs"
	fast_same "$1" "$4" "$T/plant-$1-1.line"
	echo "harness-test: planted $1: $(cat "$T/plant-$1-1.line")"
	echo "$1 $(cat "$T/plant-$1-1.line")" >> "$T/plants"
}
printf 'write proc=live:4 addr=region:4.1+0x10 value=0x1234\nread proc=live:4 addr=region:4.1+0x10\n' > "$T/m-flip.txt"
printf '%s\n' 'write proc=live:4 addr=region:4.1+0x10 value=0x11111111' \
	'msg from=live:0 VM_FORK parent=live:4 slot=fresh:7' \
	'write proc=live:4 addr=region:4.1+0x10 value=0x22222222' \
	'read proc=live:6 addr=region:6.1+0x10' > "$T/m-cow.txt"
printf '%s\n' 'msg from=live:4 VM_MMAP addr=0 len=0x2000 prot=3 flags=0x1002 fd=-1 forwhom=self' \
	'write proc=live:4 addr=region:4.2+0x1000 value=7' \
	'msg from=live:4 VM_MUNMAP addr=region:4.2 len=0x2000' \
	'read proc=live:4 addr=0x20001000' > "$T/m-unmap.txt"
printf 'write proc=live:4 addr=region:4.0+0x20 value=5\n' > "$T/m-ro.txt"
#    The memory effects (docs/model.md): RS grants itself every call, then init's mmap
#    is shared with the agent (mem:alias: the alias's write does not reach init), and
#    RS caches a page and writes it again (mem:cache: the block takes the new word).
printf '%s\n' 'write proc=live:2 addr=region:2.1+0x100 value=0xffffffff' \
	'write proc=live:2 addr=region:2.1+0x104 value=0xffffffff' \
	'msg from=live:2 VM_RS_SET_PRIV endpt=live:2 buf=region:2.1+0x100 sys=1' > "$T/m-rs.txt"
{ cat "$T/m-rs.txt"; printf '%s\n' \
	'msg from=live:4 VM_MMAP addr=0x30000000 len=0x1000 prot=3 flags=0x1012 fd=-1 forwhom=self' \
	'write proc=live:4 addr=0x30000000 value=0x11' \
	'msg from=live:2 VM_REMAP dst=live:5 src=live:4 dst_addr=0x40000000 src_addr=0x30000000 size=0x1000' \
	'write proc=live:5 addr=0x40000000 value=0x22' \
	'read proc=live:4 addr=0x30000000'; } > "$T/m-alias.txt"
{ cat "$T/m-rs.txt"; printf '%s\n' \
	'msg from=live:2 VM_MMAP addr=0x30000000 len=0x1000 prot=3 flags=0x1012 fd=-1 forwhom=self' \
	'write proc=live:2 addr=0x30000000 value=0x100' \
	'msg from=live:2 VM_SETCACHEPAGE dev_offset=0x10000 dev=7 block=0x30000000 pages=1 flags=0' \
	'write proc=live:2 addr=0x30000000 value=0x200' \
	'msg from=live:2 VM_MAPCACHEPAGE dev_offset=0x10000 dev=7 pages=1' \
	'read proc=live:2 addr=region:2.2'; } > "$T/m-cache.txt"
plant_expect mem:flip memory memory-read-value "$T/m-flip.txt"
plant_expect mem:cow memory memory-fork-write-shows "$T/m-cow.txt"
plant_expect mem:unmap memory memory-unmapped-reachable "$T/m-unmap.txt"
plant_expect mem:ro memory memory-ro-write "$T/m-ro.txt"
plant_expect mem:alias model MEMFX-01 "$T/m-alias.txt"
plant_expect mem:cache model MEMFX-06 "$T/m-cache.txt"
for f in flip cow unmap ro alias cache; do
	$R "$T/m-$f.txt" > "$T/m-$f.log" || { cat "$T/m-$f.log"; fail "m-$f.txt gives a finding without its plant"; }
done
# The kernel-slot leak is a wrong answer too (VM_EXIT said OK, the kernel's slot lives
# on): the model flags it at the message; without the model the leak oracle does at
# the end.
VMFUZZ_PLANT=leak:kslot $R corpus/fork-then-exit.txt 2>&1 | grep -q '^FINDING kind=model .* at=EXIT-' ||
	fail "planted leak:kslot: the model did not flag VM_EXIT"
(VMFUZZ_MODEL=off; export VMFUZZ_MODEL; plant_expect leak:kslot leak leak-slots corpus/fork-then-exit.txt) || exit 1
#    A leak is signed by the record that first leaves it (harness/run.c re-runs the
#    conversation's prefixes): the kernel slot VM_EXIT forgets, and the one a VM_FORK
#    rolled back after an injected failure forgets (the model flags it at the fork too).
grep -q ' call=VM_EXIT ' "$T/plant-leak:kslot-1.line" || fail "planted leak:kslot not attributed to VM_EXIT"
f=harness/plants/leak-fork-abort.txt
$R "$f" > "$T/fork-abort.clean" || { cat "$T/fork-abort.clean"; fail "$f gives a finding without its plant"; }
VMFUZZ_PLANT=leak:fork-abort $R "$f" 2>&1 | grep -q '^FINDING kind=model .* call=VM_FORK ' ||
	fail "planted leak:fork-abort: the model did not flag VM_FORK"
(VMFUZZ_MODEL=off; export VMFUZZ_MODEL; plant_expect leak:fork-abort leak leak-slots "$f") || exit 1
grep -q ' call=VM_FORK ' "$T/plant-leak:fork-abort-1.line" && grep -q 'VM_FORK, with an injected failure)' "$T/plant-leak:fork-abort-1.log" ||
	fail "planted leak:fork-abort not attributed to the VM_FORK that a failure was injected in"
plant_expect leak:pages leak leak-pages corpus/fork-then-exit.txt
plant_expect leak:slab leak leak-slab-objects corpus/fork-then-exit.txt
plant_expect leak:acl leak leak-acl corpus/fork-then-exit.txt
plant_expect leak:host leak leak-host-heap corpus/fork-then-exit.txt

# 7b. The protocol model sees wrong answers: each model:* plant breaks one rule family
#     the way a real defect would (harness/plants/model-*.txt run clean without it); the
#     model flags each with a FINDING kind=model line, stable across runs, and no two
#     plants share a signature.
: > "$T/model-sigs"
for f in harness/plants/model-*.txt; do
	p=model:$(basename "$f" .txt | sed 's/^model-//')
	$R "$f" > "$T/$p.clean" || { cat "$T/$p.clean"; fail "$f gives a finding without its plant"; }
	for i in 1 2; do
		if VMFUZZ_PLANT=$p $R "$f" > "$T/$p-$i.log" 2>&1; then
			fail "planted $p gave no finding"
		fi
		grep '^FINDING' "$T/$p-$i.log" | head -n 1 > "$T/$p-$i.line"
	done
	grep -q '^FINDING kind=model ' "$T/$p-1.line" || fail "planted $p: expected kind=model, got: $(cat "$T/$p-1.line")"
	cmp -s "$T/$p-1.line" "$T/$p-2.line" || fail "planted $p: signature differs between runs"
	fast_same "$p" "$f" "$T/$p-1.line"
	sed 's/.* sig=\([0-9a-f]*\) .*/\1/' "$T/$p-1.line" >> "$T/model-sigs"
	echo "harness-test: planted $p: $(cat "$T/$p-1.line")"
	echo "$p $(cat "$T/$p-1.line")" >> "$T/plants"
done
[ "$(sort "$T/model-sigs" | uniq -d | wc -l)" -eq 0 ] || fail "two model plants share a signature"
echo "harness-test: $(wc -l < "$T/model-sigs") model plants, $(sort -u "$T/model-sigs" | wc -l) distinct signatures"

# 7b'. A model finding's signature names a rule, a call and an object, so another
#     defect seen by that rule collides with a stored one: vm-replay replays the stored
#     folder's own input first, and says REGRESSION only when it gives the finding
#     again, "SAME SIGNATURE ... possibly a different defect" when it replays clean or
#     gives another finding; triage keeps such an input aside, stores nothing.
p=model:errno f=harness/plants/model-errno.txt
ks=$(sed -n 's/^FINDING kind=\([a-z]*\) sig=\([0-9a-f]*\) .*/\1-\2/p' "$T/$p-1.line")
mkdir -p "$T/fixed/$ks"
same_sig() { # same_sig STORED-INPUT EXPECTED-VERDICT-LINE-PREFIX
	cp "$1" "$T/fixed/$ks/input.txt"
	if GIT_CEILING_DIRECTORIES="$PWD/$T" VMFUZZ_PLANT=$p $R --crashes "$T/fixed" "$f" > "$T/same-sig.log" 2>&1; then
		fail "planted $p gave no finding with a stored folder"
	fi
	grep '^FINDING' "$T/same-sig.log" | head -n 1 | cmp -s - "$T/$p-1.line" || fail "the re-check changed the FINDING line"
	grep -q "^$2" "$T/same-sig.log" || { cat "$T/same-sig.log"; fail "stored input $1: no line '$2...'"; }
	[ "$(grep -c '^REGRESSION\|^SAME SIGNATURE' "$T/same-sig.log")" = 1 ] || fail "stored input $1: two verdicts"
	echo "harness-test: stored $(basename "$1"): $(grep '^REGRESSION\|^SAME SIGNATURE' "$T/same-sig.log" | cut -c1-110)"
}
printf 'msg from=live:4 VM_MUNMAP addr=0x20000000 len=0x1000 => OK\n' > "$T/stored-clean.txt"
printf 'msg from=live:4 VM_BRK addr=0x1000 => EPERM\n' > "$T/stored-other.txt"
printf 'msg from=live:4 VM_MUNMAP addr=0xfffff000 len=0x2000 => EINVAL\n' > "$T/stored-same.txt"
same_sig "$T/stored-clean.txt" "SAME SIGNATURE: $ks is stored in $T/fixed/$ks, whose input replays clean today: same signature, different input: possibly a different defect"
same_sig "$T/stored-other.txt" "SAME SIGNATURE: $ks is stored in $T/fixed/$ks, whose input gives expect-"
same_sig "$T/stored-same.txt" "REGRESSION: $ks is stored in $T/fixed/$ks, a fixed bug, and reproduces again"
same_sig "$f" "REGRESSION: $ks is stored in $T/fixed/$ks"
#     The same holds for every kind whose signature names a rule or invariant (memory
#     here: mem:flip's finding, stored with an input that replays clean, then with its
#     own), not for a code location (panic: its stored folder's clean input changes
#     nothing, the finding is the bug at that site).
verdict_with() { # verdict_with PLANT INPUT STORED-INPUT EXPECTED-PREFIX
	vl=$T/plant-$1-1.line
	[ -e "$vl" ] || vl=$T/plant-${1%%:*}-1.line
	vk=$(sed -n 's/^FINDING kind=\([a-z]*\) sig=\([0-9a-f]*\) .*/\1-\2/p' "$vl")
	rm -rf "$T/fixed2" && mkdir -p "$T/fixed2/$vk" && cp "$3" "$T/fixed2/$vk/input.txt"
	GIT_CEILING_DIRECTORIES="$PWD/$T" VMFUZZ_PLANT=$1 $R --crashes "$T/fixed2" "$2" > "$T/verdict.log" 2>&1 &&
		fail "planted $1 gave no finding with a stored folder"
	grep -q "^$4: $vk is stored in $T/fixed2/$vk" "$T/verdict.log" || { cat "$T/verdict.log"; fail "planted $1, stored $3: no $4"; }
	echo "harness-test: planted $1, stored $(basename "$3"): $(grep '^REGRESSION\|^SAME SIGNATURE' "$T/verdict.log" | cut -c1-90)"
}
verdict_with mem:flip "$T/m-flip.txt" "$T/stored-clean.txt" "SAME SIGNATURE"
verdict_with mem:flip "$T/m-flip.txt" "$T/m-flip.txt" "REGRESSION"
verdict_with panic:page_alloc "$T/plant.txt" "$T/stored-clean.txt" "REGRESSION"
#     --minimize to a .txt keeps what the binary means: a name whose records before it
#     were cut prints as @vN (the text parser would give its spelling another index).
printf '%s\n' 'notify from=@a' 'notify from=@b' 'notify from=@c' 'notify from=@d' \
	'write proc=@e addr=region:4.1+0x10 value=0x1234' 'read proc=@e addr=region:4.1+0x10' > "$T/names.txt"
VMFUZZ_PLANT=mem:flip $R --minimize "$T/names.txt" "$T/names-min.txt" > /dev/null 2>&1 || fail "minimize names.txt"
VMFUZZ_PLANT=mem:flip $R "$T/names-min.txt" > "$T/names-min.log" 2>&1 && { cat "$T/names-min.txt"; fail "the minimized text lost its finding"; }
grep -q '^FINDING kind=memory ' "$T/names-min.log" || { cat "$T/names-min.log"; fail "the minimized text gives another finding"; }
echo "harness-test: minimized to text: $(tr '\n' ';' < "$T/names-min.txt")"
#     triage (with a replay tool whose fixed findings are $T/fixed): the stored input
#     replays clean, so the raw input is a possible new defect, not a REGRESSION.
#     ($T/fixed is out of git's sight, GIT_CEILING_DIRECTORIES, so its folders count as
#     fixed; 7b'' tests folders git sees.)
cp "$T/stored-clean.txt" "$T/fixed/$ks/input.txt"
printf '#!/bin/sh\ncase "$1" in --*) exec "%s" "$@" ;; esac\nexec "%s" --crashes "%s" "$@"\n' \
	"$PWD/$R" "$PWD/$R" "$PWD/$T/fixed" > "$T/replay-fixed.sh"
chmod +x "$T/replay-fixed.sh"
mkdir -p "$T/raw"
cp "$f" "$T/raw/crash-errno"
GIT_CEILING_DIRECTORIES="$PWD/$T" VMFUZZ_PLANT=$p REPLAY="$PWD/$T/replay-fixed.sh" TRIAGE_STATE="$PWD/$T/triage" CRASHES="$PWD/$T/new" \
	scripts/triage.sh "$PWD/$T/raw" > "$T/triage.log" 2>&1 || { cat "$T/triage.log"; fail "triage"; }
grep -q "^triage: SAME SIGNATURE: .*crash-errno: $ks" "$T/triage.log" && grep -q ', 1 same signature' "$T/triage.log" &&
	! grep -q '^triage: REGRESSION' "$T/triage.log" && [ ! -e "$T/new/$ks" ] && [ -s "$T/triage/collisions/"*.bin ] ||
	{ cat "$T/triage.log"; fail "triage did not keep a same-signature input aside"; }
echo "harness-test: triage: $(grep '^triage: SAME SIGNATURE' "$T/triage.log" | cut -c1-100)..."

# 7b''. Fixed or open (crashes/README.md): in a scratch tree with its own git (triage's
#     crashes/ is the tree's), triage stores a planted finding's first hit (NEW, no
#     verdict line in its report.txt), counts a second hit as known (the folder is not
#     committed: vm-replay says OPEN), and once the folder is committed calls a third
#     hit a REGRESSION.  Where git cannot say (no work tree), a folder this triage state
#     stored is open and one it did not store (another state) is fixed.
tri() { # tri TREE RAW-NAME STATE: triage one raw input of TREE into TREE/crashes
	VMFUZZ_PLANT=$p REPLAY="$PWD/$R" TRIAGE_STATE="$1/$3" "$1/scripts/triage.sh" "$1/raw/$2" > "$1/$2.log" 2>&1 ||
		{ cat "$1/$2.log"; fail "triage of $1/raw/$2"; }
}
tri_says() { # tri_says TREE RAW-NAME PATTERN WHAT
	grep -q "$3" "$1/$2.log" || { cat "$1/$2.log"; fail "triage in $1: $4"; }
}
for S in "$PWD/$T/tri-git" "$PWD/$T/tri-nogit"; do
	mkdir -p "$S/scripts" "$S/raw"
	cp scripts/triage.sh scripts/check-settings.sh "$S/scripts/"
	for i in 1 2 3; do { cat "$f"; echo "# hit $i"; } > "$S/raw/crash-$i"; done
done
S=$PWD/$T/tri-git
git -C "$S" init -q && git -C "$S" -c user.name=harness-test -c user.email=ht@localhost commit -q --allow-empty -m base ||
	fail "git init in $S"
tri "$S" crash-1 state
tri_says "$S" crash-1 "^triage: .*crash-1: NEW FINDING kind=model sig=${ks#model-} " "first hit not NEW"
[ -s "$S/crashes/$ks/input.bin" ] && ! grep -q '^OPEN\|^REGRESSION\|^SAME SIGNATURE' "$S/crashes/$ks/report.txt" ||
	fail "triage in $S: no folder $ks, or a verdict line in its report.txt"
tri "$S" crash-2 state
tri_says "$S" crash-2 "crash-2: $ks already stored, not fixed yet (known)" "second hit not known"
tri_says "$S" crash-2 ' 0 new findings, 1 known, 0 REGRESSIONS' "second hit counted wrong"
git -C "$S" add crashes && git -C "$S" -c user.name=harness-test -c user.email=ht@localhost commit -q -m "fixed" ||
	fail "git commit in $S"
tri "$S" crash-3 state
tri_says "$S" crash-3 "^triage: REGRESSION: .*crash-3: $ks was fixed" "a committed folder's hit is not a REGRESSION"
[ "$(cut -f2 "$S/state/events" | tr '\n' ' ')" = "new known regression " ] ||
	{ cat "$S/state/events"; fail "triage events in $S are not new, known, regression"; }
S=$PWD/$T/tri-nogit
export GIT_CEILING_DIRECTORIES="$PWD/$T"
tri "$S" crash-1 state
tri_says "$S" crash-1 "crash-1: NEW FINDING" "first hit not NEW (no git)"
tri "$S" crash-2 state
tri_says "$S" crash-2 "crash-2: $ks already stored, not fixed yet (known)" "second hit not known (no git)"
tri "$S" crash-3 other-state
tri_says "$S" crash-3 "^triage: REGRESSION: .*crash-3: $ks" "a folder another state stored is not fixed (no git)"
unset GIT_CEILING_DIRECTORIES
echo "harness-test: triage: first hit NEW, second known, committed folder REGRESSION; without git by triage's state"

# 7c. Two handlers that break the same sanity invariant: each sanity:* plant changes a
#     block's refcount right after its call succeeded (harness/plants/sanity-*.txt run
#     clean without it); VM's sanity checker catches both (SAN_REFCOUNT), and their
#     signatures differ (the key names the call and the object kind).
for f in harness/plants/sanity-*.txt; do
	p=sanity:$(basename "$f" .txt | sed 's/^sanity-//')
	$R "$f" > "$T/$p.clean" || { cat "$T/$p.clean"; fail "$f gives a finding without its plant"; }
	plant_expect "$p" sanity SAN_REFCOUNT "$f"
done

# 7d. Signatures separate bugs: no two plants share one, and no plant's <kind>-<sig>
#     is the folder of a stored finding (a new bug must never be filed as a fixed one).
awk '{ name = $1; for (i = 2; i <= NF; i++) if ($i ~ /^(kind|sig|call|at)=/) { split($i, kv, "="); v[kv[1]] = kv[2] }
	printf "harness-test: plant %-24s %-7s %s %-16s %s\n", name, v["kind"], v["sig"], v["call"], v["at"] }' "$T/plants"
sed 's/.* sig=\([0-9a-f]*\) .*/\1/' "$T/plants" | sort | uniq -d > "$T/plants.dup"
[ ! -s "$T/plants.dup" ] || fail "plants share a signature: $(grep -F -f "$T/plants.dup" "$T/plants" | cut -d' ' -f1 | tr '\n' ' ')"
sed 's/^\([^ ]*\) FINDING kind=\([a-z]*\) sig=\([0-9a-f]*\) .*/\1 \2-\3/' "$T/plants" | while read -r p ks; do
	[ ! -d "crashes/$ks" ] || { echo "harness-test: FAIL: plant $p gives the stored finding crashes/$ks" >&2; exit 1; }
done || exit 1
echo "harness-test: $(wc -l < "$T/plants") plants, $(sed 's/.* sig=\([0-9a-f]*\) .*/\1/' "$T/plants" | sort -u | wc -l) distinct signatures, none a stored finding's"

# 8. The fault sweep (every site, every hit, once and from) finds nothing on inputs
#    that together reach every fault site.
SWEEP="cow-write-both-sides info-stats-usage-regions fault-slab_alloc munmap-middle-splits block-cache"
: > "$T/sweep-all.log"
for s in $SWEEP; do
	$R --sweep "corpus/$s.txt" > "$T/sweep-$s.log" 2>&1 || { cat "$T/sweep-$s.log"; fail "fault sweep of corpus/$s.txt found something"; }
	cat "$T/sweep-$s.log" >> "$T/sweep-all.log"
done
trials=$(awk '$1 == "sweep:" && $4 == "trials" { t += $5 } END { print t + 0 }' "$T/sweep-all.log")
sites=$(awk '$1 == "sweep:" && $4 == "trials" { all[$2] = 1; if ($5 > 1) hit[$2] = 1 }
	END { n = 0; for (s in all) if (!(s in hit)) { printf "%s ", s; n++ } }' "$T/sweep-all.log")
[ -z "$sites" ] || fail "the sweep inputs never reach fault site(s): $sites"
echo "harness-test: fault sweep of $(echo $SWEEP | wc -w) inputs, every site, once and from: $trials trials, 0 findings"

# 8b. A verdict does not depend on the conversations run before it in the same process
#     (as every engine runs them): each folder of harness/sequences replays in order
#     without a finding, and so does the corpus in one process.
for d in harness/sequences/*/; do
	$R "$d"*.bin > "$T/seq.log" 2>&1 || { grep -a -A5 '^FINDING' "$T/seq.log" | head -n 20; fail "sequence $d gives a finding"; }
	echo "harness-test: sequence $(basename "$d"): $(tail -n 1 "$T/seq.log")"
done
#     triage replays an AFL++ crash that replays clean alone once more after the queue
#     entry it came from (src:N), in one process: with a stand-in replay tool that finds
#     something only in that case, the crash is announced as a SEQUENCE and its parent
#     kept beside it; a crash without such a parent is just clean.
mkdir -p "$T/seq/afl/x/queue" "$T/seq/afl/x/crashes"
printf '#!/bin/sh\n[ $# -ge 2 ] && { echo "FINDING kind=model sig=0badcafe call=VM_FORK at=RULE-01"; exit 1; }\necho OK; exit 0\n' > "$T/seq-replay.sh"
chmod +x "$T/seq-replay.sh"
cp harness/sequences/stale-sys-masks/1.bin "$T/seq/afl/x/queue/id:000007,time:0,execs:0,orig:a"
cp harness/sequences/stale-sys-masks/2.bin "$T/seq/afl/x/crashes/id:000000,sig:06,src:000007,time:1,execs:2,op:havoc"
cp harness/sequences/stale-sys-masks/1.bin "$T/seq/afl/x/crashes/id:000001,sig:06,src:000099,time:1,execs:3,op:havoc"
REPLAY="$PWD/$T/seq-replay.sh" TRIAGE_STATE="$PWD/$T/seq/state" CRASHES="$PWD/$T/seq/found" \
	scripts/triage.sh "$PWD/$T/seq/afl" > "$T/seq-triage.log" 2>&1 || { cat "$T/seq-triage.log"; fail "triage of the sequence"; }
grep -q '^triage: SEQUENCE: .*id:000000.* gives kind=model sig=0badcafe after .*id:000007' "$T/seq-triage.log" &&
	grep -q ', 1 only after their queue parent, 1 replay clean' "$T/seq-triage.log" &&
	[ -s "$T/seq/state/unreproduced/"*.parent.bin ] || { cat "$T/seq-triage.log"; fail "triage did not announce a sequence"; }
echo "harness-test: $(grep '^triage: SEQUENCE' "$T/seq-triage.log" | cut -c1-70)..."
# 8b. make bench's ceiling switches (harness/run.c): VMFUZZ_SANITY=off takes the checker
#     away (the planted miscount is then seen only by its fallout, ASan's use after
#     poison in the teardown, not as a sanity finding), VMFUZZ_ORACLES=off the model
#     (VM's own alarms stay: a planted panic is still found), and a value other than on
#     or off is refused.
f=harness/plants/sanity-fork-refcount.txt
VMFUZZ_PLANT=sanity:fork-refcount $R "$f" 2>&1 | grep -q '^FINDING kind=sanity ' || fail "sanity:fork-refcount not found with the checker on"
VMFUZZ_SANITY=off VMFUZZ_PLANT=sanity:fork-refcount $R "$f" > "$T/sw.log" 2>&1 || true
grep -q '^FINDING kind=sanity ' "$T/sw.log" && fail "VMFUZZ_SANITY=off: the checker still found sanity:fork-refcount"
VMFUZZ_ORACLES=off VMFUZZ_PLANT=model:errno $R harness/plants/model-errno.txt > "$T/sw.log" 2>&1 ||
	{ cat "$T/sw.log"; fail "VMFUZZ_ORACLES=off: the model still judged model:errno"; }
VMFUZZ_ORACLES=off VMFUZZ_SANITY=off VMFUZZ_PLANT=panic:page_alloc $R "$T/plant.txt" 2>&1 | grep -q '^FINDING kind=panic ' ||
	fail "VMFUZZ_ORACLES=off lost VM's own alarm (panic:page_alloc)"
if VMFUZZ_SANITY=maybe $R "$f" > "$T/sw.log" 2>&1 || ! grep -q "VMFUZZ_SANITY must be on or off, not 'maybe'" "$T/sw.log"; then
	cat "$T/sw.log"
	fail "VMFUZZ_SANITY=maybe was not refused"
fi
echo "harness-test: VMFUZZ_SANITY=off and VMFUZZ_ORACLES=off turn off what they name, and only that"
# 9. A short seeded libFuzzer run on the corpus ends without a finding (20000 runs, or
#    90 seconds when the corpus's long conversations make the runs slow).
if $B/fuzz-libfuzzer -runs=20000 -max_total_time=90 -seed=1 -max_len=1024 -dict=harness/vmfuzz.dict \
	-artifact_prefix="$T/" "$T/lf-new" "$B/corpus-bin" > "$T/libfuzzer.log" 2>&1; then
	grep -E '^Done|^#[0-9]+.*DONE' "$T/libfuzzer.log" | tail -n 1 | sed 's/^/harness-test: libFuzzer: /'
else
	grep -v '^    #' "$T/libfuzzer.log" | grep -A 30 '^FINDING' | head -n 40 >&2 || true
	fail "libFuzzer run found something (artifact in $T/)"
fi
# 10. The fast AFL++ build (no sanitizer; most campaign instances run it) runs the
# corpus without a finding, as the sanitizer builds do.
if [ -x "$B/fuzz-afl-fast" ]; then
	"$B/fuzz-afl-fast" "$B"/corpus-bin/*.bin > "$T/fast.log" 2>&1 ||
		{ grep -A 30 '^FINDING' "$T/fast.log" | head -n 40 >&2; fail "build/fuzz-afl-fast found something in the corpus"; }
	echo "harness-test: build/fuzz-afl-fast runs the corpus clean"
fi
echo "harness-test: all green"
