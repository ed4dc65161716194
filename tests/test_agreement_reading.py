"""The agreement reading from spaCy's parse, on sentences of our own."""

import pytest

from pipeline.strategies.rules.agreement import read_sentence, states_agreement


def test_conjoined_subjects_kind_status_subject() -> None:
    sentence = "Armenia, Georgia and Azerbaijan signed a memorandum on wildfire response in Batumi on July 9."
    assert states_agreement(sentence)
    reading = read_sentence(sentence)
    assert reading.parties == ["Armenia", "Georgia", "Azerbaijan"]
    assert reading.facts == {"kind": "memorandum", "status": "signed", "subject": "wildfire response"}


def test_between_parties_under_negotiation() -> None:
    reading = read_sentence("A protocol between Kazakhstan and Russia on river patrols remains under negotiation.")
    assert reading.parties == ["Kazakhstan", "Russia"]
    assert reading.facts["kind"] == "other"
    assert reading.facts["status"] == "negotiating"


def test_titled_people_are_the_parties() -> None:
    reading = read_sentence(
        "On Monday, Finnish Interior Minister Aino Lehtonen and Estonian Ambassador to Finland Mart Kask signed "
        "an agreement on ferry inspections."
    )
    # The second name is not an entity for the small parser: its surname, which actors expand to the full name.
    assert reading.parties[0] == "Aino Lehtonen" and reading.parties[1].endswith("Kask")
    assert reading.facts["subject"] == "ferry inspections"


def test_first_person_agreed_with() -> None:
    reading = read_sentence("“We have agreed with the Moldovan Border Police to share radar data,” Rusu said.")
    assert reading.parties == ["We", "Moldovan Border Police"]
    assert reading.facts["status"] == "agreed"


def test_the_two_sides_are_the_two_parties_named_before() -> None:
    reading = read_sentence(
        "Norway and Iceland held talks in Oslo, and the two sides signed a roadmap on fisheries patrols."
    )
    assert reading.parties == ["Norway", "Iceland"]
    assert reading.facts["kind"] == "other"
    assert reading.facts["status"] == "signed"


def test_expected_to_sign_is_agreed_and_promises_of_aid_are_not_agreements() -> None:
    reading = read_sentence("Poland and Lithuania were expected to sign a treaty on air policing.")
    assert reading.facts == {"kind": "treaty", "status": "agreed", "subject": "air policing"}
    assert not states_agreement("The United Kingdom has agreed to provide a training course for customs officers.")
    assert states_agreement("Chile and Peru agreed on a plan to share coastal radar data.")


def test_between_on_the_signing_names_the_parties() -> None:
    reading = read_sentence(
        "His visit made possible the signing of accords on closer cooperation between the Naval Academy "
        "and one of the leading U.S. maritime colleges."
    )
    assert reading.parties[:1] == ["Naval Academy"]
    assert len(reading.parties) == 2


def test_what_governments_usually_sign_is_not_a_signing() -> None:
    assert not states_agreement("Coastal states sign fishing accords with great ceremony and rarely enforce them.")
    assert states_agreement("Officials sign deal on shared fishing grounds.")
    assert states_agreement("Chile and Peru signed fishing accords on Monday.")


def test_signed_with_a_counterpart_named_in_apposition() -> None:
    reading = read_sentence("Ana Ruiz signed with her Peruvian counterpart Jorge Silva an agreement on fisheries.")
    assert reading.parties == ["Ana Ruiz", "Jorge Silva"]
    assert read_sentence("Chile signed with its neighbour Peru a treaty on fisheries.").parties == ["Chile", "Peru"]
    # The small English model may read the name after the noun as a clause of its own ("Kairat
    # Ospanov an agreement", with the surname as its verb): it is still the counterpart.
    reading = read_sentence(
        "Minister of Defense of Chile Ana Ruiz in Santiago has signed with his Kazakh counterpart Kairat Ospanov "
        "an agreement on defense cooperation."
    )
    assert "Kairat Ospanov" in reading.parties


