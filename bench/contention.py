"""The embedded model under CPU contention: the seeds, idle and beside one CPU-bound process.

llama.cpp's threads spin while they wait for each other, so a run that shares its cores with
another busy process can slow far more than in proportion (measured before `--threads`: one seed
article 16 s -> about 300 s). This prints the wall time of `extract run seeds` with no cache:

- idle, default threads;
- beside one competing CPU-bound process, default threads;
- the same, with every core (`--threads` = the core count), the old behaviour.

Prints numbers only; it asserts nothing. Run it on an otherwise idle machine:
    .venv/bin/python bench/contention.py [--folder seeds]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _spin() -> None:
    while True:
        pass


def _timed_run(folder: Path, threads: int | None) -> float:
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-c", "from pipeline.cli import main; main()", "run", str(folder),
                   "--out", str(Path(out) / "run"), "--no-cache"]
        if threads is not None:
            command += ["--threads", str(threads)]
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path, default=ROOT / "seeds")
    parser.add_argument("--settle", type=float, default=65.0, help="seconds the competitor runs before timing")
    parser.add_argument("--skip-every-core", action="store_true", help="leave out the slow every-core run")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    print(f"{args.folder}: {cores} cores, load average now {os.getloadavg()[0]:.2f}")
    idle = _timed_run(args.folder, None)
    print(f"  idle, default threads:        {idle:6.1f} s")
    competitor = multiprocessing.Process(target=_spin, daemon=True)
    competitor.start()
    try:
        time.sleep(args.settle)
        print(f"  one CPU-bound process running; load average {os.getloadavg()[0]:.2f}")
        busy_default = _timed_run(args.folder, None)
        print(f"  busy, default threads:        {busy_default:6.1f} s  ({busy_default / idle:.1f}x idle)")
        if not args.skip_every_core:
            busy_all = _timed_run(args.folder, cores)
            print(f"  busy, --threads {cores} (every core): {busy_all:6.1f} s  ({busy_all / idle:.1f}x idle)")
    finally:
        competitor.terminate()
        competitor.join()
    print("  target (issue): busy <= 2.5x idle")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
