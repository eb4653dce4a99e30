#!/usr/bin/env python3
"""state_errors.py: eddy refuses a state directory it must not use, says why, and leaves the
directory as it was (issue 4, "Bad state"; runtime/state.h).

    state_errors.py --eddy build/debug/shell/eddy [--keep] [-v] [--cases locked,foreign,...]

Cases (each: `eddy run --state-dir S job.sql`, the job's state in S/job):
  locked     a job runs on S (an unbounded datagen into blackhole, checkpoint interval 10 min so
             it writes nothing after its start); a second eddy with the same command must exit
             3 saying the directory is "in use by another eddy process" and naming the first
             one's pid; the first keeps running and still stops cleanly on SIGTERM (exit 0).
  foreign    S/job exists, holds someone else's files: exit 3, the message names S/job.
  truncated  a real state (a windowed job stopped by SIGTERM after a few checkpoints), then its
             data.mdb cut to 0 bytes, to 3000 bytes (half a meta page), to half its size (whole
             pages missing), and overwritten with random bytes: each exit 3 (not a crash by a
             signal), the message names data.mdb.
  missing    --from-savepoint naming a directory that does not exist: exit 3, the message names it.
In every case the state directory (every file's name, size and SHA-256) and the sink directory
are the same before and after the refused run; only the contents of the lock files (eddy's
LOCK, LMDB's lock.mdb), which every open rewrites, may change, except in the locked case, where
the refused eddy must not touch them at all. Files are kept on failure. Exit 0 when all passed.
"""
import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crashlib as cl  # noqa: E402

CASES = ['locked', 'foreign', 'truncated', 'missing']
JOB = 'job'


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)
    return path


def unbounded_job(d):
    return write(os.path.join(d, JOB + '.sql'),
                 "SET 'execution.checkpointing.interval' = '10 min';\n"
                 "CREATE TABLE g (id BIGINT) WITH ('connector' = 'datagen', "
                 "'rows-per-second' = '50');\n"
                 "CREATE TABLE bh (id BIGINT) WITH ('connector' = 'blackhole');\n"
                 "INSERT INTO bh SELECT id FROM g;\n")


def window_job(d, events, sink, rate, interval='100ms'):
    return write(os.path.join(d, JOB + '.sql'),
                 cl.source_ddl(events, rate, interval) + cl.sink_ddl(sink) +
                 'INSERT INTO out\n' + cl.window_select('tumble') + ';\n')


def refused(procs, args, cwd, watched, must_say, what, lock_contents=False):
    """Runs eddy, which must exit 3 with every text of must_say in stderr and leave the watched
    directories unchanged: the same names, and the same size and SHA-256 of every file except
    the contents of the lock files LOCK and lock.mdb, which any open of a state dir rewrites (its
    pid, LMDB's reader table), unless lock_contents. Returns failure texts."""
    def fingerprint(d):
        fp = cl.dir_fingerprint(d)
        return fp if lock_contents else cl.without_lock_contents(fp)
    before = {d: fingerprint(d) for d in watched}
    t0 = time.monotonic()
    rc, out, err = procs.run(args, cwd, timeout=60)
    fails = []
    if rc is not None and rc < 0:
        fails.append('%s: eddy died of signal %d instead of refusing (exit 3)\n%s' % (
            what, -rc, cl.tail(err)))
    elif rc != 3:
        fails.append('%s: exit code %s, expected 3\n%s' % (what, rc, cl.tail(out + err)))
    else:
        for text in must_say:
            if text not in err:
                fails.append('%s: the message does not say %r:\n%s' % (what, text, cl.tail(err)))
    for d in watched:
        diff = cl.diff_fingerprints(before[d], fingerprint(d))
        if diff:
            fails.append('%s: the refused run changed %s:\n%s' % (what, d, '\n'.join(diff)))
    return fails, rc, err, time.monotonic() - t0


def case_locked(procs, tmp, verbose):
    d = os.path.join(tmp, 'locked')
    sql = unbounded_job(d)
    state = os.path.join(d, 'state')
    args = ['run', '--state-dir', state, sql]
    first = procs.start(args, d)
    mdb = os.path.join(state, JOB, 'data.mdb')
    deadline = time.monotonic() + 15
    while not os.path.exists(mdb) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if first.poll() is not None:
        _, err = first.communicate()
        return ['locked: the first job ended (exit %s) instead of running\n%s' % (
            first.returncode, cl.tail(err.decode('utf-8', 'replace')))]
    if not os.path.exists(mdb):
        return ['locked: the first job runs but %s did not appear within 15 s' % mdb]
    time.sleep(0.5)     # let it finish opening its state
    fails, rc, err, secs = refused(procs, args, d, [state], [
        'in use by another eddy process', str(first.pid)], 'locked (second eddy on %s)' % state,
        lock_contents=True)     # the second eddy must not even touch the lock files
    if verbose:
        print('    locked: exit %s in %.2f s: %s' % (rc, secs, err.strip()[:200]))
    if first.poll() is not None:
        fails.append('locked: the first job ended (exit %s) while the second was refused' %
                     first.returncode)
        return fails
    signalled, _, err1 = procs.signal_after(first, 0, signal.SIGTERM)
    if first.returncode != 0:
        fails.append('locked: the first job, stopped by SIGTERM, exit code %s, expected 0\n%s' % (
            first.returncode, cl.tail(err1.decode('utf-8', 'replace'))))
    return fails


