"""Dates and money: found and normalized by rule from grounded text, never by the model."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from schemas import DateRef, Money

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
# A year as news writes one: "1999", "2031".
YEAR = r"(?:19|20)\d{2}"
_DASH = r"\s*[-–—]\s*"
# "27 February this year", "August last year". Not "next year": news says it of what may happen,
# rarely of an event's date.
_YEAR_WORDS = r"(?:\s+(?P<ry>[Tt]his|[Ll]ast)\s+year)"
_YEAR_OFFSETS = {"this": 0, "last": -1}

# Most specific first: the finder keeps the first pattern that matches at a position.
_WEEKDAY = rf"(?:{'|'.join(calendar.day_name)}),?\s+"
_DATE_PATTERNS = [
    # Sunday, June 5 / Tuesday 5 June 2018: the weekday only names the day the date gives
    rf"\b{_WEEKDAY}(?P<m>{_MONTH})\s+(?P<d1>{_DAY})(?:,?\s+(?P<y>{YEAR}))?\b",
    rf"\b{_WEEKDAY}(?P<d1>{_DAY})\s+(?P<m>{_MONTH})(?:,?\s+(?P<y>{YEAR}))?\b",
    # May 15-17, 2006 / May 15-17 / June 15 to 16
    rf"(?P<m>{_MONTH})\s+(?P<d1>{_DAY})(?:{_DASH}|\s+(?:to|and|through)\s+)(?P<d2>{_DAY})(?:,?\s+(?P<y>{YEAR}))?\b",
    # May 30 - June 2
    rf"(?P<m>{_MONTH})\s+(?P<d1>{_DAY})(?:{_DASH}|\s+(?:to|and|through|until)\s+)(?P<m2>{_MONTH})\s+(?P<d2>{_DAY})"
    rf"(?:,?\s+(?P<y>{YEAR}))?\b",
    # May 18, 2006 / May 18 / May 18 last year
    rf"(?P<m>{_MONTH})\s+(?P<d1>{_DAY})(?:,?\s+(?P<y>{YEAR})|{_YEAR_WORDS})?\b",
    # 30 May - 2 June 2006 / from 28 May to 3 June
    rf"\b(?P<d1>{_DAY})\s+(?P<m>{_MONTH})(?:{_DASH}|\s+(?:to|and|through|until)\s+)(?P<d2>{_DAY})\s+(?P<m2>{_MONTH})"
    rf"(?:,?\s+(?P<y>{YEAR}))?\b",
    # 15-17 May 2006 / from 5 to 9 June / between 5 and 9 June / 18 May / 27 February this year
    rf"\b(?P<d1>{_DAY})(?:(?:{_DASH}|\s+(?:to|and|through)\s+)(?P<d2>{_DAY}))?\s+(?P<m>{_MONTH})"
    rf"(?:,?\s+(?P<y>{YEAR})|{_YEAR_WORDS})?\b",
    # June-July 2015 / June to July: a span of months
    rf"\b(?P<m>{_MONTH})(?:{_DASH}|\s+(?:to|through|until)\s+)(?P<m2>{_MONTH})(?:,?\s+(?P<y>{YEAR}))?\b",
    # this October / last May / in October 2006 / October 2006 / August last year
    rf"\b(?:(?P<rel>this|last|next|early|late|mid-?)\s*)?(?P<m>{_MONTH})(?:\s+(?P<y>{YEAR})|{_YEAR_WORDS})?\b",
    # the second half of 2013: six months
    rf"\b(?P<half>first|second)\s+half\s+of\s+(?P<y>{YEAR})\b",
    # 2006 / in 2004
    rf"\b(?P<y>{YEAR})\b",
    # last year / this year, against the document's own year
    r"\b(?P<ry>[Tt]his|[Ll]ast)\s+year\b",
    # Tuesday / yesterday: resolved against the document's own date when it is known to the day
    rf"\b(?P<wd>{'|'.join(calendar.day_name)}|[Yy]esterday|[Tt]oday)\b",
    # this week / last week / next week: that calendar week, Monday to Sunday, against the document's date
    r"\b(?P<wk>[Tt]his|[Ll]ast|[Nn]ext)\s+week\b",
]
_ISO_DATE = re.compile(rf"\b(?P<y>{YEAR})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b")
_WEEKDAYS = [day.lower() for day in calendar.day_name]
_DATE_RES = [re.compile(p) for p in _DATE_PATTERNS]
_MONTH_ALONE = next(p for p in _DATE_RES if "(?P<rel>" in p.pattern)  # "may" may be the modal verb


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    text: str


def is_year(word: str) -> bool:
    """'2031' is a year; '2,031' and '12031' are not."""
    return re.fullmatch(YEAR, word) is not None


def find_dates(text: str) -> list[Found]:
    """Date expressions in `text`, longest match first at each position, non-overlapping."""
    taken: list[Found] = []
    for pattern in _DATE_RES:
        for match in pattern.finditer(text):
            month = match.groupdict().get("m")
            is_bare_may = month is not None and month.lower().rstrip(".") == "may"
            if pattern is _MONTH_ALONE and is_bare_may and not (match.group("y") or match.group("rel")):
                continue  # the modal verb "may", unless a year or "this/last" says it is the month
            if any(f.start < match.end() and match.start() < f.end for f in taken):
                continue
            taken.append(Found(match.start(), match.end(), match.group()))
    return sorted(taken, key=lambda f: f.start)


def normalize_date(text: str, doc_date: str | None) -> DateRef:
    """A DateRef for a verbatim date expression, its year taken from `doc_date` when the text has none."""
    for pattern in _DATE_RES:
        match = pattern.search(text)
        if match:
            return _date_from_match(text, match, doc_date)
    return DateRef(text=text, precision="unknown")


def _date_from_match(text: str, match: re.Match[str], doc_date: str | None) -> DateRef:
    groups = {k: v for k, v in match.groupdict().items() if v}
    if "wd" in groups:
        return _relative_day(text, groups["wd"].lower(), doc_date)
    if "wk" in groups:
        return _relative_week(text, groups["wk"].lower(), doc_date)
    year = groups.get("y") or (doc_date[:4] if doc_date else None)
    if "ry" in groups:  # "last year": the document's year, moved; unknown without it
        year = str(int(doc_date[:4]) + _YEAR_OFFSETS[groups["ry"].lower()]) if doc_date else None
    if "half" in groups and year:
        first, last = ("01", "06") if groups["half"] == "first" else ("07", "12")
        return DateRef(text=text, start=f"{year}-{first}", end=f"{year}-{last}", precision="month")
    if "m" not in groups:
        return DateRef(text=text, start=year, end=year, precision="year" if year else "unknown")
    month = MONTHS[groups["m"].lower().rstrip(".")]
    if year is None:
        return DateRef(text=text, precision="unknown")
    if "d1" not in groups:
        value = f"{year}-{month:02d}"
        end_value = f"{year}-{MONTHS[groups['m2'].lower().rstrip('.')]:02d}" if "m2" in groups else value
        if end_value < value:
            return DateRef(text=text, precision="unknown")
        return DateRef(text=text, start=value, end=end_value, precision="month")
    end_month = MONTHS[groups["m2"].lower().rstrip(".")] if "m2" in groups else month
    day1 = int(re.sub(r"\D", "", groups["d1"]))
    day2 = int(re.sub(r"\D", "", groups["d2"])) if "d2" in groups else day1
    try:
        start = f"{year}-{month:02d}-{day1:02d}"
        end = f"{year}-{end_month:02d}-{day2:02d}"
        calendar.weekday(int(year), month, day1)
        calendar.weekday(int(year), end_month, day2)
    except ValueError:
        return DateRef(text=text, precision="unknown")
    if end < start:
        return DateRef(text=text, precision="unknown")
    return DateRef(text=text, start=start, end=end, precision="day")


def _relative_day(text: str, word: str, doc_date: str | None) -> DateRef:
    """'Tuesday' is the last Tuesday on or before the document's date; 'yesterday' the day before it.
    Without a document date known to the day, the words are kept and the date is unknown."""
    if not doc_date or len(doc_date) != 10:
        return DateRef(text=text, precision="unknown")
    try:
        day = dt.date.fromisoformat(doc_date)
        word = word.lower()
        if word == "yesterday":
            day -= dt.timedelta(days=1)
        elif word != "today":
            day -= dt.timedelta(days=(day.weekday() - _WEEKDAYS.index(word)) % 7)
    except (ValueError, OverflowError):
        # A day before 0001-01-01 ("yesterday" in a document dated 0001-01-01) is no date: the words are kept.
        return DateRef(text=text, precision="unknown")
    return DateRef(text=text, start=day.isoformat(), end=day.isoformat(), precision="day")


def _relative_week(text: str, word: str, doc_date: str | None) -> DateRef:
    """'this week' is the calendar week (Monday to Sunday) of the document's date, 'last week' the one
    before, 'next week' the one after (GUIDE); unknown without a document date known to the day."""
    if not doc_date or len(doc_date) != 10:
        return DateRef(text=text, precision="unknown")
    try:
        day = dt.date.fromisoformat(doc_date)
        monday = day - dt.timedelta(days=day.weekday()) + dt.timedelta(weeks={"last": -1, "this": 0, "next": 1}[word])
        sunday = monday + dt.timedelta(days=6)
    except (ValueError, OverflowError):
        return DateRef(text=text, precision="unknown")
    return DateRef(text=text, start=monday.isoformat(), end=sunday.isoformat(), precision="day")


def full_date(text: str) -> str | None:
    """The first date in `text` that names its year, as ISO 8601 ('3 June 2019' -> 2019-06-03,
    '2019-10-29', 'March 2021' -> 2021-03): what a date line or a dateline gives as the document's date."""
    iso = _ISO_DATE.search(text)
    found = [(iso.start(), iso.group())] if iso else []
    for date in find_dates(text):
        ref = normalize_date(date.text, None)
        if ref.start and ref.precision in ("day", "month") and re.search(YEAR, date.text):
            found.append((date.start, ref.start))
    return min(found)[1] if found else None


