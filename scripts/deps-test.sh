#!/bin/bash
# deps-test.sh - `make deps-test` (part of make test): `make test` sets itself up.  With
# stand-ins for dpkg-query, id and sudo first on the PATH (nothing is installed for
# real), `make -n oss-fuzz-check` (a goal gated like `test`):
#   - on a machine that lacks every package, as a user with sudo: runs scripts/deps.sh,
#     which asks sudo for `apt-get update` and `apt-get install` of every package, then
#     make goes on;
#   - when that install fails: make stops with one error naming scripts/deps.sh;
#   - as a user without sudo: deps.sh says to run it as root, make stops;
#   - when everything is installed: no apt-get, and `make -n` goes on.
set -u
cd "$(dirname "$0")/.." || exit 2
T=${BUILD:-build}/deps-test
fail() { echo "deps-test: FAIL: $*" >&2; exit 1; }
rm -rf "$T" && mkdir -p "$T/bin" "$T/nosudo"
want=$(sed -n 's/^want="\(.*\)"$/\1/p' scripts/deps.sh)
[ -n "$want" ] || fail "no want= list in scripts/deps.sh"
# dpkg-query: every package "installed" when $T/installed exists, none otherwise.
cat > "$T/bin/dpkg-query" <<EOF
#!/bin/sh
[ -e "$PWD/$T/installed" ] || exit 1
shift 2
for p in "\$@"; do echo "\$p install ok installed"; done
EOF
printf '#!/bin/sh\necho 1000\n' > "$T/bin/id"
# sudo: records its command; fails when $T/sudo-fails exists.
printf '#!/bin/sh\necho "$*" >> "%s"\n[ ! -e "%s" ]\n' "$PWD/$T/sudo.log" "$PWD/$T/sudo-fails" > "$T/bin/sudo"
cp "$T/bin/dpkg-query" "$T/bin/id" "$T/nosudo/"
chmod +x "$T/bin/"* "$T/nosudo/"*
gate() # PATHDIR: make -n oss-fuzz-check with PATHDIR first on the PATH, output in $T/make.log
{
	env -u MAKEFLAGS -u MAKELEVEL PATH="$PWD/$1:$PATH" make --no-print-directory -n oss-fuzz-check > "$T/make.log" 2>&1
}

# Nothing installed, sudo works: deps.sh installs every package, make goes on.
gate "$T/bin" || fail "make -n oss-fuzz-check stopped though the install worked: $(tail -n 1 "$T/make.log")"
grep -q '^apt-get update' "$T/sudo.log" || fail "no apt-get update through sudo"
for p in $want; do
	grep -q "^apt-get install .* $p\( \|$\)" "$T/sudo.log" || fail "apt-get install did not ask for $p: $(cat "$T/sudo.log")"
done
grep -q '^scripts/oss-fuzz-check.sh' "$T/make.log" || fail "make did not go on after deps.sh"
echo "deps-test: nothing installed: deps.sh ran $(grep -c . "$T/sudo.log") apt-get commands through sudo ($(echo $want | wc -w) packages), then make went on"

# The install fails: make stops, naming scripts/deps.sh.
: > "$T/sudo.log" && touch "$T/sudo-fails"
gate "$T/bin" && fail "make went on after a failed install"
grep -q 'scripts/deps.sh could not install the toolchain' "$T/make.log" || fail "no error naming scripts/deps.sh: $(tail -n 1 "$T/make.log")"
grep -q '^scripts/oss-fuzz-check.sh' "$T/make.log" && fail "make ran the recipe after a failed install"
echo "deps-test: a failed install stops make: $(grep -o 'scripts/deps.sh could not.*' "$T/make.log")"

# No sudo, not root: one line saying what to do, make stops.  (Only where the machine
# has no sudo of its own: with one, deps.sh would reach the real apt-get.)
if ! command -v sudo > /dev/null; then
	gate "$T/nosudo" && fail "make went on without root or sudo"
	grep -q '^deps: missing .*run scripts/deps.sh as root' "$T/make.log" || fail "no 'run as root' line: $(head -n 2 "$T/make.log")"
	echo "deps-test: no root, no sudo: $(grep -o '^deps: missing.*' "$T/make.log" | cut -c1-60)..."
fi

# Everything installed: no apt-get, make goes on.
: > "$T/sudo.log" && touch "$T/installed"
gate "$T/bin" || fail "make stopped with everything installed: $(tail -n 1 "$T/make.log")"
[ ! -s "$T/sudo.log" ] || fail "apt-get ran with everything installed: $(cat "$T/sudo.log")"
echo "deps-test: everything installed: no apt-get, make went on"
