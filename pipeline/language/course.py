"""When an event starts and ends, as the sentence's verbs tell it: "began on May 3" gives its first
day, "ended on May 5" its last, "will run until May 5" its last day only (GUIDE §4 and its rulings).
Read off the document's shared parse; the words are data in `prompts/lexicon/dates.toml`.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Literal

from pipeline.language.parse import parse

LEXICON = Path(__file__).resolve().parents[2] / "prompts" / "lexicon" / "dates.toml"

Part = Literal["start", "end", "until"]


@functools.lru_cache(maxsize=1)
def _words() -> dict[str, frozenset[str]]:
    data = tomllib.loads(LEXICON.read_text(encoding="utf-8"))
    return {key: frozenset(value) for key, value in data.items()}


def part_of_course(text: str, start: int, end: int) -> Part | None:
    """Which end of the event's course the date words at `text[start:end]` tell: "start" ("began on
    May 3"), "end" ("ended on May 5"), "until" ("will last until May 5": the last day, no first day
    told), else None. The word that governs the date decides: a preposition of "until" on the way
    up, else the first verb above it."""
    doc = parse(text)
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    words = _words()
    node = span.root
    while node.pos_ not in ("VERB", "AUX"):
        if node.dep_ == "pobj" and node.head.lower_ in words["until_words"]:
            return "until"
        if node.head.i == node.i or node.dep_ == "conj":
            return None  # a date listed beside another, or the sentence's root: no verb tells its part
        node = node.head
    lemma = node.lemma_.lower()
    if lemma in words["start_verbs"]:
        return "start"
    if lemma in words["end_verbs"]:
        return "end"
    return None
