#!/usr/bin/env python3
"""Reference values for t/unit/ind.c, computed directly from the textbook
definitions (whole arrays, each window summed afresh with math.fsum; no
rolling state), following TA-Lib's seeding and alignment conventions.

Usage: python3 t/data/ind-ref.py   (from the repository root, or anywhere)

Reads t/data/ind-aapl-ohlcv.csv and writes t/data/ind-ref-NAME.csv: one row
per bar, "i" then the outputs, empty during warm-up.
"""
import csv
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def load():
    with open(os.path.join(HERE, 'ind-aapl-ohlcv.csv')) as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in 'ohlcv'}


def mean(xs):
    return math.fsum(xs) / len(xs)


def sma(x, n):
    return [mean(x[i - n + 1:i + 1]) if i >= n - 1 else None
            for i in range(len(x))]


def ema_from(x, n, start):
    """EMA(n) of x[start:], seeded at start+n-1 with the mean of the first
    n values, alpha 2/(n+1); None before."""
    out = [None] * len(x)
    a = 2.0 / (n + 1)
    i0 = start + n - 1
    if i0 >= len(x):
        return out
    out[i0] = mean(x[start:i0 + 1])
    for i in range(i0 + 1, len(x)):
        out[i] = (x[i] - out[i - 1]) * a + out[i - 1]
    return out


def ema(x, n):
    return ema_from(x, n, 0)


def wma(x, n):
    den = n * (n + 1) / 2
    return [math.fsum((j + 1) * x[i - n + 1 + j] for j in range(n)) / den
            if i >= n - 1 else None for i in range(len(x))]


def macd(x, f, s, g):
    if f > s:
        f, s = s, f
    # TA-Lib: the fast EMA's seed ends where the slow one's does
    ef = ema_from(x, f, s - f)
    es = ema_from(x, s, 0)
    line = [a - b if a is not None and b is not None else None
            for a, b in zip(ef, es)]
    first = s - 1
    sig = [None] * len(x)
    i0 = first + g - 1
    if i0 < len(x):
        sig[i0] = mean(line[first:i0 + 1])
        a = 2.0 / (g + 1)
        for i in range(i0 + 1, len(x)):
            sig[i] = (line[i] - sig[i - 1]) * a + sig[i - 1]
    out = []
    for i in range(len(x)):
        if sig[i] is None:
            out.append(None)
        else:
            out.append((line[i], sig[i], line[i] - sig[i]))
    return out


def wilder(vals, n, first):
    """Wilder smoothing of vals[first:]: the mean of the first n, then
    (prev * (n-1) + v) / n."""
    out = [None] * len(vals)
    i0 = first + n - 1
    if i0 >= len(vals):
        return out
    out[i0] = mean(vals[first:i0 + 1])
    for i in range(i0 + 1, len(vals)):
        out[i] = (out[i - 1] * (n - 1) + vals[i]) / n
    return out


def rsi(x, n):
    gains = [None] + [max(x[i] - x[i - 1], 0.0) for i in range(1, len(x))]
    losses = [None] + [max(x[i - 1] - x[i], 0.0) for i in range(1, len(x))]
    ag = wilder(gains, n, 1)
    al = wilder(losses, n, 1)
    out = []
    for g, l in zip(ag, al):
        if g is None:
            out.append(None)
        elif -1e-8 < g + l < 1e-8:
            out.append(0.0)
        else:
            out.append(100 * (g / (g + l)))
    return out


def atr(h, l, c, n):
    tr = [None] + [max(h[i] - l[i], abs(h[i] - c[i - 1]),
                       abs(l[i] - c[i - 1])) for i in range(1, len(c))]
    return wilder(tr, n, 1)


def stddev(x, n):
    out = []
    for i in range(len(x)):
        if i < n - 1:
            out.append(None)
            continue
        w = x[i - n + 1:i + 1]
        m = mean(w)
        out.append(math.sqrt(math.fsum((v - m) ** 2 for v in w) / n))
    return out


def bbands(x, n, k):
    mid = sma(x, n)
    sd = stddev(x, n)
    return [(m, m + k * s, m - k * s) if m is not None else None
            for m, s in zip(mid, sd)]


def vwap(h, l, c, v):
    # one New York session (2012-01-26): no reset within the data
    out = []
    pv = []
    vv = []
    for i in range(len(c)):
        pv.append((h[i] + l[i] + c[i]) / 3 * v[i])
        vv.append(v[i])
        sv = math.fsum(vv)
        out.append(math.fsum(pv) / sv if sv > 0 else None)
    return out


def highest(x, n):
    return [max(x[i - n + 1:i + 1]) if i >= n - 1 else None
            for i in range(len(x))]


def lowest(x, n):
    return [min(x[i - n + 1:i + 1]) if i >= n - 1 else None
            for i in range(len(x))]


def slope(y, n):
    xbar = (n - 1) / 2
    sxx = math.fsum((j - xbar) ** 2 for j in range(n))
    out = []
    for i in range(len(y)):
        if i < n - 1:
            out.append(None)
            continue
        w = y[i - n + 1:i + 1]
        ybar = mean(w)
        out.append(math.fsum((j - xbar) * (w[j] - ybar)
                             for j in range(n)) / sxx)
    return out


def write(name, vals):
    with open(os.path.join(HERE, 'ind-ref-%s.csv' % name), 'w') as f:
        for i, v in enumerate(vals):
            if v is None:
                cells = []
            elif isinstance(v, tuple):
                cells = [repr(e) for e in v]
            else:
                cells = [repr(v)]
            f.write(','.join([str(i)] + cells) + '\n')


def main():
    d = load()
    o, h, l, c, v = d['o'], d['h'], d['l'], d['c'], d['v']
    write('sma20', sma(c, 20))
    write('sma5', sma(c, 5))
    write('ema12', ema(c, 12))
    write('ema26', ema(c, 26))
    write('wma20', wma(c, 20))
    write('wma7', wma(c, 7))
    write('macd', macd(c, 12, 26, 9))
    write('macd_5_35_5', macd(c, 5, 35, 5))
    write('rsi14', rsi(c, 14))
    write('rsi5', rsi(c, 5))
    write('atr14', atr(h, l, c, 14))
    write('bbands', bbands(c, 20, 2))
    write('stddev20', stddev(c, 20))
    write('stddev5', stddev(c, 5))
    write('vwap', vwap(h, l, c, v))
    write('highest20', highest(h, 20))
    write('lowest20', lowest(l, 20))
    write('slope20', slope(c, 20))
    write('slope3', slope(c, 3))


if __name__ == '__main__':
    main()
