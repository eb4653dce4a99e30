#!/usr/bin/env python3
"""savepoint_test.py: stop a windowed eddy job with SIGTERM and a savepoint, resume it from the
savepoint, and check what a changed query may do with that savepoint (issue 4; docs/cli.md
`eddy run --savepoint-dir / --from-savepoint`).

    savepoint_test.py --eddy build/debug/shell/eddy [--seed 1] [--rows 20000] [--budget SIZE]
                      [--keep] [-v]

One generated file of JSON lines (seeded, out of order, some late rows), read at
'source.rows-per-second' so that a run takes ~3.5 s; checkpoints every 200 ms; a TUMBLE
aggregation (COUNT(*), SUM, MIN, MAX, COUNT(DISTINCT)) per key into a filesystem sink (JSON).
The job is named after its file, win.sql -> 'win', in every step.

 1. reference: one uninterrupted run.
 2. stop: `eddy run --state-dir S1 --savepoint-dir SP win.sql`, SIGTERM after a seeded 1-2 s.
    Exit 0; "savepoint written to SP/win" said; SP/win exists; the job's state stays in S1/win
    (a stopped job can resume); the sink holds part of the result and no in-progress file.
 3. resume: `eddy run --state-dir S2 --from-savepoint SP win.sql` (S2 fresh): exit 0; the
    sink (the stop's files plus the resumed run's) equals the reference row for row, with no
    duplicates; the savepoint is left as it was.
 4. a savepoint into a state dir that holds a checkpoint (S1): refused with exit 3, S1's data
    and the sink untouched.
 5. compatible change: the same aggregation in a subquery with WHERE n > 2 outside it (a
    stateless filter after the aggregate), from the savepoint onto the stop's output: accepted
    (exit 0); the sink then holds the stop's rows plus the reference's other rows with n > 2.
 6. incompatible change: AVG(v) in place of MAX(v) (another aggregate): refused with exit 3
    and a message naming the window aggregate operator; the sink and the savepoint untouched.
Each failure prints the seed and what differs; files are kept on failure. Exit 0 when all passed.
"""
import argparse
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crashlib as cl  # noqa: E402

JOB = 'win'


def fmt_row(r):
    return '[%s]' % ', '.join(cl.fmt_val(x) for x in r)


BUDGET = None   # --budget: 'state.memory.budget' (the window state spills; the savepoint must
                #            carry the spilled runs in SP/win/spill)


def write_query(d, events, sink, rate, variant):
    os.makedirs(d, exist_ok=True)
    q = cl.source_ddl(events, rate) + cl.sink_ddl(sink)
    if BUDGET:
        q = "SET 'state.memory.budget' = '%s';\n" % BUDGET + q
    if variant == 'same':
        q += 'INSERT INTO out\n' + cl.window_select('tumble') + ';\n'
    elif variant == 'filter':       # a stateless filter after the aggregate
        q += 'INSERT INTO out\nSELECT * FROM (\n' + cl.window_select('tumble') + \
             '\n) WHERE n > 2;\n'
    elif variant == 'other_agg':    # AVG(v) where MAX(v) was: the aggregate's state differs
        aggs = cl.AGGS.replace('MAX(v) AS mx', 'AVG(v) AS mx')
        assert aggs != cl.AGGS
        q += 'INSERT INTO out\n' + cl.window_select('tumble', aggs) + ';\n'
    path = os.path.join(d, JOB + '.sql')
    with open(path, 'w') as f:
        f.write(q)
    return path


def sink_problems(what, rows, left):
    out = []
    if left:
        out.append('%s: in-progress files left in the sink: %s' % (what, ', '.join(left[:10])))
    dups = cl.duplicates(rows)
    if dups:
        out.append('%s: %d row(s) written more than once, e.g. %s x%d' % (
            what, len(dups), fmt_row(dups[0]), rows[dups[0]]))
    return out


