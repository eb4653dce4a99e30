#!/usr/bin/env python3
"""kafka_examples.py: the Kafka walk-through of the README runs as written (issue 5).

    kafka_examples.py --eddy build/release/shell/eddy [--keep]

1. `eddy kafka-mock --topic bids:4 --topic bids_per_minute:1` on a free loopback port.
2. `eddy run --no-checkpoints -D BOOTSTRAP_SERVERS=... sql/examples/kafka_write_bids.sql`
   writes the bids of 100,000 Nexmark events into `bids` (JSON, keyed by auction).
3. `eddy run -D BOOTSTRAP_SERVERS=... sql/examples/kafka_bids_per_minute.sql` (checkpoints on, in a
   temporary state directory) reads `bids` to its end, counts bids per channel and minute and
   writes them to `bids_per_minute`.
4. kcat reads both topics. Every bid's key must be {"auction": <its auction>} and keyed bids
   must sit in one partition per key; the rows of `bids_per_minute` must equal, as a multiset,
   the same aggregation computed here in Python over the bids kcat read.
Exit 0 when all holds.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafkalib as kl  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser(description="The README's Kafka walk-through.")
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    if not kl.have_kcat():
        print('kcat is not installed: skipped')
        return 0
    eddy = os.path.abspath(a.eddy)
    tmp = tempfile.mkdtemp(prefix='eddy-kafka-examples-')
    fails = []
    kp = kl.Procs()
    mock = None
    try:
        mock = kl.Mock(kp, eddy, [('bids', 4), ('bids_per_minute', 1)], tmp=tmp)
        ex = os.path.join(ROOT, 'sql', 'examples')
        for args in (['--no-checkpoints', os.path.join(ex, 'kafka_write_bids.sql')],
                     ['--state-dir', os.path.join(tmp, 'state'),
                      os.path.join(ex, 'kafka_bids_per_minute.sql')]):
            r = subprocess.run([eddy, 'run', '-D', 'BOOTSTRAP_SERVERS=' + mock.addr] + args, cwd=tmp,
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
                               env=kl.eddy_env())
            if r.returncode != 0:
                fails.append('eddy run %s: exit %d\n%s' % (args[-1], r.returncode,
                                                          r.stderr.decode()[-2000:]))
                return 1
        bids = []
        part_of = {}
        for line in kl.consume(mock.addr, 'bids', '%p|%k|%s\\n').splitlines():
            p, k, v = line.split('|', 2)
            bid = json.loads(v)
            if json.loads(k) != {'auction': bid['auction']}:
                fails.append('bid %s has key %s' % (v, k))
            if part_of.setdefault(bid['auction'], p) != p:
                fails.append('auction %s is in partitions %s and %s' % (bid['auction'],
                                                                       part_of[bid['auction']], p))
            bids.append(bid)
        if not bids or len(fails) > 5:
            fails.append('%d bids in topic bids' % len(bids))
            return 1
        acc = {}
        for b in bids:
            minute = b['dateTime'][:16] + ':00'
            n, top, auctions = acc.get((minute, b['channel']), (0, None, set()))
            auctions.add(b['auction'])
            acc[(minute, b['channel'])] = (n + 1, max(top or b['price'], b['price']), auctions)
        exp = collections.Counter((m, c, n, top, len(au)) for (m, c), (n, top, au) in acc.items())
        got = collections.Counter()
        for line in kl.consume(mock.addr, 'bids_per_minute').splitlines():
            r = json.loads(line)
            got[(r['window_start'], r['channel'], r['bids'], r['top_price'], r['auctions'])] += 1
        if got != exp:
            missing, extra = exp - got, got - exp
            fails.append('bids_per_minute differs from the aggregation of the bids: %d missing '
                         '(e.g. %s), %d unexpected (e.g. %s)' % (
                             sum(missing.values()), list(missing)[:3], sum(extra.values()),
                             list(extra)[:3]))
        print('%d bids through Kafka, %d rows of bids per channel and minute' % (
            len(bids), sum(got.values())))
        return 1 if fails else 0
    finally:
        if mock:
            mock.finish(fails)
        kp.kill_all()
        kl.report(fails, tmp, a.keep)


if __name__ == '__main__':
    sys.dont_write_bytecode = True
    sys.exit(main())
