#!/usr/bin/env python3
"""repl_jobs.py: background jobs in the REPL: INSERT submits a job and returns, SHOW JOBS,
STOP JOB [WITH SAVEPOINT], the REPL's end stopping what runs, and `eddy run --from-savepoint`
resuming a job that the REPL stopped (docs/repl.md).

    repl_jobs.py --eddy build/debug/shell/eddy [--rows 6000] [--keep] [-v]

eddy is driven through pipes (no terminal: no prompts), one statement at a time, reading its
standard output and error as they come. One session:
  1. job A (datagen -> blackhole, no 'state.dir' yet: no checkpoints). STOP JOB 'A' WITH
     SAVEPOINT is refused twice: without 'state.savepoints.dir', then because A has no
     checkpoints; A is still RUNNING; STOP JOB 'A' stops it: CANCELED.
  2. SET 'state.dir', an interval of 200 ms; job B: a seeded datagen source (k, v, ts) paced at
     1000 rows/s ('number-of-rows' --rows, ~6 s) through a 1-second TUMBLE aggregation into a
     filesystem sink. SHOW JOBS: B RUNNING. STOP JOB of an unknown id: an error naming B;
     WITH DRAIN: refused, B goes on.
  3. about 3.5 s after B started: STOP JOB 'B' WITH SAVEPOINT: "Savepoint completed. Path:
     SP/B", SP/B/data.mdb exists; SHOW JOBS: B FINISHED; the sink holds part of the result.
  4. SET 'pipeline.name' = 'bg'; job C (datagen -> blackhole) gets the id 'bg'; the input
     ends: eddy stops C with a last checkpoint ("job 'bg' stopped at checkpoint"), exits 1
     (the refused statements count as failed, as in any script), and ST/bg holds that
     checkpoint.
Then `eddy run --from-savepoint SP/B` of the same query (as a file) finishes the job; the sink
(B's rows plus the resumed run's) must equal, row for row after sorting, an uninterrupted run
of the query (`eddy run --no-checkpoints`, unpaced: the seeded rows and their timestamps do
not depend on the pace), with no row twice. Exit 0 when all passed; files kept on failure.
"""
import argparse
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter


class Failed(Exception):
    pass


GEN2 = ("CREATE TABLE gen2 (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '200',\n"
        "  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100000000');\n"
        "CREATE TABLE bh (id BIGINT) WITH ('connector' = 'blackhole');\n")


def window_query(sink, rows, rate):
    return (
        "CREATE TABLE gen (k INT, v INT, ts TIMESTAMP(3),\n"
        "  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND\n"
        ") WITH ('connector' = 'datagen', 'rows-per-second' = '%d', 'number-of-rows' = '%d',\n"
        "  'seed' = '7', 'fields.k.min' = '0', 'fields.k.max' = '19',\n"
        "  'fields.v.min' = '0', 'fields.v.max' = '1000');\n"
        "CREATE TABLE out (k INT, ws TIMESTAMP(3), we TIMESTAMP(3), n BIGINT, s BIGINT)\n"
        "  WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json');\n"
        "INSERT INTO out SELECT k, window_start, window_end, COUNT(*), SUM(v)\n"
        "  FROM TABLE(TUMBLE(TABLE gen, DESCRIPTOR(ts), INTERVAL '1' SECOND))\n"
        "  GROUP BY k, window_start, window_end;\n" % (rate, rows, sink))


def read_sink(path):
    """(Counter of (k, ws, we, n, s), [hidden or in-progress files])."""
    rows, left = Counter(), []
    for dirpath, _, files in os.walk(path):
        for name in files:
            if name.startswith('.') or 'inprogress' in name:
                left.append(name)
                continue
            with open(os.path.join(dirpath, name)) as f:
                for line in f:
                    if line.strip():
                        o = json.loads(line)
                        rows[(o['k'], o['ws'], o['we'], o['n'], o['s'])] += 1
    return rows, left


