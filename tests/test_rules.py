"""The sentence rules, on sentences of our own: what each reads off a sentence's wording."""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize(
    ("sentence", "description", "duration"),
    [
        # How long it lasts, written as "<unit>-long", is the duration, not a kind word (GUIDE §6).
        ("Sea Lynx 2031, a fortnight-long joint training exercise between Tarvia and Norland, began at Port Vell.",
         "joint training exercise", "fortnight-long"),
        ("The month-long multinational training exercise began at Port Vell.", "multinational training exercise",
         "month-long"),
        ("The two-week joint exercise began at Port Vell.", "joint exercise", "two-week"),
    ],
)
def test_how_long_an_exercise_lasts_is_no_kind_word(sentence: str, description: str, duration: str) -> None:
    assert (exercise_description(sentence), exercise_duration(sentence)) == (description, duration)


def test_a_definite_mention_does_not_introduce_a_new_exercise() -> None:
    assert not introduces_exercise("The exercise ended with a parade.")


def test_exercise_description_is_the_kind_words_before_the_noun() -> None:
    # A name between the article and the kind words, a hyphenated kind, a bare plural that is held.
    assert exercise_description(
        "The SILVA-2024 computerized command and staff training exercise held at the Ica range has ended."
    ) == "computerized command and staff training exercise"
    assert exercise_description("Chile and Peru held the joint search-and-rescue drill off Arica.") == (
        "joint search-and-rescue drill"
    )
    assert exercise_description("In July, Chile and Peru conducted joint coastguard drills in the Pacific.") == (
        "joint coastguard drills"
    )
    # Peoples, ordinals and superlatives say nothing of the kind.
    assert exercise_description("First Chilean-Peruvian joint naval exercises will begin in May.") == (
        "joint naval exercises"
    )
    assert exercise_description("It was the largest naval exercise in the region.") == "naval exercise"
    assert exercise_description("They recalled the last joint naval exercise of 2015.") == "joint naval exercise"
    # Exercises in general are not this one.
    assert exercise_description("Bolivia long stayed away from joint naval maneuvers with its neighbours.") is None


def test_exercise_names_with_short_or_joined_years_and_after_the_word_exercise() -> None:
    assert exercise_names("after the close of the Silver Lynx-2018 drills of the member states") == ["Silver Lynx-2018"]
    assert exercise_names("Exercise Amber Fjord 14 tested the harbour defences.") == ["Amber Fjord 14"]
    assert exercise_names('the "Amber Fjord - 2024" joint naval exercises') == ["Amber Fjord - 2024"]
    assert exercise_names("Chile is hosting Chile-Peru Exercise 2016 in May.") == ["Chile-Peru Exercise 2016"]
    assert exercise_names("They watched the joint exercise “CONDOR PARTNER 2023 ” at the range.") == [
        "CONDOR PARTNER 2023"
    ]


def test_capitalized_words_before_the_kind_name_the_exercise_unless_a_place_people_or_body() -> None:
    assert exercise_names("Troops are taking part in the Kondoritz military exercise near Arica.") == ["Kondoritz"]
    assert exercise_names("the Pacific Breeze drills began on Monday.") == ["Pacific Breeze"]
    assert exercise_names("Peru took part in the Pacific Breeze manoeuvres.") == ["Pacific Breeze"]
    assert exercise_names("They watched the Black Sea exercise.") == []
    assert exercise_names("They watched the Chilean naval exercise.") == []
    assert exercise_names("They watched the NATO drill.") == []
    assert exercise_names("the Amber Fjord 2024 joint naval exercises") == ["Amber Fjord 2024"]
    # A date or a weekday before the exercise noun is no name.
    assert exercise_names("In 2019 exercises were held twice.") == []
    assert exercise_names("The exercise Sunday 12 was cancelled.") == []


def test_one_exercise_named_with_a_long_and_a_short_year_is_one_event() -> None:
    from pipeline.record_types import entry

    exercise = entry("exercise")
    assert exercise.same_event({"name": "Amber Fjord 2014"}, {"name": "Amber Fjord 14"})
    assert exercise.same_event({"name": "Amber Fjord - 2014"}, {"name": "Amber Fjord-2014"})
    assert not exercise.same_event({"name": "Amber Fjord 2014"}, {"name": "Amber Fjord 2015"})
    assert exercise.identity_key("name", "amber fjord 2014") == exercise.identity_key("name", "amber fjord 14")




