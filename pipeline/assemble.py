"""Stage 5, normalize and assemble: grounded draft values become a validated record.

Actors get their kind, country, full name and title by rule (pipeline.actors); dates and money
are normalized from their grounded text (pipeline.normalize); the record model validates the
result and the record gets its content-derived id.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from pipeline.actors import ActorRules
from pipeline.documents import Document
from pipeline.language.course import part_of_course
from pipeline.language.parse import parse
from pipeline.normalize import YEAR, find_dates, normalize_date, normalize_money
from schemas import RECORD_TYPES, DateRef, Evidence, Record, with_stable_id


class AssemblyError(ValueError):
    """Grounded values that still do not make a valid record."""


def assemble_record(
    record_type: str, fields: dict[str, Any], evidence: list[Evidence], document: Document, actors: ActorRules
) -> Record:
    model = RECORD_TYPES[record_type]
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name not in fields or fields[name] is None:
            continue
        value = fields[name]
        annotation = str(info.annotation)
        if "DateRef" in annotation:
            date = normalize_date(value, document.doc_date)
            if document.doc_date is None:
                date = _in_the_year_of_its_sentence(date, evidence)
            date = _told_as_past(date, evidence, document.text, document.doc_date)
            value = _its_course(date, evidence, document.text, document.doc_date).model_dump()
        elif "Money" in annotation:
            value = normalize_money(value).model_dump()
        elif "Actor" in annotation:
            value = [_actor(a, actors) for a in value] if isinstance(value, list) else _actor(value, actors)
        values[name] = value
    try:
        record = model(id="", doc_id=document.doc_id, evidence=evidence, **values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise AssemblyError(problems) from exc
    return with_stable_id(record)


_YEAR = re.compile(rf"(?<![\d,.]){YEAR}(?![\d,.]\d)")


def _in_the_year_of_its_sentence(date: DateRef, evidence: list[Evidence]) -> DateRef:
    """An undated article's "July 18" in a sentence that names one year ("Sea Lynx 2016 began on July
    18", "the agreement of 2019 ... on May 3") is that year's (GUIDE, the r30 ruling): the sentence
    ties the year to what it tells. With no year there, or two, it stays without one."""
    if date.start is not None or _YEAR.search(date.text):
        return date
    said = next((e for e in evidence if date.text in e.text), None)
    years = set(_YEAR.findall(said.text)) if said else set()
    if len(years) != 1:
        return date
    dated = normalize_date(date.text, years.pop())
    return dated if dated.precision in ("day", "month") else date


def _told_as_past(date: DateRef, evidence: list[Evidence], text: str, doc_date: str | None) -> DateRef:
    """'Earlier in December', told in the past tense in a January article: last December (GUIDE, the
    r154-r173 rulings). A date without its year takes the document's year (§4), which would put
    what the text tells as done after the article was written. `text` is the document's."""
    if not (doc_date and date.start and date.end) or len(doc_date) < 7 or re.search(rf"\b{YEAR}\b", date.text):
        return date
    if date.start[: len(doc_date)] <= doc_date or not re.fullmatch(r"\d{4}-\d{2}(?:-\d{2})?", date.start):
        return date
    said = next((e for e in evidence if date.text in e.text), None)
    if said is None or not _past_tense_at(text, said.start + said.text.index(date.text)):
        return date
    year = str(int(date.start[:4]) - 1)
    return date.model_copy(update={"start": year + date.start[4:], "end": year + date.end[4:]})


def _its_course(date: DateRef, evidence: list[Evidence], text: str, doc_date: str | None) -> DateRef:
    """The event's course as its sentence tells it (GUIDE §4 and its rulings): "will run until April
    26" gives the last day only; "began on June 12 and will last until June 16" the first day from
    the one date and the last from the other, the words the start's. `text` is the document's."""
    said = next((e for e in evidence if date.text in e.text), None)
    if said is None or not date.end:
        return date
    at = said.start + said.text.index(date.text)
    part = part_of_course(text, at, at + len(date.text))
    if part == "until":
        return date.model_copy(update={"start": None})
    if part != "start":
        return date
    for found in find_dates(said.text):
        later = normalize_date(found.text, doc_date)
        where = said.start + found.start
        if where <= at or not later.end or len(later.end) != len(date.end) or later.end <= date.end:
            continue
        if part_of_course(text, where, where + len(found.text)) in ("end", "until"):
            return date.model_copy(update={"end": later.end})
    return date


def _past_tense_at(text: str, at: int) -> bool:
    """Whether the verb that governs the words at `at` tells the past ("held", "has handed over"), read
    off the document's shared parse."""
    doc = parse(text)
    span = doc.char_span(at, at + 1, alignment_mode="expand")
    verb = next((a for a in span[0].ancestors if a.pos_ in ("VERB", "AUX")), None) if span else None
    if verb is None:
        return False
    auxiliaries = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    to_come = {"will", "shall", "'ll"}
    if any(a.lower_ in to_come or (a.tag_ in ("VBP", "VBZ") and a.lemma_ == "be") for a in auxiliaries):
        return False  # "will hold", "is held": still to come, or the present
    return verb.tag_ == "VBD" or any(a.tag_ == "VBD" or a.lemma_ == "have" for a in auxiliaries)


def _actor(value: dict[str, Any], actors: ActorRules) -> dict[str, Any]:
    resolved = actors.actor(value["name"], value.get("role"))
    # A model that gave kind or country keeps them; the rules fill only what is missing.
    data = resolved.model_dump()
    for key in ("kind", "country"):
        if value.get(key) and not (key == "kind" and value[key] == "other"):
            data[key] = value[key]
    return data
