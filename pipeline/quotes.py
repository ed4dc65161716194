"""Quotations by rule: the quoted words from the quotation marks, and the citation after them.

Curly and straight marks are both handled, and so is a quotation that runs over several
paragraphs (each continued paragraph opens with a mark, only the last one closes).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.language.parse import entity_of, in_brackets, parse
from pipeline.language.places import is_country_word
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


# Opening and closing marks of the quotation styles news uses: English double and single marks,
# guillemets (Russian, French and Central Asian agencies), German-style low-high marks.
PAIRED_MARKS = (("“", "”"), ("«", "»"), ("„", "“"), ("„", "”"), ("‘", "’"))


# Words a title leaves in lower case: "Stabilization of the Border Region with Its Neighbours".
_TITLE_SMALL_WORDS = frozenset({"of", "the", "and", "with", "for", "in", "on", "to", "a", "an", "at", "by", "from"})


def is_partial(quotation: Quotation, text: str) -> bool:
    """A few words quoted inside the writer's own sentence ("said Vell had made “significant
    progress”"): shorter than a quotation, begun in lower case, so no name or title."""
    words = quotation.words(text).split()
    return 2 <= len(words) < MIN_QUOTE_WORDS and words[0][:1].islower()


def find_quotations(text: str, partial: bool = False) -> list[Quotation]:
    """The quotations of a text; with `partial`, also the few words quoted inside a sentence
    (`is_partial`), which are a speaker's only when the sentence says who said them."""
    return list(_quotations(text, partial))


# Each quotation's attribution looks at the quotations around it in the same document: the
# document's quotations are found once, not once per quotation.
@functools.lru_cache(maxsize=8)
def _quotations(text: str, partial: bool) -> tuple[Quotation, ...]:
    found = [q for opening, closing in PAIRED_MARKS for q in _paired_quotations(text, opening, closing)]
    found += _straight_quotations(text) + _straight_single_quotations(text)
    found.sort(key=lambda q: (q.start, -q.end))
    result: list[Quotation] = []
    for quotation in found:
        if result and quotation.start < result[-1].end:
            continue  # a quotation inside another ('he called it ‘historic’') is part of it
        if text[quotation.start - 1 : quotation.start] == "=":
            continue  # a markup attribute's value left in a page's text ('<span style="...">'), no speech
        words = text[quotation.text_start : quotation.text_end].split()
        # A title in marks ("Tien Shan Frontier 2011") is a name, not a quotation.
        is_title = bool(words) and words[0][0].isupper() and all(
            w[0].isupper() or w[0].isdigit() or not w[0].isalnum() or w.lower() in _TITLE_SMALL_WORDS for w in words
        )  # (marks with nothing between them, '","' after a quoted name, are no quotation either)
        # A short saying that ends its own sentence inside the marks ("“Training is readiness,” said
        # X") is a quotation; a name or term in marks carries no such stop.
        inside = text[quotation.start + 1 : quotation.end - 1].rstrip()
        said = len(words) >= 2 and inside[-1:] in (",", ".", "!", "?") and words[0][0].isupper()
        if ((len(words) >= MIN_QUOTE_WORDS or said) and not is_title) or (partial and is_partial(quotation, text)):
            result.append(quotation)
    return tuple(result)


_SENTENCE_ENDS_PARAGRAPH = re.compile(r"[.!?]\s*\n")  # a full stop, then the paragraph's line break


def _paired_quotations(text: str, opening: str, closing: str) -> list[Quotation]:
    """Quotations between one style's marks. A quotation that runs over several paragraphs opens
    each continued paragraph with a mark and closes only at its end."""
    quotations = []
    opened: int | None = None
    pattern = re.escape(opening) + "|" + re.escape(closing) + r"|\n\s*"
    for match in re.finditer(pattern, text):
        token = match.group()
        if token == closing and opened is not None and _closes(text, match.start(), closing):
            quotations.append(_quotation(text, opened, match.end()))
            opened = None
        elif token == opening:
            if opened is None:
                opened = match.start()
            # A second opening mark while open continues a multi-paragraph quotation.
        elif token.strip() == "" and opened is not None and not text.startswith(opening, match.end()):
            # A quotation continues past a paragraph break, or a line break (pages that put each
            # paragraph on one line), only if the next paragraph opens with a mark, or if the writer
            # left that mark out: the next paragraph closes the quotation and opens none.
            following = text[match.end() : (text.find("\n", match.end()) + 1 or len(text) + 1) - 1]
            close_at = following.find(closing)
            if close_at < 0 or opening in following[:close_at] or not _closes(following, close_at, closing):
                quotations += _left_open(text, opened, match.start())
                opened = None
    if opened is not None:
        end = len(text.rstrip())
        # A page cut short inside a quotation of several paragraphs ("“We train together.\n\n“The
        # next" and no more): its first paragraph, ended by a full stop, holds the words.
        first_paragraph = _SENTENCE_ENDS_PARAGRAPH.search(text, opened, end)
        quotations += _left_open(text, opened, end) or (
            _left_open(text, opened, first_paragraph.start() + 1) if first_paragraph else []
        ) or _cut_off(text, opened, end)
    return quotations


def _opened_sentence(text: str, start: int, end: int) -> str | None:
    """The words a mark at `start` opens up to `end`, when they open a sentence and no other mark
    closes them ('“We are ready," he said': a retyped closing mark); else None. A mark before a
    lowercase word opens no sentence."""
    opened = text[start + 1 : end].lstrip()
    if not opened[:1].isupper() or re.search(r"[\"”»“]|’(?!\w)", opened):
        return None
    return opened


def _cut_off(text: str, start: int, end: int) -> list[Quotation]:
    """A page cut short inside a quotation's last paragraph ("“We train together. I think this is
    imp" and no more): the words run to where the page ends (GUIDE, annotations r214-r261)."""
    if "\n" in text[start:end] or text[end - 1 : end] in (".", "!", "?"):
        return []
    opened = _opened_sentence(text, start, end)
    if opened is None:
        return []
    # Only words its own line gives a speaker ("…,” said X. “We have to learn ..."; "saying, “…"): cut
    # off with no one named, they are no record (ibid.).
    # Or the paragraph before ends by telling who speaks ("..., he remarked.\n\n“Admittedly, it is no"):
    # the words go on from that speaker.
    line_start = text.rfind("\n", 0, start) + 1
    before = text[:line_start].rstrip()
    told = [text[line_start:start], before[before.rfind("\n") + 1 :]]
    cues = speech_lemmas()
    if not any(t.lemma_.lower() in cues or t.lower_ in _speech()["participles"] for part in told for t in parse(part)):
        return []
    return [Quotation(start, end, end - len(opened), end)]


