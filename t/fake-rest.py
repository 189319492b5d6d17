#!/usr/bin/python3
"""fake-rest.py: a loopback fake of the Alpaca market-data and Polygon REST
endpoints that liu-stream history uses, for t/t1200-stream-history.sh.

It serves records copied from the providers' own fixtures (t/data/rest-
alpaca.json, t/data/rest-polygon.json; see t/data/README.md), paged as the
providers page them:

  GET /v2/stocks/{sym}/bars?timeframe=1Min|1Day&start&end&page_token...
  GET /v2/stocks/{sym}/trades?start&end&page_token...
      Alpaca: {"bars"|"trades":[...],"symbol":SYM,"next_page_token":T|null}
  GET /v2/aggs/ticker/{sym}/range/1/minute|day/{from}/{to}?cursor...
  GET /v3/trades/{sym}?timestamp.gte&timestamp.lt&cursor...
      Polygon: {"results":[...],"status":"OK",...,"next_url":URL} with an
      absolute next_url on https://api.polygon.io, as the real one sends.

A symbol's records in the window are split over three pages (fewer if it
has fewer records).  Alpaca bodies are compact, Polygon's indented, so the
client meets both.  Keys are checked against the fake's own environment
(APCA_API_KEY_ID, APCA_API_SECRET_KEY, POLYGON_API_KEY): wrong or missing
ones get the provider's 401, an apiKey in a URL a 400.  A symbol of no
record in the data is a 404; one without records in the window an empty
page.

Scenarios: --throttle N answers the first N requests 429 with Retry-After
(or, with --reset, X-Ratelimit-Reset); --sip-403 answers Alpaca requests
without feed=iex 403 "subscription does not permit querying recent SIP
data"; --corrupt takes "c" out of the first bar of Alpaca's second pages
(a record the client must skip); --garbage answers 200 with an HTML page.

It listens on 127.0.0.1, port 0 (the kernel's choice), over TLS with
--cert/--key, and writes its port to --port-file atomically once it
listens.  Each request is logged to --log as "METHOD PATH?QUERY STATUS"
with any apiKey value masked; no header is logged.  It exits on SIGTERM,
or after --idle seconds without a request (a safety net for a test that
dies before it kills it).  Run by /usr/bin/python3: stdlib only.
"""
import argparse
import base64
import datetime
import http.server
import json
import os
import re
import signal
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

ALPACA_BARS = re.compile(r"^/v2/stocks/([^/]+)/(bars|trades)$")
POLY_AGGS = re.compile(
    r"^/v2/aggs/ticker/([^/]+)/range/(\d+)/(minute|day)/([^/]+)/([^/]+)$")
POLY_TRADES = re.compile(r"^/v3/trades/([^/]+)$")
POLY_BASE = "https://api.polygon.io"


def rfc3339(s):
    """RFC 3339 (the forms Alpaca's records and our client use) to ns."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{1,9})?Z$", s)
    if not m:
        raise ValueError(s)
    d = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    d = d.replace(tzinfo=datetime.timezone.utc)
    frac = (m.group(2) or ".")[1:].ljust(9, "0")
    return int(d.timestamp()) * 10**9 + int(frac)


def polygon_ms(s):
    """Polygon's from/to: a ms timestamp or a date."""
    if s.isdigit():
        return int(s)
    d = datetime.datetime.strptime(s, "%Y-%m-%d")
    return int(d.replace(tzinfo=datetime.timezone.utc).timestamp()) * 1000


def pages(records, page):
    """Records of page 'page' of at most three, and whether more follow."""
    n = len(records)
    npages = max(1, min(3, n))
    lo, hi = page * n // npages, (page + 1) * n // npages
    return records[lo:hi], page + 1 < npages


def token(sym, page):
    return base64.b64encode(("%s|%d" % (sym, page)).encode()).decode()


def untoken(tok, sym):
    s, p = base64.b64decode(tok.encode()).decode().split("|")
    if s != sym:
        raise ValueError(tok)
    return int(p)


