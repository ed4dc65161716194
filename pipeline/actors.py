"""Actors by rule: what kind of party a name is, its country, a person's full name and title.

A 270M model names parties well enough but cannot be trusted with ISO codes or titles; these
rules can, because they only ever return text that is in the document or codes from a table.
"""

from __future__ import annotations

import calendar
import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.language.parse import abbreviations, in_brackets, parse
from pipeline.language.places import (
    and_state_names,
    country_in,
    country_of_name,
    demonym_country,
    is_country_word,
    joined_state,
    seat,
)
from pipeline.text import date_line_opening, without_possessive
from schemas import Actor

# Bodies known by acronym, with their country where they have one.
BODIES = Path(__file__).resolve().parent.parent / "prompts" / "lexicon" / "bodies.toml"
TITLES = Path(__file__).resolve().parent.parent / "prompts" / "lexicon" / "titles.toml"


@functools.lru_cache(maxsize=1)
def title_endings() -> frozenset[str]:
    """Words that end a long title and never begin a person's name ("Minister of Foreign Affairs X")."""
    return frozenset(tomllib.loads(TITLES.read_text(encoding="utf-8"))["title_endings"])


@functools.lru_cache(maxsize=1)
def same_post() -> dict[str, list[str]]:
    """Titles a later mention may use for the same post ("envoy" for an ambassador)."""
    table: dict[str, list[str]] = tomllib.loads(TITLES.read_text(encoding="utf-8")).get("same_post", {})
    return table


@functools.lru_cache(maxsize=1)
def general_posts() -> frozenset[str]:
    """Posts written with "General" after them ("Consul General"): the word is no rank there."""
    return frozenset(tomllib.loads(TITLES.read_text(encoding="utf-8")).get("general_posts", []))


@functools.lru_cache(maxsize=1)
def post_nouns() -> frozenset[str]:
    """Words that end a description of one person by post ("the State Department spokesman")."""
    return frozenset(tomllib.loads(TITLES.read_text(encoding="utf-8")).get("post_nouns", []))


@functools.lru_cache(maxsize=1)
def seated_bodies() -> frozenset[str]:
    """Words that end the name of an office whose full name says where it sits ("... Office in Dushanbe")."""
    return frozenset(tomllib.loads(BODIES.read_text(encoding="utf-8")).get("seated_bodies", []))


@functools.lru_cache(maxsize=1)
def vessel_nouns() -> tuple[str, ...]:
    """Nouns for a ship, written before its name ("the frigate Alvarez"): bodies.toml's list."""
    return tuple(tomllib.loads(BODIES.read_text(encoding="utf-8")).get("vessel_nouns", []))


