#!/usr/bin/python3
# ws-client.py: a tiny WebSocket client that runs a list of actions and
# prints what the server sends, for testing the fakes of t/ (t1100).  Run it
# with /usr/bin/python3, as fake-stream.py.
"""usage: ws-client.py [--cacert FILE] [--timeout SECONDS] URL [ACTION...]

Connects to URL (wss:// verifies the server's certificate and name, against
--cacert FILE if given, else the system's CAs), runs the actions in order,
then closes.  Actions:
    recv[=N]      read N frames (1) and print each
    send=TEXT     send TEXT as a text frame; ${NAME} in TEXT is replaced by
                  the environment variable NAME, so credentials stay out of
                  argv (and ps)
    sendf=FILE    the same with the text of FILE (its last newline removed)
    ping          ping the server and wait for the pong; prints "# pong"
    close[=CODE]  close with CODE (1000) and wait for the server's answer
    drain         print frames until the server closes the connection
    reconnect     close the connection (if the server has not) and make a
                  new one to URL
    until=FILE    wait until FILE exists (the test's signal to go on), at
                  most 60 s
Output: each frame on a line as received (newlines escaped), a binary frame
as "# binary TEXT"; "# closed CODE REASON" when the server closes (1006:
without a close frame); "# timeout" when nothing comes for --timeout
SECONDS (10).
Exit status: 0 when every action was done, 1 when the connection closed or
timed out before, 2 for a usage error, 3 when the connection cannot be made
(refused, a certificate not trusted, an HTTP error); the reason goes to
stderr.
"""

import asyncio
import os
import re
import ssl
import sys

PROG = "ws-client"

try:
    from websockets.exceptions import ConnectionClosed, InvalidStatusCode
    from websockets.legacy.client import connect
except ImportError as e:
    sys.stderr.write("%s: python3-websockets is missing (%s)\n" % (PROG, e))
    sys.exit(3)


def usage():
    sys.stderr.write(__doc__.split("\n\n")[0] + "\n")
    sys.exit(2)


def expand(text):
    def var(m):
        if m.group(1) not in os.environ:
            sys.stderr.write("%s: ${%s} is not set\n" % (PROG, m.group(1)))
            sys.exit(2)
        return os.environ[m.group(1)]
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", var, text)


def show(line):
    sys.stdout.write(line.replace("\r", "\\r").replace("\n", "\\n") + "\n")
    sys.stdout.flush()


def parse(argv):
    cacert, timeout = None, 10.0
    while argv and argv[0].startswith("-"):
        opt = argv.pop(0)
        if opt in ("-h", "--help"):
            sys.stdout.write(__doc__)
            sys.exit(0)
        if opt in ("--cacert", "--timeout") and argv:
            val = argv.pop(0)
        elif "=" in opt:
            opt, val = opt.split("=", 1)
        else:
            usage()
        if opt == "--cacert":
            cacert = val
        elif opt == "--timeout":
            timeout = float(val)
        else:
            usage()
    if not argv:
        usage()
    url, actions = argv[0], []
    for a in argv[1:]:
        name, _, arg = a.partition("=")
        if name == "recv":
            actions.append((name, int(arg or 1)))
        elif name == "send" and _:
            actions.append((name, arg))
        elif name == "sendf" and arg:
            try:
                with open(arg, encoding="utf-8") as f:
                    text = f.read()
            except OSError as e:
                sys.stderr.write("%s: cannot read '%s': %s\n"
                                 % (PROG, arg, e.strerror))
                sys.exit(2)
            actions.append(("send", text[:-1] if text.endswith("\n")
                            else text))
        elif name == "close":
            actions.append((name, int(arg or 1000)))
        elif name == "until" and arg:
            actions.append((name, arg))
        elif name in ("ping", "drain", "reconnect") and not _:
            actions.append((name, None))
        else:
            usage()
    return cacert, timeout, url, actions


def closed(ws):
    show("# closed %s" % " ".join(str(x) for x in (ws.close_code,
                                                   ws.close_reason) if x))


async def recv_one(ws, timeout):
    msg = await asyncio.wait_for(ws.recv(), timeout)
    if isinstance(msg, bytes):
        show("# binary " + msg.decode("utf-8", "replace"))
    else:
        show(msg)


class CannotConnect(Exception):
    pass


async def open_ws(ctx, timeout, url):
    try:
        return await connect(url, ssl=ctx, open_timeout=timeout,
                             ping_interval=None, max_size=None)
    except InvalidStatusCode as e:
        raise CannotConnect("%s: HTTP %d" % (url, e.status_code))
    except (OSError, ssl.SSLError, asyncio.TimeoutError) as e:
        raise CannotConnect("cannot connect to %s: %s" % (url, e))


async def until(path):
    while not os.path.exists(path):
        await asyncio.sleep(0.05)


async def run(cacert, timeout, url, actions):
    ctx = None
    if url.startswith("wss:"):
        ctx = ssl.create_default_context(cafile=cacert)
    ws = None
    try:
        ws = await open_ws(ctx, timeout, url)
        for name, arg in actions:
            if name == "recv":
                for _ in range(arg):
                    await recv_one(ws, timeout)
            elif name == "send":
                await ws.send(expand(arg))
            elif name == "ping":
                await asyncio.wait_for(await ws.ping(), timeout)
                show("# pong")
            elif name == "close":
                await ws.close(arg)
                closed(ws)
            elif name == "until":
                await asyncio.wait_for(until(arg), 60)
            elif name == "drain":
                try:
                    while True:
                        await recv_one(ws, timeout)
                except ConnectionClosed:
                    closed(ws)
            elif name == "reconnect":
                if ws.open:
                    await ws.close()
                ws = await open_ws(ctx, timeout, url)
        if ws.open:
            await ws.close()
        return 0
    except CannotConnect as e:
        sys.stderr.write("%s: %s\n" % (PROG, e))
        return 3
    except ConnectionClosed:
        closed(ws)
    except asyncio.TimeoutError:
        show("# timeout")
        ws.transport.abort()
    return 1


def main():
    cacert, timeout, url, actions = parse(sys.argv[1:])
    return asyncio.run(run(cacert, timeout, url, actions))


if __name__ == "__main__":
    sys.exit(main())
