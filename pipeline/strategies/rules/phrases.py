"""Shared readings of English news prose: name lists, the clause that states an event, places.

The rules for each record type (exercise.py, aid.py, agreement.py) build on these. Each rule is
a general fact of how news sentences are written, never a fact about a particular article.
"""

from __future__ import annotations

import re

from pipeline.language.parse import parse
from pipeline.language.places import country_of_name, is_country_word

# Where a name in running text ends: a bracket, comma or semicolon, or a sentence-final period
# (not the period of an abbreviation such as "U.S.").
PHRASE_END = r"(?=\s*[(,;]|(?<![A-Z])\.(?:\s|$)|$)"


NAME_SLOT = r"(?:[Tt]he\s+)?(?P<{}>[A-Z][\w.’'\-]*(?:\s+(?:of\s+the\s+|of\s+|and\s+the\s+)?[A-Z(][\w.’'\-)]*)*)"


CAPITALIZED_PHRASE = r"[A-Z][\w.’'\-]*(?:\s+(?:of\s+the\s+|of\s+|for\s+)?[A-Z][\w.’'\-]*)*"


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


# --- Noun-phrase lists: who took part, what was handed over -------------------------------------

CLAUSE_END = r"(?=\s*(?:[.;:()]|,\s*(?:supported|while|which|who|where|when|but|and\s+(?:the\s+)?[a-z]+ed)\b|$))"


LIST_SPLIT = re.compile(r",\s*(?:and\s+|as well as\s+)?|\s+(?:and|as well as|along with|together with)\s+")


_LEADING = re.compile(
    r"^(?:(?:the|a|an|some|its|their|several|other|new|additional|modern|personnel|equipment|forces|units|"
    r"subunits|troops|officers|representatives|delegations?)\s+(?:and\s+\w+\s+)?(?:from|of)?\s*)+",
    re.IGNORECASE,
)


_NOT_A_NAME = re.compile(
    r"(?i)^(?:in|on|at|by|for|to|with|as|that|which|who|it|this|these|neither|none|both|all|each|some|most|many|few)\b"
    r"|\b(?:that|which|who|is|are|was|were)$|\b(?:exercises?|drills?)\b"
)


# What units bring to an exercise, not who they are: "a Bulgarian Navy corvette" -> "Bulgarian Navy".
_MEMBERS = (
    r"(?:corvettes?|frigates?|minesweepers?|boats?|ships?|vessels?|cutters?|helicopters?|aircraft|planes?|jets?|"
    r"tanks?|vehicles?|crews?|personnel|troops|servicemen|sailors|marines|soldiers|officers|teams?|detachments?|"
    r"contingents?|units?|subunits?|delegations?|representatives)"
)


_EQUIPMENT_TAIL = re.compile(rf"\s+(?:[a-z][\w-]*\s+){{0,2}}{_MEMBERS}$")


# "two frigates and a minesweeper of the Romanian Navy", "officers of the Ukrainian Navy": the body.
# Only unnamed members: "the Izmail detachment of ..." is a unit's own name and stays whole.
_MEMBERS_OF = re.compile(
    rf"^(?:(?-i:[a-z0-9][\w,-]*)\s+){{0,3}}?{_MEMBERS}\s+(?:of|from)\s+(?:the\s+)?(?=[A-Z])", re.IGNORECASE
)


def is_capitalized(phrase: str) -> bool:
    return bool(re.search(r"\b[A-Z][\w’'.\-]*", phrase)) and not re.fullmatch(r"[A-Z][a-z]+day", phrase)


_VERB_OR_MODAL = re.compile(
    r"\s+(?:(?!training\b)[a-z]+(?:ed|ing)|would|will|shall|can|could|may|might|must|had|has|have|was|were|is|are|"
    r"did|does|do)\b.*$"
)
_PLACE_TAIL = re.compile(r"\s+(?:in|at|near|from|based in|stationed in)\s+[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)*$")


def clean_phrase(phrase: str) -> str:
    """A list element as an actor's name: without leading quantities and member nouns, trailing
    equipment, a following verb ("Kazakhstan practiced ...") or a place ("... Base in Gyumri")."""
    phrase = _VERB_OR_MODAL.sub("", phrase.strip(" ,"))
    phrase = _PLACE_TAIL.sub("", phrase)
    phrase = _LEADING.sub("", phrase)
    # "Cutters of the Romanian Border Police", "two frigates and a minesweeper of the Romanian Navy"
    # -> the body they belong to.
    phrase = _MEMBERS_OF.sub("", phrase)
    phrase = re.sub(r"^(?:a|an|one|two|three|four|five|\d+)\s+(?=[A-Z])", "", phrase)
    if re.match(r"^[A-Z]", phrase):
        phrase = _EQUIPMENT_TAIL.sub("", phrase)
    return re.sub(r"\s*\([A-Z]{2,6}\)$", "", phrase).strip(" ,")


def phrase_list(text: str) -> list[str]:
    """'the A, B, the C, and the D' -> [A, B, C, D]; only parts that name something (capitalized)."""
    parts = [clean_phrase(p) for p in LIST_SPLIT.split(text)]
    return [
        p for p in parts
        if p and is_capitalized(p) and len(p.split()) <= 14 and not re.match(r"^[a-z]+(?:ed|ing)\b", p)
        and not _NOT_A_NAME.search(p) and not re.search(r"[“”\"]", p) and is_specific_actor(p)
    ]


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


LEADING_DATE = re.compile(
    r"^(?:On|In|From|By|Between)\s+(?:(?:early|late|mid-?)\s*)?[A-Z][a-z]+\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?"
    r"(?:\s*(?:[-–]|to|and|until)\s*\d{1,2})?)?(?:,?\s+\d{4})?,?\s+"
)


_PLACE_PREPOSITION = r"(in|at|near|off|outside|on|over)"


def place_after_preposition(place: str, sentence: str) -> bool:
    """A location is where something happened: 'in Aktau', 'off Batumi', not any country named."""
    if re.match(rf"{_PLACE_PREPOSITION}\s", place):
        return place in sentence
    return bool(re.search(rf"\b{_PLACE_PREPOSITION}\s+{re.escape(place)}", sentence))


_PLACE_WORDS = (
    r"waters|island|region|coast|port|city|town|area|province|district|gulf|sea|bay|shore|shores|border|valley|"
    r"training|ground|range|base|peninsula|harbor|harbour|oil|gas|field|river|lake|strait|pass|mountains|corridor|"
    r"northern|southern|eastern|western|central|east|west|north|south|of|off|near"
)


_PLACE = re.compile(
    rf"\b(?:in|at|off|near|on|over|outside)\s+(?P<place>(?:the\s+)?(?:(?:[A-Z][\w’'\-]+|{_PLACE_WORDS})\s+){{0,6}}"
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
        return place
    return None


_PLACE_LABELS = {"GPE", "LOC", "FAC"}


def _names_a_place(sentence: str, start: int, end: int) -> bool:
    """The parser sees a place there (a GPE, LOC or FAC entity), or the words say it is one."""
    if re.search(rf"\b(?:{_PLACE_WORDS.split('|northern|')[0]})\b", sentence[start:end]):
        return True
    return any(e.label_ in _PLACE_LABELS and e.start_char < end and start < e.end_char for e in parse(sentence).ents)
