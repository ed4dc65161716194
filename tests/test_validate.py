"""`extract validate` on tampered run folders: every kind of tampering is named, by file and line."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.run import RunSettings, run_extraction
from pipeline.validate import ValidationReport, validate_files
from schemas import RECORD_TYPES


@pytest.fixture
def run_dir(articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]) -> Path:
    """A clean run over the two invented articles: one record of each type."""
    result = run_extraction(articles_dir, tmp_path / "run", RunSettings(use_cache=False), backend=make_fake())
    assert result.counts == dict.fromkeys(RECORD_TYPES, 1)
    return result.run_dir


def _lines(run_dir: Path, record_type: str) -> list[str]:
    return (run_dir / "records" / f"{record_type}.jsonl").read_text(encoding="utf-8").splitlines()


def _rewrite(run_dir: Path, record_type: str, lines: list[str]) -> Path:
    path = run_dir / "records" / f"{record_type}.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _edit_record(run_dir: Path, record_type: str, edit: Callable[[dict[str, Any]], None]) -> Path:
    record = json.loads(_lines(run_dir, record_type)[0])
    edit(record)
    return _rewrite(run_dir, record_type, [json.dumps(record, ensure_ascii=False)])


def _messages(report: ValidationReport) -> list[str]:
    return [str(error) for error in report.errors]


def _has(report: ValidationReport, prefix: str, *words: str) -> bool:
    return any(m.startswith(prefix) and all(w in m for w in words) for m in _messages(report))


def test_a_clean_run_has_no_problem_and_every_record_has_spans(run_dir: Path) -> None:
    report = validate_files([run_dir])
    assert _messages(report) == []
    assert report.valid == 4
    for record_type in RECORD_TYPES:
        assert json.loads(_lines(run_dir, record_type)[0])["spans"]


def test_shifted_evidence_offsets_are_found(run_dir: Path) -> None:
    def shift(record: dict[str, Any]) -> None:
        record["evidence"][0]["start"] += 3
        record["evidence"][0]["end"] += 3

    path = _edit_record(run_dir, "exercise", shift)
    report = validate_files([run_dir])
    assert _has(report, f"{path}:1:", "evidence[0]", "not the evidence text")
    assert _has(report, f"{path}:", "sha256 differs")


def test_edited_evidence_text_is_found(run_dir: Path) -> None:
    def edit(record: dict[str, Any]) -> None:
        text = record["evidence"][0]["text"]
        record["evidence"][0]["text"] = "X" + text[1:]  # same length, so the schema still accepts it

    path = _edit_record(run_dir, "aid_delivery", edit)
    assert _has(validate_files([run_dir]), f"{path}:1:", "evidence[0]", "not the evidence text")


def test_an_edited_value_is_found_by_its_span_and_its_id(run_dir: Path) -> None:
    def edit(record: dict[str, Any]) -> None:
        record["location"] = "off Varna"

    path = _edit_record(run_dir, "exercise", edit)
    report = validate_files([run_dir])
    assert _has(report, f"{path}:1:", "spans: location points at", "not its value \"off Varna\"")
    assert _has(report, f"{path}:1:", "is not the id its content earns")


def test_a_span_moved_off_its_value_is_found(run_dir: Path) -> None:
    def edit(record: dict[str, Any]) -> None:
        start, end = record["spans"]["text"]
        record["spans"]["text"] = [start + 1, end + 1]

    path = _edit_record(run_dir, "quote", edit)
    assert _has(validate_files([run_dir]), f"{path}:1:", "spans: text points at")


def test_a_removed_span_and_a_span_of_no_value_are_found(run_dir: Path) -> None:
    def edit(record: dict[str, Any]) -> None:
        record["spans"]["nowhere.name"] = record["spans"].pop("location")

    path = _edit_record(run_dir, "exercise", edit)
    report = validate_files([run_dir])
    assert _has(report, f"{path}:1:", "spans: no span for location")
    assert _has(report, f"{path}:1:", "spans: nowhere.name names no value")


def test_a_normalized_value_pointing_elsewhere_is_found(run_dir: Path) -> None:
    def edit(record: dict[str, Any]) -> None:
        record["spans"]["date.start"] = record["spans"]["location"]

    path = _edit_record(run_dir, "exercise", edit)
    assert _has(validate_files([run_dir]), f"{path}:1:", "spans: date.start", "not the words it was normalized from")


def test_an_offset_given_as_a_string_is_an_error(run_dir: Path) -> None:
    line = _lines(run_dir, "agreement")[0]
    start = json.loads(line)["evidence"][0]["start"]
    path = _rewrite(run_dir, "agreement", [line.replace(f'"start": {start}', f'"start": "{start}"', 1)])
    assert f'"start": "{start}"' in path.read_text(encoding="utf-8")
    assert _has(validate_files([run_dir]), f"{path}:1:", "evidence.0.start", "integer")


def test_a_duplicate_record_is_found(run_dir: Path) -> None:
    line = _lines(run_dir, "quote")[0]
    path = _rewrite(run_dir, "quote", [line, line])
    report = validate_files([run_dir])
    assert _has(report, f"{path}:2:", "duplicate id", f"first at {path}:1")
    assert not _has(report, f"{path}:1:")


def test_a_record_in_another_types_file_is_found(run_dir: Path) -> None:
    path = _rewrite(run_dir, "quote", [_lines(run_dir, "exercise")[0]])
    assert _has(validate_files([run_dir]), f"{path}:1:", "a exercise record in quote.jsonl")


def test_files_of_another_run_are_found(
    run_dir: Path, articles_dir: Path, tmp_path: Path, make_fake: Callable[..., Any]
) -> None:
    other = run_extraction(
        articles_dir, tmp_path / "other", RunSettings(use_cache=False, record_types=["quote"]), backend=make_fake()
    ).run_dir
    run_id = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["run_id"]
    assert run_id != json.loads((other / "manifest.json").read_text(encoding="utf-8"))["run_id"]
    shutil.copy(other / "records" / "exercise.jsonl", run_dir / "records" / "exercise.jsonl")
    (run_dir / "records" / "stray.jsonl").write_text(_lines(run_dir, "quote")[0] + "\n", encoding="utf-8")
    report = validate_files([run_dir])
    assert _has(report, str(run_dir / "records" / "exercise.jsonl"), f"not the file run {run_id} wrote")
    assert _has(report, str(run_dir / "records" / "stray.jsonl"), f"not part of run {run_id}")
    # One run's manifest over another run's records: the case where the last writer won.
    shutil.copy(other / "manifest.json", run_dir / "manifest.json")
    assert len([m for m in _messages(validate_files([run_dir])) if "sha256 differs" in m]) >= 3


def test_a_folder_without_manifest_is_an_incomplete_run(run_dir: Path) -> None:
    (run_dir / "manifest.json").unlink()
    report = validate_files([run_dir])
    assert _has(report, str(run_dir), "incomplete run: no manifest.json")
    assert report.valid == 4  # what is there is still checked


def test_a_changed_or_missing_document_is_named(run_dir: Path, articles_dir: Path, tmp_path: Path) -> None:
    drill = articles_dir / "black_sea_drill.txt"
    drill.write_text("Another text.\n" + drill.read_text(encoding="utf-8"), encoding="utf-8")
    # The run keeps the texts its offsets refer to (texts/<doc_id>.txt): it validates on its own ...
    assert _messages(validate_files([run_dir])) == []
    # ... and against the documents when they are given.
    assert _has(validate_files([run_dir], docs=articles_dir), str(run_dir / "records"), "has changed since the run")
    # A run without kept texts (an older extract) reads the manifest's paths.
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["inputs"]:
        manifest["files"].pop(entry.pop("text"))
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    shutil.rmtree(run_dir / "texts")
    assert _has(validate_files([run_dir]), str(run_dir / "records"), "has changed since the run")
    moved = tmp_path / "moved"
    shutil.move(articles_dir, moved)
    report = validate_files([run_dir])
    assert _has(report, str(run_dir / "records"), "is missing", "--docs")


def test_docs_option_finds_moved_documents_and_checks_them(run_dir: Path, articles_dir: Path, tmp_path: Path) -> None:
    moved = tmp_path / "moved"
    shutil.move(articles_dir, moved)
    assert _messages(validate_files([run_dir], docs=moved)) == []
    text = (moved / "georgian_aid.txt").read_bytes()
    (moved / "georgian_aid.txt").write_bytes(b"  " + text)  # shifts every offset by two
    assert _has(validate_files([run_dir], docs=moved), str(run_dir / "records"), "has changed since the run")


def test_a_gold_file_is_checked_against_documents_given_with_docs(run_dir: Path, articles_dir: Path) -> None:
    record = json.loads(_lines(run_dir, "quote")[0])
    record["evidence"][0]["start"] += 1
    record["evidence"][0]["end"] += 1
    gold = articles_dir.parent / "gold.jsonl"
    gold.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert _messages(validate_files([gold])) == []  # no documents at hand: only the schema is checked
    assert _has(validate_files([gold], docs=articles_dir), f"{gold}:1:", "evidence[0]")


def test_a_side_file_is_named_not_read_as_records(run_dir: Path) -> None:
    report = validate_files([run_dir / "rejects.jsonl", run_dir / "responses.jsonl", run_dir / "manifest.json"])
    assert report.errors == []
    assert [note.split(":", 1)[0] for note in report.notes] == [
        str(run_dir / name) for name in ("rejects.jsonl", "responses.jsonl", "manifest.json")
    ]
    assert "the run's rejects" in report.notes[0] and "not records" in report.notes[0]
    with (run_dir / "rejects.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"kind": "value"}\n')
    assert _has(validate_files([run_dir / "rejects.jsonl"]), str(run_dir / "rejects.jsonl"), "sha256 differs")


def test_a_record_file_of_a_run_is_checked_with_its_run(run_dir: Path) -> None:
    path = _edit_record(run_dir, "quote", lambda record: record.update(cue="whispered"))
    report = validate_files([path])
    assert _has(report, f"{path}:1:", "spans: cue points at")
    assert _has(report, str(path), "sha256 differs")


def test_the_command_prints_one_line_per_problem_and_exits_1(run_dir: Path) -> None:
    line = _lines(run_dir, "quote")[0]
    path = _rewrite(run_dir, "quote", [line, line])
    result = CliRunner().invoke(app, ["validate", str(run_dir)])
    assert result.exit_code == 1, result.output
    problems = [row for row in result.output.splitlines() if row.startswith(str(run_dir))]
    assert any(row.startswith(f"{path}:2: duplicate id") for row in problems)
    assert all("Traceback" not in row for row in result.output.splitlines())
    side = CliRunner().invoke(app, ["validate", str(run_dir / "responses.jsonl")])
    assert side.exit_code == 0, side.output
    assert "recorded model requests" in side.output and "invalid" in side.output.splitlines()[-1]


def test_the_command_refuses_a_docs_option_that_is_not_a_folder(run_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(run_dir), "--docs", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "--docs is not a folder" in result.output
