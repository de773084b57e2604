#!/bin/sh
# qemu-monitor-test.sh LOG QEMU ARGS... - boot the image with init's monitor (kernel
# command line "monitor"), type every monitor command into the serial console through
# QEMU's stdin, and check that each one answered: green when every expected answer
# is in the output, "halt" included (the kernel's shutdown line, status 0), within
# QEMU_TIMEOUT seconds (default 120).
set -u
log=$1
shift
limit=${QEMU_TIMEOUT:-120}
# The first character QEMU hands the UART may arrive before the kernel programs it (and
# clears its FIFO): an empty line goes first.
cmds='
help
ps
mem
regions 11
sanity 2
selftest
soak 20
bogus
halt
'
printf '%s' "$cmds" | timeout "$limit" "$@" -serial stdio -monitor none 2>"$log.qemu" | tr -d '\r' >"$log"
cat "$log"
fail=0
# expect WHAT PATTERN: the command WHAT answered with a line matching PATTERN
expect() {
	if grep -q -E "$2" "$log"; then
		echo "qemu-monitor-test: $1: answered"
	else
		echo "qemu-monitor-test: FAILED: $1: no line matching '$2'" >&2
		fail=1
	fi
}
expect help '^  halt +shut the machine down'
expect ps '^ +11 +11 init '
expect mem '^pages: [0-9]+ total, [0-9]+ free'
expect "regions 11" '^[0-9]+ region\(s\)$'
expect "sanity 2" '^VM: sanity level 2, check: OK'
expect selftest '^init: 0 check\(s\) failed'
[ "$(grep -c '^init: 0 check(s) failed' "$log")" -eq 2 ] || { echo "qemu-monitor-test: FAILED: selftest did not run twice cleanly" >&2; fail=1; }
expect "soak 20" '^soak: OK: 20 cycles'
expect bogus "^unknown command 'bogus'"
expect halt '^kernel: shutdown by init, status 0'
[ "$fail" -eq 0 ] && echo "qemu-monitor-test: OK: every command answered"
exit "$fail"
