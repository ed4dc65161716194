"""The exercise reader on the dependency parse, on sentences of our own."""

from __future__ import annotations

from pipeline.strategies.rules.exercise import exercise_names, exercise_roles, exercise_scenario, refers_to_exercise
from pipeline.text import Span


def roles(sentence: str) -> dict[str, list[str]]:
    return exercise_roles(sentence, Span(0, len(sentence), sentence), sentence, exercise_names(sentence))


def scenario(sentence: str) -> list[str]:
    return exercise_scenario(sentence, Span(0, len(sentence), sentence))


def test_subjects_of_taking_part_and_watching() -> None:
    assert roles(
        "Sailors of the Georgian Coast Guard and the Turkish Navy took part in the drill, "
        "while officers of the Armenian Border Guard watched from a tug."
    ) == {
        "participants": ["Georgian Coast Guard", "Turkish Navy"],
        "organizers": [],
        "observers": ["Armenian Border Guard"],
    }


def test_agent_of_a_passive_leads_and_the_drawn_units_take_part() -> None:
    found = roles(
        "The drill was hosted by the Moldovan Interior Ministry in cooperation with the Romanian Gendarmerie "
        "and drew detachments from Ukraine and Poland."
    )
    assert found["organizers"] == ["Moldovan Interior Ministry", "Romanian Gendarmerie"]
    assert found["participants"] == ["Ukraine", "Poland"]


def test_demonym_group_and_observers_by_as() -> None:
    found = roles("Peruvian and Chilean marines staged a landing drill, while Bolivia watched as observers.")
    assert found["participants"] == ["Peruvian and Chilean marines"]
    assert found["observers"] == ["Bolivia"]


def test_holding_talks_is_not_holding_an_exercise() -> None:
    assert roles("Before the drill, Norway held talks with Denmark.")["participants"] == []


def test_scenario_items_are_the_rehearsed_tasks() -> None:
    assert scenario("The scenario involved tracking smugglers and sealing a mountain pass.") == [
        "tracking smugglers",
        "sealing a mountain pass",
    ]


def test_a_body_named_by_what_it_belongs_to_and_its_supporters() -> None:
    from pipeline.strategies.rules.exercise import exercise_roles
    from pipeline.text import Span

    text = (
        "The drill involved crews from the coastal patrol directorate of the Northern Sea District, "
        "supported by subunits from the Harbour Police and the Rescue Service."
    )
    roles = exercise_roles(text, Span(0, len(text), text), text, [])
    assert roles["participants"] == [
        "coastal patrol directorate of the Northern Sea District", "Harbour Police", "Rescue Service",
    ]


def test_each_object_of_a_rehearsed_task_is_a_scenario_item() -> None:
    from pipeline.strategies.rules.exercise import exercise_scenario
    from pipeline.text import Span

    text = "The scenario involved countering piracy and armed smuggling."
    assert exercise_scenario(text, Span(0, len(text), text)) == ["countering piracy", "armed smuggling"]


def test_a_proper_name_whose_predicate_is_an_exercise_names_it() -> None:
    from pipeline.strategies.rules.exercise import exercise_names

    assert "Amber Shield" in exercise_names("Amber Shield is a multinational maritime exercise led by Estonia.")
    assert exercise_names("Georgia is a partner in the exercise.") == []


def test_a_sentences_opening_word_is_no_part_of_the_name_after_it() -> None:
    from pipeline.strategies.rules.exercise import exercise_names

    assert exercise_names("The Iron Heron 2031 naval drills began on Monday.") == ["Iron Heron 2031"]
    assert exercise_names("In May 2031 naval drills were held off Port Vell.") == []


def test_the_exercise_as_subject_of_its_own_course_gives_its_time_and_place() -> None:
    from pipeline.strategies.rules.exercise import states_time_and_place

    assert states_time_and_place("The exercise is being conducted at the Tallinn range from May 3 to 9.")
    assert not states_time_and_place("The exercise followed talks in Riga on May 1.")
    # Joined for the exercise: then and there too.
    assert states_time_and_place(
        "On Sunday, June 5, forces from Pacific nations will join Japan for maritime training in Fiji "
        "as part of Exercise Blue Reef 2016."
    )
    assert not states_time_and_place("Chile joined the alliance in Brussels on June 5.")
    # A course verb joined to the exercise's own verb shares its subject; one with its own subject does not.
    assert states_time_and_place("The drill involves crews from Peru and Chile and will run until July 21.")
    assert states_time_and_place("The naval drill was launched at the Varna base on Monday.")
    assert not states_time_and_place("The drill involves crews from Peru, and the ministers will meet on July 21.")


def test_those_with_the_exercise_in_its_course_take_part() -> None:
    from pipeline.strategies.rules.exercise import exercise_names, exercise_roles
    from pipeline.text import Span

    text = "Baltic Gate 2019, a joint rescue exercise, began off Klaipeda and ran for two days, with crews from Latvia."
    assert exercise_roles(text, Span(0, len(text), text), text, exercise_names(text))["participants"] == ["Latvia"]


