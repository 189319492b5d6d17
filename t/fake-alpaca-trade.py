#!/usr/bin/python3
# fake-alpaca-trade.py: a loopback fake of Alpaca's Trading API v2, the REST
# API and the trade_updates WebSocket, over a small simulated exchange, for
# liu-order's tests.  It speaks the wire protocol of ../shared/protocols.md
# (sections 2 and 6) with the shapes of ../shared/fixtures/alpaca/
# (fixtures.json, errors.json, sdk-requests/), and does what a scenario file
# (--script) tells it.
#
# Run it with /usr/bin/python3: it needs Debian's python3-websockets (10.4,
# the legacy asyncio API, still present in later versions), which another
# python3 first on PATH may not see.  t/lib-fake.sh starts it for a test
# (fake_trade_start).
"""usage: fake-alpaca-trade.py --port-file FILE
       (--cert FILE --key FILE | --plain) [--script FILE] [--log FILE]
       [--port N] [--max-time SECONDS]

Serves https:// (http:// with --plain) on 127.0.0.1, port N or one the
system picks (0, the default), and on the same port the trade_updates
WebSocket at /stream (wss://, ws:// with --plain), as Alpaca serves both
from one host: a client derives the stream URL from the base URL.  Once it
listens it writes the port, one line "PORT", to FILE (to FILE.tmp.PID
first, then renamed, so a reader never sees half of it).  The credentials
it accepts are APCA_API_KEY_ID and APCA_API_SECRET_KEY of its environment.
LIU_NOW (RFC 3339), when set, is the time its clock starts from.

REST.  JSON bodies, compact; numbers as strings ("qty":"10"); timestamps
RFC 3339 UTC with nanoseconds, trailing zeros trimmed, as Go writes them;
errors {"code":N,"message":TEXT}.
  POST   /v2/orders                      an order: 200 and the order object
  GET    /v2/orders                      status=open|closed|all (open),
                                         limit (50, at most 500), after,
                                         until (submitted_at, exclusive),
                                         direction=asc|desc (desc), nested,
                                         side, symbols=A,B
  GET    /v2/orders/{id}                 ?nested=true; 404; 422 if the id
                                         is not a UUID
  GET    /v2/orders:by_client_order_id   ?client_order_id=ID; 404
  PATCH  /v2/orders/{id}                 replace (qty, time_in_force,
                                         limit_price, stop_price, trail,
                                         client_order_id): the new order
  DELETE /v2/orders/{id}                 204; 404; 422 if not cancelable
  DELETE /v2/orders                      207 [{"id":ID,"status":200}, ...]
  GET    /v2/account
  GET    /v2/positions                   by symbol
  GET    /v2/positions/{symbol|asset_id}      404 "position does not exist"
  DELETE /v2/positions/{symbol|asset_id}      ?qty=N or percentage=P: a
                                         market order that closes it
  GET    /v2/assets/{symbol|asset_id}
  GET    /v2/clock                       New York time, is_open,
                                         next_open, next_close
  GET    /v2/calendar                    ?start&end (dates): the sessions
  POST   /_fake/steps                    not Alpaca's: the test's control.
                                         A step or a list of steps (see
                                         "Steps"), run at once; 200
                                         {"steps":N} when done, 400 if bad.
                                         No credentials needed
Every other request needs the headers APCA-API-KEY-ID and
APCA-API-SECRET-KEY; missing or wrong: 401 {"code":40110000,"message":
"request is not authorized"} (protocols.md; "auth_error" changes it).
Every answer carries X-Ratelimit-Limit, X-Ratelimit-Remaining and
X-Ratelimit-Reset (epoch seconds), the limit "rate_limit" or 200.  Unknown
paths get 404, other methods 405.  An HTTP/1.1 connection is kept alive.

POST /v2/orders is checked as Alpaca checks it, 422 {"code":40010001,...}
for the first fault found: symbol; qty XOR notional ("qty or notional is
required", "only one of qty or notional is accepted": verbatim, errors.json);
side buy|sell; type market|limit|stop|stop_limit|trailing_stop; time_in_force
day|gtc|opg|cls|ioc|fok; limit_price for limit and stop_limit and not for
the others, stop_price for stop and stop_limit; trail_price XOR
trail_percent for trailing_stop, day or gtc only; notional and fractional
qty for market day orders only; extended_hours for limit day orders only
('only type="limit" is allowed for extended hours orders', observed);
order_class ""|simple|bracket|oco|oto with take_profit.limit_price and
stop_loss.stop_price (and .limit_price) as each needs, day or gtc, the
take-profit on the profit side of the stop (above it for the exits of a
long: a bracket buy, an oco sell); client_order_id at
most 48 characters and unique ("client_order_id must be unique", observed;
code 40010001); prices in cents (1/100 of a cent under $1), else 422
42210000 "invalid limit_price 1.234. sub-penny increment does not fulfill
minimum pricing criteria"; position_intent when given.  Then the account:
403 {"code":40310000,...} for "insufficient buying power" (with
buying_power and cost_basis, as errors.json's observed body), "insufficient
qty available for order (requested: N, available: M)" (with available,
existing_qty, held_for_orders, symbol: a sell larger than the long position
less what open sells hold; no order turns long into short), "account is not
allowed to short" (shorting_enabled false), 'asset "X" is not shortable'
(made up), "cannot open a long buy while a short sell order is open" (and
its mirror; observed), 422 'asset "X" is not tradable' or '... is not
fractionable' for a symbol set so (made up), and 422 42210000 "potential
wash trade detected. use complex orders" (observed) when the order could
trade against an opposite open limit or market order of the account.
Texts not from a fixture or an observed answer are made up in the same
style; a client should key on the status and the code.

trade_updates, at /stream.  The client speaks first:
  > {"action":"authenticate","data":{"key_id":K,"secret_key":S}}
  < {"stream":"authorization","data":{"status":"authorized",
     "action":"authenticate"}}       ("unauthorized" for wrong ones)
  > {"action":"listen","data":{"streams":["trade_updates"]}}
  < {"stream":"listening","data":{"streams":["trade_updates"]}}
A listen before the authorization gets {"stream":"authorization","data":
{"status":"unauthorized","action":"listen"}}; an empty list stops the
events; other messages are ignored.  Then every listening connection gets
{"stream":"trade_updates","data":{...}} for every order of the account (the
client's, and those placed by hand): new, partial_fill, fill, canceled,
expired, replaced, rejected, done_for_day, and any other a step sends.  The
data object's keys are sorted, as in the docs' verbatim fill example (a Go
map): event, execution_id, order, position_qty, price, qty, timestamp for
fills (price and qty of this execution, position_qty after it), event,
order, timestamp for the others; the order object is the REST one with
sorted keys and "cancel_requested_at", as in that example.  Frames are
binary, as the paper endpoint sends them ("binary": false for text).
Events while no connection listens are lost, as Alpaca's are: the client
must rebuild them from each order's filled_qty.

The exchange.  Each symbol has a price ("price", 100 by default); an order
is "accepted" when it is created and, while the clock is open (or for an
extended_hours order), routed: "new" then, after "fill_delay_ms", filled
when marketable: a market order at the price; a limit buy when the price is
at or under the limit, a sell at or over, at the price; a stop or
stop_limit once the price reaches the stop; a trailing_stop from the high
(low for a buy) water mark, "hwm" in the order.  "partial": [Q, ...] fills
Q first, then the next, "fill_gap_ms" apart, the rest last.  Orders that
are not marketable rest until a "price" step moves the price across them;
ioc fills what it can and cancels the rest, fok all or nothing.  Notional
orders get a fractional qty at the fill.  A bracket's legs (take-profit
limit and stop-loss stop or stop_limit) are "held" (Alpaca's status for a
leg that waits on its entry, missing from protocols.md's list) until the
entry fills, then "new"; a fill of one leg cancels the other, the same for
oco (the order itself is the take-profit limit, its one leg the stop, both
exits on its side) and oto (one leg).  A cancel takes effect once its 204
is written: the order is pending_cancel, then, after "cancel_delay_ms",
canceled (with its legs).  A replace (PATCH) makes a new order (replaces:
the old id) of what is left: "replaced" for the old one (replaced_by: the
new id), then "new".  Fills move the positions (average entry price of
the opening fills) and the cash; buying power is multiplier x equity less
the long and short market value, less what open opening orders reserve.
The clock is open unless "clock" says otherwise; orders accepted while it
is closed are routed by a "clock" step that opens it.  Ids are UUIDs from
a random generator seeded with "seed": the same run gives the same ids.

Scenario: a JSON object, every key optional, checked in full before the
server starts:
  "seed": N                    the ids' seed (1)
  "price": P                   the price of a symbol not in "symbols" (100)
  "symbols": {SYM: {...}}      per symbol: "price", "lastday_price" (the
                               price), "partial", "mode": "fill" (the rules
                               above) | "hold" (never filled but by a "fill"
                               step) | "reject" (accepted, then "rejected"),
                               "shortable", "easy_to_borrow",
                               "fractionable", "tradable", "marginable"
                               (true), "exchange" ("NASDAQ"), "name"
  "strict_symbols": true       only symbols of "symbols", "positions" and
                               "orders" exist; others: 422 'asset "X" not
                               found' (made up) and asset 404
  "partial": [Q, ...]          the partial fills of every symbol
  "fill_delay_ms": N           from "new" to the first fill (0)
  "fill_gap_ms": N             between partial fills (0)
  "cancel_delay_ms": N         from a cancel to "canceled" (0)
  "early_events": true         the events of an order go out before the
                               answer to its POST (after, by default)
  "account": {...}             "cash" (100000), "multiplier" (1),
                               "shorting_enabled" (true), "last_equity",
                               "pattern_day_trader", "trading_blocked",
                               "account_blocked" (false), "daytrade_count"
                               (0); a blocked account gets 403 "account is
                               not authorized to trade" (made up)
  "positions": {SYM: {"qty": Q, "avg_entry_price": P}}   at the start
  "orders": [ORDER, ...]       orders placed by hand at the start: bodies
                               of POST /v2/orders (a bad one is a scenario
                               error); the client never sent them
  "clock": {...}               "is_open": true (default) | false | "auto"
                               (the session hours of New York, 09:30 to
                               16:00 on weekdays), "time": RFC 3339 (else
                               LIU_NOW, else now), "frozen": true (the
                               time does not move), "holidays": [DATE],
                               "early_closes": {DATE: "HH:MM"}
  "submit": [ANSWER, ...]      the answers to successive POST /v2/orders;
                               after the list, "ok" (with "cycle": true,
                               the list again)
  "answers": {ROUTE: [ANSWER, ...]}   the same for any route, named as in
                               the table above: "GET /v2/orders/{id}",
                               "GET /v2/orders:by_client_order_id",
                               "DELETE /v2/orders/{id}", ...
  "cycle": true                repeat the answer lists
  "rate_limit": N              N requests a minute, then 429 until the
                               window (60 s from its first request) ends;
                               the headers say N.  Without it nothing is
                               refused and the headers say 200
  "rate_window_s": S           the window, not Alpaca's: S seconds (60),
                               to keep a test of the rate limit short
  "retry_after_s": N           Retry-After and X-Ratelimit-Reset of a
                               scripted 429: now + N (1)
  "auth_error": {"status": N, "body": B}   the answer to bad credentials
  "stream": {...}              the trade_updates connections, at the top
                               for all, or per connection in "connections":
                               [{...}, ...] (the last serves every later
                               one): "binary" (true), "auth": [A, ...]
                               answers to successive authenticate messages,
                               "ok" (check the keys) | "refuse"
                               (unauthorized) | "ignore", the last
                               repeated; "listen": "ok" | "ignore";
                               "drop_after": K (close the TCP connection,
                               no close frame, after K events);
                               "close_after": K with "close_code" (1000) and
                               "close_reason"; "http": STATUS (refuse the
                               upgrade); "handshake_delay_ms": N
  "steps": [STEP, ...]         run from the start, in order

ANSWER: "ok"; "timeout" (do it, create the order, but never answer: the
connection stays open until the client leaves); "drop" (do it, then close
the connection without an answer); "500_after_create" (or "NNN_after" for
any status: do it, answer NNN); a status 400-599, as a number or a string
("500", "429", 403, ...): do nothing, answer it with Alpaca's body for it
(403 {"code":40310000,"message":"insufficient buying power"}, 404
{"code":40410000,...}, 422 {"code":42210000,"message":"error"} as
errors.json has it, 429 the text "too many requests" with X-Ratelimit-*
and Retry-After, 500 {"code":50010000,"message":"internal server error"},
others {"code":NNN00000,"message":PHRASE}); {"status": N, "body": B,
"headers": {...}} for an exact answer; {"delay_ms": N}: do it, answer late;
"too_late" (DELETE /v2/orders/{id} only): 204, but the order fills before
the cancel reaches the exchange.

Steps (each may carry "delay_ms": N, a wait before it):
  {"wait": KIND, "count": N, "timeout_ms": T}   until N (1) KIND have
        happened since the start: "orders" (created by POST), "fills",
        "listens" (listen answered), "drops" (stream connections the fake
        ended), "requests" (REST); after T ms (60000) "# timeout KIND" in
        the log and the steps stop.  From a wait for drops to the next
        wait (or the end), no listen is answered: what those steps do
        happens while the client is away
  {"price": {SYM: P, ...}}        move prices; orders that cross fill
  {"fill": SEL, "qty": Q, "price": P}   fill (Q: the rest, P: the price)
  {"event": NAME, "orders": SEL}  send NAME (canceled, expired,
        done_for_day, rejected, suspended, stopped, pending_new,
        calculated, new, ...) and set the status it implies
  {"order": ORDER}                place an order by hand
  {"clock": {"is_open": B, "time": T}}   opening routes accepted orders
  {"account": {...}}              change the account's settings
  {"drop": true}                  end every stream connection, no close
  {"close": CODE, "reason": R}    close every stream connection
SEL: "open" (every open order), "last" (the last created), a
client_order_id, or a list of them.

--log FILE gets one line per REST request, "METHOD PATH?QUERY STATUS"
(STATUS "timeout" or "drop" for those answers), and per stream message: a
client frame as sent ("# binary TEXT" if binary), the credentials of an
authenticate message replaced by ***, and these markers:
    # connection N /stream   an upgrade request (N counts from 1)
    # http N STATUS          connection N refused
    # event N EVENT COID     an event sent on connection N (COID: the
                             order's client_order_id)
    # lost EVENT COID        an event no connection was listening for
    # drop N | # close N CODE    the fake ends connection N
    # listening N [none]     connection N was answered "listening" (to
                             an empty list: "none"); after a wait for
                             drops, only once the steps that follow ran
    # closed N CODE          connection N ended (1006: no close frame)
    # timeout KIND           a wait step gave up
    # order STATUS MESSAGE   an order of a step refused
No header, credential or body is ever written.
--max-time ends the fake after SECONDS (600), should a test leak it.

Exit status: 2 for a usage or scenario error, 3 when the server cannot
start; a signal ends it otherwise.
"""

