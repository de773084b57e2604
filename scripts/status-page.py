#!/usr/bin/env python3
"""status-page.py - write the campaign's status page: one self-contained HTML file.

Called by scripts/status.sh, which checks the settings and passes them in the
environment: CAMPAIGN, SYNC, CRASHES, TRIAGE_STATE, STATUS_OUT, COVERAGE_DIR,
BENCH_RESULTS.  No network and no image files: the charts are inline SVG drawn here.

Sections (each an <h2> with an id): engines (the last fuzzer_stats of every AFL++
instance, or libFuzzer's last status line), coverage-over-time and execs-over-time
(per instance, from AFL++'s plot_data or libFuzzer's fork-mode status lines),
findings (one row per stored kind-sig: hits, first and last seen from triage's events,
repro command), handlers (coverage per call handler, from make coverage), plants (the
planted-bug detection table of make bench)."""

import html
import os
import re
import sys
import time

ENV = os.environ
CAMPAIGN = ENV.get("CAMPAIGN") or "build/campaign"
SYNC = ENV.get("SYNC") or ""
CRASHES = ENV.get("CRASHES") or "crashes"
STATE = ENV.get("TRIAGE_STATE") or "build/triage"
OUT = ENV.get("STATUS_OUT") or "build/status"
COVERAGE = ENV.get("COVERAGE_DIR") or "build/coverage"
BENCH = ENV.get("BENCH_RESULTS") or "build/bench/results.md"
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


def esc(text):
    """HTML-escape any value."""
    return html.escape(str(text), quote=True)


def read(path):
    """A text file's contents, or '' when it cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def instances():
    """(name, folder) of every AFL++ instance with a plot_data, sorted by name."""
    found = {}
    for root in [os.path.join(CAMPAIGN, "afl"), SYNC]:
        if not root or not os.path.isdir(root):
            continue
        for name in sorted(os.listdir(root)):
            d = os.path.join(root, name)
            if os.path.isfile(os.path.join(d, "plot_data")):
                found.setdefault(name, d)
    return sorted(found.items())


def plot_series(folder):
    """[(relative seconds, execs/s, edges, total execs)] of one plot_data file."""
    rows = []
    for line in read(os.path.join(folder, "plot_data")).splitlines():
        if line.startswith("#"):
            continue
        cols = [c.strip().rstrip("%") for c in line.split(",")]
        try:
            rows.append((float(cols[0]), float(cols[10]), float(cols[12]), float(cols[11])))
        except (IndexError, ValueError):
            continue
    return rows


def libfuzzer_series():
    """[(seconds, execs/s, cov, execs)] of libFuzzer's fork-mode status lines."""
    rows = []
    pat = re.compile(r"^#(\d+).*?cov: (\d+).*?exec/s:? (\d+).*?time: (\d+)s")
    for line in read(os.path.join(CAMPAIGN, "logs", "libfuzzer.log")).splitlines():
        m = pat.match(line)
        if m:
            rows.append((float(m.group(4)), float(m.group(3)), float(m.group(2)), float(m.group(1))))
    return rows


def fmt(v):
    """A chart label: whole numbers with thousands separators."""
    return f"{v:,.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.1f}"


