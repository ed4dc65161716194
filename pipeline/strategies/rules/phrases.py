"""Shared readings of English news prose: who is no one in particular, the clause that states an
event, places.

Each rule is a general fact of how news sentences are written, never a fact about a particular
article.
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path
from typing import Any

from pipeline.language.parse import parse
from pipeline.language.places import country_of_name, is_country_word
from pipeline.normalize import is_year

_GENERIC_ACTOR = re.compile(
    r"(?i)^(?:the\s+)?(?:western|foreign|international|regional|local|other|some|many|several|all|its|their)?\s*"
    r"(?:donors?|governments?|partners?|officials?|analysts?|countries|states|neighbou?rs|allies|sponsors|capitals)$"
    r"|^[A-Z][a-z]+s$"  # a lone capitalized plural is a sentence-initial common noun: "Exercises", "Crews"
    r"|^(?:These|Those|They|It|This|That|Such|Both|All|Some|Others|Many|Most|We|He|She)$"
)


def is_specific_actor(name: str) -> bool:
    """'Japan', 'the EU delegation' are someone; 'Western governments', 'Donors' and a bare number are not."""
    name = name.strip()
    if not any(c.isalpha() for c in name):
        return False
    return is_country_word(name) or not _GENERIC_ACTOR.match(name)


def event_clause(sentence: str) -> str:
    """The part of a sentence that states the event, without 'according to ...' tails or relative
    clauses about something else (', which is to be held in Kazakhstan this October')."""
    clause = re.split(r",\s*according to\b", reported_clause(sentence), maxsplit=1)[0]
    clause = _without_relative_clauses(clause)
    # ", officials in Tallinn said" says who reported it, not where it happened.
    return re.sub(r",\s*[^,]*\b(?:said|says|reported|announced|noted|added|told)\b[^,]*$", "", clause)


def _without_relative_clauses(clause: str) -> str:
    """The clause with its relative clauses about something else blanked (same length): "X, which is
    a joint exercise, was held between May 3 and 9" keeps the main clause on both sides of it."""
    if not re.search(r",\s*(?:which|where|who)\b", clause):
        return clause
    doc = parse(clause)
    for token in doc:
        if token.lower_ not in ("which", "where", "who") or token.i == 0 or doc[token.i - 1].text != ",":
            continue
        verb = next((a for a in [token, *token.ancestors] if a.dep_ == "relcl"), None)
        if verb is None:  # no parse of it: everything after the comma, as a cut
            start = doc[token.i - 1].idx
            return clause[:start] + " " * (len(clause) - start)
        if _holds_the_subject(verb):
            continue
        last = max(t.i for t in verb.subtree)
        start, end = doc[token.i - 1].idx, doc[last].idx + len(doc[last].text)
        clause = clause[:start] + " " * (end - start) + clause[end:]
    return clause


def _holds_the_subject(verb: Any) -> bool:
    """A relative clause that says where the main clause's subject is held ("The drill, which is
    being held in X, began ...")."""
    antecedent = verb.head
    return (
        antecedent.dep_ in ("nsubj", "nsubjpass") and antecedent.head.dep_ == "ROOT"
        and str(verb.lemma_).lower() in place_phrases()["holding_verbs"]
    )


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


PLACE_PHRASES = Path(__file__).resolve().parents[3] / "prompts" / "lexicon" / "place_phrases.toml"
_PLACE_LABELS = {"GPE", "LOC", "FAC"}
_TIME_LABELS = {"DATE", "TIME"}
_CLAUSE_DEPS = {"relcl", "acl", "advcl", "parataxis", "ccomp", "xcomp"}  # a clause on the place is no part of it


@functools.lru_cache(maxsize=1)
def place_phrases() -> dict[str, Any]:
    return tomllib.loads(PLACE_PHRASES.read_text(encoding="utf-8"))


def ceremony_held(sentence: str, nouns: frozenset[str], verbs: frozenset[str]) -> Any:
    """The verb of 'the handover ceremony took place ...', 'the signing was held ...': the first of
    `nouns` that is the subject of one of `verbs`, or None. Its clause says where and when."""
    for token in parse(sentence):
        subject = token.pos_ == "NOUN" and token.dep_ in ("nsubj", "nsubjpass")
        if subject and token.lemma_.lower() in nouns and token.head.lemma_.lower() in verbs:
            return token.head
    return None


def first_place(sentence: str) -> str | None:
    """Where the sentence says something happened: the first object of a preposition of place that
    names a place, with its own phrase ("at the X and Y training areas in the country of Z"), read off
    the parse; the capitalized-words reading when the parse finds none."""
    place = parsed_place(sentence) or _capitalized_place(sentence)
    return name_alone(place) if place else None  # (the parse's place is its name alone already)


