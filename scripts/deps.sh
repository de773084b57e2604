#!/bin/sh
# deps.sh - install, with apt-get, exactly the Debian packages vmfuzz needs that are
# missing.  Idempotent; needs root (or sudo) only when something is missing.  The
# check is one dpkg-query, so `make test` and `make fuzz` run it every time: when
# everything is installed it costs a few milliseconds and no apt run.
#   scripts/deps.sh [-q]   -q: say nothing when everything is installed
set -eu
# llvm (unversioned) puts llvm-symbolizer on the PATH, which ASan needs for stable
# stack signatures; zip builds the OSS-Fuzz seed corpus (make oss-fuzz-check); rsync
# carries queues between the machines of one campaign (scripts/sync-nodes.sh).
# chromium is not here: scripts/status-shot.sh installs it the first time it is asked.
want="clang-14 lld-14 llvm-14 llvm libclang-rt-14-dev afl++ qemu-system-x86 gnuplot make python3 zip rsync"
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $want 2>/dev/null | sed -n 's/ install ok installed$//p')
missing=""
for p in $want; do
	echo "$installed" | grep -qx "$p" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	[ "${1:-}" = -q ] || echo "deps: everything is installed"
	exit 0
fi
echo "deps: installing$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "deps: missing$missing; run scripts/deps.sh as root (or install sudo)" >&2; exit 2; }
	SUDO=sudo
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
