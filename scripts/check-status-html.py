#!/usr/bin/env python3
"""check-status-html.py PAGE - validate the status page: well-formed HTML (every element
closed in order, void elements aside), the sections scripts/status-page.py promises
(ids engines, coverage-over-time, execs-over-time, findings, handlers, plants), at least
MIN_LINES (env, default 0) chart lines (<polyline>), and nothing fetched from the
network.  Prints what is wrong and exits 1, or prints a summary and exits 0."""

import os
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SECTIONS = ["engines", "coverage-over-time", "execs-over-time", "findings", "handlers", "plants"]


class Checker(HTMLParser):
    """Keeps a stack of open elements and records every problem."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.ids, self.count = [], [], set(), {}
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        for k, v in attrs:
            if k == "id":
                self.ids.add(v)
            if k in ("src", "href") and v and "://" in v and not v.startswith("http://www.w3.org/"):
                self.errors.append(f"line {self.getpos()[0]}: <{tag} {k}={v}> reaches the network")
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        for k, v in attrs:
            if k == "id":
                self.ids.add(v)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            top = self.stack[-1] if self.stack else ("nothing", 0)
            self.errors.append(f"line {self.getpos()[0]}: </{tag}> closes <{top[0]}> of line {top[1]}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def main():
    if len(sys.argv) != 2:
        print("usage: check-status-html.py PAGE", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            page = f.read()
    except OSError as e:
        print(f"check-status-html: {e}")
        return 1
    c = Checker()
    c.feed(page)
    c.close()
    if not page.lower().startswith("<!doctype html>"):
        c.errors.append("no <!doctype html> first")
    for tag, line in c.stack:
        c.errors.append(f"<{tag}> of line {line} never closed")
    for s in SECTIONS:
        if s not in c.ids:
            c.errors.append(f"section id={s} missing")
    want = int(os.environ.get("MIN_LINES", "0"))
    if c.count.get("polyline", 0) < want:
        c.errors.append(f"{c.count.get('polyline', 0)} chart lines, expected at least {want}")
    for e in c.errors:
        print(f"check-status-html: {sys.argv[1]}: {e}")
    if c.errors:
        return 1
    print(f"check-status-html: {sys.argv[1]}: well-formed, {len(SECTIONS)} sections, "
          f"{c.count.get('svg', 0)} svg, {c.count.get('polyline', 0)} chart lines, "
          f"{c.count.get('tr', 0)} table rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