def test_a_person_entity_that_took_in_the_state_before_it_starts_at_the_name() -> None:
    from spacy.tokens import Span

    from pipeline.language.parse import parse
    from pipeline.strategies.rules.agreement import _person_start

    doc = parse("It was signed by the Minister of Defence of Chile Ana Maria Ruiz.").copy()
    at = [t.text for t in doc].index("Chile")
    glued = Span(doc, at, at + 4, label="PERSON")  # what the small tagger sometimes makes: "Chile Ana Maria Ruiz"
    assert doc[_person_start(glued) : glued.end].text == "Ana Maria Ruiz"
    assert _person_start(Span(doc, at + 1, at + 4, label="PERSON")) == at + 1


def test_a_state_ratifies_through_its_organs_and_is_the_party() -> None:
    reading = read_sentence(
        "Chile’s President Ana Ruiz ratified the agreement on fisheries cooperation with Peru, the press office said."
    )
    assert reading.parties == ["Chile", "Peru"]
    assert read_sentence("The treaty with Peru was ratified by the parliament of Chile.").parties == ["Chile", "Peru"]
    assert read_sentence("Chile and Peru ratified the treaty on Monday.").parties == ["Chile", "Peru"]


def test_a_headlines_comma_joins_the_parties() -> None:
    # The parser reads these title lines in several ways (two subjects, a root name, one subject).
    for headline, parties in (
        ("Chile, Peru signed defence co-operation plan", ["Chile", "Peru"]),
        ("Latvia, Estonia sign border agreement", ["Latvia", "Estonia"]),
        ("Georgia, Armenia to sign border agreement", ["Georgia", "Armenia"]),
        ("United States, Peru will sign border agreement", ["United States", "Peru"]),
    ):
        assert read_sentence(headline).parties == parties, headline


def test_a_counterpart_coordinated_with_the_subject_is_the_person_named() -> None:
    # The entity tagger misses the second name here; it stands in apposition to "counterpart".
    reading = read_sentence(
        "Peru's President Luis Quispe and his Chilean counterpart Ana Ruiz will sign a border agreement on March 12."
    )
    assert reading.parties == ["Luis Quispe", "Ana Ruiz"]


def test_a_list_of_signers_read_as_an_apposition_and_governments_of_states() -> None:
    reading = read_sentence(
        "The Pacific Fisheries Agency (PFA), the Governments of Chile and Peru and the Andean Development Bank "
        "(ADB) signed off today on a new, two and half year project."
    )
    assert reading.parties == ["Pacific Fisheries Agency", "Chile", "Peru", "Andean Development Bank"]
    assert read_sentence("The Governments of Chile and Peru signed a fisheries treaty.").parties == ["Chile", "Peru"]


def test_a_signing_still_ahead_is_an_agreement_expected() -> None:
    assert read_sentence("Chile and Peru will sign a border agreement on March 12.").facts["status"] == "agreed"
    assert read_sentence("Chile, Peru to sign border agreement Wednesday").facts["status"] == "agreed"
    assert read_sentence("Chile and Peru have signed a border treaty.").facts["status"] == "signed"


def test_a_plural_title_before_the_signers_names_is_no_party() -> None:
    from pipeline.strategies.rules.agreement import read_agreement

    sentence = (
        "Chilean and Peruvian Defense Ministers, Ana Ruiz and Jorge Silva respectively, signed Wednesday an "
        "agreement for cooperation in the defense sector."
    )
    assert read_agreement(sentence, 0, len(sentence)).parties == ["Ana Ruiz", "Jorge Silva"]


def test_where_the_signing_took_place_continues_the_agreement() -> None:
    from pipeline.strategies.rules.agreement import states_signing_place

    assert states_signing_place("Officials said the signing took place on May 3 in Peru’s capital, Lima.")
    assert states_signing_place("The signing ceremony was held in Santiago on Friday.")
    assert not states_signing_place("The ceremony took place in the main hall.")  # no named place
    assert not states_signing_place("The talks took place in Lima.")


