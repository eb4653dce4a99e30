#!/usr/bin/env python3
"""kafka_upsert.py: the 'upsert-kafka' source (issue 5): a keyed topic read as a table, printed
as a changelog by `eddy run`, on `eddy kafka-mock`, with kcat as the independent producer.

    kafka_upsert.py --eddy build/release/shell/eddy [--messages 300] [--seed 1] [--keep]

1. `eddy kafka-mock --topic users:3` on a free loopback port.
2. kcat -P -K '|' -Z writes --messages keyed JSON messages (key {"id": n}, value
   {"id", "name", "city"}) over 12 keys: inserts, updates, some repeating the row they replace,
   tombstones of known keys and of keys never seen (-Z: an empty value is sent as NULL, a
   tombstone). kcat's partitioner puts a key's messages into one partition, in order.
3. `eddy run --no-checkpoints` of SELECT id, name, city FROM users (stdout line-buffered by
   stdbuf); the source is unbounded, so once the expected number of rows is printed (and a
   second more, for rows that should not come), the job is stopped with SIGINT.
4. The printed changelog must equal the one computed here: per key, +I for a new key,
   -U old / +U new for a changed row, nothing for the same row again, -D old for a tombstone
   of a known key, nothing for an unknown key's (rows of different keys may interleave, as
   they come from different partitions, so the comparison is per key).
5. The planner refuses, with exit code 1 and a clear message: a window TVF over the table,
   INSERT of it into the append-only 'kafka' sink, and a table without a PRIMARY KEY.
The mock (and eddy, if still running) are stopped in a finally block. Exit 0 when all holds.
"""
import argparse
import collections
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def expected_changelog(messages):
    """The changelog of the messages [(id, value dict or None)], as rows per key."""
    state = {}
    per_key = collections.defaultdict(list)
    for k, v in messages:
        old = state.get(k)
        if v is None:
            if old is not None:
                per_key[k].append(('-D', old))
                del state[k]
            continue
        new = (v['id'], v['name'], v['city'])
        if old is None:
            per_key[k].append(('+I', new))
        elif old != new:
            per_key[k].append(('-U', old))
            per_key[k].append(('+U', new))
        state[k] = new
    return per_key


def parse_row(line):
    """'+U[3, n7, Oslo]' -> ('+U', (3, 'n7', 'Oslo'))."""
    kind, body = line[:2], line[3:-1]
    a, b, c = body.split(', ')
    return kind, (int(a), b, c)


def make_messages(rng, n):
    """n messages (id, value or None): ids 0..11 are written, 12..14 only get tombstones."""
    cities = ['Oslo', 'Rome', 'Lima']
    messages = []
    for _ in range(n):
        r = rng.random()
        if r < 0.05:
            messages.append((12 + rng.randrange(3), None))
        elif r < 0.2:
            messages.append((rng.randrange(12), None))
        else:
            k = rng.randrange(12)
            messages.append((k, {'id': k, 'name': 'n%d' % rng.randrange(3),
                                 'city': rng.choice(cities)}))
    return messages


def write_topic(addr, topic, messages, path):
    """kcat -P -K '|' -Z: key|value lines, an empty value sent as NULL (a tombstone)."""
    with open(path, 'w') as f:
        for k, v in messages:
            f.write('%s|%s\n' % (json.dumps({'id': k}), json.dumps(v) if v else ''))
    subprocess.run(['kcat', '-P', '-b', addr, '-t', topic, '-K', '|', '-Z', '-l', path],
                   check=True, timeout=60)


