"""Countries as news names them: every state pycountry knows, plus the short names, demonyms and
seats of power in `prompts/lexicon/places.toml` ("Russia", "Kazakh", "the Kremlin").

Only ISO codes come out of here; names always stay as the text writes them.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pycountry

LEXICON = Path(__file__).resolve().parents[2] / "prompts" / "lexicon" / "places.toml"


@dataclass(frozen=True)
class Places:
    names: dict[str, str]  # a state's own name -> alpha-2: "Russia", "Russian Federation", "Mexico"
    demonyms: dict[str, str]  # "Russian", "Kazakh" -> alpha-2
    seats: dict[str, tuple[str, str]]  # "Kremlin" -> (kind, alpha-2)
    pattern: re.Pattern[str]  # any name or demonym as a whole word, longest first


@functools.lru_cache(maxsize=1)
def places() -> Places:
    data = tomllib.loads(LEXICON.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names[value] = country.alpha_2
                # "Iran, Islamic Republic of" is also written "Iran".
                names.setdefault(value.split(",")[0], country.alpha_2)
                # "Saint Lucia" is as often "St. Lucia" or "St Lucia".
                if value.startswith("Saint "):
                    for short in ("St. ", "St "):
                        names.setdefault(short + value.removeprefix("Saint "), country.alpha_2)
    names.update(data["names"])
    demonyms = dict(data["demonyms"])
    seats = {name: (kind, code) for name, (kind, code) in data["seats"].items()}
    every = sorted({*names, *demonyms}, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in every) + r")(?:’s|'s)?(?![\w])")
    return Places(names, demonyms, seats, pattern)


_FORM_OF_STATE = r"^(?:Republic|Kingdom|State|Federation|Sultanate|Principality|Commonwealth) of (?:the )?"


def country_of_name(name: str) -> str | None:
    """The code when `name` is itself a state's name ("Mexico", "the Russian Federation"), else None."""
    bare = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    found = places().names.get(bare)
    if found is None:
        # "Republic of Turkey" where the tables know "Turkey" and "Republic of Türkiye": a state's
        # form of government before its short name is still the state.
        short = re.sub(_FORM_OF_STATE, "", bare)
        found = places().names.get(short) if short != bare else None
    return found


def demonym_country(word: str) -> str | None:
    return places().demonyms.get(word)


def is_country_word(word: str) -> bool:
    """A state's name or demonym: "Russia", "Russian"."""
    table = places()
    return word in table.names or word in table.demonyms


def seat(name: str) -> tuple[str, str] | None:
    """(kind, code) of a body named by its seat: "the Kremlin" -> government_body, RU."""
    bare = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    return places().seats.get(bare)


def country_in(text: str) -> str | None:
    """The first state named or implied (by a demonym) in `text`, longest name first."""
    match = places().pattern.search(text)
    if match is None:
        return None
    found = match.group(1)
    table = places()
    return table.names.get(found) or table.demonyms.get(found)


# What may stand between the two halves of a state's name that holds "and": "Trinidad and Tobago",
# "St. Vincent and the Grenadines" (the parser may keep the "and" on the first half).
_JOINING_GAP = re.compile(r"\s+(?:and\s+)?(?:the\s+)?")


def joined_state(text: str, first: tuple[int, int], second: tuple[int, int]) -> str | None:
    """The state's name that two names of a list make together, joined by the "and" between them
    ("Trinidad" and "Tobago" in "Trinidad and Tobago"), else None. Spans are (start, end) in `text`."""
    if not first[1] <= second[0] or not _JOINING_GAP.fullmatch(text, first[1], second[0]):
        return None
    whole = text[first[0] : second[1]]
    return whole if re.search(r"\sand\s", whole) and country_of_name(whole) else None


def join_state_names(names: list[str], text: str) -> list[str]:
    """A list of names read from `text`, with two that are one state's name made one again
    (["Antigua", "Barbuda", "Peru"] -> ["Antigua and Barbuda", "Peru"])."""
    joined: list[str] = []
    for name in names:
        if joined:
            pair = re.search(rf"({re.escape(joined[-1])}){_JOINING_GAP.pattern}({re.escape(name)})", text)
            whole = pair and joined_state(text, pair.span(1), pair.span(2))
            if whole:
                joined[-1] = whole
                continue
        joined.append(name)
    return joined


def join_state_spans(names: list[tuple[str, int, int]], text: str) -> list[tuple[str, int, int]]:
    """Names with their (start, end) in `text`, in text order, with two that are one state's name made
    one again: ("Bosnia", a, b), ("Herzegovina", c, d) -> ("Bosnia and Herzegovina", a, d)."""
    joined: list[tuple[str, int, int]] = []
    for name, start, end in names:
        if joined:
            _, first_start, first_end = joined[-1]
            whole = joined_state(text, (first_start, first_end), (start, end))
            if whole:
                joined[-1] = (whole, first_start, end)
                continue
        joined.append((name, start, end))
    return joined


def through_and_state(text: str, end: int) -> int:
    """Where a name ending at `end` of `text` ends when its last word begins a state's name that holds
    "and": the parser reads "the Border Police of Bosnia and Herzegovina" as two conjoined names."""
    for state in and_state_names():
        first, rest = state.split(" and ", 1)
        if text.endswith(first, 0, end) and text.startswith(f" and {rest}", end):
            return end + len(f" and {rest}")
    return end


@functools.lru_cache(maxsize=1)
def and_state_names() -> tuple[str, ...]:
    """States whose name holds "and" ("Bosnia and Herzegovina", "Trinidad and Tobago"), as the tables name them."""
    return tuple(name for name in places().names if " and " in name)
