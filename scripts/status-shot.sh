#!/bin/bash
# status-shot.sh - a PNG of the status page, rendered by headless Chromium: writes the
# page (scripts/status.sh) and STATUS_OUT/status.png.  Installs Debian's chromium
# (apt-get, through sudo when not root) the first time it is asked; make test never
# asks (its page test checks the HTML with python3's html.parser instead).
#
#   STATUS_OUT=dir    the page's folder (default build/status)
#   SHOT_WIDTH=px SHOT_HEIGHT=px  the window (default 1200 x 2400)
#   and every variable of scripts/status.sh
set -u
cd "$(dirname "$0")/.." || exit 2
scripts/check-settings.sh status-shot status || exit 2
OUT=${STATUS_OUT:-build/status}
W=$((10#${SHOT_WIDTH:-1200})) H=$((10#${SHOT_HEIGHT:-2400}))

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
if [ -z "$browser" ]; then
	echo "status-shot: chromium missing: installing Debian's chromium"
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
		--no-install-recommends chromium >/dev/null || { echo "status-shot: cannot install chromium" >&2; exit 1; }
	browser=$(command -v chromium) || exit 1
fi
scripts/status.sh || exit 1
page=$(realpath "$OUT/index.html")
# --no-sandbox: root in a container has no user namespace for the sandbox; the page is
# our own file.  A fresh profile folder each run, so no other Chromium interferes.
profile=$(mktemp -d)
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
	--window-size="$W,$H" --screenshot="$(realpath "$OUT")/status.png" "file://$page" \
	>"$OUT/status-shot.log" 2>&1
rc=$?
rm -rf "$profile"
if [ "$rc" -ne 0 ] || [ ! -s "$OUT/status.png" ]; then
	echo "status-shot: chromium failed (exit $rc, see $OUT/status-shot.log)" >&2
	exit 1
fi
echo "status-shot: $OUT/status.png (${W}x${H})"