@functools.lru_cache(maxsize=1)
def _vessel_nouns() -> str:
    """The vessel nouns as one alternation, singular or plural ("frigate", "frigates")."""
    return "|".join(rf"{re.escape(noun)}s?" for noun in sorted(vessel_nouns(), key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def acronyms() -> dict[str, tuple[str, str | None]]:
    """Bodies known by acronym, with their kind and, where they have one, their country."""
    table = tomllib.loads(BODIES.read_text(encoding="utf-8"))["acronyms"]
    return {name: (kind, country or None) for name, (kind, country) in table.items()}


@functools.lru_cache(maxsize=1)
def ship_prefixes() -> dict[str, tuple[str, str]]:
    """The prefix a navy or coast guard writes before a ship's name, with the ship's kind and state."""
    table = tomllib.loads(BODIES.read_text(encoding="utf-8"))["ship_prefixes"]
    return {prefix: (kind, country) for prefix, (kind, country) in table.items()}


def _ship_prefix_alternatives() -> str:
    return "|".join(map(re.escape, ship_prefixes()))


@functools.lru_cache(maxsize=1)
def _prefixed_ship() -> re.Pattern[str]:
    """A prefixed ship's name anywhere in a phrase: "commanding officer of USS Makin Island"."""
    return re.compile(rf"\b({_ship_prefix_alternatives()})\s+[A-Z]")


@functools.lru_cache(maxsize=1)
def _owned_ship() -> re.Pattern[str]:
    """"the ADF's HMAS Albany": an owner's possessive before a prefixed ship's name."""
    return re.compile(rf"['’]s\s+((?:{_ship_prefix_alternatives()})\s+[A-Z].*)$")


_KIND_KEYWORDS: list[tuple[str, str]] = [
    # GUIDE §3: every border guard, border service, coast guard and police body is a security service;
    # military police are armed forces.
    (r"\b(security service|security committee|intelligence|border (guard )?service|border guards? service|"
     r"secret service|counterintelligence|national guard|coast guard|border (police|troops|guards?)|"
     r"(?<!military )police|gendarmerie|guard)\b", "security_service"),
    (r"\b(organi[sz]ation|alliance|union|united nations|council of europe|commonwealth|treaty organization)\b",
     "international_org"),
    # "forces?": "the Australian Defence Force", "Task Force 51", "a rapid reaction force".
    (r"\b(navy|naval|flotilla|fleet|army|armed forces|air force|troops|forces?|brigade|battalion|regiment|"
     r"division|units?|subunits?|directorate|command|corps|marines|coast guard|garrison|squadron|staff|"
     r"border guards?|military)\b", "military_unit"),
    (r"\b(ministry|ministries|minister|affairs|department|government|parliament|presidential|administration|"
     r"agency|committee|office|embassy|consulate|cabinet|state duma|senate|center|centre|institute|academy|"
     r"service|police|customs|authority|authorities|presidency)\b", "government_body"),
    (r"\b(company|corporation|corp|inc|ltd|llc|jsc|group|shipyard|plant|holding|industries|systems)\b", "company"),
]

# Words that make a capitalized phrase a title rather than part of a name.
TITLE_WORDS = (
    "president", "prime minister", "minister", "deputy", "chief", "head", "director", "chairman", "commander",
    "general", "colonel", "col.", "admiral", "ambassador", "spokesman", "spokeswoman", "spokesperson",
    "representative", "secretary", "officer", "governor", "envoy", "adviser", "advisor", "captain", "major",
    "lieutenant", "chair", "leader", "mayor", "senator", "official", "attaché", "manager", "coordinator",
    "chargé", "chargée", "charge d’affaires", "charge d'affaires", "member of parliament", "lawmaker",
    "legislator", "parliamentarian",
    "consul", "commissioner",
)
_LOWER_TITLES = r"commander|chief|head|spokesman|director|deputy|minister"
_SPEECH_VERBS = r"said|says|told|noted|added|stressed|stated|explained|announced|emphasized|emphasised"
# Ranks, written out or abbreviated with or without the full stop ("Brig. Gen", "Rear Adm"): titles too,
# but a position named beside a rank is the person's role (GUIDE §3).
RANK_WORDS = (
    "admiral", "colonel", "general", "lieutenant", "major", "captain", "brigadier", "commodore", "sergeant",
    "gen", "gen.", "adm", "adm.", "brig", "brig.", "col", "col.", "lt", "lt.", "maj", "maj.", "capt", "capt.",
    "cmdr", "cmdr.", "sgt", "sgt.", "rear", "vice",
    "marshal", "corporal", "spc", "spc.", "pfc", "pfc.", "cpl", "cpl.", "pvt", "pvt.", "cpt", "cpt.", "cdre", "cdre.",
    # The naval ranks of the former Soviet navies: "Captain 1st Rank", "Captain 3rd Rank".
    "1st", "2nd", "3rd", "rank",
)
_RANK_PARTS = {"rear", "vice", "1st", "2nd", "3rd", "rank"}  # rank words that are no title alone
_TITLE_ALTERNATION = "|".join(
    re.escape(w) for w in sorted({*TITLE_WORDS, *RANK_WORDS} - _RANK_PARTS, key=len, reverse=True)
)
# A title word ends at a non-word character: "Col." and "Gen" before a name, not "generally".
_TITLE_RE = re.compile(rf"\b({_TITLE_ALTERNATION})(?!\w)", re.IGNORECASE)
# Capital letters of the Latin alphabets names are written in: "İsmet", "Šimonović", "Łukasz", "Ömer".
_CAPITAL = "[" + "".join(c for c in map(chr, range(0x41, 0x250)) if c.isupper() and c.isalpha()) + "]"
_NAME_TOKEN = rf"{_CAPITAL}(?:[^\W\d_]|['’\-])+"  # any script's letters: "Kalniņš", "Müller"
# A capitalized word that can be part of a name: not a sentence's function word, not a sentence end.
_GAP = r"[^\S\n]+"  # the space between a name's words: a name never runs over a line break
_WEEKDAYS = tuple(calendar.day_name)
_ORG_WORD = (
    r"(?!(?:The|On|In|At|By|For|And|But|As|Of|A|An|It|This|These|Its|Their|"
    rf"{'|'.join(_WEEKDAYS)})\b)(?:[A-Z][\w’'\-]*|(?:[A-Z]\.)+)"
)
# A word of a body's name written after a title: capitalized, an ordinal ("8th") or a joining word.
_UNIT_WORD = r"(?:[A-Z0-9][\w’'.\-]*|of|the|and|for|\([A-Z]{2,}\))"
# A name's later words may carry a lowercase particle: "Khaled Bin Attia al-Juhduli".
# Lowercase words that open a surname or a patronymic, one or two together: "Martinez de Pinillos",
# "van der Berg", "Pedro de la Cruz", "Khaled bin Salman".
_SURNAME_PARTICLES = r"de|da|das|do|del|della|di|dos|du|van|von|der|den|ter|la|le|bin|bint|ibn|ben|abu|al|el"
_PERSON_RE = re.compile(
    rf"^(?:{_NAME_TOKEN}|[A-Z]\.)(?:\s+(?:(?:{_SURNAME_PARTICLES})\s+){{0,2}}(?:(?:[a-z]{{1,3}}-)?{_NAME_TOKEN}|[A-Z]\.))*$"
)


# The first word of a state's name and its "and", just before a position: "Bosnia and |Herzegovina".
_STATE_FIRST_WORD = re.compile(r"([A-Z][\w’'\-]*)\s+and\s+$")


@dataclass(frozen=True)
class ActorRules:
    """The rule-based view of one document's people: full names and the titles it gives them."""

    text: str

    def full_name(self, name: str) -> str:
        """The fullest form of a person's name in the text: 'Putin' -> 'Vladimir Putin'."""
        if not looks_like_person(name):
            return name
        surname = name.split()[-1]
        best = name
        # "Khaled Bin Attia al-Juhduli", later "Al-Juhduli said": a surname's particle is lowercase
        # inside the full name, capitalized at a sentence's start.
        # Such names run longer ("Khaled Bin Attia"): three words may come before them, two otherwise.
        particle = "-" in surname[:4]
        written = rf"(?i:{re.escape(surname[:1])}){re.escape(surname[1:])}" if particle else re.escape(surname)
        # An initial is a word of the name too: "Joaquin J. Martinez".
        word = rf"(?:{_NAME_TOKEN}|(?<![\w.])[A-Z]\.)"  # not the end of "H.E."
        for match in re.finditer(rf"((?:{word}{_GAP}){{1,{3 if particle else 2}}}){written}\b", self.text):
            candidate = match.group(0)
            tokens = candidate.split()
            # "Minister of Defense of Bosnia and Herzegovina Zukan Helez": the end of a state's name.
            if tokens and self._ends_a_state_name(tokens[0], match.start()):
                tokens = tokens[1:]
            # Drop leading words that are titles or nationalities ("President", "Kazakh", "Georgia’s").
            while tokens and (
                _is_title_word(tokens[0]) or tokens[0].lower() in title_endings()
                or is_country_word(without_possessive(tokens[0])) or tokens[0] == "Col."
                or tokens[0].lower() in _HONORIFICS  # "H.E. Mr Tanaka Kenji": no honorific is a name
                or tokens[0] in _NOT_NAME_CONTINUATIONS or re.fullmatch(_CLAUSE_OPENERS, tokens[0])
            ):
                tokens = tokens[1:]
            candidate = person_without_title(" ".join(tokens))
            as_given = candidate[: len(candidate) - len(surname)] + surname  # "... al-Juhduli" as "Al-Juhduli"
            if name in as_given and len(candidate) > len(best) and looks_like_person(as_given):
                best = candidate
        if len(best.split()) >= 2:
            # "Héctor Barrios Sandoval": a second surname after the name as given, on the same line.
            # A surname may open with a lowercase particle: "Joaquin J. Martinez de Pinillos".
            surname_after = rf"(?P<word>(?:(?:{_SURNAME_PARTICLES}){_GAP})?{_NAME_TOKEN})(?![\w’'])"
            after = re.search(rf"(?<![\w’']){re.escape(best)}{_GAP}{surname_after}", self.text)
        else:
            # "Mr Tanaka Kenji": after an honorific the whole name follows, in whatever order it is
            # written. "Admiral Karambir Singh", later "Karambir said"; "Brig. Gen. Hartind Asrin", later
            # "Hartind said": so it does after a title or a rank, and many names are referred to by
            # their first word.
            def named_after(words: str) -> re.Match[str] | None:
                return re.search(
                    rf"(?<![\w’'])(?i:{words})\.?{_GAP}{re.escape(best)}{_GAP}(?P<word>{_NAME_TOKEN})(?![\w’'])",
                    self.text,
                )

            honorifics = "|".join(re.escape(h.rstrip(".")) for h in _HONORIFICS)
            after = named_after(honorifics) or named_after(_TITLE_ALTERNATION)
        if after and _in_title_case_line(self.text, after.start("word")):
            after = None  # "Jordan's A B Highlights Security Priorities": a headline capitalizes every word
        if after:
            word = after.group("word")
            if not (word.lower() in TITLE_WORDS or word.lower() in title_endings() or is_country_word(word)
                    or word in _NOT_NAME_CONTINUATIONS) and looks_like_person(f"{best} {word}"):
                best = f"{best} {word}"
        return best

    def full_org_name(self, name: str) -> str:
        """The fullest form of an organisation's name in the text: 'FSB' -> 'Russia's Federal Security
        Service' (from 'Russia's Federal Security Service (FSB)'), 'Military Institute' -> 'Kazakh Military
        Institute of Foreign Languages'."""
        if re.fullmatch(r"[A-Z]{2,6}", name):
            # "Government of the Republic of Uzbekistan (GOU)": names run on through of/the/and/for.
            expansion = re.search(
                rf"((?:{_ORG_WORD}{_GAP}(?:(?:of|the|and|for){_GAP})*)*{_ORG_WORD}){_GAP}\({name}\)", self.text
            )
            return expansion.group(1) if expansion else self._spelled_out(name) or name
        best = name
        # "Office for Democratic Institutions": "for" runs on inside a capitalized name; after a lowercase
        # description it gives a purpose ("security forces for Exercise X"), no more of the name.
        joins = "of|for" if name.split()[-1][:1].isupper() else "of"
        tail = rf"(?:{_GAP}(?:{joins})(?:{_GAP}the)?(?:{_GAP}{_ORG_WORD})+)*"
        pattern = rf"(?:{_ORG_WORD}{_GAP})*{re.escape(name)}{tail}(?![\w’'])"
        for match in re.finditer(pattern, self.text):
            candidate = match.group(0)
            if len(candidate) > len(best):
                best = candidate
        if any(word in seated_bodies() for word in best.split()):
            # "the OSCE Programme Office in Dushanbe": where the office sits is part of its name.
            seat_of = re.search(rf"{re.escape(best)}{_GAP}in{_GAP}((?:{_ORG_WORD}{_GAP})*{_ORG_WORD})", self.text)
            best = seat_of.group(0) if seat_of else best
        return best

    def _spelled_out(self, acronym: str) -> str | None:
        """The name an acronym abbreviates, where the text spells it out without brackets: "EU" ->
        "European Union", "OSCE" -> "Organization for Security and Co-operation in Europe". The
        capitalized words' initials must spell the acronym exactly; the small words between them
        (of, for, and, in, the) carry no letter. The first such name in the text wins."""
        small = r"(?:of|for|and|in|the)"
        letters = [rf"{letter}[\w\-]*" for letter in acronym]  # "Union's": the possessive is no part
        pattern = rf"(?<![\w’'\-]){rf'{_GAP}(?:{small}{_GAP})*'.join(letters)}(?![\w\-])"
        spelled = re.search(pattern, self.text)
        if spelled is None or not all(word[1:2].islower() for word in spelled.group(0).split()
                                      if not re.fullmatch(small, word)):
            return None  # "EU" in "E. U." or a run of acronyms ("EU UN") is no spelled-out name
        return spelled.group(0)

    def full_state_name(self, name: str, country: str) -> str:
        """A state named by its initials, by the fullest name the text gives it elsewhere (GUIDE §3):
        "US" -> "United States" when the article says "the United States" too."""
        if not re.fullmatch(r"(?:[A-Z]\.?){2,4}", name):
            return name
        fullest = self._state_names.get(country, name)
        return fullest if len(fullest) > len(name) else name

    def state_named(self, country: str) -> str | None:
        """The longest name the text gives a state, by its code; None when the text never names it."""
        return self._state_names.get(country)

    @functools.cached_property
    def _state_names(self) -> dict[str, str]:
        """The longest name the text gives each state (the first of equal length), read once per document."""
        names: dict[str, str] = {}
        for start in re.finditer(r"(?<![\w’'])(?!The\b)[A-Z][a-z]+", self.text):
            # Every run of capitalized words from here: "the United States of America" holds three.
            run = re.match(r"[A-Z][a-z]+(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][a-z]+){0,4}", self.text[start.start():])
            words = run.group(0).split() if run else []
            for end in range(len(words), 0, -1):
                candidate = " ".join(words[:end])
                code = country_of_name(candidate)
                if code and len(candidate) > len(names.get(code, "")):
                    names[code] = candidate
        return names

    def person_titled(self, description: str, at: int | None = None) -> str | None:
        """The person a title stands for: 'The Kazakh president' -> 'Nursultan Nazarbayev', when the
        text gives exactly one person a title with that word and country. With several ("the
        minister" after three ministers are named) and the place `at` where the title stands, the
        one named last before it: news refers back to whom it has just spoken of."""
        words = description.lower().split()
        # "the top diplomat": a word the same-post table lists stands for the titles it names.
        title = next((w for w in reversed(words) if _TITLE_RE.fullmatch(w) or w in same_post()), None)
        if title is None:
            return None
        country = country_in(description)
        found: dict[str, None] = {}  # in text order: the choice below never depends on a set's order
        # Every pair of capitalized words, overlapping: "President Nursultan Nazarbayev" holds one; a
        # middle initial may stand between them ("Michael J. Fitzpatrick, Ambassador of ...").
        for match in re.finditer(rf"(?=({_NAME_TOKEN}\s+(?:[A-Z]\.\s+)?{_NAME_TOKEN}))", self.text):
            name = match.group(1)
            first = name.split()[0]
            # "The President", "In Nairobi": an article or a preposition opens no one's name.
            if not looks_like_person(name) or first.lower() in TITLE_WORDS or first in _NOT_NAME_CONTINUATIONS:
                continue
            role = self.role(name) or ""
            same_country = country is None or country in (classify(role)[1], country_in(role))
            posts = [title, *same_post().get(title.lower(), [])]
            # "Colonel-General Ivan Petrov", later "the Russian general said": a rank is a title too.
            ranked = re.search(rf"(?i:\b{re.escape(title)})\.?\s+{re.escape(name)}", self.text) is not None
            # "Saunders is the Permanent Secretary in the Ministry": the text states the person's post.
            stated = re.search(
                rf"\b{re.escape(name.split()[-1])},?\s+(?:is|was)\s+(?:also\s+)?(?:the|a|an)\s+(?:[\w’'-]+\s+){{0,3}}?"
                rf"(?i:{'|'.join(re.escape(post) for post in posts)})\b",
                self.text,
            ) is not None
            if (ranked or stated or any(post in role.lower() for post in posts)) and same_country:
                found[self.full_name(name)] = None
        # The overlapping pairs of one long name ("A B C D" gives "A B C" and "B C D") are one person,
        # named by the fullest of them.
        people = [p for p in found if not any(p != other and f" {p} " in f" {other} " for other in found)]
        if len(people) == 1:
            return people[0]
        if at is None or not people:
            return None
        last_named = {
            person: max((m.start() for m in re.finditer(rf"\b{re.escape(person.split()[-1])}\b", self.text[:at])),
                        default=-1)
            for person in people
        }
        nearest = max(last_named, key=lambda person: (last_named[person], len(person)))
        return nearest if last_named[nearest] >= 0 else None

    def body_of(self, person: str) -> str | None:
        """The organisation a person's title names: 'deputy chief of the FSB Federal Border Guard
        Service' -> 'FSB Federal Border Guard Service' (what "we" means in their quotation)."""
        role = self.role(self.full_name(person)) or ""
        match = re.search(r"\b(?:of|for|at)\s+(?:the\s+)?(?P<org>[A-Z][^,;]*)$", role)
        if match is None or classify(match.group("org"))[0] == "person":
            return None  # "Minister of Defence": a portfolio, no body's name
        return self.full_org_name(match.group("org"))

    def _person_at_end(self, phrase: str) -> str | None:
        """The person a title phrase ends in, where the parse of the text names one there ("Mongolian
        Minister of Defence Bat Erdene" -> "Bat Erdene"); None when the phrase is a name already."""
        if looks_like_person(phrase) or len(phrase.split()) < 3:
            return None
        for entity in parse(self.text).ents:
            at_end = entity.label_ == "PERSON" and len(entity.text.split()) >= 2 and phrase.endswith(" " + entity.text)
            if at_end and looks_like_person(entity.text) and not _TITLE_RE.search(entity.text):
                return str(entity.text)
        return None

    def _ends_a_state_name(self, word: str, at: int) -> bool:
        """`word`, standing at `at` in the text, ends a two-word state's name that runs before it
        ("Herzegovina" after "Bosnia and ")."""
        first = _STATE_FIRST_WORD.search(self.text, 0, at)
        return first is not None and joined_state(self.text, first.span(1), (at, at + len(word))) is not None

    def _state_after(self, name: str) -> str | None:
        """'Adm. Jorge Silva of Chile': the state named right after the person."""
        state = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,3}}"
        match = re.search(rf"{re.escape(name)},?\s+of\s+(?:the\s+)?({state})", self.text)
        if match and country_of_name(match.group(1)):
            return country_of_name(match.group(1))
        return self._possessor_state(name)  # "Georgia’s Tinatin Khidasheli said"

    def _possessor_state(self, phrase: str, owner_words: int = 1) -> str | None:
        """The state a possessive before `phrase` names: "Georgia’s Tinatin Khidasheli", "Chile’s
        ambassador to Peru" (a state's name of up to `owner_words` words)."""
        owner = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,{owner_words - 1}}}"
        match = re.search(rf"({owner})(?:’s|'s)\s+{re.escape(phrase)}(?![\w’'])", self.text)
        return country_of_name(without_possessive(match.group(1))) if match else None

    def role(self, name: str) -> str | None:
        """The title the text gives a person: from the parse where it has the person as a name, else
        by the wording around the name."""
        parsed = self._role_from_parse(name) or self._role_of_apposed(name)
        role = parsed or self._role_from_wording(name)
        if parsed:
            worded = _without_trailing_ranks(self._role_from_wording(name) or "")
            if all(_is_rank(word) for word in parsed.split()):
                # "Maj. Gen. X, commanding general, 8th Y Command,": the parser may miss the apposition
                # that gives the position; the wording finds it, and the position wins over the rank
                # (GUIDE §3).
                if worded and not all(_is_rank(word) for word in worded.split()):
                    role = worded
            elif _runs_on(_without_trailing_ranks(parsed), worded):
                role = worded
        date_line = date_line_opening(role) if role else None
        if role and date_line:  # "date 2017-04-04 Minister of X": the page's date line is no title
            role = re.sub(r"^\S*\s*", "", role[date_line[1] :]) or None
        if role:  # "2019-10-05 Chilean Prime Minister": a date's pieces are no title
            role = re.sub(r"^(?:[\d\-/.:]+\s+)+", "", role) or None
        while role and role.split()[-1].lower().strip(",") in _FORMS_OF_ADDRESS:
            # "Minister of International Relations Dr X", "security minister, Mr. X": the form of
            # address before the name is no part of the title.
            role = role.rsplit(None, 1)[0].rstrip(" ,") if len(role.split()) > 1 else None
        if role and "(" in role and ")" not in role[role.index("(") :]:
            # "commander of the detachment (Agency, June 14": an unclosed bracket opens a citation.
            role = role[: role.index("(")].strip(" ,") or None
        return self._with_unit_after(name, role) if role else None

    def _with_unit_after(self, name: str, role: str) -> str:
        """"X, commanding general, 8th Theater Support Command.": a bare title set off after the name,
        then the body it is held in, set off by a second comma, are one role (GUIDE §3: one phrase)."""
        if re.search(r"\b(?:of|for|to|at|in)\b", role):
            return role
        unit = re.search(
            rf"{re.escape(name)},\s+(?:the\s+)?{re.escape(role)},\s+({_UNIT_WORD}(?:\s+{_UNIT_WORD})*)"
            rf"(?=\s*(?:[,.;“”\"]|$|\s(?:{_SPEECH_VERBS})\b))",
            self.text,
        )
        words = unit.group(1).split() if unit else []
        if words and words[-1].endswith(".") and not re.fullmatch(r"(?:[A-Z]\.)+", words[-1]):
            words[-1] = words[-1][:-1]  # the sentence's full stop
        if not words or words[0] in ("of", "and", "for") or words[-1] in ("of", "the", "and", "for"):
            return role
        body = " ".join(words)
        if words[0] in (*_WEEKDAYS, *calendar.month_name) or _TITLE_RE.match(words[0]) or looks_like_person(body):
            return role  # "X, spokesman, Monday"; a second title or a person is someone else's
        return f"{role}, {body}"

    def _role_from_parse(self, name: str) -> str | None:
        """The person's first mention in the parse: its apposition ("Ivan Petrov, head of the OSCE office
        in Bishkek,"), else the words that modify the name before it ("Russia’s Central Military District
        Commander Colonel-General Ivan Petrov"), else the title it stands in apposition to ("the deputy
        commander, Ivan Petrov,")."""
        doc = parse(self.text)
        mentions = [e for e in doc.ents if e.label_ == "PERSON" and name in e.text]
        if not mentions and (at := self.text.find(name)) >= 0:
            # A name the entity tagger missed ("stated Lieutenant-General Ivan Petrov, First Deputy Head
            # of X"): its words in the parse are the mention.
            span = doc.char_span(at, at + len(name), alignment_mode="expand")
            whole = span is not None and all(t.pos_ == "PROPN" for t in span) and (
                span.end == len(doc) or doc[span.end].pos_ != "PROPN"  # not "X Joint" of "X Joint Staff"
            )
            mentions = [span] if whole else []
        for entity in mentions:
            head = entity.root
            # A title after the name wins over a rank before it (GUIDE §3: the position, not the rank).
            for child in head.children:
                if child.dep_ == "appos" and child.i > head.i and not in_brackets(child):
                    if child.ent_type_ == "PERSON":
                        continue  # "by Minister A B and Deputy Head C D": the parser's apposition is another person
                    end = _end_before_occasion(child)
                    after = doc[end + 1] if end + 1 < len(doc) else None
                    if after is not None and after.lower_ == "to" and after.head.i in (head.i, child.i) and any(
                        c.dep_ == "pobj" and c.pos_ == "PROPN" for c in after.children
                    ):
                        # "X, Ambassador of Japan to Fiji,": the parser may hang "to Fiji" on the name;
                        # where an envoy is sent is part of the title.
                        end = after.right_edge.i
                    phrase = doc[child.left_edge.i : end + 1]
                    text = _strip_article(phrase.text.strip(" ,"))
                    if _TITLE_RE.search(text) and len(phrase) <= 20:
                        return text
            function = _function_named_before(head)
            # The entity may have taken in a place before the name ("Chile Karen Miller" in "Ambassador
            # to Chile Karen Miller"): the title runs to the name itself.
            named_at = entity.start_char + entity.text.index(name)
            first_named = next(t.i for t in entity if t.idx + len(t.text) > named_at)
            governing = head.head.head if head.dep_ == "pobj" and head.head.dep_ == "prep" else None
            titled = governing is not None and (
                _TITLE_RE.fullmatch(governing.text) is not None or opens_long_title(self.text, governing.idx)
            )
            if governing is not None and governing.i < head.i and titled:
                # "U.S. Ambassador to Uzbekistan Jane Doe": the parser hangs the name on "to"; "Member
                # of Parliament Jane Doe": on the title's own "of".
                title = _strip_article(self.text[doc[governing.left_edge.i].idx : named_at].strip(" ,"))
                if len(title.split()) <= 12:
                    return title
            before = doc[head.left_edge.i : first_named]
            # Never across a line break or into another sentence ("Issue: 124\n\nKazakhstan’s President").
            breaks = [t.i for t in before if "\n" in t.text or t.sent.start != entity.sent.start]
            words = [t for t in before if not breaks or t.i > max(breaks)]
            # "Ambassador X and Defense Minister Y": Y's title starts after the "and".
            joins = [t.i for t in words if t.pos_ == "CCONJ"]
            words = [t for t in words if not joins or t.i > max(joins)]
            while words and (words[0].dep_ in ("det", "cc", "advmod", "punct") or words[0].lower_ in _HONORIFICS):
                words = words[1:]
            if words and _TITLE_RE.search(" ".join(t.text for t in words)) and not any(t.pos_ == "VERB" for t in words):
                only_rank = all(_is_rank(t.text) for t in words)
                function = function or (_position_before_rank(words[0]) if only_rank else None)
                if function and only_rank:
                    return function  # "the Navy's deputy commander for operations, Admiral X": the position
                if not (only_rank and words[0].is_sent_start):
                    kept = _position_before_its_rank(words)
                    if len(kept) < len(words):
                        return self.text[kept[0].idx : kept[-1].idx + len(kept[-1].text)]
                    return self.text[words[0].idx : named_at].strip(" ,")
                # "Brig. | Gen X": the parser ended a sentence inside the title; the wording decides.
            if function:
                return function
            if head.dep_ == "appos" and head.head.pos_ == "NOUN":
                title = doc[head.head.left_edge.i : head.head.i + 1]
                text = _strip_article(title.text)
                if _TITLE_RE.search(text):
                    return text
            return None
        return None

    def _role_of_apposed(self, name: str) -> str | None:
        """A name the entity tagger missed, in apposition to the title before it ("Chilean Defence
        Minister General of the Army Ana Ruiz said", parsed as "General" with the name beside it):
        the title's words up to its head, without the rank at its end (GUIDE §3: the position)."""
        doc = parse(self.text)
        last_word = name.split()[-1]
        for token in doc:
            named_here = self.text.startswith(name, token.idx + len(last_word) - len(name))
            if token.text != last_word or token.dep_ != "appos" or not named_here:
                continue
            title = token.head
            if title.i > token.i or title.pos_ not in ("NOUN", "PROPN") or not _TITLE_RE.fullmatch(title.text):
                continue
            first_word = token.i - len(name.split()) + 1
            if any(t.pos_ == "CCONJ" for t in doc[title.i + 1 : first_word]):
                continue  # "Minister A B and the head of the X Delegation, C D": C D's title is the second
            words = [t for t in doc[title.left_edge.i : title.i + 1] if t.sent.start == token.sent.start]
            while words and (words[0].dep_ in ("det", "punct") or words[0].lower_ in _HONORIFICS):
                words = words[1:]
            words = _position_before_its_rank(words)
            if words and not all(_is_rank(t.text) for t in words) and len(words) <= 12:
                last = words[-1]
                # "the US Ambassador to Tarvia Ana Ruiz": where an envoy is sent is part of the title
                # (GUIDE §3), however the parser hangs the state between the title and the name.
                named_at = token.idx + len(last_word) - len(name)
                between = [t for t in doc[title.i + 1 : token.i] if t.idx < named_at]
                # "the Chilean Minister of Defence, Ana Ruiz": the comma sets the name off; "Minister for
                # Defence, Dr Ana Ruiz": so do the comma and the form of address.
                while between and (between[-1].is_punct or between[-1].lower_ in _HONORIFICS):
                    between = between[:-1]
                if last.i == title.i and len(between) >= 2 and between[0].lower_ == "to" and country_of_name(
                    " ".join(t.text for t in between[1:])
                ):
                    last = between[-1]
                subtree = {t.i for t in title.subtree}
                if last.i == title.i and len(between) >= 2 and between[0].lower_ in ("of", "for") and all(
                    t.i in subtree and (t.pos_ in ("ADP", "DET") or t.text[:1].isupper()) for t in between
                ):
                    last = between[-1]  # "the Minister of Defense of Chile John Miller": the title's "of" phrase
                return self.text[words[0].idx : last.idx + len(last.text)]
        return None

    def _role_from_wording(self, name: str) -> str | None:
        escaped = re.escape(name)
        # The appositive stops at its comma and never crosses a sentence end ("Ministry. She added").
        # It may run on to the speech verb when the writer left out the second comma ("X, head of
        # the office in Bishkek said").
        appositive = re.search(
            rf"{escaped},\s+(?!(?:and|or)\s)((?:the\s+|a\s+|an\s+)?(?:[^,;:“”\".]|(?<=[A-Z])\.){{3,120}}?)"
            rf"(?:,|\s+(?=(?:{_SPEECH_VERBS})\b))",
            self.text,
        )
        if appositive and _TITLE_RE.search(appositive.group(1)):
            return _strip_article(appositive.group(1))
        # "Minister of Defence Kalle Laanet", "Chief of the Border Police of Moldova Dorin Purice".
        # "Minister of Defense of Bosnia and Herzegovina Ana Ruiz": a state's "and" is inside the title,
        # so the state's name is read as one word (same length, so offsets hold).
        joined = {name: name.replace(" ", "-") for name in and_state_names() if name in self.text}
        worded = self.text
        for name, word in joined.items():
            worded = worded.replace(name, word)
        before = re.search(
            # "Chargé d’Affaires": a French elision inside the title.
            # A body's acronym in brackets stays inside ("Armed Forces of X (AFX) Deputy Chief of Staff").
            rf"((?:(?:(?:d[’'])?[A-Z][\w’'.\-]*|\([A-Z]{{2,8}}\)|{_LOWER_TITLES})\s+(?:(?:of|for|to)\s+(?:the\s+)?(?=[A-Z]))?){{1,9}})"
            rf"{escaped}\b",
            worded,
        )
        if before:
            tokens = before.group(1).split()
            for name, word in joined.items():
                tokens = [name if token == word else token for token in tokens]
            # Not across a sentence end ("... for September. Kyrgyz Emergencies Minister X").
            # "U.S.", "Col.": a full stop that ends no sentence ("the Black Sea. Adm. X" ends one).
            ends = [i for i, t in enumerate(tokens)
                    if t.endswith(".") and not re.fullmatch(r"(?:[A-Z]\.)+", t) and t not in abbreviations()]
            if ends:
                tokens = tokens[ends[-1] + 1 :]
            # Keep the capitalized run that ends in a title word ("Kazakh Interior Minister"), or in
            # the "of" phrase after it ("Minister of Defence").
            for i in [i for i, t in enumerate(tokens) if t == "to"][::-1]:
                if i == 0 or not _TITLE_RE.search(tokens[i - 1]):
                    tokens = tokens[i + 1 :]  # "According to Minister X": only a title goes "to" a state
                    break
            if tokens and tokens[-1] in ("of", "for", "to", "the"):
                tokens = []  # "head of the Izmail detachment": the name is what the title is of
            # "Chief of the General Staff of X": a title word that a capitalized word other than a title
            # follows is part of a body's name, not where the title ends.
            titles = [i for i, t in enumerate(tokens) if _TITLE_RE.search(t) and not (
                i + 1 < len(tokens) and tokens[i + 1][:1].isupper() and not _TITLE_RE.search(tokens[i + 1])
            )]
            of_phrase = bool(titles) and titles[-1] + 1 < len(tokens) and tokens[titles[-1] + 1] in ("of", "for", "to")
            elided = ("d’", "d'", "D’", "D'")  # "Chargé d’Affaires", "Charge D’affaires"
            while tokens and not of_phrase and not _TITLE_RE.search(tokens[-1]) and not tokens[-1].startswith(elided):
                tokens = tokens[:-1]
            while tokens and tokens[0] in {"The", "On", "In", "At", "By", "And", "As", "When", "While", "But"}:
                tokens = tokens[1:]
            if tokens and _TITLE_RE.search(" ".join(tokens)):
                return " ".join(tokens)
        # "..., the UN representative to Georgia, Jane Doe said": the title set off before the name.
        # It opens after a quotation mark, a comma, the sentence start or the preposition of the verb's
        # agent or source ("handed over by the Chilean ambassador to Peru, Jan Novak") and ends in its
        # title word and the body or place it is of/to/for.
        words = r"[A-Z][\w’'.\-]*"
        # A second titled person in a list opens after "and" ("A and the Executive Director of the X
        # and Y Agency (XYA), B signed"); the body's name may hold "and" and end in its acronym.
        set_off = re.search(
            rf"(?:^|[“”\",.]\s*|\b(?:and|by|from|with)\s+)((?:the\s+)?(?:{words}\s+){{0,4}}(?i:{_TITLE_ALTERNATION})"
            rf"(?:\s+(?:of|to|for|in)\s+(?:the\s+)?{words}(?:\s+(?:and\s+|(?:of|to|for|in)\s+(?:the\s+)?)?{words}){{0,6}}"
            # A portfolio may list its fields ("Minister for Justice, Equality & Defence"), and a form of
            # address may stand before the name ("..., Mr. A B").
            rf"(?:,\s+{words}(?:\s+(?:&|and)\s+{words})+)?"
            rf"(?:\s+\([^()]{{1,20}}\))?)?),\s+(?:(?:the\s+)?(?:{_ADDRESS_ALTERNATION})\.?\s+)?{escaped}\b",
            self.text,
            flags=re.MULTILINE,
        )
        if set_off:
            return _strip_article(set_off.group(1))
        return None

    def actor(self, name: str, role: str | None = None) -> Actor:
        """An Actor for a verbatim name, with kind, country and (for a person) full name and title."""
        # A final full stop is the sentence's, unless it closes an abbreviation ("U.S.", "Co.").
        name = name.strip(" ,;:")
        name = name if re.search(r"(?:\b[A-Z]\.|\b(?:Co|Corp|Inc|Ltd|Bros)\.)$", name) else name.rstrip(".")
        name = person_without_title(trim_name(name))
        named = self._person_at_end(name)
        if named is not None:  # "Chilean Defence Minister General of the Army Ana Ruiz" -> "Ana Ruiz"
            name = named
        name = _state_after_description(name)
        owned_ship = _owned_ship().search(name)
        if owned_ship:  # "the ADF's HMAS Albany": the prefix says whose ship it is
            name = owned_ship.group(1)
        kind, country = classify(name)
        if kind == "other" and 2 <= len(name.split()) <= 3 and _PERSON_RE.match(name) and self.role(name):
            # "Chad Godlewski, program chief": a given name that is also a state's is a person's when
            # the text gives the name a title.
            kind, country = "person", None
        if kind in ("person", "other") and country is None and (ship_state := self._ship_named(name)) is not None:
            # "the frigates Alvarez and Cano took part": ships, not people
            kind, country = "military_unit", ship_state or None
        if kind == "person":
            first, _, rest = name.partition(" ")
            if looks_like_person(rest) and any(
                self._ends_a_state_name(first, m.start()) for m in re.finditer(re.escape(name), self.text)
            ):
                name = rest  # "Minister of Bosnia and Herzegovina Zukan Helez": the state's name ends first
            name = self.full_name(name)
            # The title the text gives wins over the model's; a model "role" without a title word is no role.
            role = self.role(name) or (role if role and role in self.text and _TITLE_RE.search(role) else None)
            # "Ambassador to Uzbekistan": the state a person is sent to is not theirs.
            own = re.sub(r"\s+to\s+.*$", "", role) if role else None
            country = country or (classify(own)[1] if own else None) or self._state_after(name)
            if country is None and role:  # "Ana Ruiz, Chile’s ambassador to Peru": the state whose title it is
                country = self._possessor_state(role, owner_words=2)
            if country is None and own and (ship := _prefixed_ship().search(own)):
                # "commander of EML Sakala": a ship's commander serves the state whose navy writes that prefix.
                country = ship_prefixes()[ship.group(1)][1]
            if country is None and own:
                # "PCG spokesman", the text elsewhere "the Philippine Coast Guard (PCG)": the body's state.
                for acronym in re.findall(r"\b[A-Z]{2,6}\b", own):
                    spelled = self.full_org_name(acronym)
                    if spelled != acronym and (country := classify(spelled)[1]) is not None:
                        break
            if country is None and own:
                # "Emergencies Minister", the text elsewhere "the Armenian Emergencies Ministry";
                # "commander of the Viru regiment", elsewhere "Estonia's Viru regiment".
                led = re.search(r"\b(?:of|at)\s+(?:the\s+)?([A-Z][^,;]*)$", own)
                portfolio = re.fullmatch(r"([A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)\s+Minister", own)
                body = led.group(1) if led else f"{portfolio.group(1)} Ministry" if portfolio else None
                country = self._state_of_body(body) if body else None
        else:
            role = None
            name = _strip_article(name) if name[:4].lower() == "the " else name  # GUIDE §3: no leading "the"
            if kind == "country" and country:
                name = self.full_state_name(name, country)
            named_as = body_and_state(name)
            if named_as and not re.search(r"\bof\b", name):
                # "US Government", later "the Government of the United States of America": the fullest name.
                body = named_as[0]
                words = r"[A-Z][\w’'\-]*(?:\s+(?:of\s+)?(?:the\s+)?[A-Z][\w’'\-]*)*"  # "Republic of Chile"
                pattern = rf"(?i:{re.escape(body)})\s+of\s+(?:the\s+)?{words}"
                longer = [m.group(0).strip() for m in re.finditer(pattern, self.text)
                          if body_and_state(m.group(0).strip()) == named_as]
                if not longer and body == body.lower():
                    # "Ukrainian border guards", elsewhere "the State Border Guard Service of Ukraine": a
                    # body told in lowercase words is the one the text names with them capitalized.
                    capitalized = r"\s+".join(
                        re.escape(w[:1].upper() + w[1:]) for w in re.sub(r"s$", "", body).split()
                    )
                    pattern = (rf"(?:(?!The\b)[A-Z][\w’'\-]*\s+)*{capitalized}\w*(?:\s+[A-Z][\w’'\-]*)*"
                               rf"\s+of\s+(?:the\s+)?{words}")
                    longer = [m.group(0).strip() for m in re.finditer(pattern, self.text)
                              if (found := body_and_state(m.group(0).strip())) and found[1] == named_as[1]]
                if longer:
                    name = max(longer, key=len)
            if kind != "country" and name.split()[0] not in ship_prefixes():  # a ship's name is whole
                fuller = self.full_org_name(name)
                if fuller != name:  # the fuller name may say more: "GOU" -> "Government of the Republic of X"
                    name = fuller
                    fuller_kind, fuller_country = classify(name)
                    kind = fuller_kind if kind == "other" else kind
                    country = country or fuller_country
            if country is None and kind in _STATE_BODIES:
                country = self._state_of_body(name)
        return Actor.model_validate({"name": name, "kind": kind, "country": country, "role": role})

    def _ship_named(self, name: str) -> str | None:
        """When the text introduces `name` with a vessel noun, alone or in a list of names after one
        ("the corvette Alvarez", "minesweepers Ruiz, Cano and Vega", "the frigate “Alvarez”"), the
        ship's state as the two words right before the noun give it ("the Peruvian frigate", "Chile's
        corvettes", "the Russian border ship"), "" when they give none; None when `name` is no ship's."""
        marks = "[“”\"«»]?"
        listed = rf"(?:{marks}[A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*)*{marks}\s*(?:,\s*(?:and\s+)?|\s+and\s+))*"
        pattern = rf"(?i:\b(?:{_vessel_nouns()}))\s+{listed}{marks}{re.escape(name)}(?![\w’'\-])"
        match = re.search(pattern, self.text)
        if match is None:
            return None
        # The two words before the noun: "the Russian border ship X", "Chile's corvette X".
        owner = re.search(r"(?:[\w’'\-]+\s+){1,2}$", self.text[max(0, match.start() - 80) : match.start()])
        return (country_in(owner.group(0)) or "") if owner else ""

    def _state_of_body(self, name: str) -> str | None:
        """'the Interior Ministry said', where the text names it once in full as 'the Moldovan Interior
        Ministry' or 'the Interior Ministry (MAI) of Moldova': news gives a body's state at its first
        mention and drops it after. None when the text gives the name with two states."""
        states = set()
        for match in re.finditer(rf"(?<![\w’'-]){re.escape(name)}(?![\w’'-])", self.text):
            before = re.search(rf"({_NAME_TOKEN})\s+$", self.text[: match.start()])
            if before and (state := classify(f"{without_possessive(before.group(1))} {name}")[1]):
                states.add(state)
            after = re.match(rf"(?:\s+\([^()]*\))?\s+of\s+(?:the\s+)?({_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,3}})",
                             self.text[match.end() :])
            if after and (state := country_of_name(after.group(1))):
                states.add(state)
        return states.pop() if len(states) == 1 else None


