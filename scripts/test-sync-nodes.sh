#!/bin/bash
# test-sync-nodes.sh - a two-node AFL++ campaign on this machine: node a and node b each
# have their own sync folder (build/test-sync/{a,b}/sync) and name the other's as their
# peer.  a fuzzes 15 s and pushes its queue to b at its end (scripts/sync-nodes.sh);
# b then fuzzes 15 s, pulls first, and its main imports a's finds (queue entries named
# sync:a) at its start; b pushes back at its end.  One core each, one after the other.
set -u
cd "$(dirname "$0")/.." || exit 2
T=build/test-sync
rm -rf "$T" && mkdir -p "$T"
common=(DURATION=15 JOBS=1 SAN_JOBS=0 PIN=0 STATUS_EVERY=5 TRIAGE=0 SYNC_EVERY=300)
fail() { echo "FAIL campaign-sync-test: $*"; echo "--- logs in $T/a.log, $T/b.log"; exit 1; }

env "${common[@]}" NODE=a SYNC=$T/a/sync CAMPAIGN=$T/a PEERS=$T/b/sync scripts/fuzz.sh >"$T/a.log" 2>&1 ||
	fail "node a's campaign failed"
found_a=$(ls "$T/a/sync/a/queue" | grep -c -v ',orig:')
[ "$found_a" -gt 0 ] || fail "node a found nothing beyond its seeds in 15 s"
[ "$(ls "$T/b/sync/a/queue" 2>/dev/null | grep -c '^id:')" -gt 0 ] || fail "a's queue did not reach b's sync folder"

env "${common[@]}" NODE=b SYNC=$T/b/sync CAMPAIGN=$T/b PEERS=$T/a/sync scripts/fuzz.sh >"$T/b.log" 2>&1 ||
	fail "node b's campaign failed"
imported=$(ls "$T/b/sync/b/queue" | grep -c ',sync:a,')
[ "$imported" -gt 0 ] || fail "b's main imported nothing of a's queue"
[ "$(ls "$T/a/sync/b/queue" 2>/dev/null | grep -c '^id:')" -gt 0 ] || fail "b's queue did not reach a's sync folder"
echo "campaign-sync-test: node a found $found_a inputs; node b's main imported $imported of them (sync:a); b's queue is back on a"
