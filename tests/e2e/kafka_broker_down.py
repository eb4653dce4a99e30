#!/usr/bin/env python3
"""kafka_broker_down.py: the brokers leading a topic's partitions go down mid-run and come back;
the windowed query on them loses nothing (issue 5: "a broker taken down and up again
(rd_kafka_mock_broker_set_down/up) mid-run with nothing lost").

    kafka_broker_down.py --eddy build/release/shell/eddy [--events 3000] [--seed 1] [--keep]

1. `eddy kafka-mock --brokers 3 --topic ev:4 --topic out:1`; through its stdin control the
   leaders are placed: ev partitions 0, 1 on broker 2, partitions 2, 3 on broker 3, out on
   broker 2. Broker 1 leads nothing (it keeps answering metadata requests).
2. kcat writes the first half of the keyed, out-of-order JSON events (key i to partition i % 4).
3. `eddy run --state-dir D` of a TUMBLE(5 s) COUNT/SUM per key from ev (unbounded) to out (kafka
   sink, at-least-once), checkpoints every 200 ms. Once the first window rows are in `out`:
4. `down 2`, `down 3`: every leader of ev and out is gone. A background kcat writes a few
   events meanwhile (it retries until the leaders return). After 3 s: `up 2`, `up 3`.
5. kcat writes the second half, then one event per partition far in the future, so that the
   watermark of every partition passes every window of the data (and no idle timeout is needed:
   the test does not depend on timing).
6. `out` is polled with kcat until every expected window is there (at most 60 s); then eddy gets
   SIGTERM and must exit 0.
Also checked on the way: the control's answers to good and bad commands (at the start), and
that closing its stdin stops the control but not the cluster (at the end).
Checks: after dedup by (k, window_start) the rows equal the aggregation computed here (no lost
window, no wrong value, no (key, window) with two different values); eddy was still running
after the outage; and its stderr names a down broker's address (librdkafka's connection
failure, which eddy lets through to stderr). Every process is killed in a finally block.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafkalib as kl  # noqa: E402

DOWN_S = 3.0


def check_control(mock, fails):
    """The control's answers to good and bad commands (the cluster goes on after each)."""
    for line, want in [('status', r'^ok brokers=3 up=1,2,3 down= topics=ev:4,out:1$'),
                       ('create extra 2', r'^ok topic extra created with 2 partitions$'),
                       ('create extra 2', r'^error create extra: .*exists'),
                       ('create bad/name 2', r'^error create bad/name: a topic name'),
                       ('leader nope 0 1', r'^error leader nope: .*create it first'),
                       ('leader ev 4 1', r'^error leader ev: partition must be 0 to 3'),
                       ('down 4', r'^error down: broker id must be 1 to 3'),
                       ('up', r'^error up: broker id'),
                       ('frobnicate', r"^error unknown command 'frobnicate'"),
                       ('', None),            # no answer: the next line answers 'status'
                       ('  # a comment with more than five words in it', None),
                       ('status', r'topics=ev:4,out:1,extra:2$'),
                       ('help', r'^ok commands: down')]:
        if want is None:
            mock.proc.stdin.write(line + '\n')
            continue
        answer = mock.ask(line)
        if not re.search(want, answer):
            fails.append('kafka-mock control: %r answered %r (want /%s/)' % (line, answer, want))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--eddy', required=True)
    ap.add_argument('--events', type=int, default=3000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    if not kl.have_kcat():
        print('skipped: kcat not found')
        return 0
    eddy = os.path.abspath(a.eddy)
    tmp = tempfile.mkdtemp(prefix='eddy-kafka-broker-down-')
    procs = kl.Procs()
    fails = []
    try:
        mock = kl.Mock(procs, eddy, [('ev', 4), ('out', 1)], brokers=3, tmp=tmp)
        check_control(mock, fails)
        for p in range(4):
            mock.cmd('leader ev %d %d' % (p, 2 if p < 2 else 3))
        mock.cmd('leader out 0 2')
        # the brokers' own addresses, to find them in eddy's messages
        meta = subprocess.run(['kcat', '-L', '-b', mock.addr], capture_output=True, text=True,
                              timeout=kl.KCAT_TIMEOUT).stdout
        ports = dict(re.findall(r'broker (\d+) at 127\.0\.0\.1:(\d+)', meta))
        if set(ports) != {'1', '2', '3'}:
            fails.append('kcat -L does not list brokers 1, 2, 3:\n%s' % meta)
            return 1

        n1 = a.events // 2
        n_mid = a.events // 10
        first = kl.make_events(a.seed, n1)
        middle = kl.make_events(a.seed + 1, n_mid, start=n1)
        second = kl.make_events(a.seed + 2, a.events - n1 - n_mid, start=n1 + n_mid)
        kl.produce_events(mock.addr, 'ev', first)

        sql = os.path.join(tmp, 'q.sql')
        with open(sql, 'w') as f:
            f.write(kl.tumble_sql(mock.addr,
                                  sets="SET 'execution.checkpointing.interval' = '200ms';\n"))
        err_path = os.path.join(tmp, 'eddy.err')
        with open(err_path, 'w') as err:
            job = procs.popen([eddy, 'run', '--state-dir', os.path.join(tmp, 'state'), sql],
                              cwd=tmp, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=err, env=kl.eddy_env())
        t0 = time.monotonic()
        while not kl.read_windows(mock.addr):
            if job.poll() is not None or time.monotonic() - t0 > 30:
                fails.append('no window row in out within 30 s of the start (eddy exit %s)'
                             % job.poll())
                return 1
            time.sleep(0.2)

        mock.cmd('down 2')
        mock.cmd('down 3')
        status = mock.cmd('status')
        if 'down=2,3' not in status:
            fails.append('status after down 2, down 3: %r' % status)
        producer_error = []

        def produce_middle():
            try:
                kl.produce_events(mock.addr, 'ev', middle)
            except Exception as e:  # reported below
                producer_error.append(e)
        writer = threading.Thread(target=produce_middle)
        writer.start()
        time.sleep(DOWN_S)
        if job.poll() is not None:
            fails.append('eddy ended while the brokers were down (exit %d)' % job.returncode)
        mock.cmd('up 2')
        mock.cmd('up 3')
        writer.join(timeout=kl.KCAT_TIMEOUT * 4)
        if producer_error:
            fails.append('kcat could not write the events of the outage: %s' % producer_error[0])
        kl.produce_events(mock.addr, 'ev', second)
        kl.produce_far_future(mock.addr, 'ev')

        exp = kl.tumble(first + middle + second)
        got = kl.wait_windows(mock.addr, exp, 60, job)
        if job.poll() is not None:
            fails.append('eddy ended by itself (exit %d) before all windows were written'
                         % job.returncode)
        fails += kl.compare_windows(exp, got)
        if job.poll() is None:
            job.send_signal(15)
            try:
                rc = job.wait(timeout=30)
                if rc != 0:
                    fails.append('eddy exited %d on SIGTERM' % rc)
            except subprocess.TimeoutExpired:
                fails.append('eddy did not stop within 30 s of SIGTERM')
        with open(err_path) as f:
            err_text = f.read()
        down_addrs = ['127.0.0.1:%s' % ports[b] for b in ('2', '3')]
        if not any(re.search(r"^eddy: table 'ev': a Kafka broker is unreachable \(" +
                             re.escape(ad), err_text, re.M) for ad in down_addrs):
            fails.append('eddy did not report in its own words a broker that was down (%s) on '
                         'stderr:\n%s' % (', '.join(down_addrs), err_text[-2000:]))
        fails += kl.sanitizer_reports(err_path, 'eddy')
        # end of input stops the control, not the cluster
        mock.proc.stdin.close()
        time.sleep(0.3)
        if mock.proc.poll() is not None:
            fails.append('kafka-mock ended (exit %d) when its stdin was closed'
                         % mock.proc.returncode)
        elif not kl.read_windows(mock.addr):
            fails.append('kafka-mock does not answer kcat after its stdin was closed')
        mock.finish(fails)
        print('%d events (%d written during the outage), %d window rows (%d windows); '
              'leaders down for %.0f s' % (a.events, n_mid, sum(got.values()), len(exp), DOWN_S))
        return 1 if fails else 0
    except (RuntimeError, subprocess.SubprocessError) as e:
        fails.append(str(e))
        return 1
    finally:
        procs.kill_all()
        kl.report(fails, tmp, a.keep)


if __name__ == '__main__':
    sys.exit(main())