def _left_open(text: str, start: int, end: int) -> list[Quotation]:
    """A quotation whose closing mark the writer (or a page cut short) left out: it runs to the end of
    its paragraph, if what the mark opens is a sentence ("“I consider the crews ready." and no mark
    after it). A mark before a lowercase word opens no sentence, and stays unread."""
    opened = _opened_sentence(text, start, end) if text[end - 1 : end] in (".", "!", "?") else None
    if opened is None:
        return []
    text_start = end - len(opened)
    # "“We will patrol at night, the captain said.": the words end where their attribution begins.
    comma = text.rfind(",", text_start, end)
    attribution = text[comma + 1 : end] if comma > 0 else ""
    # The speaker's words end where a short clause of who said them begins ("…, the new ambassador Ana
    # Ruiz told a news conference here on Thursday."): a speech verb within ten words of the comma.
    verb = next((t for t in parse(attribution) if t.lemma_.lower() in speech_lemmas() and t.pos_ == "VERB"), None)
    if verb is not None and len(attribution[: verb.idx].split()) <= 10:
        return [Quotation(start, comma, text_start, comma)]
    return [Quotation(start, end, text_start, end)]


def _closes(text: str, at: int, closing: str) -> bool:
    """A right single mark is also the apostrophe ("Russia’s", "’90s"): it closes only before a non-letter."""
    if closing != "’":
        return True
    following = text[at + 1 : at + 2]
    return not (following.isalnum())


def _straight_quotations(text: str) -> list[Quotation]:
    """Straight double marks in pairs, paragraph by paragraph; and '"We are ready,” the minister
    said': a lone straight opening mark closed by a curly one (an edit that retyped one mark), in a
    paragraph where both marks are otherwise unpaired."""
    quotations = []
    for paragraph in paragraphs(text):
        marks = [m.start() for m in re.finditer(r'"', paragraph.text)]
        # '“We are ready," the minister said': a curly opening mark that nothing curly closes on its
        # line, closed by a straight one (the same retyping the other way round). That straight mark
        # then pairs with no other.
        for line in re.finditer(r"[^\n]+", paragraph.text):
            opening = line.group().rfind("“")
            if opening == -1 or "”" in line.group()[opening:]:
                continue
            closing = line.group().find('"', opening)
            if closing != -1:
                at = line.start() + closing
                quotations.append(_quotation(text, paragraph.start + line.start() + opening, paragraph.start + at + 1))
                marks.remove(at)
        for open_at, close_at in _straight_pairs(paragraph.text, marks):
            if close_at is None:
                line_end = paragraph.start + _line_end(paragraph.text, open_at)
                quotations += _left_open(text, paragraph.start + open_at, line_end)
            else:
                quotations.append(_quotation(text, paragraph.start + open_at, paragraph.start + close_at + 1))
        unpaired_closing = paragraph.text.count("”") - paragraph.text.count("“")
        # (A page may also drop the opening mark of a later quotation in the paragraph: the first
        # curly closing mark after the straight one closes it.)
        if len(marks) == 1 and unpaired_closing >= 1 and (closing := paragraph.text.find("”", marks[0])) != -1:
            quotations.append(_quotation(text, paragraph.start + marks[0], paragraph.start + closing + 1))
    return quotations


def _straight_pairs(paragraph: str, marks: list[int]) -> list[tuple[int, int | None]]:
    """Straight marks paired by the side they face: a mark after a space or at a line's start, before a
    word, opens; one after a word, before a space or punctuation, closes. An opening mark inside an open
    quotation on the same line opens a title or phrase quoted within it ('"We signed an "Agreement on
    X" today," he said'); on a later line it leaves the open one unclosed (a closing mark retyped as
    another character: '"We are ready,` he said'). A mark that faces neither way takes the turn."""
    pairs: list[tuple[int, int | None]] = []
    opened: list[int] = []
    for at in marks:
        before, after = paragraph[at - 1 : at], paragraph[at + 1 : at + 2]
        opens = (before == "" or before.isspace() or before in "([—–") and after != "" and not after.isspace()
        closes = before != "" and not before.isspace() and (after == "" or after.isspace() or after in ",.;:!?)—–")
        if opened and opens and not closes:
            if "\n" in paragraph[opened[0] : at]:
                pairs.append((opened[0], None))
                opened = []
            opened.append(at)
        elif opened:
            pairs.append((opened.pop(), at))
        elif opens or not closes:
            opened.append(at)
    return pairs


def _line_end(paragraph: str, at: int) -> int:
    end = paragraph.find("\n", at)
    return len(paragraph) if end == -1 else end


# "'We are ready,' the minister said": a straight single mark opens before a capital, at a
# paragraph's start or after a space, and closes after a word before punctuation, a dash or the
# paragraph's end; an apostrophe ("it's", "the guards' boats") does neither.
_SINGLE_OPENING = re.compile(r"(?:^|(?<=\s))'(?=[A-Z])")
_SINGLE_CLOSING = re.compile(r"(?<=[\w.,!?])'(?=[,.;:!?]|\s*[–—-]|\s*$)")


def _straight_single_quotations(text: str) -> list[Quotation]:
    quotations = []
    for paragraph in paragraphs(text):
        at = 0
        while (opening := _SINGLE_OPENING.search(paragraph.text, at)) is not None:
            closing = _SINGLE_CLOSING.search(paragraph.text, opening.end())
            if closing is None:
                break
            quotations.append(_quotation(text, paragraph.start + opening.start(), paragraph.start + closing.end()))
            at = closing.end()
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


LEXICON = Path(__file__).resolve().parent.parent / "prompts" / "lexicon" / "speech.toml"


