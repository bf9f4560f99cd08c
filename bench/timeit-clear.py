#!/usr/bin/env python3
"""A timer for ../shared/bench/run.sh (its BENCH_TIMER hook) that deletes each
run's output before the next run starts.

    BENCH_TIMER="python3 bench/timeit-clear.py" bash ../shared/bench/run.sh N

run.sh times every tool as `.../fresh.sh SCRATCH CMD...`, each run writing
into a new folder under SCRATCH. Its own timer (timeit.py, beside fresh.sh)
leaves every run's output in place until the last run ends, so each run of a
tool writes while all its earlier runs' output is still in memory (on
tmpfs); a tool that writes 1 GB a run then works with several GB more in use
than one that writes 200 MB, and the kernel's work to create files and take
pages grows with it (docs/performance.md, "Session 16").

This timer has the harness's own timer measure each run (`timeit.py -n 1
--warmup 0`, so the numbers are taken exactly as it takes them), deletes
everything under SCRATCH after each run, outside the timed span, and prints
the rows the harness reads (`A exit`, `A wall s`, `A cpu s`, `A peak MiB`:
min, median, max over the counted runs). Every run of every tool starts from
the same state.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time


def clear(scratch):
    """Delete everything inside `scratch` (not `scratch` itself)."""
    for name in os.listdir(scratch):
        path = os.path.join(scratch, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


def one_run(timer, cmd, timeout):
    """(exit code, wall, cpu, peak) of one run measured by the harness's
    timer, or None when it reports no finished run."""
    out = subprocess.run(
        [sys.executable, timer, "-n", "1", "--warmup", "0", "--timeout", "%.3f" % timeout, "--"] + cmd,
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
    ).stdout
    code, values = None, {}
    for line in out.splitlines():
        words = line.split()
        if words[:2] == ["A", "exit"]:
            code = int(words[2])
        for name in ("wall", "cpu", "peak"):
            if words[:2] == ["A", name]:
                values[name] = float(words[-2])  # the median of one run
    if code is None or len(values) != 3:
        return None
    return code, values["wall"], values["cpu"], values["peak"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=100)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if len(cmd) < 3 or os.path.basename(cmd[0]) != "fresh.sh":
        ap.error("expected the command run.sh times: .../fresh.sh SCRATCH CMD...")
    scratch = cmd[1]
    timer = os.path.join(os.path.dirname(cmd[0]), "timeit.py")
    if not os.path.isdir(scratch) or not os.path.isfile(timer):
        ap.error("no %s or no %s beside fresh.sh" % (scratch, timer))
    deadline = time.monotonic() + a.timeout
    rows, codes = [], []
    print("A = %s" % " ".join(cmd))
    for i in range(a.warmup + a.n):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        run = one_run(timer, cmd, left)
        clear(scratch)
        if run is None:
            break
        if i >= a.warmup:
            codes.append(run[0])
            rows.append(run[1:])
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