def test_the_two_countries_a_document_is_between_are_the_states_named_before() -> None:
    from pipeline.strategies.rules.agreement import read_agreement

    sentence = (
        "Joint drills of the armed forces of the Republic of Chile and the Republic of Peru began in Arica on "
        "May 3 under a memorandum signed between the governments of the two countries, the ministry said."
    )
    assert read_agreement(sentence, 0, len(sentence)).parties == ["Republic of Chile", "Republic of Peru"]


def test_between_the_ministry_of_a_and_the_ministry_of_b() -> None:
    from pipeline.strategies.rules.agreement import read_agreement

    sentence = (
        "The cabinet approved the signing of a Memorandum of Understanding between the Interior Ministry (MAI) "
        "of Chile and the Ministry of Interior of Peru."
    )
    assert read_agreement(sentence, 0, len(sentence)).parties == [
        "Interior Ministry (MAI) of Chile", "Ministry of Interior of Peru"
    ]


def test_a_city_beside_the_signers_is_where_not_who() -> None:
    from pipeline.strategies.rules.agreement import read_agreement

    sentence = (
        "During the Turkmen president’s two-day visit to Lima, Karimovski and Rahmonovich also were expected to "
        "sign eight other documents -- including a treaty on border demarcation."
    )
    assert read_agreement(sentence, 0, len(sentence)).parties == ["Karimovski", "Rahmonovich"]
    two_cities = "Moscow and Ankara signed an agreement on grain."
    assert read_agreement(two_cities, 0, len(two_cities)).parties == ["Moscow", "Ankara"]


def test_an_and_inside_one_organisations_name_parts_no_names() -> None:
    reading = read_sentence("Norland signed a working arrangement with the European Border and Coast Guard Agency.")
    assert reading.parties == ["Norland", "European Border and Coast Guard Agency"]
    centre = read_sentence("The plan was signed between Norland and the Research and Development Centre of Sudland.")
    assert centre.parties == ["Norland", "Research and Development Centre of Sudland"]


def test_the_two_sides_are_the_pair_named_after_them_or_two_sentences_before() -> None:
    # The parser joins the next clause's "this" to the pair; a pronoun is no party.
    sentence = ("The two sides signed seven pacts after a summit meeting between Prime Minister Ana Ruiz and "
                "Peruvian Prime Minister Luis Cano and this included a memorandum on coastal radars.")
    assert read_sentence(sentence).parties == ["Ana Ruiz", "Luis Cano"]
    text = ("The presidents of Chile and Peru met in Lima. The talks were long. "
            "Both leaders also agreed to expedite work on a credit line.")
    assert read_sentence(text).parties == ["Chile", "Peru"]


def test_a_definite_thing_signed_by_named_signers_refers_back() -> None:
    from pipeline.strategies.rules.agreement import names_signers_of_agreement_told

    assert names_signers_of_agreement_told("The partnership was signed in Lima by Ana Ruiz and Luis Paz.")
    assert names_signers_of_agreement_told("The memorandum signed by Ana Ruiz and Luis Paz will allow drills.")
    assert not names_signers_of_agreement_told("A memorandum was signed by Chile and Peru.")
    # A day the parser takes for a second subject is not what was signed.
    assert not names_signers_of_agreement_told(
        "On July 3, the final day of the drill, a memorandum on sharing sonar data was signed in Callao by the Navy "
        "of Chile and the Navy of Peru."
    )
    assert not names_signers_of_agreement_told("Chile and Peru signed the memorandum.")