@functools.lru_cache(maxsize=1)
def _speech() -> dict[str, Any]:
    data = tomllib.loads(LEXICON.read_text(encoding="utf-8"))
    return {
        "lemmas": set(data["speech_lemmas"]),
        "participles": set(data["participle_cues"]),
        "reporting": set(data["reporting_nouns"]),
        "outlets": {name.lower() for name in data["outlets"]},
        "document_nouns": set(data["document_nouns"]),
        "issuing": set(data["issuing"]),
        "listening": set(data["listening"]),
        "person_nouns": set(data["person_nouns"]),
    }


def speech_lemmas() -> set[str]:
    """The verbs that report speech ("say", "tell", "note"), from prompts/lexicon/speech.toml."""
    lemmas: set[str] = _speech()["lemmas"]
    return lemmas


_PRONOUNS = {"he", "she", "they", "we", "i", "him", "her"}  # "him": "According to him, ..."
_POSSESSIVE_MARKS = ("’s", "'s")  # the parser may read them as compounds: "UNDP ’s Zuev"
_OUTLET = object()  # the cue's subject reports the words: an outlet, a reporter
# Subjects that name no one.
_NOT_SPEAKERS = {"it", "this", "that", "which", "who", "what", "there"}


@dataclass(frozen=True)
class Attribution:
    """Who said a quotation and how, as the text around it words it."""

    cue: Span | None = None
    speaker: str | None = None  # verbatim; a pronoun is resolved to the last person named before it
    frame: str = ""  # the attribution words outside the quotation, where a date may be given
    reported_only: bool = False  # only an outlet or reporter attributes it: no one is quoted as speaking
    source: Span | None = None  # an outlet named as the one quoting ("Interfax quoted X as saying")


def attribute(text: str, quotation: Quotation) -> Attribution:
    """The cue and speaker of a quotation, read off the parse of the sentences around it: the
    subject of the speech verb next to the quotation ('“…,” said US envoy Jane Doe' -> Jane Doe),
    the agent of a passive one ('as noted by X'), the object of 'according to', the person a pronoun
    refers to. Outlets that report the words ('the agency learned', 'Interfax quoted') are never
    speakers: a quotation only they attribute is `reported_only`."""
    doc = parse(text)
    frame_tokens = _frame(doc, text, quotation)
    if not frame_tokens:  # a paragraph that is all quotation
        return (
            _introduced_before(doc, text, quotation) or _headed_by_speaker(doc, text, quotation)
            or _continues_quotation_before(text, quotation) or _attributed_after(text, quotation)
            or Attribution()
        )
    # The attribution words with the quotation blanked out, same offsets: where a date may be said.
    first, last = frame_tokens[0].idx, frame_tokens[-1].idx + len(frame_tokens[-1].text)
    frame = "".join(
        " " if quotation.start <= at < quotation.end else text[at] for at in range(first, last)
    )
    # The cue the quotation depends on in the parse, else the nearest: after the quotation first.
    quoted = [t for t in doc if quotation.text_start <= t.idx < quotation.text_end]
    governing = {a.i for t in quoted for a in t.ancestors if not quotation.start <= a.idx < quotation.end}
    ordered = sorted(
        frame_tokens,
        key=lambda t: (t.i not in governing, t.idx < quotation.start,
                       t.idx - quotation.end if t.idx >= quotation.end else quotation.start - t.idx),
    )
    reported = False
    for token in ordered:
        found = _speaker_of_cue(doc, text, token, quotation)
        if found is None:
            continue
        cue, speaker = found
        if speaker is _OUTLET:
            reported = True
            continue
        named = speaker if isinstance(speaker, str) else None
        return Attribution(cue, named, frame, source=_outlet_quoting(text, token))
    introduced = (
        _introduced_before(doc, text, quotation) or _headed_by_speaker(doc, text, quotation)
        or _continues_quotation_before(text, quotation)
    )
    if introduced is not None:
        return introduced
    return Attribution(frame=frame, reported_only=reported)


def _continues_quotation_before(text: str, quotation: Quotation) -> Attribution | None:
    """'“…,” said X. “…”': a quotation with no attribution of its own, after an attributed one in
    the same paragraph, goes on with the same speaker."""
    earlier = [q for q in find_quotations(text) if q.end <= quotation.start]
    if not earlier or "\n" in text[earlier[-1].end : quotation.start]:
        return None
    before = attribute(text, earlier[-1])
    if before.speaker is None or before.cue is None:
        return None
    return Attribution(before.cue, before.speaker, "")


def _attributed_after(text: str, quotation: Quotation) -> Attribution | None:
    """'“…”\n\n“…,” X said.': a paragraph that is all quotation, followed at once by a quotation
    paragraph that names its speaker, is that speaker's too (news gives the attribution of a run of
    quoted paragraphs once). The cue is the later paragraph's, so this one has none of its own."""
    later = [q for q in find_quotations(text) if q.start >= quotation.end]
    if not later or text[quotation.end : later[0].start].strip() or "\n" not in text[quotation.end : later[0].start]:
        return None
    after = attribute(text, later[0])
    if after.speaker is None or after.cue is None:
        return None
    return Attribution(None, after.speaker, "")


def _outlet_quoting(text: str, cue: Any) -> Span | None:
    """The outlet that quotes the speaker: the subject of 'quote' in "TASS quoted X as saying", the
    addressee in "X told Interfax"."""
    verb = cue.head.head if cue.head.lower_ == "as" else cue
    if verb.lemma_ == "quote":
        candidates = [c for c in verb.children if c.dep_ == "nsubj"]
    elif cue.lemma_ == "tell":
        candidates = [c for c in cue.children if c.dep_ in ("dobj", "dative")]
    else:
        return None
    for candidate in candidates:
        entity = entity_of(candidate)
        if entity is not None and entity.text.lower() in _speech()["outlets"]:
            return Span(entity.start_char, entity.end_char, entity.text)
    return None


