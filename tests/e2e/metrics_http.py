#!/usr/bin/env python3
"""metrics_http.py: `eddy run --metrics-port` serves Prometheus text at /metrics with the job's
figures and the Kafka consumer lag of every partition (issue 5: "Consumer lag per partition is a
metric"; docs/metrics.md).

    metrics_http.py --eddy build/release/shell/eddy [--rows 4000] [--keep]

1. `eddy kafka-mock --topic ev:2`; kcat writes --rows JSON messages (half per partition), each
   with a 200-byte pad so that the rows eddy prints are large.
2. Lag while messages wait: `eddy run --no-checkpoints --metrics-port 0` of a kafka source (with a
   watermark) into a print sink, its stdout a pipe that this test reads slowly, which holds eddy
   back deterministically (print blocks on the full pipe). The port comes from the line
   "eddy: metrics on http://127.0.0.1:P/metrics" on stderr. /metrics is polled until a scrape
   shows eddy_source_lag_records > 0 for a partition while rows_in < --rows. That scrape must be
   well formed: the 0.0.4 content type, every sample's family with one HELP and one TYPE line
   before it, labels job="lag", table="ev", split="ev:0" / "ev:1".
3. Then stdout is drained at full speed, and /metrics must come to rows_in == rows_out == --rows
   with lag 0 on both partitions (and their total 0) and the watermark the minimum over the
   partitions of their largest ts. /nope answers 404, POST /metrics 405. SIGTERM: exit 0, and
   the port is closed (the server stops with the job).
4. SET 'eddy.metrics.port' = '0' in the file (no command-line option) with checkpoints every
   200 ms into a blackhole sink: /metrics comes to rows_in == --rows, lag 0, and at least one
   completed checkpoint with its duration, pause and size.
5. Refusals: --metrics-port 70000 is a usage error (exit 2); a port already in use exits 3
   with a message naming it.
6. The shell: SET 'eddy.metrics.port' = '0', two background INSERTs of datagen rows: both jobs
   are served under their ids; after STOP JOB one of them, only the other; the port closes when
   the shell ends.
Every process is killed in a finally block.
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafkalib as kl  # noqa: E402

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """[(name, {label: value}, float)] of a Prometheus text; raises ValueError on a sample
    whose family had no HELP and TYPE before it, or on a family described twice."""
    helps, types, out = set(), set(), []
    for line in text.splitlines():
        if line.startswith('# HELP '):
            name = line.split(' ')[2]
            if name in helps:
                raise ValueError('two HELP lines for %s' % name)
            helps.add(name)
        elif line.startswith('# TYPE '):
            _, _, name, kind = line.split(' ')
            if name in types or kind not in ('counter', 'gauge'):
                raise ValueError('bad TYPE line %r' % line)
            types.add(name)
        elif line:
            m = SAMPLE.match(line)
            if not m:
                raise ValueError('not a sample line: %r' % line)
            name = m.group(1)
            if name not in helps or name not in types:
                raise ValueError('sample of %s before its HELP and TYPE' % name)
            labels = dict(LABEL.findall(m.group(3) or ''))
            out.append((name, labels, float(m.group(4))))
    return out


def value(samples, name, **labels):
    """The value of the one sample of name with these labels, or None."""
    for n, ls, v in samples:
        if n == name and all(ls.get(k) == x for k, x in labels.items()):
            return v
    return None


def scrape(port, path='/metrics', method='GET'):
    """(status, content type, text) of one request."""
    req = urllib.request.Request('http://127.0.0.1:%d%s' % (port, path), method=method,
                                 data=b'x' if method == 'POST' else None)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.headers.get('Content-Type'), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get('Content-Type'), e.read().decode()


def wait_port(errpath, proc, timeout=20):
    """The port of the 'eddy: metrics on http://127.0.0.1:P/metrics' line in errpath."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with open(errpath) as f:
            m = re.search(r'eddy: metrics on http://127\.0\.0\.1:(\d+)/metrics', f.read())
        if m:
            return int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    with open(errpath) as f:
        raise RuntimeError('eddy said no metrics address (exit %s):\n%s' % (proc.poll(),
                                                                             f.read()[-1500:]))