class State:
    def __init__(self, args):
        self.args = args
        self.alpaca = json.load(open(os.path.join(args.data,
                                                  "rest-alpaca.json")))
        self.polygon = json.load(open(os.path.join(args.data,
                                                   "rest-polygon.json")))
        # a symbol with records of any kind is known; others are 404s
        self.alpaca_syms = set(self.alpaca["trades"])
        for by_tf in self.alpaca["bars"].values():
            self.alpaca_syms |= set(by_tf)
        self.polygon_syms = set(self.polygon["trades"])
        for by_span in self.polygon["aggs"].values():
            self.polygon_syms |= set(by_span)
        self.lock = threading.Lock()
        self.nreq = 0
        self.last = time.monotonic()
        self.log = open(args.log, "a", buffering=1) if args.log else None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-rest"
    polygon_style = False

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, headers=()):
        if isinstance(body, (dict, list)):
            if self.polygon_style:
                data = json.dumps(body, indent=4).encode()
            else:
                data = json.dumps(body, separators=(",", ":")).encode()
            data += b"\n"
            ctype = "application/json; charset=utf-8"
        else:
            data = body.encode()
            ctype = "text/plain; charset=utf-8"
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
            shown = url.path + ("?" + urllib.parse.urlencode(q) if q else "")
            st.log.write("%s %s %d\n" % (self.command, shown, status))

    def do_GET(self):
        st = self.server.state
        with st.lock:
            st.nreq += 1
            n = st.nreq
            st.last = time.monotonic()
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        alpaca = url.path.startswith("/v2/stocks/")
        self.polygon_style = not alpaca
        data = st.alpaca if alpaca else st.polygon
        errors = data["errors"]
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
            return self.send(401, errors["401"])
        if n <= st.args.throttle:
            if st.args.reset:
                h = [("X-Ratelimit-Limit", "200"),
                     ("X-Ratelimit-Remaining", "0"),
                     ("X-Ratelimit-Reset", str(int(time.time()) + 2))]
            else:
                h = [("Retry-After", "1")]
            return self.send(429, errors["429"], h)
        if alpaca and st.args.sip_403 and q.get("feed") != "iex":
            return self.send(403, errors["403_sip"])
        if st.args.garbage:
            return self.send(200, "<html><body>Service Unavailable"
                             "</body></html>\n")
        try:
            m = ALPACA_BARS.match(url.path)
            if m:
                return self.alpaca(m, q)
            m = POLY_AGGS.match(url.path)
            if m:
                return self.polygon_aggs(m, q)
            m = POLY_TRADES.match(url.path)
            if m:
                return self.polygon_trades(m, q)
        except (ValueError, KeyError) as e:
            return self.send(400, {"message": "bad request: %s" % e})
        return self.send(404, errors["404"])

    def alpaca(self, m, q):
        st = self.server.state
        sym = urllib.parse.unquote(m.group(1))
        kind = m.group(2)
        if sym not in st.alpaca_syms:
            return self.send(404, st.alpaca["errors"]["404"])
        if kind == "bars":
            recs = st.alpaca["bars"].get(q["timeframe"], {}).get(sym, [])
        else:
            recs = st.alpaca["trades"].get(sym, [])
        lo, hi = rfc3339(q["start"]), rfc3339(q["end"])
        recs = [r for r in recs if lo <= rfc3339(r["t"]) <= hi]
        page = untoken(q["page_token"], sym) if "page_token" in q else 0
        part, more = pages(recs, page)
        if st.args.corrupt and kind == "bars" and page == 1 and part:
            part = [dict(part[0])] + part[1:]
            del part[0]["c"]
        return self.send(200, {kind: part, "symbol": sym,
                               "next_page_token":
                               token(sym, page + 1) if more else None})

    def polygon_page(self, sym, recs, q, base_path, base_query):
        page = untoken(q["cursor"], sym) if "cursor" in q else 0
        part, more = pages(recs, page)
        body = {}
        if part:
            body["results"] = part
        body.update({"status": "OK", "request_id": "fake-%d" % page,
                     "resultsCount": len(part)})
        if more:
            nq = [("cursor", token(sym, page + 1))] + base_query
            body["next_url"] = (POLY_BASE + base_path + "?" +
                                urllib.parse.urlencode(nq))
        return body

    def polygon_aggs(self, m, q):
        st = self.server.state
        sym = urllib.parse.unquote(m.group(1))
        if m.group(2) != "1" or sym not in st.polygon_syms:
            return self.send(404, st.polygon["errors"]["404"])
        recs = st.polygon["aggs"].get(m.group(3), {}).get(sym, [])
        lo, hi = polygon_ms(m.group(4)), polygon_ms(m.group(5))
        recs = [r for r in recs if lo <= r["t"] <= hi]
        keep = [(k, q[k]) for k in ("adjusted", "sort", "limit") if k in q]
        body = self.polygon_page(sym, recs, q, m.group(0), keep)
        body.update({"ticker": sym, "adjusted": q.get("adjusted") != "false",
                     "queryCount": len(recs)})
        return self.send(200, body)

    def polygon_trades(self, m, q):
        st = self.server.state
        sym = urllib.parse.unquote(m.group(1))
        if sym not in st.polygon_syms:
            return self.send(404, st.polygon["errors"]["404"])
        recs = st.polygon["trades"].get(sym, [])
        lo = int(q.get("timestamp.gte", 0))
        hi = int(q.get("timestamp.lt", 1 << 63))
        recs = [r for r in recs if lo <= r["sip_timestamp"] < hi]
        keep = [(k, q[k]) for k in ("timestamp.gte", "timestamp.lt",
                                    "order", "sort", "limit") if k in q]
        return self.send(200, self.polygon_page(sym, recs, q, m.group(0),
                                                keep))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ctx:
            # the handshake happens in the handler's thread, on first use
            sock = self.ctx.wrap_socket(sock, server_side=True,
                                        do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        # a client that refuses our certificate is part of the tests
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--data", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "data"))
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--throttle", type=int, default=0)
    ap.add_argument("--reset", action="store_true")
    ap.add_argument("--sip-403", action="store_true")
    ap.add_argument("--corrupt", action="store_true")
    ap.add_argument("--garbage", action="store_true")
    ap.add_argument("--idle", type=float, default=300)
    args = ap.parse_args()

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
    # SIGTERM ends it at once: the log is written a line at a time
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