# Kinds of actor that belong to one state: a ministry, a border service, an army unit.
_STATE_BODIES = ("government_body", "security_service", "military_unit")

_TITLE_ALTERNATIVES = "|".join(
    re.escape(w) for w in sorted(
        # "Member of Parliament", "Prime Minister": each word of a title capitalized, its "of" not.
        {" ".join(p if p == "of" else p.capitalize() for p in w.split()) for w in (*TITLE_WORDS, *RANK_WORDS)}
        | {w for w in TITLE_WORDS if " " not in w},
        key=len, reverse=True,
    )
)
_TITLED_PERSON = re.compile(
    rf"^(?:(?:{_CAPITAL}[\w’'.\-]*|{_LOWER_TITLES})\s+)*?(?:{_TITLE_ALTERNATIVES})\.?\s+"
    # "US Ambassador to Tarvia Ana Ruiz": where an envoy is sent is part of the title.
    rf"(?:to\s+(?:the\s+)?{_CAPITAL}[\w’'\-]+(?:\s+{_CAPITAL}[\w’'\-]+)?\s+)?"
    rf"(?P<name>{_CAPITAL}[\w’'\-]+(?:\s+{_CAPITAL}[\w’'\-]+){{1,2}}(?:\s+[a-z]{{1,3}}-{_CAPITAL}[\w’'\-]+)?)$"
)


