#!/usr/bin/python3
# fake-stream.py: a loopback fake of the Alpaca v2 stocks and the Polygon
# stocks market-data WebSocket servers, for liu's tests.  It speaks the
# frames of ../shared/protocols.md (sections 1 and 4) and the providers'
# fixtures, copied into t/data/alpaca-stream.json and polygon-stream.json,
# and does what a scenario file (--script) tells it, per connection.
#
# Run it with /usr/bin/python3: it needs Debian's python3-websockets (10.4,
# the legacy asyncio API, still present in later versions), which another
# python3 first on PATH may not see.  t/lib-fake.sh starts it for a test.
"""usage: fake-stream.py --provider alpaca|polygon --port-file FILE
       (--cert FILE --key FILE | --plain) [--script FILE] [--log FILE]
       [--data FILE] [--port N] [--deflate] [--max-time SECONDS]

Serves wss:// (ws:// with --plain) on 127.0.0.1, port N or one the system
picks (0, the default); writes the port to FILE (to FILE.tmp.PID first, then
renamed, so a reader never sees half of it) once it listens.  Paths: Alpaca
/v2/iex, /v2/sip and /v2/delayed_sip, Polygon /stocks; any other path gets
HTTP 404.  The credentials it accepts come from the environment the clients
read: APCA_API_KEY_ID and APCA_API_SECRET_KEY, or POLYGON_API_KEY.

--log FILE gets every frame a client sends, one per line as sent (newlines
escaped), with the credentials replaced by ***; binary frames as
"# binary TEXT"; and these markers:
    # connection N PATH      a client's upgrade request (N counts from 1)
    # http N STATUS          connection N answered with an HTTP error
    # ping                   a ping from the client (answered at once)
    # pong                   the pong to a "ping" step; "# no pong" if none
    # timeout WHAT           a "wait" step gave up; the steps stop
    # closed N CODE          connection N ended (1006: no close frame)
--deflate offers permessage-deflate; without it frames go uncompressed.
--max-time ends the fake after SECONDS (600), should a test leak it.

Scenario: a JSON object.  Connection settings, at the top level for every
connection, or per connection in "connections": [{...}, ...] (the last
entry serves every later connection):
    "style": "compact"|"spaced"   JSON of every frame: compact, or ", "
                                  and ": " as Python's json writes it
    "batch": N                    data messages per frame (1)
    "binary": true                data frames are binary (false)
    "filter": true                send only data the connection is
                                  subscribed to (false: all of it)
    "slow_start_ms": N            wait after the upgrade, before the first
                                  frame
    "handshake_delay_ms": N       wait before answering the upgrade
    "http": STATUS                answer the upgrade with this HTTP error
    "auth": [ANSWER, ...]         answers to successive auth requests, the
                                  last one repeated: "ok" (check the
                                  credentials), "ignore" (no answer), an
                                  Alpaca error code (e.g. 406), or Polygon's
                                  "auth_failed"; default ["ok"]
    "subscribe": [ANSWER, ...]    the same for (un)subscribe requests: "ok",
                                  "ignore", or an Alpaca error code (410)
    "symbol_limit": N             Alpaca: 405 when the subscription would
                                  name more than N symbols (it is unchanged)
    "auth_timeout_ms": N          no auth within N ms (10000): Alpaca 404,
                                  Polygon auth_timeout, then a close
    "sub_reply": "each"|"one"     Polygon: one status per param, or one
                                  for the whole request
    "drop_after": K               close the TCP connection, without a close
                                  frame, after K data messages
    "after": "subscribe"|"auth"|"connect"
                                  when the steps start: after the first
                                  subscription answered, after the first
                                  auth answer, or after the welcome frame
    "steps": [STEP, ...]          what to do; default [{"send": "default"}]
Top level only:
    "limit": N                    simultaneous authenticated connections:
                                  more gets Alpaca 406 on auth, or Polygon
                                  max_connections and a close

Steps (each may carry "delay_ms": N, a wait before it):
    {"send": [SET-NAME | MESSAGE, ...]}   (or "send": "SET-NAME")
        data messages, "batch" per frame; SET-NAME is a list in the data
        file ("default", "capture", "derived", "unknown"); options
        "batch", "binary", "style" for this step, "gap_ms" between frames,
        and "repeat": N to send the whole list N times, the frames built
        once and written as fast as the client reads
    {"raw": "TEXT"}          one frame, TEXT exactly ("binary": true too)
    {"error": CODE}          Alpaca: [{"T":"error","code":CODE,...}]
    {"status": NAME}         Polygon: a status of the data file's control
                             table (auth_timeout, max_connections, ...)
    {"ping": true}           ping the client, wait for the pong ("timeout_ms")
    {"wait": ACTION}         wait for the client's next auth, subscribe or
                             unsubscribe message (those received before the
                             steps started do not count); "timeout_ms"
                             (30000)
    {"close": CODE, "reason": "TEXT"}   a close frame, then the close
    {"drop": true}           close the TCP connection, no close frame
    {"hang": true}           stop reading and writing (pings go
                             unanswered); drop after "timeout_ms" (30000)
    {"delay_ms": N}          only wait
After the steps the connection stays up, answering (un)subscribe requests,
until the client leaves.  Without --script the scenario is {}: every
connection authenticates, subscribes and gets the "default" set.

Exit status: 2 for a usage or scenario error, 3 when the server cannot
start; a signal ends it otherwise.
"""