def test_people_behind_titles_and_first_person() -> None:
    text = (
        "Moldovan President Ion Talpa met Romanian officials. Dan Rusu, deputy head of the Romanian Border "
        "Police, spoke next. “We have agreed with the Moldovan Border Police to share radar data,” Rusu said."
    )
    actors = ActorRules(text)
    assert actors.person_titled("the Moldovan president") == "Ion Talpa"
    assert actors.body_of("Rusu") == "Romanian Border Police"


def test_event_clause_drops_relative_clauses_and_attributions() -> None:
    clause = event_clause("Tajikistan received the boats, which will be based in Khorog, according to officials.")
    assert clause.strip() == "Tajikistan received the boats"  # the relative clause blanked, the attribution cut


def test_a_relative_clause_that_says_where_the_subject_is_held_tells_the_event() -> None:
    sentence = "The drill, which is being held in Port Vell and on the Norland coast, began on April 10."
    assert event_clause(sentence) == sentence
    assert first_place(event_clause(sentence)) == "Port Vell"
    # About another event than the subject: blanked, as any relative clause.
    other = "The navies rehearsed for Iron Heron, which will be held in Port Vell in May."
    assert "Port Vell" not in event_clause(other)


def test_money_written_with_an_iso_code() -> None:
    from pipeline.normalize import normalize_money

    money = normalize_money("NOK 12 million")
    assert (money.amount, money.currency) == (12_000_000, "NOK")




def test_a_named_town_is_its_name_alone() -> None:
    # The guide: the place name alone as the text writes it, not what the text says of the town.
    assert first_place("The accord was signed in Peru’s capital Lima on Monday.") == "Lima"
    assert first_place("The accord was signed in the Peruvian capital, Lima, on Monday.") == "Lima"
    assert first_place("The frigates docked in Chile’s northern port of Arica on Monday.") == "Arica"
    assert first_place("The cadets trained in Chile's Arica last week.") == "Arica"
    # A place with no name of its own, or a port the text names as "the port of X", keeps its words.
    assert first_place("The cadets trained in Chile’s northern military zone.") == "Chile’s northern military zone"
    assert first_place("The frigates docked at the port of Arica on Monday.") == "the port of Arica"


def test_a_place_the_text_does_not_name_is_no_place() -> None:
    assert first_place("The snipers trained at close range during the drill.") is None
    assert first_place("The drill was held in the country and then at the Pisco base.") == "the Pisco base"


def test_of_the_inside_a_place() -> None:
    assert first_place("Ships will drill in the Peruvian waters of the Pacific Ocean next week.") == (
        "the Peruvian waters of the Pacific Ocean"
    )


def test_a_place_with_the_larger_place_it_is_written_with() -> None:
    # A town's country is no part of its name; a facility keeps the place it is in.
    assert first_place("The drill was held in Valparaiso, Chile, on May 3.") == "Valparaiso"
    assert first_place("Troops trained at the Lomas Training Center in Chile from May 3.") == (
        "the Lomas Training Center in Chile"
    )
    # A comma before other words, or a town after a plain place, is no larger place.
    assert first_place("Boats met in Valparaiso, where the drill began.") == "Valparaiso"


def test_a_place_is_the_whole_phrase_the_parse_gives_its_preposition() -> None:
    # Lists, facilities in a place and "of" phrases belong to the place; dates and clauses do not.
    assert first_place("The drill is being conducted at the Lomas and Cerro Alto training areas in the "
                       "province of Arica from May 3 to May 9.") == (
        "the Lomas and Cerro Alto training areas in the province of Arica"
    )
    assert first_place("It ended the drills of the member states in the Andean republic.") == "the Andean republic"
    assert first_place("Patrol boats trained in the waters off Arica.") == "the waters off Arica"
    assert first_place("The cutters trained near the Lomas oil field on Tuesday.") == "the Lomas oil field"


