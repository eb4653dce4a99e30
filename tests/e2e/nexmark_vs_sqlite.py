#!/usr/bin/env python3
"""nexmark_vs_sqlite.py: the published Nexmark queries run by eddy, checked against sqlite3.

    nexmark_vs_sqlite.py --eddy build/release/shell/eddy --nexmark-dir ../shared/nexmark
                         [--events 50000] [--queries q0,q1,...] [--keep] [-v]

Without the Nexmark folder (a user's clone has no ../shared) it prints "skipped: ..." and exits 0.

For each query (q0 q1 q2 q10 q11 q12 q15 q16 q17 q21 q22) two runs:
 1. as published: ddl_gen.sql + ddl_views.sql + qN.sql unmodified, placeholders filled with -D
    (NEXMARK_TABLE=datagen, a high TPS, EVENTS_NUM small, proportions 1/3/46, NEXMARK_DIR and
    SUBMIT_TIME in a temporary folder): it must exit 0 (q10's partitioned CSV files are checked
    to hold every bid);
 2. for comparison: the same files, except that the nexmark table gets 'max-emit-speed' = 'true'
    (the published DDL paces the generator by the wall clock, so event times could only be spread
    out by making the test slow) and a low rate (400 events/s: 50000 events span 125 s, so that
    q11 has several sessions per bidder and q10/q16 several minutes), and that the sink table
    nexmark_qN is declared again with the same columns over 'filesystem' (JSON) - or 'print' for
    the changelog queries q15, q16, q17 - followed by the rest of qN.sql as published (its views
    and its INSERT).
The raw bids of the comparison configuration are dumped once (INSERT INTO raw_bids SELECT * FROM
bid into a filesystem table); Python loads them into sqlite3 and computes every query there:
DATE_FORMAT with strftime, REGEXP_EXTRACT and SPLIT_INDEX as functions registered with sqlite3,
q1's DECIMAL exactly with Python's decimal module, q11's sessions (gap 10 s, touching sessions
merge) by a scan per bidder, then grouped in SQL. The changelog queries are compared by their
final state (apply +I/-U/+U/-D). q12 works in processing time, so only its invariants are checked:
every window is 10 s long and aligned, and the counts of a bidder add up to its number of bids.

Exit code 0 when every check passed (or skipped), 1 otherwise; files of failures are kept.
"""
import argparse
import calendar
import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from decimal import Decimal

QUERIES = ['q0', 'q1', 'q2', 'q10', 'q11', 'q12', 'q15', 'q16', 'q17', 'q21', 'q22']
CHANGELOG = {'q15', 'q16', 'q17'}
TS_RE = re.compile(r'^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?Z?$')
PRINT_RE = re.compile(r'^(?:([^\s\[\]]+)> )?([+-][IUD])\[(.*)\]$')


def ts_ms(s):
    m = TS_RE.match(s)
    if not m:
        raise ValueError('not a timestamp: %r' % s)
    y, mo, d, h, mi, sec, frac = m.groups()
    secs = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(sec or 0)))
    return secs * 1000 + int((frac or '0').ljust(3, '0')[:3])


def ts_sql(ms):
    t = time.gmtime(ms // 1000)
    return '%04d-%02d-%02d %02d:%02d:%02d.%03d' % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour,
                                                  t.tm_min, t.tm_sec, ms % 1000)


class Run:
    def __init__(self, eddy, tmp, verbose):
        self.eddy, self.tmp, self.verbose = eddy, tmp, verbose

    def eddy_run(self, name, text, defines, timeout=300):
        path = os.path.join(self.tmp, name + '.sql')
        with open(path, 'w') as f:
            f.write(text)
        cmd = [self.eddy, 'run']
        for k, v in defines.items():
            cmd += ['-D', '%s=%s' % (k, v)]
        cmd.append(path)
        t0 = time.monotonic()
        try:
            # cwd: the state directory (./eddy-state/<job>) is this run's own
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, timeout=timeout, cwd=self.tmp)
            rc, out, err = p.returncode, p.stdout.decode('utf-8', 'replace'), \
                p.stderr.decode('utf-8', 'replace')
        except subprocess.TimeoutExpired:
            rc, out, err = -1, '', 'timed out after %d s' % timeout
        if self.verbose:
            print('    %s: exit %d, %.2f s' % (name, rc, time.monotonic() - t0))
        return rc, out, err, ' '.join(cmd)