def _introduced_before(doc: Any, text: str, quotation: Quotation) -> Attribution | None:
    """A quotation that opens its paragraph, or a sentence inside it, with no attribution of its own
    continues the speaker the sentence before it names with a speech verb ("As noted by Minister X,
    ...\n\n“...”", "X echoed his opinion. “...”")."""
    paragraph_start = _opened_paragraph(text, quotation)
    if paragraph_start is not None:
        previous = doc.char_span(0, paragraph_start - 1, alignment_mode="contract")
        if previous is None or not len(previous):
            return None
        sentence = doc[previous.end - 1].sent
    else:
        # "X echoed his opinion. “I consider ...”": a quotation that opens a sentence inside its
        # paragraph goes on from the sentence just before it, as one that opens a paragraph does.
        sentence = _sentence_before(doc, text, quotation)
        if sentence is None:
            return None
    # A body goes on speaking only from a quotation of its own ("“…,” the statement said.\n\n“…”"):
    # a sentence that merely names a body is no introduction.
    quotations = find_quotations(text)
    quoting = any(q.start < sentence.end_char and q.end > sentence.start_char - 2 for q in quotations)
    for token in sentence:
        if any(q.start <= token.idx < q.end for q in quotations):
            continue  # the quoted words are no attribution ("“We had members posted there,” said X")
        found = _speaker_of_cue(doc, text, token, quotation)
        if found is not None and isinstance(found[1], str) and (quoting or _is_person(doc, found[1])):
            return Attribution(found[0], str(found[1]), "")
    return None


def _sentence_before(doc: Any, text: str, quotation: Quotation) -> Any:
    """The sentence right before the one the quotation opens, in the same paragraph; None when words
    stand before the quotation in its sentence."""
    opened = next((s for s in doc.sents if s.start_char <= quotation.start < s.end_char), None)
    if opened is None or opened.start == 0 or text[opened.start_char : quotation.start].strip():
        return None
    previous = doc[opened.start - 1].sent
    if "\n" in text[previous.start_char : quotation.start]:
        return None
    # After a quotation of its own ("“…,” said X. “…”") the speaker goes on by the quotation before.
    quoting = any(q.start < previous.end_char and q.end > previous.start_char for q in find_quotations(text))
    return None if quoting else previous


def _opened_paragraph(text: str, quotation: Quotation) -> int | None:
    """Where the paragraph starts that the quotation opens, past the text's first; None when words
    stand before the quotation in its paragraph."""
    paragraph_start = text.rfind("\n", 0, quotation.start) + 1
    if text[paragraph_start : quotation.start].strip() or paragraph_start == 0:
        return None
    return paragraph_start


def _headed_by_speaker(doc: Any, text: str, quotation: Quotation) -> Attribution | None:
    """'Ana RUIZ, EU Ambassador in Lima:' on a line of its own, then the quotation: a press release
    or an interview heads each speaker's words with the speaker's name and a colon."""
    paragraph_start = _opened_paragraph(text, quotation)
    if paragraph_start is None:
        return None
    line_end = text.rfind(":", 0, paragraph_start)
    if line_end < 0 or text[line_end + 1 : paragraph_start].strip():
        return None  # the line before does not end with a colon
    line_start = text.rfind("\n", 0, line_end) + 1
    if line_end - line_start > 150:
        return None
    # The name is a part of the line set off by commas, before the title: two to four capitalized
    # words the parser takes for proper nouns of no place or body (the tagger often misses a name
    # in a heading, or in capitals: "Ana RUIZ").
    at = line_start
    for part in text[line_start:line_end].split(","):
        start = at + len(part) - len(part.lstrip())
        at += len(part) + 1
        words = [t for t in doc if start <= t.idx < at - 1 and not t.is_space]
        if at - 1 >= line_end or not 2 <= len(words) <= 4:
            continue  # the last part is the title
        if all(t.pos_ == "PROPN" and t.text[:1].isupper() and t.ent_type_ not in _NOT_PEOPLE for t in words):
            return Attribution(None, text[words[0].idx : words[-1].idx + len(words[-1].text)], "")
    return None


_NOT_PEOPLE = ("GPE", "ORG", "NORP", "LOC", "FAC")


def _is_person(doc: Any, name: str) -> bool:
    return any(e.label_ == "PERSON" and e.text in name for e in doc.ents)


def _frame(doc: Any, text: str, quotation: Quotation) -> list[Any]:
    """Tokens of the quotation's sentences outside its marks, and of the sentence that introduces it
    ('He said:'). Never across a paragraph break."""
    paragraph_start = text.rfind("\n", 0, quotation.start) + 1
    paragraph_end = text.find("\n", quotation.end)
    paragraph_end = len(text) if paragraph_end == -1 else paragraph_end
    sentences_around = [s for s in doc.sents if s.end_char > quotation.start and s.start_char < quotation.end]
    if not sentences_around:
        return []
    # A sentence the splitter ended at a comma ("..., the commander of the flotilla, | Cmdr. A B,
    # said") goes on in the next one; so does a piece that opens with a dash, or in lower case, after
    # the closing mark ("…parties.” | – said Ms. A B").
    while sentences_around[-1].end < len(doc):
        following = doc[sentences_around[-1].end].sent
        opening = following.text.lstrip()[:1]
        goes_on = sentences_around[-1].text.rstrip().endswith(",") or opening in ("–", "—", "-") or (
            opening.islower() and sentences_around[-1].end_char >= quotation.end - 1
        )
        if not goes_on or following.start_char >= paragraph_end:
            break
        sentences_around.append(following)
    first = sentences_around[0]
    if first.start > 0 and text[first.start_char : quotation.start].strip() == "":
        previous = doc[first.start - 1].sent
        if previous.text.rstrip().endswith(":"):
            sentences_around.insert(0, previous)
    tokens = []
    for sentence in sentences_around:
        for token in sentence:
            inside = quotation.start <= token.idx < quotation.end
            if not inside and paragraph_start <= token.idx < paragraph_end:
                tokens.append(token)
    return tokens


