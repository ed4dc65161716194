"""Dates and money, normalized by rule from grounded text."""

from __future__ import annotations

import pytest

from pipeline.normalize import count_words, find_dates, find_money, normalize_date, normalize_money, parse_count

# --- Dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "doc_date", "start", "end", "precision"),
    [
        ("On May 18", "2006", "2006-05-18", "2006-05-18", "day"),
        ("May 18", "2006-06-26", "2006-05-18", "2006-05-18", "day"),
        ("on 18 May", "2006", "2006-05-18", "2006-05-18", "day"),
        ("May 18, 2004", "2006", "2004-05-18", "2004-05-18", "day"),  # the text's own year wins
        ("May 15-17", "2006", "2006-05-15", "2006-05-17", "day"),
        ("May 15–17, 2007", None, "2007-05-15", "2007-05-17", "day"),  # en dash
        ("June 15 to 16", "2006", "2006-06-15", "2006-06-16", "day"),
        ("May 30 - June 2", "2006", "2006-05-30", "2006-06-02", "day"),
        ("from 5 to 9 June", "2019", "2019-06-05", "2019-06-09", "day"),  # the month after both days
        ("Beginning Sunday, June 5", "2016", "2016-06-05", "2016-06-05", "day"),  # the date, not the last Sunday
        ("on Tuesday 5 June 2018", "2019-01-01", "2018-06-05", "2018-06-05", "day"),
        ("between 5 and 9 June 2019", None, "2019-06-05", "2019-06-09", "day"),
        ("from 28 May to 3 June", "2019", "2019-05-28", "2019-06-03", "day"),
        ("30 May - 2 June 2006", None, "2006-05-30", "2006-06-02", "day"),
        ("this October", "2006", "2006-10", "2006-10", "month"),
        ("in June -July 2015", None, "2015-06", "2015-07", "month"),  # a span of months
        ("June to July", "2006", "2006-06", "2006-07", "month"),
        ("August last year", "2017-03-02", "2016-08", "2016-08", "month"),  # the year before the document's
        ("27 February this year", "2020-04-01", "2020-02-27", "2020-02-27", "day"),
        ("last year", "2020-04-01", "2019", "2019", "year"),
        ("the second half of 2013", None, "2013-07", "2013-12", "month"),
        ("Yesterday", "2021-07-14", "2021-07-13", "2021-07-13", "day"),  # opening a sentence
        ("in October 2005", "2006", "2005-10", "2005-10", "month"),
        ("Sept. 4", "2007", "2007-09-04", "2007-09-04", "day"),
        ("2004", None, "2004", "2004", "year"),
        ("in 2004", "2006", "2004", "2004", "year"),
    ],
)
def test_normalize_date(text: str, doc_date: str | None, start: str, end: str, precision: str) -> None:
    date = normalize_date(text, doc_date)
    assert (date.start, date.end, date.precision) == (start, end, precision)
    assert date.text == text  # verbatim


def test_date_without_a_year_and_no_document_date_is_unknown() -> None:
    date = normalize_date("May 18", None)
    assert (date.start, date.end, date.precision) == (None, None, "unknown")
    assert date.text == "May 18"


@pytest.mark.parametrize("text", ["may", "next spring", "recently", "February 30"])
def test_text_that_is_not_a_resolvable_date_is_unknown(text: str) -> None:
    date = normalize_date(text, "2006")
    assert (date.start, date.end, date.precision) == (None, None, "unknown")


def test_the_verb_may_is_not_a_date() -> None:
    sentence = "Officials may attend the drill, which may be held near Poti."
    assert find_dates(sentence) == []


def test_the_month_may_is_a_date_in_the_same_sentence_as_the_verb() -> None:
    sentence = "The cutters may sail on May 18 and return in late May 2007."
    found = [f.text for f in find_dates(sentence)]
    assert found == ["May 18", "late May 2007"]
    assert all(sentence[f.start : f.end] == f.text for f in find_dates(sentence))


def test_find_dates_prefers_the_longest_expression() -> None:
    sentence = "The drill ran May 15-17, 2007 off Varna; a second one followed in 2008."
    assert [f.text for f in find_dates(sentence)] == ["May 15-17, 2007", "2008"]


def test_a_date_range_never_ends_before_it_starts() -> None:
    date = normalize_date("May 17-15", "2006")
    assert date.precision == "unknown"
    assert date.start is None


# --- Money ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "currency", "approximate"),
    [
        ("around $2 million", 2_000_000, "USD", True),
        ("$100 million", 100_000_000, "USD", False),
        ("5 million euros", 5_000_000, "EUR", False),
        ("€5 million", 5_000_000, "EUR", False),
        ("about 3.5 million rubles", 3_500_000, "RUB", True),
        ("$1,250,000", 1_250_000, "USD", False),
        ("nearly 40 million lari", 40_000_000, "GEL", True),
        ("US$2.5bn", 2_500_000_000, "USD", False),
        ("about 700 thousand US dollars", 700_000, "USD", True),
        ("3 million U.S. dollars", 3_000_000, "USD", False),
    ],
)
def test_normalize_money(text: str, amount: float, currency: str, approximate: bool) -> None:
    money = normalize_money(text)
    assert money.amount == pytest.approx(amount)
    assert money.currency == currency
    assert money.approximate is approximate
    assert money.text == text


def test_text_without_an_amount_has_no_value() -> None:
    money = normalize_money("an undisclosed sum")
    assert (money.amount, money.currency, money.approximate) == (None, None, False)


def test_find_money_in_a_sentence() -> None:
    sentence = "Estonia gave cameras worth around $2 million and 5 million euros in spare parts in 2008."
    found = find_money(sentence)
    assert [f.text for f in found] == ["around $2 million", "5 million euros"]
    assert all(sentence[f.start : f.end] == f.text for f in found)


