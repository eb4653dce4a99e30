#!/usr/bin/env python3
"""golden.py: runs eddy's golden SQL tests (tests/sql/golden/<feature>/) and compares results.

    golden.py --eddy build/release/shell/eddy tests/sql/golden/tumble_tvf [more dirs...]
    golden.py --eddy ... --all tests/sql/golden          every test directory below
    golden.py ... --keep                                  keep the temporary directories

A test directory holds:
    query.sql            the SQL file run as `eddy run -D DIR=<tmp> query.sql`, from <tmp>
    expected.txt         the rows expected (as the print sink writes them, one per line)
    expected_error.txt   instead of (or besides) expected.txt: lines that must appear, in this
                         order, as parts of stderr (an error's "line L, column C" and message)
    any other file or folder   input, copied into <tmp> ('path' = '${DIR}/input.jsonl')

Every test runs in a fresh temporary directory that is removed afterwards (kept with --keep).
query.sql may start with directive comments (anywhere in the file, one per line):
    -- ordered               compare rows in order (default: as multisets)
    -- exit: N[,M]           the exit codes accepted (default 0, or 1 with expected_error.txt)
    -- define: NAME=VALUE    one more -D for eddy
    -- stderr: TEXT          stderr must contain TEXT (repeatable)
    -- no-stderr: TEXT       stderr must not contain TEXT (repeatable)
    -- output: REL           the result is the files under <tmp>/REL (a filesystem sink) instead
                             of stdout: every line of every part file as "SUBDIR/: line" (just
                             "line" at the top), every other file as "FILE SUBDIR/NAME"
    -- match: regex          expected.txt holds regular expressions that must match lines of
                             the whole stdout, in this order (other lines may stand between);
                             for EXPLAIN and other text whose details are eddy's own
    -- changelog: final      apply the changelog (+I/+U add a row, -U/-D remove one) and compare
                             the final rows with expected.txt (written as +I[...])
    -- repeat: N             run N times; every run's stdout must equal the first one's
    -- ignore: REGEX          leave lines of stdout that match REGEX out of the comparison
    -- stop-after: SECONDS   send SIGINT after that long (unbounded sources)
    -- timeout: SECONDS      kill eddy after that long (default 60): a failure
Without `output`, `match` the result is the lines of stdout that look like rows: an optional
"identifier> " prefix, an optional row kind, then [...]. Other stdout lines (messages from DDL)
are ignored. Lines are compared after stripping trailing white space; empty lines are ignored.

Exit code: 0 when every test passed, 1 when one failed, 2 for a bad command line.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter

ROW_RE = re.compile(r'^(?:[^\s\[\]]+> )?(?:[+-][IUD])?\[.*\]$')
CHANGE_RE = re.compile(r'^((?:[^\s\[\]]+> )?)([+-][IUD])(\[.*\])$')
SPECIAL = {'query.sql', 'expected.txt', 'expected_error.txt', 'README', 'README.md'}


class Spec:
    def __init__(self):
        self.ordered = False
        self.exit = None
        self.defines = []
        self.stderr_has = []
        self.stderr_not = []
        self.output = None
        self.match = None
        self.changelog = None
        self.repeat = 1
        self.stop_after = None
        self.timeout = 60.0
        self.ignore = []


def read_spec(sql):
    s = Spec()
    for line in sql.splitlines():
        m = re.match(r'^\s*--\s*(ordered)\s*()$', line) or \
            re.match(r'^\s*--\s*(exit|define|stderr|no-stderr|output|match|changelog|repeat|'
                     r'stop-after|timeout|ignore):\s*(.*?)\s*$', line)
        if not m:
            continue
        key, val = m.group(1), m.group(2)
        if key == 'ordered':
            s.ordered = True
        elif key == 'exit':
            s.exit = {int(x) for x in val.split(',') if x.strip()}
        elif key == 'define':
            s.defines.append(val)
        elif key == 'stderr':
            s.stderr_has.append(val)
        elif key == 'no-stderr':
            s.stderr_not.append(val)
        elif key == 'output':
            s.output = val
        elif key == 'match':
            s.match = val
        elif key == 'changelog':
            s.changelog = val
        elif key == 'repeat':
            s.repeat = int(val)
        elif key == 'stop-after':
            s.stop_after = float(val)
        elif key == 'timeout':
            s.timeout = float(val)
        elif key == 'ignore':
            s.ignore.append(re.compile(val))
    return s


def clean_lines(text):
    out = []
    for line in text.splitlines():
        line = line.rstrip()
        if line:
            out.append(line)
    return out


def read_lines(path):
    with open(path, encoding='utf-8') as f:
        return [l for l in clean_lines(f.read()) if not l.startswith('#')]


def run_eddy(eddy, tmp, spec):
    """Runs eddy once; returns (exit code, stdout, stderr, seconds, note, command)."""
    cmd = [eddy, 'run', '-D', 'DIR=' + tmp]
    for d in spec.defines:
        cmd += ['-D', d.replace('${DIR}', tmp)]
    cmd.append('query.sql')
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL)
    note = ''
    try:
        if spec.stop_after is not None:
            try:
                out, err = p.communicate(timeout=spec.stop_after)
                note = 'eddy ended by itself before the stop (after %.1f s)' % spec.stop_after
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGINT)
                out, err = p.communicate(timeout=spec.timeout)
        else:
            out, err = p.communicate(timeout=spec.timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        note = 'killed after the %.0f s timeout' % spec.timeout
    return (p.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace'),
            time.monotonic() - t0, note, cmd)


def files_output(root):
    """The lines of a filesystem sink's output folder (see `-- output:`)."""
    lines = []
    if not os.path.isdir(root):
        return None
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        rel = '' if rel == '.' else rel + '/'
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if name.startswith('part-'):
                with open(path, encoding='utf-8', errors='replace') as f:
                    for line in clean_lines(f.read()):
                        lines.append(rel + ': ' + line if rel else line)
            else:
                lines.append('FILE ' + rel + name)
    return lines


