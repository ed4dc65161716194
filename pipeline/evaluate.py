"""Score a run against gold files: the library behind `extract eval`.

Inputs
------
- A run directory holds one JSONL file per record type, `records/<record_type>.jsonl`
  (records/exercise.jsonl, ...), read by `pipeline.output.read_run`. A missing type file means no
  predictions of that type. The side files (manifest.json, rejects.jsonl, responses.jsonl) are not
  scored. A directory with neither records/ nor manifest.json is refused: it is probably the wrong
  path.
- A gold directory holds one JSONL file per document, `<doc_id>.jsonl`, records of any type.
  An empty gold file is a document that has no records: every prediction for it is spurious.
- Both are read with `pipeline.jsonl.read_numbered_records` (strict types). Any invalid line, a record in the wrong type
  file, or a gold record whose doc_id is not its file's stem is an `EvaluationError` naming
  file:line (all problems at once, not only the first).
- Only documents with a gold file are scored. Predictions for other documents are not scored;
  they are counted and listed as `unscored_documents`.

Record alignment
----------------
Per document and record type, gold and predicted records are paired one-to-one by
`scipy.optimize.linear_sum_assignment`, maximising the summed similarity of admissible pairs.
A record pair's similarity is the mean, over the type's key fields (`KEY_FIELDS`) that are
present on at least one side, of the field similarity in [0, 1] (a key field present on one side
only scores 0, so padding a prediction with wrong key fields lowers its similarity). If no key
field is present on either side, all scored fields are used; two records with nothing at all are
identical (1.0). A pair below `MIN_RECORD_SIMILARITY` (0.5) is never matched: the gold record is
missed and the prediction spurious. Field similarity for alignment: strings that compare equal
(below) score 1, otherwise the normalised Indel similarity of their word sequences, so a quote cut
short still aligns with its gold quote while unrelated sentences, which share only function
words, stay around 0.1-0.35 (character-level ratio gives unrelated sentences up to ~0.55, too
close to any usable threshold); actors by name; lists by the Dice coefficient of their element
matching (2 * matched / (gold + predicted)); dates, money and enums 1 or 0.
Record-level precision = matched / predicted, recall = matched / gold.

Field scoring
-------------
Scored fields are every model field except id, doc_id, record_type, evidence and spans, discovered from
the models, so a field added to a schema is scored without a change here. Each scoring unit is:

- both sides empty (None, blank string, empty list, a date without start and end, money without
  amount and currency) -> not counted;
- both present and equal -> match (true positive);
- both present and different -> mismatch (counts against precision and recall);
- gold present, prediction empty -> omission; prediction present, gold empty -> hallucination.

Fields of a missed gold record are all omissions, those of a spurious prediction hallucinations.
precision = match / (match + mismatch + hallucination); recall = match / (match + mismatch +
omission); F1 their harmonic mean; 0.0 where a denominator is zero (an empty run scores 0, never
divides by zero). The headline is the micro-averaged field F1 over all types (counts summed
before dividing, so every scoring unit weighs the same).

Equality by value type:

- Strings compare after `normalize_text` (NFKC, accents stripped, case folded, curly quotes and
  dashes made straight, apostrophes and periods deleted so "U.S." == "US", other punctuation a
  word break, whitespace collapsed, a leading "the" dropped), then are equal if the sequences of
  digit runs are identical ("Caspian 2006" != "Caspian 2007") and rapidfuzz `fuzz.ratio` (Indel
  similarity, order-sensitive) >= `STRING_THRESHOLD` (85). 85 admits spelling and inflection
  variants (Kazakhstan/Kazakstan 95, defense/defence 95, boat/boats 89) and rejects different
  words (Iran/Iraq 75, "Kazakh Border Service"/"Russian Border Service" 74). token_set_ratio is
  deliberately not used: it scores 100 whenever one side's words are a subset of the other's,
  which rewards over-extraction (a quote plus the next sentence would equal the quote).
- Enums (Literal fields) and Actor.country compare exactly; other non-string values by ==.
- DateRef compares by (start, end), end defaulting to start; its text and precision are ignored.
- Money compares by (amount, currency), amounts with relative tolerance 1e-6; text and
  approximate are ignored.
- Actors (donor, recipient, speaker and every list element) are scored as up to four units: the
  actor itself under the field name (equal when names are equal strings), and `<field>.kind`,
  `<field>.country`, `<field>.role` as sub-fields (kind exact, country exact, role string). When
  the names differ the predicted actor is someone else, so its sub-fields cannot match: each
  one present on both sides is a mismatch (noted "value of a different actor" when the values
  happen to be equal; the worst-mismatch list puts those last). This weighs the same as in a
  list, where an unpaired element's parts are omissions plus hallucinations.
- Lists are matched element by element, one-to-one, with linear_sum_assignment over admissible
  pairs (names / descriptions / strings that are equal as above): each matched element is a
  match, each unmatched gold element an omission, each unmatched predicted element a
  hallucination, so a partly right list earns partial credit and a padded one loses precision.
  Actor lists (participants, organizers, observers, parties) pair on name and then score the
  sub-fields as above (`participants.kind`, ...); items pair on description, their quantity is
  the sub-field `items.quantity`; string lists (scenario) are only the elements.

Outputs: `EvalReport` (per type record and field counts, per field counts, the micro figures, each
mismatch / omission / hallucination with gold and predicted values, every unmatched record with
its nearest similarity); `EvalReport.to_dict()` for --json; `format_report()` for people.
"""

