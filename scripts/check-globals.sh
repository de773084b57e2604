#!/bin/sh
# check-globals.sh OBJ - fail when vm/ defines a writable global other than `vm`,
# the one state struct (DESIGN: all mutable state lives in one struct).
set -eu
obj=$1
nm=$(command -v llvm-nm-14 || command -v llvm-nm || echo nm)
bad=$($nm --defined-only "$obj" | awk '$2 ~ /^[bBdDcC]$/ && $3 != "vm" { print $3 }')
if [ -n "$bad" ]; then
	echo "check-globals: writable globals in vm/ besides 'vm':" $bad >&2
	exit 1
fi
echo "check-globals: vm/ has one writable global (vm)"
