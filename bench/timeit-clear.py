#!/usr/bin/env python3
"""A timer for ../shared/bench/run.sh (its BENCH_TIMER hook) that deletes each
run's output before the next run starts.

    BENCH_TIMER="python3 bench/timeit-clear.py" bash ../shared/bench/run.sh N

It times a command as the harness's own timer does (wall time on a monotonic
clock from start to reap; CPU = user + system and peak = ru_maxrss of the
reaped child, from os.wait4) and prints the same rows (`A exit`, `A wall s`,
`A cpu s`, `A peak MiB`: min, median, max). The one difference: when the
command is `.../fresh.sh SCRATCH CMD...` (how run.sh times every tool, each
run writing into a new folder under SCRATCH), everything under SCRATCH is
deleted after each run, outside the timed span. The default timer leaves
every run's output in place until the last run ends, so each run of a tool
writes while all its earlier runs' output is still in memory (on tmpfs); a
tool that writes 1 GB a run then works with several GB more in use than one
that writes 200 MB, and the kernel's work to create files and take pages
grows with it (docs/performance.md, "Session 16"). With this timer every
run of every tool starts from the same state.
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time


def clear(scratch):
    """Delete everything inside `scratch` (not `scratch` itself)."""
    for name in os.listdir(scratch):
        path = os.path.join(scratch, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=100)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command")
    scratch = cmd[1] if len(cmd) > 1 and os.path.basename(cmd[0]) == "fresh.sh" else None
    if scratch is not None and not os.path.isdir(scratch):
        ap.error("fresh.sh's scratch folder %s does not exist" % scratch)
    deadline = time.monotonic() + a.timeout
    rows, codes = [], []
    print("A = %s" % " ".join(cmd))
    for i in range(a.warmup + a.n):
        if time.monotonic() > deadline:
            break
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        left = deadline - time.monotonic()
        killer = threading.Timer(max(left, 0.001), lambda: os.killpg(p.pid, signal.SIGKILL))
        killer.start()
        _, status, ru = os.wait4(p.pid, 0)
        killer.cancel()
        wall = time.monotonic() - t0
        if scratch is not None:
            clear(scratch)
        if i >= a.warmup:
            codes.append(os.waitstatus_to_exitcode(status))
            rows.append((wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0))
    if not rows:
        print("no run finished")
        return 3
    ok = sum(1 for c in codes if c == 0)
    print("A exit %s (%d of %d)" % (0 if ok == len(codes) else
                                    sorted(set(c for c in codes if c))[0], ok, len(codes)))
    print("%-14s %11s %11s %11s" % ("", "min", "median", "max"))
    for name, k, fmt in (("A wall s", 0, "%.3f"), ("A cpu s", 1, "%.3f"), ("A peak MiB", 2, "%.1f")):
        v = [r[k] for r in rows]
        print("%-14s %11s %11s %11s" % (name, fmt % min(v), fmt % statistics.median(v), fmt % max(v)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