from __future__ import annotations

import functools
import json
import math
import re
import types
import typing
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import numpy as np
from pydantic import BaseModel
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel
from scipy.optimize import linear_sum_assignment

from pipeline.jsonl import read_numbered_records
from pipeline.output import RunReadError, read_run
from schemas import RECORD_TYPES, Actor, DateRef, Item, Money, Record

STRING_THRESHOLD = 85.0
"""rapidfuzz ratio (0-100) of normalised strings at or above which two strings are equal."""

MIN_RECORD_SIMILARITY = 0.5
"""Key-field similarity (0-1) below which a gold and a predicted record are never paired."""

KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "exercise": ("name", "description", "date", "location", "participants"),
    "aid_delivery": ("donor", "recipient", "items", "date"),
    "agreement": ("parties", "kind", "subject", "date"),
    "quote": ("text",),
}

UNSCORED_FIELDS = frozenset({"id", "doc_id", "record_type", "evidence", "spans"})

Outcome = Literal["match", "mismatch", "omission", "hallucination"]
FieldKind = Literal["text", "enum", "exact", "date", "money", "actor", "actors", "items", "texts"]
JSONValue = str | int | float | bool | None | list[Any] | dict[str, Any]

_MAX_PROBLEMS_SHOWN = 20


class EvaluationError(Exception):
    """The run or the gold files cannot be scored; `problems` lists each one (file:line: reason)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = self.problems[:_MAX_PROBLEMS_SHOWN]
        more = len(self.problems) - len(shown)
        lines = [f"cannot evaluate: {len(self.problems)} problem(s)", *(f"  {p}" for p in shown)]
        if more:
            lines.append(f"  ... and {more} more")
        super().__init__("\n".join(lines))


# ---------------------------------------------------------------------------------------------
# Report


@dataclass
class FieldCounts:
    """Field-level counts; precision, recall and F1 are 0.0 when their denominator is 0."""

    match: int = 0
    mismatch: int = 0
    omission: int = 0
    hallucination: int = 0

    def add(self, outcome: Outcome, n: int = 1) -> None:
        setattr(self, outcome, getattr(self, outcome) + n)

    def merge(self, other: FieldCounts) -> None:
        for outcome in ("match", "mismatch", "omission", "hallucination"):
            self.add(outcome, getattr(other, outcome))

    @property
    def predicted(self) -> int:
        return self.match + self.mismatch + self.hallucination

    @property
    def gold(self) -> int:
        return self.match + self.mismatch + self.omission

    @property
    def errors(self) -> int:
        return self.mismatch + self.omission + self.hallucination

    @property
    def precision(self) -> float:
        return _divide(self.match, self.predicted)

    @property
    def recall(self) -> float:
        return _divide(self.match, self.gold)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    def to_dict(self) -> dict[str, Any]:
        return {
            "match": self.match,
            "mismatch": self.mismatch,
            "omission": self.omission,
            "hallucination": self.hallucination,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass
class RecordCounts:
    """Record-level counts: matched pairs, missed gold records, spurious predicted records."""

    matched: int = 0
    missed: int = 0
    spurious: int = 0

    def merge(self, other: RecordCounts) -> None:
        self.matched += other.matched
        self.missed += other.missed
        self.spurious += other.spurious

    @property
    def gold(self) -> int:
        return self.matched + self.missed

    @property
    def predicted(self) -> int:
        return self.matched + self.spurious

    @property
    def precision(self) -> float:
        return _divide(self.matched, self.predicted)

    @property
    def recall(self) -> float:
        return _divide(self.matched, self.gold)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "missed": self.missed,
            "spurious": self.spurious,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True)
class FieldError:
    """One scoring unit that is not a match. `similarity` (0-1) ranks mismatches: strings by
    rapidfuzz ratio, everything else 0. gold_id / predicted_id are None on the missing side."""

    doc_id: str
    record_type: str
    field: str
    kind: Outcome
    gold: JSONValue
    predicted: JSONValue
    similarity: float
    gold_id: str | None
    predicted_id: str | None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "record_type": self.record_type,
            "field": self.field,
            "kind": self.kind,
            "gold": self.gold,
            "predicted": self.predicted,
            "similarity": self.similarity,
            "gold_id": self.gold_id,
            "predicted_id": self.predicted_id,
            "note": self.note,
        }


@dataclass(frozen=True)
class UnmatchedRecord:
    """A missed gold record (side "gold") or a spurious prediction (side "predicted").
    `nearest` is its best similarity to any record on the other side, None if there was none."""

    doc_id: str
    record_type: str
    side: Literal["gold", "predicted"]
    id: str
    label: str
    nearest: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "record_type": self.record_type,
            "side": self.side,
            "id": self.id,
            "label": self.label,
            "nearest": self.nearest,
        }


@dataclass
class TypeReport:
    record_type: str
    records: RecordCounts = field(default_factory=RecordCounts)
    fields: FieldCounts = field(default_factory=FieldCounts)
    per_field: dict[str, FieldCounts] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records.to_dict(),
            "fields": self.fields.to_dict(),
            "per_field": {name: counts.to_dict() for name, counts in self.per_field.items()},
        }


@dataclass
class EvalReport:
    """The result of scoring. `micro_field_f1` is the headline (micro field F1 over all types)."""

    types: dict[str, TypeReport]
    field_errors: list[FieldError] = field(default_factory=list)
    unmatched: list[UnmatchedRecord] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    unscored_documents: dict[str, int] = field(default_factory=dict)
    run_dir: str | None = None
    gold_dir: str | None = None

    @property
    def fields(self) -> FieldCounts:
        total = FieldCounts()
        for report in self.types.values():
            total.merge(report.fields)
        return total

    @property
    def records(self) -> RecordCounts:
        total = RecordCounts()
        for report in self.types.values():
            total.merge(report.records)
        return total

    @property
    def micro_field_f1(self) -> float:
        return self.fields.f1

    @property
    def micro_record_f1(self) -> float:
        return self.records.f1

    @property
    def unscored_records(self) -> int:
        return sum(self.unscored_documents.values())

    def mismatches(self) -> list[FieldError]:
        return [error for error in self.field_errors if error.kind == "mismatch"]

    def worst_mismatches(self, n: int = 10) -> list[FieldError]:
        """Mismatches, most different first (lowest similarity), ties in document order; parts of a
        wrongly named actor (noted, equal values) come last, their actor's own row says it all."""
        ranked = sorted(
            self.mismatches(), key=lambda e: (e.note is not None, e.similarity, e.doc_id, e.record_type, e.field)
        )
        return ranked[: max(n, 0)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "micro_field_f1": self.micro_field_f1,
            "micro_record_f1": self.micro_record_f1,
            "fields": self.fields.to_dict(),
            "records": self.records.to_dict(),
            "types": {name: report.to_dict() for name, report in self.types.items()},
            "documents": {
                "scored": list(self.documents),
                "unscored": dict(self.unscored_documents),
                "unscored_records": self.unscored_records,
            },
            "field_errors": [error.to_dict() for error in self.field_errors],
            "unmatched_records": [record.to_dict() for record in self.unmatched],
            "settings": {
                "string_threshold": STRING_THRESHOLD,
                "min_record_similarity": MIN_RECORD_SIMILARITY,
                "key_fields": {name: list(keys) for name, keys in KEY_FIELDS.items()},
            },
            "run_dir": self.run_dir,
            "gold_dir": self.gold_dir,
        }