def case_foreign(procs, tmp, events, verbose):
    d = os.path.join(tmp, 'foreign')
    sink = os.path.join(d, 'out')
    sql = window_job(d, events, sink, 0)
    state = os.path.join(d, 'state')
    job_dir = os.path.join(state, JOB)
    write(os.path.join(job_dir, 'notes.txt'), 'not eddy\'s: keep me\n')
    write(os.path.join(job_dir, 'sub', 'data.bin'), 'x' * 5000)
    fails, rc, err, secs = refused(procs, ['run', '--state-dir', state, sql], d, [state, sink],
                                   [job_dir], 'foreign directory %s' % job_dir)
    if verbose:
        print('    foreign: exit %s in %.2f s: %s' % (rc, secs, err.strip()[:200]))
    return fails


def case_truncated(procs, tmp, events, nrows, verbose):
    d = os.path.join(tmp, 'truncated')
    sink = os.path.join(d, 'out')
    rate = max(1, nrows // 2)           # ~2 s of input
    sql = window_job(d, events, sink, rate)
    good = os.path.join(d, 'state-good')
    p = procs.start(['run', '--state-dir', good, sql], d)
    signalled, _, err = procs.signal_after(p, 1.0, signal.SIGTERM)
    mdb = os.path.join(good, JOB, 'data.mdb')
    if not signalled or p.returncode != 0 or not os.path.exists(mdb):
        return ['truncated: could not make a state to damage: the job %s, exit %s, %s %s\n%s' % (
            'was stopped' if signalled else 'ended before SIGTERM at 1 s', p.returncode, mdb,
            'exists' if os.path.exists(mdb) else 'missing',
            cl.tail(err.decode('utf-8', 'replace')))]
    size = os.path.getsize(mdb)
    half = max(8192, size // 2 // 4096 * 4096)
    fails = []
    if verbose:
        print('    truncated: data.mdb of a stopped job: %d bytes' % size)
    cuts = [('empty', 0), ('3000 bytes', 3000)]
    if half < size:
        cuts.append(('%d of %d bytes' % (half, size), half))
    else:
        fails.append('truncated: data.mdb has only %d bytes, no data page to cut' % size)
    cuts.append(('random bytes', None))
    for i, (label, cut) in enumerate(cuts):
        state = os.path.join(d, 'state-%d' % i)
        shutil.copytree(good, state)
        bad = os.path.join(state, JOB, 'data.mdb')
        if cut is None:
            rnd = random.Random(7)
            with open(bad, 'wb') as f:
                f.write(bytes(rnd.getrandbits(8) for _ in range(size)))
        else:
            os.truncate(bad, cut)
        f, rc, err, secs = refused(procs, ['run', '--state-dir', state, sql], d, [state, sink],
                                   ['data.mdb'], 'data.mdb %s' % label)
        if verbose:
            print('    truncated (%s): exit %s in %.2f s: %s' % (label, rc, secs,
                                                              err.strip()[:200]))
        fails += f
    return fails


def case_missing(procs, tmp, events, verbose):
    d = os.path.join(tmp, 'missing')
    sink = os.path.join(d, 'out')
    sql = window_job(d, events, sink, 0)
    nowhere = os.path.join(d, 'no-such-savepoint')
    os.makedirs(sink)
    fails, rc, err, secs = refused(procs, ['run', '--state-dir', os.path.join(d, 'state'),
                                           '--from-savepoint', nowhere, sql], d, [sink],
                                   [nowhere], '--from-savepoint %s' % nowhere)
    if verbose:
        print('    missing: exit %s in %.2f s: %s' % (rc, secs, err.strip()[:200]))
    return fails


def main():
    ap = argparse.ArgumentParser(description='Bad state directories: refused, left as they were.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--cases', default=','.join(CASES))
    ap.add_argument('--rows', type=int, default=6000)
    ap.add_argument('--keep', action='store_true')
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    cases = a.cases.split(',')
    for c in cases:
        if c not in CASES:
            print('state_errors.py: unknown case %s (cases: %s)' % (c, ', '.join(CASES)))
            return 2
    procs = cl.Procs(os.path.abspath(a.eddy), a.verbose)
    tmp = tempfile.mkdtemp(prefix='eddy-state-errors-')
    t0 = time.monotonic()
    failed = []
    try:
        rows = cl.make_events(11, a.rows)
        events = os.path.join(tmp, 'events.jsonl')
        cl.write_events(rows, events)
        for c in cases:
            if c == 'locked':
                fails = case_locked(procs, tmp, a.verbose)
            elif c == 'foreign':
                fails = case_foreign(procs, tmp, events, a.verbose)
            elif c == 'truncated':
                fails = case_truncated(procs, tmp, events, a.rows, a.verbose)
            else:
                fails = case_missing(procs, tmp, events, a.verbose)
            procs.kill_all()
            if fails:
                failed.append(c)
                print('FAIL %s' % c)
                for f in fails:
                    print('  ' + f.replace('\n', '\n  '))
    finally:
        procs.kill_all()
        if failed or a.keep:
            print('(files kept in %s)' % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print('%d of %d state error cases passed in %.1f s' % (
        len(cases) - len(failed), len(cases), time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
