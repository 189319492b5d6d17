#!/usr/bin/env python3
"""route_baseline.py: the seed design of liu-route, for bench/b3000-route.sh.

One producer process reads NDJSON events on stdin, parses each line with
json.loads, and puts the parsed event on one multiprocessing.Queue per
consumer, chosen by a hash of "sym" (events without one go to every
consumer).  Each consumer process takes events off its queue and writes
json.dumps(event) as one line to the shared standard output.

usage: route_baseline.py N < events.ndjson > out.ndjson
"""
import json
import multiprocessing as mp
import os
import sys
import zlib


def consume(q):
    out = sys.stdout.fileno()
    while True:
        ev = q.get()
        if ev is None:
            break
        # one write per line: lines of different consumers never mix
        os.write(out, (json.dumps(ev, separators=(",", ":")) + "\n")
                 .encode())


def main():
    n = int(sys.argv[1])
    queues = [mp.Queue(maxsize=10000) for _ in range(n)]
    procs = [mp.Process(target=consume, args=(q,)) for q in queues]
    for p in procs:
        p.start()
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        sym = ev.get("sym")
        if sym is None:
            for q in queues:
                q.put(ev)
        else:
            queues[zlib.crc32(sym.encode()) % n].put(ev)
    for q in queues:
        q.put(None)
    for p in procs:
        p.join()


if __name__ == "__main__":
    main()
