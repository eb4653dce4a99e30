#!/usr/bin/env python3
"""async_checkpoint.py: eddy SIGKILLed while a checkpoint's writer process runs (asynchronous
checkpoints, runtime/checkpoint.h) and restarted must still produce exactly the output of a run
that never crashed.

    async_checkpoint.py --eddy build/debug/shell/eddy [--seed 1] [--kills 4] [--rows 12000]
                        [--cases writer-tumble,writer-changelog,orphan-tumble] [--keep] [-v]

The queries and events are those of crash_recovery.py (tests/e2e/crashlib.py): a TUMBLE into a
filesystem sink (JSON) and a GROUP BY changelog printed to stdout (a file, so the print sink is
exactly-once), with SET 'execution.checkpointing.interval' = '200ms'. The writer is slowed down
by EDDY_CHECKPOINT_TEST_DELAY_MS so that a checkpoint is in flight most of the time, and every
kill waits (up to 1 s past its seeded moment) until the job has a writer child, so each kill
lands while a writer runs. Cases:

  writer-<kind>   the writer sleeps 150 ms; the job is SIGKILLed: its writer finishes the
                  checkpoint on its own (print: it prints the checkpoint's rows itself, so they
                  are read after it ended) and must be gone within 2 s; the next run recovers.
  orphan-tumble   the writer sleeps 400 ms after its job died, then commits its checkpoint.
                  The restart, started at once, must wait for the writer's lock instead of
                  failing or running beside it, and the sink's recover() completes the commit
                  the dead job never did.

Required for each case: every run that was not killed exits 0; all kills landed while a writer
ran (checked from /proc); the crash run's committed output equals the uninterrupted run's
(windowed: the sink's rows as a multiset, no duplicate, no in-progress file left; changelog: the
row lines of all runs' stdout concatenated, in order); something was committed before the last
run; the finished job left no state. On a failure the files are kept; exit 1.
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crashlib as cl  # noqa: E402

CASES = ['writer-tumble', 'writer-changelog', 'orphan-tumble']


def children(pid):
    """Pids whose parent is pid (from /proc/*/stat)."""
    out = []
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % name) as f:
                stat = f.read()
        except OSError:
            continue
        rest = stat[stat.rfind(')') + 2:].split()
        if len(rest) > 1 and rest[1] == str(pid):
            out.append(int(name))
    return out


def alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rfind(')') + 2:].split()[0] != 'Z'


class Case:
    def __init__(self, root, name, events, rate):
        self.name = name
        self.mode, self.kind = name.split('-', 1)
        self.dir = root
        os.makedirs(root)
        self.state = os.path.join(root, 'state')
        self.sink = os.path.join(root, 'out')
        self.sql = os.path.join(root, 'job.sql')
        q = cl.source_ddl(events, rate)
        if self.kind == 'changelog':
            q += cl.changelog_select() + ';\n'
        else:
            q += cl.sink_ddl(self.sink) + 'INSERT INTO out\n' + cl.window_select(self.kind) + ';\n'
        with open(self.sql, 'w') as f:
            f.write(q)
        self.args = ['run', '--state-dir', self.state, self.sql]
        self.outs = []          # stdout of every process, in order
        self.notes = []
        self.nrun = 0

    def start(self, eddy, env):
        self.nrun += 1
        out = open(os.path.join(self.dir, 'run%d.out' % self.nrun), 'wb')
        err = open(os.path.join(self.dir, 'run%d.err' % self.nrun), 'wb')
        p = subprocess.Popen([eddy] + self.args, cwd=self.dir, stdin=subprocess.DEVNULL,
                             stdout=out, stderr=err, env=dict(os.environ, EDDY_NO_STATUS='1',
                                                              **env))
        out.close()
        err.close()
        return p

    def output(self, n):
        with open(os.path.join(self.dir, 'run%d.out' % n), encoding='utf-8',
                  errors='replace') as f:
            out = f.read()
        with open(os.path.join(self.dir, 'run%d.err' % n), encoding='utf-8',
                  errors='replace') as f:
            err = f.read()
        return out, err

    def committed(self):
        if self.kind == 'changelog':
            return sum(len(cl.row_lines(o)) for o in self.outs)
        rows, _ = cl.read_sink(self.sink)
        return sum(rows.values())


def finish(case, p, fails, live, timeout=180):
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    out, err = case.output(case.nrun)
    case.outs.append(out)
    if p.returncode != 0:
        fails.append('%s: run %d exited %s\n%s' % (case.name, case.nrun, p.returncode,
                                                    cl.tail(err)))
    mdb = os.path.join(case.state, 'job', 'data.mdb')
    if p.returncode == 0 and os.path.exists(mdb):
        fails.append('%s: the job finished but left its state (%s)' % (case.name, mdb))
    live.discard(p)


def crash_runs(eddy, case, delays, fails, live):
    env = {'EDDY_CHECKPOINT_TEST_DELAY_MS': '150'}
    if case.mode == 'orphan':
        env = {'EDDY_CHECKPOINT_TEST_DELAY_MS': '400', 'EDDY_CHECKPOINT_TEST_ORPHAN': '1'}
    hits = orphans = 0
    orphan_pids = []
    for d in delays:
        p = case.start(eddy, env)
        live.add(p)
        t_end = time.monotonic() + d
        while time.monotonic() < t_end and p.poll() is None:
            time.sleep(0.01)
        writers = []
        t_end = time.monotonic() + 1.0
        while p.poll() is None and time.monotonic() < t_end:
            writers = [c for c in children(p.pid) if alive(c)]
            if writers:
                break
            time.sleep(0.002)
        if p.poll() is not None:
            finish(case, p, fails, live)
            case.notes.append('run %d ended by itself before its kill at %.2f s' % (case.nrun, d))
            return hits, orphans
        p.send_signal(signal.SIGKILL)
        p.wait()
        live.discard(p)
        if writers:
            hits += 1
        case.notes.append('run %d killed at %.2f s%s' % (
            case.nrun, d, ' while writer %s ran' % writers if writers else ' (no writer)'))
        if case.mode == 'writer':
            t_end = time.monotonic() + 2.0
            while any(alive(w) for w in writers) and time.monotonic() < t_end:
                time.sleep(0.01)
            left = [w for w in writers if alive(w)]
            if left:
                fails.append('%s: writer %s outlived its killed job by 2 s' % (case.name, left))
                for w in left:
                    try:
                        os.kill(w, signal.SIGKILL)
                    except OSError:
                        pass
        else:
            still = [w for w in writers if alive(w)]
            if still:
                orphans += 1
                orphan_pids += still
        # read after the writer ended: it finishes the checkpoint and prints its rows itself
        out, _ = case.output(case.nrun)
        case.outs.append(out)
    p = case.start(eddy, env)
    live.add(p)
    finish(case, p, fails, live)
    case.notes.append('last run: exit %s' % p.returncode)
    for w in orphan_pids:           # all long gone: the restarts waited for them
        if alive(w):
            fails.append('%s: orphaned writer %d still runs after the last run' % (case.name, w))
    return hits, orphans


def compare(ref, crash, fails):
    if crash.kind == 'changelog':
        exp = [l for o in ref.outs for l in cl.row_lines(o)]
        got = [l for o in crash.outs for l in cl.row_lines(o)]
        if not exp:
            fails.append('the reference printed no rows')
        if exp != got:
            n = min(len(exp), len(got))
            i = next((j for j in range(n) if exp[j] != got[j]), n)
            fails.append('%s: the crash runs\' row lines (%s per run) differ from the '
                         'uninterrupted run\'s at line %d of %d/%d: expected %r, got %r' % (
                             crash.name, ', '.join(str(len(cl.row_lines(o))) for o in crash.outs),
                             i + 1, len(exp), len(got), exp[i] if i < len(exp) else '(end)',
                             got[i] if i < len(got) else '(end)'))
        return
    ref_rows, ref_left = cl.read_sink(ref.sink)
    got_rows, got_left = cl.read_sink(crash.sink)
    for c, left in ((ref, ref_left), (crash, got_left)):
        if left:
            fails.append('%s: in-progress files left in %s: %s' % (crash.name, c.sink,
                                                                     ', '.join(left[:10])))
    if not ref_rows:
        fails.append('the reference wrote no rows')
    dups = cl.duplicates(got_rows)
    if dups:
        fails.append('%s: %d row(s) written more than once, e.g. %s' % (crash.name, len(dups),
                                                                         dups[0]))
    diff = cl.diff_counters(ref_rows, got_rows)
    if diff:
        fails.append('%s: output differs from the uninterrupted run:\n%s' % (crash.name,
                                                                             '\n'.join(diff)))


def run_case(eddy, name, seed, nrows, nkills, tmp, verbose):
    fails = []
    live = set()
    rng = random.Random(seed * 131 + CASES.index(name))
    delays = [round(rng.uniform(0.3, 1.0), 3) for _ in range(nkills)]
    rows = cl.make_events(seed, nrows)
    events = os.path.join(tmp, name + '.jsonl')
    cl.write_events(rows, events)
    # each run, killed or not, must outlast its kill moment plus a second of waiting
    rate = max(1, int(nrows / max(3.0, sum(delays) + 1.5)))
    ref = Case(os.path.join(tmp, name, 'ref'), name, events, rate)
    crash = Case(os.path.join(tmp, name, 'crash'), name, events, rate)
    t0 = time.monotonic()
    try:
        p = ref.start(eddy, {})
        live.add(p)
        finish(ref, p, fails, live)
        if fails:
            return fails
        hits, orphans = crash_runs(eddy, crash, delays, fails, live)
    finally:
        for p in list(live):
            if p.poll() is None:
                p.kill()
                p.wait()
    if hits < nkills:
        fails.append('%s: only %d of %d kills landed while a writer ran (%s)' % (
            name, hits, nkills, '; '.join(crash.notes)))
    if crash.mode == 'orphan' and orphans == 0:
        fails.append('%s: no writer outlived its killed job (EDDY_CHECKPOINT_TEST_ORPHAN): the '
                     'case proved nothing' % name)
    if crash.committed() == 0:
        fails.append('%s: nothing was committed' % name)
    compare(ref, crash, fails)
    if verbose or fails:
        print('  %s: %d rows at %d rows/s, kills at %s s, %d with a writer running%s; %.1f s' % (
            name, nrows, rate, ', '.join('%.2f' % d for d in delays), hits,
            ', %d writers outlived their job' % orphans if crash.mode == 'orphan' else '',
            time.monotonic() - t0))
        print('    ' + '; '.join(crash.notes))
    return fails


def main():
    ap = argparse.ArgumentParser(description='SIGKILL eddy while a checkpoint writer runs.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--kills', type=int, default=4)
    ap.add_argument('--rows', type=int, default=12000)
    ap.add_argument('--cases', default=','.join(CASES))
    ap.add_argument('--keep', action='store_true')
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    eddy = os.path.abspath(a.eddy)
    names = a.cases.split(',')
    for n in names:
        if n not in CASES:
            print('async_checkpoint.py: unknown case %s (cases: %s)' % (n, ', '.join(CASES)))
            return 2
    tmp = tempfile.mkdtemp(prefix='eddy-async-ckpt-')
    failed = 0
    t0 = time.monotonic()
    for n in names:
        fails = run_case(eddy, n, a.seed, a.rows, a.kills, tmp, a.verbose)
        if fails:
            failed += 1
            print('FAIL %s (seed %d, files in %s)' % (n, a.seed, os.path.join(tmp, n)))
            for f in fails:
                print('  ' + f.replace('\n', '\n  '))
    if failed or a.keep:
        print('  (files kept in %s)' % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d of %d cases passed (%d kills each) in %.1f s' % (len(names) - failed, len(names),
                                                               a.kills, time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
