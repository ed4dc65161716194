"""AidDelivery read from the dependency parse. Every sentence here is our own invention."""

from __future__ import annotations

import pytest

from pipeline.language.parse import parse
from pipeline.strategies.rules.aid import read_aid, read_sentence, states_specific_aid


def test_giver_goods_receiver_and_status_of_a_handover() -> None:
    reading = read_sentence(
        "The Mexican Navy on Tuesday handed over four interceptor boats to the Guatemalan coast guard."
    )
    assert (reading.donor, reading.recipient) == ("Mexican Navy", "Guatemalan coast guard")
    assert reading.items == [("interceptor boats", 4)]
    assert reading.status == "delivered"


def test_a_weekday_is_not_part_of_the_giver() -> None:
    reading = read_sentence("The Navy Tuesday handed over two new patrol boats to the Coast Guard.")
    assert reading.donor == "Navy"
    assert reading.items == [("patrol boats", 2)]


def test_passive_handover_names_the_giver_after_by() -> None:
    reading = read_sentence("Six radar stations were handed over to the Moldovan Border Police by Germany.")
    assert (reading.donor, reading.recipient) == ("Germany", "Moldovan Border Police")
    assert reading.items == [("radar stations", 6)]


def test_indirect_object_receives_and_conjuncts_are_items() -> None:
    reading = read_sentence("Norway gave the Latvian border guards 20 radios and a dozen thermal cameras.")
    assert (reading.donor, reading.recipient) == ("Norway", "Latvian border guards")
    assert reading.items == [("radios", 20), ("thermal cameras", 12)]


def test_receiving_verb_turns_the_roles_around() -> None:
    reading = read_sentence("The Azerbaijani Navy received two patrol boats from Turkey.")
    assert (reading.donor, reading.recipient) == ("Turkey", "Azerbaijani Navy")
    assert reading.items == [("patrol boats", 2)]
    taken = read_sentence("The Estonian police took delivery of 12 motorboats donated by Finland.")
    assert (taken.donor, taken.recipient, taken.items) == ("Finland", "Estonian police", [("motorboats", 12)])


def test_a_batch_is_looked_through_and_money_is_no_item() -> None:
    reading = read_sentence(
        "Poland has sent a shipment of body armor worth $2 million to the Ukrainian border service."
    )
    assert reading.items == [("body armor", None)]
    assert reading.recipient == "Ukrainian border service"


def test_the_things_a_general_word_includes_are_the_items() -> None:
    reading = read_sentence(
        "The Uruguayan border police received protective gear from Spain, including helmets and 30 flak jackets."
    )
    assert reading.items == [("helmets", None), ("flak jackets", 30)]
    assert (reading.donor, reading.recipient) == ("Spain", "Uruguayan border police")


def test_status_from_the_verb_and_what_governs_it() -> None:
    assert read_sentence("Norway will deliver two cutters to Georgia.").status == "pledged"
    assert read_sentence("Japan pledged to supply ten trucks to the Mongolian army.").status == "pledged"
    assert read_sentence("Poland plans to donate three armored vehicles to the Georgian army.").status == "planned"
    assert read_sentence("Lithuania is training officers of the Georgian Border Police.").status == "ongoing"


def test_helping_verbs_make_their_object_the_receiver() -> None:
    reading = read_sentence("Canada equipped the Jordanian border guards with thermal cameras.")
    assert (reading.donor, reading.recipient, reading.items) == (
        "Canada", "Jordanian border guards", [("thermal cameras", None)],
    )


def test_gate_rejects_hedges_and_nobody_giving() -> None:
    assert states_specific_aid("On May 4 Finland handed over six snowmobiles to the Estonian Border Guard.")
    assert not states_specific_aid("Foreign donors may provide equipment if the reforms continue.")
    assert not states_specific_aid("This visit will give new impetus to our cooperation.")
    assert read_sentence("Western governments provided radios to the border guards.").donor is None


def test_named_program() -> None:
    reading = read_sentence(
        "The radios were delivered through the Canadian Border Capacity Building program to the Malian police."
    )
    assert reading.program == "Canadian Border Capacity Building program"


def test_courses_run_for_a_body_are_aid() -> None:
    reading = read_sentence(
        "In Aktau, the IOM has been running weekly document-fraud courses for officers of the Kazakh Border Service."
    )
    assert (reading.donor, reading.recipient) == ("IOM", "Kazakh Border Service")
    assert reading.items == [("document-fraud courses", None)]
    assert reading.status == "ongoing"


