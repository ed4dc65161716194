"""The sentence rules, on sentences of our own: what each reads off a sentence's wording."""

from __future__ import annotations

from pipeline.actors import ActorRules
from pipeline.strategies.rules.aid import aid_status, donor_and_recipient, states_specific_aid, transferred_items
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


def test_aid_giver_goods_receiver_and_status() -> None:
    sentence = (
        "On May 4 Finland handed over six snowmobiles and 20 radios worth about €300,000 to the Estonian Border Guard."
    )
    assert states_specific_aid(sentence)
    assert donor_and_recipient(sentence) == ("Finland", "Estonian Border Guard")
    assert transferred_items(sentence) == [("snowmobiles", "six"), ("radios", "20")]
    assert aid_status(sentence) == "delivered"
    assert aid_status("Norway will deliver two cutters to Georgia.") == "pledged"


def test_aid_gate_rejects_analysis_and_nobody_gives() -> None:
    assert not states_specific_aid("Foreign donors may provide equipment if the reforms continue.")
    assert donor_and_recipient("Western governments provided radios to the border guards.")[0] is None


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


def test_training_courses_and_double_objects() -> None:
    from pipeline.strategies.rules.aid import trains

    sentence = (
        "In Kulob, the OSCE has been running weekly border-patrol courses for officers of the Tajik Border Troops."
    )
    assert trains(sentence) == ("OSCE", "Tajik Border Troops", "border-patrol courses")
    assert aid_status(sentence) == "ongoing"
    assert transferred_items("Japan promised the Uzbek Customs Committee mobile scanners and thermal cameras.") == [
        ("mobile scanners", None),
        ("thermal cameras", None),
    ]


def test_money_written_with_an_iso_code() -> None:
    from pipeline.normalize import normalize_money

    money = normalize_money("NOK 12 million")
    assert (money.amount, money.currency) == (12_000_000, "NOK")


def test_receivers_first_and_passive_handovers() -> None:
    received = "On May 2 the Azerbaijani Navy received two patrol boats from Turkey."
    assert donor_and_recipient(received) == ("Turkey", "Azerbaijani Navy")
    assert transferred_items(received) == [("patrol boats", "two")]
    passive = "Six radars and 20 sets of night-vision goggles were delivered to the Armenian Border Guard by France."
    assert donor_and_recipient(passive) == ("France", "Armenian Border Guard")
    assert transferred_items(passive) == [("radars", "Six"), ("night-vision goggles", "20")]
