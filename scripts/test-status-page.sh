#!/bin/bash
# test-status-page.sh - the status page of a synthetic campaign (two AFL++ instances
# with plot_data, a libFuzzer log, one stored finding with triage events, handler
# coverage, a plant table) is well-formed HTML with every section, a chart line per
# instance in both charts, and the finding's first and last seen and repro command.
set -u
cd "$(dirname "$0")/.." || exit 2
T=build/test-status
rm -rf "$T" && mkdir -p "$T/campaign/afl/main" "$T/campaign/afl/sec1" "$T/campaign/logs" \
	"$T/crashes/model-0badf00d" "$T/triage" "$T/coverage"
for i in main sec1; do
	{
		echo "# relative_time, cycles_done, cur_item, corpus_count, pending_total, pending_favs, map_size, saved_crashes, saved_hangs, max_depth, execs_per_sec, total_execs, edges_found"
		for t in 5 10 15 20; do echo "$t, 0, 1, $((40 + t)), 10, 1, 30.00%, 0, 0, 2, $((900 + t)).50, $((t * 1000)), $((700 + t))"; done
	} >"$T/campaign/afl/$i/plot_data"
	printf 'execs_done        : 20000\nexecs_per_sec     : 910.00\nedges_found       : 720\n' >"$T/campaign/afl/$i/fuzzer_stats"
done
echo '#4096: cov: 812 ft: 1500 corp: 120 exec/s 345 oom/timeout/crash: 0/0/1 time: 12s job: 3 dft_time: 0' >"$T/campaign/logs/libfuzzer.log"
echo 'FINDING kind=model sig=0badf00d call=VM_MMAP at=MMAP-03 <&>' >"$T/crashes/model-0badf00d/report.txt"
echo "build/vm-replay $T/crashes/model-0badf00d/input.bin" >"$T/crashes/model-0badf00d/repro.sh"
printf '1795860000\tnew\tmodel-0badf00d\traw1\tFINDING kind=model\n1795863600\tknown\tmodel-0badf00d\traw2\tFINDING kind=model\n' >"$T/triage/events"
echo 'model-0badf00d 2' >"$T/triage/counts"
echo 'do_mmap          lines    80 missed    8 cover   90.00%  regions cover   85.00%' >"$T/coverage/calls.txt"
printf '## Time to first finding of each plant (synthetic)\n\n| plant | seconds | executions | finding |\n|---|---:|---:|---|\n| mem:flip | 0.2 | seed pass | memory 9ddb7073 |\n\nfound 1\n' >"$T/results.md"

CAMPAIGN=$T/campaign CRASHES=$T/crashes TRIAGE_STATE=$T/triage STATUS_OUT=$T/out COVERAGE_DIR=$T/coverage \
	BENCH_RESULTS=$T/results.md scripts/status.sh >/dev/null || { echo "FAIL status.sh"; exit 1; }
page=$T/out/index.html
# 3 series (main, sec1, libfuzzer) in each of the two charts.
MIN_LINES=6 python3 scripts/check-status-html.py "$page" || exit 1
fail=0
for want in '<td>2</td><td>2026-11-28 10:00 UTC</td><td>2026-11-28 11:00 UTC</td>' "build/vm-replay $T/crashes/model-0badf00d/input.bin" \
	'at=MMAP-03 &lt;&amp;&gt;' 'do_mmap' 'mem:flip' 'memory 9ddb7073'; do
	grep -q -F -- "$want" "$page" || { echo "FAIL status page lacks: $want"; fail=1; }
done
grep -q -F '<td>build/test-status/crashes/model-0badf00d</td>' "$page" || { echo "FAIL finding row"; fail=1; }
[ "$fail" -eq 0 ] || exit 1
echo "status-page-test: synthetic campaign page well-formed, every section present"
