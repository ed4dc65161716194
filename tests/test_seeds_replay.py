"""The seeds, end to end, through recorded answers of the embedded model: a regression floor."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.evaluate import evaluate
from pipeline.jsonl import read_records
from pipeline.output import record_file
from pipeline.run import RunSettings, run_extraction
from pipeline.validate import validate_files
from schemas import RECORD_TYPES

ROOT = Path(__file__).resolve().parent.parent
RECORDING = ROOT / "tests" / "recordings" / "seeds.responses.jsonl"
GOLD = ROOT / "tests" / "gold"


def _replay(tmp_path: Path) -> Path:
    settings = RunSettings(backend="replay", model=str(RECORDING), use_cache=False)
    result = run_extraction(ROOT / "seeds", tmp_path / "run", settings)
    assert result.failed_documents == 0
    return result.run_dir


def test_replayed_seeds_score_at_or_above_the_floor(tmp_path: Path) -> None:
    floor = json.loads((GOLD / "floor.json").read_text())
    report = evaluate(_replay(tmp_path), GOLD)
    assert report.micro_field_f1 >= floor["micro_field_f1"]
    assert report.micro_record_f1 >= floor["micro_record_f1"]


def test_replayed_seeds_are_valid_grounded_and_complete(tmp_path: Path) -> None:
    run_dir = _replay(tmp_path)
    assert not validate_files([run_dir]).errors
    sources = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "seeds").glob("*.txt")}
    total = 0
    for record_type in RECORD_TYPES:
        records, errors = read_records(run_dir / record_file(record_type))
        assert not errors
        total += len(records)
        for record in records:
            text = sources[record.doc_id]
            for evidence in record.evidence:
                assert text[evidence.start : evidence.end] == evidence.text
    assert {json.loads(line)["doc_id"] for line in _lines(run_dir)} == set(sources)
    assert total > 0


def test_replay_reproduces_the_same_records(tmp_path: Path) -> None:
    first = _replay(tmp_path / "a")
    second = _replay(tmp_path / "b")
    for record_type in RECORD_TYPES:
        a = (first / record_file(record_type)).read_text()
        b = (second / record_file(record_type)).read_text()
        assert a == b


def _lines(run_dir: Path) -> list[str]:
    return [line for t in RECORD_TYPES for line in (run_dir / record_file(t)).read_text().splitlines() if line]
