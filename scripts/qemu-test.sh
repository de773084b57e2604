#!/bin/sh
# qemu-test.sh LOG QEMU ARGS... - boot the image headless and judge init's self-tests.
# Green only when QEMU exits through isa-debug-exit with 33 (kernel shutdown status 0
# writes 0x10; QEMU exits with (0x10 << 1) | 1), at least one PASS line and no FAIL
# line appear, all within QEMU_TIMEOUT seconds (default 60; a timeout is a failure).
set -u
log=$1
shift
limit=${QEMU_TIMEOUT:-60}
start=$(date +%s.%N)
timeout "$limit" "$@" -serial "file:$log.raw" </dev/null >"$log.qemu" 2>&1
status=$?
end=$(date +%s.%N)
tr -d '\r' <"$log.raw" >"$log"
cat "$log"
[ -s "$log.qemu" ] && cat "$log.qemu" >&2
pass=$(grep -c '^PASS ' "$log")
fail=$(grep -c '^FAIL ' "$log")
secs=$(echo "$end - $start" | bc 2>/dev/null || echo "?")
if [ "$status" -eq 124 ]; then
	echo "qemu-test: FAILED: no shutdown within ${limit}s" >&2
	exit 1
fi
if [ "$status" -ne 33 ] || [ "$fail" -ne 0 ] || [ "$pass" -eq 0 ]; then
	echo "qemu-test: FAILED: qemu exit $status, $pass PASS, $fail FAIL (log: $log)" >&2
	exit 1
fi
echo "qemu-test: OK: $pass PASS, 0 FAIL, qemu exit 33, ${secs}s"