def svg_chart(title, series, ylabel, from_zero=True):
    """An inline SVG line chart of series [(name, [(x, y)])]: axes, 5 ticks, a legend.
    Without from_zero the y axis starts a little below the lowest value (coverage)."""
    w, h, left, right, top, bottom = 760, 260, 70, 150, 20, 40
    pts = [p for _, s in series for p in s]
    if not pts:
        return f"<p>No data yet for {esc(title)}.</p>"
    x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
    y1 = max(p[1] for p in pts) or 1.0
    y0 = 0.0 if from_zero else max(0.0, min(p[1] for p in pts) * 0.95)
    y1 = y1 if y1 > y0 else y0 + 1
    x1 = x1 if x1 > x0 else x0 + 1
    pw, ph = w - left - right, h - top - bottom

    def sx(x):
        return left + (x - x0) / (x1 - x0) * pw

    def sy(y):
        return top + ph - (y - y0) / (y1 - y0) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" '
           f'aria-label="{esc(title)}">',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#999"/>']
    for k in range(5):
        yv = y0 + (y1 - y0) * k / 4
        xv = x0 + (x1 - x0) * k / 4
        out.append(f'<line x1="{left}" y1="{sy(yv):.1f}" x2="{left + pw}" y2="{sy(yv):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{sy(yv) + 4:.1f}" font-size="11" text-anchor="end">{fmt(yv)}</text>')
        out.append(f'<text x="{sx(xv):.1f}" y="{top + ph + 15}" font-size="11" text-anchor="middle">{fmt(xv)}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{h - 5}" font-size="12" text-anchor="middle">seconds</text>')
    out.append(f'<text x="12" y="{top + ph / 2}" font-size="12" text-anchor="middle" '
               f'transform="rotate(-90 12 {top + ph / 2})">{esc(ylabel)}</text>')
    for i, (name, s) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        if s:
            coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in s)
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{coords}"/>')
        ly = top + 14 + 16 * i
        out.append(f'<rect x="{left + pw + 10}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{left + pw + 24}" y="{ly}" font-size="12">{esc(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def table(header, rows, classes=None):
    """An HTML table; cells are escaped unless given as ('raw', html)."""
    out = ["<table>", "<tr>" + "".join(f"<th>{esc(c)}</th>" for c in header) + "</tr>"]
    for row in rows:
        cells = []
        for c in row:
            cells.append(f"<td>{c[1]}</td>" if isinstance(c, tuple) else f"<td>{esc(c)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def stats(folder):
    """fuzzer_stats of one instance as a dict."""
    d = {}
    for line in read(os.path.join(folder, "fuzzer_stats")).splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            d[k.strip()] = v.strip()
    return d


def engines_section(insts):
    """Last known numbers of every engine."""
    keys = ["run_time", "execs_done", "execs_per_sec", "corpus_count", "edges_found",
            "saved_crashes", "saved_hangs", "stability", "bitmap_cvg"]
    parts = ['<h2 id="engines">Engines</h2>']
    if insts:
        rows = []
        for name, d in insts:
            s = stats(d)
            rows.append([name] + [s.get(k, "-") for k in keys])
        parts.append(table(["instance"] + keys, rows))
    lf = [l for l in read(os.path.join(CAMPAIGN, "logs", "libfuzzer.log")).splitlines() if l.startswith("#")]
    if lf:
        parts.append(f"<p>libFuzzer, last status line:</p><pre>{esc(lf[-1])}</pre>")
    if not insts and not lf:
        parts.append(f"<p>No campaign in {esc(CAMPAIGN)} yet: run <code>make fuzz</code>.</p>")
    return "\n".join(parts)


def charts_sections(insts):
    """Coverage and execs/s over time, one line per instance."""
    cov, eps = [], []
    for name, d in insts:
        rows = plot_series(d)
        cov.append((name, [(r[0], r[2]) for r in rows]))
        eps.append((name, [(r[0], r[1]) for r in rows]))
    rows = libfuzzer_series()
    if rows:
        cov.append(("libfuzzer", [(r[0], r[2]) for r in rows]))
        eps.append(("libfuzzer", [(r[0], r[1]) for r in rows]))
    return "\n".join([
        '<h2 id="coverage-over-time">Coverage over time</h2>',
        "<p>Edges of vm/ each instance has covered (AFL++ plot_data, libFuzzer cov).</p>",
        svg_chart("edges covered", cov, "edges", from_zero=False),
        '<h2 id="execs-over-time">Executions per second over time</h2>',
        svg_chart("execs per second", eps, "execs/s")])


def events():
    """{kind-sig: (first seen, last seen, events)} from triage's events file."""
    seen = {}
    for line in read(os.path.join(STATE, "events")).splitlines():
        f = line.split("\t")
        if len(f) < 3 or not f[0].isdigit():
            continue
        t = int(f[0])
        a, b, n = seen.get(f[2], (t, t, 0))
        seen[f[2]] = (min(a, t), max(b, t), n + 1)
    return seen


def when(t):
    """A unix time as UTC text."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t))


def findings_section():
    """One row per stored finding."""
    counts = {}
    for line in read(os.path.join(STATE, "counts")).splitlines():
        f = line.split()
        if len(f) == 2:
            counts[f[0]] = f[1]
    ev = events()
    rows = []
    folders = sorted(set([CRASHES, "crashes"]))
    for root in folders:
        if not os.path.isdir(root):
            continue
        for key in sorted(os.listdir(root)):
            d = os.path.join(root, key)
            report = read(os.path.join(d, "report.txt"))
            if not report:
                continue
            first_line = next((l for l in report.splitlines() if l.startswith("FINDING ")), "")
            # Findings stored before triage kept events have no dates.
            first, last = (when(ev[key][0]), when(ev[key][1])) if key in ev else ("-", "-")
            repro = read(os.path.join(d, "repro.sh")).strip() or f"build/vm-replay {d}/input.bin"
            rows.append([d, counts.get(key, "-"), first, last,
                         ("raw", f"<code>{esc(first_line)}</code>"), ("raw", f"<code>{esc(repro)}</code>")])
    parts = ['<h2 id="findings">Findings</h2>']
    if rows:
        parts.append(table(["finding", "hits", "first seen", "last seen", "first line of report", "repro"], rows))
    else:
        parts.append("<p>No stored finding.</p>")
    return "\n".join(parts)


def handlers_section():
    """Coverage of each call handler (build/coverage/calls.txt), with a bar."""
    parts = ['<h2 id="handlers">Coverage per call handler</h2>']
    rows = []
    for line in read(os.path.join(COVERAGE, "calls.txt")).splitlines():
        m = re.match(r"(\S+)\s+lines\s+(\S+)\s+missed\s+(\S+)\s+cover\s+(\S+)\s+regions cover\s+(\S+)", line)
        if not m:
            continue
        try:
            pct = float(m.group(4).rstrip("%"))
        except ValueError:
            pct = 0.0
        bar = (f'<svg xmlns="http://www.w3.org/2000/svg" width="102" height="12"><rect x="0" y="0" width="102" '
               f'height="12" fill="#eee"/><rect x="1" y="1" width="{pct:.0f}" height="10" fill="#2ca02c"/></svg>')
        rows.append([m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), ("raw", bar)])
    if rows:
        parts.append(table(["handler", "lines", "missed", "line cover", "region cover", ""], rows))
        total = read(os.path.join(COVERAGE, "report.txt")).strip().splitlines()
        if total:
            parts.append(f"<p>vm/ in total:</p><pre>{esc(total[-1])}</pre>")
        if os.path.isfile(os.path.join(COVERAGE, "html", "index.html")):
            rel = os.path.relpath(os.path.join(COVERAGE, "html", "index.html"), OUT)
            parts.append(f'<p><a href="{esc(rel)}">line-by-line report</a></p>')
    else:
        parts.append("<p>No coverage yet: run <code>make coverage</code>.</p>")
    return "\n".join(parts)


def plants_section():
    """The planted-bug detection table of make bench (a Markdown table in results.md)."""
    parts = ['<h2 id="plants">Planted bugs: time to first finding (make bench)</h2>']
    lines = read(BENCH).splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("## Time to first finding")), None)
    if start is None:
        parts.append(f"<p>No plant table in {esc(BENCH)}: run <code>make bench</code>.</p>")
        return "\n".join(parts)
    parts.append(f"<p>{esc(lines[start][3:])}</p>")
    rows, header, tail = [], None, []
    for l in lines[start + 1:]:
        if l.startswith("## "):
            break
        if l.startswith("|"):
            cells = [c.strip() for c in l.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-+:?", c) for c in cells):
                continue
            if header is None:
                header = cells
            else:
                rows.append(cells)
        elif l.strip():
            tail.append(l.strip())
    if header:
        parts.append(table(header, rows))
    for t in tail:
        parts.append(f"<p>{esc(t)}</p>")
    return "\n".join(parts)


def main():
    insts = instances()
    body = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8"><title>vmfuzz campaign status</title>',
        "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
        "table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #999;padding:2px 6px;"
        "text-align:left;vertical-align:top}td code{white-space:pre-wrap}"
        "pre{background:#eee;padding:0.5em}h2{border-bottom:1px solid #ccc}</style>",
        "</head><body>",
        "<h1>vmfuzz campaign status</h1>",
        f"<p>Written by scripts/status.sh at {esc(when(time.time()))} from {esc(CAMPAIGN)}"
        f"{', ' + esc(SYNC) if SYNC else ''}, {esc(CRASHES)}, {esc(STATE)}, {esc(COVERAGE)} and {esc(BENCH)}.</p>",
        engines_section(insts),
        charts_sections(insts),
        findings_section(),
        handlers_section(),
        plants_section(),
        "</body></html>",
    ]
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "index.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(body) + "\n")
    print(f"status: {path}")


if __name__ == "__main__":
    sys.exit(main())