def test_a_scenario_built_around_tasks() -> None:
    from pipeline.strategies.rules.exercise import exercise_scenario
    from pipeline.text import Span

    text = "The planners built the scenario around freeing a hijacked ferry and towing a disabled cutter."
    assert exercise_scenario(text, Span(0, len(text), text)) == ["freeing a hijacked ferry", "towing a disabled cutter"]


def test_a_datelines_place_is_not_a_participant() -> None:
    sentence = (
        "MOBILE, Ala. - U.S. Coast Guard cutters, and crews from Chile, Peru and Ecuador, and observers from "
        "Panama, will conduct the annual Southern Shield 2031 exercise off the coast."
    )
    found = roles(sentence)
    assert found["participants"] == ["U.S. Coast Guard", "Chile", "Peru", "Ecuador"]
    assert found["observers"] == ["Panama"]


def test_taking_part_in_the_exercise_states_its_time_and_place() -> None:
    from pipeline.strategies.rules.exercise import states_time_and_place

    assert states_time_and_place("Sailors from Peru took part in the drill off Arica on Monday.")
    assert states_time_and_place("About 900 troops participated in the annual exercise May 3-9 at Camp Ruiz.")
    assert not states_time_and_place("Sailors from Peru praised the drill in an interview on Monday.")


def test_a_participle_before_the_subject_says_where_the_participants_come_from() -> None:
    found = roles("Drawn from Chile, Peru and Ecuador, the participants rehearsed harbour security.")
    assert found["participants"] == ["Chile", "Peru", "Ecuador"]
    found = roles("Coming from Latvia and the Slovak Republic, the troops spent a week at the range.")
    assert found["participants"] == ["Latvia", "Slovak Republic"]


def test_a_list_after_a_colon_names_the_bodies_it_announces() -> None:
    found = roles(
        "The drill will involve ships from Chile and Peru as well as two alliance bodies: the Pacific Maritime "
        "Command and the Naval Diving Centre."
    )
    assert found["participants"] == ["Chile", "Peru", "Pacific Maritime Command", "Naval Diving Centre"]


def test_a_headlines_comma_joins_the_parties_that_hold_the_exercise() -> None:
    assert roles("Chile, Peru to hold joint naval drills off Arica")["participants"] == ["Chile", "Peru"]
    assert sorted(roles("Chile & Peru Conduct Naval Drill In Pacific")["participants"]) == ["Chile", "Peru"]
    # A sentence is no headline, and a headline's list must be the ones holding it.
    assert roles("Chile, Peru criticize the naval drills")["participants"] == []


def test_what_the_participants_or_the_participation_include_took_part() -> None:
    assert roles("States due to take part include Chile, Peru, Ecuador and the United States.")[
        "participants"
    ] == ["Chile", "Peru", "Ecuador", "United States"]
    assert roles("Participating countries include Chile and Peru.")["participants"] == ["Chile", "Peru"]
    assert roles("The programme includes Chile and Peru.")["participants"] == []


def test_the_members_or_make_up_of_this_edition_include_those_who_take_part() -> None:
    sentence = "Partner countries for this year’s Iron Heron iteration include Chile, Peru and Japan."
    assert roles(sentence)["participants"] == ["Chile", "Peru", "Japan"]
    sentence = "The make-up of partner nations for this year’s edition includes Chile and Peru."
    assert roles(sentence)["participants"] == ["Chile", "Peru"]
    # Countries for something else list no one who takes part.
    assert roles("Partner countries for the trade fair include Chile and Peru.")["participants"] == []


def test_such_a_sentence_in_a_paragraph_of_its_own_speaks_of_the_exercise() -> None:
    from pipeline.strategies.rules.exercise import refers_to_exercise

    assert refers_to_exercise("States due to take part include Chile and Peru.")
    assert not refers_to_exercise("Chile and Peru participated in the talks on fishing quotas.")


def test_a_speakers_indefinite_mention_starts_no_new_exercise() -> None:
    from pipeline.strategies.rules.exercise import introduces_exercise

    assert not introduces_exercise("“It will be a demanding exercise for every crew,” the admiral said.")
    assert introduces_exercise("On Monday a joint naval exercise began off Arica.")


def test_taking_part_opens_the_sentence_and_the_list_follows_the_verb() -> None:
    assert roles("Taking part in the exercise are Chile, Peru and Ecuador.")["participants"] == [
        "Chile", "Peru", "Ecuador"
    ]
    assert roles("Participating in the drills were ships from Chile and Peru.")["participants"] == ["Chile", "Peru"]
    assert roles("Taking part in the talks were Chile and Peru.")["participants"] == []


def test_between_hung_on_a_noun_of_the_exercises_phrase_names_its_parties() -> None:
    # The parser attaches "between" to "round"; a noun of the exercise's own phrase has no parties.
    found = roles(
        "Coral Shield is a bilateral staff exercise in its fourth round between the Chilean Navy "
        "and the Peruvian Navy."
    )["participants"]
    assert found == ["Chilean Navy", "Peruvian Navy"]


