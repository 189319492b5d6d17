#!/usr/bin/python3
"""fake-scan.py: a loopback fake of the endpoints liu-scan scans the market
with, for t/t8000-scan.sh and bench/b8000-scan.sh.

It serves a made universe of symbols (--universe FILE; see below) in the
shapes of the providers' own fixtures (../shared/fixtures: alpaca-py's
test_get_all_assets and test_get_snapshot, alpaca-trade-api-python's
test_data; Polygon's rest-mocks v2/snapshot/locale/us/markets/stocks/
tickers/index.json), every field those bodies have, not only the ones
liu-scan reads:

  GET /v2/assets?status=active&asset_class=us_equity      (Alpaca trading)
      a JSON array of asset objects, compact; not paged
  GET /v2/stocks/snapshots?symbols=A,B,...[&feed=iex|sip] (Alpaca data)
      {"A":{latestTrade,latestQuote,minuteBar,dailyBar,prevDailyBar},
       "ZZZ":null, ...}: a symbol the universe does not have maps to null,
      as the fixture's "INVALID" does; not paged
  GET /v2/snapshot/locale/us/markets/stocks/tickers[?tickers=A,B]
      {"status":"OK","tickers":[{day,lastQuote,lastTrade,min,prevDay,
       ticker,todaysChange,todaysChangePerc,updated}],"count":N}, indented
      as Polygon's bodies are; not paged

The universe: {"date": "2024-03-01", "symbols": [{"sym", "price",
"prev_close", "prev_volume", "volume", and optionally "open", "high",
"low", "vwap", "tradable" (true), "status" ("active"), "otc" (false),
"alpaca": PATCH, "polygon": PATCH, "alpaca_null": true, "then": {"after":
N, "price": P, ...}}], "assets_extra": [raw asset objects]}.  With --then,
a symbol's "then" figures replace its own once N snapshot requests have
been answered (a market that moves between two scans).  A PATCH maps "obj.field" (or "obj") in the
provider's record to a new value; the value "__delete__" takes the member
out.  The day's open is the previous close and the high, low and vwap
follow from the open and the price unless given.  --gen N makes a
universe of N seeded random symbols instead (for the benchmark).

Keys are checked against the fake's own environment (APCA_API_KEY_ID,
APCA_API_SECRET_KEY, POLYGON_API_KEY): wrong or missing ones get the
provider's 401, an apiKey in a URL a 400.

Scenarios: --throttle-chunk N answers snapshot request number N (1 is the
first; Alpaca's chunks and Polygon's one request count alike) 429 once,
with Retry-After: 1; --fail-chunk N answers it, and every request for
the same URL after it, 500;
--bad-chunk N answers it 200 with a body cut in the middle of its JSON;
--garbage-assets answers /v2/assets 200 with an HTML page.

It listens on 127.0.0.1, port 0, over TLS with --cert/--key, and writes
its port to --port-file atomically once it listens.  Each request is
logged to --log as "METHOD PATH?QUERY STATUS" (any apiKey masked; no
header is logged).  Bodies are made once for each request and kept, so a
benchmark measures the client, not this server.  It exits on SIGTERM, or
after --idle seconds without a request.  Run by /usr/bin/python3: stdlib
only.
"""
import argparse
import datetime
import hashlib
import http.server
import json
import os
import random
import signal
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

ASSETS = "/v2/assets"
ALPACA_SNAPS = "/v2/stocks/snapshots"
POLY_SNAPS = "/v2/snapshot/locale/us/markets/stocks/tickers"

ERRORS = {
    # Alpaca: the 401 of errors.json; the 429 and 400 texts of
    # protocols.md.  Polygon: the third-party texts protocols.md quotes.
    "alpaca_401": {"code": 40110000,
                   "message": "request is not authorized"},
    "alpaca_429": "rate limit exceeded",
    "alpaca_400": {"message": "invalid symbols"},
    "alpaca_500": {"message": "internal server error"},
    "polygon_401": {"status": "ERROR", "request_id": "fake",
                    "error": "Unknown API Key"},
    "polygon_429": {"status": "ERROR", "request_id": "fake",
                    "error": "You've exceeded the maximum requests per "
                    "minute, please wait or upgrade your subscription to "
                    "continue. https://polygon.io/pricing"},
    "polygon_500": {"status": "ERROR", "request_id": "fake",
                    "error": "internal error"},
}


