#!/bin/bash
# oss-fuzz-check.sh - `make oss-fuzz-check`: .clusterfuzzlite/build.sh run the way the
# OSS-Fuzz builder image runs it (no Docker): for each of SANITIZERS (default: address
# undefined coverage) the image's CC, CXX, CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE,
# SANITIZER, OUT, SRC and WORK (under build/oss-fuzz/), then what the runner image does
# with the result:
#   - the target, its seed corpus, dictionary and options are where the runner looks;
#   - address, undefined: bad_build_check's tests of a libFuzzer build pass;
#   - address, undefined: the target fuzzes its unzipped seed corpus for FUZZ_SECONDS
#     (default 4; -seed=1 so a rerun fuzzes alike) with the options file and the
#     runner's sanitizer options, and ends clean;
#     a planted bug (VMFUZZ_PLANT, harness/run.c) makes a small conversation a crashing
#     testcase, which `reproduce` (the target with -runs=100 on the file) must reproduce
#     with a non-zero exit and the finding, while the same file without the plant runs clean;
#   - coverage: the target runs its seed corpus once (-runs=0) with LLVM_PROFILE_FILE, and
#     llvm-cov reports the vm/ lines the seeds cover.
# Exit 0 when every step holds, 1 with a one-line reason otherwise.
set -u
cd "$(dirname "$0")/.." || exit 2
# The make runs below only print file lists: not part of the caller's job server.
unset MAKEFLAGS MAKELEVEL
B=${BUILD:-build}/oss-fuzz
SANITIZERS=${SANITIZERS:-address undefined coverage}
FUZZ_SECONDS=${FUZZ_SECONDS:-4}
REPLAY=${REPLAY:-build/vm-replay}
CLANG=$(command -v clang-14 || echo clang)
CLANGXX=$(command -v clang++-14 || echo clang++)
LLVM_VER=$(basename "$CLANG" | sed -n 's/^clang//p') # "-14" or ""
FUZZER=vmfuzz_fuzzer

fail() { echo "oss-fuzz-check: FAIL: $*" >&2; exit 1; }
log() { echo "oss-fuzz-check: $*"; }

# The builder image's flags (infra/base-images/base-clang and base-builder of
# google/oss-fuzz): base CFLAGS, then the sanitizer's, then the coverage flags
# (libFuzzer's edge counters, or llvm-cov's instrumentation for SANITIZER=coverage).
# -Wno-error=vla-cxx-extension of the image is left out: clang 14 does not know it.
BASE_CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -Wno-error=incompatible-function-pointer-types
 -Wno-error=int-conversion -Wno-error=deprecated-declarations -Wno-error=implicit-function-declaration
 -Wno-error=implicit-int -Wno-error=unknown-warning-option -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
UB_CHECKS=array-bounds,bool,builtin,enum,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr
san_flags()
{
	case "$1" in
	address) echo "-fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link" ;;
	# `compile` adds -fno-sanitize=function for C code.
	undefined) echo "-fsanitize=$UB_CHECKS,unsigned-integer-overflow -fno-sanitize-recover=$UB_CHECKS -fsanitize=fuzzer-no-link -fno-sanitize=function" ;;
	coverage) echo "-fprofile-instr-generate -fcoverage-mapping -pthread -Wl,--no-as-needed -Wl,-ldl -Wl,-lm -Wno-unused-command-line-argument" ;;
	*) return 1 ;;
	esac
}

# The runner image's sanitizer options (infra/base-images/base-runner/Dockerfile).
export ASAN_OPTIONS="alloc_dealloc_mismatch=0:allocator_may_return_null=1:allocator_release_to_os_interval_ms=500:check_malloc_usable_size=0:detect_container_overflow=1:detect_odr_violation=0:detect_leaks=1:detect_stack_use_after_return=1:fast_unwind_on_fatal=0:handle_abort=1:handle_segv=1:handle_sigill=1:max_uar_stack_size_log=16:print_scariness=1:quarantine_size_mb=10:strict_memcmp=1:symbolize=1:use_sigaltstack=1:dedup_token_length=3"
export UBSAN_OPTIONS="print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1:symbolize=1:dedup_token_length=3"
FUZZER_ARGS="-rss_limit_mb=2560 -timeout=25"