import argparse
import copy
import json
import os
import sys
import traceback
from http import HTTPStatus

PROG = "fake-stream"


def die(msg, code=2):
    sys.stderr.write("%s: %s\n" % (PROG, msg))
    sys.exit(code)


def load_runtime():
    """The server's modules, imported once the scenario is known to be
    good: a bad one is reported in a fraction of the time."""
    global asyncio, ssl
    global ConnectionClosed, Frame, Opcode, WebSocketServerProtocol, serve
    import asyncio
    import ssl
    try:
        from websockets.exceptions import ConnectionClosed
        from websockets.frames import Frame, Opcode
        from websockets.legacy.server import WebSocketServerProtocol, serve
    except ImportError as e:
        die("python3-websockets is missing (%s); run it with "
            "/usr/bin/python3" % e, 3)


PATHS = {
    "alpaca": ("/v2/iex", "/v2/sip", "/v2/delayed_sip"),
    "polygon": ("/stocks",),
}
CREDENTIALS = {
    "alpaca": ("APCA_API_KEY_ID", "APCA_API_SECRET_KEY"),
    "polygon": ("POLYGON_API_KEY",),
}
# Alpaca's channels, in the order of the subscription message of the docs
# (protocols.md section 1); imbalances only when asked for, as the Go SDK's
# example shows it and the docs' does not.
CHANNELS = ("trades", "quotes", "bars", "updatedBars", "dailyBars",
            "statuses", "lulds", "imbalances")
REPLY_KEYS = ("trades", "quotes", "bars", "updatedBars", "dailyBars",
              "statuses", "lulds", "corrections", "cancelErrors")
ALPACA_CHANNEL_OF = {
    "t": "trades", "q": "quotes", "b": "bars", "u": "updatedBars",
    "d": "dailyBars", "s": "statuses", "l": "lulds", "i": "imbalances",
    "c": "corrections", "x": "cancelErrors",
}
POLYGON_EVENTS = ("T", "Q", "A", "AM", "LULD", "NOI")

CONN_DEFAULTS = {
    "style": "compact", "batch": 1, "binary": False, "filter": False,
    "slow_start_ms": 0, "handshake_delay_ms": 0, "http": None,
    "auth": ["ok"], "subscribe": ["ok"], "symbol_limit": None,
    "auth_timeout_ms": 10000, "sub_reply": "each", "drop_after": None,
    "after": "subscribe", "steps": [{"send": "default"}],
}
STEP_ACTIONS = ("send", "raw", "error", "status", "ping", "wait", "close",
                "drop", "hang")