def test_a_short_form_in_brackets_is_not_another_party() -> None:
    # The parse of a real page hung the bracket on the short form itself ("(" a child of "CDF"); the
    # short form is the name again, not another member of the list.
    from spacy.tokens import Doc

    from pipeline.language.parse import parse
    from pipeline.strategies.rules.exercise import _members

    words = ["the", "Chilean", "Defense", "Forces", "(", "CDF", ")", "and", "Peru"]
    heads = [3, 3, 3, 3, 5, 3, 5, 3, 3]
    deps = ["det", "compound", "compound", "ROOT", "punct", "appos", "punct", "cc", "conj"]
    pos = ["DET", "PROPN", "PROPN", "PROPN", "PUNCT", "PROPN", "PUNCT", "CCONJ", "PROPN"]
    doc = Doc(parse("x").vocab, words=words, heads=heads, deps=deps, pos=pos)
    assert [t.text for t in _members(doc[3])] == ["Forces", "Peru"]


def test_a_group_followed_by_its_named_members_gives_the_members() -> None:
    found = roles("The Pacific Alliance members Chile, Peru and Colombia joined two other states in a naval drill.")
    assert found["participants"] == ["Chile", "Peru", "Colombia"]
    # A group the text names only as a group stays one.
    assert roles("The Pacific Alliance member states took part in the drill.")["participants"] == [
        "Pacific Alliance member states"
    ]


def test_words_of_size_frequency_or_praise_are_no_kind() -> None:
    from pipeline.strategies.rules.exercise import exercise_description

    assert exercise_description("“We look forward to a successful exercise,” the admiral said.") is None
    assert exercise_description("The annual joint naval drill began.") == "joint naval drill"


def test_the_models_description_that_is_the_name_is_dropped() -> None:
    from pipeline.record_types.exercise import read

    sentence = "The Andes Guard Exercise 2031 began in Arica on Monday."
    model = {"name": "Andes Guard Exercise 2031", "description": "Andes Guard Exercise 2031"}
    overrides = read(sentence, Span(0, len(sentence), sentence), sentence, model).overrides
    assert overrides.get("description", model["description"]) is None


def test_demonyms_the_tagger_calls_proper_nouns_still_name_one_group() -> None:
    # The small English model tags the first adjective as a proper noun (a name) here; the group
    # is still one actor, verbatim, as "Peruvian and Chilean marines" above.
    found = roles(
        "The staff exercise held at the Lakeside range with the participation of Azerbaijani and Kazakh "
        "servicemen has been completed."
    )
    assert found["participants"] == ["Azerbaijani and Kazakh servicemen"]
    # A state's name before the noun is still a state of its own.
    assert roles("China and Kyrgyzstan frontier forces held a joint drill.")["participants"] == [
        "China", "Kyrgyzstan"
    ]


def test_the_kind_words_before_a_quoted_name_describe_the_exercise() -> None:
    from pipeline.strategies.rules.exercise import exercise_description

    # The parser hangs "joint exercise" on the name in marks that follows it.
    sentence = (
        "On September 15, the minister together with the ambassador watched the process of the Chile-U.S. "
        "joint exercise “CONDOR PARTNER 2023 ” being held within the framework of preparation for peacekeeping "
        "missions in “Pampa” Training Center of the Peacekeeping Brigade."
    )
    assert exercise_description(sentence) == "joint exercise"


def test_those_sent_to_take_part_take_part() -> None:
    found = roles(
        "Earlier, a contingent of the Peruvian Marine Corps was sent to Chile to participate in the Andes Guard "
        "2023 manoeuvres."
    )
    assert found["participants"] == ["Peruvian Marine Corps"]


def test_a_short_form_in_brackets_after_the_name_does_not_hide_it() -> None:
    sentence = "Forces will conduct the annual Andes Cooperation 2019 (AC 19) command-post exercise in Lima, 5-16 Aug."
    assert exercise_names(sentence) == ["Andes Cooperation 2019"]


def test_a_name_given_as_a_codename_or_with_its_short_form_before_an_apposition() -> None:
    sentence = "The naval exercise, assigned the codename Andes Tide 12, ended on Friday."
    assert exercise_names(sentence) == ["Andes Tide 12"]
    sentence = "Chilean sailors joined Peruvian marines for Andes Cooperation 2019 (AC 19), a crisis response exercise."
    assert exercise_names(sentence) == ["Andes Cooperation 2019"]


def test_a_proper_name_set_right_after_the_exercise_noun_names_it() -> None:
    sentence = "Last month the frigate took part in the bilateral exercise Andes Star jointly run by two navies."
    assert exercise_names(sentence) == ["Andes Star"]
    sentence = "In December the frigate took part in the bilateral exercise ANDPAK-III with the Chilean Navy."
    assert exercise_names(sentence) == ["ANDPAK-III"]  # the parser hangs the edition on the name
    # A state, a day or a clause after the noun names nothing.
    assert exercise_names("The exercise Russia held in May was large; he joined the exercise Tuesday.") == []


def test_the_exercise_noun_before_a_name_is_no_part_of_it() -> None:
    sentence = "Exercise Cold Lynx is a Chilean led winter exercise carried out in the regions of Arica and Tacna."
    assert exercise_names(sentence) == ["Cold Lynx"]


