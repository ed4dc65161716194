"""The sentence rules, on sentences of our own: what each reads off a sentence's wording."""

from __future__ import annotations

from pipeline.actors import ActorRules
from pipeline.strategies.rules.agreement import agreement_facts, agreement_parties, states_agreement
from pipeline.strategies.rules.exercise import (
    exercise_actors,
    exercise_description,
    exercise_duration,
    exercise_names,
    exercise_scenario,
    introduces_exercise,
)
from pipeline.strategies.rules.phrases import event_clause, first_place


def test_exercise_roles_by_verb_and_preposition() -> None:
    roles = exercise_actors(
        "Sailors of the Georgian Coast Guard and the Turkish Navy took part in the drill, "
        "while officers of the Armenian Border Guard watched from a tug."
    )
    assert roles == {
        "participants": ["Georgian Coast Guard", "Turkish Navy"],
        "organizers": [],
        "observers": ["Armenian Border Guard"],
    }


def test_exercise_organizers_from_a_passive_and_participants_from_the_rest() -> None:
    roles = exercise_actors(
        "The drill was hosted by the Moldovan Interior Ministry in cooperation with the Romanian Gendarmerie "
        "and drew detachments from Ukraine and Poland."
    )
    assert roles["organizers"] == ["Moldovan Interior Ministry", "Romanian Gendarmerie"]
    assert roles["participants"] == ["Ukraine", "Poland"]


def test_exercise_name_kind_duration_and_scenario() -> None:
    sentence = "On March 2-4 a three-day joint border exercise, code-named Steppe Lynx 2015, took place near Aralsk."
    assert introduces_exercise(sentence)
    assert exercise_names(sentence) == ["Steppe Lynx 2015"]
    assert exercise_description(sentence) == "joint border exercise"
    assert exercise_duration(sentence) == "three-day"
    assert first_place(sentence) == "Aralsk"
    assert exercise_scenario("The scenario involved tracking smugglers on horseback and sealing a mountain pass.") == [
        "tracking smugglers on horseback",
        "sealing a mountain pass",
    ]


def test_a_definite_mention_does_not_introduce_a_new_exercise() -> None:
    assert not introduces_exercise("The exercise ended with a parade.")


def test_agreement_parties_kind_status_subject() -> None:
    sentence = "Armenia, Georgia and Azerbaijan signed a memorandum on wildfire response in Batumi on July 9."
    assert states_agreement(sentence)
    assert agreement_parties(sentence) == ["Armenia", "Georgia", "Azerbaijan"]
    assert agreement_facts(sentence) == {"kind": "memorandum", "status": "signed", "subject": "wildfire response"}


def test_agreement_under_negotiation_between_two_parties() -> None:
    sentence = "A protocol between Kazakhstan and Russia on river patrols remains under negotiation."
    assert agreement_parties(sentence) == ["Kazakhstan", "Russia"]
    assert agreement_facts(sentence)["status"] == "negotiating"


def test_people_behind_titles_and_first_person() -> None:
    text = (
        "Moldovan President Ion Talpa met Romanian officials. Dan Rusu, deputy head of the Romanian Border "
        "Police, spoke next. “We have agreed with the Moldovan Border Police to share radar data,” Rusu said."
    )
    actors = ActorRules(text)
    assert actors.person_titled("the Moldovan president") == "Ion Talpa"
    assert actors.body_of("Rusu") == "Romanian Border Police"
    assert agreement_parties("“We have agreed with the Moldovan Border Police to share radar data,” Rusu said.") == [
        "We",
        "Moldovan Border Police",
    ]


def test_event_clause_drops_relative_clauses_and_attributions() -> None:
    assert event_clause("Tajikistan received the boats, which will be based in Khorog, according to officials.") == (
        "Tajikistan received the boats"
    )


def test_money_written_with_an_iso_code() -> None:
    from pipeline.normalize import normalize_money

    money = normalize_money("NOK 12 million")
    assert (money.amount, money.currency) == (12_000_000, "NOK")