STEP_OPTIONS = {
    "send": ("batch", "binary", "style", "gap_ms", "repeat"),
    "raw": ("binary",),
    "ping": ("timeout_ms",),
    "wait": ("timeout_ms",),
    "close": ("reason",),
    "hang": ("timeout_ms",),
}


class ScenarioError(Exception):
    pass


def is_int(v, lo=0):
    return isinstance(v, int) and not isinstance(v, bool) and v >= lo


class Scenario:
    """The scenario file checked in full before the server starts, so a
    typing error in a test is a clear message, not a silent default."""

    def __init__(self, obj, provider, data):
        if not isinstance(obj, dict):
            raise ScenarioError("a scenario is a JSON object")
        self.provider = provider
        self.data = data
        self.limit = obj.get("limit")
        if self.limit is not None and not is_int(self.limit, 1):
            raise ScenarioError('"limit" must be an integer >= 1')
        conns = obj.get("connections", [{}])
        if not isinstance(conns, list) or not conns:
            raise ScenarioError('"connections" must be a non-empty list')
        top = {k: v for k, v in obj.items()
               if k not in ("connections", "limit")}
        self.conns = []
        for i, c in enumerate(conns):
            if not isinstance(c, dict):
                raise ScenarioError("connections[%d] is not an object" % i)
            spec = copy.deepcopy(CONN_DEFAULTS)
            for src, where in ((top, "scenario"),
                               (c, "connections[%d]" % i)):
                for k, v in src.items():
                    if k not in CONN_DEFAULTS:
                        raise ScenarioError("%s: unknown key %r" % (where, k))
                    spec[k] = v
            self.check(spec, "connections[%d]" % i if "connections" in obj
                       else "scenario")
            self.conns.append(spec)

    def spec(self, n):
        return self.conns[min(n, len(self.conns)) - 1]

    def check(self, s, where):
        alpaca = self.provider == "alpaca"

        def bad(msg):
            raise ScenarioError("%s: %s" % (where, msg))

        if s["style"] not in ("compact", "spaced"):
            bad('"style" is "compact" or "spaced"')
        if not is_int(s["batch"], 1):
            bad('"batch" must be an integer >= 1')
        for k in ("slow_start_ms", "handshake_delay_ms", "auth_timeout_ms"):
            if not is_int(s[k]):
                bad('"%s" must be an integer >= 0' % k)
        for k in ("symbol_limit", "drop_after"):
            if s[k] is not None and not is_int(s[k]):
                bad('"%s" must be an integer >= 0' % k)
        if s["http"] is not None and not (
                is_int(s["http"], 400) and s["http"] < 600 and
                s["http"] in HTTPStatus.__members__.values()):
            bad('"http" must be an HTTP error status (400-599)')
        if s["after"] not in ("subscribe", "auth", "connect"):
            bad('"after" is "subscribe", "auth" or "connect"')
        if s["sub_reply"] not in ("each", "one"):
            bad('"sub_reply" is "each" or "one"')
        for k in ("auth", "subscribe"):
            if not isinstance(s[k], list):
                s[k] = [s[k]]
            if not s[k]:
                bad('"%s" must not be empty' % k)
            for a in s[k]:
                if a in ("ok", "ignore"):
                    continue
                if alpaca and is_int(a) and a in self.data.errors:
                    continue
                if not alpaca and k == "auth" and a == "auth_failed":
                    continue
                bad('"%s": unknown answer %r' % (k, a))
        if not isinstance(s["steps"], list):
            bad('"steps" must be a list')
        for i, st in enumerate(s["steps"]):
            self.check_step(st, "%s: steps[%d]" % (where, i))

    def check_step(self, st, where):
        def bad(msg):
            raise ScenarioError("%s: %s" % (where, msg))

        if not isinstance(st, dict):
            bad("a step is an object")
        acts = [k for k in st if k in STEP_ACTIONS]
        if len(acts) > 1:
            bad("one action per step, not %s" % ", ".join(acts))
        if not acts and "delay_ms" not in st:
            bad("no action (%s) and no delay_ms" % ", ".join(STEP_ACTIONS))
        act = acts[0] if acts else None
        for k in st:
            if k != act and k != "delay_ms" and \
               k not in STEP_OPTIONS.get(act, ()):
                bad("unknown key %r" % k)
        if "delay_ms" in st and not is_int(st["delay_ms"]):
            bad('"delay_ms" must be an integer >= 0')
        for k in ("timeout_ms", "gap_ms"):
            if k in st and not is_int(st[k]):
                bad('"%s" must be an integer >= 0' % k)
        if "batch" in st and not is_int(st["batch"], 1):
            bad('"batch" must be an integer >= 1')
        if "repeat" in st and not is_int(st["repeat"], 1):
            bad('"repeat" must be an integer >= 1')
        if "style" in st and st["style"] not in ("compact", "spaced"):
            bad('"style" is "compact" or "spaced"')
        if act == "send":
            st["send"] = self.data.messages(st["send"], where)
        elif act == "raw" and not isinstance(st["raw"], str):
            bad('"raw" must be a string')
        elif act == "error":
            if self.provider != "alpaca":
                bad('"error" is for alpaca; polygon has "status"')
            if st["error"] not in self.data.errors:
                bad("no Alpaca error %r in the data file" % st["error"])
        elif act == "status":
            if self.provider != "polygon":
                bad('"status" is for polygon; alpaca has "error"')
            if st["status"] not in self.data.control:
                bad("no Polygon status %r in the data file" % st["status"])
        elif act == "wait":
            if st["wait"] not in ("auth", "subscribe", "unsubscribe"):
                bad('"wait" is "auth", "subscribe" or "unsubscribe"')
        elif act == "close":
            c = st["close"]
            if not (is_int(c, 1000) and c < 5000) or c in (1005, 1006):
                bad('"close" must be a close code that can be sent')


