#!/bin/bash
# sync-nodes.sh - carry AFL++ queues between the machines of one campaign, with rsync.
#
#   NODE=name SYNC=dir PEERS="dir|[user@]host:dir ..." scripts/sync-nodes.sh
#
# Each machine runs `make fuzz NODE=<its name> SYNC=<its sync folder>`: its instances
# are NODE (-M, the machine's main) and NODE-sN (-S) in that folder.  AFL++ syncs only
# inside one sync folder (a main imports every other instance's queue/, a secondary
# only the mains'), so, as AFL++'s guide to fuzzing on several machines describes, a
# script copies each machine's instance folders into every other machine's sync folder:
#
#   push: this node's instance folders (queue/, crashes*/, hangs*/, is_main_node,
#         fuzzer_stats, plot_data) into each peer's sync folder;
#   pull: every other instance folder of each peer (its own, and those of third nodes
#         it holds) into SYNC, this node's own folders excepted.
#
# A pulled main's queue is imported by this machine's main at its next sync (and at its
# start: make fuzz sets AFL_IMPORT_FIRST), whose finds reach the secondaries in turn.
# Crashes travel too, so one node (TRIAGE=1, the default) can triage every node's
# findings while the others run with TRIAGE=0.  rsync writes each file under a
# temporary dot-name and renames it, so afl-fuzz never reads half a file (it skips dot
# files).  A peer is a local folder (another disk, a mount, a second node of a test)
# or host:dir over ssh.  make fuzz runs this at its start, every SYNC_EVERY seconds
# and at its end when PEERS is set; run it from cron otherwise.
set -u
cd "$(dirname "$0")/.." || exit 2
scripts/check-settings.sh sync-nodes || exit 2
command -v rsync >/dev/null 2>&1 || { echo "sync-nodes: rsync missing (scripts/deps.sh installs it)" >&2; exit 2; }

# What of an instance folder travels (rsync filter rules, after the folder's own rule).
content=(--exclude=.state/ --exclude=.synced/ --exclude=.cur_input --exclude='*.lock'
	--include='/*/queue/***' --include='/*/crashes*/***' --include='/*/hangs*/***'
	--include='/*/is_main_node' --include='/*/fuzzer_stats' --include='/*/plot_data'
	--exclude='*')
mine=(--include="/$NODE/" --include="/$NODE-s[0-9]*/")
not_mine=(--exclude=/corpus/ --exclude="/$NODE/" --exclude="/$NODE-s[0-9]*/" --include='/*/')
mkdir -p "$SYNC"
rc=0 pushed=0 pulled=0
for peer in $PEERS; do
	# A local peer folder may not exist yet; rsync creates the last component only.
	case $peer in *:*) ;; *) mkdir -p "$peer" ;; esac
	out=$(rsync -a --stats "${mine[@]}" --exclude='/*/' "${content[@]}" "$SYNC/" "$peer/" 2>&1) ||
		{ echo "sync-nodes: push to $peer failed: $out" >&2; rc=1; continue; }
	n=$(sed -n 's/^Number of regular files transferred: *\([0-9,]*\).*/\1/p' <<<"$out" | tr -d ,)
	pushed=$((pushed + ${n:-0}))
	out=$(rsync -a --stats "${not_mine[@]}" "${content[@]}" "$peer/" "$SYNC/" 2>&1) ||
		{ echo "sync-nodes: pull from $peer failed: $out" >&2; rc=1; continue; }
	n=$(sed -n 's/^Number of regular files transferred: *\([0-9,]*\).*/\1/p' <<<"$out" | tr -d ,)
	pulled=$((pulled + ${n:-0}))
done
echo "sync-nodes: $(date -u +%H:%M:%S) node $NODE: pushed $pushed files, pulled $pulled files (peers: $PEERS)"
exit $rc