def test_money_pledged_for_goods() -> None:
    reading = read_sentence("Denmark has pledged DKK 3 million for diving equipment for the Latvian Navy.")
    assert (reading.donor, reading.recipient) == ("Denmark", "Latvian Navy")
    assert reading.items == [("diving equipment", None)]
    assert reading.status == "pledged"


def test_a_body_named_by_its_country_is_no_anaphora() -> None:
    # "the army" alone refers back; "the army of Peru" names the receiver.
    reading = read_sentence("Chile has handed over six field kitchens to the army of Peru.")
    assert reading.recipient == "army of Peru"


def test_it_in_what_a_body_says_is_that_body() -> None:
    reading = read_sentence("Peru’s Coast Guard said it had received four patrol boats from Chile.")
    assert (reading.donor, reading.recipient) == ("Chile", "Peru’s Coast Guard")
    # A common noun a state qualifies is a body too: "the Chilean government says it will ...".
    reading = read_sentence("The Chilean government says it will donate two patrol boats to the Peruvian Navy.")
    assert (reading.donor, reading.recipient) == ("Chilean government", "Peruvian Navy")
    # Someone in general says so: no one in particular gives.
    assert read_sentence("Officials say they will donate two patrol boats to the Peruvian Navy.").donor is None


def test_units_of_equipment_listed_with_goods_are_goods() -> None:
    reading = read_sentence(
        "Peru’s navy said it had taken delivery of 12 night-vision goggles and six coastal radar units "
        "donated by Chile."
    )
    assert [d for d, _ in reading.items] == ["night-vision goggles", "coastal radar units"]
    assert [d for d, _ in read_sentence("Chile handed over two boats and trained crews to Peru.").items] == ["boats"]


def test_handed_without_over_is_a_handover_and_a_cue() -> None:
    from pipeline.prompts import load_prompts

    sentence = "The Chilean Navy on Monday handed six rescue boats to the Peruvian coast guard."
    assert states_specific_aid(sentence)
    reading = read_sentence(sentence)
    assert (reading.donor, reading.recipient) == ("Chilean Navy", "Peruvian coast guard")
    assert reading.status == "delivered"
    cues = load_prompts()["aid_delivery"].cues
    assert cues is not None and cues.search(sentence)


def test_a_recipient_that_is_the_donor_again_is_dropped() -> None:
    from pipeline.record_types.aid_delivery import read
    from pipeline.text import Span

    sentence = "The Andean Security Initiative (ASI) funds patrols along the coast."
    model = {"donor": {"name": "Andean Security Initiative (ASI)"}, "recipient": {"name": "Andean Security Initiative"}}
    overrides = read(sentence, Span(0, len(sentence), sentence), sentence, model).overrides
    assert overrides.get("recipient", model["recipient"]) is None


def test_the_place_a_handover_sentence_gives_wins_over_the_model_s() -> None:
    from pipeline.record_types.aid_delivery import read
    from pipeline.text import Span

    sentence = "Japan handed over 12 vehicles to the Peruvian police in Cusco on Monday."
    model = {"donor": {"name": "Japan"}, "location": "Peru"}
    assert read(sentence, Span(0, len(sentence), sentence), sentence, model).overrides["location"] == "Cusco"
    # A sentence that gives no place leaves none: the small model's place is most often the state's.
    sentence = "Japan handed over 12 vehicles to the Peruvian police on Monday."
    assert read(sentence, Span(0, len(sentence), sentence), sentence, model).overrides["location"] is None


def test_a_value_is_money_the_sentence_states_never_a_count() -> None:
    from pipeline.record_types.aid_delivery import read
    from pipeline.text import Span

    sentence = "Tarvia handed over 40 radios to the Vell border guards."
    model = {"donor": {"name": "Tarvia"}, "value": "40"}
    assert read(sentence, Span(0, len(sentence), sentence), sentence, model).overrides["value"] is None
    sentence = "Tarvia handed over 40 radios worth about 700 thousand US dollars to the Vell border guards."
    model = {"donor": {"name": "Tarvia"}, "value": "40"}
    found = read(sentence, Span(0, len(sentence), sentence), sentence, model).overrides["value"]
    assert found == "about 700 thousand US dollars"


def test_training_done_together_and_tasks_are_not_given() -> None:
    joint = (
        "Within its planned activities, the Chilean Navy conducts joint training and exercises at every "
        "opportunity with the ships of allied navies which arrive in the Pacific."
    )
    assert not states_specific_aid(joint)
    helping = "The defence minister said that Peru is helping with a key task through this donation."
    assert read_sentence(helping).items == []
    # A course given to others is still aid.
    assert read_sentence("The OSCE ran monthly patrol courses for officers of the Border Service.").items == [
        ("patrol courses", None)
    ]


