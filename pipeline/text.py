"""Spans of a document: paragraphs and sentences with their offsets, and quote-insensitive matching."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = {
    "u.s", "u.k", "u.n", "e.u", "mr", "mrs", "ms", "dr", "col", "gen", "lt", "maj", "capt", "cmdr", "adm",
    "sgt", "st", "no", "vol", "jan", "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "prof",
    "sen", "rep", "gov", "pres", "corp", "inc", "ltd", "co", "jr", "sr", "vs", "etc", "approx", "e.g", "i.e",
}
_SENTENCE_END = re.compile(r"[.!?][”’\"')\]]*\s+(?=[“‘\"'(\[]?[A-Z0-9])")

# Characters that writers and models use interchangeably. Each maps to one character, so a
# normalized string has the same length and offsets as the original.
_EQUIVALENT = str.maketrans({
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "`": "'",
    "–": "-", "—": "-", "‑": "-", "\u00a0": " ", "\n": " ", "\t": " ",
})


def fold(text: str) -> str:
    """Lower-case, straight quotes, plain hyphens and spaces; same length as the input."""
    folded = text.translate(_EQUIVALENT).lower()
    return folded if len(folded) == len(text) else text.lower()


def squash(text: str) -> str:
    """`fold` plus runs of white space collapsed: for comparing values, not for offsets."""
    return re.sub(r"\s+", " ", fold(text)).strip()


def paragraphs(text: str) -> list[Span]:
    spans = []
    for match in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        if match.group().strip():
            spans.append(Span(match.start(), match.end(), match.group()))
    return spans


@functools.lru_cache(maxsize=8)
def sentences(text: str) -> tuple[Span, ...]:
    """Sentences in document order. Never crosses a paragraph break.

    Cached: candidate selection, quotation attribution and evidence alignment all ask for the
    same document's sentences, once per record type, quotation or cited passage.
    """
    result = []
    for paragraph in paragraphs(text):
        start = paragraph.start
        for match in _SENTENCE_END.finditer(paragraph.text):
            # The sentence keeps its closing quotes and brackets.
            cut = paragraph.start + match.start() + len(match.group().rstrip())
            word = re.search(r"([\w.]+)[.!?]?[”’\"')\]]*$", text[start:cut])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
            if word and re.fullmatch(r"[A-Z]", word.group(1).rstrip(".")):
                continue  # an initial: "John F. Kennedy"
            result.append(Span(start, cut, text[start:cut]))
            start = paragraph.start + match.end()
        if start < paragraph.end:
            result.append(Span(start, paragraph.end, text[start : paragraph.end]))
    return tuple(result)


def find_all(haystack: str, needle: str) -> list[int]:
    positions, at = [], haystack.find(needle)
    while at != -1 and needle:
        positions.append(at)
        at = haystack.find(needle, at + 1)
    return positions