_CURRENCY_SYMBOLS = {
    "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₽": "RUB", "₸": "KZT", "C$": "CAD", "A$": "AUD", "US$": "USD",
}
_CURRENCY_WORDS = {
    "dollar": "USD", "usd": "USD", "euro": "EUR", "eur": "EUR", "pound": "GBP", "sterling": "GBP", "gbp": "GBP",
    "ruble": "RUB", "rouble": "RUB", "rub": "RUB", "tenge": "KZT", "kzt": "KZT", "yen": "JPY", "yuan": "CNY",
    "won": "KRW", "manat": "AZN", "lari": "GEL", "som": "KGS", "hryvnia": "UAH", "lira": "TRY", "zloty": "PLN",
}
# ISO 4217 codes written before an amount: "NOK 12 million", "EUR 3m".
_ISO_CODES = (
    "USD|EUR|GBP|NOK|SEK|DKK|CHF|RUB|KZT|CNY|JPY|TRY|UAH|GEL|AZN|KGS|TJS|UZS|AMD|PLN|CZK|KRW|INR|CAD|AUD"
)
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9}
_HEDGES = r"(?:around|about|approximately|nearly|almost|some|roughly|up to|over|more than|less than|an estimated)"
_CURRENCY_WORD_RE = "|".join(sorted(_CURRENCY_WORDS, key=len, reverse=True))
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_RE = r"thousand|million|billion|mln|bn|[mkb]\b"
_MONEY_RES = [
    re.compile(
        rf"(?:(?P<hedge>{_HEDGES})\s+)?(?P<sym>US\$|C\$|A\$|[$€£¥₽₸])\s?(?P<num>{_NUMBER})\s*(?P<scale>{_SCALE_RE})?",
        re.IGNORECASE,
    ),
    re.compile(
        rf"(?:(?P<hedge>{_HEDGES})\s+)?(?P<sym>{_ISO_CODES})\s?(?P<num>{_NUMBER})\s*(?P<scale>{_SCALE_RE})?\b",
    ),
    re.compile(
        rf"(?:(?P<hedge>{_HEDGES})\s+)?(?P<num>{_NUMBER})\s*(?P<scale>{_SCALE_RE})?\s*(?:U\.?S\.?\s+)?"
        rf"(?P<word>{_CURRENCY_WORD_RE})s?\b",
        re.IGNORECASE,
    ),
]


