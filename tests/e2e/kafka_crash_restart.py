#!/usr/bin/env python3
"""kafka_crash_restart.py: eddy killed with SIGKILL and restarted resumes a Kafka source from the
checkpointed offsets (issue 5: "restart after SIGKILL resumes from the checkpointed offsets with
no lost input and no duplicated window result for an at-least-once sink deduplicated by (key,
window)").

    kafka_crash_restart.py --eddy build/release/shell/eddy [--events 4000] [--seed 1]
                           [--kills 2] [--keep]

1. `eddy kafka-mock --topic ev:4 --topic out:1`; kcat writes the first part of the keyed,
   out-of-order JSON events (key i to partition i % 4; up to 400 ms of disorder against the
   query's 1 s watermark delay, so none is late).
2. `eddy run --state-dir D` of a TUMBLE(5 s) COUNT/SUM per key from ev (unbounded,
   'scan.startup.mode' = 'earliest-offset') to out (kafka sink, at-least-once), checkpoints every
   200 ms (EDDY_CHECKPOINT_LOG=1 tells when one completed; EDDY_CHECKPOINT_TEST_DELAY_MS=150
   makes each take longer, so that a kill often finds window rows in `out` that no checkpoint
   covers yet). Once window rows are in `out` and two checkpoints completed after them, kcat
   begins to write the next part and eddy is killed (SIGKILL) a seeded random moment (0.1 to
   0.6 s) later, while it reads that part. This repeats --kills times, each time
   restarting the same command on the same state directory.
3. The last run gets the last part and one event per partition far in the future (every window
   of the data then fires); `out` is polled until every expected window is there (at most 60 s);
   SIGTERM must end it with exit 0.
Checks: after dedup by (k, window_start) the rows of `out` equal the aggregation computed here
(nothing lost: a restart at the group's or the latest offsets would miss windows or counts;
nothing counted twice: a restart at the earliest offsets over restored state would give larger
counts), and no (key, window) was written with two different values. A restarted run must say
that it resumed from a checkpoint. Every process is killed in a finally block.
"""
import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafkalib as kl  # noqa: E402

CKPT_RE = re.compile(r'^eddy: checkpoint (\d+): ', re.M)


def checkpoints(path):
    with open(path) as f:
        return [int(n) for n in CKPT_RE.findall(f.read())]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--events', type=int, default=4000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--kills', type=int, default=2)
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    if not kl.have_kcat():
        print('skipped: kcat not found')
        return 0
    eddy = os.path.abspath(a.eddy)
    tmp = tempfile.mkdtemp(prefix='eddy-kafka-crash-')
    procs = kl.Procs()
    fails = []
    rng = random.Random(a.seed)
    try:
        mock = kl.Mock(procs, eddy, [('ev', 4), ('out', 1)], tmp=tmp)
        nparts = a.kills + 2
        parts, start = [], 0
        for i in range(nparts):
            n = a.events // nparts if i < nparts - 1 else a.events - start
            parts.append(kl.make_events(a.seed * 100 + i, n, start=start))
            start += n
        sql = os.path.join(tmp, 'q.sql')
        with open(sql, 'w') as f:
            f.write(kl.tumble_sql(mock.addr,
                                  sets="SET 'execution.checkpointing.interval' = '200ms';\n"))
        args = [eddy, 'run', '--state-dir', os.path.join(tmp, 'state'), sql]
        # a checkpoint's writer waits 150 ms: output of the windows fired meanwhile is in `out`
        # but not yet covered by a checkpoint when the kill comes (what the restart must redo)
        env = kl.eddy_env(EDDY_CHECKPOINT_LOG=1, EDDY_CHECKPOINT_TEST_DELAY_MS=150)

        def start_run(i):
            err_path = os.path.join(tmp, 'run%d.err' % i)
            with open(err_path, 'w') as err:
                p = procs.popen(args, cwd=tmp, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, env=env)
            return p, err_path

        kl.produce_events(mock.addr, 'ev', parts[0])
        notes = []
        for i in range(a.kills):
            job, err_path = start_run(i)
            # output and a checkpoint completed after it
            t0 = time.monotonic()
            rows_seen = 0
            while True:
                if job.poll() is not None:
                    fails.append('run %d ended by itself (exit %d):\n%s' % (
                        i, job.returncode, open(err_path).read()[-2000:]))
                    return 1
                if time.monotonic() - t0 > 30:
                    fails.append('run %d: no output and checkpoint within 30 s (%d rows, '
                                 'checkpoints %s)' % (i, rows_seen, checkpoints(err_path)))
                    return 1
                if not rows_seen:
                    rows_seen = sum(kl.read_windows(mock.addr).values())
                    ck_at_rows = len(checkpoints(err_path))
                elif len(checkpoints(err_path)) >= ck_at_rows + 2:
                    break
                time.sleep(0.2)
            if i > 0:
                with open(err_path) as f:
                    err_text = f.read()
                if not re.search(r'(resum|restor|recover)\w* .*checkpoint', err_text, re.I):
                    fails.append('run %d did not say that it resumed from a checkpoint:\n%s'
                                 % (i, err_text[-1500:]))
            # the next part is written while eddy reads it; the kill comes in the middle
            writer = threading.Thread(target=kl.produce_events,
                                      args=(mock.addr, 'ev', parts[i + 1]))
            writer.start()
            delay = rng.uniform(0.1, 0.6)
            time.sleep(delay)
            if job.poll() is not None:
                fails.append('run %d ended by itself (exit %d)' % (i, job.returncode))
                return 1
            job.send_signal(signal.SIGKILL)
            job.wait()
            writer.join()
            notes.append('run %d: killed %.2f s after part %d began to be written, after '
                         'checkpoint %s; %d rows in out' % (
                             i, delay, i + 1, max(checkpoints(err_path) or [0]),
                             sum(kl.read_windows(mock.addr).values())))

        job, err_path = start_run(a.kills)
        kl.produce_events(mock.addr, 'ev', parts[-1])
        kl.produce_far_future(mock.addr, 'ev')
        exp = kl.tumble([e for p in parts for e in p])
        got = kl.wait_windows(mock.addr, exp, 60, job)
        if job.poll() is not None:
            fails.append('the last run ended by itself (exit %d) before all windows were '
                         'written:\n%s' % (job.returncode, open(err_path).read()[-2000:]))
        fails += kl.compare_windows(exp, got)
        if job.poll() is None:
            job.send_signal(signal.SIGTERM)
            try:
                rc = job.wait(timeout=30)
                if rc != 0:
                    fails.append('the last run exited %d on SIGTERM' % rc)
            except subprocess.TimeoutExpired:
                fails.append('the last run did not stop within 30 s of SIGTERM')
        for i in range(a.kills + 1):
            fails += kl.sanitizer_reports(os.path.join(tmp, 'run%d.err' % i), 'eddy run %d' % i)
        mock.finish(fails)
        for n in notes:
            print(n)
        dups = sum(got.values()) - len(got)
        print('%d events in %d parts, %d kills; %d window rows for %d windows (%d duplicates '
              'of the at-least-once sink)' % (a.events, nparts, a.kills, sum(got.values()),
                                              len(exp), dups))
        return 1 if fails else 0
    except (RuntimeError, subprocess.SubprocessError) as e:
        fails.append(str(e))
        return 1
    finally:
        procs.kill_all()
        kl.report(fails, tmp, a.keep)


if __name__ == '__main__':
    sys.exit(main())