# --- Counts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("3", 3), ("three", 3), ("1,200", 1200), ("a dozen", 12)])
def test_parse_count(text: str, value: int) -> None:
    assert parse_count(text) == value


def test_parse_count_of_a_non_number_is_none() -> None:
    assert parse_count("several") is None


def test_count_words_lists_digits_and_the_number_word() -> None:
    assert {"4", "four"} <= set(count_words(4))
    assert "1,200" in count_words(1200)


@pytest.mark.parametrize(
    ("words", "doc_date", "day"),
    [("Tuesday", "2019-10-31", "2019-10-29"), ("Thursday", "2019-10-31", "2019-10-31"),
     ("yesterday", "2021-07-14", "2021-07-13"), ("today", "2021-07-14", "2021-07-14")],
)
def test_weekdays_and_relative_days_resolve_against_the_document_date(words: str, doc_date: str, day: str) -> None:
    ref = normalize_date(words, doc_date)
    assert (ref.start, ref.end, ref.precision) == (day, day, "day")


@pytest.mark.parametrize(
    ("words", "doc_date", "start", "end"),
    [("this week", "2031-05-14", "2031-05-12", "2031-05-18"), ("last week", "2031-05-14", "2031-05-05", "2031-05-11"),
     ("next week", "2031-05-18", "2031-05-19", "2031-05-25")],
)
def test_a_week_word_is_that_calendar_week(words: str, doc_date: str, start: str, end: str) -> None:
    ref = normalize_date(words, doc_date)
    assert (ref.start, ref.end, ref.precision) == (start, end, "day")
    assert [d.text for d in find_dates(f"The crews met {words} in Lima.")] == [words]
    assert normalize_date(words, "2031-05").precision == "unknown"


def test_a_weekday_without_a_document_date_stays_unresolved() -> None:
    assert normalize_date("Tuesday", "2019").start is None
    assert normalize_date("Tuesday", None).precision == "unknown"


def test_next_year_is_no_date_and_last_year_needs_the_documents_year() -> None:
    # What "may be ready next year" is a prediction, not when an event happened.
    assert [d.text for d in find_dates("A text may be ready next year.")] == []
    assert normalize_date("last year", None).precision == "unknown"


@pytest.mark.parametrize(
    ("sentence", "words", "start"),
    [
        ("Chile handed over two boats to Peru earlier in December.", "December", "2019-12"),
        ("The drill was held on December 5.", "December 5", "2019-12-05"),
        ("Chile will hand over two boats in December.", "December", "2020-12"),  # still to come
        ("The drill is held in December.", "December", "2020-12"),
        ("The drill was held on January 10.", "January 10", "2020-01-10"),  # before the article: this year
    ],
)
def test_a_month_told_as_past_after_the_articles_month_is_last_years(sentence: str, words: str, start: str) -> None:
    from pipeline.assemble import _told_as_past
    from schemas import Evidence

    evidence = [Evidence(text=sentence, start=0, end=len(sentence))]
    assert _told_as_past(normalize_date(words, "2020-01-15"), evidence, sentence, "2020-01-15").start == start


@pytest.mark.parametrize(
    ("sentence", "words", "start"),
    [
        ("Sea Lynx 2031 began on July 18 off Tarvia.", "July 18", "2031-07-18"),  # the name's year
        ("The ministers signed the plan for 2031 on 3 May.", "3 May", "2031-05-03"),
        ("The drill began on July 18.", "July 18", None),  # no year in the sentence: none
        ("Held since 2019, the drill began on July 18, 2031.", "July 18", None),  # two years: which?
        ("Sea Lynx 2031 began on Monday.", "Monday", None),  # a weekday needs the article's day
    ],
)
def test_an_undated_articles_yearless_date_takes_the_one_year_of_its_sentence(
    sentence: str, words: str, start: str | None
) -> None:
    from pipeline.assemble import _in_the_year_of_its_sentence
    from schemas import Evidence

    evidence = [Evidence(text=sentence, start=0, end=len(sentence))]
    assert _in_the_year_of_its_sentence(normalize_date(words, None), evidence).start == start


@pytest.mark.parametrize(
    ("sentence", "words", "start", "end"),
    [
        # "until" gives the last day only (GUIDE, r406-r453 rulings), whichever verb it follows.
        ("The Iron Heron exercise will run until April 26.", "April 26", None, "2031-04-26"),
        ("The regional drill, which will last through August 20, brings troops to Port Vell.", "August 20",
         None, "2031-08-20"),
        # A start and an end in one sentence: the first day from the one, the last from the other.
        ("Joint exercises of Tarvia and Norland began in Port Vell on June 12 and will last until June 16.",
         "June 12", "2031-06-12", "2031-06-16"),
        ("The drill commenced on January 23 in Port Vell and should finish with a parade on February 3 in "
         "Norland.", "January 23", "2031-01-23", "2031-02-03"),
        # One day told, or a start alone: the day itself (GUIDE §4).
        ("The drill was held on May 3.", "May 3", "2031-05-03", "2031-05-03"),
        ("The drill began on May 3 with a ceremony attended by 300 guests on May 4.", "May 3",
         "2031-05-03", "2031-05-03"),
    ],
)
def test_a_course_told_by_its_start_and_end_verbs(sentence: str, words: str, start: str | None, end: str) -> None:
    from pipeline.assemble import _its_course
    from schemas import Evidence

    evidence = [Evidence(text=sentence, start=0, end=len(sentence))]
    date = _its_course(normalize_date(words, "2031-01-10"), evidence, sentence, "2031-01-10")
    assert (date.start, date.end, date.text) == (start, end, words)
