#!/bin/bash
# fuzz-qemu-test.sh - make fuzz-qemu's parts, short (make test): the driver
# (build/qemu-forkserver) boots the fuzz image with shared memory, VM's edge map fills,
# the same input gives the same edges, AFL++'s own forkserver client (afl-showmap -i)
# gets each input's edges and a planted finding as a crash (SIGABRT), and a hang
# boots a new QEMU for the next input.
#
# The plant: a conversation whose expected reply is wrong (FZI_EXPECT, --expect), so
# the agent's expect oracle reports a finding on today's VM, as replay-qemu does.
set -u
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
FS=$BUILD/qemu-forkserver
IMG=$BUILD/image-fuzz
T=$BUILD/fuzz-qemu-test
MIN_EDGES=${MIN_EDGES:-50}   # fork-then-exit reaches 176 of VM's edges today
MIN_TOTAL=${MIN_TOTAL:-200}  # the four inputs below: 275
fail() { echo "fuzz-qemu-test: FAIL: $*"; exit 1; }

rm -rf "$T" && mkdir -p "$T/in" || exit 2
export QEMU_FS_LOG=$T/console.log QEMU_FS_TIMEOUT=60000
printf 'msg from=live:4 VM_BRK addr=0x1000 => EINVAL\n' >"$T/plant.txt" # the reply is OK
$BUILD/vm-replay --compile "$T/plant.txt" "$T/in/plant.bin" >/dev/null || fail "cannot compile the plant"
cp $BUILD/corpus-bin/fork-then-exit.bin "$T/in/fork-then-exit.bin"
cp $BUILD/corpus-bin/fork-then-exit.bin "$T/in/fork-then-exit-again.bin"
cp $BUILD/corpus-bin/brk-grow-and-collide.bin $BUILD/corpus-bin/acl-slot-reuse.bin "$T/in/"

# 1. --run: edges per input, the same twice, a total over a few inputs.
$FS --run "$IMG" "$T/in/fork-then-exit.bin" "$T/in/fork-then-exit-again.bin" "$T/in/brk-grow-and-collide.bin" \
	"$T/in/acl-slot-reuse.bin" >"$T/run.log" 2>&1 || fail "the driver failed: $(tail -n 3 "$T/run.log")"
cat "$T/run.log"
e1=$(sed -n 's/^.*fork-then-exit.bin: CLEAN edges=\([0-9]*\).*/\1/p' "$T/run.log")
e2=$(sed -n 's/^.*fork-then-exit-again.bin: CLEAN edges=\([0-9]*\).*/\1/p' "$T/run.log")
total=$(sed -n 's/^qemu-forkserver: .* \([0-9]*\) edges,.*/\1/p' "$T/run.log")
[ -n "$e1" ] && [ "$e1" -ge "$MIN_EDGES" ] || fail "fork-then-exit: ${e1:-no} edges (at least $MIN_EDGES expected)"
[ "$e1" = "$e2" ] || fail "the same input gave $e1 then $e2 edges"
[ "${total:-0}" -ge "$MIN_TOTAL" ] || fail "${total:-no} edges over four inputs (at least $MIN_TOTAL expected)"
grep -q ' 0 not clean, .* 1 boot(s)$' "$T/run.log" || fail "an input was not clean, or QEMU booted more than once"

# 2. AFL++'s forkserver client: every input's map, the plant a crash by SIGABRT.
AFL_SKIP_BIN_CHECK=1 AFL_FORKSRV_INIT_TMOUT=120000 afl-showmap -r -i "$T/in" -o "$T/maps" -t 60000 -- \
	"$FS" --expect "$IMG" @@ >"$T/showmap.log" 2>&1
grep -c 'Program killed by signal 6' "$T/showmap.log" | grep -qx 1 || fail "afl-showmap saw no single SIGABRT ($T/showmap.log)"
grep -q 'Processed 5 input files' "$T/showmap.log" || fail "afl-showmap did not run the five inputs ($T/showmap.log)"
[ "$(wc -l <"$T/maps/fork-then-exit.bin")" -eq "$e1" ] || fail "afl-showmap's map of fork-then-exit differs from the driver's"
cmp -s "$T/maps/fork-then-exit.bin" "$T/maps/fork-then-exit-again.bin" || fail "two runs of one input, two maps"
[ -s "$T/maps/plant.bin" ] || fail "the plant's map is empty"
echo "fuzz-qemu-test: afl-showmap: $(wc -l <"$T/maps/fork-then-exit.bin") edges for fork-then-exit, the plant killed by signal 6"

# 3. A hang (the driver's own watchdog here; afl-fuzz's timeout kills QEMU the same
# way): fork-table-full takes seconds under TCG, the budget is 1.5 s; the next input
# runs in a new QEMU and reaches its edges again.
cp $BUILD/corpus-bin/fork-table-full.bin "$T/slow.bin"
QEMU_FS_TIMEOUT=1500 $FS --run "$IMG" "$T/slow.bin" "$T/in/fork-then-exit.bin" >"$T/hang.log" 2>&1
grep -q 'slow.bin: HANG' "$T/hang.log" || fail "no hang: $(cat "$T/hang.log")"
grep -q "fork-then-exit.bin: CLEAN edges=$e1 " "$T/hang.log" || fail "after a hang: $(cat "$T/hang.log")"
grep -q ' 2 boot(s)$' "$T/hang.log" || fail "no second boot after the hang: $(cat "$T/hang.log")"
echo "fuzz-qemu-test: OK: $e1 edges for one input (the same twice), $total for four, the plant a SIGABRT, a hang stops QEMU and the next input boots another"