_NAME = r"[A-Z][\w’'\-]*(?:\s+(?:[A-Z][\w’'\-]*|de|del|al|el))*"
# "Kazakhstan’s capital, Astana", "the Vietnamese capital Hanoi": a capital is named by its name.
_CAPITAL = re.compile(
    rf"^(?:(?:the\s+)?{_NAME}(?:’s|'s)?\s+)?(?:capital(?:\s+city)?)(?:,\s+|\s+)(?P<name>{_NAME})$"
)
# "Russia's Kurgan", "Germany’s Baltic Sea port of Kiel": a state's own town.
_OWNED_PLACE = re.compile(
    rf"^(?P<owner>{_NAME})(?:’s|'s)\s+(?:(?:[\w\-]+\s+){{0,3}}?(?:port|city|town)(?:,\s+|\s+of\s+|\s+))?"
    rf"(?P<name>{_NAME})$"
)
_PLACE_IN_STATE = re.compile(rf"^(?P<name>{_NAME}),\s+(?P<state>{_NAME})$")  # "Lima, Peru"


def name_alone(place: str) -> str:
    """The place's name alone, as the guide writes it: a named town without what the text says of
    it ("the Vietnamese capital, Hanoi", "Germany's port of Kiel" -> "Hanoi", "Kiel") and without its
    country ("Lima, Peru" -> "Lima"). A place with no name of its own keeps its words ("Egypt's
    southern military zone"), and so do a list of states ("Georgia, Turkey") and the guide's own
    "the port of X"."""
    capital = _CAPITAL.match(place)
    if capital:
        return capital.group("name")
    owned = _OWNED_PLACE.match(place)
    if owned and country_of_name(owned.group("owner")):
        return owned.group("name")
    located = _PLACE_IN_STATE.match(place)
    if located and country_of_name(located.group("state")) and not country_of_name(located.group("name")):
        return located.group("name")
    return place


def parsed_place(sentence: str) -> str | None:
    """The parse's reading of `first_place`, the place's name alone (`name_alone`)."""
    place = _parsed_place_phrase(sentence)
    return name_alone(place) if place else None


def _parsed_place_phrase(sentence: str) -> str | None:
    data = place_phrases()
    doc = parse(sentence)
    for token in doc:
        # "The X training ground in the Y region will host the exercises": the host is the place.
        if token.pos_ == "VERB" and token.lemma_.lower() in data["hosting_verbs"]:
            for subject in (c for c in token.children if c.dep_ == "nsubj"):
                if subject.pos_ == "NOUN" and _is_place(subject, data):
                    return _place_phrase(sentence, doc, subject, data)
        if token.dep_ != "prep" or token.lower_ not in data["prepositions"]:
            continue
        if not _of_an_event(token.head, data):
            continue  # "the troops of the states in the region": where someone is from, not where it happened
        for obj in (c for c in token.children if c.dep_ == "pobj"):
            if _is_place(obj, data) and names_a_place(phrase := _place_phrase(sentence, doc, obj, data)):
                return phrase
            if token.lower_ == "in" and _town_of_occasion(token.head, obj, data):
                return str(obj.text)
    return None


def _town_of_occasion(head: Any, obj: Any, data: dict[str, Any]) -> bool:
    """'at a ceremony in Lima': one proper name, not a person's, a people's or an acronym, after the "in"
    of an occasion names the town it was held in."""
    return (
        head.lemma_.lower() in data["occasion_nouns"] and obj.pos_ == "PROPN" and not list(obj.children)
        and obj.ent_type_ not in ("PERSON", "NORP", *_TIME_LABELS) and not obj.text.isupper()
    )


def names_a_place(phrase: str) -> bool:
    """News names the place where something happened ("in the Black Sea", "at Latvian bases"); a phrase
    without a capitalized word ("at close range", "in the country") is a manner or a reference."""
    return re.search(r"[A-Z]", phrase) is not None


def _place_phrase(sentence: str, doc: Any, head: Any, data: dict[str, Any]) -> str:
    words = sorted(_place_words(head, data), key=lambda t: t.i)
    last = words[0].i
    for token in words[1:]:  # the phrase runs on while its words are contiguous
        if token.i != last + 1 and not all(t.is_space for t in doc[last + 1 : token.i]):
            break
        last = token.i
    while last > head.i and (doc[last].is_punct or doc[last].dep_ == "cc" or doc[last].is_space):
        last -= 1
    last = _complement(doc, last, head, data)
    return sentence[words[0].idx : doc[last].idx + len(doc[last].text)]


def _of_an_event(head: Any, data: dict[str, Any]) -> bool:
    """A place phrase says where something happened when it hangs on a verb or an event noun
    ("held in X", "the drills in X", "a meeting in X"), or on a noun of such a phrase's object."""
    if head.pos_ in ("VERB", "AUX") or head.lemma_.lower() in data["not_place_nouns"]:
        return True
    # "handed over radios to the Border Service of Peru in Lima": up a chain of prepositional
    # phrases to the verb they complete (a subject's phrase, "the troops of the states in X", is none).
    # The parser hangs what follows an amount on its "worth" ("received trucks worth $2 million at
    # X"): from there the chain goes on through the goods to their verb.
    while head.head.i != head.i and (head.dep_ in ("pobj", "prep") or head.lower_ == "worth"):
        worth = head.lower_ == "worth"
        head = head.head
        if worth and head.dep_ in ("dobj", "nsubjpass"):
            head = head.head
        if head.pos_ in ("VERB", "AUX"):
            return True
    return False


