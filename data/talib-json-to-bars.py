#!/usr/bin/env python3
"""Convert a talib-style market-data JSON file (arrays open/high/low/close/
volume, one-minute bars, no timestamps) into liu bar events.

usage: talib-json-to-bars.py FILE SYMBOL FIRST-BAR-TIME > out.ndjson
FIRST-BAR-TIME is RFC 3339 UTC, e.g. 2012-01-26T14:30:00Z (09:30 New York).
"""
import datetime
import json
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-2])
    path, sym, first = sys.argv[1:]
    with open(path) as f:
        d = json.load(f)
    t0 = datetime.datetime.strptime(first, "%Y-%m-%dT%H:%M:%SZ")
    cols = [d[k] for k in ("open", "high", "low", "close", "volume")]
    n = len(cols[0])
    if any(len(c) != n for c in cols):
        sys.exit("columns differ in length")
    for i in range(n):
        o, h, l, c, v = (c[i] for c in cols)
        t = (t0 + datetime.timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        ev = {"ev": "bar", "t": t, "sym": sym, "tf": "1m",
              "o": o, "h": h, "l": l, "c": c, "v": v}
        sys.stdout.write(json.dumps(ev, separators=(",", ":")) + "\n")


main()