def diff(exp, got, limit=10):
    out = []
    for r, c in sorted((exp - got).items())[:limit]:
        out.append('  missing x%d: %s' % (c, r))
    for r, c in sorted((got - exp).items())[:limit]:
        out.append('  extra   x%d: %s' % (c, r))
    return out


class Repl:
    """eddy's REPL on pipes; stdout and stderr lines gathered by two threads."""

    def __init__(self, eddy, cwd, verbose):
        self.verbose = verbose
        self.p = subprocess.Popen([eddy], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=dict(os.environ, EDDY_NO_STATUS='1'))
        self.lines = {'out': [], 'err': []}
        self.seen = {'out': 0, 'err': 0}
        self.q = queue.Queue()
        for name, f in (('out', self.p.stdout), ('err', self.p.stderr)):
            threading.Thread(target=self._pump, args=(name, f), daemon=True).start()

    def _pump(self, name, f):
        for raw in f:
            self.q.put((name, raw.decode('utf-8', 'replace').rstrip('\n')))
        self.q.put((name, None))

    def _drain(self, timeout):
        try:
            name, line = self.q.get(timeout=timeout)
        except queue.Empty:
            return
        while True:
            if line is not None:
                self.lines[name].append(line)
                if self.verbose:
                    print('    %s| %s' % (name, line), flush=True)
            try:
                name, line = self.q.get_nowait()
            except queue.Empty:
                return

    def send(self, sql):
        if self.verbose:
            print('    > %s' % sql.replace('\n', '\n    > '), flush=True)
        self.p.stdin.write(sql.encode() + b'\n')
        self.p.stdin.flush()

    def expect(self, stream, pattern, timeout=30, what=None):
        """The first match of pattern in a line of stream not looked at yet; Failed after
        timeout seconds. Lines up to the match count as looked at."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            ls = self.lines[stream]
            for i in range(self.seen[stream], len(ls)):
                m = rx.search(ls[i])
                if m:
                    self.seen[stream] = i + 1
                    return m
            left = end - time.monotonic()
            if left <= 0:
                raise Failed('%s: no line matching %r on std%s within %d s; it said:\n%s' % (
                    what or 'eddy', pattern, stream, timeout, self.tail()))
            self._drain(min(left, 0.2))

    def submit(self, sql, what):
        self.send(sql)
        self.expect('out', r'^\[INFO\] Submitting SQL update statement', what=what)
        return self.expect('out', r'^Job ID: (\S+)$', what=what).group(1)

    def show_jobs(self):
        """{id: status} from one SHOW JOBS table."""
        self.send('SHOW JOBS;')
        self.expect('out', r'^\| job id +\| job name +\| status +\| start time +\|$', what='SHOW JOBS')
        jobs = {}
        while True:
            m = self.expect('out', r'^(\| .*\||\d+ rows? in set)$', what='SHOW JOBS')
            if 'in set' in m.group(1):
                return jobs
            cells = [c.strip() for c in m.group(1).strip('|').split('|')]
            jobs[cells[0]] = cells[2]

    def tail(self, n=20):
        self._drain(0.05)
        out = ['out| ' + l for l in self.lines['out'][-n:]] + \
              ['err| ' + l for l in self.lines['err'][-n:]]
        return '\n'.join('    ' + l for l in out) or '    (nothing)'

    def close(self, timeout=60):
        """Ends the input; (exit code, seconds it took), or Failed when it does not end."""
        t0 = time.monotonic()
        self.p.stdin.close()
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failed('the REPL did not end within %d s of the end of its input\n%s' % (
                timeout, self.tail()))
        self._drain(0.5)
        return self.p.returncode, time.monotonic() - t0

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def check(cond, what):
    if not cond:
        raise Failed(what)


def run_test(eddy, tmp, nrows, verbose):
    sink = os.path.join(tmp, 'out')
    sp_root = os.path.join(tmp, 'savepoints')
    st_root = os.path.join(tmp, 'state')
    repl = Repl(eddy, tmp, verbose)
    try:
        # 1. a job without checkpoints
        repl.send(GEN2)
        a = repl.submit('INSERT INTO bh SELECT id FROM gen2;', 'job A')
        check(re.fullmatch(r'[0-9a-f]{8}', a), 'job id %r is not 8 hex digits' % a)
        repl.send("STOP JOB '%s' WITH SAVEPOINT;" % a)
        repl.expect('err', r"state\.savepoints\.dir", what='WITH SAVEPOINT without a savepoint dir')
        repl.send("SET 'state.savepoints.dir' = '%s';" % sp_root)
        repl.send("STOP JOB '%s' WITH SAVEPOINT;" % a)
        repl.expect('err', r"job '%s' runs without checkpoints" % a,
                    what='WITH SAVEPOINT of a job without checkpoints')
        check(repl.show_jobs().get(a) == 'RUNNING', 'job A is not RUNNING after the refusals')
        repl.send("STOP JOB '%s';" % a)
        repl.expect('out', r"^\[INFO\] Job '%s' has been stopped\.$" % a, what='STOP JOB A')
        check(repl.show_jobs().get(a) == 'CANCELED', 'job A is not CANCELED after STOP JOB')

        # 2. a windowed job with checkpoints
        repl.send("SET 'state.dir' = '%s';\nSET 'execution.checkpointing.interval' = '200ms';"
                  % st_root)
        repl.send(window_query(sink, nrows, 1000).rsplit('INSERT', 1)[0])
        t_submit = time.monotonic()
        b = repl.submit('INSERT' + window_query(sink, nrows, 1000).rsplit('INSERT', 1)[1], 'job B')
        check(b != a, 'two jobs got the same id %s' % b)
        jobs = repl.show_jobs()
        check(jobs.get(b) == 'RUNNING', 'SHOW JOBS: job B is %s, expected RUNNING' % jobs.get(b))
        repl.send("STOP JOB 'nope';")
        repl.expect('err', r"no job 'nope'.*'%s'" % b, what='STOP JOB of an unknown id')
        repl.send("STOP JOB '%s' WITH DRAIN;" % b)
        repl.expect('err', r'WITH DRAIN is not supported', what='WITH DRAIN')

        # 3. stop with a savepoint, mid-way
        time.sleep(max(0.0, 3.5 - (time.monotonic() - t_submit)))
        repl.send("STOP JOB '%s' WITH SAVEPOINT;" % b)
        m = repl.expect('out', r'^Savepoint completed\. Path: (.+)$', what='STOP JOB B WITH SAVEPOINT')
        sp = m.group(1)
        took = time.monotonic() - t_submit
        check(os.path.normpath(sp) == os.path.join(sp_root, b),
              'the savepoint path %s is not state.savepoints.dir/<job id> (%s)' % (
                  sp, os.path.join(sp_root, b)))
        check(os.path.exists(os.path.join(sp, 'data.mdb')), 'no data.mdb in the savepoint %s' % sp)
        check(took < nrows / 1000.0 - 0.5,
              'the stop came %.1f s after the submission: job B (~%.0f s) may have ended by '
              'itself' % (took, nrows / 1000.0))
        jobs = repl.show_jobs()
        check(jobs.get(b) == 'FINISHED', 'SHOW JOBS after the stop with a savepoint: job B is %s, '
              'expected FINISHED' % jobs.get(b))

        # 4. a job named by 'pipeline.name', stopped by the end of the input
        repl.send("SET 'pipeline.name' = 'bg';")
        c = repl.submit('INSERT INTO bh SELECT id FROM gen2;', 'job C')
        check(c == 'bg', "with 'pipeline.name' = 'bg' the job id is %r" % c)
        time.sleep(0.6)   # a few checkpoints
        rc, secs = repl.close()
        # 1: four refused STOP JOBs failed (a script's exit code counts failed statements)
        check(rc == 1, 'the REPL exited with %s, expected 1\n%s' % (rc, repl.tail()))
        repl.expect('err', r"job 'bg' stopped at checkpoint \d+", what='the end of the REPL')
        check(os.path.exists(os.path.join(st_root, 'bg', 'data.mdb')),
              'job bg left no checkpoint in %s' % os.path.join(st_root, 'bg'))
        errs = [l for l in repl.lines['err'] if 'Sanitizer' in l or 'runtime error:' in l]
        check(not errs, 'sanitizer report from the REPL:\n%s' % repl.tail(60))
    finally:
        repl.kill()

    stopped, left = read_sink(sink)
    check(not left, 'in-progress files left after the stop with a savepoint: %s' % left)

    # the reference: the same query, uninterrupted and unpaced
    ref_sink = os.path.join(tmp, 'ref_out')
    with open(os.path.join(tmp, 'ref.sql'), 'w') as f:
        f.write(window_query(ref_sink, nrows, 0))
    p = subprocess.run([eddy, 'run', '--no-checkpoints', 'ref.sql'], cwd=tmp, capture_output=True,
                       timeout=120, env=dict(os.environ, EDDY_NO_STATUS='1'))
    check(p.returncode == 0, 'reference run: exit %s\n%s' % (p.returncode, p.stderr.decode()))
    ref, _ = read_sink(ref_sink)
    check(ref and max(ref.values()) == 1, 'the reference wrote no rows, or a row twice')
    check(0 < sum(stopped.values()) < sum(ref.values()),
          'after the stop the sink holds %d of %d rows: expected a part' % (
              sum(stopped.values()), sum(ref.values())))
    check(not (stopped - ref), 'after the stop the sink holds rows the reference has not:\n%s' %
          '\n'.join(diff(ref, stopped)))

    # resume from the REPL's savepoint with eddy run
    with open(os.path.join(tmp, 'resume.sql'), 'w') as f:
        f.write(window_query(sink, nrows, 1000))
    p = subprocess.run([eddy, 'run', '--state-dir', os.path.join(tmp, 'state2'), '--from-savepoint',
                        sp, 'resume.sql'], cwd=tmp, capture_output=True, timeout=120,
                       env=dict(os.environ, EDDY_NO_STATUS='1'))
    err = p.stderr.decode()
    check(p.returncode == 0, 'eddy run --from-savepoint %s: exit %s\n%s' % (sp, p.returncode, err))
    check('starts from the savepoint' in err, 'the resumed run did not say it starts from the '
          'savepoint:\n%s' % err)
    got, left = read_sink(sink)
    check(not left, 'in-progress files left after the resumed run: %s' % left)
    check(got == ref, 'REPL job + resumed run differ from the uninterrupted run (%d rows '
          'expected, %d written, %d before the stop):\n%s' % (
              sum(ref.values()), sum(got.values()), sum(stopped.values()), '\n'.join(diff(ref, got))))
    if verbose:
        print('    %d rows: %d before the stop, %d after the resume' % (
            sum(ref.values()), sum(stopped.values()), sum(got.values()) - sum(stopped.values())))


def main():
    ap = argparse.ArgumentParser(description='Background jobs in the REPL.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--rows', type=int, default=6000)
    ap.add_argument('--keep', action='store_true')
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix='eddy-repl-jobs-')
    t0 = time.monotonic()
    fail = None
    try:
        run_test(os.path.abspath(a.eddy), tmp, a.rows, a.verbose)
    except (Failed, subprocess.TimeoutExpired) as e:
        fail = str(e)
    if fail or a.keep:
        print('(files kept in %s)' % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    if fail:
        print('FAIL: %s' % fail.replace('\n', '\n  '))
    print('repl jobs test: %s in %.1f s' % ('failed' if fail else 'passed', time.monotonic() - t0))
    return 1 if fail else 0


if __name__ == '__main__':
    sys.exit(main())