def test_a_title_whose_office_holds_and_is_one_party() -> None:
    from pipeline.strategies.rules.agreement import read_agreement

    text = "The document was signed by Minister of Foreign Affairs and International Cooperation Ana Ruiz in Lima."
    assert read_agreement(text, 0, len(text)).parties == [
        "Minister of Foreign Affairs and International Cooperation Ana Ruiz"
    ]
    text = "The deal was signed by Chilean Defence Minister Ana Ruiz and Peruvian Defence Minister Luis Paz."
    assert read_agreement(text, 0, len(text)).parties == ["Ana Ruiz", "Luis Paz"]


def test_an_agreement_one_party_has_with_another_is_a_document_between_them() -> None:
    # Agreements are often named in passing, by who holds them or what was agreed between whom.
    assert states_agreement("The boats are part of the coast guard's technical agreement with the Norland Navy.")
    assert states_agreement("The drill is one of the measures agreed between Tarvia and Norland at the Vell summit.")
    assert states_agreement("The navies first held the drill in 2031 upon an agreement by their defence ministers.")
    assert not states_agreement("Tarvia's cooperation with Norland keeps growing.")
    assert not states_agreement("The measures were discussed between Tarvia and Norland at the Vell summit.")


def test_what_a_memorandum_of_understanding_is_about() -> None:
    reading = read_sentence("Peru and Chile signed a memorandum of understanding on border security cooperation.")
    assert (reading.facts["kind"], reading.facts["subject"]) == ("memorandum", "border security cooperation")


def test_an_mou_is_a_memorandum() -> None:
    reading = read_sentence("Peru and Chile signed an MoU on border security cooperation.")
    assert (reading.facts["kind"], reading.facts["subject"]) == ("memorandum", "border security cooperation")


def test_on_behalf_of_says_for_whom_not_what_about() -> None:
    reading = read_sentence("The document was signed by John Miller on behalf of Peru.")
    assert "subject" not in reading.facts


def test_the_agreement_told_before_has_the_parties_named_before() -> None:
    from pipeline.strategies.rules.agreement import read_agreement

    text = ("Chile and Peru signed a memorandum on coastal radar data on Monday. "
            "The agreement was signed at the end of a two-day meeting in Lima.")
    second = text.index("The agreement")
    reading = read_agreement(text, second, len(text))
    assert reading.parties == ["Chile", "Peru"]
    assert reading.reach is not None and reading.reach[0] == 0
    # An indefinite agreement refers to nothing told before; two groups before are ambiguous.
    other = ("Chile and Peru signed a memorandum on coastal radar data on Monday. "
             "An agreement on fisheries was also signed in Lima.")
    assert read_agreement(other, other.index("An agreement"), len(other)).parties == []
    two = ("Chile and Peru met Bolivia and Ecuador in Lima on Monday. "
           "The agreement was signed at the end of the meeting.")
    assert read_agreement(two, two.index("The agreement"), len(two)).parties == []


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        # A definite agreement whose sentence and the two before name no one: the lead's parties.
        ("Chile and Peru signed a memorandum on coastal radar data on Monday. The ministers toured the port. "
         "Talks covered fishing quotas. The agreement was signed at the end of a two-day meeting in Lima.",
         "The agreement"),
        # "The two sides" told three sentences after the lead that names them.
        ("Chile and Peru held defence talks in Lima on Monday. The ministers toured the port. "
         "Talks covered fishing quotas. The two sides signed a roadmap on coastal radar data.",
         "The two sides"),
        # "The two ministers" stands for the parties as "the two sides" does.
        ("Chile and Peru held defence talks in Lima on Monday. "
         "The two ministers signed a roadmap on coastal radar data.",
         "The two ministers"),
        # "They" as the signers: the group named before.
        ("Chile and Peru held defence talks in Lima on Monday. They signed an agreement on coastal radar data.",
         "They signed"),
    ],
)
def test_a_reference_back_has_the_parties_named_before(text: str, reference: str) -> None:
    from pipeline.strategies.rules.agreement import read_agreement

    assert read_agreement(text, text.index(reference), len(text)).parties == ["Chile", "Peru"]