# build SAN: the builder's `compile` for SAN, output in $B/out-SAN, log in $B/build-SAN.log.
build()
{
	local san=$1 flags out
	flags=$(san_flags "$san") || fail "unknown sanitizer $san"
	out=$B/out-$san
	rm -rf "$out" && mkdir -p "$out" "$B/work" "$B/src"
	local top=$PWD
	# The image: the tree at $SRC/vmfuzz, build.sh copied to $SRC (the Dockerfile).
	ln -sfn ../../.. "$B/src/vmfuzz"
	cp .clusterfuzzlite/build.sh "$B/src/build.sh"
	(
		cd "$B/src/vmfuzz" || exit 1
		export CC=$CLANG CXX=$CLANGXX CFLAGS="$(echo $BASE_CFLAGS) $flags"
		export CXXFLAGS="$CFLAGS" LIB_FUZZING_ENGINE=-fsanitize=fuzzer SANITIZER=$san
		export FUZZING_ENGINE=libfuzzer FUZZING_LANGUAGE=c ARCHITECTURE=x86_64
		export SRC=$top/$B/src OUT=$top/$out WORK=$top/$B/work
		nice -n 5 bash -eu "$SRC/build.sh"
	) > "$B/build-$san.log" 2>&1 || { tail -n 20 "$B/build-$san.log" >&2; fail "build.sh with SANITIZER=$san (see $B/build-$san.log)"; }
	[ -x "$out/$FUZZER" ] || fail "$san: no $out/$FUZZER"
	cmp -s "$out/$FUZZER.dict" harness/vmfuzz.dict || fail "$san: $out/$FUZZER.dict is not harness/vmfuzz.dict"
	grep -q '^\[libfuzzer\]' "$out/$FUZZER.options" || fail "$san: $out/$FUZZER.options has no [libfuzzer] section"
	local want n
	want=$(make --no-print-directory -s oss-fuzz-files | sed -n 's/^SEEDS //p' | wc -w)
	n=$(python3 -c 'import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))' "$out/${FUZZER}_seed_corpus.zip") ||
		fail "$san: $out/${FUZZER}_seed_corpus.zip is not a zip file"
	[ "$n" = "$want" ] || fail "$san: the seed corpus holds $n files, corpus/ has $want seeds"
	log "$san: built $out/$FUZZER, $n seeds in ${FUZZER}_seed_corpus.zip, .dict, .options"
}

# bad_build SAN: the checks of the runner's bad_build_check that apply to a libFuzzer
# build: the target starts and runs 4 inputs, has at least 100 edge counters, and holds
# the sanitizer's calls (ASan: at least 1000 __asan calls; UBSan: at least 168 __ubsan
# calls and no __asan one).
bad_build()
{
	local san=$1 bin=$B/out-$1/$FUZZER edges nasan nubsan
	(cd "$B/out-$san" && ./$FUZZER -seed=1337 -runs=4 < /dev/null) > "$B/startup-$san.log" 2>&1 ||
		fail "$san: the target does not start (see $B/startup-$san.log)"
	grep -q 'Done 4 runs' "$B/startup-$san.log" || fail "$san: the target did not run 4 inputs (see $B/startup-$san.log)"
	edges=$(sed -n 's/^INFO: Loaded [0-9]* modules* *([0-9]* \(inline 8-bit counters\|guards\)): \([0-9]*\) .*/\2/p' "$B/startup-$san.log")
	[ "${edges:-0}" -ge 100 ] || fail "$san: ${edges:-no} edge counters: only partial coverage instrumentation"
	nasan=$("llvm-objdump$LLVM_VER" -d "$bin" 2>/dev/null | grep -c -E 'call.*<__asan')
	nubsan=$("llvm-objdump$LLVM_VER" -d "$bin" 2>/dev/null | grep -c -E 'call.*<__ubsan')
	case "$san" in
	address) [ "$nasan" -ge 1000 ] || fail "address: only $nasan __asan calls" ;;
	undefined) [ "$nubsan" -ge 168 ] && [ "$nasan" = 0 ] || fail "undefined: $nubsan __ubsan calls, $nasan __asan calls" ;;
	esac
	log "$san: bad build check: starts, $edges edge counters, $nasan __asan and $nubsan __ubsan calls"
}

# The [libfuzzer] options of the options file as -key=value (the runner's parse_options.py).
lf_options()
{
	python3 -c 'import configparser, sys
p = configparser.ConfigParser(); p.read(sys.argv[1])
print(" ".join("-%s=%s" % kv for kv in p["libfuzzer"].items()) if p.has_section("libfuzzer") else "")' "$1"
}

