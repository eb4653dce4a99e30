#!/usr/bin/env python3
"""kafka_mock_smoke.py: `eddy kafka-mock` is a Kafka cluster that an independent client uses.

    kafka_mock_smoke.py --eddy build/debug/shell/eddy

What it checks, with Debian's kcat as the client (issue 5, docs/connectors/kafka.md):
  round trip  `eddy kafka-mock --topic t:3 --port P` (P a free port): the first line of stdout
              is "127.0.0.1:P"; kcat -L sees topic t with exactly 3 partitions; 100 keyed JSON
              lines produced with `kcat -P` come back from `kcat -C -o beginning -e` (all
              partitions), each once, key and value intact, spread over partitions 0, 1 and 2;
              SIGTERM: exit 0 and nothing on stderr (a sanitizer report would be there)
  own ports   without --port, two brokers: the first line lists both, and kcat -L through it
              sees 2 brokers
  errors      a bad --topic and a --port already in use: exit 2, with a message naming it
The mock is always killed at the end, whatever happened. Exit 0 when all passed.
"""
import argparse
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

KCAT_TIMEOUT = 30  # seconds for one kcat run (a consumer's first fetch takes a moment)


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kcat(args, stdin=None):
    r = subprocess.run(["kcat"] + args, input=stdin, capture_output=True, text=True,
                       timeout=KCAT_TIMEOUT)
    check(r.returncode == 0, "kcat %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return r.stdout


class Mock:
    """A running `eddy kafka-mock`; stop() ends it with SIGTERM, kill() in any case."""

    def __init__(self, eddy, args, tmp):
        self.err_path = tmp + "/mock.err"
        self.err = open(self.err_path, "w")
        self.p = subprocess.Popen([eddy, "kafka-mock"] + args, stdout=subprocess.PIPE,
                                  stderr=self.err, text=True)
        self.addr = self.p.stdout.readline().strip()  # the first line: the bootstrap address

    def stderr(self):
        self.err.flush()
        with open(self.err_path) as f:
            return f.read()

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        rc = self.p.wait(timeout=30)
        check(rc == 0, "kafka-mock exited %d after SIGTERM (want 0): %s" % (rc, self.stderr()))
        check(self.stderr() == "", "kafka-mock wrote to stderr: %s" % self.stderr())

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        self.p.stdout.close()
        self.err.close()


def round_trip(eddy, tmp):
    port = free_port()
    mock = Mock(eddy, ["--topic", "t:3", "--port", str(port)], tmp)
    try:
        check(mock.addr == "127.0.0.1:%d" % port,
              "first line %r, want '127.0.0.1:%d'" % (mock.addr, port))
        meta = kcat(["-L", "-b", mock.addr, "-t", "t"])
        check('topic "t" with 3 partitions' in meta, "kcat -L does not see t with 3 partitions:\n"
              + meta)
        sent = {"k%d" % i: json.dumps({"id": i, "name": "n%d" % i, "price": i * 1.5})
                for i in range(100)}
        kcat(["-P", "-b", mock.addr, "-t", "t", "-K", "\t"],
             "".join("%s\t%s\n" % kv for kv in sent.items()))
        out = kcat(["-C", "-b", mock.addr, "-t", "t", "-o", "beginning", "-e", "-q",
                    "-f", "%p\t%k\t%s\n"])
        got, parts = {}, set()
        for line in out.splitlines():
            p, k, v = line.split("\t", 2)
            check(k not in got, "key %s came back twice" % k)
            got[k] = v
            parts.add(int(p))
        check(got == sent, "%d of 100 messages came back intact; missing %s" %
              (sum(1 for k in sent if got.get(k) == sent[k]),
               sorted(set(sent) - set(got))[:5]))
        check(parts == {0, 1, 2}, "messages were on partitions %s, want 0, 1 and 2" %
              sorted(parts))
        mock.stop()
    finally:
        mock.kill()


def own_ports(eddy, tmp):
    mock = Mock(eddy, ["--brokers", "2"], tmp)
    try:
        addrs = mock.addr.split(",")
        check(len(addrs) == 2 and all(a.startswith("127.0.0.1:") for a in addrs),
              "first line %r, want two 127.0.0.1:PORT" % mock.addr)
        meta = kcat(["-L", "-b", mock.addr])
        check(" 2 brokers:" in meta, "kcat -L does not see 2 brokers:\n" + meta)
        mock.stop()
    finally:
        mock.kill()


def errors(eddy):
    r = subprocess.run([eddy, "kafka-mock", "--topic", "t"], capture_output=True, text=True,
                       timeout=30)
    check(r.returncode == 2 and "NAME:PARTITIONS" in r.stderr,
          "--topic t: exit %d, %r (want 2 and NAME:PARTITIONS)" % (r.returncode, r.stderr))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = subprocess.run([eddy, "kafka-mock", "--port", str(port)], capture_output=True,
                           text=True, timeout=30)
    check(r.returncode == 2 and ("127.0.0.1:%d" % port) in r.stderr,
          "--port in use: exit %d, %r (want 2 and the address)" % (r.returncode, r.stderr))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eddy", required=True)
    args = ap.parse_args()
    if not shutil.which("kcat"):
        print("skipped: kcat not found")
        return 0
    tmp = tempfile.mkdtemp(prefix="eddy-kmock-")
    try:
        for name, fn in [("round trip", lambda: round_trip(args.eddy, tmp)),
                         ("own ports", lambda: own_ports(args.eddy, tmp)),
                         ("errors", lambda: errors(args.eddy))]:
            fn()
            print("ok: " + name)
    except (Failed, subprocess.TimeoutExpired) as e:
        print("FAILED: %s" % e)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