# Words that open a clause, and day words that follow a subject, but are never part of a name:
# "But Ambassador Lee said", "The Navy Tuesday handed over", "Meanwhile, Georgia".
_CLAUSE_OPENERS = r"(?:But|And|Or|Yet|So|Meanwhile|However|Also|Then|Later|Now|Still|According to)"
_DAY_WORDS = rf"(?:{'|'.join(_WEEKDAYS)}|today|yesterday|tomorrow)"


def body_and_state(name: str) -> tuple[str, str] | None:
    """(body, state code) of a body named with its state before or after it: "BiH Armed Forces",
    "the Armed Forces of BiH" and "Chile's Navy" name one body of one state each."""
    bare = re.sub(r"^the\s+", "", " ".join(name.split()), flags=re.IGNORECASE)
    for after in re.finditer(r"\s+of\s+", bare):  # "Ministry of Defence of the Republic of Chile"
        code = country_of_name(bare[after.end() :])
        if code:
            return bare[: after.start()].lower(), code
    words = bare.split()
    if len(words) >= 2:
        state = without_possessive(words[0])
        code = country_of_name(state) or demonym_country(state)
        if code:
            return " ".join(words[1:]).lower(), code
    return None


def trim_name(name: str) -> str:
    """A name without a clause opener before it or a day word after it; still a span of the text."""
    trimmed = re.sub(rf"^{_CLAUSE_OPENERS}\b[,\s]+", "", name)
    trimmed = re.sub(rf"(?:\s+(?:on|last|this|next))?\s+{_DAY_WORDS}$", "", trimmed)
    # "On Wednesday Kazakhstan’s Defense Ministry and ...": the day that opened the sentence, when
    # what follows is a state, a title or a person ("Monday Group" stays a name).
    day = re.match(rf"(?:[Oo]n\s+)?{_DAY_WORDS}\s+(?=\S)", trimmed)
    if day:
        rest = trimmed[day.end() :]
        first = rest.split()[0]
        if is_country_word(without_possessive(first)) or first.lower().strip(".") in TITLE_WORDS or (
            looks_like_person(rest)
        ):
            trimmed = rest
    return trimmed if trimmed.strip() else name


