"""One entry per record type: everything the pipeline knows about a type, in one place.

An entry names the type's schema and prompt, how candidate sentences are chosen (cue words in
the prompt, a gate, clause splitting), what the sentence's wording says about its fields (its
reader), when the wording alone makes a record, and how fragments of one event are merged
(identifying fields, what a fragment is, what makes two records the same event). The strategy
and merge stages only ever ask the entry; adding a record type is adding an entry
(`pipeline/record_types/<type>.py`), its schema, its prompt and its lexicon.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.text import Span, squash

Fields = dict[str, Any]


@dataclass(frozen=True)
class Reading:
    """What a sentence's wording says about a record's fields. A value wins over the model's; None
    removes a model value the sentence contradicts. `context` is where values were read when that is
    wider than the sentence (a speaker named before the quotation their "we" comes from)."""

    overrides: Fields
    context: Span | None = None
    # Several records the sentence lists at once ("agreements on A, B and C"): the values each adds to
    # `overrides`, one record per entry (empty: one record).
    each: tuple[Fields, ...] = ()


def _never(_: str) -> bool:
    return False


def _no_mentions(_: str) -> list[str]:
    return []


def _no_reading(_document_text: str, _unit: Span, _sentence: str, _fields: Fields) -> Reading:
    return Reading({})


def _as_is(_path: str, value: Any) -> Any:
    return value


def _never_points_back(_: Fields) -> bool:
    return False


def _never_fragment(_: Fields) -> bool:
    return False


def _lends_nothing(_: Fields) -> bool:
    return False


def _nothing_missing(_: Fields) -> str | None:
    return None


def _no_same_event(_a: Fields, _b: Fields) -> bool:
    return False


def _nothing_general(_field: str, _value: Any) -> bool:
    return False


@dataclass(frozen=True)
class RecordTypeEntry:
    record_type: str
    # Candidates: "sentences" with cue words (the prompt's pattern) or "quotations" (by their marks).
    candidates: str = "sentences"
    # A sentence with a cue word must also pass this before the model is asked (None: no gate).
    gate: Callable[[str], bool] | None = None
    # Names the document gives the event ("Caspian 2006"): later sentences naming them are candidates.
    mentions: Callable[[str], list[str]] = _no_mentions
    # What the sentence's wording says about the fields (document text, sentence span, masked sentence, model fields).
    read: Callable[[str, Span, str, Fields], Reading] = _no_reading
    # Whether the wording alone found a record, whatever the model answered.
    complete_by_rule: Callable[[Fields, str], bool] = lambda _fields, _sentence: False
    # Whether a sentence states an event of its own, so its record is never merged as a fragment.
    starts_event: Callable[[str], bool] = _never
    # Whether a sentence in a later paragraph speaks of the event again ("this year's edition"), so
    # its wording is read for the event's facts (by rule only: no model call).
    refers_back: Callable[[str], bool] = _never
    # How many sentences after a cue sentence are read for `refers_back` (at least the prompt's `follow`).
    read_follow: int = 0
    # Whether the sentence introduces the event (its place and date are the event's), else a detail.
    introduces: Callable[[str], bool] = lambda _: True
    # Places of this type are named places only ("in Almaty", not "in the northern Caspian").
    named_places_only: bool = False
    # Merge: fields that, when both records have them and differ, mean two different events.
    identifying: tuple[str, ...] = ()
    # Fields a sentence may list several records by (`Reading.each`): records read from one sentence
    # that differ on them are different events, whatever else they share.
    listed: tuple[str, ...] = ()
    # How an identifying field's value is compared (path, value -> key): "Amber Fjord 2014" and
    # "Amber Fjord 14" name one exercise.
    identity_key: Callable[[str, Any], Any] = _as_is
    # A record whose identifying words point back at the event told before ("the agreement was signed
    # by A and B" after "A's council signed a memorandum with B"): they say nothing against it.
    points_back: Callable[[Fields], bool] = _never_points_back
    is_fragment: Callable[[Fields], bool] = _never_fragment
    same_event: Callable[[Fields, Fields], bool] = _no_same_event
    # An article rarely describes two events of this type at once: any fragment joins the nearest.
    fragments_join_any_distance: bool = False
    # Text fields where, on merging, a fuller phrase of the same head wins ("exercises", later "joint
    # exercises"): kind words said once in full and once short.
    fuller_phrase_wins: tuple[str, ...] = ()
    # A list field's value that a later, more specific list replaces in a merge (field, value):
    # "handed over equipment", then "the assistance includes two radars and ten cameras".
    is_general: Callable[[str, Any], bool] = _nothing_general
    # Why a merged record is too incomplete to be an event, or None.
    missing_core: Callable[[Fields], str | None] = _nothing_missing
    # Fields an incomplete record takes from the article's complete records of its type when they all
    # give one value and one of them `lends_article_wide`: the documents of one signing, listed later
    # without their parties.
    article_wide: tuple[str, ...] = ()
    lends_article_wide: Callable[[Fields], bool] = _lends_nothing
    # How each field's final value is chosen from the model's answer and the reading (pipeline.decide);
    # fields not named here are `reading_first`.
    field_policy: dict[str, str] = field(default_factory=dict)
    # Fields whose value is itself a verbatim span of the document (a quotation's words): evidence too.
    evidence_fields: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def entries() -> dict[str, RecordTypeEntry]:
    """Every record type's entry, by record type, in the schema's order (built once: every candidate
    sentence and every merge step asks for it)."""
    from pipeline.record_types import agreement, aid_delivery, exercise, quote

    found = {e.ENTRY.record_type: e.ENTRY for e in (exercise, aid_delivery, agreement, quote)}
    return found


def entry(record_type: str) -> RecordTypeEntry:
    return entries()[record_type]


def names_in(values: list[Any] | None) -> set[str]:
    """The folded names of a list of actors or items ('name', else 'description'), for comparing
    two records' lists: merge's unions and the entries' same-event tests."""
    names = set()
    for value in values or []:
        if isinstance(value, dict):
            value = value.get("name") or value.get("description")
        if isinstance(value, str):
            names.add(squash(value))
    return names
