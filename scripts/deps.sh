#!/bin/sh
# deps.sh - install, with apt-get, exactly the Debian packages vmfuzz needs that are
# missing.  Idempotent; needs root only when something is missing.
set -eu
# llvm (unversioned) puts llvm-symbolizer on the PATH, which ASan needs for stable
# stack signatures.  rsync carries queues between the machines of one campaign
# (scripts/sync-nodes.sh).  chromium is not here: scripts/status-shot.sh installs it
# the first time it is asked.
want="clang-14 lld-14 llvm-14 llvm libclang-rt-14-dev afl++ qemu-system-x86 gnuplot make python3 rsync"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: everything is installed"
	exit 0
fi
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
