#!/usr/bin/env python3
"""window_vs_sqlite.py: random out-of-order events through eddy's window aggregations, checked
against the same aggregation computed by sqlite3.

    window_vs_sqlite.py --eddy build/release/shell/eddy [--seeds 40] [--first-seed 1]
                        [--kinds tumble,hop,cumulate,session,group_tumble,group_session]
                        [--session-late flink|arrival]
                        [--budget SIZE] [--keep] [-v]

For every seed: a few hundred events, or for some seeds a few thousand (several batches of 1024
rows), of (key, BIGINT value, DOUBLE value, timestamp), whose timestamps run forward with some
disorder, a few NULL values, and a few rows far behind (late),
written as JSON lines; then, for each window kind, one `eddy run` of

    SELECT k, window_start, window_end, COUNT(*), COUNT(v), SUM(v), AVG(v), MIN(v), MAX(v),
           COUNT(DISTINCT v), SUM(d), AVG(d)
    FROM TABLE(<TUMBLE|HOP|CUMULATE|SESSION PARTITION BY k>(TABLE ev, DESCRIPTOR(ts), ...))
    GROUP BY k, window_start, window_end

over a table with WATERMARK FOR ts AS ts - INTERVAL 'W' SECOND; and the same aggregation in the
older form, GROUP BY k, TUMBLE(ts, size) / SESSION(ts, gap) with TUMBLE_START/_END (kinds
group_tumble and group_session). For some seeds group_tumble runs with an allowed lateness L
('table.exec.emit.allow-lateness' with late firing, as Flink's group windows have it): a window
fires on time and again for every row that arrives until the watermark passes end - 1 + L, as
-U/+U; the final state of that changelog is compared.

The reference follows eddy's documented semantics (runtime/batch.h, DESIGN.md): the file is one
split, so the watermark in force when row i arrives is the largest (ts - W) over the rows before
it. For TUMBLE, HOP and CUMULATE a row counts in each of its windows [start, end) that has not
fired, that is end - 1 ms (+ L) > that watermark (a HOP row whose first window fired still counts in
the next); for SESSION a row's window [ts, ts + gap) first merges with the open sessions of its
key that it overlaps or touches, and the row is dropped only when the merged window has fired
(end - 1 ms <= watermark), as Flink's merging window operators do (MergingWindowSet, then
isWindowLate) and runtime/op_session_agg.c documents: a row whose own window fired still counts
when it touches an open session. Sessions fire, and leave the set that rows can merge with,
once end - 1 ms <= watermark. (--session-late=arrival checks the simpler rule instead: a row is
late when ts + gap - 1 ms <= watermark, whatever it touches.) Python does this row
bookkeeping; the aggregation itself is SQL in sqlite3. AVG(BIGINT) is BIGINT truncated toward
zero (Flink); DOUBLE results are compared with a relative tolerance of 1e-9.

On a mismatch it prints the seed, the query, the input file and the rows that differ, keeps the
files and exits 1 (after checking the other seeds). Exit code 0 when every check passed.
"""
import argparse
import calendar
import json
import math
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

BASE = 1577836800000  # 2020-01-01 00:00:00.000 UTC in epoch ms
ROW_RE = re.compile(r'^(?:[^\s\[\]]+> )?([+-][IUD])?\[(.*)\]$')
TS_RE = re.compile(r'^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?$')


def ts_text(ms):
    """'yyyy-MM-dd HH:mm:ss.SSS' of epoch ms (UTC wall clock)."""
    t = time.gmtime(ms // 1000)
    return '%04d-%02d-%02d %02d:%02d:%02d.%03d' % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour,
                                                  t.tm_min, t.tm_sec, ms % 1000)


def parse_java_ts(s):
    """Epoch ms of a LocalDateTime text (2020-01-01T00:00, ...:05, ...:05.500)."""
    m = TS_RE.match(s)
    if not m:
        raise ValueError('not a timestamp: %r' % s)
    y, mo, d, h, mi, sec, frac = m.groups()
    secs = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(sec or 0)))
    ms = int((frac or '0').ljust(3, '0')[:3])
    return secs * 1000 + ms


