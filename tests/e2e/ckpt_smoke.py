#!/usr/bin/env python3
"""ckpt_smoke.py: the `eddy run` side of checkpoints, quickly (docs/cli.md, docs/operations.md).

    ckpt_smoke.py --eddy build/debug/shell/eddy [--keep]

What it checks (the crash, savepoint and bad-state suites test the guarantees at length):
  naming      the state directory of each job: <file>, <file>-2, 'pipeline.name' made safe,
              'state.dir' from SET, --state-dir winning over it
  stop        SIGTERM stops the running job with a last checkpoint, exit 0, and later jobs of
              the file do not start; the same command resumes and ends it; a finished run
              leaves no state directory (nor an ./eddy-state it created)
  kill        SIGKILL, rerun: the print sink's output over both runs equals one clean run
  options     --no-checkpoints with a directory option: exit 2; --from-savepoint of a missing
              directory, or of one without this job's savepoint: exit 3 with the reason
  interval    a bad 'execution.checkpointing.interval': exit 1 naming the option
Exit 0 when all passed; temporary directories are removed (kept with --keep or on failure).
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

UNBOUNDED = """SET 'execution.checkpointing.interval' = '100ms';
CREATE TABLE g (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence',
  'fields.id.start' = '1', 'fields.id.end' = '%d', 'rows-per-second' = '%d');