def test_members_of_a_state_are_named_whole_and_members_of_a_body_by_the_body() -> None:
    assert read_sentence("Japan handed over two boats to the coast guard of Peru.").recipient == "coast guard of Peru"
    assert read_sentence("Japan handed over two boats to officers of the Peruvian Coast Guard.").recipient == (
        "Peruvian Coast Guard"
    )


def test_the_body_a_delivery_to_a_state_is_for_is_the_recipient() -> None:
    reading = read_sentence("Japan handed over ten radios to Peru for its border police.")
    assert reading.recipient == "border police"
    assert read_sentence("Japan handed over ten radios to Peru for training.").recipient == "Peru"


def test_the_receiver_before_the_goods_after_to() -> None:
    # "handed over to Peru two patrol boats": the parser reads "Peru" as a modifier of "boats".
    reading = read_sentence("Japan has handed over to Peru two patrol boats.")
    assert (reading.donor, reading.recipient, reading.items) == ("Japan", "Peru", [("patrol boats", 2)])


def test_goods_a_colon_lists_after_the_noun_announcing_them() -> None:
    reading = read_sentence(
        "Chile provided the following equipment: 12 patrol boats Defender 25; 6 minibuses Ford Transit; "
        "40 thermal cameras."
    )
    assert reading.items == [("patrol boats", 12), ("minibuses", 6), ("thermal cameras", 40)]
    listed = read_sentence("Chile provided the following equipment: 12 patrol boats, 6 minibuses and 40 radios.")
    assert listed.items == [("patrol boats", 12), ("minibuses", 6), ("radios", 40)]


def test_a_bare_number_is_no_one() -> None:
    from pipeline.strategies.rules.phrases import is_specific_actor

    assert not is_specific_actor("25")
    assert is_specific_actor("Peruvian Navy")


def test_where_the_handover_ceremony_was_held_is_the_deliverys_place() -> None:
    from pipeline.strategies.rules.aid import ceremony_place, refers_to_delivery

    assert ceremony_place("The equipment handover ceremony took place yesterday in Callao.") == "Callao"
    held_at = ceremony_place("A handover ceremony was held at the Pisco navy barracks in Ica.")
    assert held_at is not None and held_at.startswith("the Pisco navy barracks")
    assert refers_to_delivery("The handover ceremony took place in Lima on Monday.")
    assert ceremony_place("The ceremony marked the navy's anniversary.") is None


def test_what_is_said_or_the_package_itself_is_no_goods() -> None:
    assert read_sentence("Opening remarks were given by Chilean Senator Ana Ruiz.").items == []
    assert read_sentence("The minister delivered a speech to the cadets of the Peruvian Navy.").items == []
    assert read_sentence("Chile handed over the donation to the Peruvian Navy.").items == []
    assert read_sentence("The Chilean envoy handed a letter from his president to the Peruvian minister.").items == []
    assert read_sentence("Chile handed over two boats to the Peruvian Navy.").items == [("boats", 2)]


def test_where_no_one_is_said_to_give_the_one_who_paid_gives() -> None:
    paid = read_sentence(
        "Rescue gear was donated to the Norland National Guard with the financial support of the Danish government."
    )
    assert (paid.donor, paid.recipient) == ("Danish government", "Norland National Guard")
    # GUIDE §7: the programme that channels it is the programme; who funds it gives.
    funded = read_sentence("The police now have 300 helmets thanks to their provision by the EU-funded ABC Programme.")
    assert (funded.donor, funded.program) == ("EU", "ABC Programme")
    office = read_sentence("The ABC Programme Office in Dushanbe handed over ten cameras to the border troops.")
    assert office.donor == "ABC Programme Office"
    # A named giver stays the giver: the body that paid for it is no second donor.
    assert read_sentence("Japan handed over ten boats to Norland with the support of UNDP.").donor == "Japan"


def test_goods_named_by_their_kind_give_way_to_the_list_a_relative_clause_gives() -> None:
    from pipeline.record_types.aid_delivery import read
    from pipeline.text import Span

    sentence = (
        "Norland handed over protective equipment to the Sudland border troops, which includes 830 protective "
        "suits and 1 000 facemasks."
    )
    overrides = read(sentence, Span(0, len(sentence), sentence), sentence, {}).overrides
    assert overrides["items"] == [
        {"description": "protective suits", "quantity": 830}, {"description": "facemasks", "quantity": 1000},
    ]