class Data:
    """t/data/PROVIDER-stream.json: the control messages and the sets of
    data messages."""

    def __init__(self, path, provider):
        try:
            with open(path, encoding="utf-8") as f:
                obj = json.load(f)
        except (OSError, ValueError) as e:
            die("cannot read data file '%s': %s" % (path, e), 3)
        self.control = obj.get("control", {})
        self.sets = obj.get("sets", {})
        self.errors = {}
        if provider == "alpaca":
            for e in self.control.get("errors", []):
                self.errors[e["code"]] = e

    def messages(self, spec, where):
        if isinstance(spec, (str, dict)):
            spec = [spec]
        if not isinstance(spec, list):
            raise ScenarioError('%s: "send" takes a set name, a message or '
                                'a list of them' % where)
        out = []
        for m in spec:
            if isinstance(m, str):
                if m not in self.sets:
                    raise ScenarioError("%s: no set %r in the data file "
                                        "(%s)" % (where, m,
                                                  ", ".join(self.sets)))
                out.extend(self.sets[m])
            elif isinstance(m, dict):
                out.append(m)
            else:
                raise ScenarioError("%s: a message is a JSON object" % where)
        return out


class Log:
    """The client frames, one a line, the credentials masked."""

    def __init__(self, path, secrets):
        self.f = None
        if path:
            try:
                self.f = open(path, "a", encoding="utf-8", buffering=1)
            except OSError as e:
                die("cannot open log '%s': %s" % (path, e), 3)
        # the JSON-escaped form too, as a frame carries it
        self.secrets = set()
        for s in secrets:
            if s:
                self.secrets.add(s)
                self.secrets.add(json.dumps(s)[1:-1])

    def mask(self, text, extra=()):
        for v in extra:
            # a value the client sent as credential, maybe wrong: mask the
            # JSON string itself, not its letters everywhere
            text = text.replace(json.dumps(v), '"***"')
            text = text.replace(json.dumps(v, ensure_ascii=False), '"***"')
        for s in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(s, "***")
        return text

    def write(self, line):
        if self.f:
            self.f.write(line.replace("\r", "\\r").replace("\n", "\\n") +
                         "\n")