def _complement(doc: Any, last: int, obj: Any, data: dict[str, Any]) -> int:
    """'in the waters off Turkmenbashi', 'the waters east of Constanta': a bare place noun is
    completed by the place phrase right after it, even when the parser hangs that on the verb."""
    bare = obj.pos_ == "NOUN" and last == obj.i and not any(c.pos_ == "PROPN" for c in obj.subtree)
    if not bare or last + 2 >= len(doc):
        return last
    after = doc[last + 1]
    if after.pos_ == "ADV" and after.i + 1 < len(doc) and doc[after.i + 1].lower_ == "of":
        after = doc[after.i + 1]  # "east of X"
    if after.dep_ != "prep" or after.lower_ not in data["inner_prepositions"]:
        return last
    # After a place noun the parser's ORG for a port town is still a place: any proper name but a person's.
    objects = [c for c in after.children if c.dep_ == "pobj" and (
        _is_place(c, data) or (c.pos_ == "PROPN" and c.ent_type_ not in ("PERSON", "NORP", *_TIME_LABELS))
    )]
    if not objects:
        return last
    words = [t for t in objects[0].subtree if not t.is_space and t.ent_type_ not in _TIME_LABELS]
    return max(t.i for t in words)


def _is_place(token: Any, data: dict[str, Any], depth: int = 0) -> bool:
    """A noun that names a place: a place the parser names, a place noun, or a noun "of" a place
    ("the middle part of the Caspian Sea"); or a list of them."""
    lemma, lower = token.lemma_.lower(), token.lower_
    if lemma in data["not_place_nouns"] or lower in data["not_place_nouns"] or token.ent_type_ in _TIME_LABELS:
        return False
    if is_year(token.text) or token.pos_ not in ("NOUN", "PROPN"):
        return False
    if any(c.dep_ == "poss" and c.pos_ == "PRON" for c in token.children):
        return False  # "in our country", "on its territory": the place seen from someone, no place's name
    if token.ent_type_ in _PLACE_LABELS or (token.pos_ == "PROPN" and country_of_name(token.text)):
        return True
    modified = lemma in data["modified_place_nouns"] and any(c.dep_ in ("compound", "amod") for c in token.children)
    if (modified or lemma in data["place_nouns"] or lower in data["place_nouns"]) and token.ent_type_ not in (
        "ORG", "PERSON", "NORP"
    ):
        return True
    if depth < 2:
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ == "of" and any(
                o.dep_ == "pobj" and _is_place(o, data, depth + 1) for o in child.children
            ):
                return token.ent_type_ not in ("ORG", "PERSON")
            if child.dep_ == "conj" and _is_place(child, data, depth + 1):
                return True
    return False


def _place_words(token: Any, data: dict[str, Any]) -> list[Any]:
    """The place's own words: its modifiers, lists and "of"/"in"/"near" phrases, without clauses,
    dates or other prepositional phrases ("in Baku on Tuesday with the ministers" is "Baku")."""
    words = [token]
    inner = data["inner_prepositions"] + (["with"] if token.lemma_.lower() in data["border_nouns"] else [])
    for child in token.children:
        if child.ent_type_ in _TIME_LABELS or child.is_space:
            continue
        if child.dep_ == "prep" and (
            child.lower_ not in inner or any(t.ent_type_ in _TIME_LABELS for t in child.subtree)
        ):
            continue
        if child.dep_ in ("appos", "conj") and token.dep_ in ("pobj", "conj") and not _is_place(child, data):
            continue
        if child.dep_ in _CLAUSE_DEPS:
            continue
        if child.dep_ == "punct" and child.i > token.i and child.text not in (",", "-", "–"):
            continue
        words.extend(_place_words(child, data))
    return words


def _capitalized_place(sentence: str) -> str | None:
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
    """The larger place a place is written with: "Dushanbe, Khatlon", "the X Training Center in
    Kazakhstan" (a facility in a named place). Only words the parser or the country list calls a place;
    `name_alone` then drops a town's country ("Dushanbe, Tajikistan" is "Dushanbe")."""
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


def _names_a_place(sentence: str, start: int, end: int) -> bool:
    """The parser sees a place there (a GPE, LOC or FAC entity), or the words say it is one."""
    if re.search(rf"\b(?:{_PLACE_WORDS.split('|northern|')[0]})\b", sentence[start:end]):
        return True
    return any(e.label_ in _PLACE_LABELS and e.start_char < end and start < e.end_char for e in parse(sentence).ents)
