"""Scale: memory and time per document as the corpus grows, throughput against a served model with a
fixed latency for each --concurrency, and a run killed mid-way and resumed. Prints; never asserts.

    python bench/scale.py                      # everything (about 10-20 minutes on 2 busy cores)
    python bench/scale.py --sizes 100 1000     # smaller corpora only
    python bench/scale.py --skip-memory        # throughput and resume only
    python bench/scale.py --skip-memory --skip-throughput   # the interrupt-and-resume check only

The corpora are copies of our own article sets (tests/articles*, each file copied under new names,
so every copy has its own ids) answered by their recorded model answers: `--backend replay` for
memory and time, and for throughput a loopback OpenAI-compatible server
(tests/slow_openai_server.py) that answers from the same recordings after a fixed latency.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this checkout's pipeline, and the test server

from pipeline.progress import PARTS  # noqa: E402
from pipeline.run import RunSettings, run_extraction  # noqa: E402

SETS = ("articles", "articles2", "articles3", "articles4", "articles5")
LATENCY = 0.3  # seconds per request at the fake server
CONCURRENCIES = (1, 2, 4, 8, 16, 32)
MEMORY_TARGET_MB = 1024
SPEEDUP_TARGET = 0.8  # of N, up to N = 16
DOCUMENTS_PER_WORKER = 8  # enough that the last, longest documents do not decide the rate


def corpus(folder: Path, size: int) -> Path:
    """`size` documents: our own articles, copied round-robin under new names, with their date sidecars."""
    sources = [p for name in SETS for p in sorted((ROOT / "tests" / name).glob("*.txt"))]
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(size):
        source = sources[n % len(sources)]
        name = f"{n:05d}_{source.stem}"
        shutil.copyfile(source, folder / f"{name}.txt")
        sidecar = source.with_name(source.stem + ".meta.json")
        if sidecar.exists():
            shutil.copyfile(sidecar, folder / f"{name}.meta.json")
    return folder


def recording(scratch: Path) -> Path:
    """One responses.jsonl holding the recorded answers of every set."""
    path = scratch / "recording.responses.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for name in SETS:
            out.write((ROOT / "tests" / "recordings" / f"{name}.responses.jsonl").read_text(encoding="utf-8"))
    return path


# --- memory and time per document ---------------------------------------------------------------------


def measure_size(size: int) -> dict[str, Any]:
    """In a child process (so that peak memory is this size's alone)."""
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        folder = corpus(scratch / "in", size)
        settings = RunSettings(backend="replay", model=str(recording(scratch)), use_cache=False)
        # Warm up: the language pipeline loads once per process; s/doc is the per-document cost after it.
        run_extraction(corpus(scratch / "warm-up", 2), scratch / "warm-up-run", settings)
        started, cpu = time.perf_counter(), time.process_time()
        result = run_extraction(folder, scratch / "run", settings, on_document=lambda _: forget_parses())
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return {
            "documents": size,
            "records": sum(result.counts.values()),
            "failed": result.failed_documents,
            "seconds_per_document": seconds / size,
            "cpu_per_document": cpu / size,
            "peak_rss_mb": peak_kb / 1024,
        }


def forget_parses() -> None:
    """The corpus repeats two dozen articles; without this the parse cache would serve the copies, and a
    copy would cost less than a new article does."""
    from pipeline.language import parse
    from pipeline.text import sentences

    parse._parse.cache_clear()
    sentences.cache_clear()


def memory_and_time(sizes: list[int]) -> None:
    print("\n== Memory and time per document (replay backend, no response cache) ==")
    print(f"{'documents':>10} {'records':>8} {'s/doc':>7} {'cpu s/doc':>9} {'peak RSS':>9}")
    for size in sizes:
        child = subprocess.run(
            [sys.executable, __file__, "--child-size", str(size)], capture_output=True, text=True, check=False
        )
        if child.returncode != 0:
            print(f"{size:>10} FAILED: {child.stderr.strip().splitlines()[-1:]}")
            continue
        row = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            f"{row['documents']:>10} {row['records']:>8} {row['seconds_per_document']:>7.3f} "
            f"{row['cpu_per_document']:>9.3f} {row['peak_rss_mb']:>7.0f} MB",
            flush=True,
        )
    print(f"target: peak RSS at most {MEMORY_TARGET_MB} MB at 10,000 documents; s/doc flat as the corpus grows")


# --- throughput against a served model ------------------------------------------------------------------


