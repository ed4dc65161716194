"""`extract validate`: check JSONL files against the record schemas, line by line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.jsonl import LineError, read_records
from pipeline.output import MANIFEST, REJECTS, RESPONSES


@dataclass
class ValidationReport:
    valid: int = 0
    files: int = 0
    errors: list[LineError] = field(default_factory=list)


def record_files(paths: list[Path]) -> list[Path]:
    """The record files named, with a run folder standing for its record files."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.glob("*.jsonl")) if p.name not in {REJECTS, RESPONSES, MANIFEST})
        else:
            files.append(path)
    return files


def validate_files(paths: list[Path]) -> ValidationReport:
    report = ValidationReport()
    for path in record_files(paths):
        report.files += 1
        if not path.exists():
            report.errors.append(LineError(path, 0, "no such file"))
            continue
        records, errors = read_records(path)
        report.valid += len(records)
        report.errors.extend(errors)
    return report
