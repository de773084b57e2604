#!/bin/sh
# replay-qemu.sh - replay inputs in the fuzz image (build/image-fuzz, `make image-fuzz`).
#
#   scripts/replay-qemu.sh FILE            one input (.bin, or .txt compiled with
#                                          build/vm-replay --compile): prints the verdict
#                                          line; exit 0 clean, 1 finding, 2 usage/boot failure
#   TRACE=1 scripts/replay-qemu.sh FILE    the same, printing the agent's output first:
#                                          the runner's trace (as vm-replay --trace) and
#                                          which oracles ran
#   scripts/replay-qemu.sh --batch FILE... every file in one boot: "FILE: VERDICT" lines
#                                          and the agent's rate (inputs per second)
#   SNAPCHECK=1 ...                        the kernel compares all of VM's memory and pool
#                                          with its snapshot after every restore (a
#                                          difference stops the batch: BOOTFAIL)
#   scripts/replay-qemu.sh --parity FILE... every file in the image and with the hosted
#                                          replay: the verdicts must be equal (the FINDING
#                                          line, or clean); prints one line per file and
#                                          the parity; exit 0 when all agree
#
# The inputs go to the image as one batch (kernel/fuzz_abi.h BATCH_MAGIC): one boot
# replays them all, the kernel restoring its snapshot of VM between them
# (kernel/snapshot.c); the agent prints "VERDICT <i> FINDING kind=... sig=... call=...
# at=..." or "VERDICT <i> CLEAN" per input and a rate line.  The boot runs headless with
# -no-reboot; when no verdict comes for QEMU_TIMEOUT seconds (default 60: the slowest
# corpus input takes 7 s on an idle machine) QEMU is stopped, the unfinished input is a
# hang finding, and the inputs after it go on in a new boot.
# Text inputs are replayed with their expected replies checked, as the hosted replay does.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMG=${IMG:-$ROOT/build/image-fuzz}
REPLAY=${REPLAY:-$ROOT/build/vm-replay}
QEMU=${QEMU:-qemu-system-i386}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-60}
SANITY=${SANITY:-2}
TRACE=${TRACE:-0}
SNAPCHECK=${SNAPCHECK:-0}

# Files that may not agree, with the reason (none today): "path reason...".
KNOWN_DIFFERENT=""
# Oracles only the hosted harness runs: it keeps a shadow of process memory and a
# boot baseline of VM's resources, which the agent in the image does not.  A hosted
# finding of these kinds where the image says CLEAN is reported, not failed.
HOSTED_ONLY_KINDS="memory leak nondeterminism"
BATCH_MAGIC=VMFZBAT1 # kernel/fuzz_abi.h

TMP=$(mktemp -d "${TMPDIR:-/tmp}/replay-qemu.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM

# le32 N: N as four little-endian bytes.
le32() {
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}

# add_to_batch FILE BATCH: append FILE (text compiled) to the batch module; 1 when it
# cannot be read or compiled.  Layout: kernel/fuzz_abi.h BATCH_MAGIC.
add_to_batch() {
	flags=0
	case "$1" in
	*.txt) "$REPLAY" --compile "$1" "$TMP/one.bin" >/dev/null 2>&1 || return 1; flags=1 ;;
	*) cp "$1" "$TMP/one.bin" 2>/dev/null || return 1 ;;
	esac
	n=$(wc -c <"$TMP/one.bin")
	{ le32 "$n"; le32 "$flags"; cat "$TMP/one.bin"; head -c $(((4 - n % 4) % 4)) /dev/zero; } >>"$2"
}

# boot_batch BATCH LOG: one boot of the fuzz image replaying every input of the batch;
# returns QEMU's status (33: the batch ran to its end), or 124 when no verdict came
# for QEMU_TIMEOUT seconds (the boot, or one input: a hang), QEMU then stopped.
boot_batch() {
	append="sanity=$SANITY"
	[ "$TRACE" = 1 ] && append="$append trace"
	[ "$SNAPCHECK" = 1 ] && append="$append snapcheck"
	: >"$2"
	"$QEMU" -m 128 -kernel "$IMG/kernel.elf" \
		-initrd "$IMG/vm.elf,$IMG/agent.elf,$1" -append "$append" \
		-display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-serial "file:$2" -monitor none -nodefaults >/dev/null 2>&1 &
	qpid=$!
	seen=0 idle=0
	while kill -0 "$qpid" 2>/dev/null; do
		sleep 0.2
		n=$(grep -a -c '^VERDICT ' "$2")
		if [ "$n" -ne "$seen" ]; then
			seen=$n idle=0
		elif [ $((idle += 1)) -ge $((QEMU_TIMEOUT * 5)) ]; then
			kill "$qpid" 2>/dev/null
			wait "$qpid"
			return 124
		fi
	done
	wait "$qpid"
}

