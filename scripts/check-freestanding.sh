#!/bin/sh
# check-freestanding.sh OBJ - vm/ linked for i686 may only need the seam, memcpy/memset/
# memcmp/memmove (provided by kernel/lib) and compiler-rt builtins.
set -eu
obj=$1
nm=$(command -v llvm-nm-14 || command -v llvm-nm || echo nm)
allowed='^(seam_[a-z_]+|kc_[a-z_]+|phys_ptr|memcpy|memset|memcmp|memmove|__[a-z0-9]+di3|__udivmoddi4)$'
bad=$($nm --undefined-only "$obj" | awk '{print $NF}' | grep -Ev "$allowed" || true)
if [ -n "$bad" ]; then
	echo "check-freestanding: vm/ needs symbols outside the seam:" $bad >&2
	exit 1
fi
echo "check-freestanding: vm/ builds for i686-elf and needs only the seam"
