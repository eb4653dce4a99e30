"""crashlib.py: what the checkpoint tests (crash_recovery.py, savepoint_test.py, state_errors.py)
share: seeded out-of-order events, the window queries they run, the eddy processes they start
and kill, reading a filesystem sink's output, and fingerprints of directories.

Rules:
- Python 3 standard library only.
- Every process started through Procs is killed (SIGKILL) by Procs.kill_all(), which each test
  calls in a finally block; nothing started here outlives a test.
- Timestamps are epoch milliseconds, written and read as UTC wall clock, as eddy's JSON does
  ('yyyy-MM-dd HH:mm:ss.SSS' in; 'yyyy-MM-dd HH:mm:ss[.fff]' with the fraction trimmed out).
"""
import calendar
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import time
from collections import Counter

BASE = 1577836800000  # 2020-01-01 00:00:00.000 UTC in epoch ms
JSON_TS_RE = re.compile(r'^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?$')
ROW_LINE_RE = re.compile(r'^(?:[^\s\[\]]+> )?(?:[+-][IUD])?\[.*\]$')


def ts_text(ms):
    """'yyyy-MM-dd HH:mm:ss.SSS' of epoch ms (UTC wall clock)."""
    t = time.gmtime(ms // 1000)
    return '%04d-%02d-%02d %02d:%02d:%02d.%03d' % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour,
                                                  t.tm_min, t.tm_sec, ms % 1000)


def parse_ts(text):
    """Epoch ms of a JSON timestamp as eddy writes it ('2020-01-01 00:00:03', '... 00:00:03.5')."""
    m = JSON_TS_RE.match(text)
    if not m:
        raise ValueError('not a timestamp: %r' % text)
    y, mo, d, h, mi, s, frac = m.groups()
    secs = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s)))
    return secs * 1000 + int((frac or '0').ljust(3, '0')[:3])


# ------------------------------------------------------------------------------------------
# Events: (k, v, ts) rows whose timestamps run forward with a bounded disorder, pauses (so that
# sessions end), and a few rows far behind the watermark (late).

WM_DELAY = 2000      # WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
DISORDER = 1500      # rows stray at most this far backwards (so they are not late)
LATE_SHARE = 0.01    # rows that far behind that their windows have fired


def make_events(seed, n):
    """n rows (k, v, ts) of a seeded random stream; v is None for a few rows."""
    rng = random.Random(seed)
    nkeys = 24
    # skewed key popularity: a few busy keys, many rare ones (short sessions)
    weights = [1.0 / (i + 1) for i in range(nkeys)]
    keys = ['k%02d' % i for i in range(nkeys)]
    rows = []
    t = BASE + rng.randint(0, 4000)
    for _ in range(n):
        t += int(rng.expovariate(1.0 / 20))
        if rng.random() < 0.002:
            t += rng.randint(3000, 8000)                       # a pause: sessions end
        r = rng.random()
        if r < LATE_SHARE:
            ts = t - WM_DELAY - rng.randint(2000, 20000)       # far behind: late
        else:
            ts = t - rng.randint(0, DISORDER)
        k = rng.choices(keys, weights)[0]
        v = None if rng.random() < 0.03 else rng.randint(0, 300)
        rows.append((k, v, ts))
    return rows


def write_events(rows, path):
    with open(path, 'w') as f:
        for k, v, ts in rows:
            f.write(json.dumps({'k': k, 'v': v, 'ts': ts_text(ts)}) + '\n')


# ------------------------------------------------------------------------------------------
# Queries

AGGS = 'COUNT(*) AS n, SUM(v) AS s, MIN(v) AS mn, MAX(v) AS mx, COUNT(DISTINCT v) AS nd'
WINDOW_COLS = ['k', 'ws', 'we', 'n', 's', 'mn', 'mx', 'nd']
TUMBLE_MS = 5000
HOP_MS = (2000, 6000)     # slide, size
SESSION_GAP_MS = 2000