def apply_changelog(lines):
    """Final rows of a changelog; returns (rows as '+I[...]' lines, problems)."""
    state = Counter()
    problems = []
    for line in lines:
        m = CHANGE_RE.match(line)
        if not m:
            problems.append('not a changelog row: ' + line)
            continue
        prefix, kind, row = m.groups()
        key = prefix + row
        if kind in ('+I', '+U'):
            state[key] += 1
        else:
            if state[key] <= 0:
                problems.append('%s of a row that is not there: %s' % (kind, line))
            else:
                state[key] -= 1
    rows = []
    for key, n in state.items():
        m = re.match(r'^((?:[^\s\[\]]+> )?)(\[.*\])$', key)
        rows += [m.group(1) + '+I' + m.group(2)] * n
    return rows, problems


def multiset_diff(expected, got):
    e, g = Counter(expected), Counter(got)
    missing = list((e - g).elements())
    extra = list((g - e).elements())
    return missing, extra


def check_in_order(patterns, lines, regex, same_line=False):
    """Each pattern must match a line after the previous one's line (or that same line when
    same_line). Returns the first pattern not found, or None."""
    i = 0
    for pat in patterns:
        rx = re.compile(pat) if regex else None
        while i < len(lines):
            ok = rx.search(lines[i]) if regex else (pat in lines[i])
            i += 1
            if ok:
                if same_line:
                    i -= 1
                break
        else:
            return pat
    return None