def test_where_the_exercises_people_or_participation_come_from_takes_part() -> None:
    assert roles("The largest participation comes from Chile, Peru and Bolivia.")["participants"] == [
        "Chile", "Peru", "Bolivia",
    ]
    assert roles("Most troops come from Chile and Peru.")["participants"] == ["Chile", "Peru"]


def test_those_listed_with_including_or_along_with_take_part_too() -> None:
    sentence = "A total of 15 countries, including Chile, Peru and Bolivia, take part in the exercise."
    assert roles(sentence)["participants"] == ["Chile", "Peru", "Bolivia"]
    sentence = "Chile took part in the drill along with Peru and Bolivia."
    assert roles(sentence)["participants"] == ["Chile", "Peru", "Bolivia"]


def test_who_heads_or_supervises_the_exercise_organizes_it() -> None:
    assert roles("The drill was supervised by the Chilean Joint Staff.")["organizers"] == ["Chilean Joint Staff"]
    assert roles("The Peruvian Navy headed the exercise off Callao.")["organizers"] == ["Peruvian Navy"]


def test_who_holds_or_conducts_an_exercise_in_the_passive_runs_it_unless_it_performs_it() -> None:
    assert roles("The Andes Shield exercise was conducted by the Peruvian Joint Command off Callao.") == {
        "participants": [], "organizers": ["Peruvian Joint Command"], "observers": [],
    }
    # Ships, aircraft and crews that carry out a drill take part in it.
    found = roles("A rescue drill was conducted off Arica by a patrol boat of the Chilean Navy and a helicopter "
                  "of the Peruvian Air Force.")
    assert (found["participants"], found["organizers"]) == (["Chilean Navy", "Peruvian Air Force"], [])
    assert roles("The exercise was joined by Bolivia.")["participants"] == ["Bolivia"]


def test_a_relative_clause_and_an_invitation_say_who_takes_part() -> None:
    assert roles("Ships of the Peruvian Navy, which participated in the exercise, arrived in Arica on Monday.")[
        "participants"
    ] == ["Peruvian Navy"]
    # Object control: the one invited takes part, not the one inviting.
    assert roles("Chile invited Peru to participate in the exercise.")["participants"] == ["Peru"]


def test_under_the_auspices_of_names_the_organizer() -> None:
    # The lemmatizer reads "auspices" as "auspex": the word as written counts too.
    found = roles("Chilean marines took part in the drill under the auspices of the US Southern Command.")
    assert found["organizers"] == ["US Southern Command"]


def test_a_list_read_as_an_apposition_gives_every_member() -> None:
    found = roles(
        "The Chilean Navy (CN), the armed forces of Peru and Ecuador and the Colombian Coast Guard (CCG) took "
        "part in the drill."
    )
    assert found["participants"] == ["Chilean Navy", "Peru", "Ecuador", "Colombian Coast Guard"]


def test_a_hyphenated_pair_of_states_before_the_exercise_names_both() -> None:
    # The parser hangs the first state on the second, and the tagger may call the pair a facility.
    assert roles("Soldiers are pictured during the Chile-Peru joint exercise on June 27, 2017.")[
        "participants"
    ] == ["Chile", "Peru"]
    assert roles("Soldiers are pictured during the Mongolia-Kazakhstan joint exercise on June 27, 2017.")[
        "participants"
    ] == ["Mongolia", "Kazakhstan"]


def test_the_exercises_own_participle_or_date_says_its_time_and_place() -> None:
    from pipeline.strategies.rules.exercise import states_time_and_place

    assert states_time_and_place("The rescue drill, held from March 3 to 6 in Tarvian waters, involved two cutters.")
    assert not states_time_and_place(
        "The rescue drill, praised by officials in Port Vell on March 9, involved two cutters."
    )
    # A date hung on the exercise noun itself.
    assert states_time_and_place(
        "During the Iron Heron-2031 exercises July 7-8 in Vell Province, special forces from the Border Service "
        "took part."
    )
    assert not states_time_and_place("After the exercises, officials met in Vell Province on March 9.")


def test_the_exercises_name_held_says_its_time_and_place() -> None:
    from pipeline.strategies.rules.exercise import states_time_and_place

    assert states_time_and_place("Chilean marines will conduct “Andes Shield 2019” from May 3 to 9 in Arica.")
    assert states_time_and_place("“Andes Shield 2019” will be held from May 3 to 9 in Arica.")
    assert states_time_and_place("Peruvian marines took part in “Andes Shield 2019” from May 3 to 9 in Arica.")
    assert not states_time_and_place("Chilean marines praised “Andes Shield 2019” on May 3 in Arica.")


def test_what_is_done_during_the_exercise_is_taking_part() -> None:
    found = roles(
        "During “Andes Shield 2019”, held on May 4-7 near Arica, marines of the Chilean Navy and the Peruvian "
        "Navy practiced defending ports."
    )
    assert found["participants"] == ["Chilean Navy", "Peruvian Navy"]


def test_a_relative_pronoun_is_no_scenario_task() -> None:
    tasks = scenario(
        "The exercises, in which Chilean and Peruvian marines will practice interoperability in fighting illegal "
        "armed units, will take place at the Arica range."
    )
    assert "which" not in tasks


