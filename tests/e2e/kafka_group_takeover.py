#!/usr/bin/env python3
"""kafka_group_takeover.py: two eddy processes in one consumer group split a topic's partitions;
one is killed and the other takes its partitions over; the combined output is complete (issue 5).

    kafka_group_takeover.py --eddy build/release/shell/eddy [--events 4000] [--keep]

1. `eddy kafka-mock --topic ev:4 --topic out:1` on a free loopback port; kcat -P writes the
   first half of the events (JSON {seq, k, v}, keyed by k, so every partition gets some).
2. Two `eddy run` processes, A and B, each with its own state directory and checkpoints every
   300 ms, run the same stateless query (a filter and a projection that tags each row with the
   process's name) with 'scan.partition-assignment' = 'group' and one 'properties.group.id':
   the group gives each two of the four partitions. A process that reads only two partitions
   must still move its watermark on (the other two are not its own), which the query does not
   need; what is checked is the split and the takeover.
3. Once both A and B have written rows, B is killed with SIGKILL. The second half of the events
   is written. After the group's session timeout, A is given B's partitions and resumes them at
   the offsets B committed after its last checkpoint.
4. kcat -C reads `out` until every expected seq is there (deadline). Checks: the set of seqs is
   exactly the expected one (nothing lost; an at-least-once sink may repeat rows B wrote after
   its last checkpoint, and repeats carry equal values); A and B each wrote rows before the
   kill, from disjoint partitions; after the kill A wrote rows of B's partitions.
The mock and both eddy processes are stopped in a finally block. Exit 0 when all holds.
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafkalib as kl  # noqa: E402


def produce(addr, events):
    kl.produce(addr, 'ev', ['%s|%s' % (k, json.dumps({'seq': seq, 'k': k, 'v': v}))
                            for seq, k, v in events], key_sep='|')


def read_out(addr):
    return [json.loads(l) for l in kl.consume(addr, 'out').splitlines() if l.strip()]


SQL = """
CREATE TABLE ev (seq BIGINT, k STRING, v BIGINT, p INT METADATA FROM 'partition' VIRTUAL)
WITH ('connector' = 'kafka', 'topic' = 'ev', 'properties.bootstrap.servers' = '%(addr)s',
      'format' = 'json', 'scan.startup.mode' = 'earliest-offset',
      'scan.partition-assignment' = 'group', 'properties.group.id' = 'takeover',
      'properties.session.timeout.ms' = '6000', 'properties.heartbeat.interval.ms' = '500');
CREATE TABLE out (who STRING, seq BIGINT, k STRING, v2 BIGINT, p INT)
WITH ('connector' = 'kafka', 'topic' = 'out', 'properties.bootstrap.servers' = '%(addr)s',
      'format' = 'json');
SET 'execution.checkpointing.interval' = '300 ms';
INSERT INTO out SELECT '%(who)s', seq, k, v * 2, p FROM ev WHERE v %% 3 <> 0;
"""


def main():
    ap = argparse.ArgumentParser(description='Two eddy processes in one consumer group.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--events', type=int, default=4000)
    ap.add_argument('--seed', type=int, default=5)
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    if not kl.have_kcat():
        print('kcat is not installed: skipped')
        return 0
    eddy = os.path.abspath(a.eddy)
    tmp = tempfile.mkdtemp(prefix='eddy-kafka-group-')
    fails = []
    procs = {}
    kp = kl.Procs()
    mock = None
    try:
        mock = kl.Mock(kp, eddy, [('ev', 4), ('out', 1)], tmp=tmp)
        addr = mock.addr
        rng = random.Random(a.seed)
        events = [(i, 'k%d' % rng.randrange(16), rng.randrange(1000)) for i in range(a.events)]
        half = len(events) // 2
        produce(addr, events[:half])
        for who in ('A', 'B'):
            d = os.path.join(tmp, who)
            os.mkdir(d)
            sql = os.path.join(d, 'q.sql')
            with open(sql, 'w') as f:
                f.write(SQL % {'addr': addr, 'who': who})
            log = open(os.path.join(d, 'stderr.txt'), 'w')
            procs[who] = kp.popen([eddy, 'run', '--state-dir', os.path.join(d, 'state'), sql],
                                  cwd=d, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=log, env=kl.eddy_env())
        # both write rows: the group has split the partitions between them
        deadline = time.time() + 40
        parts = {}
        while time.time() < deadline:
            rows = read_out(addr)
            parts = {w: {r['p'] for r in rows if r['who'] == w} for w in ('A', 'B')}
            if parts['A'] and parts['B']:
                break
            for w, p in procs.items():
                if p.poll() is not None:
                    fails.append('eddy %s ended early (exit %d): %s' % (
                        w, p.returncode, open(os.path.join(tmp, w, 'stderr.txt')).read()[-1500:]))
                    return 1
            time.sleep(0.5)
        if not (parts.get('A') and parts.get('B')):
            fails.append('the group did not split the partitions: A read %s, B read %s' % (
                sorted(parts.get('A', ())), sorted(parts.get('B', ()))))
            return 1
        if parts['A'] & parts['B']:
            fails.append('A and B both read partitions %s' % sorted(parts['A'] & parts['B']))
        time.sleep(1.0)  # B checkpoints and commits its offsets at least once more
        procs['B'].send_signal(signal.SIGKILL)
        procs['B'].wait()
        b_parts = parts['B']
        n_before = len(read_out(addr))
        produce(addr, events[half:])
        expected = {seq: (k, v * 2) for seq, k, v in events if v % 3 != 0}
        deadline = time.time() + 60
        rows = []
        while time.time() < deadline:
            rows = read_out(addr)
            if {r['seq'] for r in rows} >= set(expected):
                break
            if procs['A'].poll() is not None:
                fails.append('eddy A ended (exit %d): %s' % (
                    procs['A'].returncode,
                    open(os.path.join(tmp, 'A', 'stderr.txt')).read()[-1500:]))
                return 1
            time.sleep(0.5)
        got = {}
        for r in rows:
            want = expected.get(r['seq'])
            if want is None:
                fails.append('unexpected row %s' % r)
            elif (r['k'], r['v2']) != want:
                fails.append('row %s has other values than expected %s' % (r, want))
            got[r['seq']] = r
        missing = sorted(set(expected) - set(got))
        if missing:
            fails.append('%d of %d expected rows never arrived (e.g. seq %s); A read %s, B read '
                         '%s before the kill' % (len(missing), len(expected), missing[:5],
                                                 sorted(parts['A']), sorted(b_parts)))
        taken = {r['p'] for r in rows[n_before:] if r['who'] == 'A'} & b_parts
        if not taken:
            fails.append('after B was killed, A wrote no row of B\'s partitions %s' %
                         sorted(b_parts))
        print('%d events, %d rows expected, %d rows read (%d repeats); A read %s, B read %s, A '
              'took over %s' % (len(events), len(expected), len(rows), len(rows) - len(got),
                                sorted(parts['A']), sorted(b_parts), sorted(taken)))
        return 1 if fails else 0
    finally:
        for w, p in procs.items():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            fails += kl.sanitizer_reports(os.path.join(tmp, w, 'stderr.txt'), 'eddy ' + w)
        if mock:
            mock.finish(fails)
        kp.kill_all()
        kl.report(fails, tmp, a.keep)


if __name__ == '__main__':
    sys.dont_write_bytecode = True
    sys.exit(main())