def _speaker_of_cue(doc: Any, text: str, token: Any, quotation: Quotation) -> tuple[Span, object] | None:
    """(cue, speaker) when `token` introduces the quotation: the speaker is a name, None when the
    words name no one, or _OUTLET when an outlet or reporter is the one saying."""
    speech = _speech()
    lower = token.lower_
    if lower == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
        objects = [c for c in doc[token.i + 1].children if c.dep_ == "pobj"]
        cue = Span(token.idx, doc[token.i + 1].idx + 2, text[token.idx : doc[token.i + 1].idx + 2])
        if not objects:
            return None
        return cue, (_OUTLET if _reports(objects[0], speech) else _name(doc, text, objects[0], quotation))
    is_speech = token.lemma_.lower() in speech["lemmas"] and token.pos_ in ("VERB", "AUX")
    if not (is_speech or lower in speech["participles"]):
        return None
    if any(c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children) for c in token.children):
        return None  # "the U.S. will continue to “uphold …”": a verb before an infinitive says nothing
    if token.lemma_ == "quote":
        return None  # the outlet quotes; the speaker comes with 'as saying'
    # (Never a mark or a quoted word the parser took for a subject: "…parties.”- noted Mr. A B".)
    subjects = [
        c for c in token.children
        if c.dep_ == "nsubj" and any(ch.isalnum() for ch in c.text) and not quotation.start <= c.idx < quotation.end
    ]
    # A passive speech verb: "as noted by the minister" -> the agent speaks.
    agents = [g for c in token.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    subjects = agents or subjects
    if not subjects and token.lemma_ == "read":  # "…,” read the release: the document stands after the verb
        subjects = [c for c in token.children if c.dep_ == "dobj" and c.lemma_.lower() in speech["document_nouns"]]
    # "Interfax quoted the minister as saying": the quoted person is the object of 'quote'.
    head = token.head.head if token.head.lower_ == "as" else token.head
    if not subjects and head.lemma_ == "quote":
        subjects = [c for c in head.children if c.dep_ == "dobj"]
    elif not subjects:
        # "X assessed the results, saying: «…»": the participle's subject is its clause's.
        clause = next((a for a in token.ancestors if a.pos_ in ("VERB", "AUX")), None)
        # "X said the region faces threats, pointing to “…”": a participle set off after what someone
        # said tells more of the one who said it, wherever the parser hangs it.
        set_off = token.i > 0 and doc[token.i - 1].text == ","
        while set_off and clause is not None and clause.dep_ == "ccomp" and (
            clause.head.lemma_.lower() in speech["lemmas"]
        ):
            clause = clause.head
        subjects = [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")] if clause is not None else []
        # (not one inside the quotation: the parser may hang the verb after it on the quoted clause)
        subjects = [c for c in subjects if not quotation.start <= c.idx < quotation.end]
    if not subjects and token.idx >= quotation.end:
        # After the quotation the verb may stand before its speaker, whom the parser takes for an object.
        after = [c for c in token.children if c.dep_ in ("dobj", "attr", "npadvmod") and c.i > token.i]
        # '“…”- noted Mr. A B': the name right after the verb.
        subjects = [c for c in after if c.pos_ == "PROPN" and c.left_edge.i == token.i + 1][:1]
        right_after_mark = not text[quotation.end : token.idx].strip(" ,–—-")
        if not subjects and right_after_mark and after and after[0].left_edge.i == token.i + 1 and (
            _ends_in_title(after[0].text) or any(entity_of(c) is not None for c in after)
        ):
            # '“…”, noted the head of the mission, A B': right after the closing mark, a title or a name.
            person = next((c for c in after if (e := entity_of(c)) is not None and e.label_ == "PERSON"), None)
            subjects = [person or after[0]]
    if not subjects and token.idx >= quotation.end:
        # '«…», project manager A B said.': the parser took the words after the closing mark into
        # the quotation's sentence; the noun right before the verb is still who says it.
        between = [t for t in doc[token.sent.start : token.i] if t.idx >= quotation.end and not t.is_punct]
        if between and between[-1].i == token.i - 1 and between[-1].pos_ in ("PROPN", "NOUN"):
            subjects = [between[-1]]
    cue = Span(token.idx, token.idx + len(token.text), token.text)
    particle = next((c for c in token.children if c.dep_ == "prt" and c.i == token.i + 1), None)
    if particle is not None:  # "pointed out", "spoke up": the verb with its particle
        cue = Span(token.idx, particle.idx + len(particle.text), text[token.idx : particle.idx + len(particle.text)])
    if head.lemma_ == "quote" and token.head.lower_ == "as":  # GUIDE §10: the cue is "as saying"
        cue = Span(token.head.idx, cue.end, text[token.head.idx : cue.end])
    passive = next((c for c in token.children if c.dep_ == "auxpass" and c.i < token.i), None)
    if not subjects and passive is not None:
        # '“…,” is said (in the statement)': no one named; the body that spoke last before says it.
        cue = Span(passive.idx, cue.end, text[passive.idx : cue.end])
        body = _issuer_before(doc, text, token, quotation)
        return (cue, body) if body is not None else None
    if not subjects:
        return None
    # Of two subjects ("Recall, Secretary-General X announced") the one naming a person or body.
    subject = next((s for s in subjects if entity_of(s) is not None), subjects[-1])
    if subject.lower_ == "it":
        # "“…,” it added": the body that spoke last before (a person would be "he" or "she").
        from pipeline.actors import looks_like_person  # actors needs no parse; imported here (layers)

        body = _issuer_before(doc, text, subject, quotation)
        person = body is not None and (_is_person(doc, body) or looks_like_person(body))
        return (cue, body) if body is not None and not person else None
    if subject.lower_ in _NOT_SPEAKERS:
        return None
    if _reports(subject, speech):
        return cue, _OUTLET
    return cue, _name(doc, text, subject, quotation)


def _reports(token: Any, speech: dict[str, Any]) -> bool:
    """An outlet or reporter: 'TASS', 'the agency', 'Iranian media'."""
    entity = entity_of(token)
    name = (entity.text if entity is not None else token.text).lower()
    return token.lemma_.lower() in speech["reporting"] or name in speech["outlets"]


def _name(doc: Any, text: str, token: Any, quotation: Quotation) -> str | None:
    """The speaker's words: a person's name from the entity the subject is in or holds ("US envoy
    Jane Doe") or that stands in apposition to it, a pronoun resolved to the last person named
    before the quotation, a description resolved to whom it describes ("the ministry" -> the
    ministry named before, "the Russian general" -> the one person the text gives that title), else
    the subject's words."""
    if token.lower_ in _PRONOUNS:
        return _last_person_before(doc, quotation.start)
    if token.lemma_.lower() in _speech()["document_nouns"] and entity_of(token) is None:
        # "…,” said a Navy press release: the body whose document it is speaks.
        owners = [c for c in token.lefts if c.dep_ in ("compound", "poss") and c.pos_ == "PROPN"]
        if owners:
            return _name(doc, text, owners[0], quotation)
        # "…,” the statement read / the report said: the body that issued it speaks.
        return _issuer_before(doc, text, token, quotation)
    entity = entity_of(token)
    if entity is not None and entity.label_ == "PERSON":
        return str(entity.text)
    from pipeline.actors import (  # actors needs no parse; imported here (layers)
        is_honorific,
        is_title_or_rank,
        looks_like_person,
        opens_long_title,
    )

    if is_title_or_rank(token.text) or is_honorific(token.text):
        # "said Navy Capt. John Miller", "said His Excellency John Miller": the parser may leave the
        # name after a rank or a form of address out of the subject; the person named next speaks.
        following = next((e for e in doc.ents if e.label_ == "PERSON" and e.start == token.i + 1), None)
        if following is not None:
            return str(following.text)
    # "Commander Colonel-General Alexander Lapin", "Recall, CSTO Secretary-General X": a person in the phrase.
    phrase = [t for t in token.subtree if t.i <= token.i and not quotation.start <= t.idx < quotation.end]
    people = [e for e in doc.ents if e.label_ == "PERSON" and any(e.start <= t.i < e.end for t in phrase)]
    if people:
        return str(people[-1].text)
    set_off = _person_set_off_before_verb(doc, token)
    if set_off is not None:
        return set_off
    # "the deputy commander, Jane Roe, said": a common noun's apposition names the person (never a
    # bracketed citation after a name).
    # A title the tagger calls a proper noun ("Defence Minister General Ana Ruiz said", the name in
    # apposition to the rank) is still a description.
    describes = token.pos_ == "NOUN" or _ends_in_title(token.text)
    # "the commander of the flotilla, Cmdr. A B,": the parser may hang the name on the "of" phrase.
    # "the Deputy Commander for CSTC-A, BG Gary O’brien,": or on its "for" phrase.
    of_objects = [o for p in token.children if p.dep_ == "prep" and p.lower_ in ("of", "for")
                  for o in p.children if o.dep_ == "pobj"] if describes else []
    apposed = [
        t for owner in [token, *of_objects] for c in owner.children
        if c.dep_ == "appos" and describes and not in_brackets(c)
        for t in c.subtree
    ]
    people = [e for e in doc.ents if e.label_ == "PERSON" and any(e.start <= t.i < e.end for t in apposed)]
    if people:
        return str(people[0].text)
    if apposed and all(t.pos_ == "PROPN" for t in apposed):
        named = _person_words(text, apposed)
        if named:
            return named  # the entity tagger missed the name; its words and place say it is one
    closing = _name_closing_the_clause(doc, token) if describes and token.idx > quotation.end else None
    if closing is not None:
        return closing
    if token.pos_ == "NOUN" or _ends_in_title(token.text) or opens_long_title(text, token.idx):
        # "project manager from Chile Ana Ruiz said", "Chief of the Border Police of Chile Ana Ruiz
        # said", "Member of Parliament Ana Ruiz said": the person the description is followed by, at
        # the end of its "from"/"of" phrases.
        owners = [token]
        while owners:
            owner = owners.pop(0)
            for prep in (c for c in owner.children if c.dep_ == "prep" and c.lower_ in ("from", "of")):
                for obj in (o for o in prep.children if o.dep_ == "pobj" and o.pos_ == "PROPN"):
                    # "Chief of the General Staff Ana Ruiz": the person the tagger found there, or the
                    # name the words spell (the article before the body is none of it).
                    person = entity_of(obj)
                    if person is not None and person.label_ == "PERSON" and looks_like_person(str(person.text)):
                        return str(person.text)
                    named = _person_words(text, [t for t in obj.subtree if t.i <= obj.i and t.dep_ != "det"])
                    if named:
                        return named
                    owners.append(obj)
    words = [t for t in phrase if t.dep_ in ("compound", "amod", "poss", "case", "nmod") or t == token]
    if not words:
        return None
    start, end = words[0].idx, token.idx + len(token.text)
    described = text[start:end]
    if token.pos_ == "PROPN" and any(w.dep_ == "poss" or w.text in _POSSESSIVE_MARKS for w in words):
        from pipeline.actors import ActorRules, looks_like_person  # actors needs no parse; imported here (layers)

        # "UNDP’s Zuev said": a surname the text gives in full elsewhere is the person, not the body.
        full = ActorRules(text).full_name(token.text)
        if full != token.text and looks_like_person(full):
            return token.text
    if token.pos_ == "PROPN" and len(words) >= 3:
        named = _person_words(text, words)
        if named:
            return named
    if entity is None and token.pos_ == "NOUN":
        found = _described(doc, text, token, described)
        if found is None and token.lemma_.lower() in _speech()["person_nouns"] and described.lower() == token.lower_:
            # "“...,” the official said": no title of the official's own; the person named last before.
            found = _last_person_before(doc, quotation.start)
        return found or described
    if _ends_in_title(described):
        # "the European Union Ambassador said": the one person the text gives that title.
        from pipeline.actors import ActorRules  # actors needs no parse; imported here to keep layers one-way

        return ActorRules(text).person_titled(described, at=token.idx) or described
    return described


def _person_set_off_before_verb(doc: Any, subject: Any) -> str | None:
    """'the Chargé d'Affaires in Tarvia, Dr. Anton Vell, said': a person's name set off by commas
    right before the speech verb is the subject's apposition, the speaker, however the parser hung
    it (a long title it misreads may leave the name outside the apposition)."""
    verb = subject.head
    if subject.dep_ != "nsubj" or verb.i <= subject.i or doc[verb.i - 1].text != ",":
        return None
    person = next((e for e in doc.ents if e.label_ == "PERSON" and e.end == verb.i - 1), None)
    if person is None or person.start <= subject.i + 1:
        return None
    opening = doc[person.start - 1]
    while opening.i > subject.i and (opening.pos_ == "PROPN" and opening.dep_ == "compound"):
        opening = doc[opening.i - 1]  # "Dr. Anton Vell": a form of address before the name
    inside = {t.i for t in subject.subtree}
    return str(person.text) if opening.text == "," and person.start in inside else None


def _name_closing_the_clause(doc: Any, title: Any) -> str | None:
    """'“…,” said British High Commissioner to A, Ambassador to B and C, Ana Ruiz.': after the verb, a
    long title and then the name set off by a comma where the clause ends, however the parser hung
    the name inside the title's lists."""
    from pipeline.actors import looks_like_person  # actors needs no parse; imported here (layers)

    inside = {t.i for t in title.subtree}
    end = title.sent.end
    while end - 1 > title.i and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1  # the full stop and the line break
    start = end
    while start - 1 > title.i and doc[start - 1].pos_ == "PROPN" and start - 1 in inside:
        start -= 1
    if not (title.i < start < end and doc[start - 1].text == ","):
        return None
    name = str(doc[start:end].text)
    return name if looks_like_person(name) and not is_country_word(name) else None


def _person_words(text: str, tokens: list[Any]) -> str | None:
    """A person's name spelled by a run of proper nouns, without a state the parser joined before
    it ("from Chile Ana Ruiz") or a rank ("Cmdr. Ana Ruiz"); None when the words do not look like a
    person's name."""
    from pipeline.actors import RANK_WORDS, looks_like_person  # actors needs no parse; imported here (layers)

    def titled(word: str) -> bool:
        return _ends_in_title(word) or word.lower() in RANK_WORDS

    while len(tokens) >= 3 and (is_country_word(tokens[0].text) or titled(tokens[0].text)):
        tokens = tokens[1:]  # "from Chile Ana Ruiz", "Cmdr. Ana Ruiz"
    if not tokens or any(t.pos_ != "PROPN" for t in tokens):
        return None
    # "of Parliament Ana Ruiz": the body a title is of may run into the name; the longest run of
    # the last words that looks like a person's name is the name.
    for first in range(max(len(tokens) - 1, 1)):  # two words at least, unless there is one
        name = text[tokens[first].idx : tokens[-1].idx + len(tokens[-1].text)]
        if looks_like_person(name):
            return name
    return None


def _ends_in_title(words: str) -> bool:
    from pipeline.actors import TITLE_WORDS

    return bool(words.split()) and words.split()[-1].lower().strip(".") in TITLE_WORDS


def _issuer_before(doc: Any, text: str, document_noun: Any, quotation: Quotation) -> str | None:
    """Who issued the statement or report a quotation is read from (or who "it" is in "it added"):
    the nearest speaker before `document_noun` that is neither a pronoun, a document nor an outlet
    ("the navy said so in a statement", "according to the navy"), or the source an outlet cites
    ("the agency reports, with reference to the governor's office, ...")."""
    speech = _speech()
    quoted = [(q.start, q.end) for q in find_quotations(text)]
    for token in reversed(doc[: document_noun.i]):
        if any(a <= token.idx < b for a, b in quoted):
            continue  # words inside a quotation are what someone said, not who said it
        if token.lemma_.lower() == "reference":
            sources = [o for p in token.children if p.dep_ == "prep" and p.lower_ == "to"
                       for o in p.children if o.dep_ == "pobj"]
            if sources:
                return _cited_body(doc, text, sources[0])
        if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            sources = [o for o in doc[token.i + 1].children if o.dep_ == "pobj" and not _reports(o, speech)]
            # "according to the report of the Border Police": the body whose report it is; "according
            # to the statement" alone names no one, and the issuer is further back.
            sources = [next((o for p in s.children if p.dep_ == "prep" and p.lower_ == "of"
                             for o in p.children if o.dep_ == "pobj"), None)
                       if s.lemma_.lower() in speech["document_nouns"] else s for s in sources]
            sources = [s for s in sources if s is not None and s.lemma_.lower() not in speech["document_nouns"]]
            if sources:  # "According to the ministry, ...": the ministry spoke
                return _name(doc, text, sources[0], quotation)
        if token.lemma_.lower() in speech["document_nouns"]:
            # "a statement issued by the Navy's press office, said": who issued the document speaks.
            issuers = [o for acl in token.children if acl.dep_ == "acl" and acl.lemma_.lower() in speech["issuing"]
                       for agent in acl.children if agent.dep_ == "agent" for o in agent.children if o.dep_ == "pobj"]
            if issuers:
                return _cited_body(doc, text, issuers[0])
        issued = token.lemma_.lower() in speech["issuing"] and any(
            c.dep_ == "dobj" and c.lemma_.lower() in speech["document_nouns"] for c in token.children
        )  # "The Navy issued a statement. “…,” the statement said": who issued it speaks
        if (token.lemma_.lower() not in speech["lemmas"] and not issued) or token.pos_ not in ("VERB", "AUX"):
            continue
        for subject in (c for c in token.children if c.dep_ == "nsubj"):
            ignored = subject.lower_ in _PRONOUNS or subject.lower_ in _NOT_SPEAKERS
            if ignored or subject.lemma_.lower() in speech["document_nouns"] or _reports(subject, speech):
                continue
            return _name(doc, text, subject, quotation)
    return None


def _cited_body(doc: Any, text: str, token: Any) -> str:
    """A cited source's words: the noun with its modifiers and "of" phrases ("the press office of the president")."""
    words = [t for t in token.subtree if t.dep_ not in ("det", "punct") or t.i > token.i]
    first = min(t.i for t in words)
    return text[doc[first].idx : doc[token.right_edge.i].idx + len(doc[token.right_edge.i].text)]


def _described(doc: Any, text: str, token: Any, description: str) -> str | None:
    """Whom a description stands for: the last body named before it with the same head word
    ("the ministry" -> "Ministry of Defense of Kazakhstan"), or the person given that title."""
    from pipeline.actors import ActorRules  # actors needs no parse; imported here to keep layers one-way

    person = ActorRules(text).person_titled(description, at=token.idx)
    if person:
        return person
    head = token.lemma_.lower()
    bodies = [
        e for e in doc.ents
        if e.label_ in ("ORG", "NORP", "GPE", "FAC") and e.end_char <= token.idx
        and any(t.lemma_.lower() == head for t in e)
    ]
    return str(bodies[-1].text) if bodies else None


def _interviewer(token: Any) -> bool:
    """'explained in an interview with X', 'told X': whom the speaker talks to, never the "he" who says."""
    listening = _speech()["listening"]
    if token.dep_ == "pobj" and token.head.lower_ == "with" and token.head.head.lemma_.lower() in listening:
        return True
    return token.dep_ in ("dobj", "dative") and token.head.lemma_.lower() in listening


def _last_person_before(doc: Any, end: int) -> str | None:
    """The person a pronoun refers to: the last person named before it, outside quotations. A
    person is a PERSON entity, or a name that speaks ("Tatlıoğlu said"): the small English model
    often misses names from other languages, but only people and bodies say things, and a
    name that looks like a person's is not a body's."""
    # actors needs no parse; imported here to keep layers one-way
    from pipeline.actors import ActorRules, looks_like_person

    quoted = [(q.start, q.end) for q in find_quotations(doc.text)]
    people = [
        (e.start_char, str(e.text)) for e in doc.ents
        if e.label_ == "PERSON" and e.end_char <= end and not any(a <= e.start_char < b for a, b in quoted)
        and not is_country_word(str(e.text))  # the tagger's "Kazakh" PERSON is a people, no one's name
        and not _interviewer(e.root)
    ]
    lemmas = speech_lemmas()
    for token in doc:
        if token.idx >= end:
            break
        if _cited_by_according_to(token) and not any(a <= token.idx < b for a, b in quoted):
            # "According to Luís Tavares, ...": who is cited speaks, a person when the name looks like
            # one, whatever the tagger calls it.
            words = [t for t in token.subtree if t.i <= token.i and (t.dep_ == "compound" or t == token)]
            cited = doc[words[0].i : token.i + 1].text
            if looks_like_person(cited) and len(words) >= 2:
                people.append((words[0].idx, cited))
            continue
        if not (token.dep_ == "nsubj" and token.pos_ == "PROPN"):
            continue
        speaks = token.head.lemma_.lower() in lemmas
        if any(a <= token.idx < b for a, b in quoted):
            continue
        entity = entity_of(token)
        if entity is not None and entity.label_ in ("PERSON", "GPE", "NORP", "LOC", "FAC"):
            continue  # a PERSON is counted above; a place speaks for its government, not as "he"
        words = [t for t in token.subtree if t.i <= token.i and (t.dep_ == "compound" or t == token)]
        owner = [i for i, t in enumerate(words) if t.text in _POSSESSIVE_MARKS]
        words = words[owner[-1] + 1 :] if owner else words  # "UNDP’s Zuev": the person is Zuev
        name = doc[words[0].i : token.i + 1].text
        if not speaks:
            # "Ana Ruiz thanked the donors. “…,” she said": a name the tagger missed, doing something.
            if entity is None and looks_like_person(name) and len(words) >= 2:
                people.append((words[0].idx, name))
            elif entity is None and _ends_in_title(name):
                # "The Prime Minister also rubbished the report. “…,” he said": a title doing something
                # stands for the one person the text gives it.
                holder = ActorRules(doc.text).person_titled(name, at=token.idx)
                if holder:
                    people.append((words[0].idx, holder))
            continue
        if _ends_in_title(name):
            # "the Executive Director of X underlined ...": a title is no name; it stands for the
            # one person the text gives it.
            holder = ActorRules(doc.text).person_titled(name, at=token.idx)
            if holder:
                people.append((words[0].idx, holder))
            elif (closing := _name_closing(token)) is not None:
                people.append(closing)
        elif looks_like_person(name):
            people.append((words[0].idx, name))
        elif (closing := _name_closing(token)) is not None:
            people.append(closing)
    # "He pointed out that President A and Minister B ...": people named in a sentence told of "he" or
    # "she" are others the sentence speaks of; the pronoun still refers to the one named before.
    people = [(at, name) for at, name in people if not _told_of_a_pronoun(doc, at)]
    if not people:
        return None
    last = max(people)
    # "A said on behalf of B and C that ... . “…,” he went on": of the people one sentence names, the
    # one who speaks in it is whom the next sentence's "he" goes on with.
    named_at = doc.char_span(last[0], last[0] + 1, alignment_mode="expand")
    if named_at is not None:
        bounds = named_at[0].sent
        speaking = [
            (at, name) for at, name in people
            if bounds.start_char <= at < bounds.end_char and _speaks_at(doc, at, lemmas)
        ]
        if speaking:
            return max(speaking)[1]
    return last[1]


def _speaks_at(doc: Any, at: int, lemmas: set[str]) -> bool:
    """Whether the name that starts at `at` is the subject of a speech verb."""
    span = doc.char_span(at, at + 1, alignment_mode="expand")
    if span is None:
        return False
    head = span[0]
    while head.dep_ == "compound" and head.head.i != head.i:
        head = head.head
    return head.dep_ == "nsubj" and str(head.head.lemma_).lower() in lemmas


def _cited_by_according_to(token: Any) -> bool:
    """Whether `token` heads the name after "according to" ("According to A B, ...")."""
    to = token.head
    return (
        token.dep_ == "pobj" and token.pos_ == "PROPN" and to.lower_ == "to" and to.i > 0
        and to.doc[to.i - 1].lower_ == "according"
    )


def _told_of_a_pronoun(doc: Any, at: int) -> bool:
    sentence = next((s for s in doc.sents if s.start_char <= at < s.end_char), None)
    if sentence is None:
        return False
    first = next((t for t in sentence if t.is_alpha), None)
    opens = first is not None and first.lower_ in ("he", "she") and first.dep_ == "nsubj"
    return opens or any(c.dep_ == "nsubj" and c.lower_ in ("he", "she") for c in sentence.root.children)


def _name_closing(subject: Any) -> tuple[int, str] | None:
    """"Defence Minister General of the Army Ivan Petrov said": the name that closes the subject's
    phrase, as its own words or as a name set beside its title (the last one found)."""
    beside = [c for c in subject.children if c.dep_ == "appos" and c.pos_ == "PROPN"]
    for token in reversed([subject, *beside]):
        named = _name_after_title(token)
        if named is not None:
            return named
    return None


def _name_after_title(head: Any) -> tuple[int, str] | None:
    """The person's name that ends a titled phrase: the proper nouns joined to its head as one name,
    back to the first title or rank word ("... of the Army Ivan Petrov" -> "Ivan Petrov")."""
    from pipeline.actors import is_title_or_rank, looks_like_person

    run = [head]
    for token in reversed(head.doc[: head.i]):
        if token.dep_ != "compound" or token.head.i not in (run[0].i, head.i) or token.pos_ != "PROPN":
            break
        if is_title_or_rank(token.text):
            break
        run.insert(0, token)
    name = head.doc[run[0].i : head.i + 1].text
    return (run[0].idx, name) if len(run) >= 2 and looks_like_person(name) else None
