"""Stage 4, ground: nothing a model says reaches the output unless the source says it too.

Evidence the model cites is aligned to the document (exact, then ignoring quote styles, case
and spacing, then fuzzy) and its offsets are computed here. Every verbatim value (names,
roles, quoted words, dates, amounts, places, items) must be found in the candidate's context;
a value that is not is dropped and counted, with the reason. A value that is missing from the
source but present in a few-shot example is reported as copied from the example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from pipeline.normalize import count_words
from pipeline.strategies import Candidate
from pipeline.text import Span, find_all, fold, sentences
from schemas import COMPUTED_KEYS, Evidence

FUZZY_EVIDENCE_MIN_SCORE = 90.0
# Fields whose values are labels chosen from a closed list, not text copied from the source.
LABEL_FIELDS = {"kind", "country", "status", "quantity"}


@dataclass(frozen=True)
class Dropped:
    field: str
    value: str
    reason: str


def locate(value: str, text: str) -> Span | None:
    """Where `value` occurs in `text`: exactly, else ignoring quote style, case and spacing."""
    at = text.find(value)
    if at != -1:
        return Span(at, at + len(value), value)
    tokens = fold(value).split()
    if not tokens:
        return None
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(token) for token in tokens) + r"(?!\w)"
    match = re.search(pattern, fold(text))
    if match is None:
        return None
    return Span(match.start(), match.end(), text[match.start() : match.end()])


def align_evidence(cited: str, document: str, near: int = 0) -> Evidence | None:
    """The document span a cited passage stands for, with offsets computed from the document."""
    cited = cited.strip()
    if not cited:
        return None
    exact = find_all(document, cited)
    if exact:
        start = min(exact, key=lambda at: abs(at - near))
        return Evidence(text=cited, start=start, end=start + len(cited), alignment="exact")
    loose = locate(cited, document)
    if loose is not None:
        return Evidence(text=loose.text, start=loose.start, end=loose.end, alignment="folded")
    if len(cited) < 20:
        return None  # too short for fuzzy alignment to mean anything
    alignment = fuzz.partial_ratio_alignment(cited, document, score_cutoff=FUZZY_EVIDENCE_MIN_SCORE)
    if alignment is None:
        return None
    start, end = _snap_to_sentences(document, alignment.dest_start, alignment.dest_end)
    return Evidence(text=document[start:end], start=start, end=end, alignment="fuzzy")


def _snap_to_sentences(document: str, start: int, end: int) -> tuple[int, int]:
    """A fuzzy match becomes the whole sentences it mostly covers: evidence is cited by sentence."""
    covered = [
        s for s in sentences(document)
        if min(end, s.end) - max(start, s.start) >= 0.5 * min(len(s.text), end - start)
    ]
    if covered:
        return covered[0].start, covered[-1].end
    while start < end and document[start].isspace():
        start += 1
    while end > start and document[end - 1].isspace():
        end -= 1
    return start, end


@dataclass
class Grounded:
    """What of a candidate the source supports. Grounding only aligns and checks; which value a
    field ends with is decided afterwards (pipeline.decide)."""

    fields: dict[str, Any]  # the model's values that the source contains
    evidence: list[Evidence]
    dropped: list[Dropped]
    reading: dict[str, Any] = field(default_factory=dict)  # the sentence reading's values the source contains
    contradicted: set[str] = field(default_factory=set)  # fields the reading says the sentence does not state


class Grounder:
    """Grounds candidates against one document. `example_texts` are the few-shot examples' texts."""

    def __init__(self, document: str, example_texts: list[str]) -> None:
        self.document = document
        self.example_text = "\n".join(example_texts)

    def ground(self, candidate: Candidate) -> Grounded:
        dropped: list[Dropped] = []
        evidence: list[Evidence] = []
        for cited in candidate.evidence:
            aligned = align_evidence(cited, self.document, near=candidate.context.start)
            if aligned is None:
                dropped.append(Dropped("evidence", cited, "not found in the source text"))
            elif all((e.start, e.end) != (aligned.start, aligned.end) for e in evidence):
                evidence.append(aligned)
        context = candidate.context.text
        fields = self._ground_value(candidate.fields, context, "", dropped) or {}
        reading: dict[str, Any] = {}
        contradicted: set[str] = set()
        for name, value in candidate.overrides.items():
            if value is None:
                contradicted.add(name)
                continue
            where = candidate.override_context.text if candidate.override_context else context
            grounded = self._ground_value(value, where, name, dropped)
            if grounded not in (None, [], {}):
                reading[name] = grounded
        return Grounded(fields, sorted(evidence, key=lambda e: e.start), dropped, reading, contradicted)

    def _ground_value(self, value: Any, context: str, path: str, dropped: list[Dropped]) -> Any:
        name = path.rsplit(".", 1)[-1].split("[", 1)[0]
        if value is None or name in LABEL_FIELDS:
            return value
        if isinstance(value, str):
            return self._ground_text(value, context, path, dropped)
        if isinstance(value, list):
            kept = []
            for index, item in enumerate(value):
                grounded = self._ground_value(item, context, f"{path}[{index}]", dropped)
                if grounded is not None:
                    kept.append(grounded)
            return kept
        if isinstance(value, dict):
            return self._ground_object(value, context, path, dropped)
        return value

    def _ground_object(self, value: dict[str, Any], context: str, path: str, dropped: list[Dropped]) -> Any:
        grounded = {key: self._ground_value(item, context, f"{path}.{key}".lstrip("."), dropped)
                    for key, item in value.items()}
        # An actor without a grounded name, or an item without a grounded description, is gone.
        if path:  # a nested object: an actor or an item
            for required in ("name", "description"):
                if required in value and grounded.get(required) is None:
                    return None
        quantity = value.get("quantity")
        if quantity is not None and not any(
            re.search(rf"(?<![\w.,]){re.escape(w)}(?![\w])", context, re.IGNORECASE)
            for w in count_words(int(quantity))
        ):
            dropped.append(Dropped(f"{path}.quantity", str(quantity), "number not in the source text"))
            grounded["quantity"] = None
        return grounded

    def _ground_text(self, value: str, context: str, path: str, dropped: list[Dropped]) -> str | None:
        if not path:
            return value
        found = locate(value.strip(), context)
        if found is not None:
            return found.text  # the source's own spelling: curly quotes, case
        in_example = locate(value.strip(), self.example_text) is not None
        reason = "copied from a few-shot example" if in_example else "not in the source text"
        dropped.append(Dropped(path, value, reason))
        return None


def values_missing_from_source(record: dict[str, Any], source: str) -> list[str]:
    """Every text value of an output record that is not, character for character, in its source.

    The pipeline's promise is that this is always empty; the benchmark and the tests check it.
    """
    missing: list[str] = []

    def walk(value: Any, key: str) -> None:
        if key in COMPUTED_KEYS or value is None:
            return
        if isinstance(value, str):
            if value not in source:
                missing.append(value)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, dict):
            for child_key, child in value.items():
                walk(child, child_key)

    walk(record, "")
    return missing
