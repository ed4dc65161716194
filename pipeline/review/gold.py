"""Marks for the review page from the alignment `extract eval` uses (pipeline.evaluate.score).

Nothing is re-aligned here: a record is matched when `score` paired it with a gold record,
spurious when `score` lists it as an unmatched prediction, and a gold record `score` left unpaired
is missed. A field's marks are `score`'s scoring units for that record: mismatch -> wrong,
omission -> missed, hallucination -> spurious; a present field with no error is matched.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pipeline.evaluate import FieldError, load_gold, score
from pipeline.review.run_folder import RunFolder
from schemas import Record

FieldMark = Literal["matched", "wrong", "missed", "spurious"]
RecordMark = Literal["matched", "spurious", "missed", "unscored"]

FIELD_MARKS: dict[str, FieldMark] = {"mismatch": "wrong", "omission": "missed", "hallucination": "spurious"}


@dataclass(frozen=True)
class FieldNote:
    """One scoring unit that is not a match, for one field of a record."""

    label: str  # the unit's field label: "participants", "donor.country", "items.quantity"
    mark: FieldMark
    gold: Any
    predicted: Any
    note: str | None


@dataclass
class GoldMarks:
    gold_dir: Path
    scored_documents: set[str]
    record_marks: dict[str, RecordMark] = field(default_factory=dict)
    field_notes: dict[str, list[FieldNote]] = field(default_factory=lambda: defaultdict(list))
    """Per predicted record id, its non-matching units keyed by top-level field below."""
    missed: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))
    """Per document, the gold records no prediction was paired with."""
    missed_notes: dict[str, list[FieldNote]] = field(default_factory=lambda: defaultdict(list))
    micro_field_f1: float = 0.0
    micro_record_f1: float = 0.0

    def record_mark(self, row: dict[str, Any]) -> RecordMark:
        if row["doc_id"] not in self.scored_documents:
            return "unscored"
        return self.record_marks.get(row["id"], "matched")

    def notes_by_field(self, record_id: str, missed: bool = False) -> dict[str, list[FieldNote]]:
        """A record's non-matching units grouped by top-level field name."""
        grouped: dict[str, list[FieldNote]] = defaultdict(list)
        for note in (self.missed_notes if missed else self.field_notes).get(record_id, []):
            grouped[top_field(note.label)].append(note)
        return grouped


def top_field(label: str) -> str:
    return label.split(".", 1)[0].split("[", 1)[0]


def gold_marks(folder: RunFolder, gold_dir: Path) -> GoldMarks:
    """Align the run's records with the gold folder's as `extract eval` does; raises
    pipeline.evaluate.EvaluationError when the gold folder cannot be read."""
    gold, doc_ids = load_gold(gold_dir)
    report = score(folder.models, gold, doc_ids)
    marks = GoldMarks(gold_dir, set(report.documents))
    marks.micro_field_f1 = report.micro_field_f1
    marks.micro_record_f1 = report.micro_record_f1
    gold_by_id = {record.id: record for record in gold}
    for unmatched in report.unmatched:
        if unmatched.side == "predicted":
            marks.record_marks[unmatched.id] = "spurious"
        elif unmatched.id in gold_by_id:
            marks.missed[unmatched.doc_id].append(gold_by_id[unmatched.id])
    for error in report.field_errors:
        _add_note(marks, error)
    return marks


def _add_note(marks: GoldMarks, error: FieldError) -> None:
    note = FieldNote(error.field, FIELD_MARKS[error.kind], error.gold, error.predicted, error.note)
    if error.predicted_id is not None:
        marks.field_notes[error.predicted_id].append(note)
    elif error.gold_id is not None:
        marks.missed_notes[error.gold_id].append(note)