class Server:
    """tests/slow_openai_server.py in its own process, so that it takes no time from the run's interpreter."""

    def __init__(self, answers: Path, latency: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "slow_openai_server.py"), "--latency", str(latency),
             "--recording", str(answers)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def served(server: Server, concurrency: int, **overrides: Any) -> RunSettings:
    return RunSettings(
        backend="openai", model="slow", base_url=server.base_url, strategy="slots", use_cache=False,
        concurrency=concurrency, **overrides,
    )


def throughput(scratch: Path, server: Server) -> dict[int, Path]:
    print(f"\n== Documents per second against a loopback server answering every request in {LATENCY * 1000:.0f} ms ==")
    print(f"{'N':>3} {'docs':>5} {'docs/s':>7} {'speedup':>8} {'target':>7} {'calls/doc':>9} "
          f"{'model s/doc':>11} {'cpu s/doc':>9}")
    base: float | None = None
    runs: dict[int, Path] = {}
    # Warm up (the language pipeline and the registry load once per process), so N = 1 is not charged for it.
    run_extraction(corpus(scratch / "warm-up", 2), scratch / "warm-up-run", served(server, 1))
    for concurrency in CONCURRENCIES:
        size = max(8, DOCUMENTS_PER_WORKER * concurrency)
        folder = corpus(scratch / f"served-{size}", size) if not (scratch / f"served-{size}").exists() else (
            scratch / f"served-{size}"
        )
        run_dir = scratch / f"served-run-{concurrency}"
        started, cpu = time.perf_counter(), time.process_time()
        result = run_extraction(folder, run_dir, served(server, concurrency))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        runs[concurrency] = run_dir
        rate = size / seconds
        base = base or rate
        calls = result.manifest["model_calls"]["calls"] / size
        target = f"{SPEEDUP_TARGET * concurrency:.1f}" if concurrency <= 16 else "-"
        print(
            f"{concurrency:>3} {size:>5} {rate:>7.2f} {rate / base:>7.2f}x {target:>7} {calls:>9.1f} "
            f"{calls * LATENCY:>11.2f} {cpu / size:>9.3f}",
            flush=True,
        )
    print("model s/doc: the server's waiting per document (calls x latency); cpu s/doc: this process's own CPU")
    return runs


# --- interrupt and resume ---------------------------------------------------------------------------------


def interrupt_and_resume(scratch: Path, server: Server) -> None:
    print("\n== SIGKILL a run mid-way, then --resume ==")
    size, concurrency = 32, 4
    folder = corpus(scratch / "resume-in", size)
    killed = scratch / "killed"
    command = [sys.executable, "-c", "from pipeline.cli import main; main()", "run", str(folder), "--out",
               str(killed), "--backend", "openai", "--model", "slow", "--base-url", server.base_url,
               "--strategy", "slots", "--no-cache", "--concurrency", str(concurrency)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        if (killed / PARTS).is_dir() and len(list((killed / PARTS).glob("*.part.json"))) >= size // 3:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    kept = len(list((killed / PARTS).glob("*.part.json")))
    print(f"killed with {kept} of {size} documents finished; manifest present: {(killed / 'manifest.json').exists()}")
    started = time.perf_counter()
    resumed = run_extraction(folder, killed, served(server, concurrency, resume=True))
    print(f"--resume: read {size - resumed.manifest['engine']['documents_reused']} documents in "
          f"{time.perf_counter() - started:.1f} s, kept {resumed.manifest['engine']['documents_reused']}")
    clean = run_extraction(folder, scratch / "clean", served(server, concurrency))
    same = outputs(killed) == outputs(clean.run_dir)
    print(f"records, rejects and responses identical to an uninterrupted run: {'yes' if same else 'NO'} "
          f"({sum(clean.counts.values())} records)")


def outputs(run_dir: Path) -> dict[str, str]:
    return {
        str(p.relative_to(run_dir)): p.read_text(encoding="utf-8")
        for p in sorted(run_dir.rglob("*.jsonl"))
        if PARTS not in p.relative_to(run_dir).parts
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1_000, 10_000])
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--child-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_size:
        print(json.dumps(measure_size(args.child_size)))
        return
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other work shares them)")
    if not args.skip_memory:
        memory_and_time(args.sizes)
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        server = Server(recording(scratch), LATENCY)
        try:
            if not args.skip_throughput:
                throughput(scratch, server)
            interrupt_and_resume(scratch, server)
        finally:
            server.close()


if __name__ == "__main__":
    main()
