#!/bin/bash
# status.sh - write the campaign's status page, build/status/index.html: one
# self-contained HTML file (inline SVG charts, no network, no image files) with the
# engines' last numbers, coverage and execs/s over time per instance (AFL++ plot_data,
# libFuzzer status lines), the findings with hits, first and last seen and their repro
# command, the coverage of each call handler (make coverage) and the planted-bug
# detection table of make bench.  scripts/status-page.py draws it.
#
#   CAMPAIGN=dir      the campaign (default build/campaign); SYNC=dir adds a node's sync folder
#   CRASHES=dir       stored findings (default crashes/)
#   TRIAGE_STATE=dir  triage's counts and events (default build/triage)
#   STATUS_OUT=dir    where the page goes (default build/status)
#   COVERAGE_DIR=dir  make coverage's output (default build/coverage)
#   BENCH_RESULTS=file  make bench's results (default build/bench/results.md)
set -u
cd "$(dirname "$0")/.." || exit 2
scripts/check-settings.sh status || exit 2
exec python3 scripts/status-page.py
