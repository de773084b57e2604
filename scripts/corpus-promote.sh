#!/bin/bash
# corpus-promote.sh - `make corpus-promote F=file [NAME=name]`: turn an interesting queue
# entry (binary or text) into corpus/<NAME>.txt, canonical text with its expected
# replies blessed from a run on today's code, for review before it is committed.
#
#   F=file     the input (an AFL++ queue entry, a libFuzzer corpus file, a cmin result)
#   NAME=name  the corpus file's name: lower-case letters, digits and dashes, saying what
#              the conversation does (default: queue-<first 8 hex of its SHA-1>)
#   CORPUS=dir where it goes (default corpus)
#
# Refused, with one line and exit 2: no F, F not a readable regular file, larger than
# 1 MiB, a text file that does not parse, an empty conversation, a bad NAME, a corpus
# file of that name that exists, and an input that gives a finding on today's code (a
# finding is for make triage and crashes/, a corpus file must replay clean).
set -u
cd "$(dirname "$0")/.." || exit 2
REPLAY=${REPLAY:-build/vm-replay}
CORPUS=${CORPUS:-corpus}
F=${F:-}
NAME=${NAME:-}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

refuse() { echo "corpus-promote: $*" >&2; exit 2; }

[ -n "$F" ] || refuse "F= names the input to promote (make corpus-promote F=build/campaign/afl/main/queue/id:...)"
[ -f "$F" ] || refuse "F=$F is not a regular file"
[ -r "$F" ] || refuse "F=$F is not readable"
[ "$(stat -c %s "$F")" -le 1048576 ] || refuse "F=$F is larger than 1 MiB: not a conversation"
[ -n "$NAME" ] || NAME=queue-$(sha1sum "$F" | cut -c1-8)
[[ "$NAME" =~ ^[a-z0-9][a-z0-9-]*$ ]] || refuse "NAME=$NAME: lower-case letters, digits and dashes only"
[ -d "$CORPUS" ] || refuse "CORPUS=$CORPUS is not a folder"
dest=$CORPUS/$NAME.txt
[ -e "$dest" ] && refuse "$dest exists: choose another NAME="
[ -x "$REPLAY" ] || refuse "needs $REPLAY (make $REPLAY)"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
t=$tmp/$NAME.txt
{
	echo "# $NAME: promoted from $(basename "$F") by make corpus-promote; the replies were"
	echo "# blessed from a run: read every => before committing (a surprise may be a bug)."
	"$REPLAY" --print "$F" 2> "$tmp/err"
} > "$t" || refuse "F=$F: $(head -n 1 "$tmp/err")"
[ "$(grep -c -v -E '^[[:space:]]*(#|$)' "$t")" -gt 0 ] || refuse "F=$F holds no record (an empty conversation)"
if ! "$REPLAY" --bless "$t" > "$tmp/bless.log" 2>&1; then
	what=$(grep -m1 '^FINDING' "$tmp/bless.log")
	refuse "F=$F gives a finding (${what:-$(head -n 1 "$tmp/bless.log")}): triage it (make triage), the corpus replays clean"
fi
# The blessed file must replay clean with its expectations, as make test will.
"$REPLAY" "$t" > "$tmp/replay.log" 2>&1 ||
	refuse "F=$F: the blessed text does not replay clean ($(grep -m1 '^FINDING\|mismatch' "$tmp/replay.log"))"
cp "$t" "$dest" || exit 1
echo "corpus-promote: wrote $dest ($(grep -c '=>' "$dest") expectations blessed); review it, then git add it"