class Server:
    def __init__(self, args, scenario, data, log, creds):
        self.args = args
        self.provider = args.provider
        self.scenario = scenario
        self.data = data
        self.log = log
        self.creds = creds
        self.nconn = 0
        self.authed = set()


def protocol_class(srv):
    """The server's protocol: counts connections, answers scripted HTTP
    errors and logs pings."""

    class Protocol(WebSocketServerProtocol):
        async def process_request(self, path, headers):
            srv.nconn += 1
            self.conn_no = srv.nconn
            self.spec = srv.scenario.spec(self.conn_no)
            srv.log.write("# connection %d %s" % (self.conn_no, path))
            if self.spec["handshake_delay_ms"]:
                await asyncio.sleep(self.spec["handshake_delay_ms"] / 1000)
            status = None
            if path not in PATHS[srv.provider]:
                status = HTTPStatus.NOT_FOUND
            elif self.spec["http"] is not None:
                status = HTTPStatus(self.spec["http"])
            if status is None:
                return None
            srv.log.write("# http %d %d" % (self.conn_no, status))
            return (status, [("Content-Type", "text/plain")],
                    ("%d %s\n" % (status, status.phrase)).encode())

        async def read_frame(self, max_size):
            frame = await super().read_frame(max_size)
            if frame.opcode == Opcode.PING:
                srv.log.write("# ping")
            return frame

    return Protocol


class Dropped(Exception):
    pass


