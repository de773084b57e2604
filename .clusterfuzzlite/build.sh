#!/bin/bash -eu
# build.sh - the vmfuzz libFuzzer target for OSS-Fuzz and ClusterFuzzLite.
#
# Run by the builder image's `compile` from $SRC/vmfuzz with CC, CXX, CFLAGS (the
# sanitizer of $SANITIZER and, for libFuzzer, -fsanitize=fuzzer-no-link; for coverage
# -fprofile-instr-generate -fcoverage-mapping), CXXFLAGS, LIB_FUZZING_ENGINE, OUT and
# WORK set.  Writes into $OUT:
#   vmfuzz_fuzzer                 harness/fuzz_entry.c over the hosted VM server
#   vmfuzz_fuzzer_seed_corpus.zip corpus/*.txt compiled to binary (the engines' seeds)
#   vmfuzz_fuzzer.dict            harness/vmfuzz.dict
#   vmfuzz_fuzzer.options         libFuzzer options
# Objects go under $WORK, never into the source tree.  `make oss-fuzz-check` runs this
# file the way the builder does, without Docker.  The file lists come from the
# Makefile (`make oss-fuzz-files`), so a new source needs no change here.
cd "$SRC/vmfuzz"

FUZZER=vmfuzz_fuzzer
JOBS=${JOBS:-$(nproc)}
files=$(make --no-print-directory -s oss-fuzz-files)
list() { sed -n "s/^$1 //p" <<<"$files"; }

INCS="-std=gnu11 -Iinclude -Ivm -Istubs -Iharness -DVM_FAULT_POINTS -Wall -Wextra"
extra=""
# Only vm/ (minus the sanity checker and the walkers harness.mk names) is instrumented
# for coverage, as in build/fuzz-libfuzzer: the codec, the stubs and the checkers would
# flood the corpus with edges that say nothing about VM.
if [[ "$CFLAGS" == *fuzzer-no-link* ]]; then
	printf 'src:%s\n' $(list COV) > "$WORK/allowlist.txt"
	echo 'fun:*' >> "$WORK/allowlist.txt"
	printf 'fun:%s\n' $(list SKIP) > "$WORK/ignorelist.txt"
	extra="-fsanitize-coverage-allowlist=$WORK/allowlist.txt -fsanitize-coverage-ignorelist=$WORK/ignorelist.txt"
fi
# Guest address arithmetic in vm/ is modular on purpose (uint32_t, every wrap checked
# by the overflow helpers), so the builder's unsigned-integer-overflow check (reported,
# not fatal, and silenced by its runner) is left out.
[ "$SANITIZER" = undefined ] && extra="$extra -fno-sanitize=unsigned-integer-overflow"

# compile OBJDIR FLAGS... <<< sources: every source to OBJDIR/<source>.o, JOBS at a time.
compile()
{
	local dir=$1
	shift
	tr ' ' '\n' | grep . | xargs -P "$JOBS" -I{} sh -c 'd=$0 s=$1; shift; mkdir -p "$(dirname "$d/$s")" && exec '"$CC"' "$@" -c "$s" -o "$d/$s.o"' \
		"$dir" {} "$@" || { echo "build.sh: compiling failed" >&2; exit 1; }
}

# 1. The fuzz target.  Without a sanitizer runtime (coverage), harness/nosan.c stands
#    in for the two sanitizer calls of harness/report.c.
obj=$WORK/obj-$SANITIZER
rm -rf "$obj"
srcs=$(list SRCS)
case "$SANITIZER" in address | undefined | memory) ;; *) srcs="$srcs harness/nosan.c" ;; esac
# shellcheck disable=SC2086
compile "$obj" $CFLAGS $INCS $extra <<<"$srcs"
# shellcheck disable=SC2086
$CXX $CXXFLAGS $LIB_FUZZING_ENGINE $(for s in $srcs; do echo "$obj/$s.o"; done) -o "$OUT/$FUZZER"

# 2. The seeds: corpus/*.txt compiled by vm-replay, built for the host (ASan: its leak
#    check links against LeakSanitizer), outside the fuzz target's flags.  Kept in $WORK
#    while no source is newer, so several sanitizer builds in one WORK build it once.
tool=$WORK/seedtool/vm-replay
if [ ! -x "$tool" ] || [ -n "$(find include vm stubs harness -newer "$tool" -name '*.[ch]' | head -n 1)" ]; then
	rm -rf "$WORK/seedtool"
	compile "$WORK/seedtool" -O1 -g0 -fsanitize=address $INCS <<<"$(list REPLAY)"
	$CC -fsanitize=address $(for s in $(list REPLAY); do echo "$WORK/seedtool/$s.o"; done) -o "$tool"
fi
rm -rf "$WORK/seeds" && mkdir -p "$WORK/seeds"
for t in $(list SEEDS); do
	ASAN_OPTIONS=detect_leaks=0 "$tool" --compile "$t" "$WORK/seeds/$(basename "$t" .txt).bin" >/dev/null
done
rm -f "$OUT/${FUZZER}_seed_corpus.zip"
(cd "$WORK/seeds" && zip -q -X "$OUT/${FUZZER}_seed_corpus.zip" ./*.bin)

# 3. Dictionary and options (the runner passes [libfuzzer] key = value as -key=value).
#    A conversation is at most 64 records; 4096 bytes holds the longest seed three times.
cp harness/vmfuzz.dict "$OUT/$FUZZER.dict"
printf '[libfuzzer]\ndict = %s.dict\nmax_len = 4096\n' "$FUZZER" > "$OUT/$FUZZER.options"
echo "build.sh: $OUT/$FUZZER ($SANITIZER), $(ls "$WORK/seeds" | wc -l) seeds"