def person_without_title(phrase: str) -> str:
    """'Latvian Defense Minister Andris Kalniņš' -> 'Andris Kalniņš', 'Colonel-General Ivan Petrov' ->
    'Ivan Petrov' (the title is the role)."""
    match = _TITLED_PERSON.match(phrase)
    if match:
        name = match.group("name")
        words = name.split()
        # "Deputy Defence Minister Dorj": the title may run on into what the pattern took as the name.
        while len(words) > 1 and (words[0].lower() in TITLE_WORDS or words[0].lower() in title_endings()):
            words = words[1:]
        name = " ".join(words)
        # "Brig. Gen Roland X": the title may run on into the name's first words.
        return person_without_title(name) if _is_rank(name.split()[0]) and len(name.split()) > 2 else name
    words = phrase.split()
    # Titles joined by hyphens or abbreviated ("Secretary-General", "Lt.", "Brig.") before a name; the
    # last word of a long title the name was read with ("Minister of Interior Ana Ruiz" -> "Interior
    # Ana Ruiz", "Deputy Chief of Mission Ana Ruiz" -> "Mission Ana Ruiz") is no word of the name.
    # "Chief-of-Staff Ana Ruiz": a hyphenated title may hold its joining words.
    while len(words) > 1 and (all(
        part.lower().rstrip(".") in TITLE_WORDS or part.lower() in _RANK_ABBREVIATIONS or part.lower() in RANK_WORDS
        or ("-" in words[0] and (part.lower() in ("of", "the", "in") or part.lower() in title_endings()))
        for part in re.split(r"-", words[0]) if part
    ) or (_without_elision(words[0].lower()) in title_endings() and len(words) > 2
          and looks_like_person(" ".join(words[1:])))):
        words = words[1:]
    return " ".join(words) if len(words) < len(phrase.split()) else phrase


