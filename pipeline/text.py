"""Spans of a document: paragraphs and sentences (from the parser) with offsets; quote-insensitive matching."""

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


# The key of a date line at the top of a page: "date 2019-10-29", "Date: 3 June 2019", "Published: ...".
DATE_LINE_KEY = r"(?:date|published|posted|updated)\b\s*[:=]?\s*"
# Those words with an ISO date (and time), opening the text whatever follows on the line.
_DATE_LINE_OPENING = re.compile(
    rf"^\s*(?P<words>{DATE_LINE_KEY}\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?)?)", re.IGNORECASE
)


def date_line_opening(text: str) -> tuple[int, int] | None:
    """Where `text` opens with a date line's words ("date 2018-10-18 Russia supplied ..."), as
    (start, end) offsets: the page's date, never an event's or a title's."""
    match = _DATE_LINE_OPENING.match(text)
    return match.span("words") if match else None


def without_possessive(word: str) -> str:
    """'Chile’s' -> 'Chile': a name's possessive ending, curly or straight, is not part of the name."""
    return re.sub(r"(?:’s|'s)$", "", word)


def one_name(left: str, right: str) -> bool:
    """The same name, or one is the initials of the other's capitalized words: "EU" and "European
    Union", "OSCE" and "Organization for Security and Co-operation in Europe"."""
    if squash(left) == squash(right):
        return True
    short, long = sorted((left.strip(), right.strip()), key=len)
    letters = short.replace(".", "")
    if not (2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper()):
        return False
    words = re.sub(r"^the\s+", "", long, flags=re.IGNORECASE).split()
    return len(words) > 1 and "".join(w[0] for w in words if w[:1].isupper()) == letters


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
    """Sentences in document order, from the parser; never across a line break.

    Cached: candidate selection, quotation attribution and evidence alignment all ask for the
    same document's sentences, once per record type, quotation or cited passage.
    """
    from pipeline.language.parse import parse

    result = []
    for paragraph in paragraphs(text):
        for line in re.finditer(r"[^\n]+", paragraph.text):
            start = paragraph.start + line.start()
            end = paragraph.start + line.end()
            for sentence in parse(text).char_span(start, end, alignment_mode="expand").sents:
                a, b = max(sentence.start_char, start), min(sentence.end_char, end)
                while a < b and text[a].isspace():
                    a += 1
                while b > a and text[b - 1].isspace():
                    b -= 1
                if a < b:
                    result.append(Span(a, b, text[a:b]))
    return tuple(result)


def find_all(haystack: str, needle: str) -> list[int]:
    positions, at = [], haystack.find(needle)
    while at != -1 and needle:
        positions.append(at)
        at = haystack.find(needle, at + 1)
    return positions
