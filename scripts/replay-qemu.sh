#!/bin/sh
# replay-qemu.sh - replay inputs in the fuzz image (build/image-fuzz, `make image-fuzz`).
#
#   scripts/replay-qemu.sh FILE            one input (.bin, or .txt compiled with
#                                          build/vm-replay --compile): prints the verdict
#                                          line; exit 0 clean, 1 finding, 2 usage/boot failure
#   TRACE=1 scripts/replay-qemu.sh FILE    the same, printing the agent's output first:
#                                          the runner's trace (as vm-replay --trace) and
#                                          which oracles ran
#   scripts/replay-qemu.sh --parity FILE... every file in the image and with the hosted
#                                          replay: the verdicts must be equal (the FINDING
#                                          line, or clean); prints one line per file and
#                                          the parity; exit 0 when all agree
#
# The image boots headless with -no-reboot and a timeout (QEMU_TIMEOUT, seconds); the
# agent prints "FINDING kind=... sig=... call=... at=..." or "CLEAN" on serial and shuts
# down (QEMU exit 33 clean, 39 finding).  A run that times out is a hang finding.
# Text inputs are replayed with their expected replies checked, as the hosted replay does.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMG=${IMG:-$ROOT/build/image-fuzz}
REPLAY=${REPLAY:-$ROOT/build/vm-replay}
QEMU=${QEMU:-qemu-system-i386}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-20}
SANITY=${SANITY:-2}
TRACE=${TRACE:-0}

# Files that may not agree, with the reason (none today): "path reason...".
KNOWN_DIFFERENT=""
# Oracles only the hosted harness runs: it keeps a shadow of process memory and a
# boot baseline of VM's resources, which the agent in the image does not.  A hosted
# finding of these kinds where the image says CLEAN is reported, not failed.
HOSTED_ONLY_KINDS="memory leak nondeterminism"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/replay-qemu.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM

# boot INPUT.bin EXPECT(0|1) LOG: run the image on one binary input; prints the verdict
# line (or "BOOTFAIL <why>") and returns 0 clean, 1 finding, 2 boot failure.
boot() {
	append="sanity=$SANITY"
	[ "$2" = 1 ] && append="$append expect"
	[ "$TRACE" = 1 ] && append="$append trace"
	cp "$1" "$TMP/input.bin" || return 2
	timeout -k 2 "$QEMU_TIMEOUT" "$QEMU" -m 128 -kernel "$IMG/kernel.elf" \
		-initrd "$IMG/vm.elf,$IMG/agent.elf,$TMP/input.bin" -append "$append" \
		-display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-serial "file:$3" -monitor none -nodefaults >/dev/null 2>&1
	status=$?
	line=$(grep -a -m1 -E '^(FINDING kind=|CLEAN)' "$3" | tr -d '\r')
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		# sig: FNV-1a of "hang:qemu-timeout", as harness/findings.c sig_hash
		echo "FINDING kind=hang sig=71254a0f call=none at=qemu:timeout"
		return 1
	fi
	case "$status:$line" in
	33:CLEAN*) echo "CLEAN"; return 0 ;;
	39:FINDING*) echo "$line"; return 1 ;;
	esac
	echo "BOOTFAIL qemu exit $status: $(grep -a -m1 -E 'PANIC|panic' "$3" | tr -d '\r')"
	return 2
}

# to_bin FILE OUT: the binary form of FILE in OUT (text compiled); 1 when it is text.
to_bin() {
	case "$1" in
	*.txt)
		"$REPLAY" --compile "$1" "$2" >/dev/null 2>&1 || return 2
		return 1 ;;
	*) cp "$1" "$2" || return 2; return 0 ;;
	esac
}

# image_verdict FILE LOG: the image's verdict line for FILE; returns as boot().
image_verdict() {
	to_bin "$1" "$TMP/conv.bin"
	case $? in
	2) echo "BOOTFAIL cannot read or compile $1"; return 2 ;;
	1) text=1 ;;
	*) text=0 ;;
	esac
	boot "$TMP/conv.bin" "$text" "$2"
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
	verdict=$(image_verdict "$1" "$TMP/serial.log")
	rc=$?
	[ "$TRACE" = 1 ] && tr -d '\r' <"$TMP/serial.log" | grep -a -E '^(\[[0-9]|    |model: |agent: )'
	echo "$verdict"
	[ "$rc" -eq 2 ] && sed 's/^/  serial: /' "$TMP/serial.log" | tail -20 >&2
	exit "$rc"
}

parity() {
	total=0 same=0 failed=0
	start=$(date +%s.%N)
	for f in "$@"; do
		[ -r "$f" ] || continue
		total=$((total + 1))
		t0=$(date +%s.%N)
		img=$(image_verdict "$f" "$TMP/serial.log")
		t1=$(date +%s.%N)
		host=$(hosted_verdict "$f")
		ms=$(echo "($t1 - $t0) * 1000 / 1" | bc)
		if [ "$img" = "$host" ]; then
			same=$((same + 1))
			echo "SAME  ${ms}ms $f: $img"
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
			echo "KNOWN ${ms}ms $f: image '$img', hosted '$host' ($reason)"
		else
			echo "DIFF  ${ms}ms $f: image '$img', hosted '$host'"
			failed=$((failed + 1))
		fi
	done
	end=$(date +%s.%N)
	echo "qemu-replay-test: $same of $total agree, $((total - same - failed)) explained, $failed unexplained," \
		"$(echo "$end - $start" | bc)s"
	[ "$total" -gt 0 ] && [ "$failed" -eq 0 ]
}

case "${1:-}" in
--parity) shift; [ $# -gt 0 ] || exit 2; parity "$@" ;;
""|-h|--help) sed -n '2,/^$/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 2 ;;
*) [ $# -eq 1 ] || { echo "usage: replay-qemu.sh FILE | --parity FILE..." >&2; exit 2; }; single "$1" ;;
esac