def port_closed(port):
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(('127.0.0.1', port)) != 0


def stop(proc, fails, who):
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=30)
        if rc != 0:
            fails.append('%s exited %d on SIGTERM' % (who, rc))
    except subprocess.TimeoutExpired:
        fails.append('%s did not stop on SIGTERM' % who)


SOURCE = """
CREATE TABLE ev (k STRING, v BIGINT, ts TIMESTAMP(3), pad STRING,
  WATERMARK FOR ts AS ts)
WITH ('connector' = 'kafka', 'topic' = 'ev', 'properties.bootstrap.servers' = '%s',
      'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--rows', type=int, default=4000)
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    if not kl.have_kcat():
        print('skipped: kcat not found')
        return 0
    eddy = os.path.abspath(a.eddy)
    tmp = tempfile.mkdtemp(prefix='eddy-metrics-')
    procs = kl.Procs()
    fails = []
    t_start = time.monotonic()
    try:
        mock = kl.Mock(procs, eddy, [('ev', 2)], tmp=tmp)
        pad = 'x' * 200
        top = {}
        for p in range(2):
            lines = []
            for i in range(p, a.rows, 2):
                ts = kl.BASE + i * 10
                top[p] = max(top.get(p, ts), ts)
                lines.append('{"k": "k%d", "v": %d, "ts": "%s", "pad": "%s"}' % (
                    p, i, kl.ts_text(ts), pad))
            kl.produce(mock.addr, 'ev', lines, partition=p)

        # 2-3: lag while eddy is held back by a slowly read stdout, then none
        sql = os.path.join(tmp, 'lag.sql')
        with open(sql, 'w') as f:
            f.write(SOURCE % mock.addr)
            f.write("CREATE TABLE out (k STRING, v BIGINT, pad STRING) WITH ('connector' = 'print');\n"
                    "INSERT INTO out SELECT k, v, pad FROM ev;\n")
        errpath = os.path.join(tmp, 'lag.err')
        with open(errpath, 'w') as err:
            job = procs.popen([eddy, 'run', '--no-checkpoints', '--metrics-port', '0', sql],
                              cwd=tmp, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=err, env=kl.eddy_env())
        fast = threading.Event()
        printed = [0]

        def drain():
            fd = job.stdout.fileno()
            while True:
                chunk = os.read(fd, 65536 if fast.is_set() else 8192)
                if not chunk:
                    return
                printed[0] += chunk.count(b'\n')
                if not fast.is_set():
                    time.sleep(0.05)
        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        port = wait_port(errpath, job)

        seen = None
        end = time.monotonic() + 20
        while time.monotonic() < end and job.poll() is None:
            status, ctype, text = scrape(port)
            if status != 200:
                fails.append('GET /metrics answered %d' % status)
                break
            try:
                samples = parse(text)
            except ValueError as e:
                fails.append('malformed /metrics: %s\n%s' % (e, text[:2000]))
                break
            lags = [value(samples, 'eddy_source_lag_records', job='lag', table='ev',
                          split='ev:%d' % p) for p in range(2)]
            rows_in = value(samples, 'eddy_rows_in_total', job='lag')
            if any(l is not None and l > 0 for l in lags) and rows_in is not None \
                    and rows_in < a.rows:
                seen = (ctype, text, lags, rows_in, samples)
                break
            time.sleep(0.05)
        fast.set()
        if seen is None:
            fails.append('no scrape showed a partition lagging while eddy was held back')
        else:
            ctype, text, lags, rows_in, samples = seen
            if ctype != 'text/plain; version=0.0.4; charset=utf-8':
                fails.append('content type %r' % ctype)
            total = value(samples, 'eddy_source_total_lag_records', job='lag', table='ev')
            known = [l for l in lags if l is not None]
            if total != sum(known):
                fails.append('total lag %s is not the sum of the partitions\' %s' % (total, lags))
            # the records behind can only be those not yet read
            if total is not None and total > a.rows - rows_in:
                fails.append('lag %s with %d of %d rows read' % (total, rows_in, a.rows))
            print('while held back: rows_in %d, lag per partition %s' % (rows_in, lags))

        done = None
        end = time.monotonic() + 30
        while time.monotonic() < end and job.poll() is None and not fails:
            samples = parse(scrape(port)[2])
            lags = [value(samples, 'eddy_source_lag_records', job='lag', table='ev',
                          split='ev:%d' % p) for p in range(2)]
            if value(samples, 'eddy_rows_in_total', job='lag') == a.rows and lags == [0, 0]:
                done = samples
                break
            time.sleep(0.1)
        if done is None and not fails:
            fails.append('/metrics never showed %d rows read and lag 0 on both partitions; '
                         'last:\n%s' % (a.rows, scrape(port)[2][-2500:]))
        elif done is not None:
            checks = {
                'eddy_rows_out_total': a.rows,
                'eddy_source_total_lag_records': 0,
                'eddy_watermark_milliseconds': min(top.values()),
                'eddy_bad_records_total': 0,
                'eddy_late_rows_total': 0,
            }
            for name, want in checks.items():
                got = value(done, name, job='lag')
                if got != want:
                    fails.append('%s: expected %s, got %s' % (name, want, got))
        status, _, body = scrape(port, '/nope')
        if status != 404:
            fails.append('GET /nope answered %d (expected 404): %r' % (status, body[:200]))
        status, _, _ = scrape(port, '/metrics', 'POST')
        if status != 405:
            fails.append('POST /metrics answered %d (expected 405)' % status)
        stop(job, fails, 'eddy (lag)')
        reader.join(timeout=10)
        if not port_closed(port):
            fails.append('port %d still open after eddy ended' % port)
        fails += kl.sanitizer_reports(errpath, 'eddy (lag)')

        # 4: SET 'eddy.metrics.port' and checkpoint figures
        sql = os.path.join(tmp, 'ckpt.sql')
        with open(sql, 'w') as f:
            f.write("SET 'eddy.metrics.port' = '0';\n"
                    "SET 'execution.checkpointing.interval' = '200 ms';\n")
            f.write(SOURCE % mock.addr)
            f.write("CREATE TABLE sink (k STRING, v BIGINT) WITH ('connector' = 'blackhole');\n"
                    "INSERT INTO sink SELECT k, v FROM ev;\n")
        errpath = os.path.join(tmp, 'ckpt.err')
        with open(errpath, 'w') as err:
            job = procs.popen([eddy, 'run', '--state-dir', os.path.join(tmp, 'state'), sql],
                              cwd=tmp, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=err, env=kl.eddy_env())
        port = wait_port(errpath, job)
        done = None
        end = time.monotonic() + 30
        while time.monotonic() < end and job.poll() is None:
            samples = parse(scrape(port)[2])
            if value(samples, 'eddy_rows_in_total', job='ckpt') == a.rows and \
                    value(samples, 'eddy_source_total_lag_records', job='ckpt') == 0 and \
                    (value(samples, 'eddy_checkpoints_total', job='ckpt') or 0) >= 1:
                done = samples
                break
            time.sleep(0.1)
        if done is None:
            fails.append('with SET \'eddy.metrics.port\': /metrics never showed %d rows, lag 0 '
                         'and a checkpoint; last:\n%s' % (a.rows, scrape(port)[2][-2500:]))
        else:
            for name in ('eddy_checkpoint_last_id', 'eddy_checkpoint_duration_milliseconds',
                         'eddy_checkpoint_pause_microseconds', 'eddy_checkpoint_bytes'):
                got = value(done, name, job='ckpt')
                if got is None or (name in ('eddy_checkpoint_last_id', 'eddy_checkpoint_bytes')
                                   and got <= 0):
                    fails.append('%s: got %s after a checkpoint' % (name, got))
        stop(job, fails, 'eddy (ckpt)')
        if not port_closed(port):
            fails.append('port %d still open after eddy ended' % port)
        fails += kl.sanitizer_reports(errpath, 'eddy (ckpt)')

        # 5: refusals
        r = subprocess.run([eddy, 'run', '--metrics-port', '70000', sql], cwd=tmp,
                           capture_output=True, text=True, timeout=30, env=kl.eddy_env())
        if r.returncode != 2 or '--metrics-port' not in r.stderr:
            fails.append('--metrics-port 70000: exit %d, %r' % (r.returncode, r.stderr[-300:]))
        with socket.socket() as busy:
            busy.bind(('127.0.0.1', 0))
            busy.listen(1)
            taken = busy.getsockname()[1]
            r = subprocess.run([eddy, 'run', '--no-checkpoints', '--metrics-port', str(taken),
                                sql], cwd=tmp, capture_output=True, text=True, timeout=30,
                               env=kl.eddy_env())
        if r.returncode != 3 or str(taken) not in r.stderr or 'cannot listen' not in r.stderr:
            fails.append('--metrics-port of a port in use: exit %d, %r' % (r.returncode,
                                                                         r.stderr[-300:]))
        # 6: the shell's background jobs, each under its id while it runs
        errpath = os.path.join(tmp, 'repl.err')
        with open(errpath, 'w') as err:
            repl = procs.popen([eddy], cwd=tmp, stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=err, text=True,
                               env=kl.eddy_env())
        gen = ("CREATE TABLE g (id BIGINT) WITH ('connector' = 'datagen', "
               "'rows-per-second' = '1000');\n"
               "CREATE TABLE b (id BIGINT) WITH ('connector' = 'blackhole');\n")
        repl.stdin.write("SET 'eddy.metrics.port' = '0';\n" + gen +
                         "SET 'pipeline.name' = 'one';\nINSERT INTO b SELECT id FROM g;\n"
                         "SET 'pipeline.name' = 'two';\nINSERT INTO b SELECT id FROM g;\n")
        repl.stdin.flush()
        port = wait_port(errpath, repl)

        def jobs_in():
            samples = parse(scrape(port)[2])
            return {ls['job'] for n, ls, v in samples if n == 'eddy_rows_in_total' and v > 0}
        end = time.monotonic() + 15
        while time.monotonic() < end and jobs_in() != {'one', 'two'}:
            time.sleep(0.1)
        if jobs_in() != {'one', 'two'}:
            fails.append('shell: /metrics has rows of jobs %s, expected one and two' % jobs_in())
        repl.stdin.write("STOP JOB 'one';\n")
        repl.stdin.flush()
        end = time.monotonic() + 15
        while time.monotonic() < end and jobs_in() != {'two'}:
            time.sleep(0.1)
        if jobs_in() != {'two'}:
            fails.append('shell: after STOP JOB \'one\', /metrics has jobs %s' % jobs_in())
        repl.stdin.close()
        try:
            if repl.wait(timeout=30) != 0:
                fails.append('shell exited %d' % repl.returncode)
        except subprocess.TimeoutExpired:
            fails.append('shell did not end at the end of its input')
        if not port_closed(port):
            fails.append('port %d still open after the shell ended' % port)
        fails += kl.sanitizer_reports(errpath, 'eddy (shell)')

        mock.finish(fails)
        print('%d rows; %.1f s' % (a.rows, time.monotonic() - t_start))
        return 1 if fails else 0
    except (RuntimeError, subprocess.SubprocessError, OSError, ValueError) as e:
        fails.append('%s: %s' % (type(e).__name__, e))
        return 1
    finally:
        procs.kill_all()
        kl.report(fails, tmp, a.keep)


if __name__ == '__main__':
    sys.exit(main())
