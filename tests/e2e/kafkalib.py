"""kafkalib.py: what the Kafka e2e tests (kafka_broker_down.py, kafka_crash_restart.py,
kafka_idle_partition.py, kafka_roundtrip.py) share: a free loopback port, `eddy kafka-mock`
started and driven through its stdin control, kcat as the independent producer and consumer,
keyed out-of-order events and their TUMBLE aggregation computed here, and eddy runs.

Rules:
- Python 3 standard library only; kcat (Debian's) is the only client used besides eddy.
- Every process started here is registered in a Procs and killed by Procs.kill_all(), which each
  test calls in a finally block: no mock and no eddy outlives a test.
- Everything listens on 127.0.0.1 only.
- Timestamps are epoch milliseconds, written as UTC wall clock 'yyyy-MM-dd HH:mm:ss.SSS' (the
  JSON format's 'SQL' standard); eddy writes window bounds back as 'yyyy-MM-dd HH:mm:ss' (the
  fraction trimmed when it is zero).
"""
import calendar
import collections
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import time

BASE = 1577836800000       # 2020-01-01 00:00:00.000 UTC
FAR_FUTURE = BASE + 10 ** 9  # an event this late pushes every partition's watermark past all
KCAT_TIMEOUT = 30          # seconds for one kcat run


def have_kcat():
    return shutil.which('kcat') is not None


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def ts_text(ms):
    """'yyyy-MM-dd HH:mm:ss.SSS' of epoch ms (UTC)."""
    t = time.gmtime(ms // 1000)
    return '%04d-%02d-%02d %02d:%02d:%02d.%03d' % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour,
                                                  t.tm_min, t.tm_sec, ms % 1000)


def window_text(ms):
    """A window bound as eddy's JSON writes it (whole seconds: no fraction)."""
    text = ts_text(ms)
    return text[:-4] if text.endswith('.000') else text


def parse_window(text):
    """Epoch ms of 'yyyy-MM-dd HH:mm:ss[.SSS]' (UTC)."""
    day, clock = text.split(' ')
    y, mo, d = (int(x) for x in day.split('-'))
    h, mi, sec = clock.split(':')
    whole, _, frac = sec.partition('.')
    secs = calendar.timegm((y, mo, d, int(h), int(mi), int(whole)))
    return secs * 1000 + int((frac or '0').ljust(3, '0')[:3])


class Procs:
    """The processes a test started; kill_all() ends those still running (SIGKILL)."""

    def __init__(self):
        self.procs = []

    def popen(self, args, **kw):
        p = subprocess.Popen(args, **kw)
        self.procs.append(p)
        return p

    def kill_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            for f in (p.stdin, p.stdout, p.stderr):
                if f:
                    try:
                        f.close()
                    except OSError:
                        pass