def source_ddl(path, rate, interval='200ms'):
    """SET + CREATE TABLE ev over the events file, read at `rate` rows per second (0: no limit)."""
    pace = ", 'source.rows-per-second' = '%d'" % rate if rate else ''
    sets = "SET 'execution.checkpointing.interval' = '%s';\n" % interval if interval else ''
    return sets + (
        "CREATE TABLE ev (\n    k STRING,\n    v BIGINT,\n    ts TIMESTAMP(3),\n"
        "    WATERMARK FOR ts AS ts - INTERVAL '%d' SECOND\n"
        ") WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json'%s);\n"
        % (WM_DELAY // 1000, path, pace))


def sink_ddl(path, name='out'):
    return ("CREATE TABLE %s (k STRING, ws TIMESTAMP(3), we TIMESTAMP(3), n BIGINT, s BIGINT,\n"
            "    mn BIGINT, mx BIGINT, nd BIGINT)\n"
            "WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json');\n" % (name, path))


def window_tvf(kind):
    if kind == 'tumble':
        return "TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '%d' SECOND)" % (TUMBLE_MS // 1000)
    if kind == 'hop':
        return "HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '%d' SECOND, INTERVAL '%d' SECOND)" % (
            HOP_MS[0] // 1000, HOP_MS[1] // 1000)
    if kind == 'session':
        return "SESSION(TABLE ev PARTITION BY k, DESCRIPTOR(ts), INTERVAL '%d' SECOND)" % (
            SESSION_GAP_MS // 1000)
    raise ValueError(kind)


def window_select(kind, aggs=AGGS):
    return ('SELECT k, window_start, window_end, %s\nFROM TABLE(%s)\n'
            'GROUP BY k, window_start, window_end' % (aggs, window_tvf(kind)))


def changelog_select():
    return 'SELECT k, %s FROM ev GROUP BY k' % AGGS


# ------------------------------------------------------------------------------------------
# Independent results (Python over the same rows), following eddy's documented semantics: the
# file is one split, so the watermark in force when row i arrives is the largest ts - WM_DELAY
# of the rows before it; a row counts in each of its windows [start, end) with
# end - 1 > that watermark (runtime/op_watermark.c, tests/e2e/window_vs_sqlite.py).

def windows_of(kind, ts):
    if kind == 'tumble':
        s = ts - ts % TUMBLE_MS
        return [(s, s + TUMBLE_MS)]
    if kind == 'hop':
        slide, size = HOP_MS
        out = []
        s = ts - ts % slide
        while s > ts - size:
            out.append((s, s + size))
            s -= slide
        return out
    raise ValueError(kind)


def agg_values(vals):
    """[n, s, mn, mx, nd] of a group's v values (None skipped by all but COUNT(*))."""
    nn = [v for v in vals if v is not None]
    return [len(vals), sum(nn) if nn else None, min(nn) if nn else None,
            max(nn) if nn else None, len(set(nn))]


def expected_windows(kind, rows):
    """Counter of window result tuples (k, ws ms, we ms, n, s, mn, mx, nd) for TUMBLE / HOP."""
    groups = {}
    wm = None
    for k, v, ts in rows:
        for s, e in windows_of(kind, ts):
            if wm is None or e - 1 > wm:
                groups.setdefault((k, s, e), []).append(v)
        wm = ts - WM_DELAY if wm is None else max(wm, ts - WM_DELAY)
    return Counter(tuple(list(key) + agg_values(vals)) for key, vals in groups.items())


def fmt_val(v):
    return 'null' if v is None else str(v)


def expected_changelog(rows):
    """The exact lines print writes for SELECT k, aggs FROM ev GROUP BY k (no mini-batch): every
    row emits its group's change, +I for a new group, else -U old, +U new."""
    vals = {}
    out = []
    for k, v, _ in rows:
        old = vals.get(k)
        cur = (old or []) + [v]
        vals[k] = cur
        new = '[%s, %s]' % (k, ', '.join(fmt_val(x) for x in agg_values(cur)))
        if old is None:
            out.append('+I' + new)
        else:
            out.append('-U[%s, %s]' % (k, ', '.join(fmt_val(x) for x in agg_values(old))))
            out.append('+U' + new)
    return out


# ------------------------------------------------------------------------------------------
# A filesystem sink's output

def read_sink(path):
    """(Counter of rows as tuples in file column order, [leftover files]).

    Rows come from the visible part files (names not starting with '.' or '_'); a leftover is
    any hidden or in-progress file, which must not remain once a job finished or committed."""
    rows = Counter()
    leftovers = []
    if not os.path.isdir(path):
        return rows, leftovers
    for dirpath, _, files in os.walk(path):
        for name in sorted(files):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, path)
            if name.startswith('.') or 'inprogress' in name:
                leftovers.append(rel)
                continue
            if name.startswith('_'):
                continue                       # _SUCCESS and the like
            with open(full, encoding='utf-8') as f:
                for line in f:
                    line = line.strip()
                    if not line:
                        continue
                    obj = json.loads(line)
                    rows[tuple(obj.get(c) for c in WINDOW_COLS)] += 1
    return rows, sorted(leftovers)


def rows_in_ms(rows):
    """The same Counter with ws/we as epoch ms (for comparing with expected_windows)."""
    out = Counter()
    for r, c in rows.items():
        out[(r[0], parse_ts(r[1]), parse_ts(r[2])) + tuple(r[3:])] += c
    return out


def diff_counters(exp, got, limit=25, fmt=str):
    """Lines describing the difference of two multisets (empty when equal)."""
    lines = []
    missing = exp - got
    extra = got - exp
    for r, c in sorted(missing.items(), key=lambda x: str(x[0]))[:limit]:
        lines.append('  missing%s: %s' % (' x%d' % c if c > 1 else '', fmt(r)))
    for r, c in sorted(extra.items(), key=lambda x: str(x[0]))[:limit]:
        lines.append('  extra%s:   %s' % (' x%d' % c if c > 1 else '', fmt(r)))
    if len(missing) > limit or len(extra) > limit:
        lines.append('  ... (%d missing and %d extra rows in all)' % (
            sum(missing.values()), sum(extra.values())))
    return lines


def duplicates(rows):
    return [r for r, c in rows.items() if c > 1]


def row_lines(text):
    """The lines of a stdout that are rows (print's '+I[...]' etc.), in order."""
    return [l.rstrip() for l in text.splitlines() if ROW_LINE_RE.match(l.rstrip())]


# ------------------------------------------------------------------------------------------
# Directories

def dir_fingerprint(path):
    """{relative path: ('dir',) | ('file', size, sha256)} of everything under path (and path)."""
    out = {}
    if not os.path.exists(path):
        return out
    for dirpath, dirs, files in os.walk(path):
        rel = os.path.relpath(dirpath, path)
        out[rel + '/'] = ('dir',)
        for name in files:
            full = os.path.join(dirpath, name)
            h = hashlib.sha256()
            with open(full, 'rb') as f:
                for chunk in iter(lambda: f.read(1 << 20), b''):
                    h.update(chunk)
            out[os.path.join(rel, name)] = ('file', os.path.getsize(full), h.hexdigest())
    return out


LOCK_FILES = ('LOCK', 'lock.mdb')


def without_lock_contents(fp):
    """A fingerprint where eddy's LOCK file and LMDB's lock.mdb count by name only: whoever
    opens a state directory rewrites them (its pid; LMDB's reader table), by design."""
    return {k: (('lockfile',) if os.path.basename(k) in LOCK_FILES else v) for k, v in fp.items()}


def diff_fingerprints(before, after, limit=15):
    lines = []
    changed = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    for k in changed[:limit]:
        b, a = before.get(k), after.get(k)
        if b is None:
            lines.append('  new:     %s' % k)
        elif a is None:
            lines.append('  removed: %s' % k)
        else:
            lines.append('  changed: %s (size %s -> %s)' % (k, b[1], a[1]))
    if len(changed) > limit:
        lines.append('  ... %d more' % (len(changed) - limit))
    return lines


# ------------------------------------------------------------------------------------------
# Processes

class Procs:
    """The eddy processes a test started; kill_all() in a finally block ends those still alive."""

    def __init__(self, eddy, verbose=False):
        self.eddy = eddy
        self.verbose = verbose
        self.live = []

    def start(self, args, cwd, stdout=subprocess.PIPE):
        cmd = [self.eddy] + list(args)
        if self.verbose:
            print('    $ (cd %s && %s)' % (cwd, ' '.join(cmd)), flush=True)
        env = dict(os.environ, EDDY_NO_STATUS='1')
        p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout,
                             stderr=subprocess.PIPE, env=env)
        self.live.append(p)
        return p

    def run(self, args, cwd, timeout=120):
        """Runs to the end: (exit code, stdout, stderr); a timeout is exit code None."""
        p = self.start(args, cwd)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            return None, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace') + \
                '\n(killed after %d s)' % timeout
        return p.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')

    def signal_after(self, p, seconds, sig):
        """Waits up to `seconds` for p; if it still runs, sends sig and waits for it to end.
        Returns (signalled, stdout, stderr); stdout and stderr are everything p wrote."""
        try:
            out, err = p.communicate(timeout=seconds)
            return False, out, err
        except subprocess.TimeoutExpired:
            pass
        p.send_signal(sig)
        try:
            out, err = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            err += b'\n(did not end within 60 s of signal %d: killed)' % sig
        return True, out, err

    def kill_all(self):
        for p in self.live:
            if p.poll() is None:
                try:
                    p.send_signal(signal.SIGKILL)
                except OSError:
                    pass
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        self.live = []


def tail(text, n=15):
    lines = text.rstrip().splitlines()
    return '\n'.join('    | ' + l for l in lines[-n:]) if lines else '    | (empty)'