def run_test(eddy, tdir, keep, verbose):
    name = os.path.basename(os.path.normpath(tdir))
    qpath = os.path.join(tdir, 'query.sql')
    with open(qpath, encoding='utf-8') as f:
        sql = f.read()
    spec = read_spec(sql)
    exp_path = os.path.join(tdir, 'expected.txt')
    err_path = os.path.join(tdir, 'expected_error.txt')
    expected = read_lines(exp_path) if os.path.exists(exp_path) else None
    expected_err = read_lines(err_path) if os.path.exists(err_path) else None
    if spec.exit is None:
        spec.exit = {1} if expected_err is not None else {0}

    tmp = tempfile.mkdtemp(prefix='eddy-golden-%s-' % name)
    failures = []
    log = []
    try:
        for entry in os.listdir(tdir):
            if entry in SPECIAL:
                continue
            src = os.path.join(tdir, entry)
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(tmp, entry))
            else:
                shutil.copy(src, os.path.join(tmp, entry))
        shutil.copy(qpath, os.path.join(tmp, 'query.sql'))

        first_out = None
        for run in range(spec.repeat):
            if run > 0 and spec.output:
                shutil.rmtree(os.path.join(tmp, spec.output), ignore_errors=True)
            rc, out, err, secs, note, cmd = run_eddy(eddy, tmp, spec)
            log.append('$ cd %s && %s   # exit %s, %.2f s%s' % (
                tmp, ' '.join(cmd), rc, secs, (', ' + note) if note else ''))
            if run == 0:
                first_out, first_err, first_rc = out, err, rc
            elif out != first_out:
                failures.append('run %d printed something else than run 1 (same seed, same input)'
                                % (run + 1))
                log.append('--- stdout of run %d:\n%s' % (run + 1, out))
        out, err, rc = first_out, first_err, first_rc

        if note.startswith('killed'):
            failures.append(note)
        if rc not in spec.exit:
            failures.append('exit code %s, expected %s' % (
                rc, ' or '.join(str(x) for x in sorted(spec.exit))))
        for t in spec.stderr_has:
            if t not in err:
                failures.append('stderr lacks: %s' % t)
        for t in spec.stderr_not:
            if t in err:
                failures.append('stderr has: %s' % t)
        if expected_err is not None:
            miss = check_in_order(expected_err, err.splitlines(), regex=False, same_line=True)
            if miss is not None:
                failures.append('stderr lacks (in order): %s' % miss)

        if expected is not None:
            if spec.output:
                got = files_output(os.path.join(tmp, spec.output))
                if got is None:
                    failures.append('no output folder %s' % spec.output)
                    got = []
            elif spec.match:
                got = clean_lines(out)
            else:
                got = [l for l in clean_lines(out) if ROW_RE.match(l)]
            got = [l for l in got if not any(rx.search(l) for rx in spec.ignore)]

            if spec.match:
                miss = check_in_order(expected, got, regex=(spec.match == 'regex'))
                if miss is not None:
                    failures.append('no line matches (in order): %s' % miss)
            else:
                if spec.changelog == 'final':
                    got, problems = apply_changelog(got)
                    failures += problems
                if spec.ordered:
                    if got != expected:
                        failures.append('rows differ (ordered)')
                        log.append('--- expected:\n' + '\n'.join(expected))
                        log.append('--- got:\n' + '\n'.join(got))
                else:
                    missing, extra = multiset_diff(expected, got)
                    if missing or extra:
                        failures.append('rows differ: %d missing, %d unexpected' % (
                            len(missing), len(extra)))
                        if missing:
                            log.append('--- missing (expected, not printed):\n' + '\n'.join(missing))
                        if extra:
                            log.append('--- unexpected (printed, not expected):\n' + '\n'.join(extra))

        if failures or verbose:
            log.append('--- stdout:\n' + out.rstrip())
            log.append('--- stderr:\n' + err.rstrip())
    finally:
        if keep:
            log.append('(kept %s)' % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return name, failures, log


def main():
    ap = argparse.ArgumentParser(description='Runs eddy golden SQL tests.')
    ap.add_argument('--eddy', required=True, help='the eddy binary')
    ap.add_argument('--all', action='store_true', help='run every test directory below each DIR')
    ap.add_argument('--keep', action='store_true', help='keep the temporary directories')
    ap.add_argument('-v', '--verbose', action='store_true', help='show output of passing tests')
    ap.add_argument('dirs', nargs='+')
    a = ap.parse_args()
    eddy = os.path.abspath(a.eddy)
    if not os.access(eddy, os.X_OK):
        print('golden.py: %s is not an executable' % eddy)
        return 2
    dirs = []
    for d in a.dirs:
        if a.all:
            dirs += sorted(os.path.join(d, x) for x in os.listdir(d)
                           if os.path.isfile(os.path.join(d, x, 'query.sql')))
        else:
            dirs.append(d)
    failed = []
    for d in dirs:
        if not os.path.isfile(os.path.join(d, 'query.sql')):
            print('golden.py: %s has no query.sql' % d)
            return 2
        name, failures, log = run_test(eddy, d, a.keep, a.verbose)
        if failures:
            failed.append(name)
            print('FAIL %s: %s' % (name, '; '.join(failures)))
        else:
            print('ok   %s' % name)
        if failures or a.verbose:
            for l in log:
                print('    ' + l.replace('\n', '\n    '))
    if len(dirs) > 1:
        print('%d passed, %d failed%s' % (len(dirs) - len(failed), len(failed),
                                          (': ' + ' '.join(failed)) if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