class Conn:
    """One client connection: the provider's protocol, and the steps."""

    def __init__(self, srv, ws):
        self.srv = srv
        self.ws = ws
        self.n = ws.conn_no
        self.spec = ws.spec
        self.alpaca = srv.provider == "alpaca"
        self.authed = False
        self.answers = {"auth": 0, "subscribe": 0}
        self.received = {"auth": 0, "subscribe": 0, "unsubscribe": 0}
        self.consumed = dict(self.received)
        self.changed = asyncio.Condition()
        self.phase = {"connect": asyncio.Event(), "auth": asyncio.Event(),
                      "subscribe": asyncio.Event()}
        self.subs = {c: [] for c in CHANNELS} if self.alpaca else []
        self.sent = 0

    # frames -------------------------------------------------------------

    def encode(self, obj, style=None):
        if (style or self.spec["style"]) == "spaced":
            return json.dumps(obj, ensure_ascii=False)
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    async def send(self, obj, binary=False, style=None):
        text = self.encode(obj, style)
        await self.ws.send(text.encode() if binary else text)

    async def control(self, msgs):
        await self.send(msgs)

    async def alpaca_error(self, code):
        await self.control([self.srv.data.errors[code]])

    def wanted(self, m):
        if not self.spec["filter"]:
            return True
        if self.alpaca:
            ch = ALPACA_CHANNEL_OF.get(m.get("T"))
            if ch is None:
                return True
            if ch in ("corrections", "cancelErrors"):
                ch = "trades"
            return "*" in self.subs[ch] or m.get("S") in self.subs[ch]
        ev = m.get("ev")
        if ev not in POLYGON_EVENTS:
            return True
        sym = m.get("sym", m.get("T"))
        return "%s.%s" % (ev, sym) in self.subs or "%s.*" % ev in self.subs

    def frames(self, msgs, batch, binary, style):
        """The data messages the connection wants, BATCH to a frame:
        [(opcode, payload bytes, the messages)]."""
        msgs = [m for m in msgs if self.wanted(m)]
        out = []
        for i in range(0, len(msgs), batch):
            chunk = msgs[i:i + batch]
            payload = self.encode(chunk, style).encode()
            out.append((Opcode.BINARY if binary else Opcode.TEXT, payload,
                        chunk))
        return out

    async def send_data(self, st):
        batch = st.get("batch", self.spec["batch"])
        binary = st.get("binary", self.spec["binary"])
        style = st.get("style", self.spec["style"])
        gap = st.get("gap_ms", 0) / 1000
        repeat = st.get("repeat", 1)
        frames = self.frames(st["send"], batch, binary, style)
        if repeat > 1 and not gap and self.spec["drop_after"] is None \
           and not self.ws.extensions:
            await self.blast(frames, repeat)
            return
        for r in range(repeat):
            for i, (op, payload, chunk) in enumerate(frames):
                if gap and (i or r):
                    await asyncio.sleep(gap)
                await self.send_frame(op, payload, chunk, style)

    async def send_frame(self, op, payload, chunk, style):
        """One data frame, or its first messages and a drop once the
        connection has sent "drop_after" data messages."""
        limit = self.spec["drop_after"]
        if limit is not None and self.sent + len(chunk) >= limit:
            chunk = chunk[:limit - self.sent]
            if chunk:
                text = self.encode(chunk, style)
                await self.ws.send(text.encode() if op == Opcode.BINARY
                                   else text)
                self.sent += len(chunk)
            self.drop()
            raise Dropped()
        await self.ws.send(payload if op == Opcode.BINARY
                           else payload.decode())
        self.sent += len(chunk)

    async def blast(self, frames, repeat):
        """The frames, REPEAT times, serialised once and written in large
        pieces as fast as the client reads (the transport's buffer bounds
        the memory; drain() waits for the client)."""
        one = b"".join(Frame(op, payload).serialize(mask=False)
                       for op, payload, _ in frames)
        if not one:
            return
        k = max(1, min(repeat, (256 << 10) // len(one)))
        piece = one * k
        left = repeat
        while left > 0:
            if not self.ws.open:
                raise Dropped()
            if left >= k:
                self.ws.transport.write(piece)
                left -= k
            else:
                self.ws.transport.write(one * left)
                left = 0
            await self.ws.drain()
        self.sent += repeat * sum(len(c) for _, _, c in frames)

    def drop(self):
        """Close the TCP connection without a close frame (and, over TLS,
        without close_notify)."""
        self.ws.transport.abort()

    # the provider's side -------------------------------------------------

    async def counted(self, action):
        async with self.changed:
            self.received[action] += 1
            self.changed.notify_all()

    def next_answer(self, kind):
        lst = self.spec[kind]
        a = lst[min(self.answers[kind], len(lst) - 1)]
        self.answers[kind] += 1
        return a

    def over_limit(self):
        lim = self.srv.scenario.limit
        return lim is not None and \
            len(self.srv.authed - {self}) >= lim

    async def on_alpaca(self, obj):
        if not isinstance(obj, dict):
            await self.alpaca_error(400)
            return
        action = obj.get("action")
        if action == "auth":
            if self.authed:
                await self.alpaca_error(403)
            else:
                a = self.next_answer("auth")
                key, secret = self.srv.creds
                if a == "ignore":
                    pass
                elif a != "ok":
                    await self.alpaca_error(a)
                elif obj.get("key") != key or obj.get("secret") != secret:
                    await self.alpaca_error(402)
                elif self.over_limit():
                    await self.alpaca_error(406)
                else:
                    self.authed = True
                    self.srv.authed.add(self)
                    await self.control(self.srv.data.control["authenticated"])
                if a != "ignore":
                    self.phase["auth"].set()
            await self.counted("auth")
        elif action in ("subscribe", "unsubscribe"):
            if not self.authed:
                await self.alpaca_error(401)
            elif any(k != "action" and (
                    k not in CHANNELS or not isinstance(v, list) or
                    not all(isinstance(s, str) for s in v))
                    for k, v in obj.items()):
                await self.alpaca_error(400)
            else:
                a = self.next_answer("subscribe")
                if a == "ignore":
                    pass
                elif a != "ok":
                    await self.alpaca_error(a)
                else:
                    await self.alpaca_subscribe(action, obj)
            await self.counted(action)
        else:
            await self.alpaca_error(400)

    async def alpaca_subscribe(self, action, obj):
        new = {c: list(v) for c, v in self.subs.items()}
        for c in CHANNELS:
            for s in obj.get(c, []):
                if action == "subscribe" and s not in new[c]:
                    new[c].append(s)
                elif action == "unsubscribe" and s in new[c]:
                    new[c].remove(s)
        lim = self.spec["symbol_limit"]
        if lim is not None and \
           len({s for v in new.values() for s in v}) > lim:
            await self.alpaca_error(405)
            return
        self.subs = new
        reply = {"T": "subscription"}
        for k in REPLY_KEYS:
            reply[k] = list(new["trades" if k in ("corrections",
                                                  "cancelErrors") else k])
        if new["imbalances"]:
            reply["imbalances"] = list(new["imbalances"])
        await self.control([reply])
        self.phase["subscribe"].set()

    async def on_polygon(self, obj):
        if not isinstance(obj, dict):
            return
        action = obj.get("action")
        control = self.srv.data.control
        if action == "auth":
            a = self.next_answer("auth")
            if a == "ignore":
                pass
            elif a != "ok" or obj.get("params") != self.srv.creds[0]:
                await self.control(control["auth_failed"])
            elif self.over_limit():
                await self.control(control["max_connections"])
                await self.ws.close()
            else:
                self.authed = True
                self.srv.authed.add(self)
                await self.control(control["auth_success"])
            if a != "ignore":
                self.phase["auth"].set()
            await self.counted("auth")
        elif action in ("subscribe", "unsubscribe"):
            params = obj.get("params")
            # before auth, or without params: ignored, as protocols.md
            # section 6 advises (the real texts are not known)
            if self.authed and isinstance(params, str) and \
               self.next_answer("subscribe") == "ok":
                await self.polygon_subscribe(action, params)
            await self.counted(action)

    async def polygon_subscribe(self, action, params):
        names = [p.strip() for p in params.split(",") if p.strip()]
        for p in names:
            if action == "subscribe" and p not in self.subs:
                self.subs.append(p)
            elif action == "unsubscribe" and p in self.subs:
                self.subs.remove(p)
        word = self.srv.data.control[action + "d"]
        groups = [names] if self.spec["sub_reply"] == "one" else \
            [[p] for p in names]
        for g in groups:
            await self.control([{"ev": "status", "status": "success",
                                 "message": word + ",".join(g)}])
        if action == "subscribe":
            self.phase["subscribe"].set()

    async def auth_timer(self):
        await asyncio.sleep(self.spec["auth_timeout_ms"] / 1000)
        if self.authed:
            return
        if self.alpaca:
            await self.alpaca_error(404)
        else:
            await self.control(self.srv.data.control["auth_timeout"])
        await self.ws.close()

    async def reader(self):
        log = self.srv.log
        handle = self.on_alpaca if self.alpaca else self.on_polygon
        async for msg in self.ws:
            text = msg if isinstance(msg, str) else \
                msg.decode("utf-8", "replace")
            try:
                obj = json.loads(text)
            except ValueError:
                obj = ValueError
            extra = []
            if isinstance(obj, dict) and obj.get("action") == "auth":
                extra = [obj[k] for k in ("key", "secret", "params")
                         if isinstance(obj.get(k), str) and obj[k]]
            text = log.mask(text, extra)
            log.write(text if isinstance(msg, str) else "# binary " + text)
            if obj is ValueError:
                if self.alpaca:
                    await self.alpaca_error(400)
                continue
            await handle(obj)

    # the steps ------------------------------------------------------------

    async def wait_action(self, action, timeout):
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(
                lambda: self.received[action] > self.consumed[action]),
                timeout)
            self.consumed[action] += 1

    async def step(self, st):
        if st.get("delay_ms"):
            await asyncio.sleep(st["delay_ms"] / 1000)
        timeout = st.get("timeout_ms", 30000) / 1000
        if "send" in st:
            await self.send_data(st)
        elif "raw" in st:
            await self.ws.send(st["raw"].encode() if st.get("binary")
                               else st["raw"])
        elif "error" in st:
            await self.alpaca_error(st["error"])
        elif "status" in st:
            await self.control(self.srv.data.control[st["status"]])
        elif "ping" in st:
            waiter = await self.ws.ping()
            try:
                await asyncio.wait_for(waiter, timeout)
                self.srv.log.write("# pong")
            except asyncio.TimeoutError:
                self.srv.log.write("# no pong")
        elif "wait" in st:
            try:
                await self.wait_action(st["wait"], timeout)
            except asyncio.TimeoutError:
                self.srv.log.write("# timeout %s" % st["wait"])
                raise Dropped()
        elif "close" in st:
            await self.ws.close(st["close"], st.get("reason", ""))
            raise Dropped()
        elif "drop" in st:
            self.drop()
            raise Dropped()
        elif "hang" in st:
            self.ws.transport.pause_reading()
            await asyncio.sleep(timeout)
            self.drop()
            raise Dropped()

    async def steps(self):
        await self.phase[self.spec["after"]].wait()
        async with self.changed:
            self.consumed = dict(self.received)
        try:
            for st in self.spec["steps"]:
                await self.step(st)
        except (Dropped, ConnectionClosed):
            pass
        except Exception:
            # a bug of the fake: say so, and end the connection so that
            # the test sees something is wrong
            traceback.print_exc()
            self.drop()

    async def run(self):
        if self.spec["slow_start_ms"]:
            await asyncio.sleep(self.spec["slow_start_ms"] / 1000)
        tasks = []
        try:
            await self.control(self.srv.data.control["connected"])
            self.phase["connect"].set()
            tasks = [asyncio.ensure_future(self.steps()),
                     asyncio.ensure_future(self.auth_timer())]
            await self.reader()
        except ConnectionClosed:
            pass
        finally:
            for t in tasks:
                t.cancel()
            self.srv.authed.discard(self)


def main():
    usage = __doc__.split("\n\n")[0][len("usage: "):]
    ap = argparse.ArgumentParser(prog=PROG, usage=usage, add_help=False)
    ap.add_argument("--provider", choices=("alpaca", "polygon"),
                    required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--plain", action="store_true")
    ap.add_argument("--script")
    ap.add_argument("--log")
    ap.add_argument("--data")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--deflate", action="store_true")
    ap.add_argument("--max-time", type=float, default=600)
    ap.add_argument("-h", "--help", action="store_true")
    if "-h" in sys.argv[1:] or "--help" in sys.argv[1:]:
        sys.stdout.write(__doc__)
        return 0
    args = ap.parse_args()
    if args.plain == bool(args.cert or args.key) or \
       not args.plain and not (args.cert and args.key):
        die("give --cert and --key, or --plain")

    names = CREDENTIALS[args.provider]
    creds = tuple(os.environ.get(n, "") for n in names)
    if not all(creds):
        die("set %s to the credentials the fake accepts" % " and ".join(names))

    here = os.path.dirname(os.path.abspath(__file__))
    data = Data(args.data or os.path.join(here, "data", "%s-stream.json"
                                          % args.provider), args.provider)
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
        scenario = Scenario(obj, args.provider, data)
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
    srv = Server(args, scenario, data, log, creds)
    return asyncio.run(serve_until_killed(srv, ctx))


async def serve_until_killed(srv, ctx):
    args = srv.args

    async def handler(ws):
        conn = Conn(srv, ws)
        try:
            await conn.run()
        finally:
            if not ws.open:  # closing: wait for the code
                try:
                    await asyncio.wait_for(ws.wait_closed(), 5)
                except asyncio.TimeoutError:
                    pass
            srv.log.write("# closed %d %s" % (conn.n, ws.close_code))

    try:
        server = await serve(handler, "127.0.0.1", args.port, ssl=ctx,
                             create_protocol=protocol_class(srv),
                             compression="deflate" if args.deflate else None,
                             ping_interval=None, max_size=1 << 20,
                             close_timeout=2)
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
    await asyncio.sleep(args.max_time)
    sys.stderr.write("%s: --max-time %gs reached, exiting\n"
                     % (PROG, args.max_time))
    return 0


if __name__ == "__main__":
    sys.exit(main())