def test_a_state_whose_name_holds_and_is_one_party() -> None:
    from pipeline.strategies.rules.agreement import read_sentence

    found = read_sentence("Peru and Bosnia and Herzegovina have signed two agreements on cross-border cooperation.")
    assert found.parties == ["Peru", "Bosnia and Herzegovina"]


def test_the_people_who_sign_are_the_parties_not_the_bodies_they_sign_between() -> None:
    reading = read_sentence(
        "The same day, Vice Admiral Tomas Vela and Rear Admiral Ruth Okafor signed a cooperation agreement "
        "between the Chilean Navy and the Nigerian Hydrographic Office."
    )
    assert reading.parties == ["Tomas Vela", "Ruth Okafor"]


def test_a_title_the_tagger_takes_for_a_person_is_no_signer() -> None:
    # The small tagger reads "Tajik Defense" as a person's name; a person's name has no title words.
    reading = read_sentence(
        "Kyrgyz Defense Minister Talant Osmonov and Tajik Defense Minister Rustam Nazarov signed an agreement "
        "in Khujand on May 12 on joint patrols."
    )
    assert reading.parties == ["Talant Osmonov", "Rustam Nazarov"]


def test_each_signing_for_a_state_names_one_signer() -> None:
    reading = read_sentence(
        "At the ceremony held at the Ministry of Defence in Santiago, the Permanent Secretary of the Ministry, "
        "Dr Ana Morales Vidal signed for Chile while the Assistant Minister of Defence of Peru, Major General "
        "Luis Paz Soto signed for his country."
    )
    # The tagger takes the courtesy title into the name; the actor rules drop it.
    assert reading.parties == ["Dr Ana Morales Vidal", "Luis Paz Soto"]
    # A subject the entity tagger does not know as a person, read by the name's form.
    reading = read_sentence("Dr Ana Morales signed for Chile and Major General Luis Paz signed for Peru.")
    assert reading.parties == ["Dr Ana Morales", "Luis Paz"]


@pytest.mark.parametrize(
    ("sentence", "topics"),
    [
        ("Chile and Peru signed agreements on fisheries, border security and disaster relief.",
         ["fisheries", "border security", "disaster relief"]),
        ("Chile and Peru signed six memoranda in the fields of science and technology, energy, and ports and "
         "harbours, which will take effect next year.", ["science and technology", "energy", "ports and harbours"]),
        ("Chile and Peru have signed four bilateral deals, spanning trade, energy and water management sectors.",
         ["trade", "energy", "water management"]),
        ("Chile and Peru signed ten agreements in the economic, cultural and tourism sectors.",
         ["economic", "cultural", "tourism"]),
    ],
)
def test_documents_listed_by_topic_are_one_record_per_topic(sentence: str, topics: list[str]) -> None:
    reading = read_sentence(sentence)
    assert reading.topics == topics
    assert reading.facts["subject"] == topics[0]


def test_one_document_about_two_topics_is_one_record() -> None:
    reading = read_sentence("Chile and Peru signed an agreement on fisheries and border security.")
    assert reading.topics == [] and reading.facts["subject"] == "fisheries and border security"


def test_the_two_leaders_are_the_two_people_named_before() -> None:
    from pipeline.strategies.rules.agreement import read_agreement

    text = ("Chilean President Maria Gonzalez met Peruvian President Luis Paz in Lima on Monday. "
            "The two leaders agreed to work closely together on fisheries.")
    start = text.index("The two leaders")
    assert read_agreement(text, start, len(text)).parties == ["Maria Gonzalez", "Luis Paz"]
    # One person named for "the two leaders": no one is guessed.
    text = ("Chilean President Maria Gonzalez arrived in Lima on Monday. "
            "The two leaders agreed to work closely together on fisheries.")
    start = text.index("The two leaders")
    assert read_agreement(text, start, len(text)).parties == ["two leaders"]


