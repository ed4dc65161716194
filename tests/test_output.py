"""The run folder: layout, the one reader, the lock, permissions and leftovers of a killed write."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.output import RunFolderBusy, RunReadError, locked_run_dir, read_run
from pipeline.run import RunResult, RunSettings, run_extraction
from schemas import RECORD_TYPES

ROOT = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 30  # bound on waiting for the helper process; it normally answers in well under a second


def _run(articles_dir: Path, out: Path, make_fake: Callable[..., Any]) -> RunResult:
    return run_extraction(articles_dir, out, RunSettings(use_cache=False), backend=make_fake())


def test_records_are_apart_from_the_side_files(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    run_dir = _run(articles_dir, tmp_path / "run", make_fake).run_dir
    assert sorted(p.name for p in (run_dir / "records").iterdir()) == sorted(f"{t}.jsonl" for t in RECORD_TYPES)
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "manifest.json", "parts", "records", "rejects.jsonl", "responses.jsonl", "texts"  # parts/: pipeline.progress
    ]
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["run_id"]) == 32
    texts = [entry["text"] for entry in manifest["inputs"]]  # the documents' texts the offsets refer to
    assert sorted(manifest["files"]) == sorted(
        [f"records/{t}.jsonl" for t in RECORD_TYPES] + ["rejects.jsonl", "responses.jsonl", *texts]
    )


def test_read_run_gives_manifest_records_per_type_and_rejects(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    result = _run(articles_dir, tmp_path / "run", make_fake)
    run = read_run(result.run_dir)
    assert run.manifest == result.manifest
    assert {t: [r.record_type for r in records] for t, records in run.records.items()} == {t: [t] for t in RECORD_TYPES}
    assert len(run.all_records) == 4
    assert run.rejects and all("reason" in row for row in run.rejects)


def test_read_run_names_an_incomplete_run_and_an_invalid_line(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    run_dir = _run(articles_dir, tmp_path / "run", make_fake).run_dir
    (run_dir / "manifest.json").unlink()
    with pytest.raises(RunReadError, match=r"incomplete run: no manifest\.json"):
        read_run(run_dir)
    assert len(read_run(run_dir, require_manifest=False).all_records) == 4
    (run_dir / "records" / "quote.jsonl").write_text("{}\n", encoding="utf-8")
    with pytest.raises(RunReadError) as caught:
        read_run(run_dir, require_manifest=False)
    assert caught.value.problems[0].startswith(f"{run_dir / 'records' / 'quote.jsonl'}:1:")


def test_output_files_follow_the_umask(articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]) -> None:
    previous = os.umask(0o027)
    try:
        run_dir = _run(articles_dir, tmp_path / "run", make_fake).run_dir
    finally:
        os.umask(previous)
    files = [*run_dir.iterdir(), *(run_dir / "records").iterdir(), *(run_dir / "texts").iterdir(),
             *(run_dir / "parts").iterdir()]
    modes = {p.name: p.stat().st_mode & 0o777 for p in files}
    assert modes.pop("records") == modes.pop("texts") == modes.pop("parts") == 0o750
    assert set(modes.values()) == {0o640}, modes


def test_temporary_files_of_a_killed_write_are_removed_by_the_next_run(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    run_dir = tmp_path / "run"
    (run_dir / "records").mkdir(parents=True)
    stale = [run_dir / ".rejects.jsonl.0badf00d.tmp", run_dir / "records" / ".quote.jsonl.1234abcd.tmp"]
    for path in stale:
        path.write_text("half a line", encoding="utf-8")
    unrelated = run_dir / "notes.tmp"
    unrelated.write_text("the user's own file", encoding="utf-8")
    _run(articles_dir, run_dir, make_fake)
    assert not any(path.exists() for path in stale)
    assert unrelated.exists()  # only the run's own temporary files are removed
    hidden = [p.name for p in [*run_dir.iterdir(), *(run_dir / "records").iterdir()] if p.name.startswith(".")]
    assert hidden == []


def test_a_run_into_a_folder_of_the_older_layout_replaces_its_top_level_record_files(
    articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    for record_type in RECORD_TYPES:
        (run_dir / f"{record_type}.jsonl").write_text("", encoding="utf-8")
    _run(articles_dir, run_dir, make_fake)
    assert sorted(p.name for p in run_dir.glob("*.jsonl")) == ["rejects.jsonl", "responses.jsonl"]


def test_a_run_that_fails_before_writing_leaves_no_empty_folder(articles_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown record type"):
        run_extraction(articles_dir, tmp_path / "never", RunSettings(use_cache=False, record_types=["nope"]))
    assert not (tmp_path / "never").exists()


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """Another process holding the run folder's lock until it is told to stop (or killed)."""
    run_dir = tmp_path / "busy"
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from pipeline.output import locked_run_dir
        with locked_run_dir(Path({str(run_dir)!r})):
            print("locked", flush=True)
            sys.stdin.readline()
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], WAIT_SECONDS)
        assert ready, "the helper process did not take the lock in time"
        assert process.stdout.readline().strip() == "locked"
        yield process, run_dir
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=WAIT_SECONDS)


def test_a_second_run_on_a_locked_folder_refuses_with_one_line_and_exit_2(
    holder: tuple[subprocess.Popen[str], Path], articles_dir: Path, make_fake: Callable[..., Any]
) -> None:
    process, run_dir = holder
    with pytest.raises(RunFolderBusy, match="another extract run is writing this folder"):
        _run(articles_dir, run_dir, make_fake)
    result = CliRunner().invoke(
        app, ["run", str(articles_dir), "--out", str(run_dir), "--backend", "replay", "--model", str(run_dir)]
    )
    assert result.exit_code == 2, result.output
    assert "another extract run is writing this folder" in result.output
    assert "Traceback" not in result.output
    assert not (run_dir / "manifest.json").exists()  # the refused run wrote nothing
    assert process.stdin is not None
    process.stdin.write("done\n")
    process.stdin.flush()
    assert process.wait(timeout=WAIT_SECONDS) == 0
    assert _run(articles_dir, run_dir, make_fake).counts == dict.fromkeys(RECORD_TYPES, 1)  # free again


def test_the_lock_of_a_killed_run_does_not_block_the_next(
    holder: tuple[subprocess.Popen[str], Path], articles_dir: Path, make_fake: Callable[..., Any]
) -> None:
    process, run_dir = holder
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=WAIT_SECONDS)
    with locked_run_dir(run_dir):
        pass
    assert _run(articles_dir, run_dir, make_fake).counts == dict.fromkeys(RECORD_TYPES, 1)
