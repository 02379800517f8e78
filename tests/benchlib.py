#!/usr/bin/env python3
"""benchlib.py: the measurements of the benchmarks (bench.sh, bench-html.sh), through the
functions of benchlib.sh. python3 only.

  benchlib.py measure LABEL INPUT RUNS CMD...
      CMD < INPUT > /dev/null, RUNS times: "LABEL SIZE BEST_WALL PEAK_RSS_KIB".
  benchlib.py pipeline INPUT RUNS CMD... [:: CMD...]...
      each command X in the pipeline of `sh -c 'cat INPUT | X | cat >/dev/null'`, RUNS rounds
      (the commands take turns within a round); one line per command:
      "SIZE WALL_MIN WALL_MEDIAN USER_MIN USER_MEDIAN SYS_MIN PEAK_RSS_KIB".

Peak RSS is the high-water mark of the command's own memory. A child that python starts
takes python's high-water mark (about 14 MiB) with it through exec, so its ru_maxrss (wait4)
never reads below that: when ru_maxrss is above python's own, it is the figure (exact);
otherwise the figure is the command's VmHWM (/proc/PID/status), sampled every 5 ms until it
exits (it may miss what the last milliseconds add: a few hundred KiB at exit for winnow).
Where /proc is not there, ru_maxrss is the figure (an upper bound). CPU times come from
wait4 on the command's process alone.
"""
import os
import re
import resource
import statistics
import subprocess
import sys
import threading
import time


class Peak(threading.Thread):
    """Samples the VmHWM of a process until stopped."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.path = f'/proc/{pid}/status'
        self.kib = 0
        self.done = threading.Event()

    def run(self):
        while True:
            try:
                with open(self.path, 'rb') as f:
                    m = re.search(rb'\nVmHWM:\s+(\d+) kB', f.read())
                if m:
                    self.kib = max(self.kib, int(m.group(1)))
            except OSError:
                pass
            if self.done.wait(0.005):
                return


def watch(p):
    peak = Peak(p.pid)
    peak.start()
    return peak


def reap(p, peak=None):
    """Waits for p; returns its rusage and peak RSS (KiB)."""
    if peak is not None:
        # wait for the exit without reaping, so that the pid cannot be reused under the sampler
        os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
        peak.done.set()
        peak.join()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is exact when it is above python's own high-water mark (the floor it took with
    # it), and then it also counts the last milliseconds, which the samples may miss
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sampled = peak.kib if peak is not None else 0
    kib = max(sampled, ru.ru_maxrss) if ru.ru_maxrss > floor or not sampled else sampled
    return ru, kib


def measure(label, path, runs, cmd):
    size = os.path.getsize(path)
    best, rss = None, 0
    for _ in range(runs):
        with open(path, 'rb') as inp, open(os.devnull, 'wb') as out:
            t0 = time.perf_counter()
            p = subprocess.Popen(cmd, stdin=inp, stdout=out)
            peak = watch(p)
            _, kib = reap(p, peak)
            dt = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit(f'{label}: {cmd[0]} exited with status {p.returncode}')
        best = dt if best is None else min(best, dt)
        rss = max(rss, kib)
    print(f'{label} {size} {best:.6f} {rss}')


def pipeline(path, runs, cmds):
    size = os.path.getsize(path)
    res = [([], [], [], []) for _ in cmds]
    for _ in range(runs):
        for cmd, (walls, users, syss, rsss) in zip(cmds, res):
            with open(os.devnull, 'wb') as null:
                t0 = time.perf_counter()
                a = subprocess.Popen(['cat', path], stdout=subprocess.PIPE)
                b = subprocess.Popen(cmd, stdin=a.stdout, stdout=subprocess.PIPE)
                peak = watch(b)
                a.stdout.close()
                c = subprocess.Popen(['cat'], stdin=b.stdout, stdout=null)
                b.stdout.close()
                reap(a)
                ru, kib = reap(b, peak)
                reap(c)
                dt = time.perf_counter() - t0
            for p, what in ((a, 'cat'), (b, cmd[0]), (c, 'cat')):
                if p.returncode != 0:
                    sys.exit(f'pipeline: {what} exited with status {p.returncode} '
                             f'({" ".join(cmd)} on {path})')
            walls.append(dt)
            users.append(ru.ru_utime)
            syss.append(ru.ru_stime)
            rsss.append(kib)
    for walls, users, syss, rsss in res:
        print(f'{size} {min(walls):.6f} {statistics.median(walls):.6f} {min(users):.6f} '
              f'{statistics.median(users):.6f} {min(syss):.6f} {max(rsss)}')


def main(argv):
    if argv[:1] == ['measure']:
        measure(argv[1], argv[2], int(argv[3]), argv[4:])
    elif argv[:1] == ['pipeline']:
        cmds, cur = [], []
        for a in argv[3:]:
            if a == '::':
                cmds.append(cur)
                cur = []
            else:
                cur.append(a)
        cmds.append(cur)
        pipeline(argv[1], int(argv[2]), cmds)
    else:
        sys.exit(__doc__)


main(sys.argv[1:])