def test_those_who_begin_or_open_the_exercise_take_part() -> None:
    assert roles("Chile, Peru and Ecuador kicked off a joint naval exercise on Monday.")["participants"] == [
        "Chile", "Peru", "Ecuador"
    ]
    assert roles("Chile and Peru opened the drill in Arica.")["participants"] == ["Chile", "Peru"]
    assert roles("Chile began talks with Peru.")["participants"] == []  # not an exercise


def test_those_a_host_holds_the_exercise_with_take_part() -> None:
    found = roles("Chile hosted joint naval drills with Peru and Ecuador off Valparaiso on Monday.")
    assert (found["organizers"], found["participants"]) == (["Chile"], ["Peru", "Ecuador"])


def test_units_from_states_in_a_sentence_about_the_exercise_take_part() -> None:
    found = roles(
        "The annual drills aim to improve coordination between naval units from Chile, Peru and Ecuador."
    )
    assert found["participants"] == ["Chile", "Peru", "Ecuador"]
    # a verb that already gave them a role keeps it
    found = roles("The drill was watched by representatives from Chile and Peru.")
    assert (found["participants"], found["observers"]) == ([], ["Chile", "Peru"])
    assert roles("Naval units from Chile visited the port of Callao.")["participants"] == []  # no exercise


def test_a_list_after_including_names_members() -> None:
    # A counted group the text lists only in part stays beside the members it names (GUIDE).
    assert roles("Ten partner nations, including Chile, Peru and Ecuador, sent troops to the exercise.")[
        "participants"
    ] == ["Ten partner nations", "Chile", "Peru", "Ecuador"]
    assert roles("Over 2,000 soldiers from 47 countries, including Chile and Japan, take part in the drill.")[
        "participants"
    ] == ["47 countries", "Chile", "Japan"]
    # A count with no list is no actor of its own: the article names the states elsewhere, or not at all.
    assert roles("30 countries are taking part in the exercise.")["participants"] == []
    assert roles("Troops from several nations, including Chile and Peru, took part in the drill.")[
        "participants"
    ] == ["Chile", "Peru"]
    assert roles("Twelve allied states are sending officers for the exercise, including Chile and Peru.")[
        "participants"
    ] == ["Chile", "Peru"]


def test_a_host_holding_the_exercise_says_its_time_and_place() -> None:
    from pipeline.strategies.rules.exercise import states_time_and_place

    assert states_time_and_place(
        "Chile’s Naval Training Centre in Valparaiso is hosting on May 3-9 the Andes Shield 2019 exercise."
    )
    assert not states_time_and_place("Chile’s Naval Training Centre in Valparaiso opened on May 3.")


def test_a_name_the_relative_clause_calls_an_exercise() -> None:
    assert exercise_names(
        "Andes Shield, which is a Chilean and Peruvian jointly-led multinational exercise, was held in May."
    ) == ["Andes Shield"]


def test_troops_from_states_involved_in_the_exercise_when_from_hangs_on_the_verb() -> None:
    found = roles(
        "The Andes Shield naval exercise hosted by Chile, involving 1,200 troops from 9 OAS member and partner "
        "countries, ended on Friday."
    )
    assert (found["organizers"], found["participants"]) == (["Chile"], ["9 OAS member and partner countries"])


def test_an_ordinal_is_no_names_number() -> None:
    from pipeline.strategies.rules.exercise import plausible_exercise_name

    sentence = "The ships will call at Callao as part of the second stage of Pacific Guard’s 12th activation."
    assert not plausible_exercise_name("Pacific Guard’s 12th activation", sentence)
    assert plausible_exercise_name("Pacific Guard 12", "The ships took part in Pacific Guard 12 off Callao.")


def test_a_code_set_off_after_the_exercises_title_names_it() -> None:
    assert exercise_names("The Joint Pacific Search and Rescue Exercise, PACSAREX25, began on Monday.") == [
        "PACSAREX25"
    ]
    assert exercise_names("Ships sailed for the drills (ANDEX-25) on Monday.") == ["ANDEX-25"]


def test_words_before_exercise_that_describe_it_are_no_name() -> None:
    from pipeline.strategies.rules.exercise import plausible_exercise_name

    headline = "Joint Pacific search and rescue exercise kicks off"
    assert not plausible_exercise_name("Pacific search and rescue", headline)
    assert plausible_exercise_name("Andes Shield", "Andes Shield exercise kicks off")


def test_a_named_group_including_its_members_gives_the_members() -> None:
    found = roles(
        "Representatives from the Andean Pact member states, including the Republic of Peru and the Republic "
        "of Chile, would monitor the stages of the exercise."
    )
    assert found["observers"] == ["Republic of Peru", "Republic of Chile"]


def test_an_aim_is_no_task_but_the_task_it_is_practised_in_is() -> None:
    # GUIDE §6: what an exercise tests or builds ("interoperability") is its aim, not a rehearsed task.
    assert scenario("The crews practised interoperability in sealing the harbour mouth.") == [
        "sealing the harbour mouth"
    ]
    assert scenario("The cadets focused on readiness and the coordination of the two staffs.") == []