def json_rows(root):
    """Rows of every part file under root (None when root does not exist)."""
    if not os.path.isdir(root):
        return None
    rows = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(filenames):
            if name.startswith('part-'):
                with open(os.path.join(dirpath, name), encoding='utf-8') as f:
                    for line in f:
                        if line.strip():
                            rows.append(json.loads(line, parse_float=Decimal))
    return rows


def changelog_final(stdout, ident):
    """Final rows (as value-text lists) of a printed changelog, and problems."""
    state = Counter()
    problems = []
    for line in stdout.splitlines():
        m = PRINT_RE.match(line.rstrip())
        if not m or (m.group(1) or '') != ident:
            continue
        kind, body = m.group(2), m.group(3)
        if kind in ('+I', '+U'):
            state[body] += 1
        elif state[body] > 0:
            state[body] -= 1
        else:
            problems.append('%s of a row never inserted: %s' % (kind, line))
    rows = []
    for body, n in state.items():
        rows += [tuple(body.split(', '))] * n
    return rows, problems


def print_text(v):
    return 'null' if v is None else str(v)


def multiset_check(name, expected, got, show=8):
    e, g = Counter(expected), Counter(got)
    missing = list((e - g).elements())
    extra = list((g - e).elements())
    if not missing and not extra:
        return []
    out = ['%s: %d expected rows missing, %d unexpected rows (of %d expected, %d got)' % (
        name, len(missing), len(extra), len(expected), len(got))]
    out += ['  missing:    %s' % (r,) for r in sorted(missing, key=repr)[:show]]
    out += ['  unexpected: %s' % (r,) for r in sorted(extra, key=repr)[:show]]
    return out


# ------------------------------------------------------------------------------------------
# The reference

def regexp_extract(s, pat, idx):
    if s is None or pat is None or idx is None:
        return None
    m = re.search(pat, s)
    if not m:
        return None
    return m.group(idx)


def split_index(s, sep, idx):
    if s is None or sep is None or idx is None or idx < 0:
        return None
    parts = s.split(sep)
    return parts[idx] if idx < len(parts) else None


def load_bids(path):
    db = sqlite3.connect(':memory:')
    db.create_function('regexp_extract', 3, regexp_extract, deterministic=True)
    db.create_function('split_index', 3, split_index, deterministic=True)
    db.execute('CREATE TABLE bid (auction INTEGER, bidder INTEGER, price INTEGER, channel TEXT, '
               'url TEXT, ts TEXT, ms INTEGER, extra TEXT, seq INTEGER)')
    rows = json_rows(path)
    if rows is None:
        return None, 0
    data = []
    for i, r in enumerate(rows):
        ms = ts_ms(r['dateTime'])
        data.append((r['auction'], r['bidder'], r['price'], r['channel'], r['url'], ts_sql(ms), ms,
                     r['extra'], i))
    db.executemany('INSERT INTO bid VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', data)
    return db, len(data)


RANKS = """
     count(*),
     sum(price < 10000), sum(price >= 10000 AND price < 1000000), sum(price >= 1000000),
     count(DISTINCT bidder),
     count(DISTINCT CASE WHEN price < 10000 THEN bidder END),
     count(DISTINCT CASE WHEN price >= 10000 AND price < 1000000 THEN bidder END),
     count(DISTINCT CASE WHEN price >= 1000000 THEN bidder END),
     count(DISTINCT auction),
     count(DISTINCT CASE WHEN price < 10000 THEN auction END),
     count(DISTINCT CASE WHEN price >= 10000 AND price < 1000000 THEN auction END),
     count(DISTINCT CASE WHEN price >= 1000000 THEN auction END)"""