def run_until(cmd, cwd, env, out_path, want, fails, what):
    """Runs cmd with stdout into out_path until it printed `want` rows (at most 20 s) and a
    second more, then stops it with SIGINT. Returns the rows printed, per key."""
    with open(out_path, 'w') as out:
        run = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                               stderr=subprocess.PIPE, env=env)
        try:
            deadline = time.time() + 20
            while time.time() < deadline and run.poll() is None:
                with open(out_path) as f:
                    if sum(1 for line in f if line.strip()) >= want:
                        break
                time.sleep(0.2)
            time.sleep(1.0)  # rows that should not come would show now
            if run.poll() is not None:
                fails.append('%s: eddy run ended by itself: exit %d\n%s' % (
                    what, run.returncode, run.stderr.read().decode()[-2000:]))
            else:
                run.send_signal(signal.SIGINT)
                try:
                    run.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    fails.append('%s: eddy run did not stop on SIGINT' % what)
                if run.returncode != 0:
                    fails.append('%s: exit %s after SIGINT\n%s' % (
                        what, run.returncode, run.stderr.read().decode()[-2000:]))
        finally:
            if run.poll() is None:
                run.kill()
                run.wait()
            run.stderr.close()
    got = collections.defaultdict(list)
    with open(out_path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                kind, row = parse_row(line)
            except ValueError:
                fails.append('%s: cannot read the printed row %r' % (what, line))
                continue
            got[row[0]].append((kind, row))
    return got


def compare(what, got, per_key, fails):
    nrows = sum(len(v) for v in got.values())
    want = sum(len(v) for v in per_key.values())
    if nrows != want:
        fails.append('%s: %d rows printed, %d expected' % (what, nrows, want))
    for k in sorted(set(per_key) | set(got)):
        if per_key.get(k, []) != got.get(k, []):
            fails.append('%s: key %d: printed %s, expected %s' % (
                what, k, got.get(k, [])[:6], per_key.get(k, [])[:6]))
    return nrows


def main():
    ap = argparse.ArgumentParser(description='The upsert-kafka source, end to end.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--messages', type=int, default=300)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    if not shutil.which('kcat'):
        print('kcat is not installed: skipped')
        return 0
    eddy = os.path.abspath(a.eddy)
    tmp = tempfile.mkdtemp(prefix='eddy-kafka-upsert-')
    fails = []
    mock = None
    env = dict(os.environ, EDDY_NO_STATUS='1')
    try:
        port = free_port()
        mock = subprocess.Popen([eddy, 'kafka-mock', '--topic', 'users:3', '--topic', 'ck:2', '--port', str(port)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)
        addr = mock.stdout.readline().decode().strip()
        if not addr:
            fails.append('kafka-mock printed no address: %s' % mock.stderr.read().decode())
            return 1
        rng = random.Random(a.seed)
        messages = make_messages(rng, a.messages)
        write_topic(addr, 'users', messages, os.path.join(tmp, 'in.txt'))
        per_key = expected_changelog(messages)
        want = sum(len(v) for v in per_key.values())

        ddl = """
CREATE TABLE users (id BIGINT, name STRING, city STRING, PRIMARY KEY (id) NOT ENFORCED)
WITH ('connector' = 'upsert-kafka', 'topic' = 'users', 'properties.bootstrap.servers' = '%(addr)s',
      'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE users_t (id BIGINT, name STRING, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  PRIMARY KEY (id) NOT ENFORCED, WATERMARK FOR ts AS ts)
WITH ('connector' = 'upsert-kafka', 'topic' = 'users', 'properties.bootstrap.servers' = '%(addr)s',
      'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE out (id BIGINT, name STRING)
WITH ('connector' = 'kafka', 'topic' = 'users', 'properties.bootstrap.servers' = '%(addr)s',
      'format' = 'json');
CREATE TABLE ck_users (id BIGINT, name STRING, city STRING, PRIMARY KEY (id) NOT ENFORCED)
WITH ('connector' = 'upsert-kafka', 'topic' = 'ck', 'properties.bootstrap.servers' = '%(addr)s',
      'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE nopk (id BIGINT, name STRING)
WITH ('connector' = 'upsert-kafka', 'topic' = 'users', 'properties.bootstrap.servers' = '%(addr)s',
      'key.format' = 'json', 'value.format' = 'json');
""" % {'addr': addr}
        sql = os.path.join(tmp, 'q.sql')
        with open(sql, 'w') as f:
            f.write(ddl + 'SELECT id, name, city FROM users;\n')
        out_path = os.path.join(tmp, 'out.txt')
        # stdout is a file: without checkpoints the print sink flushes only at the end, so
        # stdbuf makes stdout line-buffered to see the rows while the job runs
        stdbuf = ['stdbuf', '-oL'] if shutil.which('stdbuf') else []
        # (stdbuf preloads a library: an ASan build must be told that this is fine)
        env_buf = dict(env, ASAN_OPTIONS=(os.environ.get('ASAN_OPTIONS', '') +
                                          ':verify_asan_link_order=0').lstrip(':'))
        got_key = run_until(stdbuf + [eddy, 'run', '--no-checkpoints', sql], tmp, env_buf,
                            out_path, want, fails, 'no checkpoints')
        nrows = compare('no checkpoints', got_key, per_key, fails)
        kinds = collections.Counter(kind for rows in got_key.values() for kind, _ in rows)

        # with checkpoints: a stop (SIGINT: a last checkpoint), more messages, a restart that
        # resumes from the checkpoint (the source re-reads the topic up to it into its key map
        # without emitting): the second run's rows continue the first run's changelog
        first, second = messages[:len(messages) // 2], messages[len(messages) // 2:]
        write_topic(addr, 'ck', first, os.path.join(tmp, 'ck1.txt'))
        ck_sql = os.path.join(tmp, 'ck.sql')
        with open(ck_sql, 'w') as f:
            f.write((ddl + "SET 'execution.checkpointing.interval' = '1 s';\n"
                     "SELECT id, name, city FROM ck_users;\n"))
        cmd = [eddy, 'run', '--state-dir', os.path.join(tmp, 'state'), ck_sql]
        exp1 = expected_changelog(first)
        got1 = run_until(cmd, tmp, env, os.path.join(tmp, 'ck1.out'),
                         sum(len(v) for v in exp1.values()), fails, 'checkpointed run 1')
        compare('checkpointed run 1', got1, exp1, fails)
        write_topic(addr, 'ck', second, os.path.join(tmp, 'ck2.txt'))
        exp_all = expected_changelog(first + second)
        exp2 = {k: v[len(exp1.get(k, [])):] for k, v in exp_all.items()}
        exp2 = {k: v for k, v in exp2.items() if v}
        got2 = run_until(cmd, tmp, env, os.path.join(tmp, 'ck2.out'),
                         sum(len(v) for v in exp2.values()), fails, 'restarted run 2')
        n2 = compare('restarted run 2', got2, exp2, fails)
        print('restart: %d rows after the checkpoint, %d of them -U/-D of rows from before it' % (
            n2, sum(1 for k, v in got2.items() for i, (kind, _) in enumerate(v)
                    if kind in ('-U', '-D') and not any(kk == '+I' or kk == '+U'
                                                         for kk, _ in v[:i]))))

        # what the planner refuses
        refused = [
            ("SELECT * FROM TABLE(TUMBLE(TABLE users_t, DESCRIPTOR(ts), INTERVAL '1' MINUTE));",
             "TUMBLE over table 'users_t' is not supported: connector 'upsert-kafka' makes it a "
             "changelog"),
            ('INSERT INTO out SELECT id, name FROM users;',
             "Table sink 'out' doesn't support consuming update changes"),
            ('SELECT * FROM nopk;',
             "'upsert-kafka' tables require to define a PRIMARY KEY constraint"),
        ]
        for q, msg in refused:
            with open(sql, 'w') as f:
                f.write(ddl + q + '\n')
            r = subprocess.run([eddy, 'run', '--no-checkpoints', sql], cwd=tmp, timeout=30,
                               stdin=subprocess.DEVNULL, capture_output=True, env=env)
            if r.returncode != 1 or msg not in r.stderr.decode():
                fails.append('%s: exit %d, expected 1 with %r; stderr: %s' % (
                    q, r.returncode, msg, r.stderr.decode()[-800:]))
        print('%d messages, %d changelog rows (%s)' % (
            len(messages), nrows, ', '.join('%s %d' % kv for kv in sorted(kinds.items()))))
        return 1 if fails else 0
    finally:
        if mock and mock.poll() is None:
            mock.send_signal(signal.SIGTERM)
            try:
                mock.wait(timeout=10)
            except subprocess.TimeoutExpired:
                mock.kill()
                mock.wait()
        for f in fails:
            print('FAIL ' + f)
        if fails or a.keep:
            print('(files kept in %s)' % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.dont_write_bytecode = True
    sys.exit(main())
