#!/usr/bin/env python3
"""kafka_window.py: a windowed query from a Kafka topic to a Kafka topic (issue 5), on
`eddy kafka-mock`, with kcat as the independent producer and consumer.

    kafka_window.py --eddy build/release/shell/eddy [--events 3000] [--seed 1] [--keep]

1. `eddy kafka-mock --topic ev:4 --topic out:1` on a free loopback port.
2. kcat -P writes --events JSON events {k, v, ts} keyed by k into the 4 partitions; their
   timestamps run forward with up to 400 ms of disorder, less than the watermark's 1 s, so
   that no event is late whatever the order the partitions are read in.
3. `eddy run --no-checkpoints` of
       INSERT INTO out SELECT k, window_start, COUNT(*), SUM(v), MAX(p) FROM
       TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY k, window_start, window_end
   over the kafka source ('scan.bounded.mode' = 'latest-offset': the job ends once every
   partition is read to the end it had at the start, firing every window) into the kafka sink
   (JSON); p is the partition (METADATA FROM 'partition'), checked to be 0..3.
4. kcat -C reads `out` from the beginning; the rows must equal, as a multiset, the same
   aggregation computed here in Python over the events.
The mock is stopped in a finally block. Exit 0 when all holds.
"""
import argparse
import collections
import datetime
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def ts_text(ms):
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=ms)
    return t.strftime('%Y-%m-%d %H:%M:%S.') + '%03d' % (ms % 1000)


def window_text(ms):
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=ms)
    return t.strftime('%Y-%m-%d %H:%M:%S')


def main():
    ap = argparse.ArgumentParser(description='A windowed query from Kafka to Kafka.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--events', type=int, default=3000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    if not shutil.which('kcat'):
        print('kcat is not installed: skipped')
        return 0
    eddy = os.path.abspath(a.eddy)
    tmp = tempfile.mkdtemp(prefix='eddy-kafka-window-')
    fails = []
    mock = None
    try:
        port = free_port()
        mock = subprocess.Popen([eddy, 'kafka-mock', '--topic', 'ev:4', '--topic', 'out:1',
                                 '--port', str(port)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        addr = mock.stdout.readline().decode().strip()
        if not addr:
            fails.append('kafka-mock printed no address: %s' % mock.stderr.read().decode())
            return 1
        # the events
        rng = random.Random(a.seed)
        base = 1577836800000
        events = []
        for i in range(a.events):
            k = 'k%d' % rng.randrange(7)
            ts = base + i * 10 + rng.randint(-400, 0)
            events.append((k, rng.randrange(100), ts))
        with open(os.path.join(tmp, 'events.txt'), 'w') as f:
            for k, v, ts in events:
                f.write('%s|%s\n' % (k, json.dumps({'k': k, 'v': v, 'ts': ts_text(ts)})))
        subprocess.run(['kcat', '-P', '-b', addr, '-t', 'ev', '-K', '|', '-l',
                        os.path.join(tmp, 'events.txt')], check=True, timeout=60)
        sql = os.path.join(tmp, 'q.sql')
        with open(sql, 'w') as f:
            f.write("""
CREATE TABLE ev (k STRING, v BIGINT, ts TIMESTAMP(3), p INT METADATA FROM 'partition' VIRTUAL,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'kafka', 'topic' = 'ev', 'properties.bootstrap.servers' = '%(addr)s',
      'format' = 'json', 'scan.startup.mode' = 'earliest-offset',
      'scan.bounded.mode' = 'latest-offset');
CREATE TABLE out (k STRING, ws TIMESTAMP(3), n BIGINT, s BIGINT, mp INT)
WITH ('connector' = 'kafka', 'topic' = 'out', 'properties.bootstrap.servers' = '%(addr)s',
      'format' = 'json');
INSERT INTO out
SELECT k, window_start, COUNT(*), SUM(v), MAX(p)
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY k, window_start, window_end;
""" % {'addr': addr})
        r = subprocess.run([eddy, 'run', '--no-checkpoints', sql], cwd=tmp, timeout=120,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           env=dict(os.environ, EDDY_NO_STATUS='1'))
        if r.returncode != 0:
            fails.append('eddy run: exit %d\n%s' % (r.returncode, r.stderr.decode()[-2000:]))
            return 1
        out = subprocess.run(['kcat', '-C', '-b', addr, '-t', 'out', '-o', 'beginning', '-e',
                              '-q'], capture_output=True, timeout=60, check=True).stdout.decode()
        got = collections.Counter()
        for line in out.splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if not 0 <= row['mp'] <= 3:
                fails.append('partition %r out of 0..3 in %s' % (row['mp'], line))
            got[(row['k'], row['ws'], row['n'], row['s'])] += 1
        acc = {}
        for k, v, ts in events:
            ws = ts - ts % 5000
            n, s = acc.get((k, ws), (0, 0))
            acc[(k, ws)] = (n + 1, s + v)
        exp = collections.Counter((k, window_text(ws), n, s) for (k, ws), (n, s) in acc.items())
        if got != exp:
            missing, extra = exp - got, got - exp
            fails.append('the rows in topic out differ from the aggregation of the events: %d '
                         'missing (e.g. %s), %d unexpected (e.g. %s)' % (
                             sum(missing.values()), list(missing)[:3], sum(extra.values()),
                             list(extra)[:3]))
        print('%d events, %d window rows through Kafka' % (len(events), sum(got.values())))
        return 1 if fails else 0
    finally:
        if mock and mock.poll() is None:
            mock.send_signal(signal.SIGTERM)
            try:
                mock.wait(timeout=10)
            except subprocess.TimeoutExpired:
                mock.kill()
        for f in fails:
            print('FAIL ' + f)
        if fails or a.keep:
            print('(files kept in %s)' % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.dont_write_bytecode = True
    sys.exit(main())