def _without_elision(word: str) -> str:
    """'d’affaires' -> 'affaires': the French elision of "Chargé d’Affaires" is no part of the word."""
    return re.sub(r"^[dl][’']", "", word)


# Capitalized words that follow a name without continuing it: the start of the next clause or a date.
_NOT_NAME_CONTINUATIONS = {
    "On", "In", "At", "The", "This", "But", "And", "As", *_WEEKDAYS, *(m for m in calendar.month_name if m),
}
# How a person is addressed before the name, in a title or set off after it: "Minister X, Mr. A B".
_FORMS_OF_ADDRESS = {
    "mr", "mr.", "ms", "ms.", "mrs", "mrs.", "dr", "dr.", "h.e.", "sir", "madam", "honourable", "honorable",
}
# No part of a name: the forms of address, and royal and courtesy titles (GUIDE, annotations r214-r261).
_HONORIFICS = _FORMS_OF_ADDRESS | {
    "excellency", "prince", "princess", "emir", "king", "queen", "sultan", "hon", "hon.",
}
# "Mr", "Dr", ... as written before a name (an optional full stop follows in the patterns that use it).
_ADDRESS_ALTERNATION = "|".join(
    sorted({w.rstrip(".").capitalize() for w in _FORMS_OF_ADDRESS if w.rstrip(".").isalpha()})
)
_RANK_ABBREVIATIONS = _HONORIFICS | {
    "gen", "gen.", "brig", "brig.", "lt", "lt.", "maj", "maj.", "col", "col.", "capt", "capt.",
    "adm", "adm.", "cmdr", "cmdr.", "sgt", "sgt.", "amb", "amb.", "rear", "vice", "first",
}


