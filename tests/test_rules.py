"""The sentence rules, on sentences of our own: what each reads off a sentence's wording."""

from __future__ import annotations

from pipeline.actors import ActorRules
from pipeline.strategies.rules.exercise import (
    exercise_description,
    exercise_duration,
    exercise_names,
    introduces_exercise,
)
from pipeline.strategies.rules.phrases import event_clause, first_place


def test_exercise_name_kind_and_duration() -> None:
    sentence = "On March 2-4 a three-day joint border exercise, code-named Steppe Lynx 2015, took place near Aralsk."
    assert introduces_exercise(sentence)
    assert exercise_names(sentence) == ["Steppe Lynx 2015"]
    assert exercise_description(sentence) == "joint border exercise"
    assert exercise_duration(sentence) == "three-day"
    assert first_place(sentence) == "Aralsk"


def test_a_definite_mention_does_not_introduce_a_new_exercise() -> None:
    assert not introduces_exercise("The exercise ended with a parade.")




def test_people_behind_titles_and_first_person() -> None:
    text = (
        "Moldovan President Ion Talpa met Romanian officials. Dan Rusu, deputy head of the Romanian Border "
        "Police, spoke next. “We have agreed with the Moldovan Border Police to share radar data,” Rusu said."
    )
    actors = ActorRules(text)
    assert actors.person_titled("the Moldovan president") == "Ion Talpa"
    assert actors.body_of("Rusu") == "Romanian Border Police"


def test_event_clause_drops_relative_clauses_and_attributions() -> None:
    assert event_clause("Tajikistan received the boats, which will be based in Khorog, according to officials.") == (
        "Tajikistan received the boats"
    )


def test_money_written_with_an_iso_code() -> None:
    from pipeline.normalize import normalize_money

    money = normalize_money("NOK 12 million")
    assert (money.amount, money.currency) == (12_000_000, "NOK")




def test_a_capital_named_with_its_country_is_one_place() -> None:
    assert first_place("The accord was signed in Peru’s capital Lima on Monday.") == "Peru’s capital Lima"


def test_of_the_inside_a_place() -> None:
    assert first_place("Ships will drill in the Peruvian waters of the Pacific Ocean next week.") == (
        "the Peruvian waters of the Pacific Ocean"
    )