class Mock:
    """`eddy kafka-mock` on a free port, driven through its stdin control."""

    def __init__(self, procs, eddy, topics, brokers=1, tmp=None):
        self.port = free_port()
        args = [eddy, 'kafka-mock', '--port', str(self.port), '--brokers', str(brokers)]
        for name, parts in topics:
            args += ['--topic', '%s:%d' % (name, parts)]
        self.errpath = os.path.join(tmp, 'kafka-mock.err') if tmp else os.devnull
        self.errfile = open(self.errpath, 'w')
        self.proc = procs.popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=self.errfile, text=True)
        self.addr = self.proc.stdout.readline().strip()
        if not self.addr:
            raise RuntimeError('kafka-mock printed no address (exit %s)' % self.proc.poll())

    def ask(self, line):
        """Sends one control line; returns the answer line as it is."""
        self.proc.stdin.write(line + '\n')
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def cmd(self, line):
        """Sends one control command; returns its answer (raises unless it starts with 'ok')."""
        answer = self.ask(line)
        if not answer.startswith('ok'):
            raise RuntimeError('kafka-mock: %r answered %r' % (line, answer))
        return answer

    def stop(self):
        """SIGTERM; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.errfile.close()
        return rc

    def finish(self, fails):
        """Stops it (SIGTERM) and adds to fails unless it exited 0 with no sanitizer report."""
        rc = self.stop()
        if rc != 0:
            fails.append('kafka-mock exited %d on SIGTERM' % rc)
        fails += sanitizer_reports(self.errpath, 'kafka-mock')


def sanitizer_reports(path, who):
    """A failure text per file with an AddressSanitizer/UBSan report (the -asan builds)."""
    if not os.path.exists(path) or path == os.devnull:
        return []
    with open(path, errors='replace') as f:
        text = f.read()
    for marker in ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:'):
        i = text.find(marker)
        if i >= 0:
            return ['%s: sanitizer report in %s:\n%s' % (who, path, text[max(0, i - 200):i + 1500])]
    return []


# ------------------------------------------------------------------------------------------
# kcat

def produce(addr, topic, lines, partition=None, key_sep=None, headers=(), extra=()):
    """Writes lines (str, one message each) with kcat -P; key_sep: lines are KEY<sep>VALUE.
    headers: ('name=value', ...) added to every message."""
    args = ['kcat', '-P', '-b', addr, '-t', topic]
    if partition is not None:
        args += ['-p', str(partition)]
    if key_sep:
        args += ['-K', key_sep]
    for h in headers:
        args += ['-H', h]
    args += list(extra)
    data = ''.join(l + '\n' for l in lines)
    subprocess.run(args, input=data.encode(), check=True, timeout=KCAT_TIMEOUT,
                   capture_output=True)


def consume(addr, topic, fmt='%s\\n'):
    """Every message of topic from the beginning to its current end, formatted by kcat -f."""
    r = subprocess.run(['kcat', '-C', '-b', addr, '-t', topic, '-o', 'beginning', '-e', '-q',
                        '-f', fmt], capture_output=True, timeout=KCAT_TIMEOUT)
    if r.returncode != 0:
        raise RuntimeError('kcat -C %s: exit %d: %s' % (topic, r.returncode,
                                                        r.stderr.decode()[-500:]))
    return r.stdout.decode()


# ------------------------------------------------------------------------------------------
# events and their TUMBLE aggregation

NPART = 4
KEYS = ['k%d' % i for i in range(8)]   # key i is written to partition i % NPART


def key_partition(k):
    return KEYS.index(k) % NPART


def make_events(seed, n, start=0, disorder=400, step=10):
    """n events (k, v, ts): ts runs forward by `step` ms per event with up to `disorder` ms of
    disorder (less than the queries' 1 s watermark delay: no event is late)."""
    rng = random.Random(seed)
    out = []
    for i in range(start, start + n):
        k = KEYS[rng.randrange(len(KEYS))]
        out.append((k, rng.randrange(100), BASE + i * step - rng.randint(0, disorder)))
    return out


def event_json(k, v, ts):
    return json.dumps({'k': k, 'v': v, 'ts': ts_text(ts)})


def produce_events(addr, topic, events):
    """Writes events keyed by k, each to its key's partition (key_partition), in order."""
    per = collections.defaultdict(list)
    for k, v, ts in events:
        per[key_partition(k)].append('%s|%s' % (k, event_json(k, v, ts)))
    for p in sorted(per):
        produce(addr, topic, per[p], partition=p, key_sep='|')


def produce_far_future(addr, topic):
    """One event per partition far in the future: after it, every window of the events before
    it can fire (each partition's watermark passes them), and its own window never does."""
    for p in range(NPART):
        k = KEYS[p]
        produce(addr, topic, ['%s|%s' % (k, event_json(k, 0, FAR_FUTURE))], partition=p,
                key_sep='|')


def tumble(events, size_ms=5000):
    """{(k, window start text): (count, sum)} of the events."""
    acc = {}
    for k, v, ts in events:
        ws = window_text(ts - ts % size_ms)
        n, s = acc.get((k, ws), (0, 0))
        acc[(k, ws)] = (n + 1, s + v)
    return acc


TUMBLE_SQL = """
CREATE TABLE ev (k STRING, v BIGINT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'kafka', 'topic' = 'ev', 'properties.bootstrap.servers' = '%(addr)s',
      'format' = 'json', 'scan.startup.mode' = 'earliest-offset'%(src_extra)s);
CREATE TABLE out (k STRING, ws TIMESTAMP(3), n BIGINT, s BIGINT)
WITH ('connector' = 'kafka', 'topic' = 'out', 'properties.bootstrap.servers' = '%(addr)s',
      'format' = 'json'%(sink_extra)s);
INSERT INTO out
SELECT k, window_start, COUNT(*), SUM(v)
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY k, window_start, window_end;
"""


def tumble_sql(addr, sets='', src_extra='', sink_extra=''):
    """The TUMBLE query from topic ev to topic out (see TUMBLE_SQL), after the SET lines."""
    return sets + TUMBLE_SQL % {'addr': addr, 'src_extra': src_extra, 'sink_extra': sink_extra}


def read_windows(addr, topic='out'):
    """The rows of the output topic: a Counter of (k, ws, n, s)."""
    got = collections.Counter()
    for line in consume(addr, topic).splitlines():
        if line.strip():
            row = json.loads(line)
            got[(row['k'], row['ws'], row['n'], row['s'])] += 1
    return got


def compare_windows(exp, got):
    """Failure texts comparing expected {(k, ws): (n, s)} with got Counter((k, ws, n, s)):
    after dedup by (k, ws) the rows must be equal, and no (k, ws) may have two values."""
    fails = []
    by_window = collections.defaultdict(set)
    for (k, ws, n, s) in got:
        by_window[(k, ws)].add((n, s))
    conflicting = {w: v for w, v in by_window.items() if len(v) > 1}
    if conflicting:
        w = sorted(conflicting)[0]
        fails.append('%d window(s) written with different values, e.g. %s: %s' % (
            len(conflicting), w, sorted(conflicting[w])))
    missing = sorted(w for w in exp if w not in by_window)
    extra = sorted(w for w in by_window if w not in exp)
    wrong = sorted(w for w in exp if w in by_window and by_window[w] != {exp[w]})
    if missing:
        fails.append('%d window(s) missing, e.g. %s (expected %s)' % (
            len(missing), missing[:3], [exp[w] for w in missing[:3]]))
    if extra:
        fails.append('%d unexpected window(s), e.g. %s: %s' % (
            len(extra), extra[:3], [sorted(by_window[w]) for w in extra[:3]]))
    if wrong:
        fails.append('%d window(s) with wrong values, e.g. %s: expected %s, got %s' % (
            len(wrong), wrong[0], exp[wrong[0]], sorted(by_window[wrong[0]])))
    return fails


def wait_windows(addr, exp, deadline_s, proc=None, topic='out'):
    """Polls the output topic until every expected window is there (or the deadline passes, or
    proc ended); returns the last Counter read."""
    end = time.monotonic() + deadline_s
    got = collections.Counter()
    while time.monotonic() < end:
        got = read_windows(addr, topic)
        have = {(k, ws) for (k, ws, _, _) in got}
        if all(w in have for w in exp):
            return got
        if proc is not None and proc.poll() is not None:
            return got
        time.sleep(0.5)
    return got


def report(fails, tmp, keep):
    """Prints the failures; keeps tmp when something failed or keep, else removes it."""
    for f in fails:
        print('FAIL ' + f)
    if fails or keep:
        print('(files kept in %s)' % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)


def eddy_env(**extra):
    env = dict(os.environ, EDDY_NO_STATUS='1')
    env.update({k: str(v) for k, v in extra.items()})
    return env