def test_people_sent_to_an_exercise_are_no_goods() -> None:
    assert read_sentence("The Army of Chile sends 75 members, and 25 members come from Peru.").items == []
    assert read_sentence("The Army of Chile sends 75 radios to Peru.").items == [("radios", 75)]


def test_a_body_of_a_state_is_named_whole_when_the_tagger_ends_it_on_of() -> None:
    reading = read_sentence(
        "The Chilean ambassador handed 40 radios to the border troops of the State Security Service of the "
        "Republic of Peru."
    )
    assert reading.recipient == "border troops of the State Security Service of the Republic of Peru"


def test_a_body_told_of_by_a_common_noun_is_the_body_named_so_before() -> None:
    text = (
        "Chile gave two launches to the Coast Guard Service of the Peruvian Navy in May. "
        "Chile will deliver three more launches to the coast guard next year."
    )
    start = text.index("Chile will")
    reading = read_aid(parse(text), start, len(text), text[start:])
    assert reading.recipient == "Coast Guard Service of the Peruvian Navy"


def test_a_body_told_of_by_a_common_noun_and_never_named_is_no_recipient() -> None:
    assert read_sentence("Chile will deliver three launches to the coast guard next year.").recipient is None


def test_a_common_noun_that_two_named_bodies_share_names_neither() -> None:
    text = (
        "Crews from the Coast Guard of Chile and the Coast Guard of Peru trained together in May. "
        "Japan gave three launches to the coast guard in June."
    )
    start = text.index("Japan gave")
    assert read_aid(parse(text), start, len(text), text[start:]).recipient is None


def test_would_in_what_a_past_speech_verb_reports_is_a_pledge() -> None:
    # "said it would donate" is the reported "will donate"; "would ... if asked" stays a condition.
    reading = read_sentence("Chile said it would donate two patrol boats to the Peruvian Navy.")
    assert (reading.donor, reading.recipient, reading.status) == ("Chile", "Peruvian Navy", "pledged")
    assert read_sentence("Chile would donate two patrol boats to the Peruvian Navy if asked.").transfers == 0


def test_the_programme_that_channels_aid_after_under_through_or_as_part_of() -> None:
    def program(sentence: str) -> str | None:
        return read_sentence(sentence).program

    assert program(
        "Tarvia handed over two boats to Vell under Tarvia's Grant Aid for the Coastal Development Program."
    ) == "Grant Aid for the Coastal Development Program"
    assert program(
        "Seven ambulances were donated to Norland through the Tarvian Civil Protection Mechanism."
    ) == "Tarvian Civil Protection Mechanism"
    # "in the frames of", "as part of": the frame noun's "of" names it; its abbreviation is no part of it.
    assert program(
        "Norland gave Vell rescue gear in the frames of the Substantial Norland-Vell Package (SNVP)."
    ) == "Substantial Norland-Vell Package"
    assert program(
        "Tarvia gave the Vell police ten jeeps under its programme of Security, Order and Fight against Crime."
    ) == "Security, Order and Fight against Crime"
    assert program(
        "Tarvia delivered ten radios to Vell through the Disarmament Fund funded by the Foreign Office."
    ) == "Disarmament Fund"
    # A body, an agreement or a people's aid is no programme.
    assert program("The US handed over five jeeps to Vell through the Embassy.") is None
    assert program("Tarvia gave Vell 20 trucks under the memorandum signed in May.") is None
    assert program("The vehicles were donated to Vell through Japanese aid.") is None


def test_a_grant_from_a_state_names_who_paid() -> None:
    reading = read_sentence(
        "On Friday the Vell Coast Guard took delivery of six boats bought with a grant of $1.2 million from Tarvia."
    )
    assert (reading.donor, reading.recipient) == ("Tarvia", "Vell Coast Guard")


def test_a_ceremony_that_hands_over_nothing_named_is_the_place_of_the_delivery_told() -> None:
    from pipeline.record_types.aid_delivery import read
    from pipeline.text import Span

    text = (
        "Tarvia handed over 21 vehicles to the Vell army on Monday. "
        "A handover ceremony was held at the Norland barracks in Vell, where the minister said that "
        "Tarvia is helping with a key task."
    )
    start = text.index("A handover")
    unit = Span(start, len(text), text[start:])
    overrides = read(text, unit, unit.text, {}).overrides
    assert overrides["location"] == "the Norland barracks in Vell"
    # Who speaks at the ceremony gives and receives nothing new: the place joins the delivery told.
    assert (overrides["donor"], overrides["recipient"], overrides["status"]) == (None, None, None)


