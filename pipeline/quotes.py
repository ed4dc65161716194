"""Quotations by rule: the quoted words from the quotation marks, and the citation after them.

Curly and straight marks are both handled, and so is a quotation that runs over several
paragraphs (each continued paragraph opens with a mark, only the last one closes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.actors import looks_like_person
from pipeline.text import Span, paragraphs, sentences

MIN_QUOTE_WORDS = 4  # fewer words in marks is a name or a term ("Casfor"), not a quotation
_CITATION = re.compile(
    r"\(((?:[A-Z0-9][\w.’'\-]*)(?:[\s\-][\w.’'\-]+){0,5},\s*(?:[A-Z][a-z]+\.?\s+\d{1,2}(?:,\s*\d{4})?|\d{4}))\)"
)


@dataclass(frozen=True)
class Quotation:
    start: int  # offset of the opening mark
    end: int  # offset after the closing mark
    text_start: int  # the quoted words, marks and trailing comma excluded
    text_end: int

    def words(self, document: str) -> str:
        return document[self.text_start : self.text_end]


def find_quotations(text: str) -> list[Quotation]:
    found = _curly_quotations(text) + _straight_quotations(text)
    found.sort(key=lambda q: q.start)
    result: list[Quotation] = []
    for quotation in found:
        if result and quotation.start < result[-1].end:
            continue
        words = text[quotation.text_start : quotation.text_end].split()
        # A title in marks ("Tien Shan Frontier 2011") is a name, not a quotation.
        is_title = all(w[0].isupper() or w[0].isdigit() for w in words)
        if len(words) >= MIN_QUOTE_WORDS and not is_title:
            result.append(quotation)
    return result


def _curly_quotations(text: str) -> list[Quotation]:
    quotations = []
    opened: int | None = None
    for match in re.finditer(r"[“”]|\n\s*\n", text):
        token = match.group()
        if token == "“":
            if opened is None:
                opened = match.start()
            # A second opening mark while open continues a multi-paragraph quotation.
        elif token == "”":
            if opened is not None:
                quotations.append(_quotation(text, opened, match.end()))
                opened = None
        elif opened is not None and not text.startswith("“", match.end()):
            # A quotation continues past a paragraph break only if the next paragraph opens with a mark.
            opened = None
    return quotations


def _straight_quotations(text: str) -> list[Quotation]:
    quotations = []
    for paragraph in paragraphs(text):
        marks = [m.start() for m in re.finditer(r'"', paragraph.text)]
        for open_at, close_at in zip(marks[0::2], marks[1::2], strict=False):
            quotations.append(_quotation(text, paragraph.start + open_at, paragraph.start + close_at + 1))
    return quotations


def _quotation(text: str, start: int, end: int) -> Quotation:
    text_start, text_end = start + 1, end - 1
    while text_end > text_start and text[text_end - 1] in " ,\n":
        text_end -= 1
    while text_start < text_end and text[text_start] in " \n":
        text_start += 1
    return Quotation(start, end, text_start, text_end)


def mask_citations(text: str) -> str:
    """The text with '(Interfax, June 21)' citations blanked out, same length: a citation's date
    is when the news agency reported, not when the event happened."""
    return _CITATION.sub(lambda m: " " * len(m.group()), text)


def cited_source(text: str, quotation: Quotation) -> Span | None:
    """The first news-agency citation after the quotation in its paragraph (GUIDE: a citation that
    closes a paragraph covers every quotation in it)."""
    paragraph_end = text.find("\n", quotation.end)
    limit = len(text) if paragraph_end == -1 else paragraph_end
    match = _CITATION.search(text, quotation.end, limit)
    if not match:
        return None
    return Span(match.start(1), match.end(1), match.group(1))


def attribution_context(text: str, quotation: Quotation, max_quote_words: int = 10) -> Span:
    """The sentences around a quotation, where its speaker is named."""
    spans = sentences(text)
    inside = [s for s in spans if s.end > quotation.start and s.start < quotation.end]
    if not inside:
        return Span(quotation.start, quotation.end, text[quotation.start : quotation.end])
    first, last = inside[0], inside[-1]
    index = spans.index(first)
    # A quotation that opens its sentence is often introduced by the sentence before ("He said:").
    if index > 0 and text[first.start : quotation.start].strip() == "" and spans[index - 1].text.rstrip().endswith(":"):
        first = spans[index - 1]
    return Span(first.start, last.end, text[first.start : last.end])


def shorten_quotation(context: Span, text: str, quotation: Quotation, max_words: int = 8) -> str:
    """The context with a long quotation cut to its first words: the model needs the frame, not the words."""
    words = text[quotation.text_start : quotation.text_end].split()
    if len(words) <= max_words:
        return context.text
    short = " ".join(words[:max_words]) + " ..."
    before = text[context.start : quotation.text_start]
    after = text[quotation.text_end : context.end]
    return before + short + after


SPEECH_VERBS = (
    "said|says|say|saying|told|tells|added|adds|adding|explained|explains|explaining|stated|states|noted|notes|"
    "noting|declared|declares|stressed|stresses|emphasized|emphasised|emphasizes|remarked|announced|announces|"
    "insisted|insists|argued|argues|warned|warns|claimed|claims|asserted|observed|commented|continued|specified|"
    "confirmed|reported|acknowledged|admitted|concluded|replied|answered|wrote|writes|recalled|pointed out|"
    "underlined|underscored|affirmed|maintained|suggested"
)
# A name, possibly with its title: "Romanian Border Police chief Ioan Dumitrache".
_NAME = r"[A-Z][\w’'\-]+(?:\s+(?:[A-Z][\w’'\-]+|chief|commander|head|spokesman|spokeswoman|minister|director)){0,6}"
_APPOSITIVE = r"(?:,\s+(?P<apposition>[^,“”\"]{3,120}),)?"
_AFTER = [
    re.compile(rf"^\s*(?P<cue>[Aa]ccording to)\s+(?P<speaker>{_NAME})"),
    re.compile(rf"^\s*(?P<cue>{SPEECH_VERBS})\s+(?P<speaker>{_NAME})"),
    re.compile(rf"^\s*(?:the\s+)?(?P<speaker>{_NAME}){_APPOSITIVE}\s+(?P<cue>{SPEECH_VERBS})\b"),
    re.compile(rf"^\s*(?P<speaker>he|she|they|we)\s+(?P<cue>{SPEECH_VERBS})\b", re.IGNORECASE),
]
_BEFORE = [
    re.compile(rf"(?P<cue>[Aa]ccording to)\s+(?P<speaker>{_NAME})\s*,?\s*$"),
    re.compile(rf"(?P<speaker>{_NAME}){_APPOSITIVE}\s+(?:\w+\s+){{0,2}}?(?P<cue>{SPEECH_VERBS})\b[^.“”\"]{{0,80}}[:,]?\s*$"),
    re.compile(rf"(?P<speaker>{_NAME}){_APPOSITIVE}\s+(?:\w+\s+){{0,4}}?(?P<cue>[a-z]+ed)\b[^.“”\"]{{0,80}}:\s*$"),
    re.compile(rf"(?P<speaker>{_NAME}){_APPOSITIVE}\s+[^.“”\"]{{0,80}}\b(?P<cue>saying),?\s*$"),
]


# Capitalized words that begin a sentence or a date, not a name: "From October, ..." names no one.
_NOT_A_SPEAKER = re.compile(r"^(?:(?:From|In|On|At|By|Since|After|Before|During|But|And|Then|Later|Still|Yet)\b\s*)+")
_MONTH_NAMES = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
}


@dataclass(frozen=True)
class Attribution:
    """Who said a quotation and how, as the text around it words it."""

    cue: Span | None = None
    speaker: str | None = None  # verbatim; a pronoun is resolved to the last person named before it
    frame: str = ""  # the attribution words outside the quotation, where a date may be given


def attribute(text: str, quotation: Quotation) -> Attribution:
    """The cue verb and speaker of a quotation: ',” explained Putin', 'X, a spokesman, said: “'."""
    paragraph_start = text.rfind("\n", 0, quotation.start) + 1
    after_end = min(len(text), quotation.end + 160)
    after = mask_citations(text[quotation.end : after_end]).split("\n", 1)[0]
    sentence_end = re.search(r"(?<![A-Z])[.!?](?:\s|$)", after)
    after = after[: sentence_end.start()] if sentence_end else after
    before_start = max(paragraph_start, quotation.start - 240)
    before = text[before_start : quotation.start]
    before = before[max(before.rfind(". "), before.rfind("” "), -1) + 1 :]  # this sentence only
    before_start = quotation.start - len(before)
    for pattern, frame, offset in [(p, after, quotation.end) for p in _AFTER] + [
        (p, before, before_start) for p in _BEFORE
    ]:
        match = pattern.search(frame)
        if match:
            cue = Span(offset + match.start("cue"), offset + match.end("cue"), match.group("cue"))
            named = _NOT_A_SPEAKER.sub("", match.group("speaker"))
            apposition = match.groupdict().get("apposition")
            # "A spokesman for Azerbaijan's Foreign Ministry, Ramin Guliyev, said": the person speaks.
            if apposition and looks_like_person(apposition.strip()) and not looks_like_person(named):
                named = apposition.strip()
            if not named or named.split()[0] in _MONTH_NAMES:
                continue
            if named.lower() in {"he", "she", "they", "we"}:
                return Attribution(cue, _last_person_before(text, paragraph_start, quotation.start), frame)
            return Attribution(cue, named, frame)
    return Attribution()


def _last_person_before(text: str, paragraph_start: int, end: int) -> str | None:
    """The person a pronoun after a quotation refers to: the last full name before it."""
    window = re.sub(r"“[^”]*”|\"[^\"]*\"", lambda m: " " * len(m.group()), text[max(0, paragraph_start - 400) : end])
    names = [
        m.group() for m in re.finditer(rf"{_NAME}", window)
        if looks_like_person(m.group())
        # a full name, or the surname of one: not a capital city standing alone
        and (len(m.group().split()) >= 2 or re.search(rf"[A-Z][\w’'\-]+\s+{re.escape(m.group())}\b", text))
    ]
    return names[-1] if names else None
