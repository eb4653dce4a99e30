#!/usr/bin/env python3
"""kafka_vs_kcat.py: how fast eddy consumes and decodes a topic of JSON bids, against kcat
reading the same topic (issue 5's benchmark), on `eddy kafka-mock`.

    bench/kafka_vs_kcat.py --eddy build/release/shell/eddy [--messages 1000000]
                           [--partitions 64] [--runs 3]

1. `eddy kafka-mock --topic bids:P` (P partitions: the mock keeps only ~5 MB per partition).
2. eddy writes --messages JSON bids (7 fields, ~220 bytes) into it from datagen (round-robin).
3. --runs times each, alternating: `kcat -C -e -o beginning -q` to /dev/null, and `eddy run`
   of Nexmark q1's projection (auction, bidder, 0.908 * price, dateTime) over the kafka source
   (bounded at the end offsets) into blackhole. Wall-clock seconds of the whole process, best
   of the runs; messages per second = messages / seconds.
Both clients and the broker share the machine's cores (librdkafka fetches on threads of its
own): messages per second are per process; messages per CPU-second (the process's user +
system time, all its threads) are the per-core figure.
"""
import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time

GEN = """
CREATE TABLE gen (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING,
  dateTime TIMESTAMP(3), extra STRING)
WITH ('connector' = 'datagen', 'number-of-rows' = '%(n)d', 'rows-per-second' = '1000000000',
  'fields.auction.min' = '1000', 'fields.auction.max' = '2000', 'fields.bidder.min' = '1000',
  'fields.bidder.max' = '100000', 'fields.price.min' = '1', 'fields.price.max' = '100000',
  'fields.channel.length' = '8', 'fields.url.length' = '60', 'fields.extra.length' = '40');
CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING,
  dateTime TIMESTAMP(3), extra STRING)
WITH ('connector' = 'kafka', 'topic' = 'bids', 'properties.bootstrap.servers' = '%(addr)s',
  'format' = 'json', 'sink.partitioner' = 'round-robin');
INSERT INTO bids SELECT * FROM gen;
"""

Q1 = """
CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING,
  dateTime TIMESTAMP(3), extra STRING)
WITH ('connector' = 'kafka', 'topic' = 'bids', 'properties.bootstrap.servers' = '%(addr)s',
  'format' = 'json', 'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset');
CREATE TABLE sink (auction BIGINT, bidder BIGINT, price DECIMAL(23, 3), dateTime TIMESTAMP(3))
WITH ('connector' = 'blackhole');
INSERT INTO sink SELECT auction, bidder, 0.908 * price, dateTime FROM bids;
"""


def timed(cmd, **kw):
    """(wall seconds, CPU seconds user + system) of the command's process and its threads."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, **kw)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main():
    ap = argparse.ArgumentParser(description='eddy vs kcat consuming a topic of JSON bids.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--messages', type=int, default=1000000)
    ap.add_argument('--partitions', type=int, default=64)
    ap.add_argument('--runs', type=int, default=3)
    a = ap.parse_args()
    eddy = os.path.abspath(a.eddy)
    tmp = tempfile.mkdtemp(prefix='eddy-bench-kafka-')
    env = dict(os.environ, EDDY_NO_STATUS='1')
    mock = subprocess.Popen([eddy, 'kafka-mock', '--topic', 'bids:%d' % a.partitions],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    try:
        addr = mock.stdout.readline().decode().strip()
        gen = os.path.join(tmp, 'gen.sql')
        q1 = os.path.join(tmp, 'q1.sql')
        with open(gen, 'w') as f:
            f.write(GEN % {'n': a.messages, 'addr': addr})
        with open(q1, 'w') as f:
            f.write(Q1 % {'addr': addr})
        timed([eddy, 'run', '--no-checkpoints', gen], env=env, stdout=subprocess.DEVNULL)
        kc, ed = [], []
        with open(os.devnull, 'w') as null:
            for _ in range(a.runs):
                kc.append(timed(['kcat', '-C', '-b', addr, '-t', 'bids', '-o', 'beginning',
                                 '-e', '-q'], stdout=null))
                ed.append(timed([eddy, 'run', '--no-checkpoints', q1], env=env, stdout=null))
        (k, kcpu), (e, ecpu) = min(kc), min(ed)
        print('%d JSON messages in %d partitions (best of %d runs)' % (a.messages, a.partitions,
                                                                        a.runs))
        print('kcat -C to /dev/null      %6.2f s  %10.0f msg/s  %10.0f msg per CPU-second' % (
            k, a.messages / k, a.messages / kcpu))
        print('eddy q1 -> blackhole      %6.2f s  %10.0f msg/s  %10.0f msg per CPU-second  '
              '(%.0f%% of kcat)' % (e, a.messages / e, a.messages / ecpu, 100.0 * k / e))
        return 0
    finally:
        mock.send_signal(signal.SIGTERM)
        try:
            mock.wait(timeout=10)
        except subprocess.TimeoutExpired:
            mock.kill()
        subprocess.run(['rm', '-rf', tmp])


if __name__ == '__main__':
    sys.dont_write_bytecode = True
    sys.exit(main())