# fuzz SAN: run_fuzzer: the seed corpus unzipped into an empty corpus folder, the
# target run from $OUT with the runner's arguments and the options file.
fuzz()
{
	local san=$1 out=$B/out-$san corpus=$B/work/corpus-$1
	rm -rf "$corpus" && mkdir -p "$corpus"
	python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$out/${FUZZER}_seed_corpus.zip" "$corpus"
	(cd "$out" && ./$FUZZER $FUZZER_ARGS -seed=1 -max_total_time="$FUZZ_SECONDS" -artifact_prefix="$PWD/" \
		"$PWD/../work/corpus-$san" $(lf_options $FUZZER.options) < /dev/null) > "$B/fuzz-$san.log" 2>&1 ||
		{ grep -m1 -A5 '^FINDING\|ERROR' "$B/fuzz-$san.log" >&2; fail "$san: fuzzing the seed corpus found something (see $B/fuzz-$san.log)"; }
	log "$san: fuzzed ${FUZZ_SECONDS}s: $(grep -a -E '^#[0-9]+' "$B/fuzz-$san.log" | tail -n 1 | tr -s ' ')"
}

# reproduce SAN PLANT WHAT: the testcase crashes with PLANT set, its log shows WHAT (a
# regular expression: the sanitizer's report, or the harness's FINDING line); it runs
# clean without it.  The runner's `reproduce`: run_fuzzer with -runs=100 and the
# testcase file, no seed corpus.
reproduce()
{
	local san=$1 plant=$2 what=$3 out=$B/out-$1 tc=$PWD/$B/work/testcase rc
	printf 'msg from=live:4 VM_MMAP addr=0 len=0x1000 prot=3 flags=0x1002 fd=-1 forwhom=self\nwrite proc=live:4 addr=region:4.2 value=1\n' > "$B/work/testcase.txt"
	ASAN_OPTIONS=detect_leaks=0 $REPLAY --compile "$B/work/testcase.txt" "$tc" > /dev/null || fail "cannot compile the testcase"
	(cd "$out" && VMFUZZ_PLANT=$plant ./$FUZZER $FUZZER_ARGS -runs=100 "$tc" $(lf_options $FUZZER.options) < /dev/null) > "$B/repro-$san.log" 2>&1
	rc=$?
	[ "$rc" -ne 0 ] || fail "$san: the planted $plant did not reproduce (exit 0, see $B/repro-$san.log)"
	grep -q -E "$what" "$B/repro-$san.log" || fail "$san: exit $rc but no '$what' (see $B/repro-$san.log)"
	(cd "$out" && ./$FUZZER $FUZZER_ARGS -runs=100 "$tc" $(lf_options $FUZZER.options) < /dev/null) > "$B/clean-$san.log" 2>&1 ||
		fail "$san: the testcase without the plant does not run clean (see $B/clean-$san.log)"
	log "$san: reproduce with VMFUZZ_PLANT=$plant: exit $rc, $(grep -m1 -o -E "$what.*" "$B/repro-$san.log" | cut -c1-90); without: exit 0"
}

# coverage: the seeds run once with profiling, then llvm-cov's line coverage of vm/.
coverage()
{
	local out=$B/out-coverage corpus=$B/work/corpus-coverage prof=$B/work/profraw line
	rm -rf "$corpus" "$prof" && mkdir -p "$corpus" "$prof"
	python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$out/${FUZZER}_seed_corpus.zip" "$corpus"
	LLVM_PROFILE_FILE="$prof/%p.profraw" "$out/$FUZZER" -runs=0 "$corpus" > "$B/coverage-run.log" 2>&1 ||
		fail "coverage: the target did not run its seeds (see $B/coverage-run.log)"
	"llvm-profdata$LLVM_VER" merge -sparse "$prof"/*.profraw -o "$B/work/vmfuzz.profdata" || fail "coverage: llvm-profdata merge"
	line=$("llvm-cov$LLVM_VER" report "$out/$FUZZER" -instr-profile="$B/work/vmfuzz.profdata" vm/ 2>/dev/null | tail -n 1)
	set -- $line
	[ "${1:-}" = TOTAL ] || fail "coverage: no llvm-cov report of vm/"
	# TOTAL regions missed cover functions missed cover lines missed cover branches ...
	[ "${8:-0}" -gt 0 ] && [ "$9" -lt "$8" ] || fail "coverage: the seeds cover no line of vm/: $line"
	log "coverage: the seeds run once cover $(($8 - $9)) of $8 lines of vm/ (${10}), $(($2 - $3)) of $2 regions (${4})"
}

mkdir -p "$B"
for san in $SANITIZERS; do
	build "$san"
	case "$san" in
	# The fuzz target prints no FINDING for a sanitizer report (triage replays it), it
	# prints one for the harness's own findings before it aborts.
	address) bad_build address; fuzz address; reproduce address crash:page_alloc 'ERROR: AddressSanitizer: heap-use-after-free' ;;
	undefined) bad_build undefined; fuzz undefined; reproduce undefined panic:page_alloc '^FINDING kind=panic ' ;;
	coverage) coverage ;;
	esac
done
log "OK: $SANITIZERS"
