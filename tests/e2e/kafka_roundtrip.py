#!/usr/bin/env python3
"""kafka_roundtrip.py: keys, headers and values written by kcat go through eddy's kafka source and
sink unchanged, in JSON and in CSV (issue 5: "a round trip of JSON and CSV with keys and
headers").

    kafka_roundtrip.py --eddy build/release/shell/eddy [--messages 200] [--seed 1] [--keep]

For each format (json, csv):
1. `eddy kafka-mock --topic in_FMT:3 --topic out_FMT:3`; kcat -P writes --messages keyed
   messages in groups, each group with its own headers (kcat -H): two plain ones; one with a
   NULL value; none at all; a repeated name and an empty value; a UTF-8 value. Keys are
   {"k":"u7"} (json) or u7 (csv); values {"v":17,"name":"n3"} (json) or 17,n3 (csv).
2. `eddy run --no-checkpoints` of
       INSERT INTO dst SELECT * FROM src
   where both tables are (k STRING, v BIGINT, name STRING, hdrs STRING METADATA FROM 'headers')
   with 'key.format' = FMT, 'key.fields' = 'k', 'value.format' = FMT,
   'value.fields-include' = 'EXCEPT_KEY'; the source is bounded ('scan.bounded.mode' =
   'latest-offset'), so the job ends by itself.
3. kcat -C -J reads out_FMT back; as a multiset, the (key, headers in order, value) of the
   messages must equal what was written (JSON keys and values compared as parsed JSON, since
   eddy writes them compact; CSV compared as text).
Every process is killed in a finally block.
"""
import argparse
import collections
import json
import os
import random
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafkalib as kl  # noqa: E402

# the header groups: (name, value) in order; None is a header with a NULL value
HEADER_GROUPS = [
    [('trace', 't-1'), ('source', 'web')],
    [('retry', None)],
    [],
    [('dup', '1'), ('dup', '2'), ('empty', '')],
    [('city', 'Z\u00fcrich')],
]

SQL = """
CREATE TABLE src (k STRING, v BIGINT, name STRING, hdrs STRING METADATA FROM 'headers')
WITH ('connector' = 'kafka', 'topic' = 'in_%(fmt)s', 'properties.bootstrap.servers' = '%(addr)s',
      'key.format' = '%(fmt)s', 'key.fields' = 'k', 'value.format' = '%(fmt)s',
      'value.fields-include' = 'EXCEPT_KEY', 'scan.startup.mode' = 'earliest-offset',
      'scan.bounded.mode' = 'latest-offset');
CREATE TABLE dst (k STRING, v BIGINT, name STRING, hdrs STRING METADATA FROM 'headers')
WITH ('connector' = 'kafka', 'topic' = 'out_%(fmt)s', 'properties.bootstrap.servers' = '%(addr)s',
      'key.format' = '%(fmt)s', 'key.fields' = 'k', 'value.format' = '%(fmt)s',
      'value.fields-include' = 'EXCEPT_KEY');
INSERT INTO dst SELECT * FROM src;
"""


def header_args(group):
    return ['%s=%s' % (n, v) if v is not None else n for n, v in group]


def normal(fmt, key, headers, value):
    """What is compared: JSON as parsed (canonical text), CSV as it is."""
    if fmt == 'json':
        key = json.dumps(json.loads(key), sort_keys=True) if key is not None else None
        value = json.dumps(json.loads(value), sort_keys=True) if value is not None else None
    return (key, tuple(headers), value)


def one_format(eddy, procs, fmt, n, rng, tmp, fails):
    mock = kl.Mock(procs, eddy, [('in_' + fmt, 3), ('out_' + fmt, 3)], tmp=tmp)
    sent = collections.Counter()
    for g, group in enumerate(HEADER_GROUPS):
        lines = []
        for i in range(g, n, len(HEADER_GROUPS)):
            user, v, name = 'u%d' % rng.randrange(20), rng.randrange(1000), 'n%d' % i
            if fmt == 'json':
                key = json.dumps({'k': user})
                value = json.dumps({'v': v, 'name': name})
            else:
                key, value = user, '%d,%s' % (v, name)
            lines.append('%s|%s' % (key, value))
            sent[normal(fmt, key, group, value)] += 1
        kl.produce(mock.addr, 'in_' + fmt, lines, key_sep='|',
                   headers=header_args(group))
    sql = os.path.join(tmp, 'copy_%s.sql' % fmt)
    with open(sql, 'w') as f:
        f.write(SQL % {'fmt': fmt, 'addr': mock.addr})
    r = subprocess.run([eddy, 'run', '--no-checkpoints', sql], cwd=tmp, timeout=60,
                       stdin=subprocess.DEVNULL, capture_output=True, env=kl.eddy_env())
    err_path = os.path.join(tmp, 'copy_%s.err' % fmt)
    with open(err_path, 'wb') as f:
        f.write(r.stderr)
    fails += kl.sanitizer_reports(err_path, 'eddy (%s)' % fmt)
    if r.returncode != 0:
        fails.append('%s: eddy run: exit %d\n%s' % (fmt, r.returncode,
                                                    r.stderr.decode()[-2000:]))
        mock.stop()
        return
    got = collections.Counter()
    bad = []
    for line in subprocess.run(['kcat', '-C', '-b', mock.addr, '-t', 'out_' + fmt, '-o',
                                'beginning', '-e', '-q', '-J'], capture_output=True,
                               timeout=kl.KCAT_TIMEOUT, check=True).stdout.decode().splitlines():
        if not line.strip():
            continue
        m = json.loads(line)
        h = m.get('headers') or []
        headers = [(h[i], h[i + 1]) for i in range(0, len(h), 2)]
        try:
            got[normal(fmt, m.get('key'), headers, m.get('payload'))] += 1
        except ValueError as e:
            bad.append('%s: %s' % (e, line))
    if bad:
        fails.append('%s: %d message(s) in out_%s are not JSON, e.g. %s' % (
            fmt, len(bad), fmt, bad[0]))
    if got != sent:
        missing, extra = sent - got, got - sent
        fails.append('%s: the messages of out_%s differ from those written to in_%s: %d '
                     'missing, e.g. %s; %d unexpected, e.g. %s' % (
                         fmt, fmt, fmt, sum(missing.values()), list(missing)[:2],
                         sum(extra.values()), list(extra)[:2]))
    print('%s: %d messages with keys and %d header sets copied' % (
        fmt, sum(got.values()), len(HEADER_GROUPS)))
    mock.finish(fails)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--messages', type=int, default=200)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    if not kl.have_kcat():
        print('skipped: kcat not found')
        return 0
    eddy = os.path.abspath(a.eddy)
    tmp = tempfile.mkdtemp(prefix='eddy-kafka-roundtrip-')
    procs = kl.Procs()
    fails = []
    rng = random.Random(a.seed)
    try:
        for fmt in ('json', 'csv'):
            one_format(eddy, procs, fmt, a.messages, rng, tmp, fails)
        return 1 if fails else 0
    except (RuntimeError, subprocess.SubprocessError) as e:
        fails.append(str(e))
        return 1
    finally:
        procs.kill_all()
        kl.report(fails, tmp, a.keep)


if __name__ == '__main__':
    sys.exit(main())
