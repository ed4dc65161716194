"""Quote: candidates are quotations found by their marks (pipeline.quotes), not cue sentences."""

from __future__ import annotations

from pipeline.record_types import Fields, RecordTypeEntry
from pipeline.text import squash


def same_event(a: Fields, b: Fields) -> bool:
    return squash(a.get("text") or "") == squash(b.get("text") or "")


ENTRY = RecordTypeEntry(
    record_type="quote",
    candidates="quotations",
    identifying=("text",),
    same_event=same_event,
    evidence_fields=("text",),
)
