#!/usr/bin/env python3
"""kafka_primary_key.py: sinks key their messages by the table's PRIMARY KEY (issue 5).

    kafka_primary_key.py --eddy build/release/shell/eddy [--keep]

1. `eddy kafka-mock --topic a:1 --topic b:2`.
2. `kafka` sink with a PRIMARY KEY and 'key.format' but no 'key.fields': 30 datagen rows
   (id 1..30); kcat reads topic a: every message's key is {"id": <its id>}.
3. `upsert-kafka` sink with only a PRIMARY KEY: COUNT(*) per id % 3 over the same rows; kcat
   reads topic b: every message's key is {"g": <its g>}, each key's messages sit in one partition,
   and the last value per key is the count computed here (10 each).
Exit 0 when all holds.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafkalib as kl  # noqa: E402

SQL = """
CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence',
  'fields.id.start' = '1', 'fields.id.end' = '30');
CREATE TABLE a (id BIGINT, sq BIGINT, PRIMARY KEY (id) NOT ENFORCED)
WITH ('connector' = 'kafka', 'topic' = 'a', 'properties.bootstrap.servers' = '%(addr)s',
      'format' = 'json', 'key.format' = 'json');
CREATE TABLE b (g BIGINT, n BIGINT, PRIMARY KEY (g) NOT ENFORCED)
WITH ('connector' = 'upsert-kafka', 'topic' = 'b', 'properties.bootstrap.servers' = '%(addr)s',
      'key.format' = 'json', 'value.format' = 'json');
EXECUTE STATEMENT SET BEGIN
INSERT INTO a SELECT id, id * id FROM gen;
INSERT INTO b SELECT id %% 3, COUNT(*) FROM gen GROUP BY id %% 3;
END;
"""


def main():
    ap = argparse.ArgumentParser(description='Kafka sinks keyed by the PRIMARY KEY.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    if not kl.have_kcat():
        print('kcat is not installed: skipped')
        return 0
    eddy = os.path.abspath(a.eddy)
    tmp = tempfile.mkdtemp(prefix='eddy-kafka-pk-')
    fails = []
    kp = kl.Procs()
    mock = None
    try:
        mock = kl.Mock(kp, eddy, [('a', 1), ('b', 2)], tmp=tmp)
        sql = os.path.join(tmp, 'q.sql')
        with open(sql, 'w') as f:
            f.write(SQL % {'addr': mock.addr})
        r = subprocess.run([eddy, 'run', '--no-checkpoints', sql], cwd=tmp, timeout=60,
                           stdin=subprocess.DEVNULL, capture_output=True, env=kl.eddy_env())
        if r.returncode != 0:
            fails.append('eddy run: exit %d\n%s' % (r.returncode, r.stderr.decode()[-2000:]))
            return 1
        rows_a = [l.split('|', 1) for l in kl.consume(mock.addr, 'a', '%k|%s\\n').splitlines()]
        if len(rows_a) != 30:
            fails.append('topic a holds %d messages, not 30' % len(rows_a))
        for k, v in rows_a:
            val = json.loads(v)
            if json.loads(k) != {'id': val['id']} or val['sq'] != val['id'] ** 2:
                fails.append('topic a: key %s for value %s' % (k, v))
        last, part_of = {}, {}
        for line in kl.consume(mock.addr, 'b', '%p|%k|%s\\n').splitlines():
            p, k, v = line.split('|', 2)
            key = json.loads(k)
            val = json.loads(v)
            if key != {'g': val['g']}:
                fails.append('topic b: key %s for value %s' % (k, v))
            if part_of.setdefault(key['g'], p) != p:
                fails.append('topic b: key %s in partitions %s and %s' % (k, part_of[key['g']], p))
            last[val['g']] = val['n']
        if last != {0: 10, 1: 10, 2: 10}:
            fails.append('topic b: last counts per key %s, expected 10 each' % last)
        print('30 rows keyed by id into a; counts per id %% 3 upserted into b: %s' % last)
        return 1 if fails else 0
    finally:
        if mock:
            mock.finish(fails)
        kp.kill_all()
        kl.report(fails, tmp, a.keep)


if __name__ == '__main__':
    sys.dont_write_bytecode = True
    sys.exit(main())