def opens_long_title(text: str, at: int) -> bool:
    """A title written in several words starts at `at`: "Member of Parliament", "Prime Minister"."""
    match = _TITLE_RE.match(text, at)
    return match is not None and " " in match.group(0)


def _in_title_case_line(text: str, at: int) -> bool:
    """The line at `at` capitalizes every word, as a headline in title case does: no name runs on there."""
    start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
    words = [w for w in text[start : end if end >= 0 else len(text)].split() if w[:1].isalpha()]
    return len(words) >= 5 and all(w[:1].isupper() for w in words)


def _is_title_word(word: str) -> bool:
    """A title, or titles in the plural before two names ("Ministers A and B", "Presidents A and B")."""
    lower = word.lower()
    return lower in TITLE_WORDS or (lower.endswith("s") and lower[:-1] in TITLE_WORDS)


def is_title_or_rank(word: str) -> bool:
    """'Minister', 'Ministers', 'Gen.', 'Colonel-General': a word of a title, never of a name."""
    return _is_title_word(word.rstrip(".")) or _is_rank(word)


def is_honorific(word: str) -> bool:
    """'Mr.', 'Dr', 'H.E.', 'Excellency': a form of address before a name."""
    return word.lower() in _HONORIFICS


def _is_rank(word: str) -> bool:
    """'General', 'Lt.', 'Colonel-General'; a bare hyphen (spaCy's token inside "Secretary-General") is none."""
    parts = [part.lower() for part in word.split("-") if part]
    return bool(parts) and all(part in RANK_WORDS or part.rstrip(".") in RANK_WORDS for part in parts)


def _names_a_position(role: str) -> bool:
    """Whether a title names a post ("Commander", "Minister"), not only a rank or a body."""
    return any(_TITLE_RE.fullmatch(word) and not _is_rank(word) for word in role.split())


def _without_trailing_ranks(role: str) -> str:
    """'Commander of the X District Colonel General' -> 'Commander of the X District'; a post that ends
    in a rank word ("Consul General", "Attorney General") stays whole."""
    words = role.split()
    while len(words) > 1 and _is_rank(words[-1]) and not (
        words[-1].lower() == "general" and words[-2].lower() in general_posts()
    ):
        del words[-1]
    return " ".join(words)


def _runs_on(parsed: str, worded: str) -> bool:
    """Whether the wording's title is the parser's with more of the same title, which the parser cut
    off: the rest of a body's name or an envoy's posting after it ("Chief of the X | Joint Staff",
    "Ambassador of X | to Y"), or the body before it, named with its acronym ("X Coastal Command (XCC)
    | Commander") or read by the parser as a body and a rank ("Commander of X's | Central Military
    District Colonel General")."""
    if len(worded) <= len(parsed) or not _names_a_position(worded):
        return False
    if worded.startswith(parsed):
        # Capitalized words, joined by "of/to/for/in/and" at most; another title word after the title
        # is the person's rank or form of address ("X Coast Guard Spokesperson | Commander").
        tail = worded[len(parsed) :]
        return re.fullmatch(r"(?:\s+(?:(?:of|to|for|in|and)\s+)?(?:the\s+)?[A-Z][\w’'.\-]*)+", tail) is not None and (
            not any(_TITLE_RE.fullmatch(word) or _is_rank(word) for word in tail.split())
        )
    # Capitalized words before a title are as often a headline's or a dateline's (a weekday, a
    # state's name before its demonym): only a body's acronym, or a parse that left no post, says
    # they are the title's.
    return worded.endswith(parsed) and ("(" in worded[: -len(parsed)] or not _names_a_position(parsed))