def test_two_bare_words_joined_by_and_are_one_task() -> None:
    assert scenario("The crews trained in search and rescue and in damage control.")[0] == "search and rescue"
    assert scenario("The crews will practise mine clearance, search and rescue and towing.") == [
        "mine clearance", "search and rescue", "towing",
    ]


def test_what_an_exercise_focuses_on_is_its_aim_not_a_task() -> None:
    # In news "focus on" mostly tells what an exercise is for ("strengthening teamwork", "maritime
    # safety"); only verbs of rehearsing tell its tasks.
    assert scenario("The drill focused on strengthening teamwork between the crews of the two navies.") == []
    assert scenario("This year the exercise will focus on maritime safety and emergency response.") == []


def test_the_noun_an_exercise_name_is_given_to_describes_it_when_no_kind_words_do() -> None:
    from pipeline.strategies.rules.exercise import exercise_description

    assert exercise_description("Crews returned after the Amber Shield-2031 drills of the alliance.") == "drills"
    assert exercise_description("Two companies joined the Amber Shield 2031 manoeuvres near Tartu.") == "manoeuvres"
    assert exercise_description("Two companies joined the joint naval drills near Tartu.") == "joint naval drills"
    assert exercise_description("The drills ended on Friday.") is None


def test_exercise_names_after_the_parties_after_the_noun_and_at_a_lines_start() -> None:
    from pipeline.strategies.rules.exercise import exercise_names

    assert exercise_names("A border guard exercise of Norland and Sudland NORSUD-2031 begins on Monday.") == [
        "NORSUD-2031"
    ]
    assert exercise_names("Joint command post drills Amber Shield-2031 were held in May.") == ["Amber Shield-2031"]
    opening = "Menu\n\nSteppe Wind 2031, a peacekeeping training, opened yesterday."
    assert exercise_names(opening) == ["Steppe Wind 2031"]
    assert exercise_names("The COVID-19 rules applied to the crews of the BTR-80 vehicles in the drill.") == []


def test_a_dubbed_name_needs_no_year_and_a_date_is_no_name() -> None:
    from pipeline.strategies.rules.exercise import exercise_names, plausible_exercise_name

    assert exercise_names("The exercises dubbed Amber Host involve the three Baltic countries.") == ["Amber Host"]
    assert exercise_names("A drill code-named Steppe Storm 2031 began.") == ["Steppe Storm 2031"]
    assert not plausible_exercise_name("Baltic News 26 May 2031", "Baltic News 26 May 2031 Home")
    assert plausible_exercise_name("Amber Sea 2031", "Amber Sea 2031 began on Monday.")


def test_kind_words_keep_a_numbers_compound_and_an_apposed_name_gives_the_noun() -> None:
    from pipeline.strategies.rules.exercise import exercise_description

    assert exercise_description("A three-way border guard exercise of Norland and Sudland began.") == (
        "three-way border guard exercise"
    )
    assert exercise_description("The Norland Navy began on June 8 its annual four-day exercise, Amber Sea 2031.") == (
        "exercise"
    )


def test_a_name_before_the_kind_words_may_carry_a_roman_edition_or_a_bracketed_expansion() -> None:
    from pipeline.strategies.rules.exercise import exercise_names

    assert exercise_names("Both navies will hold this week the Fuegan IX joint exercises in the channel.") == [
        "Fuegan IX"
    ]
    assert exercise_names("The army joins the Amberops (Amber Operations) annual military exercise.") == ["Amberops"]
    assert exercise_names("The army joins the I military exercise.") == []


def test_whom_the_participants_join_for_the_exercise_takes_part_too() -> None:
    assert roles(
        "Starting Monday, naval forces from Pacific nations will join the United States, Japan and Chile "
        "for maritime security training in Fiji as part of Exercise Blue Reef 2016."
    )["participants"] == ["Pacific nations", "United States", "Japan", "Chile"]
    assert roles("Polish troops joined US forces in the Iron Wolf exercise.")["participants"] == ["Polish troops", "US"]
    # Joining an alliance is no joining for the exercise.
    assert roles("Chile, which joined the alliance in 2004, took part in the exercise.")["participants"] == ["Chile"]


def test_a_short_form_in_brackets_may_stand_before_the_names_year_and_names_the_same_exercise() -> None:
    from pipeline.record_types.exercise import _identity_key

    sentence = "The Navy-led multinational exercise Southern Operations (SOUTHOPS) 2031 has begun off Arica."
    assert exercise_names(sentence) == ["Southern Operations (SOUTHOPS) 2031"]
    assert _identity_key("name", "Southern Operations (SOUTHOPS) 2031") == _identity_key("name", "SOUTHOPS 2031")
    assert _identity_key("name", "Southern Operations 2031") != _identity_key("name", "Northern Operations 2031")