# image_verdicts LIST OUT: the image's verdict of every file named in LIST (one a
# line), as "FILE<TAB>VERDICT" lines in OUT, replayed in as few boots as possible:
# a batch that ends early (a hang: QEMU's timeout) gives its unfinished input a hang
# finding and goes on with a new batch after it ($TMP/pending: the files not yet run).
image_verdicts() {
	: >"$2"
	cp "$1" "$TMP/pending"
	while [ -s "$TMP/pending" ]; do
		printf '%s' "$BATCH_MAGIC" >"$TMP/batch.bin"
		: >"$TMP/inbatch"
		while IFS= read -r f; do
			if add_to_batch "$f" "$TMP/batch.bin"; then
				echo "$f" >>"$TMP/inbatch"
			else
				printf '%s\tBOOTFAIL cannot read or compile %s\n' "$f" "$f" >>"$2"
			fi
		done <"$TMP/pending"
		: >"$TMP/pending"
		[ -s "$TMP/inbatch" ] || break
		boot_batch "$TMP/batch.bin" "$TMP/serial.log"
		status=$?
		tr -d '\r' <"$TMP/serial.log" >"$TMP/serial.txt"
		i=0 stop=""
		while IFS= read -r f; do
			if [ -n "$stop" ]; then
				[ "$stop" = hang ] && echo "$f" >>"$TMP/pending"
				[ "$stop" = broken ] && printf '%s\tBOOTFAIL qemu exit %s\n' "$f" "$status" >>"$2"
				i=$((i + 1))
				continue
			fi
			line=$(grep -a -m1 "^VERDICT $i " "$TMP/serial.txt" | sed 's/^VERDICT [0-9]* //; s/^CLEAN.*/CLEAN/')
			if [ -n "$line" ]; then
				printf '%s\t%s\n' "$f" "$line" >>"$2"
			elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
				# sig: FNV-1a of "hang:qemu-timeout", as harness/findings.c sig_hash
				printf '%s\t%s\n' "$f" "FINDING kind=hang sig=71254a0f call=none at=qemu:timeout" >>"$2"
				stop=hang
			else
				printf '%s\tBOOTFAIL qemu exit %s: %s\n' "$f" "$status" \
					"$(grep -a -m1 -E 'PANIC|panic|failed' "$TMP/serial.txt")" >>"$2"
				stop=broken
			fi
			i=$((i + 1))
		done <"$TMP/inbatch"
		grep -a '^agent: batch of' "$TMP/serial.txt" >>"$TMP/rates"
		cp "$TMP/serial.txt" "${SERIAL_KEEP:-/dev/null}" 2>/dev/null
	done
}

# hosted_verdict FILE: the hosted replay's FINDING line, or CLEAN.
hosted_verdict() {
	out=$("$REPLAY" "$1" 2>/dev/null)
	line=$(printf '%s\n' "$out" | grep -m1 '^FINDING kind=')
	[ -n "$line" ] && echo "$line" || echo "CLEAN"
}

single() {
	[ -r "$1" ] || { echo "replay-qemu: cannot read $1" >&2; exit 2; }
	[ -r "$IMG/kernel.elf" ] || { echo "replay-qemu: build the fuzz image first (make image-fuzz)" >&2; exit 2; }
	echo "$1" >"$TMP/list"
	image_verdicts "$TMP/list" "$TMP/verdicts"
	verdict=$(cut -f2- "$TMP/verdicts")
	[ "$TRACE" = 1 ] && grep -a -E '^(\[[0-9]|    |model: |agent: oracles)' "$TMP/serial.txt"
	echo "$verdict"
	case "$verdict" in
	CLEAN) exit 0 ;;
	FINDING*) exit 1 ;;
	esac
	sed 's/^/  serial: /' "$TMP/serial.txt" | tail -20 >&2
	exit 2
}

parity() {
	total=0 same=0 failed=0
	start=$(date +%s.%N)
	: >"$TMP/list"
	for f in "$@"; do
		[ -r "$f" ] && echo "$f" >>"$TMP/list"
	done
	: >"$TMP/rates"
	image_verdicts "$TMP/list" "$TMP/verdicts"
	end=$(date +%s.%N)
	while IFS="$(printf '\t')" read -r f img; do
		total=$((total + 1))
		host=$(hosted_verdict "$f")
		if [ "$img" = "$host" ]; then
			same=$((same + 1))
			echo "SAME  $f: $img"
			continue
		fi
		reason=$(printf '%s\n' "$KNOWN_DIFFERENT" | grep -F "$f " | cut -d' ' -f2-)
		kind=$(printf '%s\n' "$host" | sed -n 's/^FINDING kind=\([a-z]*\) .*/\1/p')
		if [ -z "$reason" ] && [ "$img" = CLEAN ] && [ -n "$kind" ]; then
			for k in $HOSTED_ONLY_KINDS; do
				[ "$k" = "$kind" ] && reason="the $kind oracle runs only in the hosted harness"
			done
		fi
		if [ -n "$reason" ]; then
			echo "KNOWN $f: image '$img', hosted '$host' ($reason)"
		else
			echo "DIFF  $f: image '$img', hosted '$host'"
			failed=$((failed + 1))
		fi
	done <"$TMP/verdicts"
	boots=$(wc -l <"$TMP/rates")
	sed 's/^agent: /qemu-replay-test: in the guest: /' "$TMP/rates"
	echo "qemu-replay-test: $same of $total agree, $((total - same - failed)) explained, $failed unexplained," \
		"$boots boot(s), $(echo "$end - $start" | bc)s in the image"
	[ "$total" -gt 0 ] && [ "$failed" -eq 0 ]
}

# batch FILE...: every file in one boot; one "FILE: VERDICT" line each, then the agent's
# rate line; exit 0 when every input ran (findings or not), 2 otherwise.
batch() {
	: >"$TMP/list"
	for f in "$@"; do
		echo "$f" >>"$TMP/list"
	done
	: >"$TMP/rates"
	image_verdicts "$TMP/list" "$TMP/verdicts"
	sed 's/\t/: /' "$TMP/verdicts"
	cat "$TMP/rates"
	! grep -q "$(printf '\t')BOOTFAIL" "$TMP/verdicts"
}

case "${1:-}" in
--parity) shift; [ $# -gt 0 ] || exit 2; parity "$@" ;;
--batch) shift; [ $# -gt 0 ] || exit 2; batch "$@" || exit 2 ;;
""|-h|--help) sed -n '2,/^$/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 2 ;;
*) [ $# -eq 1 ] || { echo "usage: replay-qemu.sh FILE | --parity FILE... | --batch FILE..." >&2; exit 2; }; single "$1" ;;
esac