def _position_before_its_rank(words: list[Any]) -> list[Any]:
    """'District Commander Colonel-General' before a name: the position, without the rank after it
    (GUIDE §3); the words as they are when no position comes before the rank ("Army General")."""
    kept = list(words)
    while len(kept) > 1:
        # spaCy splits a hyphenated word ("Colonel-General", "Secretary-General"): the last word is
        # all the tokens the hyphens join, and it is a rank only if each part is one.
        first = len(kept) - 1
        while first >= 2 and kept[first - 1].text == "-" and not (
            kept[first - 2].whitespace_ or kept[first - 1].whitespace_
        ):
            first -= 2
        if first == 0 or not _is_rank("".join(t.text for t in kept[first:])):
            break
        if kept[first].lower_ == "general" and kept[first - 1].lower_ in general_posts():
            break  # "Consul General": one post, no rank after it
        del kept[first:]
    # "Navy spokesperson Commander", "Deputy Defence Minister Prince": after a post noun another title
    # word is the person's rank or form of address, not a second post.
    while len(kept) > 1 and kept[-2].lower_ in post_nouns() and (
        _TITLE_RE.fullmatch(kept[-1].text) or kept[-1].lower_ in _HONORIFICS
    ):
        del kept[-1]
    has_position = any(_TITLE_RE.fullmatch(t.text) and not _is_rank(t.text) for t in kept)
    return kept if has_position else words


def _end_before_occasion(head: Any) -> int:
    """The last token of an apposition, without an occasion after the title: 'UN Resident
    Representative at the project's launch ceremony' ends at 'Representative' (an 'at' phrase
    naming a thing, not a body: 'professor at Kyiv University' keeps it), nor a clause saying what
    the person does."""
    end = head.right_edge.i
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ == "at" and child.i > head.i:
            objects = [o for o in child.children if o.dep_ == "pobj"]
            if objects and objects[0].pos_ == "NOUN" and objects[0].ent_type_ == "":
                end = min(end, child.i - 1)
    # "commander of the regiment leading the exercise": what the person does is no part of the title.
    for token in head.subtree:
        if token.i > head.i and token.dep_ in ("acl", "relcl") and token.pos_ in ("VERB", "AUX"):
            end = min(end, token.left_edge.i - 1)
        # "commanding officer of USS X, one of the ships in the drill": an apposition that describes
        # what the title names is no part of the title.
        if token.i > head.i and token.dep_ == "appos" and token.pos_ in ("NUM", "NOUN", "PRON") and (
            token.left_edge.i > 0 and token.doc[token.left_edge.i - 1].text == ","
        ):
            end = min(end, token.left_edge.i - 2)
    return end


_POSITION_JOINS = {"of", "the", "for", "and", "on", "in", "–", "-", "—"}


def _position_before_rank(rank: Any) -> str | None:
    """'Chief of Staff of the Navy, Captain 2nd Rank X': a position written before the
    comma that opens the rank and name, however the parser hung them (news from the former Soviet
    states writes every official so). The position is a run of capitalized words and joining words
    back from that comma to the sentence's start, a comma, or an 'and' before a capital (another person)."""
    doc = rank.doc
    comma = rank.i - 1
    if comma < 1 or doc[comma].text != ",":
        return None
    start = comma
    while start - 1 >= rank.sent.start:
        token = doc[start - 1]
        if token.text in (",", ";", ":") or "\n" in token.text:
            break
        if token.lower_ == "and" and start < comma and doc[start].text[:1].isupper():
            break  # "... and Chief of Staff of the Navy, Captain X": the second person's position
        if not (token.text[:1].isupper() or token.lower_ in _POSITION_JOINS):
            break
        start -= 1
    words = doc[start:comma]
    while len(words) and words[0].lower_ in _POSITION_JOINS:
        words = words[1:]
    if not len(words) or len(words) > 20 or not _TITLE_RE.search(words.text):
        return None
    if all(_is_rank(t.text) for t in words) or not words[0].text[:1].isupper():
        return None
    return words.text


def _function_named_before(head: Any) -> str | None:
    """'the Navy's deputy commander for operations, Admiral X', 'head of the press service of the
    Southern Fleet, Colonel X': the position the name stands in apposition to, whose title noun may
    be some "of" phrases above the word the parser hung the name on."""
    if head.dep_ != "appos":
        return None
    noun = head.head
    for _ in range(4):
        if noun.pos_ == "NOUN" and _TITLE_RE.fullmatch(noun.text):
            break
        if noun.dep_ == "pobj" and noun.head.dep_ == "prep":
            noun = noun.head.head
            continue
        return None
    else:
        return None
    doc = head.doc
    tokens = [t for t in noun.subtree if t.i < head.left_edge.i]
    while tokens and tokens[-1].is_punct:
        tokens = tokens[:-1]
    tokens = _position_before_its_rank(tokens) if tokens else tokens
    while tokens and tokens[-1].is_punct:
        tokens = tokens[:-1]
    if not tokens or len(tokens) > 20:
        return None
    return _strip_article(doc[tokens[0].i : tokens[-1].i + 1].text)


def _state_after_description(name: str) -> str:
    """'NATO country Latvia', 'fellow member Estonia' -> the state: words that describe a state
    before its name are not part of it ("Government of Latvia" keeps its name)."""
    words = name.split()
    for i in range(1, len(words)):
        before = words[i - 1]
        if before.islower() and before not in _POSITION_JOINS and country_of_name(" ".join(words[i:])):
            return " ".join(words[i:])
    return name


def _strip_article(text: str) -> str:
    return re.sub(r"^(the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE)


def looks_like_person(name: str) -> bool:
    if is_country_word(name) or name.upper() == name:
        return False
    if any(re.search(pattern, name, re.IGNORECASE) for pattern, _ in _KIND_KEYWORDS):
        return False
    return bool(_PERSON_RE.match(name)) and not country_in(name)


def classify(name: str) -> tuple[str, str | None]:
    """(kind, ISO country) of an actor name, by table and keyword."""
    bare = re.sub(r"^(the)\s+", "", name.strip(), flags=re.IGNORECASE)
    named = country_of_name(bare) or country_of_name(re.sub(r"^(?:the\s+)?Government\s+of\s+", "", bare))
    if named:
        return "country", named  # GUIDE §10: "Government of <State>" is the state
    if governing := re.fullmatch(r"(.+?)\s+government", bare, flags=re.IGNORECASE):
        owner = without_possessive(governing.group(1))
        if state := country_of_name(owner) or demonym_country(owner):
            return "country", state  # ... and so is "the Danish government", "the US Government"
    body = seat(bare)
    if body:
        return body
    if len(bare.split()) > 1 and bare.split()[-1].lower() in post_nouns():
        # "State Department spokesman", "Serbian Defense Minister": a title without its name is a person.
        return "person", country_in(bare)
    prefix, _, ship = bare.partition(" ")
    if prefix in ship_prefixes() and ship[:1].isupper():  # "HMAS Albany": a ship of that state's navy
        return ship_prefixes()[prefix]
    for acronym, (kind, country) in acronyms().items():
        if re.search(rf"\b{acronym}\b", bare):
            return kind, country or country_in(bare)
    country = country_in(bare)
    for pattern, kind in _KIND_KEYWORDS:
        if re.search(pattern, bare, re.IGNORECASE):
            return kind, country
    if looks_like_person(bare):
        return "person", None
    if demonym_country(bare):  # a bare demonym used as a party: "the Kazakh side"
        return "country", demonym_country(bare)
    return "other", country
