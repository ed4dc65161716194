"""Stage 4, ground: nothing a model says reaches the output unless the source says it too.

Evidence the model cites is aligned to the document (exact, then ignoring quote styles, case
and spacing, then fuzzy) and its offsets are computed here. Every verbatim value (names,
roles, quoted words, dates, amounts, places, items) must be found in the candidate's context;
a value that is not is dropped and counted, with the reason. A value that is missing from the
source but present in a few-shot example is reported as copied from the example. Once a record is
final (decided, assembled, merged), `with_value_spans` records where each of its values' words are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from pipeline.actors import classify
from pipeline.language.places import country_in
from pipeline.normalize import count_words
from pipeline.strategies import Candidate
from pipeline.text import Span, find_all, fold, sentences
from schemas import COMPUTED_KEYS, Evidence, Record

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


# Normalized keys that stand for the words of their object's `text`: a date's ISO range and
# precision, an amount's number, currency and hedge.
NORMALIZED_FROM_TEXT = ("start", "end", "precision", "amount", "currency", "approximate")


def with_value_spans(record: Record, document: str) -> Record:
    """The record with `spans`: each value's field path mapped to where its words are in `document`."""
    return record.model_copy(update={"spans": value_spans(record, document)})


def value_spans(record: Record, document: str) -> dict[str, tuple[int, int]]:
    """Field path -> (start, end) of the words each value of a final record stands for.

    A verbatim value points at its own occurrence nearest the record's evidence (inside it when it
    is there, a whole word before a part of one), so a name that the article repeats points at the
    mention this record was read from. A normalized value points at the words it came from: a
    date's ISO range at the date as written, an amount at the money as written, a country code at
    the actor's name or title that names the country, a quantity at its count word.
    """
    evidence = [(e.start, e.end) for e in record.evidence]
    spans: dict[str, tuple[int, int]] = {}
    data = record.model_dump(mode="json", exclude={"id", "doc_id", "record_type", "evidence", "spans"})

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, f"{path}.{key}" if path else key)
            _normalized_spans(value, path, document, evidence, spans)
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, f"{path}[{index}]")
        elif isinstance(value, str) and path.rsplit(".", 1)[-1].split("[", 1)[0] not in COMPUTED_KEYS:
            found = _nearest(value, document, evidence)
            if found is not None:
                spans[path] = found

    walk(data, "")
    return spans


def _normalized_spans(
    value: dict[str, Any], path: str, document: str, evidence: list[tuple[int, int]],
    spans: dict[str, tuple[int, int]],
) -> None:
    prefix = f"{path}." if path else ""
    text_span = spans.get(f"{prefix}text")
    if text_span is not None and isinstance(value.get("text"), str) and path:
        for key in NORMALIZED_FROM_TEXT:
            if value.get(key) is not None:
                spans[f"{prefix}{key}"] = text_span
    country = value.get("country")
    if country is not None and f"{prefix}name" in spans:
        role = value.get("role")
        names_it = (
            classify(value["name"])[1] != country
            and isinstance(role, str) and f"{prefix}role" in spans
            and country in (classify(role)[1], country_in(role))
        )
        spans[f"{prefix}country"] = spans[f"{prefix}role" if names_it else f"{prefix}name"]
    quantity = value.get("quantity")
    description = spans.get(f"{prefix}description")
    if isinstance(quantity, int) and description is not None:
        found = _count_near(quantity, document, description, evidence)
        if found is not None:
            spans[f"{prefix}quantity"] = found


def _nearest(value: str, document: str, evidence: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The occurrence of `value` in `document` nearest the evidence: exact, else as `locate` finds it."""
    hits = [(at, at + len(value)) for at in find_all(document, value)]
    if not hits:
        loose = locate(value.strip(), document)
        return (loose.start, loose.end) if loose is not None else None
    return min(hits, key=lambda hit: (_distance(hit, evidence), not _whole_words(document, *hit), hit[0]))


def _count_near(
    quantity: int, document: str, description: tuple[int, int], evidence: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """The count word that states `quantity` nearest the item's description, within the evidence."""
    hits = [
        (match.start(), match.end())
        for word in count_words(quantity)
        for match in re.finditer(rf"(?<![\w.,]){re.escape(word)}(?!\w)", document, re.IGNORECASE)
        if _distance((match.start(), match.end()), evidence) == 0
    ]
    if not hits:
        return None
    return min(hits, key=lambda hit: (abs(hit[0] - description[0]), hit[0]))


def _distance(hit: tuple[int, int], evidence: list[tuple[int, int]]) -> int:
    """0 inside an evidence span, else how many characters from the nearest one."""
    start, end = hit
    return min(
        (0 if a <= start and end <= b else min(abs(start - b), abs(a - end)) or 1) for a, b in evidence
    ) if evidence else 0


def _whole_words(document: str, start: int, end: int) -> bool:
    before = document[start - 1] if start > 0 else " "
    after = document[end] if end < len(document) else " "
    cuts_into_word_before = before.isalnum() and document[start].isalnum()
    cuts_into_word_after = after.isalnum() and document[end - 1].isalnum()
    return not (cuts_into_word_before or cuts_into_word_after)