def reference(db, q):
    """Expected rows of query q, in the form check() compares them."""
    if q == 'q0':
        return list(db.execute('SELECT auction, bidder, price, ms, extra FROM bid'))
    if q == 'q1':
        return [(a, b, str(Decimal('0.908') * p), ms, x) for a, b, p, ms, x in
                db.execute('SELECT auction, bidder, price, ms, extra FROM bid')]
    if q == 'q2':
        return list(db.execute('SELECT auction, price FROM bid WHERE auction % 123 = 0'))
    if q == 'q10':
        return list(db.execute("SELECT auction, bidder, price, ms, extra, strftime('%Y-%m-%d', ts), "
                               "strftime('%H:%M', ts) FROM bid"))
    if q == 'q11':
        gap = 10000
        sess = []       # (bidder, session number, ms)
        last = {}
        for bidder, ms in db.execute('SELECT bidder, ms FROM bid ORDER BY seq'):
            st = last.get(bidder)
            if st is None or ms > st[1] + gap:          # [ms, ms + gap) does not touch the session
                st = [len(sess), ms]
                last[bidder] = st
            elif ms > st[1]:
                st[1] = ms
            sess.append((bidder, st[0], ms))
        db.execute('CREATE TEMP TABLE s11 (bidder INTEGER, sid INTEGER, ms INTEGER)')
        db.executemany('INSERT INTO s11 VALUES (?, ?, ?)', sess)
        return list(db.execute('SELECT bidder, COUNT(*), MIN(ms), MAX(ms) + %d FROM s11 '
                               'GROUP BY bidder, sid' % gap))
    if q == 'q15':
        rows = db.execute("SELECT strftime('%%Y-%%m-%%d', ts), %s FROM bid "
                          "GROUP BY strftime('%%Y-%%m-%%d', ts)" % RANKS)
        return [tuple(print_text(v) for v in r) for r in rows]
    if q == 'q16':
        rows = db.execute("SELECT channel, strftime('%%Y-%%m-%%d', ts), max(strftime('%%H:%%M', ts)), "
                          "%s FROM bid GROUP BY channel, strftime('%%Y-%%m-%%d', ts)" % RANKS)
        return [tuple(print_text(v) for v in r) for r in rows]
    if q == 'q17':
        rows = db.execute("SELECT auction, strftime('%Y-%m-%d', ts), count(*), sum(price < 10000), "
                          "sum(price >= 10000 AND price < 1000000), sum(price >= 1000000), "
                          "min(price), max(price), sum(price), count(price) FROM bid "
                          "GROUP BY auction, strftime('%Y-%m-%d', ts)")
        out = []
        for r in rows:
            s, n = r[8], r[9]
            avg = abs(s) // n * (1 if s >= 0 else -1)     # AVG(BIGINT): BIGINT toward zero
            out.append(tuple(print_text(v) for v in r[:8] + (avg, s)))
        return out
    if q == 'q21':
        return list(db.execute(
            "SELECT auction, bidder, price, channel, CASE "
            "WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1' "
            "WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3' "
            "ELSE regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) END FROM bid "
            "WHERE regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) IS NOT NULL "
            "OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')"))
    if q == 'q22':
        return list(db.execute("SELECT auction, bidder, price, channel, split_index(url, '/', 3), "
                               "split_index(url, '/', 4), split_index(url, '/', 5) FROM bid"))
    raise ValueError(q)


def got_rows(q, rows):
    """eddy's JSON rows of q in the reference's form."""
    out = []
    for r in rows:
        if q == 'q0':
            out.append((r['auction'], r['bidder'], r['price'], ts_ms(r['dateTime']), r['extra']))
        elif q == 'q1':
            out.append((r['auction'], r['bidder'], str(r['price']), ts_ms(r['dateTime']), r['extra']))
        elif q == 'q2':
            out.append((r['auction'], r['price']))
        elif q == 'q11':
            out.append((r['bidder'], r['bid_count'], ts_ms(r['starttime']), ts_ms(r['endtime'])))
        elif q == 'q21':
            out.append((r['auction'], r['bidder'], r['price'], r['channel'], r['channel_id']))
        elif q == 'q22':
            out.append((r['auction'], r['bidder'], r['price'], r['channel'], r['dir1'], r['dir2'],
                        r['dir3']))
    return out


def q10_rows(root):
    """Rows of q10's partitioned CSV output, partition values from the folder names, and the
    partition folders that lack a _SUCCESS file."""
    rows, unmarked = [], []
    if not os.path.isdir(root):
        return None, []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        parts = {}
        if rel != '.':
            for seg in rel.split(os.sep):
                k, _, v = seg.partition('=')
                parts[k] = urllib.parse.unquote(v)
        has_parts = False
        for name in sorted(filenames):
            if not name.startswith('part-'):
                continue
            has_parts = True
            with open(os.path.join(dirpath, name), newline='', encoding='utf-8') as f:
                for rec in csv.reader(f):
                    if not rec:
                        continue
                    a, b, p, ts, x = rec
                    rows.append((int(a), int(b), int(p), ts_ms(ts), x, parts.get('dt'),
                                 parts.get('hm')))
        if has_parts and '_SUCCESS' not in filenames:
            unmarked.append(rel)
    return rows, unmarked


# ------------------------------------------------------------------------------------------
# Building the SQL

def sink_split(text, q):
    """(columns text, partition clause, rest of the file after the sink's CREATE TABLE)."""
    m = re.search(r'CREATE TABLE nexmark_%s\s*\((.*?)\)\s*(PARTITIONED BY\s*\([^)]*\)\s*)?'
                  r'WITH\s*\((.*?)\)\s*;' % q, text, re.S | re.I)
    if not m:
        raise ValueError('%s.sql: no CREATE TABLE nexmark_%s ... WITH (...);' % (q, q))
    return m.group(1), m.group(2) or '', text[m.end():]