import argparse
import calendar
import copy
import decimal
import json
import os
import random
import re
import sys
import time
import traceback
import urllib.parse
import uuid
from decimal import Decimal as D
from http import HTTPStatus

PROG = "fake-alpaca-trade"


def die(msg, code=2):
    sys.stderr.write("%s: %s\n" % (PROG, msg))
    sys.exit(code)


def load_runtime():
    """The server's modules, imported once the scenario is known to be
    good."""
    global asyncio, ssl, ConnectionClosed, Headers
    global WebSocketServerProtocol, serve
    import asyncio
    import ssl
    try:
        from websockets.datastructures import Headers
        from websockets.exceptions import ConnectionClosed
        from websockets.legacy.server import WebSocketServerProtocol, serve
    except ImportError as e:
        die("python3-websockets is missing (%s); run it with "
            "/usr/bin/python3" % e, 3)


decimal.getcontext().prec = 34

# The order object, in the order of the docs' entity (order-v2.yaml, as
# protocols.md section 2 lists it), and position_intent where alpaca-py's
# fixtures have it.
ORDER_KEYS = (
    "id", "client_order_id", "created_at", "updated_at", "submitted_at",
    "filled_at", "expired_at", "canceled_at", "failed_at", "replaced_at",
    "replaced_by", "replaces", "asset_id", "symbol", "asset_class",
    "notional", "qty", "filled_qty", "filled_avg_price", "order_class",
    "order_type", "type", "side", "time_in_force", "limit_price",
    "stop_price", "status", "extended_hours", "legs", "trail_percent",
    "trail_price", "hwm", "position_intent")
# entities/account-v2.yaml, as protocols.md lists it
ACCOUNT_ID = "e6fe16f3-64a4-4921-8928-cadf02f92f98"
ACCOUNT_NUMBER = "010203ABCD"
ACCOUNT_CREATED = "2019-06-12T22:47:07.99658Z"

TYPES = ("market", "limit", "stop", "stop_limit", "trailing_stop")
TIFS = ("day", "gtc", "opg", "cls", "ioc", "fok")
CLASSES = ("", "simple", "bracket", "oco", "oto")
INTENTS = ("buy_to_open", "buy_to_close", "sell_to_open", "sell_to_close")
TERMINAL = ("filled", "canceled", "expired", "replaced", "rejected")
WORKING = ("new", "partially_filled")
# an event a step may send, and the status it sets (None: unchanged)
EVENT_STATUS = {
    "new": "new", "accepted": "accepted", "pending_new": "pending_new",
    "canceled": "canceled", "expired": "expired",
    "done_for_day": "done_for_day", "rejected": "rejected",
    "replaced": "replaced", "pending_cancel": "pending_cancel",
    "pending_replace": "pending_replace", "stopped": "stopped",
    "suspended": "suspended", "calculated": "calculated",
    "accepted_for_bidding": "accepted_for_bidding",
    "order_replace_rejected": None, "order_cancel_rejected": None,
    "restated": None,
}
ROUTES = (
    "POST /v2/orders", "GET /v2/orders", "DELETE /v2/orders",
    "GET /v2/orders:by_client_order_id", "GET /v2/orders/{id}",
    "PATCH /v2/orders/{id}", "DELETE /v2/orders/{id}", "GET /v2/account",
    "GET /v2/positions", "GET /v2/positions/{symbol}",
    "DELETE /v2/positions/{symbol}", "GET /v2/assets/{symbol}",
    "GET /v2/clock", "GET /v2/calendar")
ROUTE_RE = (
    (re.compile(r"^/v2/orders$"), "/v2/orders"),
    (re.compile(r"^/v2/orders:by_client_order_id$"),
     "/v2/orders:by_client_order_id"),
    (re.compile(r"^/v2/orders/([^/]+)$"), "/v2/orders/{id}"),
    (re.compile(r"^/v2/account$"), "/v2/account"),
    (re.compile(r"^/v2/positions$"), "/v2/positions"),
    (re.compile(r"^/v2/positions/([^/]+)$"), "/v2/positions/{symbol}"),
    (re.compile(r"^/v2/assets/([^/]+)$"), "/v2/assets/{symbol}"),
    (re.compile(r"^/v2/clock$"), "/v2/clock"),
    (re.compile(r"^/v2/calendar$"), "/v2/calendar"),
)
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                     r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SYMBOL_RE = re.compile(r"^[A-Z][A-Z0-9.]{0,15}$")
NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
DATE_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)$")
TIME_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)"
                     r"(\.\d{1,9})?([Zz]|[+-]\d\d:\d\d)$")
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

# Error bodies.  Sources: errors.json and protocols.md section 2; the rest
# made up in the same style (see the --help text).
E_AUTH = {"code": 40110000, "message": "request is not authorized"}
E_ORDER_404 = {"code": 40410000, "message": "order not found"}
E_POSITION_404 = {"code": 40410000, "message": "position does not exist"}
E_ORDER_ID = {"code": 40010001, "message": "order_id is missing"}
E_SHORT = {"code": 40310000, "message": "account is not allowed to short"}
E_BODY = {"code": 40010000, "message": "request body format is invalid"}
E_WASH = {"code": 42210000,
          "message": "potential wash trade detected. use complex orders"}
DEFAULT_BODY = {
    403: {"code": 40310000, "message": "insufficient buying power"},
    404: {"code": 40410000, "message": "not found"},
    422: {"code": 42210000, "message": "error"},
    500: {"code": 50010000, "message": "internal server error"},
}
TOO_MANY = "too many requests\n"


class ScenarioError(Exception):
    pass


class Refused(Exception):
    """An order the broker refuses: the HTTP status and the body."""

    def __init__(self, status, body):
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body


def invalid(msg, code=40010001):
    return Refused(422, {"code": code, "message": msg})


# numbers and times ------------------------------------------------------

def num(v):
    """A number of a request or a scenario: a JSON number or a string of
    one, as a Decimal; ValueError otherwise."""
    if isinstance(v, bool) or v is None:
        raise ValueError(v)
    if isinstance(v, (int, D)):
        return D(v)
    if isinstance(v, float):
        return D(repr(v))
    if isinstance(v, str) and NUM_RE.match(v.strip()):
        return D(v.strip())
    raise ValueError(v)


def fmt(d):
    """A Decimal as Alpaca writes it: plain digits, no exponent, no
    trailing zeros ("400.00" is "400")."""
    if d is None:
        return None
    if d == 0:
        return "0"
    return format(d.normalize(), "f")


def q9(d, rounding=decimal.ROUND_HALF_EVEN):
    return d.quantize(D("1e-9"), rounding=rounding)


def ratio(a, b):
    return "0" if b == 0 else fmt(q9(a / b))