def ns_of(date, hh, mm, ss=0):
    """ns of a UTC time on a date 'YYYY-MM-DD'."""
    d = datetime.datetime.strptime(date, "%Y-%m-%d").replace(
        hour=hh, minute=mm, second=ss, tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 10**9


def rfc3339(ns):
    s = datetime.datetime.fromtimestamp(ns // 10**9,
                                        tz=datetime.timezone.utc)
    frac = ("%09d" % (ns % 10**9)).rstrip("0")
    return s.strftime("%Y-%m-%dT%H:%M:%S") + ("." + frac if frac else "") \
        + "Z"


def num(x):
    """A whole float as an int, as the providers write volumes."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def patch(rec, p):
    for path, val in (p or {}).items():
        keys = path.split(".")
        o = rec
        for k in keys[:-1]:
            o = o[k]
        if val == "__delete__":
            o.pop(keys[-1], None)
        else:
            o[keys[-1]] = val
    return rec


class Sym:
    def __init__(self, d, date, i):
        self.d = d
        self.sym = d["sym"]
        self.i = i
        self.date = date
        p, pc = d["price"], d["prev_close"]
        self.price, self.prev_close = p, pc
        self.volume, self.prev_volume = d["volume"], d["prev_volume"]
        self.open = d.get("open", pc)
        self.high = d.get("high", max(self.open, p))
        self.low = d.get("low", min(self.open, p))
        self.vwap = d.get("vwap", round((self.open + p) / 2, 4))
        self.tradable = d.get("tradable", True)
        self.status = d.get("status", "active")

    def moved(self, nsnap):
        """The symbol as it is after nsnap snapshot requests."""
        t = self.d.get("then")
        if not t or nsnap < t["after"]:
            return self
        d = dict(self.d)
        d.update(t)
        d.pop("then")
        return Sym(d, self.date, self.i)

    def asset(self):
        h = hashlib.md5(self.sym.encode()).hexdigest()
        return {"id": "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16],
                                          h[16:20], h[20:32]),
                "class": "us_equity", "exchange": "NASDAQ",
                "symbol": self.sym, "name": self.sym + " Inc. Common Stock",
                "status": self.status, "tradable": self.tradable,
                "marginable": True, "shortable": True,
                "easy_to_borrow": True, "fractionable": True,
                "attributes": []}

    def alpaca(self):
        if self.d.get("alpaca_null"):
            return None
        t = ns_of(self.date, 14, 44, 58) + 448432206
        prev = (datetime.datetime.strptime(self.date, "%Y-%m-%d") -
                datetime.timedelta(days=1)).strftime("%Y-%m-%d")
        p = self.price
        rec = {
            "latestTrade": {"t": rfc3339(t), "x": "D", "p": p, "s": 200,
                            "c": ["@"], "i": 39884 + self.i, "z": "C"},
            "latestQuote": {"t": rfc3339(t + 99509794), "ax": "K",
                            "ap": round(p + 0.01, 4), "as": 2, "bx": "K",
                            "bp": round(p - 0.01, 4), "bs": 5, "c": ["R"],
                            "z": "C"},
            "minuteBar": {"t": rfc3339(ns_of(self.date, 14, 43)),
                          "o": self.low, "h": self.high, "l": self.low,
                          "c": p, "v": num(self.volume // 50 or 1),
                          "n": 188, "vw": self.vwap},
            "dailyBar": {"t": self.date + "T05:00:00Z", "o": self.open,
                         "h": self.high, "l": self.low, "c": p,
                         "v": num(self.volume), "n": 1861 + self.i,
                         "vw": self.vwap},
            "prevDailyBar": {"t": prev + "T05:00:00Z",
                             "o": self.prev_close, "h": self.prev_close,
                             "l": self.prev_close, "c": self.prev_close,
                             "v": num(self.prev_volume), "n": 6090,
                             "vw": self.prev_close},
        }
        return patch(rec, self.d.get("alpaca"))

    def polygon(self):
        t = ns_of(self.date, 14, 44, 58) + 258266000
        p, pc = self.price, self.prev_close
        rec = {
            "day": {"o": self.open, "h": self.high, "l": self.low, "c": p,
                    "v": num(self.volume), "vw": self.vwap},
            "lastQuote": {"P": round(p + 0.01, 4), "S": 11,
                          "p": round(p - 0.01, 4), "s": 25,
                          "t": t + 997325600},
            "lastTrade": {"c": [14, 41], "i": str(71675577320245 + self.i),
                          "p": p, "s": 2416, "t": t, "x": 4},
            "min": {"av": num(self.volume),
                    "t": ns_of(self.date, 14, 43) // 10**6, "n": 5,
                    "o": self.low, "h": self.high, "l": self.low, "c": p,
                    "v": num(self.volume // 50 or 1), "vw": self.vwap},
            "prevDay": {"o": pc, "h": pc, "l": pc, "c": pc,
                        "v": num(self.prev_volume), "vw": pc},
            "ticker": self.sym,
            "todaysChange": round(p - pc, 4),
            "todaysChangePerc": round((p - pc) * 100 / pc, 3) if pc else 0,
            "updated": t,
        }
        return patch(rec, self.d.get("polygon"))


def generate(n, seed):
    """n seeded random symbols, about a tenth of them momentum picks."""
    rng = random.Random(seed)
    syms = []
    for i in range(n):
        pc = round(rng.uniform(1, 60), 2)
        chg = rng.uniform(-8, 8)
        syms.append({"sym": "S%05d" % i, "prev_close": pc,
                     "price": round(pc * (1 + chg / 100), 2),
                     "prev_volume": rng.randrange(1000, 5000000),
                     "volume": rng.randrange(0, 3000000)})
    return {"date": "2024-03-01", "symbols": syms}


class State:
    def __init__(self, args):
        self.args = args
        if args.gen:
            u = generate(args.gen, args.seed)
        else:
            u = json.load(open(args.universe))
        date = u.get("date", "2024-03-01")
        self.syms = [Sym(d, date, i) for i, d in enumerate(u["symbols"])]
        self.by_sym = {s.sym: s for s in self.syms}
        self.assets_extra = u.get("assets_extra", [])
        self.lock = threading.Lock()
        self.nreq = 0
        self.nsnap = 0
        self.fail_path = None
        self.cache = {}
        self.last = time.monotonic()
        self.log = open(args.log, "a", buffering=1) if args.log else None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-scan"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, headers=(), indent=False):
        if isinstance(body, bytes):
            data, ctype = body, "application/json; charset=utf-8"
        elif isinstance(body, str):
            data, ctype = body.encode(), "text/plain; charset=utf-8"
        else:
            if indent:
                data = json.dumps(body, indent=4).encode() + b"\n"
            else:
                data = json.dumps(body, separators=(",", ":")).encode()
            ctype = "application/json; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        st = self.server.state
        if st.log:
            url = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
            q = [(k, "***" if k.lower() == "apikey" else v) for k, v in q]
            shown = url.path + ("?" + urllib.parse.urlencode(
                q, safe=",") if q else "")
            st.log.write("%s %s %d\n" % (self.command, shown, status))

    def do_GET(self):
        st = self.server.state
        with st.lock:
            st.nreq += 1
            st.last = time.monotonic()
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        alpaca = url.path in (ASSETS, ALPACA_SNAPS)
        prov = "alpaca" if alpaca else "polygon"
        if any(k.lower() == "apikey" for k in q):
            return self.send(400, {"status": "ERROR", "request_id": "fake",
                                   "error": "API key in the URL"})
        if alpaca:
            ok = (self.headers.get("APCA-API-KEY-ID") ==
                  os.environ.get("APCA_API_KEY_ID") and
                  self.headers.get("APCA-API-SECRET-KEY") ==
                  os.environ.get("APCA_API_SECRET_KEY"))
        else:
            ok = (self.headers.get("Authorization") ==
                  "Bearer " + os.environ.get("POLYGON_API_KEY", "\0"))
        if not ok:
            return self.send(401, ERRORS[prov + "_401"], indent=not alpaca)
        if url.path == ASSETS:
            return self.assets(q)
        if url.path not in (ALPACA_SNAPS, POLY_SNAPS):
            return self.send(404, {"message": "not found"})
        with st.lock:
            st.nsnap += 1
            n = st.nsnap
            throttled = n == st.args.throttle_chunk
            if throttled:
                st.args.throttle_chunk = 0  # once
            if n == st.args.fail_chunk:
                st.fail_path = self.path    # this one, every time
            failing = self.path == st.fail_path
        a = st.args
        if throttled:
            return self.send(429, ERRORS[prov + "_429"],
                             [("Retry-After", "1")], indent=not alpaca)
        if failing:
            return self.send(500, ERRORS[prov + "_500"], indent=not alpaca)
        phase = 0
        if a.then:
            phase = max([0] + [s.d["then"]["after"] for s in st.syms
                               if "then" in s.d and n > s.d["then"]["after"]])
        key = (self.path, phase)
        body = st.cache.get(key)
        if body is None:
            if alpaca:
                body = self.alpaca_snaps(q, n)
            else:
                body = self.polygon_snaps(q, n)
            if isinstance(body, int):
                return self.send(body, ERRORS["alpaca_400"])
            st.cache[key] = body
        if n == a.bad_chunk:
            body = body[:len(body) // 2]
        return self.send(200, body)

    def assets(self, q):
        st = self.server.state
        if st.args.garbage_assets:
            return self.send(200, "<html><body>Service Unavailable"
                             "</body></html>\n")
        body = st.cache.get("assets?" + q.get("status", ""))
        if body is None:
            want = q.get("status")
            lst = [s.asset() for s in st.syms
                   if want is None or s.status == want]
            lst += st.assets_extra
            body = json.dumps(lst, separators=(",", ":")).encode()
            st.cache["assets?" + q.get("status", "")] = body
        return self.send(200, body)

    def alpaca_snaps(self, q, n):
        st = self.server.state
        moved = st.args.then
        if not q.get("symbols"):
            return 400
        out = {}
        for s in q["symbols"].split(","):
            sym = st.by_sym.get(s)
            if sym and moved:
                sym = sym.moved(n - 1)
            out[s] = sym.alpaca() if sym else None
        return json.dumps(out, separators=(",", ":")).encode()

    def polygon_snaps(self, q, n):
        st = self.server.state
        want = set(q["tickers"].split(",")) if q.get("tickers") else None
        syms = [s.moved(n - 1) if st.args.then else s for s in st.syms]
        tick = [s.polygon() for s in syms
                if s.status == "active" and
                (q.get("include_otc") == "true" or not s.d.get("otc")) and
                (want is None or s.sym in want)]
        body = {"status": "OK", "tickers": tick, "count": len(tick)}
        return json.dumps(body, indent=4).encode() + b"\n"


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ctx:
            sock = self.ctx.wrap_socket(sock, server_side=True,
                                        do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--universe")
    ap.add_argument("--gen", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--throttle-chunk", type=int, default=0)
    ap.add_argument("--fail-chunk", type=int, default=0)
    ap.add_argument("--bad-chunk", type=int, default=0)
    ap.add_argument("--garbage-assets", action="store_true")
    ap.add_argument("--then", action="store_true")
    ap.add_argument("--idle", type=float, default=300)
    args = ap.parse_args()
    if not args.gen and not args.universe:
        ap.error("--universe or --gen is required")

    srv = Server(("127.0.0.1", 0), Handler)
    srv.ctx = None
    if args.cert:
        srv.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        srv.ctx.load_cert_chain(args.cert, args.key)
    srv.state = State(args)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)

    def idle():
        while time.monotonic() - srv.state.last < args.idle:
            time.sleep(1)
        srv.shutdown()
    threading.Thread(target=idle, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