def test_a_preposition_on_a_non_place_or_a_non_event_gives_no_place() -> None:
    assert first_place("The exercise will take place in the field of security.") is None
    # "in the exercise" is no place; the place after it is.
    assert first_place("Chile took part in the exercise in Arica.") == "Arica"


def test_a_fuller_name_never_runs_over_a_line_break() -> None:
    from pipeline.actors import ActorRules

    rules = ActorRules("Boats arrive from the EU\n\nChilean border guards got new boats.\n\nCamila\nDiaz wrote.")
    assert rules.full_org_name("Chilean border guards") == "Chilean border guards"
    assert rules.full_name("Diaz") == "Diaz"
    assert ActorRules("The Andean Border Service (ABS) said.").full_org_name("ABS") == "Andean Border Service"


def test_an_acronym_is_named_by_the_words_the_text_spells_it_out_with() -> None:
    from pipeline.actors import ActorRules

    text = (
        "The Andean Maritime Council's envoy handed the boats to the Organization for Coastal Safety in Peru. "
        "AMC staff and OCSP trainers stayed. E. U. officials and the AMC UN office were not there."
    )
    rules = ActorRules(text)
    assert rules.actor("AMC").name == "Andean Maritime Council"  # the possessive is no part of the name
    assert rules.full_org_name("OCSP") == "Organization for Coastal Safety in Peru"  # small words carry no letter
    assert rules.full_org_name("EU") == "EU"  # initials with full stops spell out nothing
    assert rules.full_org_name("UN") == "UN"


def test_a_body_told_in_lowercase_words_is_the_one_named_with_them_capitalized() -> None:
    from pipeline.actors import ActorRules

    rules = ActorRules("Chile gave boats to Peruvian border guards. The State Border Guard Service of Peru "
                       "thanked it. Peruvian soldiers came.")
    assert rules.actor("Peruvian border guards").name == "State Border Guard Service of Peru"
    assert rules.actor("Peruvian soldiers").name == "Peruvian soldiers"  # no body of Peru is named by them


def test_a_place_that_hosts_the_exercise_is_where_it_happens() -> None:
    sentence = "The Pisco training ground in the Ica region of Peru will host the joint exercises."
    assert first_place(sentence) == "The Pisco training ground in the Ica region of Peru"
    assert first_place("Chile will host the joint exercises in Arica.") == "Arica"  # a state hosting is no place


def test_for_runs_on_inside_a_capitalized_name_but_not_after_a_description() -> None:
    from pipeline.actors import ActorRules

    text = ("Some 300 Peruvian security forces for Exercise Blue Reef joined the drill. "
            "The Andean Office for Coastal Safety sent a team; the Andean Office spoke later.")
    rules = ActorRules(text)
    assert rules.full_org_name("Peruvian security forces") == "Peruvian security forces"
    assert rules.full_org_name("Andean Office") == "Andean Office for Coastal Safety"


def test_a_given_name_that_is_a_states_is_a_persons_when_the_text_gives_a_title() -> None:
    from pipeline.actors import ActorRules

    text = "“The boats help,” said Chad Kowalski, counter trafficking branch chief. Kenya Airways flew the crews."
    rules = ActorRules(text)
    assert (rules.actor("Chad Kowalski").kind, rules.actor("Chad Kowalski").country) == ("person", None)
    assert rules.actor("Kenya Airways").kind != "person"


def test_the_combatant_commands_and_regional_bodies_by_acronym() -> None:
    from pipeline.actors import ActorRules, classify

    assert classify("AFRICOM") == ("military_unit", "US")
    assert classify("SOUTHCOM") == ("military_unit", "US")
    assert classify("ECOWAS") == ("international_org", None)
    rules = ActorRules("“We train together,” said Ana Lind, AFRICOM program manager.")
    assert rules.actor("Ana Lind").country == "US"


def test_a_place_seen_from_someone_is_no_place_name() -> None:
    from pipeline.strategies.rules.phrases import first_place

    assert first_place("The drill was held in our country on Monday.") is None
    assert first_place("The drill was held in the country of Chile on Monday.") == "the country of Chile"


