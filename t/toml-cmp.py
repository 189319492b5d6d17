#!/usr/bin/python3
"""toml-cmp.py EXPECTED ACTUAL: compare two documents of toml-test's tagged
JSON as toml-test itself does, exit 0 if they are the same, else 1 with
the first difference on stderr.  toml-cmp.py - compares the pairs of file
names on standard input, "EXPECTED ACTUAL" a line, and reports each pair
that differs; exit 1 if any does.

Tables compare as objects (key order does not matter), arrays item by
item, and a value {"type": T, "value": V} by its type and then:
floats by value ("inf", "+inf" and "-inf"; any "nan" equals any "nan");
datetimes by the instant they name (offsets applied); local datetimes,
dates and times by their fields, fractions of a second to the nanosecond
(extra digits cut, as TOML allows); every other type as strings.
"""
import calendar
import json
import math
import re
import sys

DATE = r'(\d{4})-(\d{2})-(\d{2})'
TIME = r'(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?'
OFFSET = r'([Zz]|[+-]\d{2}:\d{2})'
FORMS = {
    'datetime': re.compile(DATE + '[Tt ]' + TIME + OFFSET + r'\Z'),
    'datetime-local': re.compile(DATE + '[Tt ]' + TIME + r'\Z'),
    'date-local': re.compile(DATE + r'\Z'),
    'time-local': re.compile(TIME + r'\Z'),
}


class Differ(Exception):
    pass


def nanos(frac):
    return int((frac or '0')[:9].ljust(9, '0'))


def norm_float(v):
    s = v.lower().lstrip('+')
    if s in ('nan', '-nan'):
        return 'nan'
    if s == 'inf':
        return math.inf
    if s == '-inf':
        return -math.inf
    return float(v)


def norm_datetime(kind, v):
    m = FORMS[kind].match(v)
    if m is None:
        raise Differ('not a %s: %r' % (kind, v))
    g = m.groups()
    if kind == 'date-local':
        return tuple(int(x) for x in g)
    if kind == 'time-local':
        return tuple(int(x) for x in g[:3]) + (nanos(g[3]),)
    fields = tuple(int(x) for x in g[:6]) + (nanos(g[6]),)
    if kind == 'datetime-local':
        return fields
    off = 0
    if g[7] not in ('Z', 'z'):
        sign = -1 if g[7][0] == '-' else 1
        off = sign * (int(g[7][1:3]) * 60 + int(g[7][4:6]))
    secs = calendar.timegm(fields[:6]) - off * 60
    return (secs, fields[6])


def is_leaf(x):
    return (isinstance(x, dict) and set(x) == {'type', 'value'} and
            isinstance(x['type'], str) and isinstance(x['value'], str))


def leaf(x):
    t, v = x['type'], x['value']
    if t == 'float':
        return (t, norm_float(v))
    if t in FORMS:
        return (t, norm_datetime(t, v))
    return (t, v)


def cmp(want, have, path):
    if is_leaf(want):
        if not is_leaf(have):
            raise Differ('%s: want a value, have %r' % (path, have))
        if leaf(want) != leaf(have):
            raise Differ('%s: want %r, have %r' % (path, want, have))
    elif isinstance(want, dict):
        if not isinstance(have, dict) or is_leaf(have):
            raise Differ('%s: want a table, have %r' % (path, have))
        if set(want) != set(have):
            raise Differ('%s: keys differ: want %s, have %s' %
                         (path, sorted(want), sorted(have)))
        for k in want:
            cmp(want[k], have[k], path + '.' + k)
    elif isinstance(want, list):
        if not isinstance(have, list) or len(want) != len(have):
            raise Differ('%s: want an array of %d, have %r' %
                         (path, len(want), have))
        for i, (w, h) in enumerate(zip(want, have)):
            cmp(w, h, '%s[%d]' % (path, i))
    else:
        raise Differ('%s: expected JSON is not tagged: %r' % (path, want))


def same(expected, actual):
    with open(expected, encoding='utf-8') as f:
        want = json.load(f)
    try:
        with open(actual, encoding='utf-8') as f:
            have = json.load(f)
        cmp(want, have, '$')
    except (Differ, ValueError) as e:
        print('toml-cmp: %s: %s' % (actual, e), file=sys.stderr)
        return False
    return True


def main():
    if len(sys.argv) == 2 and sys.argv[1] == '-':
        n = bad = 0
        for line in sys.stdin:
            n += 1
            bad += not same(*line.split())
        print('toml-cmp: %d of %d differ' % (bad, n), file=sys.stderr)
        sys.exit(1 if bad or n == 0 else 0)
    if len(sys.argv) != 3:
        sys.exit('usage: toml-cmp.py EXPECTED ACTUAL | -')
    sys.exit(0 if same(sys.argv[1], sys.argv[2]) else 1)


if __name__ == '__main__':
    main()