def test_the_models_name_holds_only_as_the_sentence_writes_it() -> None:
    from pipeline.record_types.exercise import read

    sentence = "The Navy-led multinational exercise Southern Operations (SOUTHOPS) 2031 has begun off Arica."
    unit = Span(0, len(sentence), sentence)
    assert read(sentence, unit, sentence, {"name": "SOUTHOPS 2031"}).overrides["name"] == (
        "Southern Operations (SOUTHOPS) 2031"
    )
    assert "name" not in read(sentence, unit, sentence, {"name": "Southern Operations (SOUTHOPS) 2031"}).overrides


def test_a_title_case_headline_names_no_exercise_by_its_capitals() -> None:
    assert exercise_names("The Joint Exercise") == []
    assert exercise_names("Crews from Chile joined the Kondoritz military exercise.") == ["Kondoritz"]


def test_capitals_before_an_editions_numeral_name_the_exercise() -> None:
    sentence = "Navies of eight states took part in the ANDES LXI exercise that began Monday."
    assert exercise_names(sentence) == ["ANDES LXI"]
    assert exercise_names("Navies of eight states took part in the NATO exercise.") == []


def test_the_members_who_attend_the_exercise_take_part_but_an_attending_official_does_not() -> None:
    assert roles(
        "The exercise will be attended by over 900 members of the Army of Chile and the armed forces of Peru, "
        "Bolivia and Ecuador."
    )["participants"] == ["Army of Chile", "Peru", "Bolivia", "Ecuador"]
    assert roles("The exercise was attended by Defence Minister Ana Ruiz.")["participants"] == []


def test_a_regions_words_before_a_peoples_name_keep_the_group_whole() -> None:
    sentence = "A maritime exercise in the Gulf of Aden, involving East and North African navies, is underway."
    assert roles(sentence)["participants"] == ["East and North African navies"]
    assert roles("China and Kyrgyzstan frontier forces held the drill.")["participants"] == ["China", "Kyrgyzstan"]


def test_a_name_with_its_year_as_what_is_held_names_the_exercise() -> None:
    sentence = "Sea Falcon 2031 is being conducted at sea and ashore, a statement issued by the Chilean Navy said."
    assert exercise_names(sentence) == ["Sea Falcon 2031"]
    assert refers_to_exercise(sentence)
    assert exercise_names("The Amber Fjord 31 began in May.") == ["Amber Fjord 31"]
    # No name and year: a disease's code, a state and a year.
    assert exercise_names("COVID-19 began to spread in May.") == []
    assert exercise_names("Chile 2031 began well.") == []


def test_an_indefinite_exercise_at_the_start_of_a_sentence_is_told_there() -> None:
    from pipeline.strategies.rules.exercise import exercise_description, introduces_exercise, states_time_and_place

    # News leads open with the indefinite article: "A ... exercise" starts an exercise as "a ..." does.
    lead = "A multinational naval exercise off the coast of Tarvia, involving crews from Peru and Chile, is underway."
    assert introduces_exercise(lead)
    assert states_time_and_place(lead)
    assert exercise_description(lead) == "multinational naval exercise"
    assert introduces_exercise("An annual rescue drill began in Arica on Monday.")
    assert not introduces_exercise("Analysts said the exercise went well.")


def test_what_the_exercise_includes_is_its_scenario_not_who_is_in_it() -> None:
    assert scenario(
        "The drills will include joint patrols, the boarding of suspect ships, and rescue operations at sea."
    ) == ["joint patrols", "boarding of suspect ships", "rescue operations at sea"]
    assert scenario("Crews from Vell joined the drills, which also involved the use of smoke grenades.") == [
        "use of smoke grenades",
    ]
    assert scenario("An exercise involving toxic chemicals will take place near Port Vell.") == ["toxic chemicals"]
    assert scenario("Some of the exercise scenarios include countering piracy and fighting oil spills.") == [
        "countering piracy", "fighting oil spills",
    ]
    # Who is in it, counted or named, is no scenario.
    assert scenario("The exercise will involve 2,000 troops from Tarvia and Norland.") == []
    assert scenario("The exercise will include 40 vehicles.") == []
    assert scenario("The minister's visit included talks with the navy.") == []


def test_what_was_carried_out_during_the_exercise_is_its_scenario() -> None:
    assert scenario("During the exercise, the two navies conducted coordinated patrols and joint surveillance.") == [
        "coordinated patrols", "joint surveillance",
    ]
    assert scenario("After the talks, the two navies conducted coordinated patrols.") == []


def test_exercises_such_as_list_tasks() -> None:
    assert scenario(
        "During the training, the soldiers took part in practical exercises such as fighting at close range "
        "and evacuating the wounded."
    ) == ["fighting at close range", "evacuating the wounded"]


def test_list_members_with_no_comma_or_and_between_are_one_task() -> None:
    # The small parser splits "rescue drills" and "mariner skills training" into list members.
    assert scenario(
        "During the exercise, the navies conducted coordinated patrols, joint surveillance operations, "
        "search and rescue drills, and seamanship and mariner skills training."
    ) == ["coordinated patrols", "joint surveillance operations", "search and rescue drills",
          "seamanship and mariner skills training"]


def test_where_a_task_was_practised_is_no_task() -> None:
    assert scenario("More than 3,000 sailors practised the defence of the coast in the Gulf of Riga.") == [
        "defence of the coast",
    ]