def test_a_hyphenated_rank_and_secretary_of_state_are_titles_before_the_name() -> None:
    from pipeline.actors import ActorRules

    text = "“We train,” said Brigadier-General Ana Ruiz-Paz. The deal was signed by US Secretary of State Marco Lind."
    rules = ActorRules(text)
    assert rules.actor("Brigadier-General Ana Ruiz-Paz").name == "Ana Ruiz-Paz"
    assert rules.full_name("Lind") == "Marco Lind"


def test_a_title_a_state_owns_gives_the_person_that_state() -> None:
    text = "Ana Ruiz, Chile’s ambassador to Peru, said the boats will serve the coast guard well."
    actor = ActorRules(text).actor("Ana Ruiz")
    assert actor.country == "CL"  # not Peru, where she is sent


def test_a_title_with_its_of_phrase_before_the_name_is_the_whole_title() -> None:
    text = "The Minister of Defense of Chile John Miller visited Lima. “We thank the EU,” Miller said."
    actor = ActorRules(text).actor("John Miller")
    assert (actor.role, actor.country) == ("Minister of Defense of Chile", "CL")


@pytest.mark.parametrize(
    ("text", "role"),
    [
        # The comma that sets the name off ends the title, not its "of" phrase.
        ("“We train together,” said the Peruvian Minister of Defence, Ana Ruiz, at the port.",
         "Peruvian Minister of Defence"),
        # "General" names a staff here; the title runs on to the state.
        ("Chief of the General Staff of the Armed Forces of Peru Ana Ruiz opened the drills.",
         "Chief of the General Staff of the Armed Forces of Peru"),
        ("“We train together,” said Peruvian Member of Parliament Ana Ruiz.", "Peruvian Member of Parliament"),
    ],
)
def test_a_long_title_before_the_name_is_kept_whole(text: str, role: str) -> None:
    actor = ActorRules(text).actor("Ana Ruiz")
    assert (actor.role, actor.country) == (role, "PE")


def test_a_lawmaker_s_title_is_a_role() -> None:
    for text in ("Member of Parliament John Miller said the drills went well.",
                 "Chilean lawmaker John Miller said the drills went well."):
        assert ActorRules(text).actor("John Miller").role in ("Member of Parliament", "Chilean lawmaker")


def test_the_one_name_after_an_occasion_s_in_is_its_town() -> None:
    # The small model tags no entity here; the name after "a meeting in" is where it was held.
    assert first_place("The Defence Minister spoke at a meeting in Arequipa on Monday.") == "Arequipa"


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        # The place hangs on the last name of a chain of "to ... of ..." phrases after the verb.
        ("Chile handed over radio sets and field kitchens worth 4.5 million pesos to the Peruvian Armed Forces "
         "in Lima on October 30 under its assistance program.", "Lima"),
        # ... or on the "worth" of the amount the goods are worth.
        ("The Chilean Navy received two patrol boats worth $5 million from Japan at the Talcahuano naval base.",
         "the Talcahuano naval base"),
    ],
)
def test_a_place_after_the_verb_s_phrases_is_where_it_happened(sentence: str, place: str) -> None:
    from pipeline.strategies.rules.phrases import parsed_place

    assert parsed_place(sentence) == place


@pytest.mark.parametrize(
    ("text", "read_as", "name", "role"),
    [
        # The parser or the quotation reader may take the title's last word into the name.
        ("“We thank you,” said the Minister of Interior Tomas Vidal at the ceremony.",
         "Interior Tomas Vidal", "Tomas Vidal", "Minister of Interior"),
        ("Peru’s Deputy Chief of Mission Tomas Vidal said the boats will help.",
         "Mission Tomas Vidal", "Tomas Vidal", "Peru’s Deputy Chief of Mission"),
        ("Director General of the Border Guard Board Tomas Vidal said the cars are ready.",
         "Board Tomas Vidal", "Tomas Vidal", "Director General of the Border Guard Board"),
    ],
)
def test_the_body_that_ends_a_title_is_no_word_of_the_name_after_it(
    text: str, read_as: str, name: str, role: str
) -> None:
    actor = ActorRules(text).actor(read_as)
    assert (actor.name, actor.kind, actor.role) == (name, "person", role)
    # A body's own name that opens with such a word stays whole.
    body = ActorRules("The General Police Inspectorate signed it.").actor("General Police Inspectorate")
    assert body.kind != "person"