CREATE TABLE o (id BIGINT) WITH ('connector' = 'print');
"""
INSERT = "INSERT INTO o SELECT id FROM g WHERE MOD(id, %d) = 0;\n"


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


def start(eddy, args, cwd):
    return subprocess.Popen([eddy, 'run'] + args, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env=dict(os.environ, EDDY_NO_STATUS='1'))


def run(eddy, args, cwd, timeout=60):
    p = start(eddy, args, cwd)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        raise Failed('eddy run %s did not end within %d s' % (' '.join(args), timeout))
    return p.returncode, out.decode(), err.decode()


def stop_after(eddy, args, cwd, seconds, sig=signal.SIGTERM):
    p = start(eddy, args, cwd)
    time.sleep(seconds)
    p.send_signal(sig)
    out, err = p.communicate(timeout=60)
    return p.returncode, out.decode(), err.decode()


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)


def rows(text):
    return [l for l in text.splitlines() if l.startswith('+I[')]


def job_rows(text, job):
    """The values printed by job 1, 2 or 3 of multi.sql (job k adds (k-1) * 1000000)."""
    vals = [int(r[3:-1]) for r in rows(text)]
    return [v for v in vals if (v - 1) // 1000000 == job - 1]


def case_naming_and_stop(eddy, d):
    # job 1 is bounded (ends by itself), job 2 unbounded (stopped), job 3 must never start
    write(os.path.join(d, 'multi.sql'),
          UNBOUNDED % (200, 100000) + INSERT % 10 +
          "CREATE TABLE g2 (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = "
          "'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100000', "
          "'rows-per-second' = '200');\n"
          "INSERT INTO o SELECT id + 1000000 FROM g2;\n"
          "INSERT INTO o SELECT id + 2000000 FROM g;\n")
    rc, out, err = stop_after(eddy, ['multi.sql'], d, 1.5)
    check(rc == 0, 'stopped run: exit %s, expected 0\n%s' % (rc, err))
    check("job 'multi-2' stopped at checkpoint" in err, 'no stop message:\n' + err)
    check(os.path.exists(os.path.join(d, 'eddy-state/multi-2/data.mdb')),
          'no state in eddy-state/multi-2')
    check(not os.path.exists(os.path.join(d, 'eddy-state/multi')),
          'the finished first job left its state directory')
    check(not job_rows(out, 3), 'the third job started after the stop:\n' + out[-500:])
    check(job_rows(out, 1) == list(range(10, 201, 10)), 'job 1 printed %s' % job_rows(out, 1))
    before = job_rows(out, 2)
    check(len(before) >= 20, 'job 2 printed %d rows before the stop' % len(before))
    # the same command: job 1 runs again (it had finished), job 2 resumes, job 3 runs; a short
    # sequence for job 2 is not possible without changing the query, so stop it once more
    rc, out, err = stop_after(eddy, ['multi.sql'], d, 1.0)
    check(rc == 0, 'second run: exit %s\n%s' % (rc, err))
    check("job 'multi-2' resumes from checkpoint" in err, 'no resume message:\n' + err)
    second = job_rows(out, 2)
    check(second and second[0] == before[-1] + 1,
          'job 2 did not resume where it stopped: last %s, next %s' % (before[-1], second[:1]))

    # 'pipeline.name' (made safe for a path), SET 'state.dir', and --state-dir over it
    write(os.path.join(d, 'named.sql'),
          "SET 'pipeline.name' = 'my job/1';\nSET 'state.dir' = 'from-set';\n" +
          UNBOUNDED % (100000, 200) + INSERT % 10)
    rc, out, err = stop_after(eddy, ['named.sql'], d, 0.8)
    check(rc == 0, 'named run: exit %s\n%s' % (rc, err))
    check(os.path.exists(os.path.join(d, 'from-set/my_job_1/data.mdb')),
          "'state.dir' / 'pipeline.name' not used: %s" % os.listdir(d))
    rc, out, err = stop_after(eddy, ['--state-dir', 'from-cli', 'named.sql'], d, 0.8)
    check(rc == 0 and os.path.exists(os.path.join(d, 'from-cli/my_job_1/data.mdb')),
          '--state-dir did not win over SET: exit %s, %s' % (rc, os.listdir(d)))


def case_finish_cleans(eddy, d):
    write(os.path.join(d, 'fin.sql'), UNBOUNDED % (300, 100000) + INSERT % 100)
    rc, out, err = run(eddy, ['fin.sql'], d)
    check(rc == 0, 'exit %s\n%s' % (rc, err))
    check(rows(out) == ['+I[100]', '+I[200]', '+I[300]'], 'output: %r' % out)
    check(not os.path.exists(os.path.join(d, 'eddy-state')), 'a finished run left eddy-state')


def case_kill(eddy, d):
    write(os.path.join(d, 'k.sql'), UNBOUNDED % (4000, 2000) + INSERT % 50)
    rc, ref, err = run(eddy, ['--no-checkpoints', 'k.sql'], d)
    check(rc == 0, 'reference run: exit %s\n%s' % (rc, err))
    rc, out1, err1 = stop_after(eddy, ['k.sql'], d, 0.9, signal.SIGKILL)
    check(rc == -signal.SIGKILL, 'not killed: %s' % rc)
    check(os.path.exists(os.path.join(d, 'eddy-state/k/data.mdb')), 'no state after the kill')
    rc, out2, err2 = run(eddy, ['k.sql'], d)
    check(rc == 0, 'rerun: exit %s\n%s' % (rc, err2))
    check('resumes from checkpoint' in err2, 'the rerun did not resume:\n' + err2)
    check(rows(out1) + rows(out2) == rows(ref),
          'output over the kill differs from a clean run:\n first: %s\n second: %s' % (
              rows(out1)[-3:], rows(out2)[:3]))


def case_options(eddy, d):
    write(os.path.join(d, 'o.sql'), UNBOUNDED % (100, 1000) + INSERT % 10)
    rc, out, err = run(eddy, ['--no-checkpoints', '--state-dir', 'x', 'o.sql'], d)
    check(rc == 2 and 'do not go together' in err, 'exit %s: %s' % (rc, err))
    rc, out, err = run(eddy, ['--state-dir'], d)
    check(rc == 2, '--state-dir without a value: exit %s' % rc)
    rc, out, err = run(eddy, ['--from-savepoint', 'nowhere', 'o.sql'], d)
    check(rc == 3 and 'nowhere' in err, 'missing savepoint dir: exit %s: %s' % (rc, err))
    os.makedirs(os.path.join(d, 'sps/other'))
    write(os.path.join(d, 'sps/other/data.mdb'), '')
    rc, out, err = run(eddy, ['--from-savepoint', 'sps', 'o.sql'], d)
    check(rc == 3 and "no savepoint of job 'o'" in err and "'other'" in err,
          'savepoint of another job: exit %s: %s' % (rc, err))
    write(os.path.join(d, 'bad.sql'),
          UNBOUNDED % (10, 100) + "SET 'execution.checkpointing.interval' = 'often';\n" +
          INSERT % 1)
    rc, out, err = run(eddy, ['bad.sql'], d)
    check(rc == 1 and "'execution.checkpointing.interval' = 'often'" in err,
          'bad interval: exit %s: %s' % (rc, err))


CASES = [('naming and stop', case_naming_and_stop), ('finish cleans', case_finish_cleans),
         ('kill', case_kill), ('options', case_options)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    eddy = os.path.abspath(a.eddy)
    failed = 0
    for name, fn in CASES:
        d = tempfile.mkdtemp(prefix='eddy-ckpt-smoke-')
        t0 = time.monotonic()
        try:
            fn(eddy, d)
            print('ok   %s (%.1f s)' % (name, time.monotonic() - t0))
            if not a.keep:
                shutil.rmtree(d, ignore_errors=True)
        except Failed as e:
            failed += 1
            print('FAIL %s: %s\n     (files kept in %s)' % (name, e, d))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