def _divide(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


# ---------------------------------------------------------------------------------------------
# Strings

_TO_STRAIGHT = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
_DELETED = re.compile(r"['.]")
_WORD_BREAK = re.compile(r"[^\w\s]|_")
_DIGIT_RUN = re.compile(r"\d+")


@functools.lru_cache(maxsize=65536)
def normalize_text(text: str) -> str:
    """The comparable form of a string (see the module docstring)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_TO_STRAIGHT).casefold()
    text = _WORD_BREAK.sub(" ", _DELETED.sub("", text))
    words = text.split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def strings_match(gold: str, predicted: str) -> bool:
    """True when two strings are equal for scoring: normalised, same numbers, ratio >= threshold."""
    a, b = normalize_text(gold), normalize_text(predicted)
    if a == b:
        return True
    if not a or not b or _DIGIT_RUN.findall(a) != _DIGIT_RUN.findall(b):
        return False
    return fuzz.ratio(a, b) >= STRING_THRESHOLD


def _ratio(a: str, b: str) -> float:
    return fuzz.ratio(normalize_text(a), normalize_text(b)) / 100.0


def _text_similarity(a: str, b: str) -> float:
    """Alignment similarity: 1 for equal strings, else the share of words in common (Indel)."""
    if strings_match(a, b):
        return 1.0
    return float(Indel.normalized_similarity(normalize_text(a).split(), normalize_text(b).split()))


def _text(value: str | None) -> str | None:
    """The string, or None when it is empty after normalisation."""
    return value if value is not None and normalize_text(value) else None


# ---------------------------------------------------------------------------------------------
# Field kinds, discovered from the models


def _kind_of(annotation: Any) -> FieldKind:
    if get_origin(annotation) in (typing.Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) != 1:
            return "exact"
        annotation = members[0]
    origin = get_origin(annotation)
    if origin is list:
        element = get_args(annotation)[0] if get_args(annotation) else None
        if element is Actor:
            return "actors"
        if element is Item:
            return "items"
        if element is str:
            return "texts"
        return "exact"
    if origin is Literal:
        return "enum"
    if annotation is Actor:
        return "actor"
    if annotation is DateRef:
        return "date"
    if annotation is Money:
        return "money"
    if annotation is str:
        return "text"
    return "exact"


SCORED_FIELDS: dict[str, tuple[tuple[str, FieldKind], ...]] = {
    name: tuple(
        (field_name, _kind_of(info.annotation))
        for field_name, info in model.model_fields.items()
        if field_name not in UNSCORED_FIELDS
    )
    for name, model in RECORD_TYPES.items()
}
"""Per record type, the scored fields in model order with how each is compared."""


# ---------------------------------------------------------------------------------------------
# Comparing values: each comparison yields scoring units


@dataclass(frozen=True)
class _Unit:
    field: str
    outcome: Outcome
    gold: JSONValue
    predicted: JSONValue
    similarity: float
    note: str | None = None


Comparer = typing.Callable[[str, Any, Any], list[_Unit]]


def _unit(label: str, gold: JSONValue, predicted: JSONValue, equal: bool, similarity: float = 0.0) -> list[_Unit]:
    """One scoring unit from two already-cleaned values (None = empty)."""
    if gold is None and predicted is None:
        return []
    if predicted is None:
        return [_Unit(label, "omission", gold, None, 0.0)]
    if gold is None:
        return [_Unit(label, "hallucination", None, predicted, 0.0)]
    if equal:
        return [_Unit(label, "match", gold, predicted, 1.0)]
    return [_Unit(label, "mismatch", gold, predicted, similarity)]


def _part(
    label: str,
    gold: JSONValue,
    predicted: JSONValue,
    same_owner: bool,
    equal: bool,
    owner: str,
    similarity: float = 0.0,
) -> list[_Unit]:
    """A sub-field of an actor or item. Parts of a different actor or item never match: equal
    values there are a mismatch noted as such (the owner's own unit shows the real difference)."""
    if same_owner or not equal or gold is None or predicted is None:
        return _unit(label, gold, predicted, same_owner and equal, similarity)
    return [_Unit(label, "mismatch", gold, predicted, 0.0, f"value of a different {owner}")]


def _compare_text(label: str, gold: str | None, predicted: str | None) -> list[_Unit]:
    g, p = _text(gold), _text(predicted)
    if g is not None and p is not None:
        return _unit(label, g, p, strings_match(g, p), _ratio(g, p))
    return _unit(label, g, p, False)


def _date_key(value: DateRef | None) -> tuple[str | None, str | None] | None:
    if value is None or (value.start is None and value.end is None):
        return None
    return value.start, value.end if value.end is not None else value.start


def _show_date(key: tuple[str | None, str | None] | None) -> str | None:
    if key is None:
        return None
    start, end = key
    if end == start:
        return start
    return f"{start or '?'}/{end or '?'}"


def _money_key(value: Money | None) -> tuple[float | None, str | None] | None:
    if value is None or (value.amount is None and value.currency is None):
        return None
    return value.amount, value.currency


def _show_money(key: tuple[float | None, str | None] | None) -> str | None:
    if key is None:
        return None
    amount, currency = key
    shown = "?" if amount is None else (str(int(amount)) if float(amount).is_integer() else str(amount))
    return f"{shown} {currency or '?'}"


def _money_equal(gold: tuple[float | None, str | None], predicted: tuple[float | None, str | None]) -> bool:
    (ga, gc), (pa, pc) = gold, predicted
    if gc != pc:
        return False
    if ga is None or pa is None:
        return ga is None and pa is None
    return math.isclose(ga, pa, rel_tol=1e-6)


def _jsonable(value: Any) -> JSONValue:
    """A JSON value for an `exact` field (None when empty)."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, BaseModel):
        return typing.cast(JSONValue, value.model_dump(mode="json"))
    if isinstance(value, list):
        return [_jsonable(element) for element in value]
    if isinstance(value, str | int | float | bool | dict):
        return value
    return str(value)


def _actor(value: Actor | None) -> Actor | None:
    return value if value is not None and _text(value.name) is not None else None


def _compare_actor(label: str, gold: Actor | None, predicted: Actor | None) -> list[_Unit]:
    g, p = _actor(gold), _actor(predicted)
    if g is None or p is None:  # one side only: each present part is an omission or a hallucination
        units: list[_Unit] = []
        suffixes = ("", ".kind", ".country", ".role")
        for suffix, g_part, p_part in zip(suffixes, _parts(g), _parts(p), strict=True):
            units += _unit(label + suffix, g_part, p_part, False)
        return units
    same = strings_match(g.name, p.name)
    units = _unit(label, g.name, p.name, same, _ratio(g.name, p.name))
    units += _part(f"{label}.kind", g.kind, p.kind, same, g.kind == p.kind, "actor")
    units += _part(f"{label}.country", g.country, p.country, same, g.country == p.country, "actor")
    g_role, p_role = _text(g.role), _text(p.role)
    both = g_role is not None and p_role is not None
    role_equal = both and strings_match(g_role or "", p_role or "")
    role_similarity = _ratio(g_role or "", p_role or "") if both else 0.0
    return units + _part(f"{label}.role", g_role, p_role, same, role_equal, "actor", role_similarity)


def _parts(actor: Actor | None) -> tuple[str | None, str | None, str | None, str | None]:
    """An actor's scored parts: name, kind, country, role (None when absent or empty)."""
    if actor is None:
        return None, None, None, None
    return actor.name, actor.kind, actor.country, _text(actor.role)


def _compare_item(label: str, gold: Item | None, predicted: Item | None) -> list[_Unit]:
    g = gold if gold is not None and _text(gold.description) is not None else None
    p = predicted if predicted is not None and _text(predicted.description) is not None else None
    if g is not None and p is not None:
        same = strings_match(g.description, p.description)
        units = _unit(label, g.description, p.description, same, _ratio(g.description, p.description))
        return units + _part(f"{label}.quantity", g.quantity, p.quantity, same, g.quantity == p.quantity, "item")
    units = _unit(label, g.description if g else None, p.description if p else None, False)
    return units + _unit(f"{label}.quantity", g.quantity if g else None, p.quantity if p else None, False)


def _assign(similarity: list[list[float]], admissible: list[list[bool]]) -> list[tuple[int, int]]:
    """Optimal one-to-one pairs among admissible cells, maximising the summed similarity."""
    if not similarity or not similarity[0]:
        return []
    allowed = np.array(admissible, dtype=bool)
    weights = np.where(allowed, np.array(similarity, dtype=float), 0.0)
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if allowed[r, c]]


def _pair_strings(gold: Sequence[str], predicted: Sequence[str]) -> list[tuple[int, int]]:
    similarity = [[_ratio(g, p) for p in predicted] for g in gold]
    admissible = [[strings_match(g, p) for p in predicted] for g in gold]
    return _assign(similarity, admissible)


def _list_units(
    label: str,
    gold: Sequence[Any],
    predicted: Sequence[Any],
    key: typing.Callable[[Any], str],
    compare: Comparer,
) -> list[_Unit]:
    pairs = _pair_strings([key(g) for g in gold], [key(p) for p in predicted])
    gold_done = {g for g, _ in pairs}
    predicted_done = {p for _, p in pairs}
    units: list[_Unit] = []
    for g, p in pairs:
        units += compare(label, gold[g], predicted[p])
    units += [u for i, g in enumerate(gold) if i not in gold_done for u in compare(label, g, None)]
    units += [u for i, p in enumerate(predicted) if i not in predicted_done for u in compare(label, None, p)]
    return units


def _compare_plain(label: str, gold: str | None, predicted: str | None) -> list[_Unit]:
    return _unit(label, gold, predicted, gold is not None and predicted is not None)


def _clean_list(kind: FieldKind, value: Any) -> list[Any]:
    if not value:
        return []
    if kind == "actors":
        return [a for a in value if _actor(a) is not None]
    if kind == "items":
        return [i for i in value if _text(i.description) is not None]
    return [s for s in value if _text(s) is not None]


def _list_key(kind: FieldKind) -> typing.Callable[[Any], str]:
    if kind == "actors":
        return lambda actor: str(actor.name)
    if kind == "items":
        return lambda item: str(item.description)
    return str


def _compare_field(kind: FieldKind, label: str, gold: Any, predicted: Any) -> list[_Unit]:
    if kind == "text":
        return _compare_text(label, gold, predicted)
    if kind == "actor":
        return _compare_actor(label, gold, predicted)
    if kind == "date":
        g_date, p_date = _date_key(gold), _date_key(predicted)
        return _unit(label, _show_date(g_date), _show_date(p_date), g_date == p_date)
    if kind == "money":
        g_money, p_money = _money_key(gold), _money_key(predicted)
        equal = g_money is not None and p_money is not None and _money_equal(g_money, p_money)
        return _unit(label, _show_money(g_money), _show_money(p_money), equal)
    if kind in ("actors", "items", "texts"):
        comparers: dict[str, Comparer] = {"actors": _compare_actor, "items": _compare_item, "texts": _compare_plain}
        compare = comparers[kind]
        return _list_units(label, _clean_list(kind, gold), _clean_list(kind, predicted), _list_key(kind), compare)
    g, p = _jsonable(gold), _jsonable(predicted)
    return _unit(label, g, p, g == p)


def _field_similarity(kind: FieldKind, gold: Any, predicted: Any) -> float | None:
    """Similarity (0-1) of one field for alignment; None when both sides are empty."""
    if kind == "text":
        g, p = _text(gold), _text(predicted)
        if g is None or p is None:
            return None if g is None and p is None else 0.0
        return _text_similarity(g, p)
    if kind == "actor":
        ga, pa = _actor(gold), _actor(predicted)
        if ga is None or pa is None:
            return None if ga is None and pa is None else 0.0
        return _text_similarity(ga.name, pa.name)
    if kind in ("actors", "items", "texts"):
        gl, pl = _clean_list(kind, gold), _clean_list(kind, predicted)
        if not gl and not pl:
            return None
        key = _list_key(kind)
        matched = len(_pair_strings([key(g) for g in gl], [key(p) for p in pl]))
        return 2 * matched / (len(gl) + len(pl))
    units = _compare_field(kind, "", gold, predicted)
    if not units:
        return None
    return 1.0 if units[0].outcome == "match" else 0.0


def record_similarity(gold: Record, predicted: Record) -> float:
    """Similarity (0-1) of two records of one type on their key fields (see the module docstring)."""
    record_type = _type_of(gold)
    if _type_of(predicted) != record_type:
        return 0.0
    kinds = dict(SCORED_FIELDS[record_type])
    for names in (KEY_FIELDS.get(record_type, ()), tuple(kinds)):
        values = [
            s
            for name in names
            if name in kinds
            and (s := _field_similarity(kinds[name], getattr(gold, name), getattr(predicted, name))) is not None
        ]
        if values:
            return sum(values) / len(values)
    return 1.0


def _type_of(record: Record) -> str:
    return str(record.record_type)  # declared on each subclass, not on Record


def _compare_records(record_type: str, gold: Record | None, predicted: Record | None) -> list[_Unit]:
    units: list[_Unit] = []
    for name, kind in SCORED_FIELDS[record_type]:
        units += _compare_field(kind, name, getattr(gold, name, None), getattr(predicted, name, None))
    return units


def _label(record: Record) -> str:
    record_type = _type_of(record)
    kinds = dict(SCORED_FIELDS[record_type])
    parts: list[str] = []
    for name in KEY_FIELDS.get(record_type, ()):
        value = getattr(record, name)
        kind = kinds[name]
        shown: JSONValue
        if kind == "actor":
            shown = value.name if _actor(value) else None
        elif kind in ("actors", "items", "texts"):
            shown = ", ".join(_list_key(kind)(v) for v in _clean_list(kind, value)) or None
        else:
            found = _compare_field(kind, name, value, None)
            shown = found[0].gold if found else None
        if shown is not None:
            parts.append(f"{name}={shown}")
    return _clip("; ".join(parts), 100)


# ---------------------------------------------------------------------------------------------
# Scoring


def score(
    predicted: Iterable[Record],
    gold: Iterable[Record],
    gold_doc_ids: Iterable[str] | None = None,
) -> EvalReport:
    """Score in-memory records. The scored documents are `gold_doc_ids` plus every gold record's
    doc_id (pass the gold file stems so a document whose gold is empty is scored too);
    predictions for other documents are only counted in `unscored_documents`."""
    gold_list = list(gold)
    predicted_list = list(predicted)
    documents = set(gold_doc_ids or ()) | {record.doc_id for record in gold_list}

    report = EvalReport(types={name: TypeReport(name) for name in RECORD_TYPES}, documents=sorted(documents))
    unscored: dict[str, int] = {}
    grouped: dict[tuple[str, str], tuple[list[Record], list[Record]]] = {}
    for record in gold_list:
        grouped.setdefault((record.doc_id, _type_of(record)), ([], []))[0].append(record)
    for record in predicted_list:
        if record.doc_id not in documents:
            unscored[record.doc_id] = unscored.get(record.doc_id, 0) + 1
            continue
        grouped.setdefault((record.doc_id, _type_of(record)), ([], []))[1].append(record)
    report.unscored_documents = dict(sorted(unscored.items()))

    type_order = {name: i for i, name in enumerate(RECORD_TYPES)}
    for doc_id, record_type in sorted(grouped, key=lambda k: (k[0], type_order.get(k[1], len(type_order)), k[1])):
        gold_records, predicted_records = grouped[(doc_id, record_type)]
        type_report = report.types.setdefault(record_type, TypeReport(record_type))
        _score_group(report, type_report, doc_id, gold_records, predicted_records)
    return report


def _score_group(
    report: EvalReport,
    type_report: TypeReport,
    doc_id: str,
    gold: list[Record],
    predicted: list[Record],
) -> None:
    record_type = type_report.record_type
    similarity = [[record_similarity(g, p) for p in predicted] for g in gold]
    admissible = [[s >= MIN_RECORD_SIMILARITY for s in row] for row in similarity]
    pairs = _assign(similarity, admissible)
    gold_done = {g for g, _ in pairs}
    predicted_done = {p for _, p in pairs}

    type_report.records.matched += len(pairs)
    type_report.records.missed += len(gold) - len(pairs)
    type_report.records.spurious += len(predicted) - len(pairs)

    comparisons: list[tuple[Record | None, Record | None]] = [(gold[g], predicted[p]) for g, p in pairs]
    for i, record in enumerate(gold):
        if i not in gold_done:
            comparisons.append((record, None))
            nearest = max(similarity[i]) if predicted else None
            report.unmatched.append(UnmatchedRecord(doc_id, record_type, "gold", record.id, _label(record), nearest))
    for j, record in enumerate(predicted):
        if j not in predicted_done:
            comparisons.append((None, record))
            nearest = max(row[j] for row in similarity) if gold else None
            report.unmatched.append(
                UnmatchedRecord(doc_id, record_type, "predicted", record.id, _label(record), nearest)
            )

    for gold_record, predicted_record in comparisons:
        for unit in _compare_records(record_type, gold_record, predicted_record):
            type_report.fields.add(unit.outcome)
            type_report.per_field.setdefault(unit.field, FieldCounts()).add(unit.outcome)
            if unit.outcome != "match":
                report.field_errors.append(
                    FieldError(
                        doc_id=doc_id,
                        record_type=record_type,
                        field=unit.field,
                        kind=unit.outcome,
                        gold=unit.gold,
                        predicted=unit.predicted,
                        similarity=unit.similarity,
                        gold_id=gold_record.id if gold_record else None,
                        predicted_id=predicted_record.id if predicted_record else None,
                        note=unit.note,
                    )
                )


# ---------------------------------------------------------------------------------------------
# Files


def _read_numbered(path: Path, problems: list[str]) -> list[tuple[int, Record]]:
    """Valid records of a file with their line numbers; every invalid line goes to `problems`."""
    records, errors = read_numbered_records(path)
    if errors:
        problems.extend(str(error) for error in errors)
        return []
    return records


def load_run(run_dir: Path) -> list[Record]:
    """Every predicted record of a run folder (`pipeline.output.read_run`); raises EvaluationError on
    any invalid line or misfiled record. A folder without a manifest is scored too (a hand-made one)."""
    try:
        return read_run(run_dir, require_manifest=False).all_records
    except RunReadError as exc:
        raise EvaluationError(exc.problems) from exc


def load_gold(gold_dir: Path) -> tuple[list[Record], list[str]]:
    """Every gold record and the gold document ids (file stems, sorted); raises EvaluationError
    on any invalid line or a record whose doc_id is not its file's stem."""
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise EvaluationError([f"{gold_dir}: gold directory does not exist or is not a directory"])
    paths = sorted(path for path in gold_dir.glob("*.jsonl") if path.is_file())
    if not paths:
        raise EvaluationError([f"{gold_dir}: no gold files (<doc_id>.jsonl)"])
    problems: list[str] = []
    records: list[Record] = []
    for path in paths:
        for number, record in _read_numbered(path, problems):
            if record.doc_id != path.stem:
                problems.append(f"{path}:{number}: doc_id {record.doc_id!r} in the gold file for {path.stem!r}")
            else:
                records.append(record)
    if problems:
        raise EvaluationError(problems)
    return records, [path.stem for path in paths]


def evaluate(run_dir: Path, gold_dir: Path) -> EvalReport:
    """Score a run directory against a gold directory (formats in the module docstring)."""
    problems: list[str] = []
    predicted: list[Record] = []
    gold: list[Record] = []
    doc_ids: list[str] = []
    try:
        predicted = load_run(run_dir)
    except EvaluationError as exc:
        problems += exc.problems
    try:
        gold, doc_ids = load_gold(gold_dir)
    except EvaluationError as exc:
        problems += exc.problems
    if problems:
        raise EvaluationError(problems)
    report = score(predicted, gold, doc_ids)
    report.run_dir = str(run_dir)
    report.gold_dir = str(gold_dir)
    return report


# ---------------------------------------------------------------------------------------------
# Text report


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _show(value: JSONValue, width: int = 40) -> str:
    return _clip(json.dumps(value, ensure_ascii=False), width)


REPORT_WIDTH = 80  # a terminal's default: every table line fits, long values are clipped with "…"


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], align: str, shrink: int | None = None
) -> list[str]:
    """Fixed-width columns; `align` has one letter per column, l (left) or r (right). When the lines
    would be wider than REPORT_WIDTH, column `shrink` is clipped to fit."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    overflow = sum(widths) + 2 * (len(widths) - 1) - REPORT_WIDTH
    if shrink is not None and overflow > 0:
        widths[shrink] = max(len(headers[shrink]), widths[shrink] - overflow)
        rows = [[*row[:shrink], _clip(row[shrink], widths[shrink]), *row[shrink + 1 :]] for row in rows]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(width) if how == "l" else cell.rjust(width)
            for cell, width, how in zip(cells, widths, align, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return [line(headers), line(["-" * width for width in widths]), *(line(row) for row in rows)]


def _wrap_items(items: Sequence[str], indent: str = "  ") -> list[str]:
    """A comma-separated list in lines of at most REPORT_WIDTH, never breaking inside an item."""
    lines: list[str] = []
    line = ""
    for item in items:
        piece = item if not line else f", {item}"
        if line and len(indent) + len(line) + len(piece) > REPORT_WIDTH:
            lines.append(indent + line + ",")
            line, piece = "", item
        line += piece
    return [*lines, indent + line] if line else lines


def _metric(value: float, defined: bool) -> str:
    return f"{value:.3f}" if defined else "-"


def _record_row(name: str, records: RecordCounts) -> list[str]:
    return [
        name,
        str(records.gold),
        str(records.predicted),
        str(records.matched),
        _metric(records.precision, records.predicted > 0),
        _metric(records.recall, records.gold > 0),
        _metric(records.f1, records.gold + records.predicted > 0),
    ]


def _field_row(name: str, fields: FieldCounts) -> list[str]:
    return [
        name,
        str(fields.match),
        str(fields.mismatch),
        str(fields.omission),
        str(fields.hallucination),
        _metric(fields.precision, fields.predicted > 0),
        _metric(fields.recall, fields.gold > 0),
        _metric(fields.f1, fields.gold + fields.predicted > 0),
    ]


def format_report(report: EvalReport, worst: int = 10) -> str:
    """A plain-text report: per-type table, the headline, fields with errors, the worst
    mismatches and the unmatched records (at most `worst` rows in each list)."""
    out: list[str] = []
    if report.run_dir or report.gold_dir:
        out.append(f"Run {report.run_dir} against gold {report.gold_dir}")
    out.append(f"Scored {len(report.documents)} document(s).")
    if report.unscored_documents:
        listed = [f"{doc} ({n})" for doc, n in list(report.unscored_documents.items())[:worst]]
        more = len(report.unscored_documents) - min(worst, len(report.unscored_documents))
        out.append(
            f"Not scored (no gold file): {len(report.unscored_documents)} document(s), "
            f"{report.unscored_records} record(s):"
        )
        out += _wrap_items([*listed, *([f"... {more} more"] if more > 0 else [])])
    out.append("")

    record_rows = [_record_row(name, t.records) for name, t in report.types.items()]
    record_rows.append(_record_row("all (micro)", report.records))
    out += ["Records:"]
    out += _table(["type", "gold", "pred", "paired", "rec P", "rec R", "rec F1"], record_rows, "lrrrrrr")
    field_rows = [_field_row(name, t.fields) for name, t in report.types.items()]
    field_rows.append(_field_row("all (micro)", report.fields))
    out += ["", "Fields:"]
    out += _table(["type", "match", "mism", "omit", "halluc", "fld P", "fld R", "fld F1"], field_rows, "lrrrrrrr")
    headline = f"Headline: field F1 (micro, all types) = {report.micro_field_f1:.3f}"
    headline += f"   (record F1 {report.micro_record_f1:.3f})"
    out += ["", headline]

    with_errors = [
        (f"{name}.{label}", counts)
        for name, t in report.types.items()
        for label, counts in t.per_field.items()
        if counts.errors
    ]
    with_errors.sort(key=lambda item: (-item[1].errors, item[0]))
    if with_errors:
        out += ["", f"Fields with errors ({len(with_errors)}, most errors first):"]
        field_rows = [
            [label, str(c.match), str(c.mismatch), str(c.omission), str(c.hallucination), f"{c.f1:.3f}"]
            for label, c in with_errors[:worst]
        ]
        out += _table(["field", "match", "mism", "omit", "halluc", "F1"], field_rows, "lrrrrr", shrink=0)

    mismatches = report.worst_mismatches(worst)
    out += ["", f"Worst mismatches ({len(mismatches)} of {len(report.mismatches())}):"]
    # One block per mismatch (a row with both values would not fit 80 columns).
    value_width = REPORT_WIDTH - len("    predicted: ")
    for e in mismatches:
        heading = f"{e.doc_id}  {e.record_type}.{e.field}  similarity {e.similarity:.2f}"
        out.append(_clip(heading + (f"  ({e.note})" if e.note else ""), REPORT_WIDTH))
        out.append(f"    gold:      {_show(e.gold, value_width)}")
        out.append(f"    predicted: {_show(e.predicted, value_width)}")
    if not mismatches:
        out.append("  none")

    for side, title in (("gold", "Missed gold records"), ("predicted", "Spurious predicted records")):
        unmatched = [u for u in report.unmatched if u.side == side]
        if not unmatched:
            continue
        out += ["", f"{title} ({min(worst, len(unmatched))} of {len(unmatched)}):"]
        for u in unmatched[:worst]:
            nearest = "none on the other side" if u.nearest is None else f"nearest {u.nearest:.2f}"
            out.append(_clip(f"{u.doc_id}  {u.record_type}  {nearest}", REPORT_WIDTH))
            out.append(_clip(f"    {u.label}", REPORT_WIDTH))
    return "\n".join(out) + "\n"
