#!/usr/bin/env python3
"""spill_state_size.py: state beyond memory (issue 4). Millions of distinct keys in one open
window, with a memory budget far below what they take, must complete within a bounded resident
set and give the same rows as a run with an unlimited budget.

    spill_state_size.py --eddy build/release/shell/eddy [--kind window|group|session] [--keys 5000000]
                        [--budget 64mb] [--max-rss-mb 200] [--no-rss-check] [--keep]

One `eddy run --no-checkpoints` of

    SELECT k, window_start, COUNT(*), SUM(v), MAX(v)
    FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' HOUR))
    GROUP BY k, window_start, window_end

over the datagen source (k a sequence 1..keys, v = k % 997, ts a few seconds of one hour: every
key is in the same window, open until the input ends) into a CSV filesystem sink, twice:
with SET 'state.memory.budget' = budget and with '1 tb'. Required:
  - both exit 0; the budgeted run spilled (EDDY_SPILL_LOG=1 lines) at least twice;
  - its peak resident set (wait4's ru_maxrss of the eddy process) is under --max-rss-mb
    (skipped with --no-rss-check: sanitizer builds keep shadow memory);
  - the rows of both runs are the same multiset, and they are exactly what the query means,
    computed here: one row per key, COUNT 1, SUM and MAX both k % 997, the one window start.
--kind group runs the same over a GROUP BY k without a window (a changelog: one +I per key,
printed to a file) instead; --kind session over SESSION windows (PARTITION BY k, gap 1 hour:
every key's session open until the input ends; window_start is then the key's own time and is
not checked against a formula).
Exit 0 when all holds; on a failure the files are kept and the reason printed.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

QUERY = """SET 'state.memory.budget' = '%(budget)s';
CREATE TABLE src (
  k BIGINT,
  v AS k %% 997,
  ts AS TO_TIMESTAMP_LTZ(1700000000000 + k / 1000, 3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'datagen', 'fields.k.kind' = 'sequence', 'fields.k.start' = '1',
        'fields.k.end' = '%(keys)d', 'rows-per-second' = '1000000000');
CREATE TABLE out (k BIGINT, ws TIMESTAMP(3), c BIGINT, s BIGINT, m BIGINT)
WITH ('connector' = 'filesystem', 'path' = '%(out)s', 'format' = 'csv');
INSERT INTO out
SELECT k, window_start, COUNT(*), SUM(v), MAX(v)
FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' HOUR))
GROUP BY k, window_start, window_end;
"""
GROUP_QUERY = """SET 'state.memory.budget' = '%(budget)s';
CREATE TABLE src (
  k BIGINT,
  v AS k %% 997
) WITH ('connector' = 'datagen', 'fields.k.kind' = 'sequence', 'fields.k.start' = '1',
        'fields.k.end' = '%(keys)d', 'rows-per-second' = '1000000000');
SELECT k, COUNT(*), SUM(v), MAX(v) FROM src GROUP BY k;
"""
SESSION_QUERY = QUERY.replace(
    "FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' HOUR))",
    "FROM TABLE(SESSION(TABLE src PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' HOUR))")
WINDOW_START = '2023-11-14 22:00:00'    # 1700000000000 ms is 22:13:20 UTC
KIND = 'window'


def run(eddy, tmp, name, keys, budget):
    """Runs one query; returns (exit code, stderr, peak RSS in MB, seconds, output dir)."""
    out = os.path.join(tmp, name)
    sql = os.path.join(tmp, name + '.sql')
    with open(sql, 'w') as f:
        f.write({'group': GROUP_QUERY, 'session': SESSION_QUERY}.get(KIND, QUERY) %
                {'budget': budget, 'keys': keys, 'out': out})
    env = dict(os.environ, EDDY_SPILL_LOG='1', EDDY_NO_STATUS='1')
    t0 = time.monotonic()
    if KIND == 'group':
        os.makedirs(out)
    stdout = open(os.path.join(out, 'stdout.txt'), 'w') if KIND == 'group' else subprocess.DEVNULL
    p = subprocess.Popen([eddy, 'run', '--no-checkpoints', sql], cwd=tmp, env=env,
                         stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE)
    try:
        err = p.stderr.read().decode('utf-8', 'replace')
        _, status, ru = os.wait4(p.pid, 0)
    finally:
        if p.returncode is None and p.poll() is None:
            p.kill()
    if KIND == 'group':
        stdout.close()
    rc = os.waitstatus_to_exitcode(status)
    p.returncode = rc
    return rc, err, ru.ru_maxrss / 1024.0, time.monotonic() - t0, out


def read_rows(out):
    rows = []
    for name in sorted(os.listdir(out)):
        if name.startswith('.'):
            continue
        with open(os.path.join(out, name)) as f:
            for line in f:
                line = line.strip()
                if KIND == 'group':     # +I[k, c, s, m] as a window row without the window
                    if not line.startswith('+I['):
                        continue
                    f4 = line[3:-1].split(', ')
                    line = ','.join([f4[0], WINDOW_START] + f4[1:])
                if line:
                    rows.append(line)
    return rows


def check_meaning(rows, keys):
    """The rows are exactly one per key 1..keys with the values the query means."""
    if len(rows) != keys:
        return 'expected %d rows (one per key), got %d' % (keys, len(rows))
    seen = bytearray(keys + 1)
    for line in rows:
        f = line.split(',')
        if len(f) != 5:
            return 'a row with %d fields: %r' % (len(f), line)
        k = int(f[0])
        want = [str(k), f[1] if KIND == 'session' else WINDOW_START, '1', str(k % 997),
                str(k % 997)]
        if f != want or not 1 <= k <= keys or seen[k]:
            return 'row %r: expected %r%s' % (line, ','.join(want), ' (twice)' if seen[k] else '')
        seen[k] = 1
    return None


def main():
    ap = argparse.ArgumentParser(description='State beyond memory: millions of keys in a small '
                                             'budget.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--kind', choices=['window', 'group', 'session'], default='window')
    ap.add_argument('--keys', type=int, default=5000000)
    ap.add_argument('--budget', default='64mb')
    ap.add_argument('--max-rss-mb', type=float, default=200.0)
    ap.add_argument('--no-rss-check', action='store_true')
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    global KIND
    KIND = a.kind
    eddy = os.path.abspath(a.eddy)
    tmp = tempfile.mkdtemp(prefix='eddy-spill-size-')
    fails = []
    try:
        rc, err, rss, secs, out_b = run(eddy, tmp, 'budget', a.keys, a.budget)
        print('budget %s: exit %s, %.1f s, peak RSS %.1f MB, %d spill(s)' % (
            a.budget, rc, secs, rss, err.count('eddy: spill:')))
        if rc != 0:
            fails.append('the budgeted run failed (exit %s):\n%s' % (rc, err[-2000:]))
        if err.count('eddy: spill:') < 2:
            fails.append('the budgeted run spilled %d time(s), expected at least 2: is '
                         "'state.memory.budget' enforced?" % err.count('eddy: spill:'))
        if not a.no_rss_check and rss >= a.max_rss_mb:
            fails.append('peak RSS %.1f MB with a budget of %s: over %.0f MB' % (
                rss, a.budget, a.max_rss_mb))
        rc2, err2, rss2, secs2, out_u = run(eddy, tmp, 'unlimited', a.keys, '1 tb')
        print('unlimited: exit %s, %.1f s, peak RSS %.1f MB, %d spill(s)' % (
            rc2, secs2, rss2, err2.count('eddy: spill:')))
        if rc2 != 0:
            fails.append('the unlimited run failed (exit %s):\n%s' % (rc2, err2[-2000:]))
        if not fails:
            got, ref = read_rows(out_b), read_rows(out_u)
            why = check_meaning(ref, a.keys)
            if why:
                fails.append('unlimited budget: ' + why)
            why = check_meaning(got, a.keys)
            if why:
                fails.append('budget %s: %s' % (a.budget, why))
            if not fails and sorted(got) != sorted(ref):
                fails.append('the two runs differ')
    finally:
        keep = a.keep or bool(fails)
        for f in fails:
            print('FAIL ' + f)
        if keep:
            print('  (files kept in %s)' % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print('%s: %s, %d keys, budget %s' % ('FAILED' if fails else 'passed', a.kind, a.keys,
                                         a.budget))
    return 1 if fails else 0


if __name__ == '__main__':
    sys.dont_write_bytecode = True
    sys.exit(main())