def java_ts(ms):
    """LocalDateTime.toString of epoch ms, as eddy's print shows it (for messages)."""
    t = time.gmtime(ms // 1000)
    s = '%04d-%02d-%02dT%02d:%02d' % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min)
    if t.tm_sec or ms % 1000:
        s += ':%02d' % t.tm_sec
        if ms % 1000:
            s += '.%03d' % (ms % 1000)
    return s


# ------------------------------------------------------------------------------------------
# Events

class Scenario:
    pass


def make_scenario(seed):
    rng = random.Random(seed)
    sc = Scenario()
    sc.seed = seed
    sc.wm_delay = rng.choice([0, 0, 1, 2, 5]) * 1000          # WATERMARK ts - W
    sc.disorder = rng.choice([0, 300, 1500, 3000, 6000])      # how far rows stray backwards
    nkeys = rng.choice([1, 2, 3, 5])
    # most inputs fit in one batch (1024 rows); some span several
    n = rng.randint(20, 400) if rng.random() < 0.7 else rng.randint(1100, 3500)
    step = rng.choice([50, 200, 500, 1000])                    # mean gap between rows
    sc.tumble = rng.choice([1000, 2000, 5000])
    sc.hop = rng.choice([(1000, 3000), (2000, 4000), (1000, 5000), (2000, 10000)])  # slide, size
    sc.cumulate = rng.choice([(1000, 3000), (2000, 6000), (1000, 4000)])            # step, size
    sc.gap = rng.choice([1000, 2000, 3000])
    sc.lateness = rng.choice([0, 0, 1000, 4000])              # allowed lateness of group_tumble
    rows = []
    t = BASE + rng.randint(0, 5000)
    for i in range(n):
        t += int(rng.expovariate(1.0 / step)) if rng.random() < 0.9 else rng.randint(0, 3) * 1000
        ts = t - (rng.randint(0, sc.disorder) if sc.disorder else 0)
        r = rng.random()
        if r < 0.04:
            ts = t - sc.wm_delay - rng.randint(1000, 20000)         # far behind: late
        elif r < 0.12:
            ts = (ts // 1000) * 1000 + rng.choice([-1, 0, 0, 1])    # on / next to a boundary
        k = 'k%d' % rng.randrange(nkeys)
        v = None if rng.random() < 0.08 else rng.randint(-50, 100)
        d = None if rng.random() < 0.08 else round(rng.uniform(-10, 10), 2)
        if rng.random() < 0.05 and rows:                          # a duplicate timestamp
            ts = rows[-1][3]
        rows.append((k, v, d, ts))
    sc.rows = rows
    return sc


def write_input(sc, path):
    with open(path, 'w') as f:
        for k, v, d, ts in sc.rows:
            f.write(json.dumps({'k': k, 'v': v, 'd': d, 'ts': ts_text(ts)}) + '\n')


# ------------------------------------------------------------------------------------------
# The queries

KINDS = ['tumble', 'hop', 'cumulate', 'session', 'group_tumble', 'group_session']
AGGS = ('COUNT(*), COUNT(v), SUM(v), AVG(v), MIN(v), MAX(v), COUNT(DISTINCT v), SUM(d), AVG(d)')
COLS = ['n', 'nv', 'sv', 'av', 'mn', 'mx', 'nd', 'sd', 'ad']
DOUBLE_COLS = {'sd', 'ad'}


def interval(ms):
    if ms % 1000 == 0:
        return "INTERVAL '%d' SECOND" % (ms // 1000)
    return "INTERVAL '%s' SECOND" % ('%.3f' % (ms / 1000.0))


BUDGET = None   # --budget: 'state.memory.budget' of every query (window state spills to disk)


def query(sc, kind, path):
    wm = 'ts' if sc.wm_delay == 0 else 'ts - %s' % interval(sc.wm_delay)
    sets = "SET 'state.memory.budget' = '%s';\n" % BUDGET if BUDGET else ''
    if kind == 'group_tumble' and sc.lateness:
        sets += ("SET 'table.exec.emit.allow-lateness' = '%d ms';\n"
               "SET 'table.exec.emit.late-fire.enabled' = 'true';\n"
               "SET 'table.exec.emit.late-fire.delay' = '0 s';\n" % sc.lateness)
    ddl = sets + ("CREATE TABLE ev (\n    k STRING,\n    v BIGINT,\n    d DOUBLE,\n    ts TIMESTAMP(3),\n"
           "    WATERMARK FOR ts AS %s\n) WITH ('connector' = 'filesystem', 'path' = '%s', "
           "'format' = 'json');\n" % (wm, path))
    if kind == 'tumble':
        tvf = 'TUMBLE(TABLE ev, DESCRIPTOR(ts), %s)' % interval(sc.tumble)
    elif kind == 'hop':
        tvf = 'HOP(TABLE ev, DESCRIPTOR(ts), %s, %s)' % (interval(sc.hop[0]), interval(sc.hop[1]))
    elif kind == 'cumulate':
        tvf = 'CUMULATE(TABLE ev, DESCRIPTOR(ts), %s, %s)' % (interval(sc.cumulate[0]),
                                                              interval(sc.cumulate[1]))
    elif kind == 'session':
        tvf = 'SESSION(TABLE ev PARTITION BY k, DESCRIPTOR(ts), %s)' % interval(sc.gap)
    else:   # the older GROUP BY TUMBLE(...) / SESSION(...) form
        fn, iv = ('TUMBLE', interval(sc.tumble)) if kind == 'group_tumble' else \
            ('SESSION', interval(sc.gap))
        return ddl + ("SELECT k, %s_START(ts, %s), %s_END(ts, %s), %s\nFROM ev\n"
                      "GROUP BY k, %s(ts, %s);\n" % (fn, iv, fn, iv, AGGS, fn, iv))
    return ddl + ("SELECT k, window_start, window_end, %s\nFROM TABLE(%s)\n"
                  "GROUP BY k, window_start, window_end;\n" % (AGGS, tvf))


# ------------------------------------------------------------------------------------------
# The reference

def windows_of(sc, kind, ts):
    """[start, end) of every window of a TUMBLE/HOP/CUMULATE row at ts."""
    if kind in ('tumble', 'group_tumble'):
        s = ts - ts % sc.tumble
        return [(s, s + sc.tumble)]
    if kind == 'hop':
        slide, size = sc.hop
        last = ts - ts % slide
        out = []
        s = last
        while s > ts - size:
            out.append((s, s + size))
            s -= slide
        return out
    step, size = sc.cumulate
    ws = ts - ts % size
    out = []
    e = ws + step
    while e <= ws + size:
        if e > ts:
            out.append((ws, e))
        e += step
    return out


SESSION_LATE = 'flink'


def assign(sc, kind):
    """(k, v, d, window start, window end) of every row that counts, per the semantics above."""
    out = []
    wm = None
    if kind not in ('session', 'group_session'):
        late = sc.lateness if kind == 'group_tumble' else 0
        for k, v, d, ts in sc.rows:
            for s, e in windows_of(sc, kind, ts):
                if wm is None or e - 1 + late > wm:
                    out.append((k, v, d, s, e))
            wm = ts - sc.wm_delay if wm is None else max(wm, ts - sc.wm_delay)
        return out
    gap = sc.gap
    open_ = {}      # key -> list of [start, end, rows]
    closed = []     # (k, start, end, rows)
    for k, v, d, ts in sc.rows:
        if wm is not None:
            for key in list(open_):
                keep = []
                for sess in open_[key]:
                    if sess[1] - 1 <= wm:
                        closed.append((key, sess[0], sess[1], sess[2]))
                    else:
                        keep.append(sess)
                open_[key] = keep
        s, e = ts, ts + gap
        if SESSION_LATE == 'arrival' and wm is not None and e - 1 <= wm:
            wm = max(wm, ts - sc.wm_delay)             # late on arrival: dropped
            continue
        rows = [(v, d)]
        keep = []
        for sess in open_.get(k, []):
            if sess[0] <= e and sess[1] >= s:       # overlapping or touching: merge
                s, e = min(s, sess[0]), max(e, sess[1])
                rows += sess[2]
            else:
                keep.append(sess)
        if wm is not None and e - 1 <= wm:
            open_[k] = keep                            # late (merged with nothing open)
        else:
            keep.append([s, e, rows])
            open_[k] = keep
        wm = ts - sc.wm_delay if wm is None else max(wm, ts - sc.wm_delay)
    for key, sessions in open_.items():
        for sess in sessions:
            closed.append((key, sess[0], sess[1], sess[2]))
    for key, s, e, rows in closed:
        for v, d in rows:
            out.append((key, v, d, s, e))
    return out


def reference(sc, kind):
    """{(k, start, end): [values in COLS order]} computed by sqlite3."""
    db = sqlite3.connect(':memory:')
    db.execute('CREATE TABLE a (k TEXT, v INTEGER, d REAL, ws INTEGER, we INTEGER)')
    db.executemany('INSERT INTO a VALUES (?, ?, ?, ?, ?)', assign(sc, kind))
    res = {}
    for row in db.execute('SELECT k, ws, we, COUNT(*), COUNT(v), SUM(v), MIN(v), MAX(v), '
                          'COUNT(DISTINCT v), SUM(d), COUNT(d) FROM a GROUP BY k, ws, we'):
        k, ws, we, n, nv, sv, mn, mx, nd, sd, cd = row
        av = None
        if nv:
            q = abs(sv) // nv
            av = q if sv >= 0 else -q                  # Java's long division: toward zero
        ad = None if cd == 0 else sd / cd
        res[(k, ws, we)] = [n, nv, sv, av, mn, mx, nd, sd, ad]
    db.close()
    return res


# ------------------------------------------------------------------------------------------
# eddy's side

def parse_value(text):
    if text == 'null':
        return None
    if re.match(r'^-?\d+$', text):
        return int(text)
    return float(text)      # Java's Double.toString reads back with float()


def parse_output(stdout):
    """{(k, start, end): [values]} from the printed rows, and a list of problems."""
    res, problems = {}, []
    for line in stdout.splitlines():
        line = line.rstrip()
        if not line:
            continue
        m = ROW_RE.match(line)
        if not m:
            continue
        kind = m.group(1) or '+I'
        parts = m.group(2).split(', ')
        if len(parts) != 3 + len(COLS):
            problems.append('row with %d values, expected %d: %s' % (len(parts), 3 + len(COLS), line))
            continue
        try:
            key = (parts[0], parse_java_ts(parts[1]), parse_java_ts(parts[2]))
            vals = [parse_value(p) for p in parts[3:]]
        except ValueError as e:
            problems.append('%s: %s' % (e, line))
            continue
        if kind in ('-U', '-D'):                          # a retraction of what was printed
            if res.get(key) != vals:
                problems.append('%s of a row that is not the current one: %s' % (kind, line))
            else:
                del res[key]
            continue
        if key in res:
            problems.append('window printed twice without a retraction: %s' % line)
        res[key] = vals
    return res, problems


def same(col, a, b):
    if a is None or b is None:
        return a is None and b is None
    if col in DOUBLE_COLS:
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def fmt_row(key, vals):
    return '[%s, %s, %s, %s]' % (key[0], java_ts(key[1]), java_ts(key[2]),
                                 ', '.join('null' if x is None else repr(x) for x in vals))


def compare(exp, got):
    diffs = []
    for key in sorted(set(exp) | set(got), key=lambda x: (x[1], x[2], x[0])):
        e, g = exp.get(key), got.get(key)
        if e is None:
            diffs.append('  unexpected: %s' % fmt_row(key, g))
        elif g is None:
            diffs.append('  missing:    %s' % fmt_row(key, e))
        elif not all(same(c, a, b) for c, a, b in zip(COLS, e, g)):
            bad = [c for c, a, b in zip(COLS, e, g) if not same(c, a, b)]
            diffs.append('  differs in %s:\n    expected %s\n    got      %s' % (
                ','.join(bad), fmt_row(key, e), fmt_row(key, g)))
    return diffs


def run_one(eddy, sc, kind, tmp, verbose):
    """Returns a list of failure lines (empty when eddy agrees with sqlite)."""
    data = os.path.join(tmp, 'events.jsonl')
    qpath = os.path.join(tmp, '%s.sql' % kind)
    with open(qpath, 'w') as f:
        f.write(query(sc, kind, data))
    t0 = time.monotonic()
    try:
        # cwd: eddy's state directory (./eddy-state/<job>) is this run's own, not one that
        # another test running at the same time also uses
        p = subprocess.run([eddy, 'run', qpath], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=120, cwd=tmp)
    except subprocess.TimeoutExpired:
        return ['eddy run %s did not finish within 120 s' % qpath]
    secs = time.monotonic() - t0
    out = p.stdout.decode('utf-8', 'replace')
    err = p.stderr.decode('utf-8', 'replace')
    if verbose:
        print('    seed %d %s: exit %d, %.2f s' % (sc.seed, kind, p.returncode, secs))
    if p.returncode != 0:
        return ['eddy run %s: exit code %d\n%s' % (qpath, p.returncode, err.rstrip())]
    got, problems = parse_output(out)
    exp = reference(sc, kind)
    diffs = compare(exp, got)
    if problems or diffs:
        return problems + ['%d window(s) differ (of %d expected, %d printed):' % (
            len(diffs), len(exp), len(got))] + diffs[:40] + (
            ['  ... %d more' % (len(diffs) - 40)] if len(diffs) > 40 else [])
    return []


def main():
    ap = argparse.ArgumentParser(description='Checks eddy window aggregations against sqlite3.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--seeds', type=int, default=40)
    ap.add_argument('--first-seed', type=int, default=1)
    ap.add_argument('--kinds', default=','.join(KINDS))
    ap.add_argument('--session-late', choices=['flink', 'arrival'], default='flink',
                    help="when a SESSION row is late: 'flink' (only when the session it merges "
                         "into has fired, the default) or 'arrival' (ts + gap - 1 <= watermark)")
    ap.add_argument('--keep', action='store_true', help='keep the files of passing seeds too')
    ap.add_argument('--budget', help="SET 'state.memory.budget' to this (e.g. 4kb): the window "
                                     "state spills to disk while the windows are open")
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    global SESSION_LATE, BUDGET
    BUDGET = a.budget
    SESSION_LATE = a.session_late
    eddy = os.path.abspath(a.eddy)
    kinds = a.kinds.split(',')
    for k in kinds:
        if k not in KINDS:
            print('window_vs_sqlite.py: unknown kind %s' % k)
            return 2
    failed = 0
    checks = 0
    t0 = time.monotonic()
    for seed in range(a.first_seed, a.first_seed + a.seeds):
        sc = make_scenario(seed)
        tmp = tempfile.mkdtemp(prefix='eddy-window-%d-' % seed)
        write_input(sc, os.path.join(tmp, 'events.jsonl'))
        seed_failed = False
        for kind in kinds:
            checks += 1
            fails = run_one(eddy, sc, kind, tmp, a.verbose)
            if fails:
                seed_failed = True
                failed += 1
                print('FAIL seed %d, %s (%d rows, watermark ts - %d ms, disorder %d ms, tumble %d, '
                      'hop %s, cumulate %s, gap %d, lateness %d)' % (
                          seed, kind, len(sc.rows), sc.wm_delay, sc.disorder, sc.tumble, sc.hop,
                          sc.cumulate, sc.gap, sc.lateness))
                print('  query: %s' % os.path.join(tmp, '%s.sql' % kind))
                print('  input: %s' % os.path.join(tmp, 'events.jsonl'))
                for line in fails:
                    print('  ' + line.replace('\n', '\n  '))
        if seed_failed or a.keep:
            print('  (files kept in %s)' % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print('%d of %d checks passed (%d seeds x %s) in %.1f s' % (
        checks - failed, checks, a.seeds, '/'.join(kinds), time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
