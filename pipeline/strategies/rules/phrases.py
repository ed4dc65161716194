"""Shared readings of English news prose: who is no one in particular, the clause that states an
event, places.

Each rule is a general fact of how news sentences are written, never a fact about a particular
article.
"""

from __future__ import annotations

import re

from pipeline.language.parse import parse
from pipeline.language.places import country_of_name, is_country_word

_GENERIC_ACTOR = re.compile(
    r"(?i)^(?:the\s+)?(?:western|foreign|international|regional|local|other|some|many|several|all|its|their)?\s*"
    r"(?:donors?|governments?|partners?|officials?|analysts?|countries|states|neighbou?rs|allies|sponsors|capitals)$"
    r"|^[A-Z][a-z]+s$"  # a lone capitalized plural is a sentence-initial common noun: "Exercises", "Crews"
    r"|^(?:These|Those|They|It|This|That|Such|Both|All|Some|Others|Many|Most|We|He|She)$"
)


def is_specific_actor(name: str) -> bool:
    """'Japan', 'the EU delegation' are someone; 'Western governments', 'Donors' are not."""
    name = name.strip()
    return is_country_word(name) or not _GENERIC_ACTOR.match(name)


def event_clause(sentence: str) -> str:
    """The part of a sentence that states the event, without 'according to ...' tails or relative
    clauses about something else (', which is to be held in Kazakhstan this October')."""
    clause = re.split(r",\s*(?:according to|which|where|who)\b", reported_clause(sentence), maxsplit=1)[0]
    # ", officials in Tallinn said" says who reported it, not where it happened.
    return re.sub(r",\s*[^,]*\b(?:said|says|reported|announced|noted|added|told)\b[^,]*$", "", clause)


def reported_clause(sentence: str) -> str:
    """The part of a sentence that states the event: after 'X announced that', before a quotation."""
    body = re.sub(
        r"^.*?\b(?:was|is|announced|said|stated|reported|noted|added|confirmed|revealed|declared)\b[^.“”\"]*?\bthat\s+",
        "", sentence,
    )
    # Cut at a quotation (four or more words in marks), not at a quoted name like “Sea Breeze 2019”.
    for match in re.finditer(r"[“\"]([^”\"]*)([”\"]?)", body):
        words = match.group(1).split()
        is_title = bool(words) and all(w[0].isupper() or w[0].isdigit() for w in words)  # “Tien Shan Frontier 2011,”
        unclosed = not match.group(2)
        if (len(words) >= 4 and not is_title) or unclosed:
            return body[: match.start()]
    return re.sub(r"[“”\"]", "", body)


_PLACE_PREPOSITION = r"(in|at|near|off|outside|on|over)"


def place_after_preposition(place: str, sentence: str) -> bool:
    """A location is where something happened: 'in Aktau', 'off Batumi', not any country named."""
    if re.match(rf"{_PLACE_PREPOSITION}\s", place):
        return place in sentence
    return bool(re.search(rf"\b{_PLACE_PREPOSITION}\s+{re.escape(place)}", sentence))


_PLACE_WORDS = (
    r"waters|island|region|coast|port|city|capital|town|area|province|district|gulf|sea|bay|shore|shores|border|valley|"
    r"training|ground|range|base|peninsula|harbor|harbour|oil|gas|field|river|lake|strait|pass|mountains|corridor|"
    r"northern|southern|eastern|western|central|east|west|north|south|of|off|near"
)


_PLACE = re.compile(
    # "the Kazakh waters of the Caspian Sea": "of the" inside a place.
    rf"\b(?:in|at|off|near|on|over|outside)\s+(?P<place>(?:the\s+)?(?:(?:[A-Z][\w’'\-]+|of\s+the|{_PLACE_WORDS})\s+){{0,6}}"
    rf"[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)*(?:\s+(?:{_PLACE_WORDS.split('|northern|')[0]})){{0,3}}"
    # "the Momirak training ground in Khatlon province": a place within a place.
    rf"(?:\s+in\s+[A-Z][\w’'\-]+\s+(?:province|region|district|oblast))?)"
)


_MONTHS_OR_YEAR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|\d{4})\b"
)


def first_place(sentence: str) -> str | None:
    """The first 'in/at/off + place' in a sentence that is not a date: 'in the waters east of Constanta'."""
    for match in _PLACE.finditer(sentence):
        place = match.group("place")
        words = place.split()
        if is_country_word(words[-1]) and not country_of_name(words[-1]):
            continue  # "in the Kazakh media": a demonym, not a place
        if _MONTHS_OR_YEAR.search(place) or re.match(r"\s+\d{4}", sentence[match.end() :]):
            continue  # a date, or an exercise name ("in Baltic Guardian 2013")
        if not _names_a_place(sentence, match.start("place"), match.end("place")):
            continue  # "the Committee on Emergency Situations": a body's name, not a place
        return place + _wider_place(sentence, match.end("place"), place)
    return None


_FACILITY = re.compile(r"\b(?:center|centre|range|ground|grounds|base|field|camp|polygon|academy|port)$", re.IGNORECASE)
_NEXT_WORDS = r"(?=\s*(?:[,.;)]|$|\s+(?:on|from|in|at|to|and|with|between|until|this|last|next|during)\b))"


def _wider_place(sentence: str, end: int, place: str) -> str:
    """The larger place a place is written with: "Dushanbe, Tajikistan", "the X Training Center in
    Kazakhstan" (a facility in a named place). Only words the parser or the country list calls a place."""
    rest = sentence[end:]
    for pattern in (rf"^,\s+([A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+){{0,3}}){_NEXT_WORDS}",
                    rf"^\s+in\s+((?:the\s+)?[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+){{0,2}}){_NEXT_WORDS}"):
        match = re.match(pattern, rest)
        if match is None or (pattern.startswith("^\\s+in") and not _FACILITY.search(place)):
            continue
        wider = match.group(1)
        if country_of_name(wider) or _names_a_place(sentence, end + match.start(1), end + match.end(1)):
            return rest[: match.end(1)]
    return ""


_PLACE_LABELS = {"GPE", "LOC", "FAC"}


def _names_a_place(sentence: str, start: int, end: int) -> bool:
    """The parser sees a place there (a GPE, LOC or FAC entity), or the words say it is one."""
    if re.search(rf"\b(?:{_PLACE_WORDS.split('|northern|')[0]})\b", sentence[start:end]):
        return True
    return any(e.label_ in _PLACE_LABELS and e.start_char < end and start < e.end_char for e in parse(sentence).ents)