def run_test(procs, tmp, seed, nrows, verbose):
    fails = []
    rng = random.Random(seed)
    rows = cl.make_events(seed, nrows)
    events = os.path.join(tmp, 'events.jsonl')
    cl.write_events(rows, events)
    rate = int(nrows / 3.5)
    sink = os.path.join(tmp, 'out')
    sp = os.path.join(tmp, 'savepoints')
    sp_job = os.path.join(sp, JOB)

    def state(name):
        return os.path.join(tmp, name)

    # 1. reference
    ref_sql = write_query(os.path.join(tmp, 'ref'), events, os.path.join(tmp, 'ref_out'), rate,
                          'same')
    rc, _, err = procs.run(['run', '--state-dir', state('ref_state'), ref_sql], tmp)
    if rc != 0:
        return ['reference run: exit code %s\n%s' % (rc, cl.tail(err))]
    ref_rows, left = cl.read_sink(os.path.join(tmp, 'ref_out'))
    fails += sink_problems('reference', ref_rows, left)
    if not ref_rows:
        return fails + ['the reference wrote no rows']

    # 2. stop with a savepoint
    v1 = write_query(os.path.join(tmp, 'v1'), events, sink, rate, 'same')
    stop_at = round(rng.uniform(1.0, 2.0), 3)
    p = procs.start(['run', '--state-dir', state('s1'), '--savepoint-dir', sp, v1], tmp)
    signalled, out, err = procs.signal_after(p, stop_at, signal.SIGTERM)
    said = (out + err).decode('utf-8', 'replace')
    if verbose:
        print('    stop: SIGTERM at %.2f s, exit %s' % (stop_at, p.returncode))
    if not signalled:
        return fails + ['the job ended (exit %s) before the SIGTERM at %.2f s: its input should '
                        'last ~3.5 s\n%s' % (p.returncode, stop_at, cl.tail(said))]
    if p.returncode != 0:
        return fails + ['SIGTERM with --savepoint-dir: exit code %s, expected 0\n%s' % (
            p.returncode, cl.tail(said))]
    if not re.search(r'savepoint written to %s/?' % re.escape(sp_job), said):
        fails.append('the stopped run did not say "savepoint written to %s"\n%s' % (
            sp_job, cl.tail(said)))
    if not os.path.isdir(sp_job) or not os.listdir(sp_job):
        return fails + ['no savepoint in %s after SIGTERM\n%s' % (sp_job, cl.tail(said))]
    if BUDGET and not os.path.exists(os.path.join(sp_job, 'spill', 'data.mdb')):
        fails.append('--budget %s: the savepoint %s holds no spill/data.mdb (the spilled runs)' %
                     (BUDGET, sp_job))
    if not os.path.exists(os.path.join(state('s1'), JOB, 'data.mdb')):
        fails.append('the stopped job left no state in %s (a rerun could not resume)' %
                     os.path.join(state('s1'), JOB))
    stop_rows, left = cl.read_sink(sink)
    fails += sink_problems('after the stop', stop_rows, left)
    if stop_rows - ref_rows:
        fails.append('after the stop the sink holds rows the reference has not:\n%s' %
                     '\n'.join(cl.diff_counters(ref_rows, stop_rows, fmt=fmt_row)))
    if not stop_rows or sum(stop_rows.values()) >= sum(ref_rows.values()):
        fails.append('after the stop at %.2f s the sink holds %d of %d rows: the test needs a '
                     'partial result' % (stop_at, sum(stop_rows.values()), sum(ref_rows.values())))
    if verbose:
        print('    stop: %d of %d rows committed' % (sum(stop_rows.values()),
                                                     sum(ref_rows.values())))
    after_stop = os.path.join(tmp, 'out_after_stop')
    shutil.copytree(sink, after_stop) if os.path.isdir(sink) else os.makedirs(after_stop)
    sp_before = cl.dir_fingerprint(sp)

    def reset_sink(keep_as):
        if os.path.isdir(sink):
            os.rename(sink, os.path.join(tmp, keep_as))
        shutil.copytree(after_stop, sink)

    # 3. resume from the savepoint
    rc, _, err = procs.run(['run', '--state-dir', state('s2'), '--from-savepoint', sp, v1], tmp)
    if rc != 0:
        fails.append('resume from the savepoint: exit code %s\n%s' % (rc, cl.tail(err)))
    else:
        got, left = cl.read_sink(sink)
        fails += sink_problems('after the resume', got, left)
        diff = cl.diff_counters(ref_rows, got, fmt=fmt_row)
        if diff:
            fails.append('stop + resume differs from the uninterrupted run (%d rows expected, '
                         '%d written):\n%s' % (sum(ref_rows.values()), sum(got.values()),
                                               '\n'.join(diff)))
    d = cl.diff_fingerprints(sp_before, cl.dir_fingerprint(sp))
    if d:
        fails.append('resuming changed the savepoint %s:\n%s' % (sp, '\n'.join(d)))
    reset_sink('out_resumed')

    # 4. a savepoint into a state dir that holds a checkpoint
    s1_before = cl.without_lock_contents(cl.dir_fingerprint(state('s1')))
    sink_before = cl.dir_fingerprint(sink)
    rc, out, err = procs.run(['run', '--state-dir', state('s1'), '--from-savepoint', sp, v1], tmp,
                             timeout=60)
    if rc != 3:
        fails.append('--from-savepoint into %s, which holds a checkpoint: exit code %s, '
                     'expected 3\n%s' % (state('s1'), rc, cl.tail(err)))
    elif not err.strip():
        fails.append('--from-savepoint into a state dir with a checkpoint: exit 3 but no message')
    s1_after = cl.without_lock_contents(cl.dir_fingerprint(state('s1')))
    d = cl.diff_fingerprints(s1_before, s1_after)
    d += cl.diff_fingerprints(sink_before, cl.dir_fingerprint(sink))
    if d:
        fails.append('the refused --from-savepoint into %s changed files:\n%s' % (
            state('s1'), '\n'.join(d)))
    reset_sink('out_step4')

    # 5. a compatible change: a filter after the aggregate
    v2 = write_query(os.path.join(tmp, 'v2'), events, sink, rate, 'filter')
    rc, _, err = procs.run(['run', '--state-dir', state('s3'), '--from-savepoint', sp, v2], tmp)
    if rc != 0:
        fails.append('a query with a filter after the aggregate was not accepted from the '
                     'savepoint: exit code %s\n%s' % (rc, cl.tail(err)))
    else:
        got, left = cl.read_sink(sink)
        fails += sink_problems('after the compatible change', got, left)
        exp = stop_rows + type(stop_rows)({r: c for r, c in (ref_rows - stop_rows).items()
                                           if r[3] > 2})
        diff = cl.diff_counters(exp, got, fmt=fmt_row)
        if diff:
            fails.append('after resuming with WHERE n > 2 the sink differs from the stop\'s rows '
                         'plus the reference\'s later rows with n > 2:\n%s' % '\n'.join(diff))
    reset_sink('out_filter')

    # 6. an incompatible change: another aggregate
    v3 = write_query(os.path.join(tmp, 'v3'), events, sink, rate, 'other_agg')
    sink_before = cl.dir_fingerprint(sink)
    sp_before = cl.dir_fingerprint(sp)
    rc, out, err = procs.run(['run', '--state-dir', state('s4'), '--from-savepoint', sp, v3], tmp,
                             timeout=60)
    if rc != 3:
        fails.append('a query with AVG(v) in place of MAX(v) from the savepoint: exit code %s, '
                     'expected 3 (refused)\n%s' % (rc, cl.tail(out + err)))
    elif not re.search(r'(?i)window ?aggregate', err):
        fails.append('the refusal of an incompatible query does not name the operator that '
                     'differs (WindowAggregate):\n%s' % cl.tail(err))
    elif verbose:
        print('    refused: %s' % err.strip().splitlines()[0])
    d = cl.diff_fingerprints(sink_before, cl.dir_fingerprint(sink))
    if d:
        fails.append('the refused run changed the sink:\n%s' % '\n'.join(d))
    d = cl.diff_fingerprints(sp_before, cl.dir_fingerprint(sp))
    if d:
        fails.append('the refused run changed the savepoint:\n%s' % '\n'.join(d))
    return fails


def main():
    ap = argparse.ArgumentParser(description='Stop with a savepoint, resume, change the query.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--rows', type=int, default=20000)
    ap.add_argument('--keep', action='store_true')
    ap.add_argument('--budget', help="SET 'state.memory.budget' to this (e.g. 8kb)")
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    global BUDGET
    BUDGET = a.budget
    procs = cl.Procs(os.path.abspath(a.eddy), a.verbose)
    tmp = tempfile.mkdtemp(prefix='eddy-savepoint-%d-' % a.seed)
    t0 = time.monotonic()
    fails = ['(not run)']
    try:
        fails = run_test(procs, tmp, a.seed, a.rows, a.verbose)
    finally:
        procs.kill_all()
        if fails or a.keep:
            print('(files kept in %s)' % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for f in fails:
        print('FAIL seed %d: %s' % (a.seed, f.replace('\n', '\n  ')))
    print('savepoint test, seed %d: %s in %.1f s' % (
        a.seed, 'passed' if not fails else '%d failure(s)' % len(fails), time.monotonic() - t0))
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
