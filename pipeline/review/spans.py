"""Where a record points in its document, and the document text cut into highlightable pieces.

A record points at its text twice over: its evidence spans (sentences that state it) and its
`spans` map from field path (`donor.name`, `items[0].description`, `date.text`) to `[start, end]`,
each value's own words (a normalized value points at the words it was normalized from). Offsets are code points
into the document text, end exclusive, as in `evidence`.

Spans of several records overlap (a value inside its evidence sentence, two records citing one
sentence). `segments` cuts the text at every span boundary, so each piece is covered by a fixed set
of spans and is one element on the page: nesting is never needed and nothing is lost.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Span:
    id: str  # unique on the page: "s<n>"
    record: str  # the page id of the record it belongs to: "r<n>"
    record_type: str
    path: str  # "evidence[0]" or a field path of the `spans` map
    start: int
    end: int

    @property
    def is_evidence(self) -> bool:
        return self.path.startswith("evidence[")


@dataclass(frozen=True)
class Segment:
    """A piece of the text and the spans covering it (none for plain text)."""

    text: str
    spans: tuple[Span, ...]

    @property
    def span_ids(self) -> str:
        return " ".join(span.id for span in self.spans)

    @property
    def record_ids(self) -> str:
        return " ".join(dict.fromkeys(span.record for span in self.spans))

    @property
    def type_classes(self) -> str:
        return " ".join(f"t-{name}" for name in dict.fromkeys(span.record_type for span in self.spans))

    @property
    def mixed(self) -> bool:
        """Covered by spans of more than one record type."""
        return len({span.record_type for span in self.spans}) > 1

    @property
    def value_covered(self) -> bool:
        return any(not span.is_evidence for span in self.spans)


def record_spans(
    row: dict[str, Any], record_id: str, text_length: int | None, next_id: int
) -> tuple[list[Span], list[str]]:
    """The spans of one record that lie inside its text, and a problem for each that does not.

    `next_id` numbers the spans ("s<next_id>", ...), so ids are unique across the page. Without the
    text (`text_length` None) no span can be placed.
    """
    located: list[tuple[str, int, int]] = []
    problems: list[str] = []
    for number, evidence in enumerate(row.get("evidence") or []):
        located.append((f"evidence[{number}]", evidence["start"], evidence["end"]))
    located += [(path, start, end) for path, (start, end) in (row.get("spans") or {}).items()]
    if text_length is None:
        return [], problems
    spans: list[Span] = []
    for path, start, end in located:
        if not 0 <= start < end <= text_length:
            problems.append(f"span {path}: {start}..{end} is not inside the text (0..{text_length})")
            continue
        spans.append(Span(f"s{next_id + len(spans)}", record_id, str(row["record_type"]), path, start, end))
    return spans, problems


def segments(text: str, spans: list[Span]) -> list[Segment]:
    """The text cut at every span boundary, each piece with the spans that cover it, in text order."""
    starts: dict[int, list[Span]] = {}
    ends: dict[int, list[Span]] = {}
    for span in spans:
        starts.setdefault(span.start, []).append(span)
        ends.setdefault(span.end, []).append(span)
    cuts = sorted({0, len(text), *starts, *ends})
    active: dict[str, Span] = {}
    pieces: list[Segment] = []
    for left, right in itertools.pairwise(cuts):
        for span in ends.get(left, ()):
            active.pop(span.id, None)
        for span in starts.get(left, ()):
            active[span.id] = span
        pieces.append(Segment(text[left:right], tuple(active.values())))
    return pieces
