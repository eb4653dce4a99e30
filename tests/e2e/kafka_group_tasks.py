#!/usr/bin/env python3
"""kafka_group_tasks.py: a windowed job in two eddy processes with 'scan.partition-assignment' =
'group-tasks': the partitions' window state moves with them, on a rebalance and when one process
is killed (issue 5).

    kafka_group_tasks.py --eddy build/release/shell/eddy [--events 4000] [--seed 3] [--keep]

1. `eddy kafka-mock --topic ev:4 --topic out:1`; kcat writes the first half of the events,
   each key to its own partition (kafkalib: keys are partition-aligned, as group-tasks needs).
2. Two `eddy run --state-dir S` processes, A and B, on one state root S, run the TUMBLE query
   (count and sum per key and 5 s window) with 'group-tasks' in one group, checkpoints every
   200 ms. A joins first and gets all four partitions; when B joins, the rebalance stops A's
   tasks with a checkpoint and B's tasks start from those checkpoints (the state moves).
3. Once both run tasks, B is killed with SIGKILL; the second half and one far-future event per
   partition are written. A gets B's partitions and its new tasks resume from B's last
   checkpoints: the windows B had open come back with their rows.
4. The output topic, after dedup by (key, window), must equal the aggregation computed here in
   Python, with no (key, window) written with two different values (a window rebuilt without
   its earlier rows would show as one), and A must say that tasks resumed from checkpoints.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafkalib as kl  # noqa: E402

SRC_EXTRA = """,
      'scan.partition-assignment' = 'group-tasks', 'properties.group.id' = 'tasks',
      'properties.session.timeout.ms' = '6000', 'properties.heartbeat.interval.ms' = '500'"""
SETS = "SET 'execution.checkpointing.interval' = '200 ms';\n"


def log_text(tmp, who):
    with open(os.path.join(tmp, who + '.err'), errors='replace') as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser(description='group-tasks: window state moves with partitions.')
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--events', type=int, default=4000)
    ap.add_argument('--seed', type=int, default=3)
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    if not kl.have_kcat():
        print('kcat is not installed: skipped')
        return 0
    eddy = os.path.abspath(a.eddy)
    tmp = tempfile.mkdtemp(prefix='eddy-kafka-tasks-')
    fails = []
    kp = kl.Procs()
    procs = {}
    mock = None
    try:
        mock = kl.Mock(kp, eddy, [('ev', 4), ('out', 1)], tmp=tmp)
        events = kl.make_events(a.seed, a.events)
        half = len(events) // 2
        kl.produce_events(mock.addr, 'ev', events[:half])
        sql = os.path.join(tmp, 'q.sql')
        with open(sql, 'w') as f:
            f.write(kl.tumble_sql(mock.addr, sets=SETS, src_extra=SRC_EXTRA))

        def start(who):
            err = open(os.path.join(tmp, who + '.err'), 'w')
            procs[who] = kp.popen([eddy, 'run', '--state-dir', os.path.join(tmp, 'state'), sql],
                                  cwd=tmp, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=err, env=kl.eddy_env())

        def running(who, deadline_s):
            end = time.monotonic() + deadline_s
            while time.monotonic() < end:
                if 'its task runs' in log_text(tmp, who):
                    return True
                if procs[who].poll() is not None:
                    return False
                time.sleep(0.2)
            return False

        start('A')
        if not running('A', 30):
            fails.append('A ran no task:\n' + log_text(tmp, 'A')[-2000:])
            return 1
        time.sleep(1.0)  # A reads and checkpoints all four partitions for a while
        start('B')
        if not running('B', 40):
            fails.append('B ran no task:\n' + log_text(tmp, 'B')[-2000:])
            return 1
        time.sleep(1.5)  # B's tasks checkpoint what they took over
        b_log = log_text(tmp, 'B')
        b_parts = set(int(p) for p in re.findall(r"partition (\d+) of topic 'ev' assigned", b_log))
        procs['B'].send_signal(signal.SIGKILL)
        procs['B'].wait()
        kl.produce_events(mock.addr, 'ev', events[half:])
        kl.produce_far_future(mock.addr, 'ev')
        exp = kl.tumble(events)
        got = kl.wait_windows(mock.addr, exp, 60, procs['A'])
        fails += kl.compare_windows(exp, got)
        a_log = log_text(tmp, 'A')
        if 'revoked: its task stopped with a checkpoint' not in a_log:
            fails.append('A never gave a partition up with a checkpoint when B joined:\n' +
                         a_log[-2000:])
        if not re.search(r'eddy: task ev-\d+ of job .* resumes from checkpoint', b_log):
            fails.append('B started no task from the checkpoint A left:\n' + b_log[-2000:])
        resumed = set(int(p) for p in re.findall(r'eddy: task ev-(\d+) of job .* resumes', a_log))
        if not b_parts or not (b_parts & resumed):
            fails.append('A did not resume B\'s partitions %s from their checkpoints (resumed: '
                         '%s)' % (sorted(b_parts), sorted(resumed)))
        if procs['A'].poll() is None:
            procs['A'].send_signal(signal.SIGTERM)
            try:
                rc = procs['A'].wait(timeout=30)
                if rc != 0:
                    fails.append('A exited %d on SIGTERM:\n%s' % (rc, log_text(tmp, 'A')[-1500:]))
            except subprocess.TimeoutExpired:
                fails.append('A did not stop within 30 s of SIGTERM')
        else:
            fails.append('A ended early (exit %d):\n%s' % (procs['A'].returncode,
                                                           log_text(tmp, 'A')[-2000:]))
        for who in ('A', 'B'):
            fails += kl.sanitizer_reports(os.path.join(tmp, who + '.err'), 'eddy ' + who)
        print('%d events, %d windows; B had partitions %s, A resumed %s after the kill' % (
            len(events), len(exp), sorted(b_parts), sorted(resumed)))
        return 1 if fails else 0
    finally:
        if mock:
            mock.finish(fails)
        kp.kill_all()
        kl.report(fails, tmp, a.keep)


if __name__ == '__main__':
    sys.dont_write_bytecode = True
    sys.exit(main())