def test_unnamed_representatives_of_states_give_the_states() -> None:
    reading = read_sentence("Representatives of Chile, Peru and Bolivia signed the convention on Monday.")
    assert reading.parties == ["Chile", "Peru", "Bolivia"]
    # Officials of something that is no state stay as the text names them.
    assert read_sentence("Officials of the two ministries signed a memorandum.").parties == [
        "Officials of the two ministries"
    ]


def test_a_model_subject_that_names_the_document_or_the_act_is_no_subject() -> None:
    from pipeline.record_types.agreement import read
    from pipeline.strategies.rules.agreement import names_no_topic
    from pipeline.text import Span

    assert names_no_topic("MoU") and names_no_topic("the agreement") and names_no_topic("signed")
    assert not names_no_topic("border security") and not names_no_topic("defence")
    # The sentence's parse names no topic here; the model's "MoU" is the document, not what it is about.
    text = "Tarvia and Vellia signed an MoU in Lisbon on Monday."
    assert read(text, Span(0, len(text), text), text, {"subject": "MoU"}).overrides["subject"] is None
    kept = read(text, Span(0, len(text), text), text, {"subject": "coastal patrols"}).overrides
    assert "subject" not in kept  # a topic the model read stays the model's


def test_a_signing_of_several_documents_and_words_that_name_no_topic() -> None:
    from pipeline.strategies.rules.agreement import tells_several_documents

    assert tells_several_documents("Tarvia and Vell signed six key agreements on Monday.")
    assert tells_several_documents("The two ministers initialled memoranda on fisheries and mining.")
    assert not tells_several_documents("Tarvia and Vell signed an agreement on fisheries on Monday.")
    # "key", "several": how many or how much the documents matter, not what they are about.
    for words in ("six key agreements", "several agreements", "four important memoranda"):
        reading = read_sentence(f"Tarvia and Vell signed {words} on Monday.")
        assert reading.facts.get("subject") is None, words


def test_documents_whose_topics_a_later_sentence_lists_are_one_each() -> None:
    # After "Tarvia and Vell signed six agreements", a sentence may list them by what they cover.
    sentence = "Other agreements cover fisheries, mining and energy."
    assert states_agreement(sentence)
    assert read_sentence(sentence).topics == ["fisheries", "mining", "energy"]
    further = read_sentence("Two further memoranda cover tourism and rail transport.")
    assert further.topics == ["tourism", "rail transport"]
    # One document about two topics is one agreement, and says no signing of its own.
    assert not states_agreement("The agreement covers fisheries and mining.")
    assert read_sentence("The agreement covers fisheries and mining.").topics == []


def test_one_of_several_documents_told_by_what_it_holds() -> None:
    # After "Tarvia and Vell signed two agreements": "The first agreement stipulates X", "the second
    # concerns Y" are the two documents, each about what its verb says it holds.
    first = "The first agreement stipulates joint control of the Port Vell checkpoint."
    assert states_agreement(first)
    assert read_sentence(first).facts["subject"] == "joint control of the Port Vell checkpoint"
    assert read_sentence("Another memorandum covers fisheries.").facts["subject"] == "fisheries"
    # "The agreement concerns X" speaks of the one document told before: no signing of its own.
    assert not states_agreement("The agreement concerns fisheries.")


def test_both_countries_are_the_two_states_the_headline_names() -> None:
    from pipeline.strategies.rules.agreement import read_agreement

    text = (
        "Chile, Peru agree to curb smuggling\n\n"
        "Officials met in Arica for a week.\n"
        "Experts from the two countries examined trade.\n"
        "On fisheries, both countries agreed to set joint quotas.\n"
    )
    start = text.index("On fisheries")
    assert read_agreement(text, start, len(text)).parties == ["Chile", "Peru"]
    # The nearest sentence that names states names one: no pair to stand for, the group stays as written.
    one = text.replace("Experts from the two countries examined trade.", "Experts from Chile examined trade.")
    assert read_agreement(one, one.index("On fisheries"), len(one)).parties == ["both countries"]
