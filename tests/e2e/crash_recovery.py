#!/usr/bin/env python3
"""crash_recovery.py: eddy killed with SIGKILL at random moments and restarted must produce
exactly the output of a run that never crashed (issue 4: checkpoints, recovery, exactly-once
filesystem and print sinks).

    crash_recovery.py --eddy build/debug/shell/eddy [--seeds 1] [--first-seed 1] [--kills 5]
                      [--rows 30000] [--kinds tumble,hop,session,changelog] [--budget SIZE]
                      [--keep] [-v]

For every seed and kind, over one generated file of JSON lines (seeded, timestamps out of order
by up to 1.5 s, a watermark 2 s behind, pauses that end sessions, ~1% rows far behind the
watermark: late), read at 'source.rows-per-second' so that an uninterrupted run takes a few
seconds, with SET 'execution.checkpointing.interval' = '200ms':

  tumble, hop, session   INSERT INTO a filesystem sink (JSON) SELECT k, window_start,
                         window_end, COUNT(*), SUM(v), MIN(v), MAX(v), COUNT(DISTINCT v) FROM
                         TABLE(TUMBLE | HOP | SESSION PARTITION BY k ...) GROUP BY k, window_start,
                         window_end
  changelog              SELECT k, <same aggregates> FROM ev GROUP BY k, printed to stdout (a
                         pipe, so the print sink is exactly-once: rows appear at checkpoints)

1. Reference: one uninterrupted `eddy run --state-dir DIR q.sql`.
2. Crash run: the same command in a fresh directory, SIGKILLed at a seeded moment 0.2-1.5 s
   after it started, restarted with the same command, --kills times, then left to finish.
   The input's pace is set so that the job cannot finish before the last kill (the run lasts
   at least the sum of the kill moments plus 0.5 s, and at least 3 s).
Required:
  - every run that was not killed exits 0;
  - windowed: the rows of all part files of the crash run's sink equal the reference's as a
    multiset, no row appears twice, no in-progress (hidden) file is left in either sink;
  - changelog: the row lines of the stdout of all crash runs, concatenated in run order, equal
    the reference's row lines exactly, in order (other stdout lines, if any, are ignored);
  - the killed runs committed some output before the last run (else nothing was checkpointed
    and the test proved nothing);
  - a finished job leaves no state behind: DIR/<job>/data.mdb is gone (job.h);
  - the reference itself agrees with an independent computation in Python over the same rows
    for tumble, hop (window rows) and changelog (every printed line); session is checked only
    against the reference (tests/e2e/window_vs_sqlite.py checks its semantics).
On a failure it prints the seed, the kind, the kill moments and the difference, keeps the
files and exits 1 after the other checks. Exit 0 when everything passed.
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

KINDS = ['tumble', 'hop', 'session', 'changelog']


BUDGET = None      # --budget: 'state.memory.budget' of every query (state spilled to disk)


def query(kind, events, sink, rate):
    q = cl.source_ddl(events, rate)
    if BUDGET:
        q = "SET 'state.memory.budget' = '%s';\n" % BUDGET + q
    if kind == 'changelog':
        return q + cl.changelog_select() + ';\n'
    return q + cl.sink_ddl(sink) + 'INSERT INTO out\n' + cl.window_select(kind) + ';\n'


def fmt_window_row(r):
    return '[%s]' % ', '.join(cl.fmt_val(x) for x in r)


class Run:
    """One directory with its query, state dir and sink; the outputs of each process run."""

    def __init__(self, root, kind, events, rate):
        self.dir = root
        self.kind = kind
        os.makedirs(root)
        self.state = os.path.join(root, 'state')
        self.sink = os.path.join(root, 'out')
        self.sql = os.path.join(root, '%s.sql' % kind)
        with open(self.sql, 'w') as f:
            f.write(query(kind, events, self.sink, rate))
        self.args = ['run', '--state-dir', self.state, self.sql]
        self.stdouts = []      # stdout of every process, in order
        self.notes = []        # what happened to each process

    def job_state(self):
        return os.path.join(self.state, self.kind)


def check_finished(run, rc, err, fails):
    if rc != 0:
        fails.append('%s: exit code %s after "%s"\n%s' % (
            run.dir, rc, ' '.join(run.args), cl.tail(err)))
    mdb = os.path.join(run.job_state(), 'data.mdb')
    if rc == 0 and os.path.exists(mdb):
        fails.append('%s: the job finished but its state is still there (%s): a finished job '
                     'removes its state files' % (run.dir, mdb))


def reference_run(procs, run, fails, verbose):
    t0 = time.monotonic()
    rc, out, err = procs.run(run.args, run.dir)
    run.stdouts.append(out)
    secs = time.monotonic() - t0
    run.notes.append('uninterrupted: exit %s in %.2f s' % (rc, secs))
    check_finished(run, rc, err, fails)
    if BUDGET and 'eddy: spill:' not in err:
        fails.append('%s: --budget %s but the job never spilled (no "eddy: spill:" line on '
                     'stderr with EDDY_SPILL_LOG=1)\n%s' % (run.dir, BUDGET, cl.tail(err)))
    return secs


def crash_run(procs, run, delays, fails):
    """Kills at the given moments, then a last run to the end. Returns (kills done, rows or
    lines committed before the last run)."""
    kills = 0
    for d in delays:
        p = procs.start(run.args, run.dir)
        signalled, out, err = procs.signal_after(p, d, signal.SIGKILL)
        run.stdouts.append(out.decode('utf-8', 'replace'))
        if not signalled:
            run.notes.append('ended by itself before the kill at %.2f s: exit %s' % (
                d, p.returncode))
            check_finished(run, p.returncode, err.decode('utf-8', 'replace'), fails)
            return kills, committed(run)
        kills += 1
        run.notes.append('killed at %.2f s' % d)
    before = committed(run)
    t0 = time.monotonic()
    rc, out, err = procs.run(run.args, run.dir)
    run.stdouts.append(out)
    run.notes.append('last run: exit %s in %.2f s' % (rc, time.monotonic() - t0))
    check_finished(run, rc, err, fails)
    return kills, before


def committed(run):
    if run.kind == 'changelog':
        return sum(len(cl.row_lines(o)) for o in run.stdouts)
    rows, _ = cl.read_sink(run.sink)
    return sum(rows.values())


def compare_windowed(kind, rows, ref, crash, fails, independent):
    ref_rows, ref_left = cl.read_sink(ref.sink)
    got_rows, got_left = cl.read_sink(crash.sink)
    for run, left in ((ref, ref_left), (crash, got_left)):
        if left:
            fails.append('%s: in-progress files left in the sink: %s' % (
                run.dir, ', '.join(left[:10])))
    if not ref_rows:
        fails.append('the reference wrote no rows (%s)' % ref.sink)
    for run, rs in (('reference', ref_rows), ('crash run', got_rows)):
        dups = cl.duplicates(rs)
        if dups:
            fails.append('%s: %d row(s) written more than once, e.g. %s x%d' % (
                run, len(dups), fmt_window_row(dups[0]), rs[dups[0]]))
    diff = cl.diff_counters(ref_rows, got_rows, fmt=fmt_window_row)
    if diff:
        fails.append('crash run output differs from the uninterrupted run (%d rows expected, '
                     '%d written):\n%s' % (sum(ref_rows.values()), sum(got_rows.values()),
                                           '\n'.join(diff)))
    if independent and kind in ('tumble', 'hop'):
        try:
            exp = cl.expected_windows(kind, rows)
            d2 = cl.diff_counters(exp, cl.rows_in_ms(ref_rows),
                                  fmt=lambda r: fmt_window_row((r[0], cl.ts_text(r[1]),
                                                                cl.ts_text(r[2])) + tuple(r[3:])))
        except ValueError as e:
            d2 = ['  %s' % e]
        if d2:
            fails.append('the uninterrupted run differs from the independent computation in '
                         'Python:\n%s' % '\n'.join(d2))


def first_difference(exp, got, ctx=3):
    n = min(len(exp), len(got))
    i = next((j for j in range(n) if exp[j] != got[j]), n)
    if i == n and len(exp) == len(got):
        return None
    lines = ['  first difference at row line %d (%d expected, %d got):' % (
        i + 1, len(exp), len(got))]
    for j in range(max(0, i - ctx), min(max(len(exp), len(got)), i + ctx + 1)):
        e = exp[j] if j < len(exp) else '(end)'
        g = got[j] if j < len(got) else '(end)'
        lines.append('  %s %6d expected %-40s got %s' % ('>' if j == i else ' ', j + 1, e, g))
    return lines


def compare_changelog(rows, ref, crash, fails, independent):
    ref_lines = [l for o in ref.stdouts for l in cl.row_lines(o)]
    got_lines = [l for o in crash.stdouts for l in cl.row_lines(o)]
    if not ref_lines:
        fails.append('the reference printed no rows')
    d = first_difference(ref_lines, got_lines)
    if d:
        per_run = ', '.join(str(len(cl.row_lines(o))) for o in crash.stdouts)
        fails.append('the crash runs\' stdout (row lines per run: %s) differs from the '
                     'uninterrupted run:\n%s' % (per_run, '\n'.join(d)))
    if independent:
        d2 = first_difference(cl.expected_changelog(rows), ref_lines)
        if d2:
            fails.append('the uninterrupted run differs from the independent computation in '
                         'Python:\n%s' % '\n'.join(d2))


def check_kind(procs, seed, kind, rows, events, tmp, nkills, verbose):
    """Returns a list of failure texts."""
    fails = []
    rng = random.Random(seed * 7919 + KINDS.index(kind))
    delays = [round(rng.uniform(0.2, 1.5), 3) for _ in range(nkills)]
    duration = max(3.0, sum(delays) + 0.5)
    rate = max(1, int(len(rows) / duration))
    ref = Run(os.path.join(tmp, kind, 'ref'), kind, events, rate)
    crash = Run(os.path.join(tmp, kind, 'crash'), kind, events, rate)
    t0 = time.monotonic()
    ref_secs = reference_run(procs, ref, fails, verbose)
    if fails:
        return fails        # no reference to compare with
    kills, before = crash_run(procs, crash, delays, fails)
    if kills < nkills:
        fails.append('the job ended after %d of %d kills although its input lasts %.1f s at '
                     '%d rows/s (the reference took %.2f s): is the pace kept after a restart, '
                     'or does it restart from the wrong position?' % (
                         kills, nkills, duration, rate, ref_secs))
    if kills and before == 0:
        fails.append('nothing was committed by the %d killed runs (checkpoints every 200 ms): '
                     'no checkpoint happened, or commits are not visible' % kills)
    if kind == 'changelog':
        compare_changelog(rows, ref, crash, fails, True)
    else:
        compare_windowed(kind, rows, ref, crash, fails, True)
    if verbose or fails:
        print('  seed %d %-9s %d rows at %d rows/s; kills at %s s; %d rows/lines committed '
              'before the last run; %.1f s' % (seed, kind, len(rows), rate,
                                             ', '.join('%.2f' % d for d in delays), before,
                                             time.monotonic() - t0))
        print('    reference: %s' % '; '.join(ref.notes))
        print('    crash run: %s' % '; '.join(crash.notes))
    return fails


def main():
    ap = argparse.ArgumentParser(description='SIGKILL eddy and restart it; output must equal '
                                             'an uninterrupted run.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--seeds', type=int, default=1)
    ap.add_argument('--first-seed', type=int, default=1)
    ap.add_argument('--kills', type=int, default=5)
    ap.add_argument('--rows', type=int, default=30000)
    ap.add_argument('--kinds', default=','.join(KINDS))
    ap.add_argument('--keep', action='store_true', help='keep the files of passing seeds too')
    ap.add_argument('--budget', help="SET 'state.memory.budget' to this (e.g. 8kb): the window "
                                     "state spills to disk, and must spill")
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    global BUDGET
    BUDGET = a.budget
    if BUDGET:
        os.environ['EDDY_SPILL_LOG'] = '1'
    eddy = os.path.abspath(a.eddy)
    kinds = a.kinds.split(',')
    for k in kinds:
        if k not in KINDS:
            print('crash_recovery.py: unknown kind %s (kinds: %s)' % (k, ', '.join(KINDS)))
            return 2
    procs = cl.Procs(eddy, a.verbose)
    failed = checks = 0
    t0 = time.monotonic()
    try:
        for seed in range(a.first_seed, a.first_seed + a.seeds):
            tmp = tempfile.mkdtemp(prefix='eddy-crash-%d-' % seed)
            keep = True     # until the seed's checks ran and passed
            try:
                rows = cl.make_events(seed, a.rows)
                events = os.path.join(tmp, 'events.jsonl')
                cl.write_events(rows, events)
                seed_failed = False
                for kind in kinds:
                    checks += 1
                    fails = check_kind(procs, seed, kind, rows, events, tmp, a.kills, a.verbose)
                    procs.kill_all()
                    if fails:
                        failed += 1
                        seed_failed = True
                        print('FAIL seed %d, %s (input %s, query %s)' % (
                            seed, kind, events, os.path.join(tmp, kind, 'crash', kind + '.sql')))
                        for f in fails:
                            print('  ' + f.replace('\n', '\n  '))
                keep = seed_failed or a.keep
            finally:
                procs.kill_all()
                if keep:
                    print('  (files kept in %s)' % tmp)
                else:
                    shutil.rmtree(tmp, ignore_errors=True)
    finally:
        procs.kill_all()
    print('%d of %d crash checks passed (%d seed(s) x %s, %d kills each) in %.1f s' % (
        checks - failed, checks, a.seeds, '/'.join(kinds), a.kills, time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