def rfc3339(ns, offset_s=None):
    """ns since the epoch as RFC 3339 with trimmed nanoseconds: in UTC
    ("Z"), or at OFFSET_S seconds from it."""
    secs, frac = divmod(ns, 10**9)
    s = time.strftime("%Y-%m-%dT%H:%M:%S",
                      time.gmtime(secs + (offset_s or 0)))
    if frac:
        s += "." + ("%09d" % frac).rstrip("0")
    if offset_s is None:
        return s + "Z"
    sign = "-" if offset_s < 0 else "+"
    return s + "%s%02d:%02d" % (sign, abs(offset_s) // 3600,
                                abs(offset_s) % 3600 // 60)


def parse_time(s):
    """RFC 3339, or a date (midnight UTC), to ns; ValueError if not."""
    if not isinstance(s, str):
        raise ValueError(s)
    m = DATE_RE.match(s)
    if m:
        return calendar.timegm((int(m.group(1)), int(m.group(2)),
                                int(m.group(3)), 0, 0, 0)) * 10**9
    m = TIME_RE.match(s)
    if not m:
        raise ValueError(s)
    y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
    if not (1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and
            sec < 61):
        raise ValueError(s)
    t = calendar.timegm((y, mo, d, h, mi, sec))
    tz = m.group(8)
    if tz not in ("Z", "z"):
        off = int(tz[1:3]) * 3600 + int(tz[4:6]) * 60
        t -= off if tz[0] == "+" else -off
    frac = (m.group(7) or ".")[1:].ljust(9, "0")
    return t * 10**9 + int(frac)


def ny_offset(utc_s):
    """New York's offset from UTC at UTC_S: -4 h from the second Sunday of
    March, 2:00, to the first Sunday of November, 2:00, else -5 h."""
    year = time.gmtime(utc_s).tm_year

    def sunday(month, nth):
        first = calendar.weekday(year, month, 1)     # Monday is 0
        return 1 + (6 - first) % 7 + 7 * (nth - 1)
    start = calendar.timegm((year, 3, sunday(3, 2), 7, 0, 0))
    end = calendar.timegm((year, 11, sunday(11, 1), 6, 0, 0))
    return -4 * 3600 if start <= utc_s < end else -5 * 3600


def ny_local(date, hhmm):
    """Seconds since the epoch of HH:MM in New York on DATE (y, m, d)."""
    h, m = hhmm
    t = calendar.timegm(date + (h, m, 0))
    return t - ny_offset(t + 5 * 3600)


class Clock:
    """The fake's time: a start (scenario, LIU_NOW or now) that moves with
    the monotonic clock unless frozen; the session calendar of New York."""

    def __init__(self, spec, liu_now):
        self.mono0 = time.monotonic_ns()
        if "time" in spec:
            self.base = parse_time(spec["time"])
        elif liu_now is not None:
            self.base = liu_now
        else:
            self.base = time.time_ns()
        self.frozen = spec.get("frozen", False)
        self.is_open_cfg = spec.get("is_open", True)
        self.holidays = set(spec.get("holidays", []))
        self.early = {}
        for d, hm in spec.get("early_closes", {}).items():
            m = HHMM_RE.match(hm)
            self.early[d] = (int(m.group(1)), int(m.group(2)))

    def now(self):
        if self.frozen:
            return self.base
        return self.base + time.monotonic_ns() - self.mono0

    def set_time(self, ns):
        self.base = ns
        self.mono0 = time.monotonic_ns()

    def session(self, date):
        """(open, close) of DATE in epoch seconds, or None."""
        key = "%04d-%02d-%02d" % date
        if calendar.weekday(*date) >= 5 or key in self.holidays:
            return None
        close = self.early.get(key, (16, 0))
        return ny_local(date, (9, 30)), ny_local(date, close)

    def sessions(self, first_s, days):
        t = time.gmtime(first_s + ny_offset(first_s))
        y, m, d = t.tm_year, t.tm_mon, t.tm_mday
        out = []
        for i in range(days):
            day = time.gmtime(calendar.timegm((y, m, d, 12, 0, 0)) +
                              i * 86400)
            date = (day.tm_year, day.tm_mon, day.tm_mday)
            s = self.session(date)
            if s:
                out.append((date, s))
        return out

    def scheduled_open(self, now_s):
        return any(o <= now_s < c for _, (o, c) in
                   self.sessions(now_s - 86400, 3))

    def is_open(self):
        if self.is_open_cfg == "auto":
            return self.scheduled_open(self.now() // 10**9)
        return self.is_open_cfg

    def json(self):
        ns = self.now()
        s = ns // 10**9
        nxt = [x for _, x in self.sessions(s - 86400, 20)]
        nopen = min(o for o, c in nxt if o > s)
        nclose = min(c for o, c in nxt if c > s)
        return {"timestamp": rfc3339(ns, ny_offset(s)),
                "is_open": self.is_open(),
                "next_open": rfc3339(nopen * 10**9, ny_offset(nopen)),
                "next_close": rfc3339(nclose * 10**9, ny_offset(nclose))}


# the scenario -----------------------------------------------------------

def is_int(v, lo=0):
    return isinstance(v, int) and not isinstance(v, bool) and v >= lo


SYMBOL_KEYS = ("price", "lastday_price", "partial", "mode", "shortable",
               "easy_to_borrow", "fractionable", "tradable", "marginable",
               "exchange", "name")
ACCOUNT_KEYS = ("cash", "multiplier", "shorting_enabled", "last_equity",
                "pattern_day_trader", "trading_blocked", "account_blocked",
                "daytrade_count")
CLOCK_KEYS = ("is_open", "time", "frozen", "holidays", "early_closes")
STREAM_DEFAULTS = {
    "binary": True, "auth": ["ok"], "listen": "ok", "drop_after": None,
    "close_after": None, "close_code": 1000, "close_reason": "",
    "http": None, "handshake_delay_ms": 0,
}
TOP_KEYS = ("seed", "price", "symbols", "strict_symbols", "partial",
            "fill_delay_ms", "fill_gap_ms", "cancel_delay_ms",
            "early_events", "account", "positions", "orders", "clock",
            "submit", "answers", "cycle", "rate_limit", "rate_window_s",
            "retry_after_s",
            "auth_error", "stream", "steps")
STEP_ACTIONS = ("wait", "price", "fill", "event", "order", "clock",
                "account", "drop", "close")
STEP_OPTIONS = {"wait": ("count", "timeout_ms"), "fill": ("qty", "price"),
                "event": ("orders",), "close": ("reason",)}
WAIT_KINDS = ("orders", "fills", "listens", "drops", "requests")
ANSWER_RE = re.compile(r"^([45]\d\d)(_after(_create)?)?$")


class Scenario:
    """The scenario file, checked in full before the server starts, so a
    typing error in a test is a clear message, not a silent default."""

    def __init__(self, obj):
        if not isinstance(obj, dict):
            raise ScenarioError("a scenario is a JSON object")
        for k in obj:
            if k not in TOP_KEYS:
                raise ScenarioError("unknown key %r" % k)
        self.obj = obj
        self.seed = obj.get("seed", 1)
        if not is_int(self.seed):
            raise ScenarioError('"seed" must be an integer >= 0')
        self.price = self.price_of(obj.get("price", 100), "price")
        self.partial = self.partial_of(obj.get("partial", []), "partial")
        for k in ("fill_delay_ms", "fill_gap_ms", "cancel_delay_ms"):
            if not is_int(obj.get(k, 0)):
                raise ScenarioError('"%s" must be an integer >= 0' % k)
        self.fill_delay = obj.get("fill_delay_ms", 0) / 1000
        self.fill_gap = obj.get("fill_gap_ms", 0) / 1000
        self.cancel_delay = obj.get("cancel_delay_ms", 0) / 1000
        for k in ("early_events", "strict_symbols", "cycle"):
            if not isinstance(obj.get(k, False), bool):
                raise ScenarioError('"%s" is true or false' % k)
        self.early_events = obj.get("early_events", False)
        self.strict = obj.get("strict_symbols", False)
        self.cycle = obj.get("cycle", False)
        self.symbols = self.check_symbols(obj.get("symbols", {}))
        self.account = self.check_account(obj.get("account", {}),
                                          "account")
        self.positions = self.check_positions(obj.get("positions", {}))
        self.orders = obj.get("orders", [])
        if not isinstance(self.orders, list) or \
           not all(isinstance(o, dict) for o in self.orders):
            raise ScenarioError('"orders" is a list of order objects')
        self.clock = self.check_clock(obj.get("clock", {}), "clock", True)
        self.answers = self.check_answers(obj)
        self.rate_limit = obj.get("rate_limit")
        if self.rate_limit is not None and not is_int(self.rate_limit, 1):
            raise ScenarioError('"rate_limit" must be an integer >= 1')
        self.rate_window = obj.get("rate_window_s", 60)
        if not is_int(self.rate_window, 1):
            raise ScenarioError('"rate_window_s" must be an integer >= 1')
        self.retry_after = obj.get("retry_after_s", 1)
        if not is_int(self.retry_after, 1):
            raise ScenarioError('"retry_after_s" must be an integer >= 1')
        self.auth_error = self.check_auth_error(obj.get("auth_error"))
        self.streams = self.check_stream(obj.get("stream", {}))
        self.steps = self.check_steps(obj.get("steps", []), "steps")

    @staticmethod
    def price_of(v, where):
        try:
            p = num(v)
        except ValueError:
            p = None
        if p is None or p <= 0:
            raise ScenarioError('%s: a price is a number > 0' % where)
        return p

    @staticmethod
    def partial_of(v, where):
        if not isinstance(v, list):
            raise ScenarioError('%s: a list of quantities' % where)
        out = []
        for q in v:
            try:
                out.append(num(q))
            except ValueError:
                raise ScenarioError('%s: %r is not a quantity' % (where, q))
            if out[-1] <= 0:
                raise ScenarioError('%s: quantities are > 0' % where)
        return out

    def check_symbols(self, syms):
        if not isinstance(syms, dict):
            raise ScenarioError('"symbols" is an object')
        out = {}
        for sym, s in syms.items():
            where = "symbols.%s" % sym
            if not SYMBOL_RE.match(sym):
                raise ScenarioError("%s: not a symbol" % where)
            if not isinstance(s, dict):
                raise ScenarioError("%s: an object" % where)
            for k, v in s.items():
                if k not in SYMBOL_KEYS:
                    raise ScenarioError("%s: unknown key %r" % (where, k))
                if k in ("price", "lastday_price"):
                    self.price_of(v, "%s.%s" % (where, k))
                elif k == "partial":
                    self.partial_of(v, where + ".partial")
                elif k == "mode" and v not in ("fill", "hold", "reject"):
                    raise ScenarioError('%s: "mode" is "fill", "hold" or '
                                        '"reject"' % where)
                elif k in ("exchange", "name") and not isinstance(v, str):
                    raise ScenarioError('%s: "%s" is a string' % (where, k))
                elif k in ("shortable", "easy_to_borrow", "fractionable",
                           "tradable", "marginable") and \
                        not isinstance(v, bool):
                    raise ScenarioError('%s: "%s" is true or false'
                                        % (where, k))
            out[sym] = s
        return out

    def check_account(self, a, where):
        if not isinstance(a, dict):
            raise ScenarioError('"%s" is an object' % where)
        for k, v in a.items():
            if k not in ACCOUNT_KEYS:
                raise ScenarioError("%s: unknown key %r" % (where, k))
            if k in ("cash", "last_equity"):
                try:
                    num(v)
                except ValueError:
                    raise ScenarioError('%s: "%s" is a number' % (where, k))
            elif k == "multiplier" and v not in (1, 2, 4, "1", "2", "4"):
                raise ScenarioError('%s: "multiplier" is 1, 2 or 4' % where)
            elif k == "daytrade_count" and not is_int(v):
                raise ScenarioError('%s: "daytrade_count" is an integer'
                                    % where)
            elif k in ("shorting_enabled", "pattern_day_trader",
                       "trading_blocked", "account_blocked") and \
                    not isinstance(v, bool):
                raise ScenarioError('%s: "%s" is true or false'
                                    % (where, k))
        return a

    def check_positions(self, ps):
        if not isinstance(ps, dict):
            raise ScenarioError('"positions" is an object')
        for sym, p in ps.items():
            where = "positions.%s" % sym
            if not SYMBOL_RE.match(sym) or not isinstance(p, dict):
                raise ScenarioError("%s: a symbol and an object" % where)
            for k in p:
                if k not in ("qty", "avg_entry_price"):
                    raise ScenarioError("%s: unknown key %r" % (where, k))
            try:
                if num(p.get("qty")) == 0:
                    raise ValueError()
            except ValueError:
                raise ScenarioError('%s: "qty" is a number, not 0' % where)
            if "avg_entry_price" in p:
                self.price_of(p["avg_entry_price"], where)
        return ps

    @staticmethod
    def check_clock(c, where, top):
        if not isinstance(c, dict):
            raise ScenarioError('"%s" is an object' % where)
        keys = CLOCK_KEYS if top else ("is_open", "time")
        for k, v in c.items():
            if k not in keys:
                raise ScenarioError("%s: unknown key %r" % (where, k))
            if k == "is_open" and v not in (True, False, "auto"):
                raise ScenarioError('%s: "is_open" is true, false or '
                                    '"auto"' % where)
            if k == "frozen" and not isinstance(v, bool):
                raise ScenarioError('%s: "frozen" is true or false' % where)
            if k == "time":
                try:
                    parse_time(v)
                except ValueError:
                    raise ScenarioError('%s: "time" is RFC 3339' % where)
            if k == "holidays" and not (
                    isinstance(v, list) and
                    all(isinstance(d, str) and DATE_RE.match(d)
                        for d in v)):
                raise ScenarioError('%s: "holidays" is a list of dates'
                                    % where)
            if k == "early_closes" and not (
                    isinstance(v, dict) and
                    all(DATE_RE.match(d) and isinstance(t, str) and
                        HHMM_RE.match(t) for d, t in v.items())):
                raise ScenarioError('%s: "early_closes" maps dates to '
                                    '"HH:MM"' % where)
        return c

    def check_answer(self, a, route, where):
        if a in ("ok", "timeout", "drop"):
            return a
        if a == "too_late":
            if route != "DELETE /v2/orders/{id}":
                raise ScenarioError('%s: "too_late" is for DELETE '
                                    '/v2/orders/{id}' % where)
            return a
        if is_int(a):
            a = str(a)
        if isinstance(a, str):
            m = ANSWER_RE.match(a)
            if m and int(m.group(1)) in HTTPStatus.__members__.values():
                return a
        if isinstance(a, dict):
            if set(a) == {"delay_ms"} and is_int(a["delay_ms"]):
                return a
            st = a.get("status")
            if is_int(st, 200) and st < 600 and st != 204 and \
               st in HTTPStatus.__members__.values() and \
               set(a) <= {"status", "body", "headers"} and \
               isinstance(a.get("headers", {}), dict) and \
               all(isinstance(k, str) and isinstance(v, str)
                   for k, v in a.get("headers", {}).items()):
                return a
        raise ScenarioError("%s: bad answer %s" % (where, json.dumps(a)))

    def check_answers(self, obj):
        answers = obj.get("answers", {})
        if not isinstance(answers, dict):
            raise ScenarioError('"answers" is an object')
        out = {}
        for route, lst in answers.items():
            if route not in ROUTES:
                raise ScenarioError("answers: unknown route %r (one of "
                                    "%s)" % (route, ", ".join(ROUTES)))
            out[route] = lst
        if "submit" in obj:
            if "POST /v2/orders" in out:
                raise ScenarioError('"submit" and answers."POST '
                                    '/v2/orders" both given')
            out["POST /v2/orders"] = obj["submit"]
        for route, lst in out.items():
            where = "submit" if route == "POST /v2/orders" and \
                "submit" in obj else "answers.%s" % route
            if not isinstance(lst, list) or not lst:
                raise ScenarioError("%s: a non-empty list" % where)
            out[route] = [self.check_answer(a, route, "%s[%d]" % (where, i))
                          for i, a in enumerate(lst)]
        return out

    @staticmethod
    def check_auth_error(a):
        if a is None:
            return (401, E_AUTH)
        if not isinstance(a, dict) or set(a) - {"status", "body"} or \
           not is_int(a.get("status"), 400) or a["status"] >= 500:
            raise ScenarioError('"auth_error" is {"status": 4xx, "body": '
                                '...}')
        return (a["status"], a.get("body", E_AUTH))

    def check_stream(self, s):
        if not isinstance(s, dict):
            raise ScenarioError('"stream" is an object')
        conns = s.get("connections", [{}])
        if not isinstance(conns, list) or not conns:
            raise ScenarioError('stream: "connections" is a non-empty list')
        top = {k: v for k, v in s.items() if k != "connections"}
        out = []
        for i, c in enumerate(conns):
            where = "stream.connections[%d]" % i if "connections" in s \
                else "stream"
            if not isinstance(c, dict):
                raise ScenarioError("%s: an object" % where)
            spec = copy.deepcopy(STREAM_DEFAULTS)
            for src in (top, c):
                for k, v in src.items():
                    if k not in STREAM_DEFAULTS:
                        raise ScenarioError("%s: unknown key %r"
                                            % (where, k))
                    spec[k] = v
            self.check_conn(spec, where)
            out.append(spec)
        return out

    @staticmethod
    def check_conn(s, where):
        def bad(msg):
            raise ScenarioError("%s: %s" % (where, msg))
        if not isinstance(s["binary"], bool):
            bad('"binary" is true or false')
        if not isinstance(s["auth"], list):
            s["auth"] = [s["auth"]]
        if not s["auth"] or any(a not in ("ok", "refuse", "ignore")
                                for a in s["auth"]):
            bad('"auth": answers "ok", "refuse" or "ignore"')
        if s["listen"] not in ("ok", "ignore"):
            bad('"listen" is "ok" or "ignore"')
        for k in ("drop_after", "close_after"):
            if s[k] is not None and not is_int(s[k], 1):
                bad('"%s" must be an integer >= 1' % k)
        if s["drop_after"] is not None and s["close_after"] is not None:
            bad('"drop_after" or "close_after", not both')
        c = s["close_code"]
        if not (is_int(c, 1000) and c < 5000) or c in (1005, 1006):
            bad('"close_code" must be a close code that can be sent')
        if not isinstance(s["close_reason"], str):
            bad('"close_reason" is a string')
        if s["http"] is not None and not (
                is_int(s["http"], 400) and s["http"] < 600 and
                s["http"] in HTTPStatus.__members__.values()):
            bad('"http" must be an HTTP error status (400-599)')
        if not is_int(s["handshake_delay_ms"]):
            bad('"handshake_delay_ms" must be an integer >= 0')

    def check_steps(self, steps, where):
        if not isinstance(steps, list):
            raise ScenarioError('"%s" must be a list' % where)
        for i, st in enumerate(steps):
            self.check_step(st, "%s[%d]" % (where, i))
        return steps

    def check_step(self, st, where):
        def bad(msg):
            raise ScenarioError("%s: %s" % (where, msg))
        if not isinstance(st, dict):
            bad("a step is an object")
        acts = [k for k in st if k in STEP_ACTIONS]
        if "fill" in acts and "price" in acts:
            acts.remove("price")        # the price of the fill
        if len(acts) > 1:
            bad("one action per step, not %s" % ", ".join(acts))
        if not acts and "delay_ms" not in st:
            bad("no action (%s) and no delay_ms" % ", ".join(STEP_ACTIONS))
        act = acts[0] if acts else None
        for k in st:
            if k != act and k != "delay_ms" and \
               k not in STEP_OPTIONS.get(act, ()):
                bad("unknown key %r" % k)
        for k in ("delay_ms", "timeout_ms"):
            if k in st and not is_int(st[k]):
                bad('"%s" must be an integer >= 0' % k)
        if act == "wait":
            if st["wait"] not in WAIT_KINDS:
                bad('"wait" is one of %s' % ", ".join(WAIT_KINDS))
            if not is_int(st.get("count", 1), 1):
                bad('"count" must be an integer >= 1')
        elif act == "price":
            p = st["price"]
            if not isinstance(p, dict) or not p:
                bad('"price" maps symbols to prices')
            for sym, v in p.items():
                if not SYMBOL_RE.match(sym):
                    bad("%r is not a symbol" % sym)
                self.price_of(v, where)
        elif act == "fill":
            self.check_sel(st["fill"], bad)
            if "qty" in st:
                try:
                    if num(st["qty"]) <= 0:
                        raise ValueError()
                except ValueError:
                    bad('"qty" is a number > 0')
            if "price" in st:
                self.price_of(st["price"], where)
        elif act == "event":
            if st["event"] not in EVENT_STATUS:
                bad("unknown event %r (one of %s)"
                    % (st["event"], ", ".join(EVENT_STATUS)))
            self.check_sel(st.get("orders", "open"), bad)
        elif act == "order":
            if not isinstance(st["order"], dict):
                bad('"order" is an order object')
        elif act == "clock":
            self.check_clock(st["clock"], where + ": clock", False)
        elif act == "account":
            self.check_account(st["account"], where + ": account")
        elif act == "drop":
            if st["drop"] is not True:
                bad('"drop" is true')
        elif act == "close":
            c = st["close"]
            if not (is_int(c, 1000) and c < 5000) or c in (1005, 1006):
                bad('"close" must be a close code that can be sent')
            if not isinstance(st.get("reason", ""), str):
                bad('"reason" is a string')

    @staticmethod
    def check_sel(sel, bad):
        if isinstance(sel, str) and sel:
            return
        if isinstance(sel, list) and sel and \
           all(isinstance(s, str) and s for s in sel):
            return
        bad('orders are "open", "last", a client_order_id or a list')


# the log -----------------------------------------------------------------

class Log:
    """One line per request, message or marker; the credentials masked."""

    def __init__(self, path, secrets):
        self.f = None
        if path:
            try:
                self.f = open(path, "a", encoding="utf-8", buffering=1)
            except OSError as e:
                die("cannot open log '%s': %s" % (path, e), 3)
        # the JSON-escaped and URL-encoded forms too
        self.secrets = set()
        for s in secrets:
            if s:
                self.secrets.update((s, json.dumps(s)[1:-1],
                                     urllib.parse.quote(s, safe=""),
                                     urllib.parse.quote_plus(s)))

    def mask(self, text, extra=()):
        for v in extra:
            # a value the client sent as a credential, maybe a wrong one:
            # mask the JSON string itself
            text = text.replace(json.dumps(v), '"***"')
            text = text.replace(json.dumps(v, ensure_ascii=False), '"***"')
        for s in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(s, "***")
        return text

    def write(self, line):
        if self.f:
            line = self.mask(line)
            self.f.write(line.replace("\r", "\\r").replace("\n", "\\n") +
                         "\n")


# the exchange --------------------------------------------------------------

class Symbol:
    def __init__(self, sym, spec, sc):
        self.sym = sym
        self.price = Scenario.price_of(spec.get("price", sc.price), sym)
        self.lastday = Scenario.price_of(spec.get("lastday_price",
                                                  self.price), sym)
        self.partial = Scenario.partial_of(spec.get("partial", sc.partial),
                                           sym)
        self.mode = spec.get("mode", "fill")
        self.flags = {k: spec.get(k, True) for k in
                      ("tradable", "marginable", "shortable",
                       "easy_to_borrow", "fractionable")}
        self.exchange = spec.get("exchange", "NASDAQ")
        self.name = spec.get("name", sym)
        self.asset_id = str(uuid.uuid5(uuid.NAMESPACE_URL,
                                       "liu-fake-asset:" + sym))

    def asset(self):
        return {"id": self.asset_id, "class": "us_equity",
                "exchange": self.exchange, "symbol": self.sym,
                "name": self.name, "status": "active",
                "tradable": self.flags["tradable"],
                "marginable": self.flags["marginable"],
                "shortable": self.flags["shortable"],
                "easy_to_borrow": self.flags["easy_to_borrow"],
                "fractionable": self.flags["fractionable"],
                "attributes": []}


class Order:
    def __init__(self, ex, f, now):
        self.ex = ex
        self.id = ex.new_uuid()
        self.coid = f["client_order_id"] or ex.new_uuid()
        self.sym = f["symbol"]
        self.side = f["side"]
        self.type = f["type"]
        self.tif = f["time_in_force"]
        self.qty = f["qty"]
        self.notional = f["notional"]
        self.limit = f["limit_price"]
        self.stop = f["stop_price"]
        self.trail_price = f["trail_price"]
        self.trail_percent = f["trail_percent"]
        self.ext = f["extended_hours"]
        self.order_class = f["order_class"]
        self.intent = f["position_intent"]
        self.hwm = None
        self.status = "accepted"
        self.created = self.updated = self.submitted = now
        self.filled_at = self.expired_at = self.canceled_at = None
        self.failed_at = self.replaced_at = self.cancel_requested_at = None
        self.replaced_by = self.replaces = None
        self.filled = D(0)
        self.cost = D(0)
        self.legs = []
        self.parent = None
        self.triggered = False
        self.plan = list(ex.symbol(self.sym).partial)
        self.seq = ex.next_seq()
        self.timer = None

    def is_open(self):
        return self.status not in TERMINAL

    def remaining(self):
        return None if self.qty is None else self.qty - self.filled

    def ts(self, ns):
        return None if ns is None else rfc3339(ns)

    def json(self, nested=False, stream=False):
        avg = None if self.filled == 0 else fmt(q9(self.cost / self.filled))
        legs = None
        if self.legs and (nested or stream):
            legs = [leg.json(stream=stream) for leg in self.legs]
        o = {
            "id": self.id, "client_order_id": self.coid,
            "created_at": self.ts(self.created),
            "updated_at": self.ts(self.updated),
            "submitted_at": self.ts(self.submitted),
            "filled_at": self.ts(self.filled_at),
            "expired_at": self.ts(self.expired_at),
            "canceled_at": self.ts(self.canceled_at),
            "failed_at": self.ts(self.failed_at),
            "replaced_at": self.ts(self.replaced_at),
            "replaced_by": self.replaced_by, "replaces": self.replaces,
            "asset_id": self.ex.symbol(self.sym).asset_id,
            "symbol": self.sym, "asset_class": "us_equity",
            "notional": fmt(self.notional), "qty": fmt(self.qty),
            "filled_qty": fmt(self.filled), "filled_avg_price": avg,
            "order_class": self.order_class, "order_type": self.type,
            "type": self.type, "side": self.side,
            "time_in_force": self.tif, "limit_price": fmt(self.limit),
            "stop_price": fmt(self.stop), "status": self.status,
            "extended_hours": self.ext, "legs": legs,
            "trail_percent": fmt(self.trail_percent),
            "trail_price": fmt(self.trail_price), "hwm": fmt(self.hwm),
            "position_intent": self.intent,
        }
        o = {k: o[k] for k in ORDER_KEYS}
        if stream:
            o["cancel_requested_at"] = self.ts(self.cancel_requested_at)
            return dict(sorted(o.items()))
        return o


class Exchange:
    """The account, its orders and positions, the prices, and the
    trade_updates connections that listen."""

    def __init__(self, sc, log, creds, liu_now):
        self.sc = sc
        self.log = log
        self.creds = creds
        self.rng = random.Random(sc.seed)
        self.clock = Clock(sc.clock, liu_now)
        self.symbols = {s: Symbol(s, spec, sc)
                        for s, spec in sc.symbols.items()}
        self.known = set(self.symbols) | set(sc.positions)
        for o in sc.orders:
            if isinstance(o.get("symbol"), str):
                self.known.add(o["symbol"])
        a = sc.account
        self.cash = num(a.get("cash", 100000))
        self.settings = {
            "multiplier": int(a.get("multiplier", 1)),
            "shorting_enabled": a.get("shorting_enabled", True),
            "pattern_day_trader": a.get("pattern_day_trader", False),
            "trading_blocked": a.get("trading_blocked", False),
            "account_blocked": a.get("account_blocked", False),
            "daytrade_count": a.get("daytrade_count", 0),
        }
        self.orders = []
        self.live = []            # the open orders, and some closed since
        self.by_id = {}
        self.by_coid = {}
        self.positions = {}       # symbol -> [qty, avg entry price]
        for sym, p in sc.positions.items():
            self.positions[sym] = [
                num(p["qty"]),
                num(p.get("avg_entry_price", self.symbol(sym).price))]
        self.last_equity = num(a["last_equity"]) if "last_equity" in a \
            else self.equity()
        self.seq = 0
        self.counters = {k: 0 for k in WAIT_KINDS}
        self.streams = set()
        self.listeners = []
        self.runners = []
        self.answer_no = {}
        self.rate_start = None
        self.rate_count = 0
        self.loop = None

    # ids, symbols, time ----------------------------------------------

    def new_uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def next_seq(self):
        self.seq += 1
        return self.seq

    def symbol(self, sym):
        s = self.symbols.get(sym)
        if s is None:
            s = self.symbols[sym] = Symbol(sym, {}, self.sc)
        return s

    def exists(self, sym):
        if not isinstance(sym, str) or not SYMBOL_RE.match(sym):
            return False
        return sym in self.known or not self.sc.strict

    def find_symbol(self, key):
        """A symbol or an asset id to a symbol, or None."""
        if key in self.symbols or self.exists(key):
            return key
        for s in self.symbols.values():
            if s.asset_id == key:
                return s.sym
        return None

    def now(self):
        return self.clock.now()

    def later(self, delay, fn, *args):
        if delay > 0:
            return self.loop.call_later(delay, fn, *args)
        fn(*args)
        return None

    def count(self, kind, n=1):
        self.counters[kind] += n
        for r in self.runners:
            if r.waiting and r.waiting[0] == kind and \
               self.counters[kind] >= r.waiting[1]:
                if kind == "drops":
                    r.holding = True
                r.wake.set()

    # the account -------------------------------------------------------

    def pos_qty(self, sym):
        p = self.positions.get(sym)
        return p[0] if p else D(0)

    def market_values(self):
        lmv = smv = D(0)
        for sym, (qty, _) in self.positions.items():
            v = qty * self.symbol(sym).price
            if qty > 0:
                lmv += v
            else:
                smv += v
        return lmv, smv

    def equity(self):
        lmv, smv = self.market_values()
        return self.cash + lmv + smv

    def est_price(self, o):
        return o.limit or o.stop or self.symbol(o.sym).price

    def opening(self, o):
        return o.intent in ("buy_to_open", "sell_to_open")

    def reserved(self):
        r = D(0)
        for o in self.open_orders():
            if o.status != "held" and self.opening(o):
                if o.qty is None:
                    r += o.notional - o.cost
                else:
                    r += o.remaining() * self.est_price(o)
        return r

    def buying_power(self):
        lmv, smv = self.market_values()
        bp = self.settings["multiplier"] * self.equity() - (lmv - smv) - \
            self.reserved()
        return max(D(0), bp)

    def account_json(self):
        lmv, smv = self.market_values()
        eq = self.equity()
        bp = fmt(q9(self.buying_power()))
        gross = lmv - smv
        mult = self.settings["multiplier"]
        s = self.settings
        return {
            "id": ACCOUNT_ID, "account_number": ACCOUNT_NUMBER,
            "status": "ACTIVE", "currency": "USD", "cash": fmt(self.cash),
            "buying_power": bp, "regt_buying_power": bp,
            "daytrading_buying_power": bp,
            "non_marginable_buying_power": bp, "equity": fmt(eq),
            "last_equity": fmt(self.last_equity), "portfolio_value": fmt(eq),
            "long_market_value": fmt(lmv), "short_market_value": fmt(smv),
            "initial_margin": fmt(gross / 2 if mult > 1 else gross),
            "maintenance_margin": fmt(gross * D("0.3")),
            "last_maintenance_margin": "0", "multiplier": str(mult),
            "sma": "0", "daytrade_count": s["daytrade_count"],
            "pattern_day_trader": s["pattern_day_trader"],
            "shorting_enabled": s["shorting_enabled"],
            "trading_blocked": s["trading_blocked"],
            "transfers_blocked": False,
            "account_blocked": s["account_blocked"],
            "trade_suspended_by_user": False,
            "created_at": ACCOUNT_CREATED, "crypto_status": "ACTIVE",
            "accrued_fees": "0", "pending_transfer_in": "0",
            "pending_transfer_out": "0",
        }

    def set_account(self, a):
        if "cash" in a:
            self.cash = num(a["cash"])
        if "last_equity" in a:
            self.last_equity = num(a["last_equity"])
        for k in self.settings:
            if k in a:
                self.settings[k] = int(a[k]) if k == "multiplier" else a[k]

    def held_for_orders(self, sym, side):
        return sum((o.remaining() or D(0) for o in self.open_orders()
                    if o.sym == sym and o.side == side and
                    o.status != "held" and not self.opening(o)), D(0))

    def position_json(self, sym):
        qty, avg = self.positions[sym]
        s = self.symbol(sym)
        held = self.held_for_orders(sym, "sell" if qty > 0 else "buy")
        avail = qty - held if qty > 0 else qty + held
        mv = qty * s.price
        basis = qty * avg
        pl = mv - basis
        intraday = qty * (s.price - s.lastday)
        return {
            "asset_id": s.asset_id, "symbol": sym, "exchange": s.exchange,
            "asset_class": "us_equity", "avg_entry_price": fmt(q9(avg)),
            "qty": fmt(qty), "qty_available": fmt(avail),
            "side": "long" if qty > 0 else "short",
            "market_value": fmt(q9(mv)), "cost_basis": fmt(q9(basis)),
            "unrealized_pl": fmt(q9(pl)),
            "unrealized_plpc": ratio(pl, abs(basis)),
            "unrealized_intraday_pl": fmt(q9(intraday)),
            "unrealized_intraday_plpc": ratio(intraday,
                                              abs(qty * s.lastday)),
            "current_price": fmt(s.price), "lastday_price": fmt(s.lastday),
            "change_today": ratio(s.price - s.lastday, s.lastday),
        }

    # orders: the checks --------------------------------------------------

    def check_order(self, body):
        """The fields of an order request, as Alpaca checks them; Refused
        for the first fault."""
        if not isinstance(body, dict):
            raise Refused(400, E_BODY)
        f = {}
        sym = body.get("symbol")
        if sym in (None, ""):
            raise invalid("symbol is required")
        if not self.exists(sym):
            raise invalid('asset "%s" not found' % sym)
        f["symbol"] = sym

        def number(k, positive=True):
            v = body.get(k)
            if v is None:
                return None
            try:
                n = num(v)
            except ValueError:
                raise invalid("invalid %s" % k)
            if positive and n <= 0:
                raise invalid("%s must be > 0" % k)
            return n
        qty, notional = number("qty"), number("notional")
        if qty is None and notional is None:
            raise invalid("qty or notional is required")
        if qty is not None and notional is not None:
            raise invalid("only one of qty or notional is accepted")
        f["qty"], f["notional"] = qty, notional
        side = body.get("side")
        if side not in ("buy", "sell"):
            raise invalid("invalid side")
        f["side"] = side
        typ = body.get("type")
        if typ not in TYPES:
            raise invalid("invalid order type")
        f["type"] = typ
        tif = body.get("time_in_force")
        if tif not in TIFS:
            raise invalid("invalid time_in_force")
        f["time_in_force"] = tif
        oc = body.get("order_class", "")
        if oc not in CLASSES:
            raise invalid("invalid order_class")
        f["order_class"] = oc
        limit, stop = number("limit_price"), number("stop_price")
        tp, tpc = number("trail_price"), number("trail_percent")
        if typ in ("limit", "stop_limit") and limit is None and oc != "oco":
            raise invalid("limit_price is required")
        if typ in ("market", "stop", "trailing_stop") and limit is not None:
            raise invalid("limit_price must not be given for %s orders"
                          % typ)
        if typ in ("stop", "stop_limit") and stop is None:
            raise invalid("stop_price is required")
        if typ in ("market", "limit", "trailing_stop") and \
           stop is not None:
            raise invalid("stop_price must not be given for %s orders"
                          % typ)
        if typ == "trailing_stop":
            if tp is None and tpc is None:
                raise invalid("trail_price or trail_percent is required")
            if tp is not None and tpc is not None:
                raise invalid("only one of trail_price or trail_percent "
                              "is accepted")
            if tif not in ("day", "gtc"):
                raise invalid("trailing stop orders must be day or gtc")
            if tpc is not None and tpc >= 100:
                raise invalid("trail_percent must be < 100")
        elif tp is not None or tpc is not None:
            raise invalid("trail_price and trail_percent are for "
                          "trailing_stop orders")
        f.update(limit_price=limit, stop_price=stop, trail_price=tp,
                 trail_percent=tpc)
        if notional is not None and (typ != "market" or tif != "day"):
            raise invalid("notional orders must be market orders with day "
                          "time_in_force")
        if qty is not None and qty != qty.to_integral_value() and \
           (typ != "market" or tif != "day"):
            raise invalid("fractional orders must be market orders with "
                          "day time_in_force")
        ext = body.get("extended_hours", False)
        if not isinstance(ext, bool):
            raise invalid("invalid extended_hours")
        if ext and typ != "limit":
            raise invalid('only type="limit" is allowed for extended hours '
                          'orders')
        if ext and tif != "day":
            raise invalid("extended hours order must be DAY limit orders")
        f["extended_hours"] = ext
        f["take_profit"] = f["stop_loss"] = None
        self.check_class(body, f)
        coid = body.get("client_order_id")
        if coid is not None and not isinstance(coid, str):
            raise invalid("invalid client_order_id")
        if coid and len(coid) > 48:
            raise invalid("client_order_id must be no more than 48 "
                          "characters")
        if coid and coid in self.by_coid:
            raise invalid("client_order_id must be unique")
        f["client_order_id"] = coid or None
        for k in ("limit_price", "stop_price"):
            self.check_penny(k, f[k])
        for leg in ("take_profit", "stop_loss"):
            for k, v in (f[leg] or {}).items():
                self.check_penny("%s.%s" % (leg, k), v)
        pi = body.get("position_intent")
        if pi is not None and (pi not in INTENTS or
                               not pi.startswith(side)):
            raise invalid("invalid position_intent")
        f["position_intent"] = pi
        return f

    def check_class(self, body, f):
        oc, side, tif = f["order_class"], f["side"], f["time_in_force"]
        legs = {}
        for leg, keys in (("take_profit", ("limit_price",)),
                          ("stop_loss", ("stop_price", "limit_price"))):
            v = body.get(leg)
            if v is None:
                continue
            if oc in ("", "simple"):
                raise invalid("%s is for bracket, oco and oto orders"
                              % leg)
            if not isinstance(v, dict):
                raise invalid("invalid %s" % leg)
            legs[leg] = {}
            for k in keys:
                if v.get(k) is not None:
                    try:
                        p = num(v[k])
                    except ValueError:
                        p = D(0)
                    if p <= 0:
                        raise invalid("invalid %s.%s" % (leg, k))
                    legs[leg][k] = p
        if oc in ("", "simple"):
            return
        if tif not in ("day", "gtc"):
            raise invalid("%s orders must be day or gtc" % oc)
        if f["notional"] is not None or f["extended_hours"]:
            raise invalid("%s orders take a qty and no extended hours" % oc)
        tp = legs.get("take_profit", {}).get("limit_price")
        sl = legs.get("stop_loss", {}).get("stop_price")
        if oc in ("bracket", "oco"):
            if tp is None:
                raise invalid("take_profit.limit_price is required")
            if sl is None:
                raise invalid("stop_loss.stop_price is required")
        elif oc == "oto":
            if (tp is None) == (sl is None):
                raise invalid("oto orders take one of take_profit or "
                              "stop_loss")
        if oc == "oco" and f["type"] != "limit":
            raise invalid("oco orders must be limit orders")
        if tp is not None and sl is not None:
            # the exits of a long take profit above the stop: the legs of
            # a bracket buy, an oco sell (the order is the exit itself)
            long_exit = (side == "buy") == (oc != "oco")
            if long_exit != (tp > sl):
                raise invalid("take_profit.limit_price must be %s "
                              "stop_loss.stop_price"
                              % ("above" if long_exit else "below"))
        f["take_profit"] = legs.get("take_profit")
        f["stop_loss"] = legs.get("stop_loss")

    @staticmethod
    def check_penny(name, p):
        if p is None:
            return
        places = 2 if p >= 1 else 4
        if p != p.quantize(D(1).scaleb(-places)):
            raise invalid("invalid %s %s. sub-penny increment does not "
                          "fulfill minimum pricing criteria"
                          % (name, fmt(p)), 42210000)

    def check_account(self, f):
        """The broker's refusals for an order of valid fields; sets its
        position_intent."""
        s = self.settings
        if s["trading_blocked"] or s["account_blocked"]:
            raise Refused(403, {"code": 40310000, "message":
                                "account is not authorized to trade"})
        sym, side = f["symbol"], f["side"]
        sy = self.symbol(sym)
        if not sy.flags["tradable"]:
            raise invalid('asset "%s" is not tradable' % sym)
        if (f["qty"] is not None and
                f["qty"] != f["qty"].to_integral_value() or
                f["notional"] is not None) and not sy.flags["fractionable"]:
            raise invalid('asset "%s" is not fractionable' % sym)
        pos = self.pos_qty(sym)
        intent = f["position_intent"]
        if intent is None:
            if side == "buy":
                intent = "buy_to_close" if pos < 0 else "buy_to_open"
            else:
                intent = "sell_to_close" if pos > 0 else "sell_to_open"
        f["position_intent"] = intent
        opens = [o for o in self.open_orders() if o.sym == sym and
                 o.status != "held"]
        if intent.endswith("_to_close"):
            # no order turns a position over: at most what is left of it
            held = self.held_for_orders(sym, side)
            avail = abs(pos) - held
            want = f["qty"] if f["qty"] is not None else \
                f["notional"] / sy.price
            if want > avail:
                raise Refused(403, {
                    "available": fmt(max(avail, D(0))), "code": 40310000,
                    "existing_qty": fmt(abs(pos)),
                    "held_for_orders": fmt(held),
                    "message": "insufficient qty available for order "
                    "(requested: %s, available: %s)"
                    % (fmt(want), fmt(max(avail, D(0)))),
                    "symbol": sym})
        else:
            other = "sell" if side == "buy" else "buy"
            if any(o.side == other and self.opening(o) for o in opens):
                if side == "buy":
                    msg = "cannot open a long buy while a short sell " \
                        "order is open"
                else:
                    msg = "cannot open a short sell while a long buy " \
                        "order is open"
                raise Refused(403, {"code": 40310000, "message": msg})
            if side == "sell":
                if not s["shorting_enabled"]:
                    raise Refused(403, E_SHORT)
                if not sy.flags["shortable"]:
                    raise Refused(403, {"code": 40310000, "message":
                                        'asset "%s" is not shortable'
                                        % sym})
        self.check_wash(f, opens)
        if intent.endswith("_to_open"):
            price = f["limit_price"] or f["stop_price"] or sy.price
            cost = f["notional"] if f["qty"] is None else f["qty"] * price
            bp = self.buying_power()
            if cost > bp:
                raise Refused(403, {"buying_power": fmt(q9(bp)),
                                    "code": 40310000,
                                    "cost_basis": fmt(q9(cost)),
                                    "message": "insufficient buying power"})

    def check_wash(self, f, opens):
        """An order that could trade against an opposite open order of
        the account: a market order against any limit or market order, a
        limit order against one at its price or better."""
        if f["type"] not in ("market", "limit"):
            return
        for o in opens:
            if o.side == f["side"] or o.type not in ("market", "limit"):
                continue
            if f["type"] == "market" or o.type == "market":
                raise Refused(422, E_WASH)
            buy, sell = (f["limit_price"], o.limit) if f["side"] == "buy" \
                else (o.limit, f["limit_price"])
            if buy >= sell:
                raise Refused(422, E_WASH)

    # orders: life ---------------------------------------------------------

    def submit(self, body):
        """A new order (accepted, not routed yet) or Refused."""
        f = self.check_order(body)
        self.check_account(f)
        now = self.now()
        o = Order(self, f, now)
        if f["order_class"] == "oco":
            o.limit = f["take_profit"]["limit_price"]
        self.add(o)
        legs = []
        if f["order_class"] in ("bracket", "oto") and f["take_profit"]:
            legs.append(("limit", f["take_profit"]["limit_price"], None))
        if f["order_class"] in ("bracket", "oto", "oco") and f["stop_loss"]:
            sl = f["stop_loss"]
            legs.append(("stop_limit" if "limit_price" in sl else "stop",
                         sl.get("limit_price"), sl["stop_price"]))
        # the legs close what the entry opens; those of an oco are, like
        # the order itself, exits on its side
        if f["order_class"] == "oco":
            side, intent = f["side"], f["position_intent"]
        else:
            side = "sell" if f["side"] == "buy" else "buy"
            intent = side + "_to_close"
        for typ, limit, stop in legs:
            lf = dict(f, type=typ, limit_price=limit, stop_price=stop,
                      client_order_id=None, notional=None, side=side,
                      position_intent=intent, trail_price=None,
                      trail_percent=None)
            leg = Order(self, lf, now)
            leg.parent = o
            leg.status = "held" if f["order_class"] != "oco" else "accepted"
            o.legs.append(leg)
            self.add(leg)
        return o

    def add(self, o):
        self.orders.append(o)
        self.live.append(o)
        self.by_id[o.id] = o
        self.by_coid[o.coid] = o

    def open_orders(self):
        """The open orders, oldest first: the live list, pruned, so that
        a long run costs no more per order than a short one."""
        self.live = [o for o in self.live if o.is_open()]
        return self.live

    def select(self, sel):
        if sel == "open":
            return list(self.open_orders())
        if sel == "last":
            for o in reversed(self.orders):
                if o.parent is None:
                    return [o]
            return []
        names = [sel] if isinstance(sel, str) else sel
        return [self.by_coid[n] for n in names if n in self.by_coid]

    def emit(self, event, o, fill=None):
        now = self.now()
        data = {"event": event, "order": o.json(stream=True),
                "timestamp": rfc3339(now)}
        if fill:
            data.update(fill)
        msg = {"stream": "trade_updates", "data": dict(sorted(data.items()))}
        text = json.dumps(msg, separators=(",", ":"))
        if not self.listeners:
            self.log.write("# lost %s %s" % (event, o.coid))
        for c in list(self.listeners):
            c.deliver(text, event, o.coid)

    def set_status(self, o, status, event=None):
        o.status = status
        o.updated = self.now()
        if status == "canceled":
            o.canceled_at = o.updated
        elif status == "expired":
            o.expired_at = o.updated
        elif status == "rejected":
            o.failed_at = o.updated
        if event:
            self.emit(event, o)

    def activate(self, o):
        """Route an accepted order now, or leave it accepted until the
        clock opens."""
        if o.status != "accepted":
            return
        if not self.clock.is_open() and not o.ext:
            return
        self.route(o)

    def route(self, o):
        if o.status != "accepted":
            return
        if self.symbol(o.sym).mode == "reject":
            self.set_status(o, "rejected", "rejected")
            for leg in o.legs:
                if leg.is_open():
                    self.set_status(leg, "canceled", "canceled")
            return
        self.set_status(o, "new", "new")
        if o.type == "trailing_stop":
            o.hwm = self.symbol(o.sym).price
            self.trail(o)
        for leg in o.legs:
            if leg.status == "accepted":        # oco: the stop works too
                self.set_status(leg, "new", "new")
                self.later(self.sc.fill_delay, self.evaluate, leg)
        self.later(self.sc.fill_delay, self.evaluate, o)

    def route_all(self):
        for o in [o for o in self.open_orders() if o.status == "accepted"
                  and o.parent is None]:
            self.route(o)

    def trail(self, o):
        price = self.symbol(o.sym).price
        if o.side == "sell":
            o.hwm = max(o.hwm, price)
            o.stop = o.hwm - o.trail_price if o.trail_price is not None \
                else q9(o.hwm * (1 - o.trail_percent / 100))
        else:
            o.hwm = min(o.hwm, price)
            o.stop = o.hwm + o.trail_price if o.trail_price is not None \
                else q9(o.hwm * (1 + o.trail_percent / 100))
        o.stop = o.stop.quantize(D("0.01"))

    def marketable(self, o):
        price = self.symbol(o.sym).price
        buy = o.side == "buy"
        if o.type == "trailing_stop":
            self.trail(o)
        if o.type in ("stop", "stop_limit", "trailing_stop") and \
           not o.triggered:
            o.triggered = price >= o.stop if buy else price <= o.stop
            if not o.triggered:
                return False
        if o.type in ("limit", "stop_limit"):
            return price <= o.limit if buy else price >= o.limit
        return True

    def evaluate(self, o):
        """Fill O as far as the price and its plan allow."""
        o.timer = None
        if o.status not in WORKING:
            return
        sy = self.symbol(o.sym)
        if sy.mode == "hold" or not self.marketable(o):
            if o.tif in ("ioc", "fok"):
                self.set_status(o, "canceled", "canceled")
            return
        price = sy.price
        if o.qty is None:               # notional: one fill, all of it
            self.fill(o, q9(o.notional / price, decimal.ROUND_DOWN), price)
            return
        if o.tif == "fok":
            self.fill(o, o.remaining(), price)
            return
        q = o.plan.pop(0) if o.plan else o.remaining()
        self.fill(o, min(q, o.remaining()), price)
        if o.status != "partially_filled":
            return
        if o.tif == "ioc":
            self.set_status(o, "canceled", "canceled")
        elif self.sc.fill_gap > 0:
            o.timer = self.loop.call_later(self.sc.fill_gap, self.evaluate,
                                           o)
        else:
            self.evaluate(o)

    def fill(self, o, q, price):
        if q <= 0:
            return
        now = self.now()
        o.filled += q
        o.cost += q * price
        if o.qty is None or o.filled >= o.qty:
            o.status = "filled"
            o.filled_at = now
            event = "fill"
        else:
            o.status = "partially_filled"
            event = "partial_fill"
        o.updated = now
        signed = q if o.side == "buy" else -q
        qty, avg = self.positions.get(o.sym, [D(0), D(0)])
        new = qty + signed
        if qty == 0 or (qty > 0) == (signed > 0):
            avg = (abs(qty) * avg + q * price) / abs(new)
        elif new != 0 and (new > 0) != (qty > 0):
            avg = price                 # turned over: the rest opens
        if new == 0:
            self.positions.pop(o.sym, None)
        else:
            self.positions[o.sym] = [new, avg]
        self.cash -= signed * price
        self.emit(event, o, {"execution_id": self.new_uuid(),
                             "position_qty": fmt(new), "price": fmt(price),
                             "qty": fmt(q)})
        self.count("fills")
        self.after_fill(o)

    def after_fill(self, o):
        if o.status == "filled" and o.order_class in ("bracket", "oto") \
           and o.legs:
            for leg in o.legs:
                if leg.status == "held":
                    leg.qty = o.filled
                    self.set_status(leg, "new", "new")
                    self.later(self.sc.fill_delay, self.evaluate, leg)
        group = []
        if o.parent is not None and o.parent.order_class in ("bracket",
                                                             "oco"):
            group = [x for x in o.parent.legs if x is not o]
            if o.parent.order_class == "oco":
                group.append(o.parent)
        elif o.order_class == "oco":
            group = list(o.legs)
        for other in group:
            if other.is_open():
                self.cancel_now(other)

    def cancel_now(self, o):
        if o.timer:
            o.timer.cancel()
            o.timer = None
        self.set_status(o, "canceled", "canceled")
        for leg in o.legs:
            if leg.is_open():
                self.cancel_now(leg)

    def cancelable(self, o):
        if o.status in TERMINAL or o.status in ("pending_cancel",
                                                "pending_replace"):
            return Refused(422, {"code": 42210000, "message":
                                 'order is already in "%s" state'
                                 % o.status})
        return None

    def request_cancel(self, o, too_late=False):
        o.status = "pending_cancel"
        o.cancel_requested_at = o.updated = self.now()
        self.later(self.sc.cancel_delay, self.finish_cancel, o, too_late)

    def finish_cancel(self, o, too_late):
        if o.status != "pending_cancel":
            return
        if too_late and o.qty is not None and o.remaining() > 0:
            # the exchange filled it before the cancel arrived
            o.status = "partially_filled" if o.filled else "new"
            o.plan = []
            self.fill(o, o.remaining(), self.symbol(o.sym).price)
            return
        self.cancel_now(o)

    def replace(self, o, body):
        if not isinstance(body, dict):
            raise Refused(400, E_BODY)
        prev = o.status
        if prev not in ("new", "partially_filled", "accepted", "held"):
            raise Refused(422, {"code": 42210000, "message":
                                'order is already in "%s" state'
                                % o.status})
        f = {"symbol": o.sym, "side": o.side, "type": o.type,
             "time_in_force": o.tif, "qty": o.remaining(),
             "notional": None, "limit_price": o.limit,
             "stop_price": None if o.type == "trailing_stop" else o.stop,
             "trail_price": o.trail_price, "trail_percent": o.trail_percent,
             "extended_hours": o.ext, "order_class": o.order_class,
             "position_intent": o.intent, "client_order_id": None}
        for k in ("qty", "limit_price", "stop_price", "trail"):
            if body.get(k) is None:
                continue
            try:
                v = num(body[k])
            except ValueError:
                v = D(0)
            if v <= 0:
                raise invalid("invalid %s" % k)
            if k == "trail":
                if o.type != "trailing_stop":
                    raise invalid("trail is for trailing_stop orders")
                if o.trail_price is not None:
                    f["trail_price"] = v
                else:
                    f["trail_percent"] = v
            elif k == "limit_price" and o.type not in ("limit",
                                                       "stop_limit"):
                raise invalid("limit_price must not be given for %s "
                              "orders" % o.type)
            elif k == "stop_price" and o.type not in ("stop", "stop_limit"):
                raise invalid("stop_price must not be given for %s "
                              "orders" % o.type)
            else:
                f[k] = v
        if o.qty is None:
            raise invalid("notional orders cannot be replaced")
        if f["qty"] != f["qty"].to_integral_value():
            raise invalid("qty must be integer")
        if body.get("time_in_force") is not None:
            if body["time_in_force"] not in TIFS:
                raise invalid("invalid time_in_force")
            f["time_in_force"] = body["time_in_force"]
        coid = body.get("client_order_id")
        if coid is not None:
            if not isinstance(coid, str) or len(coid) > 48:
                raise invalid("invalid client_order_id")
            if coid in self.by_coid:
                raise invalid("client_order_id must be unique")
            f["client_order_id"] = coid
        for k in ("limit_price", "stop_price"):
            self.check_penny(k, f[k])
        now = self.now()
        n = Order(self, f, now)
        n.replaces = o.id
        n.legs = o.legs
        for leg in n.legs:
            leg.parent = n
        o.legs = []
        if o.timer:
            o.timer.cancel()
        o.status = "replaced"
        o.replaced_at = o.updated = now
        o.replaced_by = n.id
        self.add(n)
        self.emit("replaced", o)
        if o.parent is not None:
            o.parent.legs = [n if x is o else x for x in o.parent.legs]
            n.parent = o.parent
            if prev == "held":
                n.status = "held"
        return n

    # steps -------------------------------------------------------------------

    def set_price(self, sym, p):
        self.symbol(sym).price = p
        for o in [o for o in self.open_orders() if o.sym == sym]:
            if o.status in WORKING and o.timer is None:
                self.evaluate(o)

    def step(self, st):
        """One step of a scenario (not a wait)."""
        if "fill" in st:
            for o in self.select(st["fill"]):
                if o.status == "accepted":
                    self.route(o)
                if o.status not in WORKING or o.qty is None:
                    continue
                q = num(st["qty"]) if "qty" in st else o.remaining()
                p = num(st["price"]) if "price" in st else \
                    self.symbol(o.sym).price
                self.fill(o, min(q, o.remaining()), p)
        elif "price" in st:
            for sym, p in st["price"].items():
                self.set_price(sym, num(p))
        elif "event" in st:
            ev = st["event"]
            status = EVENT_STATUS[ev]
            for o in self.select(st.get("orders", "open")):
                if status:
                    self.set_status(o, status)
                self.emit(ev, o)
        elif "order" in st:
            try:
                o = self.submit(st["order"])
            except Refused as e:
                self.log.write("# order %d %s" % (e.status,
                                                  e.body.get("message")))
                sys.stderr.write("%s: order of a step refused: %s\n"
                                 % (PROG, json.dumps(e.body)))
                return
            self.activate(o)
        elif "clock" in st:
            c = st["clock"]
            if "time" in c:
                self.clock.set_time(parse_time(c["time"]))
            if "is_open" in c:
                self.clock.is_open_cfg = c["is_open"]
            if self.clock.is_open():
                self.route_all()
        elif "account" in st:
            self.set_account(st["account"])
        elif "drop" in st:
            for c in list(self.streams):
                c.end(None)
        elif "close" in st:
            for c in list(self.streams):
                c.end((st["close"], st.get("reason", "")))

    async def gate(self):
        """Wait while a runner holds the listens (after a drop)."""
        while any(r.holding for r in self.runners):
            await asyncio.sleep(0.005)


class Runner:
    """A list of steps, run in order."""

    def __init__(self, ex, steps):
        self.ex = ex
        self.steps = steps
        self.waiting = None
        self.holding = False
        self.wake = asyncio.Event()

    async def run(self):
        ex = self.ex
        ex.runners.append(self)
        try:
            for st in self.steps:
                if st.get("delay_ms"):
                    await asyncio.sleep(st["delay_ms"] / 1000)
                if "wait" not in st:
                    ex.step(st)
                    continue
                self.holding = False
                kind, n = st["wait"], st.get("count", 1)
                if ex.counters[kind] < n:
                    self.waiting = (kind, n)
                    self.wake.clear()
                    try:
                        await asyncio.wait_for(
                            self.wake.wait(),
                            st.get("timeout_ms", 60000) / 1000)
                    except asyncio.TimeoutError:
                        ex.log.write("# timeout %s" % kind)
                        return
                    finally:
                        self.waiting = None
                if kind == "drops":
                    self.holding = True
        except Exception:
            traceback.print_exc()
        finally:
            self.holding = False
            ex.runners.remove(self)


# REST ---------------------------------------------------------------------

class BadRequest(Exception):
    def __init__(self, status=400):
        super().__init__(status)
        self.status = status


async def read_request(reader):
    """The head of the next request: (method, target, [(name, value)]), or
    None at the end of the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        if e.partial.strip():
            raise BadRequest()
        return None
    except asyncio.LimitOverrunError:
        raise BadRequest(431)
    lines = head[:-4].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest()
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise BadRequest()
        headers.append((name, value.strip()))
    return parts[0], parts[1], headers


def header(headers, name):
    name = name.lower()
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


async def read_body(proto, headers):
    te = header(headers, "Transfer-Encoding")
    n = header(headers, "Content-Length")
    if (te or n) and (header(headers, "Expect") or "").lower() == \
       "100-continue":
        proto.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    if te is not None:
        if te.lower() != "chunked":
            raise BadRequest(501)
        body = b""
        while True:
            line = await proto.reader.readuntil(b"\r\n")
            size = int(line.split(b";")[0].strip(), 16)
            if size == 0:
                while (await proto.reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                return body
            body += await proto.reader.readexactly(size)
            await proto.reader.readexactly(2)
            if len(body) > 1 << 20:
                raise BadRequest(413)
    if n is None:
        return b""
    if not n.isdigit():
        raise BadRequest()
    if int(n) > 1 << 20:
        raise BadRequest(413)
    return await proto.reader.readexactly(int(n))


class Answer:
    """What a handler answers: status, body (an object, text, None, or a
    function that makes one when it is written), headers, and what to do
    once it is written (routing a new order)."""

    def __init__(self, status, body=None, headers=(), after=None):
        self.status = status
        self.body = body
        self.headers = list(headers)
        self.after = after


def error_body(status):
    if status in DEFAULT_BODY:
        return DEFAULT_BODY[status]
    return {"code": status * 100000,
            "message": HTTPStatus(status).phrase.lower()}


def refusing(fn):
    """A route whose Refused is its answer."""
    def wrapper(self, *args):
        try:
            return fn(self, *args)
        except Refused as e:
            return Answer(e.status, e.body)
    return wrapper


class Rest:
    """The REST API over the exchange."""

    def __init__(self, ex):
        self.ex = ex
        self.sc = ex.sc
        self.log = ex.log

    # the HTTP side ---------------------------------------------------------

    def rate_headers(self):
        ex = self.ex
        limit = self.sc.rate_limit or 200
        w = self.sc.rate_window
        # the epoch second the window has ended by
        reset = int(ex.rate_start + w + 0.999) if ex.rate_start else \
            int(time.time()) + w
        return [("X-Ratelimit-Limit", str(limit)),
                ("X-Ratelimit-Remaining",
                 str(max(0, limit - ex.rate_count))),
                ("X-Ratelimit-Reset", str(reset))]

    def write(self, proto, a, close=False, rated=True):
        status = a.status
        if callable(a.body):
            a.body = a.body()
        if a.body is None:
            data, ctype = b"", None
        elif isinstance(a.body, str):
            data, ctype = a.body.encode(), "text/plain; charset=utf-8"
        else:
            data = json.dumps(a.body, separators=(",", ":")).encode()
            ctype = "application/json; charset=UTF-8"
        hdrs = list(a.headers)
        if rated and not any(k == "X-Ratelimit-Limit" for k, _ in hdrs):
            hdrs = self.rate_headers() + hdrs
        lines = ["HTTP/1.1 %d %s" % (status, HTTPStatus(status).phrase),
                 "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                          time.gmtime())]
        if status != 204:
            if ctype:
                lines.append("Content-Type: " + ctype)
            lines.append("Content-Length: %d" % len(data))
        lines += ["%s: %s" % h for h in hdrs]
        if close:
            lines.append("Connection: close")
        proto.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode() +
                              data)

    def logline(self, method, target, status):
        self.log.write("%s %s %s" % (method, target, status))

    async def serve(self, proto, method, target, headers):
        """One request; False when the connection is to be closed."""
        close = (header(headers, "Connection") or "").lower() == "close"
        try:
            body = await read_body(proto, headers)
        except (BadRequest, ValueError) as e:
            st = e.status if isinstance(e, BadRequest) else 400
            self.write(proto, Answer(st, error_body(st)), True, False)
            self.logline(method, target, st)
            return False
        keep = not close
        url = urllib.parse.urlsplit(target)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        query = {k: v[-1] for k, v in query.items()}
        if url.path == "/_fake/steps":
            a = await self.control(method, body)
            self.write(proto, a, close, False)
            self.logline(method, target, a.status)
            return keep
        ex = self.ex
        if header(headers, "APCA-API-KEY-ID") != ex.creds[0] or \
           header(headers, "APCA-API-SECRET-KEY") != ex.creds[1]:
            st, b = self.sc.auth_error
            self.write(proto, Answer(st, b), close, False)
            self.logline(method, target, st)
            return keep
        ex.count("requests")
        now = time.time()
        if ex.rate_start is None or \
           now - ex.rate_start >= self.sc.rate_window:
            ex.rate_start, ex.rate_count = now, 0
        ex.rate_count += 1
        if self.sc.rate_limit and ex.rate_count > self.sc.rate_limit:
            wait = max(1, int(ex.rate_start + self.sc.rate_window - now +
                              0.999))
            a = Answer(429, TOO_MANY, [("Retry-After", str(wait))])
            self.write(proto, a, close)
            self.logline(method, target, 429)
            return keep
        route, handler, arg = self.route(method, url.path)
        if handler is None:
            self.write(proto, Answer(route, error_body(route)), close)
            self.logline(method, target, route)
            return keep
        ans = self.next_answer(route)
        after = isinstance(ans, str) and "_after" in ans
        if ans not in ("ok", "timeout", "drop", "too_late") and \
           not after and not (isinstance(ans, dict) and "delay_ms" in ans):
            a = self.scripted(ans)
            self.write(proto, a, close)
            self.logline(method, target, a.status)
            return keep
        a = handler(arg, query, body, ans)
        if ans in ("timeout", "drop"):
            self.logline(method, target, ans)
            if a.after:
                a.after()
            if ans == "drop":
                proto.transport.abort()
            else:
                # never answer: wait until the client gives up
                while await proto.reader.read(65536):
                    pass
            return False
        if after and a.status < 300:
            a = Answer(int(ans[:3]), None, after=a.after)
            a.body = self.scripted(a.status).body
        if a.after and (self.sc.early_events or isinstance(ans, dict)):
            a.after()
            a.after = None
        if isinstance(ans, dict):
            await asyncio.sleep(ans["delay_ms"] / 1000)
        self.write(proto, a, close)
        self.logline(method, target, a.status)
        if a.after:
            a.after()
        return keep

    def scripted(self, ans):
        """The answer of a scripted status (a number, a string of one, or
        an object)."""
        if isinstance(ans, dict):
            return Answer(ans["status"], ans.get("body"),
                          list(ans.get("headers", {}).items()))
        st = int(ans)
        if st == 429:
            reset = int(time.time()) + self.sc.retry_after
            return Answer(429, TOO_MANY, [
                ("X-Ratelimit-Limit", str(self.sc.rate_limit or 200)),
                ("X-Ratelimit-Remaining", "0"),
                ("X-Ratelimit-Reset", str(reset)),
                ("Retry-After", str(self.sc.retry_after))])
        return Answer(st, error_body(st))

    def next_answer(self, route):
        lst = self.sc.answers.get(route)
        if not lst:
            return "ok"
        n = self.ex.answer_no.get(route, 0)
        self.ex.answer_no[route] = n + 1
        if n < len(lst):
            return lst[n]
        return lst[n % len(lst)] if self.sc.cycle else "ok"

    def route(self, method, path):
        for rx, name in ROUTE_RE:
            m = rx.match(path)
            if not m:
                continue
            route = "%s %s" % (method, name)
            if route not in ROUTES:
                return 405, None, None
            fn = getattr(self, "h_%s_%s" % (method.lower(), re.sub(
                r"[^a-z]+", "_", name.lower()).strip("_")))
            return route, fn, urllib.parse.unquote(m.group(1)) \
                if m.groups() else None
        return 404, None, None

    async def control(self, method, body):
        if method != "POST":
            return Answer(405, error_body(405))
        try:
            steps = json.loads(body or b"null")
            if isinstance(steps, dict):
                steps = [steps]
            self.sc.check_steps(steps, "steps")
        except (ValueError, ScenarioError) as e:
            return Answer(400, {"message": str(e)})
        await Runner(self.ex, steps).run()
        return Answer(200, {"steps": len(steps)})

    @staticmethod
    def json_body(body):
        try:
            return json.loads(body, parse_float=D)
        except ValueError:
            raise Refused(400, E_BODY)

    def find_order(self, oid):
        if not UUID_RE.match(oid):
            raise Refused(422, E_ORDER_ID)
        o = self.ex.by_id.get(oid)
        if o is None:
            raise Refused(404, E_ORDER_404)
        return o

    @staticmethod
    def flag(query, name):
        return query.get(name, "").lower() == "true"

    # the routes -------------------------------------------------------------

    @refusing
    def h_post_v_orders(self, _, query, body, ans):
        o = self.ex.submit(self.json_body(body))
        self.ex.count("orders")
        return Answer(200, lambda: o.json(nested=True),
                      after=lambda: self.ex.activate(o))

    @refusing
    def h_get_v_orders(self, _, query, body, ans):
        status = query.get("status", "open")
        if status not in ("open", "closed", "all"):
            raise invalid("invalid status")
        try:
            limit = int(query.get("limit", "50"))
            if limit < 1:
                raise ValueError()
        except ValueError:
            raise invalid("invalid limit")
        limit = min(limit, 500)
        direction = query.get("direction", "desc")
        if direction not in ("asc", "desc"):
            raise invalid("invalid direction")
        bounds = {}
        for k in ("after", "until"):
            if query.get(k):
                try:
                    bounds[k] = parse_time(query[k])
                except ValueError:
                    raise invalid("invalid %s" % k)
        nested = self.flag(query, "nested")
        syms = [s for s in query.get("symbols", "").split(",") if s]
        side = query.get("side")
        out = []
        pool = self.ex.open_orders() if status == "open" else self.ex.orders
        for o in pool:
            if nested and o.parent is not None:
                continue
            if status == "open" and not o.is_open() or \
               status == "closed" and o.is_open():
                continue
            if syms and o.sym not in syms or side and o.side != side:
                continue
            if "after" in bounds and o.submitted <= bounds["after"] or \
               "until" in bounds and o.submitted >= bounds["until"]:
                continue
            out.append(o)
        out.sort(key=lambda o: (o.submitted, o.seq),
                 reverse=direction == "desc")
        return Answer(200, [o.json(nested=nested) for o in out[:limit]])

    @refusing
    def h_delete_v_orders(self, _, query, body, ans):
        out = []
        for o in list(self.ex.open_orders()):
            if o.parent is not None and o.parent.is_open():
                continue
            if self.ex.cancelable(o) is None:
                out.append({"id": o.id, "status": 200})
        ex = self.ex

        def cancel():
            for item in out:
                o = ex.by_id[item["id"]]
                if ex.cancelable(o) is None:
                    ex.request_cancel(o)
        return Answer(207, out, after=cancel)

    @refusing
    def h_get_v_orders_by_client_order_id(self, _, query, body, ans):
        coid = query.get("client_order_id")
        if not coid:
            raise invalid("client_order_id is missing")
        o = self.ex.by_coid.get(coid)
        if o is None:
            raise Refused(404, E_ORDER_404)
        return Answer(200, o.json(nested=self.flag(query, "nested")))

    @refusing
    def h_get_v_orders_id(self, oid, query, body, ans):
        o = self.find_order(oid)
        return Answer(200, o.json(nested=self.flag(query, "nested")))

    @refusing
    def h_patch_v_orders_id(self, oid, query, body, ans):
        o = self.find_order(oid)
        n = self.ex.replace(o, self.json_body(body))
        return Answer(200, lambda: n.json(nested=True),
                      after=lambda: self.ex.activate(n))

    @refusing
    def h_delete_v_orders_id(self, oid, query, body, ans):
        o = self.find_order(oid)
        err = self.ex.cancelable(o)
        if err:
            raise err
        return Answer(204, after=lambda: self.ex.request_cancel(
            o, ans == "too_late"))

    @refusing
    def h_get_v_account(self, _, query, body, ans):
        return Answer(200, self.ex.account_json())

    @refusing
    def h_get_v_positions(self, _, query, body, ans):
        return Answer(200, [self.ex.position_json(s)
                            for s in sorted(self.ex.positions)])

    def position_of(self, key):
        sym = self.ex.find_symbol(key)
        if sym is None or sym not in self.ex.positions:
            raise Refused(404, E_POSITION_404)
        return sym

    @refusing
    def h_get_v_positions_symbol(self, key, query, body, ans):
        return Answer(200, self.ex.position_json(self.position_of(key)))

    @refusing
    def h_delete_v_positions_symbol(self, key, query, body, ans):
        sym = self.position_of(key)
        qty = self.ex.positions[sym][0]
        if "qty" in query and "percentage" in query:
            raise invalid("only one of qty or percentage is accepted")
        want = abs(qty)
        try:
            if "qty" in query:
                want = num(query["qty"])
            elif "percentage" in query:
                pct = num(query["percentage"])
                if not 0 < pct <= 100:
                    raise ValueError()
                want = q9(abs(qty) * pct / 100, decimal.ROUND_DOWN)
        except ValueError:
            raise invalid("invalid qty or percentage")
        if want <= 0:
            raise invalid("invalid qty or percentage")
        o = self.ex.submit({"symbol": sym, "qty": fmt(want),
                            "side": "sell" if qty > 0 else "buy",
                            "type": "market", "time_in_force": "day"})
        return Answer(200, lambda: o.json(nested=True),
                      after=lambda: self.ex.activate(o))

    @refusing
    def h_get_v_assets_symbol(self, key, query, body, ans):
        sym = self.ex.find_symbol(key)
        if sym is None:
            raise Refused(404, {"code": 40410000,
                                "message": "asset not found"})
        return Answer(200, self.ex.symbol(sym).asset())

    @refusing
    def h_get_v_clock(self, _, query, body, ans):
        return Answer(200, self.ex.clock.json())

    @refusing
    def h_get_v_calendar(self, _, query, body, ans):
        clock = self.ex.clock
        try:
            start = parse_time(query["start"][:10]) // 10**9 \
                if query.get("start") else clock.now() // 10**9
            end = parse_time(query["end"][:10]) // 10**9 \
                if query.get("end") else start + 30 * 86400
        except ValueError:
            raise invalid("invalid start or end")
        days = (end - start) // 86400 + 1
        if days < 1 or days > 3700:
            raise invalid("invalid start or end")
        out = []
        for date, (o, c) in clock.sessions(start + 12 * 3600, days):
            def hm(t):
                lt = time.gmtime(t + ny_offset(t))
                return "%02d:%02d" % (lt.tm_hour, lt.tm_min)
            out.append({"date": "%04d-%02d-%02d" % date, "open": hm(o),
                        "close": hm(c), "session_open": "0400",
                        "session_close": "2000"})
        return Answer(200, out)


# the trade_updates stream ----------------------------------------------------

class StreamConn:
    """One trade_updates connection: what it sends goes through a queue,
    in order with the events."""

    def __init__(self, ex, ws):
        self.ex = ex
        self.ws = ws
        self.n = ws.conn_no
        self.spec = ws.spec
        self.queue = asyncio.Queue()
        self.authed = False
        self.listening = False
        self.auth_no = 0
        self.events = 0
        self.ended = False

    def send(self, obj):
        self.queue.put_nowait(("send", json.dumps(obj,
                                                  separators=(",", ":"))))

    def deliver(self, text, event, coid):
        """An event, from Exchange.emit; ends the connection after
        "drop_after" or "close_after" of them."""
        self.queue.put_nowait(("send", text))
        self.ex.log.write("# event %d %s %s" % (self.n, event, coid))
        self.events += 1
        sp = self.spec
        if sp["drop_after"] is not None and self.events >= sp["drop_after"]:
            self.end(None)
        elif sp["close_after"] is not None and \
                self.events >= sp["close_after"]:
            self.end((sp["close_code"], sp["close_reason"]))

    def end(self, close):
        """Stop listening now; the writer closes the connection after what
        is queued (CLOSE: (code, reason), or None for a drop)."""
        if self.ended:
            return
        self.ended = True
        self.unlisten()
        self.ex.streams.discard(self)
        self.queue.put_nowait(("end", close))
        if close is None:
            self.ex.log.write("# drop %d" % self.n)
        else:
            self.ex.log.write("# close %d %d" % (self.n, close[0]))
        self.ex.count("drops")

    def unlisten(self):
        if self in self.ex.listeners:
            self.ex.listeners.remove(self)
        self.listening = False

    async def writer(self):
        binary = self.spec["binary"]
        while True:
            kind, arg = await self.queue.get()
            if kind == "send":
                await self.ws.send(arg.encode() if binary else arg)
            elif arg is None:
                self.ws.transport.abort()
                return
            else:
                await self.ws.close(arg[0], arg[1])
                return

    async def on_message(self, obj):
        if not isinstance(obj, dict):
            return
        action = obj.get("action")
        data = obj.get("data")
        if action == "authenticate":
            lst = self.spec["auth"]
            a = lst[min(self.auth_no, len(lst) - 1)]
            self.auth_no += 1
            if a == "ignore":
                return
            key, secret = self.ex.creds
            ok = a == "ok" and isinstance(data, dict) and \
                data.get("key_id") == key and \
                data.get("secret_key") == secret
            self.authed = ok
            if not ok:
                self.unlisten()
            self.send({"stream": "authorization", "data": {
                "status": "authorized" if ok else "unauthorized",
                "action": "authenticate"}})
        elif action == "listen":
            if not self.authed:
                self.send({"stream": "authorization", "data": {
                    "status": "unauthorized", "action": "listen"}})
                return
            if self.spec["listen"] == "ignore":
                return
            streams = data.get("streams") if isinstance(data, dict) \
                else None
            if not isinstance(streams, list):
                return
            await self.ex.gate()
            if self.ended:
                return
            want = "trade_updates" in streams
            self.send({"stream": "listening", "data": {
                "streams": ["trade_updates"] if want else []}})
            self.ex.log.write("# listening %d%s" % (self.n, "" if want
                                                    else " none"))
            if want and not self.listening:
                self.listening = True
                self.ex.listeners.append(self)
            elif not want:
                self.unlisten()
            if want:
                self.ex.count("listens")

    async def reader(self):
        log = self.ex.log
        async for msg in self.ws:
            text = msg if isinstance(msg, str) else \
                msg.decode("utf-8", "replace")
            try:
                obj = json.loads(text)
            except ValueError:
                obj = None
            extra = []
            if isinstance(obj, dict) and isinstance(obj.get("data"), dict):
                d = obj["data"]
                extra = [d[k] for k in ("key_id", "secret_key")
                         if isinstance(d.get(k), str) and d[k]]
            text = log.mask(text, extra)
            log.write(text if isinstance(msg, str) else "# binary " + text)
            await self.on_message(obj)

    async def run(self):
        self.ex.streams.add(self)
        w = asyncio.ensure_future(self.writer())
        try:
            await self.reader()
        except ConnectionClosed:
            pass
        finally:
            self.unlisten()
            self.ex.streams.discard(self)
            if not w.done():
                w.cancel()


def protocol_class(ex, rest):
    """The server's protocol: HTTP/1.1 for the REST API on a connection
    until an upgrade to /stream hands it to websockets."""

    class Protocol(WebSocketServerProtocol):
        async def handler(self):
            handed = False
            try:
                while True:
                    try:
                        req = await read_request(self.reader)
                    except BadRequest as e:
                        rest.write(self, Answer(e.status,
                                                error_body(e.status)),
                                   True, False)
                        break
                    if req is None:
                        break
                    method, target, headers = req
                    if method == "GET" and \
                       target.split("?", 1)[0] == "/stream":
                        self.pre = (target, Headers(headers))
                        handed = True
                        await super().handler()
                        return
                    if not await rest.serve(self, method, target, headers):
                        break
            except (ConnectionError, asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError):
                pass
            except Exception:
                traceback.print_exc()
            finally:
                if not handed:
                    if self.transport is not None:
                        self.transport.close()
                    self.ws_server.unregister(self)

        async def read_http_request(self):
            path, headers = self.pre
            self.path = path
            self.request_headers = headers
            return path, headers

        async def process_request(self, path, headers):
            ex.nconn += 1
            self.conn_no = ex.nconn
            lst = ex.sc.streams
            self.spec = lst[min(self.conn_no, len(lst)) - 1]
            ex.log.write("# connection %d %s" % (self.conn_no, path))
            if self.spec["handshake_delay_ms"]:
                await asyncio.sleep(self.spec["handshake_delay_ms"] / 1000)
            if self.spec["http"] is None:
                return None
            status = HTTPStatus(self.spec["http"])
            ex.log.write("# http %d %d" % (self.conn_no, status))
            return (status, [("Content-Type", "text/plain")],
                    ("%d %s\n" % (status, status.phrase)).encode())

    return Protocol


async def serve_until_killed(ex, args, ctx):
    ex.loop = asyncio.get_running_loop()
    ex.nconn = 0
    rest = Rest(ex)

    async def handler(ws):
        conn = StreamConn(ex, ws)
        try:
            await conn.run()
        finally:
            if not ws.closed:
                try:
                    await asyncio.wait_for(ws.wait_closed(), 5)
                except asyncio.TimeoutError:
                    pass
            ex.log.write("# closed %d %s" % (conn.n, ws.close_code))

    for body in ex.sc.orders:
        try:
            o = ex.submit(body)
        except Refused as e:
            die("scenario: orders: %s refused: %d %s"
                % (json.dumps(body), e.status, json.dumps(e.body)))
        ex.activate(o)
    try:
        server = await serve(handler, "127.0.0.1", args.port, ssl=ctx,
                             create_protocol=protocol_class(ex, rest),
                             compression=None, ping_interval=None,
                             max_size=1 << 20, close_timeout=2)
    except OSError as e:
        die("cannot listen on 127.0.0.1:%d: %s" % (args.port, e), 3)
    port = server.sockets[0].getsockname()[1]
    tmp = "%s.tmp.%d" % (args.port_file, os.getpid())
    try:
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    except OSError as e:
        die("cannot write port file '%s': %s" % (args.port_file, e), 3)
    if ex.sc.steps:
        asyncio.ensure_future(Runner(ex, ex.sc.steps).run())
    await asyncio.sleep(args.max_time)
    sys.stderr.write("%s: --max-time %gs reached, exiting\n"
                     % (PROG, args.max_time))
    return 0


def main():
    usage = __doc__.split("\n\n")[0][len("usage: "):]
    ap = argparse.ArgumentParser(prog=PROG, usage=usage, add_help=False)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--plain", action="store_true")
    ap.add_argument("--script")
    ap.add_argument("--log")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--max-time", type=float, default=600)
    if "-h" in sys.argv[1:] or "--help" in sys.argv[1:]:
        sys.stdout.write(__doc__)
        return 0
    args = ap.parse_args()
    if args.plain == bool(args.cert or args.key) or \
       not args.plain and not (args.cert and args.key):
        die("give --cert and --key, or --plain")
    names = ("APCA_API_KEY_ID", "APCA_API_SECRET_KEY")
    creds = tuple(os.environ.get(n, "") for n in names)
    if not all(creds):
        die("set %s to the credentials the fake accepts"
            % " and ".join(names))
    liu_now = None
    if os.environ.get("LIU_NOW"):
        try:
            liu_now = parse_time(os.environ["LIU_NOW"])
        except ValueError:
            die("bad LIU_NOW: '%s' (RFC 3339)" % os.environ["LIU_NOW"])

    obj = {}
    if args.script:
        try:
            with open(args.script, encoding="utf-8") as f:
                obj = json.load(f)
        except OSError as e:
            die("cannot read scenario '%s': %s" % (args.script, e), 3)
        except ValueError as e:
            die("%s: not JSON: %s" % (args.script, e))
    try:
        scenario = Scenario(obj)
    except ScenarioError as e:
        die("%s: %s" % (args.script or "default scenario", e))

    load_runtime()
    ctx = None
    if not args.plain:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            ctx.load_cert_chain(args.cert, args.key)
        except (OSError, ssl.SSLError) as e:
            die("cannot load --cert/--key: %s" % e, 3)
    log = Log(args.log, creds)
    ex = Exchange(scenario, log, creds, liu_now)
    return asyncio.run(serve_until_killed(ex, args, ctx))


if __name__ == "__main__":
    sys.exit(main())
