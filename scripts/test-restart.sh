#!/bin/bash
# test-restart.sh - kill -9 of the main AFL++ instance does not end a campaign: the
# campaign logs the death, restarts the instance on its own queue (afl-fuzz -i -), the
# instance fuzzes again, and the summary counts the restart.  The test started the
# campaign, so it ends it (SIGTERM to that pid) once the restart is seen.
set -u
cd "$(dirname "$0")/.." || exit 2
T=build/test-restart
rm -rf "$T" && mkdir -p "$T"
DURATION=90 JOBS=1 SAN_JOBS=0 PIN=0 STATUS_EVERY=2 TRIAGE=0 CAMPAIGN=$T/c scripts/fuzz.sh >"$T/log" 2>&1 &
fuzz=$!
fail() { kill -TERM "$fuzz" 2>/dev/null; wait "$fuzz"; echo "FAIL campaign-restart-test: $* (log: $T/log)"; exit 1; }

queue() { ls "$T/c/afl/main/queue" 2>/dev/null | grep -c '^id:'; }
# Wait (at most 90 s: the build may run first) for the main instance to fuzz: its queue
# grows past the seeds.
seeds=$(ls "$T/c/seeds" 2>/dev/null | wc -l)
for _ in $(seq 90); do seeds=$(ls "$T/c/seeds" 2>/dev/null | wc -l); [ "$seeds" -gt 0 ] && [ "$(queue)" -gt $((seeds + 20)) ] && break; sleep 1; done
[ "$(queue)" -gt $((seeds + 20)) ] || fail "the main instance never started fuzzing"
pid=$(awk '$2 == "main" { p = $1 } END { print p }' "$T/c/engines.pids")
[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || fail "no live main instance in engines.pids"
lines=$(wc -l <"$T/c/logs/afl-main.log")
kill -9 "$pid"
at_kill=$(queue)
for _ in $(seq 20); do grep -q "main (pid $pid) died (killed by signal 9): restarting" "$T/log" && break; sleep 1; done
grep -q "main (pid $pid) died (killed by signal 9): restarting" "$T/log" || fail "no restart logged"
# The campaign logs the death, then starts the new instance and records its pid.
for _ in $(seq 20); do
	new=$(awk '$2 == "main" { p = $1 } END { print p }' "$T/c/engines.pids")
	[ "$new" != "$pid" ] && break
	sleep 1
done
[ "$new" != "$pid" ] || fail "engines.pids names no new main instance"
# The restarted instance re-calibrates its own queue (-i -), then fuzzes: the queue grows.
for _ in $(seq 60); do
	tail -n +$((lines + 1)) "$T/c/logs/afl-main.log" | grep -q 'All test cases processed' &&
		[ "$(queue)" -gt "$at_kill" ] && break
	sleep 1
done
tail -n +$((lines + 1)) "$T/c/logs/afl-main.log" | grep -q 'All test cases processed' ||
	fail "the restarted main instance did not resume its queue"
[ "$(queue)" -gt "$at_kill" ] || fail "the restarted main instance does not fuzz (queue stays at $at_kill)"
kill -0 "$new" 2>/dev/null || fail "the restarted main instance died"
kill -0 "$fuzz" 2>/dev/null || fail "the campaign ended"
kill -TERM "$fuzz"
wait "$fuzz"
grep -q '^  restarts *1$' "$T/log" || fail "the summary does not count one restart"
echo "campaign-restart-test: main (pid $pid) killed with -9 at $at_kill queue entries; restarted as pid $new on its own queue, which grew to $(queue)"
