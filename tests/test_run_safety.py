"""Runs you can trust: a run folder holds one run (and what was made from it), a stopped run names every
input, SIGINT and SIGTERM stop cleanly, the retrier is thread-safe, and a document's model calls are
bounded. Invented articles and fake or loopback backends only; every wait is bounded."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ARTICLE_ANSWERS, BLACK_SEA_DRILL, GEORGIAN_AID
from slow_openai_server import SlowServer, canned_answer
from typer.testing import CliRunner

from pipeline.backends.base import BackendError, BackendUnavailable
from pipeline.backends.reliability import RequestFailed, Retrier, RetryPolicy
from pipeline.cli import app
from pipeline.export import export_run
from pipeline.review import write_review
from pipeline.run import RunSettings, run_extraction
from pipeline.validate import validate_files

ROOT = Path(__file__).resolve().parent.parent


def _problems(run_dir: Path) -> list[str]:
    return [str(error) for error in validate_files([run_dir]).errors]


def _manifest(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def _record_ids(run_dir: Path) -> list[str]:
    return sorted(
        json.loads(line)["id"]
        for path in (run_dir / "records").glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    )


# --- A run folder holds one run ------------------------------------------------------------------------


def test_a_run_viewed_and_exported_validates(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    # What `make run` does (run, view, export) leaves a folder that validates.
    run_dir = run_extraction(articles_dir, tmp_path / "run", RunSettings(use_cache=False), backend=make_fake()).run_dir
    write_review(run_dir)
    export_run(run_dir, "csv")
    export_run(run_dir, "parquet")
    assert _problems(run_dir) == []
    exported = json.loads((run_dir / "export" / "manifest.json").read_text(encoding="utf-8"))
    assert exported["run_id"] == _manifest(run_dir)["run_id"]
    assert {"quote.csv", "quote.parquet", "spans.csv"} <= set(exported["files"])


def test_a_new_run_into_an_old_run_folder_leaves_nothing_of_the_old_run(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    run_dir = tmp_path / "run"
    run_extraction(articles_dir, run_dir, RunSettings(use_cache=False), backend=make_fake())
    write_review(run_dir)
    export_run(run_dir, "csv")
    (articles_dir / "georgian_aid.txt").unlink()
    (articles_dir / "georgian_aid.meta.json").unlink()
    run_extraction(articles_dir, run_dir, RunSettings(use_cache=False), backend=make_fake())
    assert not (run_dir / "export").exists(), "the old run's tables are gone"
    assert not (run_dir / "review.html").exists(), "the old run's page is gone"
    assert [p.name for p in (run_dir / "texts").iterdir()] == ["black_sea_drill.txt"]
    assert len(list((run_dir / "parts").iterdir())) == 1
    assert _problems(run_dir) == []


def test_validate_names_what_is_not_this_runs(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    old = tmp_path / "old"
    run_extraction(articles_dir, old, RunSettings(use_cache=False), backend=make_fake())
    write_review(old)
    export_run(old, "csv")
    run_dir = run_extraction(articles_dir, tmp_path / "run", RunSettings(use_cache=False), backend=make_fake()).run_dir
    run_id = _manifest(run_dir)["run_id"]
    # The leftovers F4 found: an earlier run's page and tables, texts and parts of other documents.
    shutil.copy(old / "review.html", run_dir / "review.html")
    shutil.copytree(old / "export", run_dir / "export")
    (run_dir / "texts" / "gone.txt").write_text("an article no longer read\n", encoding="utf-8")
    part = next((old / "parts").iterdir())
    shutil.copy(part, run_dir / "parts" / ("x" + part.name))
    (run_dir / "notes").mkdir()
    (run_dir / "notes" / "todo.txt").write_text("?\n", encoding="utf-8")
    problems = _problems(run_dir)

    def named(path: Path, *words: str) -> bool:
        return any(p.startswith(str(path)) and all(w in p for w in words) for p in problems)

    assert named(run_dir / "review.html", "stale", "made from run", run_id)
    assert named(run_dir / "export", "stale", "export was made from run", run_id)
    assert named(run_dir / "texts" / "gone.txt", f"not part of run {run_id}")
    assert named(run_dir / "parts", f"not part of run {run_id}")
    assert named(run_dir / "notes", "folder", f"not part of run {run_id}")
    assert len(problems) == 5, problems

    # This run's own page and export, then an edited table and a stray file in export/.
    shutil.rmtree(run_dir / "export")
    (run_dir / "review.html").unlink()
    shutil.rmtree(run_dir / "notes")
    (run_dir / "texts" / "gone.txt").unlink()
    (run_dir / "parts" / ("x" + part.name)).unlink()
    write_review(run_dir)
    export_run(run_dir, "csv")
    assert _problems(run_dir) == []
    with (run_dir / "export" / "quote.csv").open("a", encoding="utf-8") as handle:
        handle.write("tampered\n")
    (run_dir / "export" / "extra.csv").write_text("a\n", encoding="utf-8")
    problems = _problems(run_dir)
    assert named(run_dir / "export" / "quote.csv", "sha256 differs")
    assert named(run_dir / "export" / "extra.csv", "does not list it")


def test_a_folder_that_is_not_a_run_is_never_cleared(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    folder = tmp_path / "mine"
    (folder / "export").mkdir(parents=True)
    (folder / "export" / "keep.csv").write_text("mine\n", encoding="utf-8")
    run_extraction(articles_dir, folder, RunSettings(use_cache=False), backend=make_fake())
    assert (folder / "export" / "keep.csv").read_text(encoding="utf-8") == "mine\n"


# --- A stopped run names every input ------------------------------------------------------------------


def test_a_run_stopped_at_the_start_lists_every_input_with_its_state(
    mixed_dir: tuple[Path, dict[str, str]], tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    folder, bad = mixed_dir
    down = make_fake(raise_on={"": BackendUnavailable("the server cannot be reached")})
    with pytest.raises(BackendUnavailable):
        run_extraction(folder, tmp_path / "run", RunSettings(use_cache=False), backend=down)
    manifest = _manifest(tmp_path / "run")
    states = {Path(entry["path"]).name: entry["status"] for entry in manifest["inputs"]}
    assert states == {
        "binary.txt": "rejected", "black_sea_drill.txt": "not done", "empty.txt": "rejected",
        "georgian_aid.txt": "not done", "latin1.txt": "rejected",
    }
    assert manifest["stopped"]["documents_not_done"] == 2
    reasons = {Path(e["path"]).name: e["reason"] for e in manifest["inputs"] if e["status"] == "rejected"}
    for name, word in bad.items():
        assert word in reasons[name]
    rejects = [json.loads(line) for line in (tmp_path / "run" / "rejects.jsonl").read_text().splitlines()]
    assert sorted(Path(r["path"]).name for r in rejects) == sorted(bad)
    assert _problems(tmp_path / "run") == []


def test_a_run_stopped_midway_names_the_documents_it_did_not_reach(
    mixed_dir: tuple[Path, dict[str, str]], tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    folder, _ = mixed_dir
    (folder / "zz_last.txt").write_bytes(b"ends with a NUL \x00 byte")
    down = make_fake(raise_on={"thermal imaging cameras": BackendUnavailable("the server went away")})
    with pytest.raises(BackendUnavailable):
        run_extraction(folder, tmp_path / "run", RunSettings(use_cache=False), backend=down)
    inputs = _manifest(tmp_path / "run")["inputs"]
    states = {Path(entry["path"]).name: entry["status"] for entry in inputs}
    assert states["black_sea_drill.txt"] == "ok"
    assert states["georgian_aid.txt"] == "not done"
    assert states["zz_last.txt"] == "rejected"
    assert "NUL" in next(e["reason"] for e in inputs if e["path"].endswith("zz_last.txt"))


# --- The retrier under concurrency ---------------------------------------------------------------------


class _MeetingRandom:
    """A jitter source that holds each caller until `parties` callers are inside it (at most 2 s):
    threads that checked the retry budget together reach the point where they spend it together."""

    def __init__(self, parties: int) -> None:
        self.parties = parties
        self.inside = 0
        self.condition = threading.Condition()

    def uniform(self, low: float, high: float) -> float:
        with self.condition:
            self.inside += 1
            self.condition.notify_all()
            self.condition.wait_for(lambda: self.inside >= self.parties, timeout=2)
        return 0.0


def test_the_retry_budget_holds_when_threads_fail_together() -> None:
    threads = 4
    retrier = Retrier(RetryPolicy(attempts=2, run_budget=1, failures_at_start=100), sleep=lambda s: None)
    retrier.rng = _MeetingRandom(threads)  # type: ignore[assignment]

    def failing() -> str:
        raise RequestFailed("HTTP 503", retryable=True)

    def request() -> None:
        with pytest.raises(BackendError):
            retrier.call(failing)

    workers = [threading.Thread(target=request) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert retrier.retries_used == 1, "the run's retry budget of 1 was overspent"
    assert retrier.failed_in_a_row == threads
    assert sum("; retrying in" in line for line in retrier.log) == 1


# --- A bound on a document's model calls ---------------------------------------------------------------


def test_a_document_needing_more_model_calls_than_allowed_is_rejected_alone(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    unlimited = make_fake()
    run_extraction(articles_dir, tmp_path / "all", RunSettings(use_cache=False, max_model_calls=0), backend=unlimited)
    calls = {doc: sum(text in source for _, text in unlimited.asked)
             for doc, source in (("black_sea_drill", BLACK_SEA_DRILL), ("georgian_aid", GEORGIAN_AID))}
    limit = min(calls.values()) + (max(calls.values()) - min(calls.values())) // 2
    assert min(calls.values()) <= limit < max(calls.values())
    fake = make_fake()
    result = run_extraction(
        articles_dir, tmp_path / "run", RunSettings(use_cache=False, max_model_calls=limit), backend=fake
    )
    rejected = [d for d in result.documents if d.error]
    heavy = max(calls, key=lambda doc: calls[doc])
    assert [(d.doc_id, d.error) for d in rejected] == [
        (heavy, f"more than {limit} model calls; raise --max-model-calls")
    ]
    assert len(fake.prompts) == calls[min(calls, key=lambda doc: calls[doc])] + limit, "no call beyond the limit"
    kept = [d for d in result.documents if not d.error]
    assert kept and all(d.records > 0 for d in kept), "the other document's records are kept"


def test_the_call_limit_counts_per_document_under_concurrency(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(3):
        (folder / f"drill_{n}.txt").write_text(BLACK_SEA_DRILL, encoding="utf-8")
    answer = lambda prompt: canned_answer(prompt, ARTICLE_ANSWERS)  # noqa: E731
    with SlowServer(answer, latency=0.0) as server:
        settings = dict(backend="openai", model="slow", base_url=server.base_url, strategy="slots", use_cache=False)
        whole = run_extraction(folder, tmp_path / "whole", RunSettings(**settings, concurrency=3))
        per_document = whole.manifest["model_calls"]["calls"] // 3
        assert whole.failed_documents == 0 and per_document > 1
        enough = run_extraction(
            folder, tmp_path / "enough", RunSettings(**settings, concurrency=3, max_model_calls=per_document)
        )
        short = run_extraction(
            folder, tmp_path / "short", RunSettings(**settings, concurrency=3, max_model_calls=per_document - 1)
        )
    assert enough.failed_documents == 0, "three documents in flight share no count"
    assert short.failed_documents == 3


def test_max_model_calls_is_checked_on_the_command_line(articles_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [
        "run", str(articles_dir), "--out", str(tmp_path / "r"), "--backend", "replay", "--max-model-calls", "-1",
    ])
    assert result.exit_code == 2
    assert "--max-model-calls -1 must be 0 (no limit) or more" in result.output


# --- SIGINT and SIGTERM --------------------------------------------------------------------------------


@pytest.mark.parametrize(("stop_signal", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_run_keeps_finished_documents_and_resume_finishes(
    tmp_path: Path, stop_signal: int, exit_code: int
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(4):
        (folder / f"drill_{n}.txt").write_text(BLACK_SEA_DRILL, encoding="utf-8")
        (folder / f"aid_{n}.txt").write_text(GEORGIAN_AID, encoding="utf-8")
    run_dir = tmp_path / "run"
    parts = run_dir / "parts"
    signalled = threading.Event()

    def answer(prompt: str) -> str:
        # Once a document is kept, hold every answer until the signal is sent (at most 60 s): the
        # run cannot finish before it, however fast this machine is.
        if parts.is_dir() and any(parts.glob("*.part.json")):
            signalled.wait(timeout=60)
        return canned_answer(prompt, ARTICLE_ANSWERS)

    with SlowServer(answer, latency=0.0) as server:
        command = [
            sys.executable, "-c", "from pipeline.cli import main; main()", "run", str(folder), "--out", str(run_dir),
            "--backend", "openai", "--model", "slow", "--base-url", server.base_url, "--strategy", "slots",
            "--no-cache", "--concurrency", "2",
        ]
        env = {**os.environ, "COLUMNS": "200"}
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            for _ in range(1200):  # at most 120 s for the first document
                if (parts.is_dir() and any(parts.glob("*.part.json"))) or process.poll() is not None:
                    break
                threading.Event().wait(0.1)
            assert process.poll() is None, process.communicate()
            process.send_signal(stop_signal)
            signalled.set()
            _, stderr = process.communicate(timeout=120)
        finally:
            signalled.set()
            if process.poll() is None:
                process.kill()
        assert process.returncode == exit_code, stderr
        line = re.search(r"interrupted: (\d+) of 8 documents done and kept in (\S+); run again with --resume to finish",
                         stderr)
        assert line, stderr
        assert "Traceback" not in stderr
        kept = list(parts.glob("*.part.json"))
        assert 1 <= int(line.group(1)) == len(kept) < 8
        assert line.group(2) == str(parts)
        assert not (run_dir / "manifest.json").exists(), "an interrupted run must not look complete"
        assert not [p for p in run_dir.rglob(".*") if p.is_file()], "no temporary file is left"
        for part in kept:
            json.loads(part.read_text(encoding="utf-8"))  # whole, never half-written

        resumed = subprocess.run(
            [*command, "--resume"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert resumed.returncode == 0, resumed.stderr
        assert _manifest(run_dir)["engine"]["documents_reused"] == len(kept)
        clean = run_extraction(
            folder, tmp_path / "clean",
            RunSettings(backend="openai", model="slow", base_url=server.base_url, strategy="slots", use_cache=False),
        )
    assert _record_ids(run_dir) == _record_ids(clean.run_dir) and _record_ids(run_dir)
    assert _problems(run_dir) == []
