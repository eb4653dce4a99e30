#!/usr/bin/env python3
"""kafka_idle_partition.py: a Kafka partition without data does not hold the windows back when
'table.exec.source.idle-timeout' is set, and does hold them back when it is not (issue 5: "a
partition with no data for 'table.exec.source.idle-timeout' does not hold the job back").

    kafka_idle_partition.py --eddy build/release/shell/eddy [--events 2000] [--seed 1] [--keep]

1. `eddy kafka-mock --topic ev:4 --topic with:1 --topic without:1`; kcat writes keyed,
   out-of-order JSON events into partitions 0, 1 and 2 of ev only: partition 3 stays empty.
   Partitions 0-2 then get a heartbeat event every 200 ms at the largest timestamp already in
   each (it moves no watermark and falls in a window that never fires): they stay busy, as
   partitions with traffic are. Without it the test would race: when every partition has been
   quiet for the timeout, all are idle and the watermark stays where it is (as in Flink), so
   the windows would fire only if partition 3 went idle before the others.
2. Two `eddy run --no-checkpoints` jobs of the same TUMBLE(5 s) COUNT/SUM per key run side by
   side on ev (unbounded): one with SET 'table.exec.source.idle-timeout' = '1 s' writing to topic
   `with`, one without it writing to topic `without`.
3. `with` must get the windows that the watermark of partitions 0-2 has passed (min over them
   of the largest ts, minus the 1 s delay, reaching window_end - 1 ms), with the counts and sums
   computed here, within 20 s (a later window of the data is accepted only with its right
   values: on a loaded machine a heartbeat may come late enough for its partition to look idle).
4. `without` must stay empty while its job runs for at least 4 s (partition 3 has no watermark,
   so the job's watermark is undefined and no window may fire); both jobs must still be running.
Every process is killed in a finally block.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafkalib as kl  # noqa: E402

WITHOUT_WAIT_S = 4.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--events', type=int, default=2000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    if not kl.have_kcat():
        print('skipped: kcat not found')
        return 0
    eddy = os.path.abspath(a.eddy)
    tmp = tempfile.mkdtemp(prefix='eddy-kafka-idle-')
    procs = kl.Procs()
    fails = []
    beater = None
    try:
        mock = kl.Mock(procs, eddy, [('ev', 4), ('with', 1), ('without', 1)], tmp=tmp)
        events = [e for e in kl.make_events(a.seed, a.events) if kl.key_partition(e[0]) != 3]
        if {kl.key_partition(e[0]) for e in events} != {0, 1, 2}:
            fails.append('the events do not cover partitions 0, 1 and 2 (seed %d)' % a.seed)
            return 1
        kl.produce_events(mock.addr, 'ev', events)
        top = {}
        for k, v, ts in events:
            p = kl.key_partition(k)
            top[p] = max(top.get(p, ts), ts)
        # the busy partitions stay busy: a heartbeat each 200 ms, at the largest ts already
        # there (the watermark does not move; its window is the last one, which never fires)
        beats = [procs.popen(['kcat', '-P', '-b', mock.addr, '-t', 'ev', '-p', str(p), '-K',
                              '|'], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, text=True) for p in range(3)]
        stop = threading.Event()

        def beat():
            while not stop.is_set():
                for p, b in enumerate(beats):
                    b.stdin.write('hb%d|%s\n' % (p, kl.event_json('hb%d' % p, 0, top[p])))
                    b.stdin.flush()
                stop.wait(0.2)
        beater = threading.Thread(target=beat)
        beater.start()

        jobs = {}
        for topic, sets in (('with', "SET 'table.exec.source.idle-timeout' = '1 s';\n"),
                            ('without', '')):
            sql = os.path.join(tmp, topic + '.sql')
            with open(sql, 'w') as f:
                f.write(kl.tumble_sql(mock.addr, sets=sets).replace("'topic' = 'out'",
                                                                    "'topic' = '%s'" % topic))
            err = open(os.path.join(tmp, topic + '.err'), 'w')
            jobs[topic] = procs.popen([eddy, 'run', '--no-checkpoints', sql], cwd=tmp,
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=err, env=kl.eddy_env())
            err.close()
        t0 = time.monotonic()

        # the windows the watermark of partitions 0-2 passes
        wm = min(top.values()) - 1000
        exp = {w: r for w, r in kl.tumble(events).items()
               if kl.parse_window(w[1]) + 5000 - 1 <= wm}
        if not exp:
            fails.append('no window can fire with these events: use more (--events)')
            return 1
        got = kl.wait_windows(mock.addr, exp, 20, jobs['with'], topic='with')
        fired_s = time.monotonic() - t0
        # every window the watermark passed, right; a later one only if a busy partition
        # looked idle too on a loaded machine (a heartbeat late by more than 1 s), and then
        # right as well
        every = kl.tumble(events)
        more = {(k, ws): every[(k, ws)] for (k, ws, _, _) in got
                if (k, ws) not in exp and (k, ws) in every}
        fails += ['with the idle timeout: ' + f
                  for f in kl.compare_windows({**exp, **more},
                                              got)]
        left = WITHOUT_WAIT_S - (time.monotonic() - t0)
        if left > 0:
            time.sleep(left)
        for topic, job in jobs.items():
            if job.poll() is not None:
                with open(os.path.join(tmp, topic + '.err')) as f:
                    fails.append('the job writing to %s ended (exit %d):\n%s' % (
                        topic, job.returncode, f.read()[-1500:]))
        without = kl.read_windows(mock.addr, 'without')
        stop.set()
        beater.join()
        beater = None
        for topic, job in jobs.items():
            if job.poll() is None:
                job.send_signal(15)
                try:
                    if job.wait(timeout=30) != 0:
                        fails.append('the job writing to %s exited %d on SIGTERM' % (
                            topic, job.returncode))
                except subprocess.TimeoutExpired:
                    fails.append('the job writing to %s did not stop on SIGTERM' % topic)
            fails += kl.sanitizer_reports(os.path.join(tmp, topic + '.err'), 'eddy ' + topic)
        mock.finish(fails)
        if without:
            fails.append('without the idle timeout, %d window row(s) came out although '
                         'partition 3 has no data (so no watermark), e.g. %s' % (
                             sum(without.values()), sorted(without)[:2]))
        print('%d events in partitions 0-2; with the idle timeout %d of %d windows fired within '
              '%.1f s; without it none in %.1f s' % (
                  len(events), len(exp), len(kl.tumble(events)), fired_s, WITHOUT_WAIT_S))
        return 1 if fails else 0
    except (RuntimeError, subprocess.SubprocessError) as e:
        fails.append(str(e))
        return 1
    finally:
        if beater:
            stop.set()
            beater.join()
        procs.kill_all()
        kl.report(fails, tmp, a.keep)


if __name__ == '__main__':
    sys.exit(main())