def test_a_time_or_the_exercises_counted_parts_are_no_task() -> None:
    assert scenario("The troops practised search and rescue for months.") == ["search and rescue"]
    assert scenario("The exercise will include three distinct phases.") == []
    assert scenario("The exercise will include live firing, in 2031 and 2032.") == ["live firing"]


def test_a_sentence_that_tells_what_was_rehearsed_speaks_of_the_exercise() -> None:
    assert refers_to_exercise("The marines practised boarding a hijacked ferry and freeing its crew.")
    assert refers_to_exercise("Crews simulated a fire in the engine room.")
    assert not refers_to_exercise("The marines returned to their base on Friday.")


def test_a_month_after_the_participants_takes_no_part() -> None:
    found = roles("Peru hosted the exercise with the participation of Chile, Brazil and Ecuador from March 1 to 5.")
    assert found["participants"] == ["Chile", "Brazil", "Ecuador"]


def test_a_numbered_unit_keeps_its_number() -> None:
    # The tagger reads the ordinal apart from the unit's name; the number is part of the name.
    found = roles("Soldiers of the 2nd Cavalry Regiment and the 14th Engineer Brigade took part in Andean Shield.")
    assert found["participants"] == ["2nd Cavalry Regiment", "14th Engineer Brigade"]


def test_a_verb_with_no_object_of_its_own_shares_the_next_one_s() -> None:
    assert scenario("During Andean Shield the crews practised spotting and clearing drifting mines.") == [
        "spotting and clearing drifting mines"
    ]


def test_what_drills_teach_how_to_do_is_the_task() -> None:
    assert scenario("The Andean Shield exercise included drills on how to stop a hijacked ferry.") == [
        "stop a hijacked ferry"
    ]


def test_a_states_name_that_holds_and_stays_one_participant() -> None:
    # The small parser reads "Antigua and Barbuda" in a list as two names.
    found = roles(
        "Marines from 12 member states — Antigua and Barbuda, Belize, Haiti, St. Vincent and the Grenadines, "
        "Trinidad and Tobago — will join sailors from Peru for the drill."
    )
    for state in ("Antigua and Barbuda", "St. Vincent and the Grenadines", "Trinidad and Tobago"):
        assert state in found["participants"]
    assert not {"Antigua", "Barbuda", "Tobago", "Grenadines"} & set(found["participants"])


def test_what_was_part_of_the_drill_took_part() -> None:
    found = roles("The Peruvian corvette Ana Ruiz and the patrol boat Rio Sama were part of the drill.")
    assert "Ana Ruiz" in " ".join(found["participants"])
    assert "Rio Sama" in " ".join(found["participants"])
    # Part of anything else is no taking part.
    assert roles("The corvette Ana Ruiz, which is part of the Peruvian Navy, watched the drill.")["participants"] == []


def test_a_name_the_text_calls_an_exercise_is_the_exercise_hosted() -> None:
    found = roles("In May, Peru will host Andean Shield, the largest exercise ever held in the country.")
    assert found["organizers"] == ["Peru"]


def test_every_vessel_noun_names_who_sent_the_ship() -> None:
    # One list of vessel nouns (prompts/lexicon/bodies.toml) serves ship names and exercise roles.
    found = roles("The drill was hosted by the Peruvian Navy and drew minehunters from Chile and Ecuador.")
    assert found["participants"] == ["Chile", "Ecuador"]


def test_what_a_rehearsing_gerund_exercises_are_the_tasks() -> None:
    found = scenario(
        "During the drill, Peruvian and Chilean units will work together in exercising air defence, "
        "maritime interdiction and amphibious operations."
    )
    assert found == ["air defence", "maritime interdiction", "amphibious operations"]


def test_the_conditions_a_task_was_practised_in_are_no_task() -> None:
    assert scenario("Our sailors practised boarding a burning tanker in rough seas.") == ["boarding a burning tanker"]


def test_a_naming_word_gives_the_name_that_follows_it() -> None:
    assert exercise_names("Code named Operation Desert Lion, the training seeks to sharpen skills.") == [
        "Operation Desert Lion"
    ]
    assert exercise_names("The exercise, codenamed Vigilant Lynx, was held in the north.") == ["Vigilant Lynx"]
    assert exercise_names("A drill dubbed ‘Steel Shield 2031’ began on Monday.") == ["Steel Shield 2031"]


def test_a_name_in_double_marks_next_to_the_exercise_noun_needs_no_year() -> None:
    # Real wire copy: "completed the six-week “X Y Z” military training exercise", "the exercise “X”".
    assert exercise_names("Kenyan and British troops completed the six-week “Savanna Lance Bravo” military "
                          "training exercise.") == ["Savanna Lance Bravo"]
    assert exercise_names('Both navies joined the exercise "Coral Wake" off the coast.') == ["Coral Wake"]
    assert exercise_names('The "Russian-Belarusian" drills began on Monday.') == []
    assert exercise_names('He said the exercise "went well".') == []
    # Single marks set off a second name of an exercise named otherwise (its native name): no name.
    assert exercise_names("The ‘Al-Sakhr Al-Dhahabi’ (Golden Rock) exercise ended.") == []