def test_who_comes_to_hand_over_is_the_giver_but_an_event_is_not() -> None:
    reading = read_sentence(
        "The Japanese ambassador came to the border post on Tuesday to hand over 40 radios to the Kyrgyz border guards."
    )
    assert (reading.donor, reading.recipient) == ("Japanese ambassador", "Kyrgyz border guards")
    assert reading.items == [("radios", 40)]
    reading = read_sentence(
        "A ceremony took place in Osh to deliver three patrol boats from the United States to the navy of Kyrgyzstan."
    )
    assert (reading.donor, reading.recipient) == ("United States", "navy of Kyrgyzstan")


def test_transmitted_and_furnished_are_handovers() -> None:
    reading = read_sentence("Japan transmitted 40 radios and two trucks to the Kyrgyz border guards.")
    assert (reading.donor, reading.recipient) == ("Japan", "Kyrgyz border guards")
    assert reading.items == [("radios", 40), ("trucks", 2)]
    reading = read_sentence("Japan furnished the Kyrgyz border guards with 40 radios.")
    assert (reading.donor, reading.recipient, reading.items) == ("Japan", "Kyrgyz border guards", [("radios", 40)])


def test_a_receiver_supplied_with_goods_in_the_passive() -> None:
    reading = read_sentence("The Kyrgyz border guards were supplied with 40 radios last week.")
    assert (reading.recipient, reading.items) == ("Kyrgyz border guards", [("radios", 40)])


def test_a_receiver_equipped_with_goods_in_the_passive() -> None:
    reading = read_sentence("The Peruvian police have been equipped with 12 vehicles funded by Japan.")
    assert (reading.donor, reading.recipient, reading.items) == ("Japan", "Peruvian police", [("vehicles", 12)])


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # A long object comes after the "to" phrase; the parser hangs it on the receiver.
        ("Japan handed over to Peru's border service 40 radios.", ("Japan", "Peru's border service", [("radios", 40)])),
        # A delivery noun names its giver after its goods.
        ("The delivery of 40 radios from Japan to Peru took place on Monday.", ("Japan", "Peru", [("radios", 40)])),
        # The keys handed over stand for the vehicles.
        ("Japan handed over the keys of 12 vehicles to the Peruvian police.",
         ("Japan", "Peruvian police", [("vehicles", 12)])),
    ],
)
def test_goods_and_giver_in_less_common_orders(sentence: str, expected: tuple[str, str, list[tuple[str, int]]]) -> None:
    reading = read_sentence(sentence)
    assert (reading.donor, reading.recipient, reading.items) == expected


def test_the_state_an_envoy_is_posted_to_is_no_recipient() -> None:
    reading = read_sentence(
        "The boats were handed over by the Ambassador of Japan to Chile, Akio Tanaka, to the Chilean Navy."
    )
    assert reading.recipient == "Chilean Navy"
    reading = read_sentence(
        "The consignment was formally handed over today by Ambassador of Japan to Chile Akio Tanaka."
    )
    assert reading.recipient is None
    # A giver's "to" that completes no title still names who receives.
    assert read_sentence("The ambassador handed over two boats to Chile.").recipient == "Chile"


def test_an_envoy_named_only_by_the_state_gives_for_that_state() -> None:
    from pipeline.record_types.aid_delivery import read
    from pipeline.text import Span

    text = ("China and Malawi are close partners. The equipment was handed over to the police by the "
            "Chinese Ambassador on Friday.")
    unit = Span(text.index("The equipment"), len(text), text[text.index("The equipment"):])
    assert read(text, unit, unit.text, {}).overrides["donor"] == {"name": "China"}
    sentence = "Two boats were handed over to the coast guard by the US Ambassador on Thursday."
    assert read(sentence, Span(0, len(sentence), sentence), sentence, {}).overrides["donor"] == {"name": "US"}


def test_a_body_of_a_state_whose_name_holds_and_is_named_whole() -> None:
    # The parser reads "Bosnia and Herzegovina" as two conjoined names; the recipient is the whole body.
    sentence = "The European Union handed over drones to the Border Police of Bosnia and Herzegovina in Mostar."
    assert read_sentence(sentence).recipient == "Border Police of Bosnia and Herzegovina"
    assert read_sentence("Tarvia donated two boats to Trinidad and Tobago.").recipient == "Trinidad and Tobago"


def test_the_unit_things_are_counted_in_is_looked_through() -> None:
    # "100 pieces of anti-riot suits": the goods are the suits, counted by the pieces.
    reading = read_sentence("Japan donated 100 pieces of anti-riot suits and 30 pcs of camp beds to the Kenyan police.")
    assert reading.items == [("anti-riot suits", 100), ("camp beds", 30)]