def find_money(text: str) -> list[Found]:
    taken: list[Found] = []
    for pattern in _MONEY_RES:
        for match in pattern.finditer(text):
            if not any(f.start < match.end() and match.start() < f.end for f in taken):
                taken.append(Found(match.start(), match.end(), match.group()))
    return sorted(taken, key=lambda f: f.start)


def normalize_money(text: str) -> Money:
    """Money for a verbatim amount: '$2 million' -> 2000000 USD; hedged amounts are approximate."""
    for pattern in _MONEY_RES:
        match = pattern.search(text)
        if not match:
            continue
        groups = match.groupdict()
        amount = float(groups["num"].replace(",", ""))
        if groups.get("scale"):
            amount *= _SCALE[groups["scale"].lower()]
        symbol = (groups.get("sym") or "").upper()
        currency = _CURRENCY_SYMBOLS.get(symbol) or symbol or None
        if groups.get("word"):
            currency = _CURRENCY_WORDS[groups["word"].lower()]
        hedged = bool(groups.get("hedge")) or bool(re.search(_HEDGES, text, re.IGNORECASE))
        return Money(text=text, amount=amount, currency=currency, approximate=hedged)
    return Money(text=text)


_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "a dozen": 12, "dozen": 12, "a pair of": 2, "a": 1, "an": 1,
}


def parse_count(text: str) -> int | None:
    """The number a count phrase states: '3', 'three', '1,200'; None when it states none."""
    cleaned = text.strip().lower()
    if re.fullmatch(r"\d{1,3}(,\d{3})+|\d+", cleaned):
        return int(cleaned.replace(",", ""))
    return _NUMBER_WORDS.get(cleaned)


def count_words(value: int) -> list[str]:
    """How a count may be written: digits, or the number word."""
    words = [str(value), f"{value:,}"]
    words += [word for word, number in _NUMBER_WORDS.items() if number == value and word not in {"a", "an"}]
    return words