def compare_ddl(ddl_gen):
    """ddl_gen.sql with 'max-emit-speed' = 'true' added to the nexmark table's options."""
    new, n = re.subn(r"('connector'\s*=\s*'nexmark'\s*,)", r"\1\n    'max-emit-speed' = 'true',",
                     ddl_gen, count=1)
    if n != 1:
        raise ValueError("ddl_gen.sql: no 'connector' = 'nexmark' option found")
    return new


def main():
    ap = argparse.ArgumentParser(description='Checks the Nexmark queries against sqlite3.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--nexmark-dir', required=True)
    ap.add_argument('--events', type=int, default=50000, help='EVENTS_NUM (default 50000)')
    ap.add_argument('--tps', type=int, default=400,
                    help='events/s of the compared runs: event n at n * 1000 / tps ms (default 400)')
    ap.add_argument('--published-tps', type=int, default=1000000,
                    help='TPS of the published runs, which the generator paces (default 1000000)')
    ap.add_argument('--queries', default=','.join(QUERIES))
    ap.add_argument('--keep', action='store_true')
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    nx = a.nexmark_dir
    if not os.path.isfile(os.path.join(nx, 'ddl_gen.sql')):
        print('skipped: ../shared/nexmark not found (%s)' % nx)
        return 0
    eddy = os.path.abspath(a.eddy)
    queries = a.queries.split(',')
    for q in queries:
        if q not in QUERIES:
            print('nexmark_vs_sqlite.py: no check for %s (known: %s)' % (q, ' '.join(QUERIES)))
            return 2

    def read(name):
        with open(os.path.join(nx, name), encoding='utf-8') as f:
            return f.read()

    ddl_gen, ddl_views = read('ddl_gen.sql'), read('ddl_views.sql')
    cmp_gen = compare_ddl(ddl_gen)
    tmp = tempfile.mkdtemp(prefix='eddy-nexmark-')
    run = Run(eddy, tmp, a.verbose)
    t0 = time.monotonic()
    base_defs = {'EVENTS_NUM': a.events, 'PERSON_PROPORTION': 1, 'AUCTION_PROPORTION': 3,
                 'BID_PROPORTION': 46, 'NEXMARK_TABLE': 'datagen', 'BOOTSTRAP_SERVERS': 'localhost:9092',
                 'KEEP_ALIVE': 'false', 'STOP_AT': 0, 'FLINK_HOME': tmp}
    failures = {}
    passed = []

    def fail(q, lines):
        failures.setdefault(q, []).extend(lines)

    # the raw bids of the compared configuration
    raw_sql = (cmp_gen + '\n' + ddl_views + '\n' +
               "CREATE TABLE raw_bids (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR,\n"
               "    url VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR)\n"
               "WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json');\n"
               "INSERT INTO raw_bids SELECT * FROM bid;\n" % os.path.join(tmp, 'raw_bids'))
    cmp_defs = dict(base_defs, TPS=a.tps, NEXMARK_DIR=os.path.join(tmp, 'cmp'), SUBMIT_TIME='cmp')
    rc, out, err, cmd = run.eddy_run('raw_bids', raw_sql, cmp_defs)
    db = None
    if rc != 0:
        fail('raw', ['dumping the bids failed: exit %d\n  %s\n%s' % (rc, cmd, err.rstrip())])
    else:
        db, nbids = load_bids(os.path.join(tmp, 'raw_bids'))
        if db is None or nbids == 0:
            fail('raw', ['dumping the bids wrote no rows (%s)' % os.path.join(tmp, 'raw_bids')])
            db = None
        elif a.verbose:
            print('    %d bids dumped' % nbids)
        expected_bids = a.events // 50 * 46 + max(0, a.events % 50 - 4)
        if db is not None and nbids != expected_bids:
            fail('raw', ['%d bids dumped, expected %d of %d events with proportions 1/3/46' % (
                nbids, expected_bids, a.events)])

    for q in queries:
        text = read(q + '.sql')
        # 1. as published
        pub_defs = dict(base_defs, TPS=a.published_tps, NEXMARK_DIR=os.path.join(tmp, 'pub'),
                        SUBMIT_TIME='pub-' + q)
        rc, out, err, cmd = run.eddy_run(q + '_published', ddl_gen + '\n' + ddl_views + '\n' + text,
                                         pub_defs)
        if rc != 0:
            fail(q, ['as published: exit %d\n  %s\n%s' % (rc, cmd, err.rstrip()[-3000:])])
        elif q == 'q10':
            rows, unmarked = q10_rows(os.path.join(tmp, 'pub', 'data', 'output', 'pub-q10', 'bid'))
            want = a.events // 50 * 46 + max(0, a.events % 50 - 4)
            if rows is None or len(rows) != want:
                fail(q, ['as published: %s rows written, expected %d' % (
                    'no' if rows is None else len(rows), want)])
            if unmarked:
                fail(q, ['as published: partitions without _SUCCESS: %s' % ', '.join(unmarked[:5])])
        if db is None:
            continue
        # 2. compared with sqlite
        cols, part, rest = sink_split(text, q)
        if q == 'q10':
            sql = cmp_gen + '\n' + ddl_views + '\n' + text
        elif q in CHANGELOG:
            sql = (cmp_gen + '\n' + ddl_views + '\n' + 'CREATE TABLE nexmark_%s (%s)\n'
                   "WITH ('connector' = 'print', 'print-identifier' = '%s');\n" % (q, cols, q) + rest)
        else:
            sql = (cmp_gen + '\n' + ddl_views + '\n' + 'CREATE TABLE nexmark_%s (%s)\n'
                   "WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json');\n" % (
                       q, cols, os.path.join(tmp, 'out_' + q)) + rest)
        rc, out, err, cmd = run.eddy_run(q + '_compared', sql, cmp_defs)
        if rc != 0:
            fail(q, ['compared run: exit %d\n  %s\n%s' % (rc, cmd, err.rstrip()[-3000:])])
            continue
        try:
            if q == 'q10':
                got, unmarked = q10_rows(os.path.join(tmp, 'cmp', 'data', 'output', 'cmp', 'bid'))
                if got is None:
                    fail(q, ['compared run wrote no output folder'])
                    continue
                lines = multiset_check(q, reference(db, q), got)
                if unmarked:
                    lines.append('partitions without _SUCCESS: %s' % ', '.join(unmarked[:5]))
            elif q in CHANGELOG:
                got, problems = changelog_final(out, q)
                lines = problems + multiset_check(q + ' (final state of the changelog)',
                                                  reference(db, q), got)
            else:
                rows = json_rows(os.path.join(tmp, 'out_' + q))
                if rows is None:
                    fail(q, ['compared run wrote no output folder'])
                    continue
                if q == 'q12':
                    lines = check_q12(db, rows)
                else:
                    lines = multiset_check(q, reference(db, q), got_rows(q, rows))
        except (KeyError, ValueError, TypeError) as e:
            lines = ['cannot read the output: %r' % e]
        if lines:
            fail(q, lines + ['  (%s)' % cmd])
        elif q not in failures:
            passed.append(q)

    for q in ['raw'] + queries:
        if q in failures:
            print('FAIL %s' % q)
            for line in failures[q]:
                print('  ' + line.replace('\n', '\n  '))
        elif q in passed:
            print('ok   %s' % q)
    print('%d of %d queries agree with sqlite3 (%d events, %.1f s)' % (
        len(passed), len(queries), a.events, time.monotonic() - t0))
    if failures or a.keep:
        print('(files kept in %s)' % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


def check_q12(db, rows):
    """q12 counts bids per bidder in processing-time windows: check its invariants."""
    lines = []
    per_bidder = Counter()
    seen = set()
    for r in rows:
        st, en = ts_ms(r['starttime']), ts_ms(r['endtime'])
        if en - st != 10000 or st % 10000 != 0:
            lines.append('q12: window [%s, %s) is not an aligned 10 s window' % (
                r['starttime'], r['endtime']))
        if (r['bidder'], st) in seen:
            lines.append('q12: bidder %s has two rows for the window at %s' % (r['bidder'], r['starttime']))
        seen.add((r['bidder'], st))
        per_bidder[r['bidder']] += r['bid_count']
    expected = Counter(dict(db.execute('SELECT bidder, COUNT(*) FROM bid GROUP BY bidder')))
    if per_bidder != expected:
        diff = [(b, expected.get(b, 0), per_bidder.get(b, 0))
                for b in set(expected) | set(per_bidder) if expected.get(b, 0) != per_bidder.get(b, 0)]
        lines.append('q12: bids per bidder differ for %d bidders (bidder, bids, sum of bid_count): %s'
                     % (len(diff), sorted(diff)[:8]))
    return lines[:20]


if __name__ == '__main__':
    sys.exit(main())
