"""Quotations by rule: the words inside the marks, and the citation that follows."""

from __future__ import annotations

import pytest

from pipeline.quotes import Quotation, attribute, cited_source, find_quotations


def _words(text: str) -> list[str]:
    return [q.words(text) for q in find_quotations(text)]


def _only(text: str) -> Quotation:
    quotations = find_quotations(text)
    assert len(quotations) == 1, [q.words(text) for q in quotations]
    return quotations[0]


def test_curly_quotation_words_exclude_the_marks_and_the_trailing_comma() -> None:
    text = "“We will send two more cutters to Poti next spring,” said Colonel Irakli Tsereteli.\n"
    quotation = _only(text)
    assert quotation.words(text) == "We will send two more cutters to Poti next spring"
    assert text[quotation.start] == "“"
    assert text[quotation.end - 1] == "”"
    assert text[quotation.text_start : quotation.text_end] == quotation.words(text)


def test_sentence_final_period_inside_the_marks_is_kept() -> None:
    text = "The captain told reporters: “Our crews practised boarding a burning tanker.”\n"
    assert _words(text) == ["Our crews practised boarding a burning tanker."]


def test_straight_quote_quotation() -> None:
    text = 'The minister added: "the crews will train together at sea all summer," before leaving Batumi.\n'
    quotation = _only(text)
    assert quotation.words(text) == "the crews will train together at sea all summer"
    assert text[quotation.start] == text[quotation.end - 1] == '"'


def test_a_markup_attribute_left_in_a_page_is_no_quotation() -> None:
    text = (
        '<div style="margin: 0 auto; width: 100%; line-height: 1;" class="story-body text-left"></div>\n\n'
        'The admiral said: "the crews will train together at sea all summer."\n'
    )
    assert _words(text) == ["the crews will train together at sea all summer."]


def test_a_straight_opening_closed_by_the_first_of_two_curly_closings() -> None:
    # The page dropped the opening mark of the paragraph's second quotation.
    text = ('"We need to secure the coast before the storms come,” stressed Ambassador Ana Ruiz. Chile has been '
            'a partner for years, and today’s handover takes us one step further to our goal.”\n')
    assert _words(text) == ["We need to secure the coast before the storms come"]


def test_quotation_running_over_two_paragraphs() -> None:
    text = (
        "The admiral described the plan at length.\n"
        "\n"
        "“Our sailors will train with Georgian crews in the spring.\n"
        "\n"
        "“Afterwards the vessels will return to Poti for repairs,” he said.\n"
        "\n"
        "Nobody asked about the costs.\n"
    )
    quotation = _only(text)
    assert quotation.start == text.index("“Our")
    assert quotation.end == text.index("” he said") + 1
    words = quotation.words(text)
    assert words.startswith("Our sailors will train")
    assert words.endswith("return to Poti for repairs")
    assert "Afterwards the vessels" in words


def test_an_unclosed_quotation_does_not_swallow_the_next_paragraph() -> None:
    # The writer left out the closing mark: the words run to their attribution, never past the paragraph.
    text = (
        "“We will never stop patrolling the estuary at night, the captain said.\n"
        "\n"
        "A later paragraph speaks of “Sea Wolf” and ends here.\n"
    )
    assert [q.words(text) for q in find_quotations(text)] == ["We will never stop patrolling the estuary at night"]


def test_a_quotation_left_open_at_its_paragraphs_end_ends_there() -> None:
    text = (
        "Colonel Ana Ruiz agreed. “I consider the crews very well prepared for the tasks ahead.\n"
        "However, she said the boats are old.\n"
    )
    assert [q.words(text) for q in find_quotations(text)] == [
        "I consider the crews very well prepared for the tasks ahead."
    ]
    # A retyped straight closing mark closes it instead; a mark before a lowercase word opens no quotation.
    retyped = '“We have discussed every issue in detail with our partners," Ana Ruiz said.\n'
    assert [q.words(retyped) for q in find_quotations(retyped)] == [
        "We have discussed every issue in detail with our partners"
    ]
    assert find_quotations("He called it “a step towards a safer and calmer sea for all of us.\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "Officials praised the “Blue Harbor” drill off Constanta.\n",
        "The “Sea Wolf 2007” exercise was hailed a success.\n",
        'The so-called "Coastal Guard" unit and the "Black Sea Harmony" operation were named.\n',
        "Ankara calls it a “purely defensive” step.\n",
    ],
)
def test_short_scare_quoted_names_are_not_quotations(text: str) -> None:
    assert find_quotations(text) == []


def test_quotations_and_scare_quotes_in_one_paragraph() -> None:
    text = (
        "The “Blue Harbor” group met in Varna. “Our cutters are ready for the winter storms,” said the captain, "
        'and the admiral added "we will double the patrols next year."\n'
    )
    assert _words(text) == [
        "Our cutters are ready for the winter storms",
        "we will double the patrols next year.",
    ]


def test_apostrophes_inside_a_quotation_do_not_end_it() -> None:
    text = "“We’re sending the Navy’s best crews to the drill,” the spokesman said.\n"
    assert _words(text) == ["We’re sending the Navy’s best crews to the drill"]


# --- Citations --------------------------------------------------------------------------------------


def test_cited_source_after_the_quotation() -> None:
    text = "“The crews rehearsed towing a disabled ferry,” the captain said (Interfax, June 21).\n"
    quotations = find_quotations(text)
    source = cited_source(text, quotations[0])
    assert source is not None
    assert source.text == "Interfax, June 21"
    assert text[source.start : source.end] == source.text


@pytest.mark.parametrize(
    "citation",
    ["Civil Georgia, May 4", "Interpressnews, March 2, 2008", "Kommersant-Vlast, 2006", "RIA Novosti, Sept. 3"],
)
def test_cited_source_forms(citation: str) -> None:
    text = f"“Our cutters will patrol the estuary every night,” the captain said ({citation}).\n"
    quotations = find_quotations(text)
    source = cited_source(text, quotations[0])
    assert source is not None
    assert source.text == citation


@pytest.mark.parametrize(
    "text",
    [
        "“Our cutters will patrol the estuary every night,” the captain said.\n",
        "“Our cutters will patrol the estuary every night,” said sources (within the ministry).\n",
        # A citation in the next paragraph belongs to that paragraph.
        "“Our cutters will patrol the estuary every night,” the captain said.\n\nThe drill ended (Agerpres, May 19).\n",
    ],
)
def test_no_cited_source(text: str) -> None:
    quotations = find_quotations(text)
    assert cited_source(text, quotations[0]) is None


def test_citation_after_the_next_quotation_belongs_to_the_paragraph() -> None:
    """GUIDE §9: a citation at the end of a paragraph covers every quotation in that paragraph."""
    text = (
        "“We will patrol the estuary every night,” said the captain. "
        "“The cutters are ready for the winter storms,” he added (Agerpres, May 19).\n"
    )
    quotations = find_quotations(text)
    assert len(quotations) == 2
    sources = [cited_source(text, q) for q in quotations]
    assert [s.text if s else None for s in sources] == ["Agerpres, May 19", "Agerpres, May 19"]


def test_a_parenthesis_right_after_a_quotation_applies_to_it_alone() -> None:
    text = (
        "“We will patrol the estuary every night” (Civil Georgia, May 4), said the captain, who later added "
        "“the cutters are ready for the winter storms” (Agerpres, May 19).\n"
    )
    quotations = find_quotations(text)
    sources = [cited_source(text, q) for q in quotations]
    assert [s.text if s else None for s in sources] == ["Civil Georgia, May 4", "Agerpres, May 19"]


# --- Attribution cue --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("“Our cutters will patrol the estuary every night,” said Colonel Tsereteli.\n", "said"),
        ("“Our cutters will patrol the estuary every night,” Colonel Tsereteli explained.\n", "explained"),
        ("“Our cutters will patrol the estuary every night,” according to Tsereteli.\n", "according to"),
        ("The colonel added: “Our cutters will patrol the estuary every night.”\n", "added"),
    ],
)
def test_attribution_cue(text: str, cue: str) -> None:
    found = attribute(text, _only(text)).cue
    assert found is not None
    assert found.text == cue
    assert text[found.start : found.end] == cue


# --- Mark styles and attribution by the parse (sentences are our own) -------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "«Our cutters will patrol the estuary every night,» the captain said.\n",
        "The captain said ‘our cutters will patrol the estuary every night’ and left.\n",
        "Der Kapitän sagte „our cutters will patrol the estuary every night“ gestern.\n",
    ],
)
def test_guillemets_single_and_low_high_marks(text: str) -> None:
    assert [w.lower() for w in _words(text)] == ["our cutters will patrol the estuary every night"]


def test_an_apostrophe_does_not_close_a_single_quotation() -> None:
    text = "He called it ‘the Navy’s best answer to the smugglers’ in the end.\n"
    assert _words(text) == ["the Navy’s best answer to the smugglers"]


def test_a_guillemet_quotation_over_two_paragraphs() -> None:
    text = "«Our crews trained for a week.\n\n«Next year they will train at sea,» the admiral said.\n"
    assert _only(text).words(text).endswith("train at sea")


@pytest.mark.parametrize(
    ("text", "speaker", "cue"),
    [
        ("“Our cutters will patrol the estuary every night,” said US envoy Jane Doe.\n", "Jane Doe", "said"),
        ("But Ambassador Tom Lee said the boats “will patrol the estuary every night.”\n", "Tom Lee", "said"),
        ("The agency quoted Colonel Ann Berg as saying “our cutters will patrol the estuary every night.”\n",
         "Ann Berg", "as saying"),
        ("Admiral Ivo Tamm arrived on Monday. “Our cutters will patrol the estuary every night,” he said.\n",
         "Ivo Tamm", "said"),
        # A name the small model does not tag as a person, doing something before the pronoun's quotation.
        ("Ana Ruiz thanked the donors. “Our cutters will patrol the estuary every night,” she said.\n",
         "Ana Ruiz", "said"),
        ("“Our cutters will patrol the estuary every night,” according to Ivo Tamm.\n", "Ivo Tamm",
         "according to"),
        # A title in several words whose "of" the parser hangs the name on.
        ("“Our cutters will patrol the estuary every night,” said Peruvian Member of Parliament Ana Ruiz.\n",
         "Ana Ruiz", "said"),
        # A long title the parser misreads, and the name set off by commas before the verb.
        ("For his part, the Norland Chargé d’Affaires in Tarvia, Dr. Anton Vell, said: “Our cutters will "
         "patrol the estuary every night.”\n", "Anton Vell", "said"),
        # A state's "leader" is its president or prime minister, named before; "premier" is the prime minister.
        ("Tarvian President Anton Vell met the Norland delegation. “Our cutters will patrol the estuary every "
         "night,” the Tarvian leader said.\n", "Anton Vell", "said"),
        ("Tarvian Prime Minister Anna Berg met the Norland delegation. “Our cutters will patrol the estuary "
         "every night,” the Tarvian premier said.\n", "Anna Berg", "said"),
        # A post the text states with "is" ("Vell is the Permanent Secretary ...") names the person later.
        ("Major General Anton Vell led the Tarvian delegation. Vell is the Permanent Secretary in the Ministry "
         "of Security. According to the Permanent Secretary, “our cutters will patrol the estuary every night.”\n",
         "Anton Vell", "According to"),
        # "Foreign Affairs" is a ministry's words, not a person's name.
        ("“Our cutters will patrol the estuary every night,” Tarvia Foreign Affairs and Regional Integration "
         "Minister, Anton Vell, said on Wednesday.\n", "Anton Vell", "said"),
    ],
)
def test_speaker_is_the_subject_of_the_speech_verb(text: str, speaker: str, cue: str) -> None:
    attribution = attribute(text, _only(text))
    assert attribution.speaker == speaker
    assert attribution.cue is not None and attribution.cue.text == cue


def test_an_outlet_that_reports_is_not_the_speaker() -> None:
    text = "“Our cutters will patrol the estuary every night,” the agency learned from the press office.\n"
    assert attribute(text, _only(text)).speaker is None


def test_an_outlet_quoting_the_speaker_is_the_cited_source() -> None:
    text = "Interfax quoted Colonel Ann Berg as saying “our cutters will patrol the estuary every night.”\n"
    attribution = attribute(text, _only(text))
    assert attribution.speaker == "Ann Berg"
    assert attribution.source is not None and attribution.source.text == "Interfax"


def test_he_is_the_last_name_that_spoke_even_when_the_tagger_misses_it() -> None:
    # A name from another language the small English model may not tag as a person.
    text = (
        "The two admirals signed the orders. Speaking at the meeting, Nkemelu said it was a good day. "
        "\u201cWe will keep the sea lanes open,\u201d he said."
    )
    [quotation] = find_quotations(text)
    assert attribute(text, quotation).speaker == "Nkemelu"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # Of the people one sentence names, its speaker, not the last one named, is whom "he" goes on with.
        ("Anton Vell said on behalf of Minister Ivo Tamm and the officers of the force that they wished to "
         "express their sympathy.\n\u201cWe would like to provide you with some support to help your "
         "recovery,\u201d he concluded.\n", "Anton Vell"),
        # The small model may tag a Portuguese name as a body; who is cited with "according to" speaks.
        ("Defence ministers Anton Vell and Ivo Tamm signed the deal in Port Vell on Monday.\n\n"
         "According to João Filipe Tavares, the agreement will allow the two navies to plan patrols together.\n\n"
         "\u201cWe want to identify the main needs of our coast guard,\u201d he explained.\n", "João Filipe Tavares"),
    ],
)
def test_he_is_the_one_who_spoke_or_was_cited_before(text: str, speaker: str) -> None:
    [quotation] = find_quotations(text)
    assert attribute(text, quotation).speaker == speaker


def test_a_quotation_after_an_attributed_one_in_its_paragraph_has_the_same_speaker() -> None:
    text = (
        "“We are glad to host our partners for the drill,” said Chilean Navy Rear Adm. Luis Cano. “This exercise "
        "helps stability in the region and prepares us for the future.”\n\n"
        "“A new paragraph that nobody is said to have spoken.”\n"
    )
    first, second, third = find_quotations(text)
    assert attribute(text, second).speaker == "Luis Cano"
    assert attribute(text, second).cue == attribute(text, first).cue
    assert attribute(text, third).speaker is None  # a paragraph break ends the run of one speaker


def test_a_statement_or_report_that_says_the_words_stands_for_the_body_that_issued_it() -> None:
    text = (
        "Chile’s Defence Ministry said the drill ended on May 3.\n\n"
        "The cutters joined in, the ministry added in a statement.\n\n"
        "“The drill has deepened the trust between our two coast guards,” read the statement.\n"
    )
    [quotation] = find_quotations(text)
    attribution = attribute(text, quotation)
    assert attribution.speaker == "Chile’s Defence Ministry"
    assert attribution.cue is not None and attribution.cue.text == "read"
    text = (
        "Peru ratified the fisheries treaty on Monday, Andina writes with reference to the office of the governor.\n\n"
        "“Parliament has approved the treaty and it enters into force in June,” the report said.\n"
    )
    [quotation] = find_quotations(text)
    assert attribute(text, quotation).speaker == "office of the governor"


def test_a_title_as_the_speaker_is_the_one_person_the_text_gives_that_title() -> None:
    text = (
        "Ines Duarte, Ambassador of the European Union to Peru, opened the new post.\n\n"
        "“The cameras will help the border guards,” the European Union Ambassador said.\n"
    )
    [quotation] = find_quotations(text)
    assert attribute(text, quotation).speaker == "Ines Duarte"


def test_a_straight_opening_mark_closed_by_a_curly_one() -> None:
    text = "\"The drill is a landmark for Chile and a milestone for the navy,” the ministry wrote.\n"
    [quotation] = find_quotations(text)
    assert quotation.words(text) == "The drill is a landmark for Chile and a milestone for the navy"
    # Where both styles are paired as usual, no mixed pair is made.
    text = "\"We train every day,\" he said, and “we will keep training,” she added.\n"
    assert [q.words(text) for q in find_quotations(text)] == ["We train every day", "we will keep training"]


def test_a_title_in_marks_with_small_words_is_a_name_not_a_quotation() -> None:
    text = "The cameras came under the project “Safer Borders of the Andes with Their Neighbours” last year.\n"
    assert find_quotations(text) == []
    text = "“the project will help with the borders of the Andes,” she said.\n"
    assert len(find_quotations(text)) == 1


def test_straight_single_marks_around_a_quotation_and_apostrophes_inside_it() -> None:
    text = (
        "'Chile and Peru have worked on border security for years. It's a long road, and the guards' boats "
        "help', the ambassador said.\n\nThe minister's aides said it's fine.\n"
    )
    [quotation] = find_quotations(text)
    assert quotation.words(text).endswith("the guards' boats help")


def test_a_name_in_apposition_to_a_rank_is_the_speaker_with_the_position_as_role() -> None:
    # The small English model parses "... Minister General of the Army Rangi Tawhiri said" as the
    # rank "General" saying, the name beside it, and tags no person: the speaker is still the name,
    # and the role the position before the rank (GUIDE §3).
    from pipeline.actors import ActorRules

    text = (
        "The boats arrived on Monday.\n\n“The handover is a landmark event for our navies,” Chilean Defence "
        "Minister General of the Army Rangi Tawhiri said at a ceremony in Arica."
    )
    speaker = attribute(text, _only(text)).speaker
    assert speaker == "Rangi Tawhiri"
    actor = ActorRules(text).actor(speaker)
    assert (actor.kind, actor.role, actor.country) == ("person", "Chilean Defence Minister", "CL")


def test_a_speech_verb_the_parser_left_without_subject_is_said_by_the_name_before_it() -> None:
    # After a long quotation in straight marks the small English model hangs "project manager from
    # Chile Ana Ruiz" inside the quotation's sentence and leaves "said" with no subject; in curly
    # marks it reads "project manager" as the subject. Either way the person named says it, without
    # the state the parser joined to the name.
    text = (
        "The road opened on Monday.\n\n“Chile and Peru are strategic partners. A special legal document will be "
        "created within the framework of the project, which we will sign in the near future. We very much hope "
        "that all this contributes to the best arrangement, protection and security of the Chilean-Peruvian "
        "border”, project manager from Chile Ana Ruiz said."
    )
    for marks in (text, text.replace("“", '"').replace("”", '"')):  # the two marks parse differently
        found = attribute(marks, _only(marks))
        assert (found.cue.text if found.cue else None, found.speaker) == ("said", "Ana Ruiz")


def test_a_rank_and_name_set_off_after_a_title_of_a_body_are_the_speaker() -> None:
    # The parser hangs "Cmdr. Ivo Rand" on the "of" phrase's noun, and tags no person.
    text = (
        "The ships returned on Friday.\n\n\"It was a good opportunity to test how our usual units act in "
        "conditions of the increased threat,\" the commander of the Coastal Squadron, Cmdr. Ivo Rand, said as "
        "quoted in the press release."
    )
    assert attribute(text, _only(text)).speaker == "Ivo Rand"


def test_a_sentence_the_splitter_ended_at_a_comma_goes_on_to_the_speaker() -> None:
    # The sentence splitter ends a sentence after "Flotilla," (before "Cmdr."): the speech verb and
    # its subject are in the next piece.
    text = (
        "The ships returned on Friday.\n\n\"It was a good opportunity to test how our usual units act in "
        "conditions of the increased threat,\" the commander of the Naval Flotilla, Cmdr. Rein Kask, said as "
        "quoted in the press release."
    )
    found = attribute(text, _only(text))
    assert (found.cue.text if found.cue else None, found.speaker) == ("said", "Rein Kask")


def test_a_speech_verb_with_its_particle_is_the_cue() -> None:
    text = "The talks ended.\n\n“Border security comes first,” the ambassador pointed out."
    found = attribute(text, _only(text))
    assert found.cue is not None and found.cue.text == "pointed out"


def test_it_said_is_the_body_that_spoke_before() -> None:
    text = (
        "The president will visit Lima on Monday, the Chilean presidency said in a statement.\n\n"
        "“A joint statement will be adopted,” it added."
    )
    found = attribute(text, _only(text))
    assert (found.cue.text if found.cue else None, found.speaker) == ("added", "Chilean presidency")
    # A person spoke last: "it" is not them.
    text = "The visit is planned, Ana Ruiz said on Monday.\n\n“A joint statement will be adopted,” it added."
    assert attribute(text, _only(text)).speaker is None


def test_a_passive_speech_verb_with_no_agent_is_said_by_the_body_that_spoke_before() -> None:
    text = (
        "Chile and Peru held the drill in Arica.\n\nAccording to Chile’s Defense Ministry, the drill tested the "
        "ports.\n\n\"The drills aim to improve interoperability between the navies and are held every year,\" "
        "is said."
    )
    found = attribute(text, _only(text))
    assert (found.cue.text if found.cue else None, found.speaker) == ("is said", "Chile’s Defense Ministry")


def test_who_issued_a_statement_is_never_read_inside_a_quotation() -> None:
    # "maintaining" may report speech ("he maintained that"); inside the marks it is what was said.
    text = (
        "Chile’s Defense Ministry said on Monday the drill ended.\n\nThe ministry said the Chilean Navy has been "
        "“maintaining the patrols since 2004 with the aim of keeping the sea safe.”\n\n“Frigates and patrol "
        "planes show their flag in the sea every week,” the statement said."
    )
    last = find_quotations(text)[-1]
    assert attribute(text, last).speaker == "Chile’s Defense Ministry"


def test_a_paragraph_that_is_all_quotation_continues_the_speaker_of_the_paragraph_before() -> None:
    text = (
        "The drill ended on Friday.\n\nAs noted by Defence Minister Ana Ruiz, the navies worked well together.\n\n"
        "“We will hold the drill again next year in the southern ports.”\n\nThe ships left on Saturday."
    )
    found = attribute(text, _only(text))
    assert found.speaker == "Ana Ruiz"
    # A body goes on speaking only from a quotation of its own, not from a sentence that names it.
    text = (
        "“The frigates display their flag in the sea every week,” the Chilean Navy said in a statement.\n\n"
        "“Within its planned activities, the navy trains with every allied ship that arrives.”"
    )
    assert attribute(text, find_quotations(text)[-1]).speaker == "Chilean Navy"


def test_a_body_before_a_persons_surname_is_not_part_of_the_speaker() -> None:
    text = (
        "“The road helps trade in the valley,” said Ana Ruiz, the OSCE envoy in Lima.\n\n"
        "“Women traders will benefit most from the new markets,” the OSCE’s Ruiz said."
    )
    assert [attribute(text, q).speaker for q in find_quotations(text)] == ["Ana Ruiz", "Ruiz"]


def test_an_envoy_is_the_ambassador_the_text_names() -> None:
    text = (
        "The United States Ambassador to Peru Mark Hale handed over 40 radios on Tuesday.\n\n"
        "“We will keep helping the border troops,” the US envoy stressed."
    )
    assert attribute(text, _only(text)).speaker == "Mark Hale"


def test_the_top_diplomat_who_introduces_a_paragraph_is_the_ambassador_the_text_names() -> None:
    # "diplomat" is no title word of its own; the same-post table says it stands for an ambassador.
    text = (
        "US Ambassador Mark Hale handed over 40 radios to the border troops of Peru on Tuesday.\n\n"
        "Later, the top diplomat pointed out the aims of the programme:\n"
        "“We are most concerned about smuggling across the mountain passes.”"
    )
    found = attribute(text, _only(text))
    assert (found.speaker, found.cue and found.cue.text) == ("Mark Hale", "pointed out")


def test_the_person_named_after_a_rank_or_a_form_of_address_speaks() -> None:
    # Ranks of enlisted soldiers ("Spc.", "Pfc."), a service before a rank ("Navy Capt."), an air
    # force rank ("Air Marshal") and a form of address ("His Excellency") stand before the name.
    for title in ("Spc.", "Pfc.", "Navy Capt.", "Air Marshal", "His Excellency"):
        text = f"“The drill went well,” said {title} John Miller, who led the company."
        assert attribute(text, _only(text)).speaker == "John Miller", title


def test_a_speech_verb_right_after_the_closing_mark_comes_before_its_speaker() -> None:
    # The parser takes the speaker after an inverted "noted" or "underlined" for the verb's object.
    text = "“The drill went well”, underlined the head of the mission, John Miller."
    assert attribute(text, _only(text)).speaker == "John Miller"
    text = "“The drill went well”, noted the head of the mission John Miller."
    assert attribute(text, _only(text)).speaker == "John Miller"
    text = "“The drill went well,” stressed the importance of the drill."  # no title, no name: no speaker
    assert attribute(text, _only(text)).speaker is None


def test_a_dash_after_the_closing_mark_goes_on_to_the_speaker() -> None:
    # The splitter ends the sentence at the closing mark; the piece after it opens with a dash.
    text = (
        "The project began in May.\n\n“We hope that seizures will increase and cross-border crimes will decrease "
        "thanks to the commitment of all the parties.” – said Ms. Ana Ruiz, First Secretary of the Embassy of "
        "Chile in Peru.\n\n“Development of interagency cooperation is our aim,”- noted Mr. Luis Quispe, Leading "
        "Expert of the Drug Control Center."
    )
    assert [attribute(text, q).speaker for q in find_quotations(text)] == ["Ana Ruiz", "Luis Quispe"]


def test_according_to_a_report_the_issuer_speaks_and_reading_ends() -> None:
    text = (
        "The Chilean Navy met the Peruvian Coast Guard on Monday.\n\n"
        "According to the report of the Coast Guard, “the new patrol schedule is working well” with both navies."
    )
    quotation = find_quotations(text)[0]
    assert attribute(text, quotation).speaker == "Coast Guard"
    text = "The Chilean Navy spoke on Monday. According to the statement, “the new patrol schedule is working well.”"
    attribute(text, find_quotations(text)[0])  # ends: a document names no one, and reading looks further back


def test_marks_with_nothing_between_them_are_no_quotation() -> None:
    assert find_quotations('He said "" and left.') == []
    assert find_quotations("A “ ” b") == []
    text = '"Our sailors trained side by side with the crew of the "Sentinel"," Commander Dara Velk said on Tuesday.'
    find_quotations(text)  # a quoted name closing the quotation leaves an empty pair: read, never a crash


def test_the_person_at_the_end_of_a_titles_of_phrases_speaks() -> None:
    text = "“The patrols will go on,” Chief of the Border Police of Chile Ana Ruiz said."
    assert attribute(text, find_quotations(text)[0]).speaker == "Ana Ruiz"


def test_a_short_saying_that_ends_inside_its_marks_is_a_quotation() -> None:
    text = "“Drills are readiness,” said Ruiz. The frigate “Andes Star,” left Callao. He called it “routine”."
    assert [text[q.text_start : q.text_end] for q in find_quotations(text)] == ["Drills are readiness"]


def test_a_curly_opening_closed_by_a_straight_mark_and_one_quotation_per_line() -> None:
    from pipeline.quotes import find_quotations

    text = (
        "Talks ended.\n“We have discussed our cooperation in detail today,\" Ivo Marek said.\n"
        "\"These are the security issues we spoke about,\" he added.\n"
        "“First part of a long speech\n“and its second paragraph,” he said."
    )
    assert [text[q.start : q.end] for q in find_quotations(text)] == [
        "“We have discussed our cooperation in detail today,\"",
        "\"These are the security issues we spoke about,\"",
        "“First part of a long speech\n“and its second paragraph,”",
    ]


def test_the_words_of_a_statement_are_those_of_who_issued_it() -> None:
    from pipeline.quotes import attribute, find_quotations

    text = (
        "Andes Shield 2031 is under way at sea, a statement issued by the Public Relations Directorate of the "
        "Chilean Army said.\n\n“The exercise will focus on information sharing,” the statement said."
    )
    quotation = find_quotations(text)[0]
    assert attribute(text, quotation).speaker == "Public Relations Directorate of the Chilean Army"


def test_the_minister_who_speaks_is_the_one_just_named() -> None:
    text = (
        "The memorandum was signed by Chilean Defence Minister Ana Ruiz and Peruvian Defence Minister Luis Paz. "
        "Paz said the navies would train together. “We will share our charts,” said the minister."
    )
    quotation = find_quotations(text)[0]
    assert attribute(text, quotation).speaker == "Luis Paz"


def test_the_body_whose_press_release_it_is_speaks() -> None:
    text = "“The crews trained for ten days,” said a Chilean Navy press release."
    assert attribute(text, find_quotations(text)[0]).speaker == "Chilean Navy"


def test_the_body_that_issued_the_statement_speaks_for_it() -> None:
    text = "The Chilean Navy issued a statement on Monday. “The crews trained for ten days,” the statement said."
    assert attribute(text, find_quotations(text)[0]).speaker == "Chilean Navy"


def test_a_people_the_tagger_calls_a_person_is_no_one_he_can_be() -> None:
    from spacy.tokens import Span

    from pipeline.language.parse import parse
    from pipeline.quotes import _last_person_before

    text = "Deputy Minister Ivan Petrov said Chilean forces were the first to help. “We trained together,” he said."
    doc = parse(text).copy()
    words = [t.text for t in doc]
    petrov, chilean = words.index("Ivan"), words.index("Chilean")
    # What the small tagger sometimes makes of a demonym: a PERSON after the real one.
    doc.ents = [Span(doc, petrov, petrov + 2, label="PERSON"), Span(doc, chilean, chilean + 1, label="PERSON")]
    assert _last_person_before(doc, text.index("“")) == "Ivan Petrov"


def test_whom_the_speaker_talks_to_is_not_the_he_who_says() -> None:
    text = (
        "Ana Ruiz, who led the talks, explained in an interview with Luis Paz that patrols would start in May. "
        "“They will share a hot line,” she said."
    )
    assert attribute(text, find_quotations(text)[0]).speaker == "Ana Ruiz"
    told = "Ana Ruiz told Luis Paz that patrols would start in May. “They will share a hot line,” she said."
    assert attribute(told, find_quotations(told)[0]).speaker == "Ana Ruiz"


def test_a_quotation_whose_writer_left_out_the_mark_of_its_second_paragraph_runs_on_to_its_close() -> None:
    text = (
        "“These boats will help the police do their work.\n\n"
        "We will keep helping in the coming weeks”, the ambassador said.\n\n"
        "The boats arrived on Monday."
    )
    quotations = find_quotations(text)
    assert len(quotations) == 1
    assert text[quotations[0].start : quotations[0].end].endswith("weeks”")
    # An opening mark that nothing closes in the next paragraph opens no quotation.
    assert find_quotations("He called it “a good start.\n\nThe boats arrived on Monday, he said.") == []


def test_a_line_naming_the_speaker_and_ending_with_a_colon_heads_the_quotation() -> None:
    text = "Ana RUIZ, EU Ambassador in Lima:\n\n“These boats will help the police do their work.”"
    assert attribute(text, find_quotations(text)[0]).speaker == "Ana RUIZ"
    text = "Boats for Peru, Ana Ruiz, Ambassador of Chile:\n“These boats will help the police do their work.”"
    assert attribute(text, find_quotations(text)[0]).speaker == "Ana Ruiz"
    text = "Read also:\n“These boats will help the police do their work.”"
    assert attribute(text, find_quotations(text)[0]).speaker is None


def test_he_after_a_title_that_speaks_is_the_one_person_the_text_gives_that_title() -> None:
    text = (
        "The Minister of the Interior of Chile, Ana Ruiz and the Executive Director of the Andean Border "
        "Agency (Andebor), Pavel Ostrov signed a working arrangement.\n\n"
        "In his turn, the Executive Director of Andebor underlined the importance of cooperation with Chile. "
        "“It was in 2008 that the first arrangement was signed,” he said."
    )
    assert attribute(text, find_quotations(text)[0]).speaker == "Pavel Ostrov"


def test_he_is_the_person_whose_name_closes_a_long_title() -> None:
    # A rank with its own "of" phrase between the title and the name: the parser's entity may take in
    # the rank's words, but the name is the proper nouns that close the phrase.
    text = (
        'Delivery of the assets is "certainly a landmark event in our relations," Tarvian Defence Minister '
        "General of the Army Ivan Petrov said at a ceremony in Vell.\n"
        '"We will keep helping the Norland army to grow stronger and better armed," he said.'
    )
    second = find_quotations(text)[1]
    assert attribute(text, second).speaker == "Ivan Petrov"


def test_a_few_words_quoted_in_a_sentence_are_found_only_when_asked_for() -> None:
    text = "The minister said Vell had made “significant progress” before “Sea Breeze” began."
    assert _words(text) == []
    partial = [q.words(text) for q in find_quotations(text, partial=True)]
    assert partial == ["significant progress"]  # a name in marks is still no quotation


def test_a_page_cut_short_inside_a_quotation_of_paragraphs_keeps_the_whole_paragraph() -> None:
    # The second paragraph opens with a mark (the quotation goes on) and the page ends before it closes.
    text = (
        "Rear Admiral Ana Ruiz said: “I think the drill shows the habit we have made of working together.\n"
        "\n"
        "“The drill"
    )
    assert _words(text) == ["I think the drill shows the habit we have made of working together."]


def test_a_quoted_paragraph_takes_the_speaker_the_next_quoted_paragraph_names() -> None:
    text = (
        "The agreement was signed by Ana Ruiz, head of the agency, and Luis Cano.\n\n"
        "“This deal builds on our long friendship with Peru and our shared goals.”\n\n"
        "“The purpose of the deal is to build strong links,” Ruiz said."
    )
    first, second = find_quotations(text)
    assert attribute(text, second).speaker == "Ruiz"
    assert attribute(text, first).speaker == "Ruiz"
    assert attribute(text, first).cue is None


def test_the_official_and_him_stand_for_the_person_named_before() -> None:
    text = (
        "Interior Minister Tomas Vidal said the vans had reached the coast.\n\n"
        "“They may arrive by early July,” the official explained.\n\n"
        "According to him, “the crews are ready for the patrols at sea.”\n"
    )
    first, second = find_quotations(text)
    assert attribute(text, first).speaker == "Tomas Vidal"
    assert attribute(text, second).speaker == "Tomas Vidal"


def test_a_consul_or_a_prince_is_a_title_not_a_name() -> None:
    from pipeline.actors import ActorRules

    text = (
        "Chilean Consul General Tomas Vidal spoke at the handover in Callao.\n\n"
        "“The boats will patrol the bay,” Consul General Vidal said.\n\n"
        "Prince Faisal bin Tomas, Peru’s deputy defence minister, signed the plan.\n"
    )
    rules = ActorRules(text)
    consul = rules.actor(attribute(text, _only(text)).speaker or "")
    assert (consul.name, consul.role, consul.country) == ("Tomas Vidal", "Chilean Consul General", "CL")
    assert rules.actor("Prince Faisal bin Tomas").name == "Faisal bin Tomas"


def test_the_name_after_a_long_title_after_the_verb_speaks() -> None:
    text = (
        "“We will train together again next year,” said British High Commissioner to Peru, Non-Resident "
        "Ambassador to Bolivia, Chile and Ecuador, Ana Ruiz.\n"
    )
    assert attribute(text, _only(text)).speaker == "Ana Ruiz"


def test_the_name_set_off_after_a_title_s_for_phrase_speaks() -> None:
    text = (
        "Then the Deputy Commander for the Andean Task Force, BG Tomas Vidal, speaking at the ceremony said, "
        "“Our goal is to give the border police good trucks and good training.”\n"
    )
    assert attribute(text, _only(text)).speaker == "Tomas Vidal"


def test_the_person_at_the_end_of_a_title_s_of_phrase_speaks() -> None:
    text = (
        "Uzbekistan’s Chief of the General Staff Shavkat Tursunov also noted that the situation at the border "
        "\"requires us to remain vigilant and keep the crews ready.\"\n"
    )
    assert attribute(text, _only(text)).speaker == "Shavkat Tursunov"


def test_a_page_cut_short_inside_an_attributed_quotation_keeps_its_words() -> None:
    text = (
        "“We train together,” said Captain Ana Ruiz. “We have to learn to work with each other. I think this is imp"
    )
    second = find_quotations(text)[-1]
    assert second.words(text) == "We have to learn to work with each other. I think this is imp"
    # Cut off with no one named on its line, it is no quotation to record.
    assert [q.words(text) for q in find_quotations("The talks ended.\n\n“We will continue w")] == []
    # ... unless the paragraph before ends by telling who speaks: the words go on from that speaker.
    text = "Patrols at sea are hard to run, Admiral Ana Ruiz said.\n\n“Admittedly, it is not easy. We go on w"
    quotation = _only(text)
    assert quotation.words(text) == "Admittedly, it is not easy. We go on w"
    assert attribute(text, quotation).speaker == "Ana Ruiz"


def test_a_speech_verb_before_an_infinitive_introduces_no_words() -> None:
    text = "According to Ana Ruiz, Chile will continue to “keep the strait open to every ship”.\n"
    attribution = attribute(text, find_quotations(text, partial=True)[0])
    assert (attribution.speaker, attribution.cue.text if attribution.cue else None) == ("Ana Ruiz", "According to")


def test_straight_marks_pair_by_the_side_they_face() -> None:
    # One paragraph, one line per sentence. The first quotation's closing mark was retyped as a
    # backtick: the mark that opens the next line's quotation does not close it.
    text = (
        '"Our navies will train together every year, and that matters to both countries,` Admiral Ana Ruiz '
        "told reporters on Monday.\n"
        'She said both crews showed "real skill" at sea.\n'
        '"We have a lot of work ahead of us this year and next," she said.'
    )
    assert _words(text) == [
        "Our navies will train together every year, and that matters to both countries",
        "We have a lot of work ahead of us this year and next",
    ]
    assert [q.words(text) for q in find_quotations(text, partial=True)][1] == "real skill"


def test_a_title_quoted_inside_a_straight_quotation_is_part_of_it() -> None:
    text = (
        '"Today we have signed an "Agreement on Coastal Patrols between Chile and Peru" with my Peruvian '
        'colleague, and I want it to last," the minister wrote.'
    )
    assert _words(text) == [
        'Today we have signed an "Agreement on Coastal Patrols between Chile and Peru" with my Peruvian '
        "colleague, and I want it to last"
    ]


def test_he_is_not_a_person_named_in_a_sentence_told_of_him() -> None:
    text = (
        "Incoming Chilean ambassador Mateo Fuentes told a news conference on Thursday that ties were strong.\n"
        "He pointed out that President Obama and Secretary of State Clinton both made that clear.\n"
        '"We have a lot of work together in the years ahead of us," he said.'
    )
    quotation = _only(text)
    assert attribute(text, quotation).speaker == "Mateo Fuentes"


def test_a_long_clause_of_who_said_words_left_open_is_no_part_of_them() -> None:
    # The closing mark was retyped as a backtick; the clause after the comma names the speaker early
    # and goes on for more than ten words.
    text = (
        '"The way our president sent me here shows how much these ties matter to him,` incoming US ambassador '
        "Mateo Fuentes told a news conference here in the capital on Thursday.\n"
        'Later he said both crews showed "real skill" at sea.'
    )
    quotations = find_quotations(text)
    assert quotations[0].words(text) == "The way our president sent me here shows how much these ties matter to him"
    assert attribute(text, quotations[0]).speaker == "Mateo Fuentes"


def test_the_words_of_the_quotation_before_are_no_attribution_of_the_next() -> None:
    text = (
        "“The force has had members posted to Chile as advisers for more than 20 years,” said Commissioner "
        "Ana Ruiz.\n\n“This new agreement continues our commitment to the region.”\n"
    )
    second = find_quotations(text)[-1]
    assert attribute(text, second).speaker == "Ana Ruiz"


def test_he_refers_to_the_person_a_title_doing_something_stands_for() -> None:
    text = ("The ceremony was opened by Prime Minister Tavita Leiataua. Ambassador Chen Wei, the envoy of "
            "China, said he had not read the report.\n\n"
            "The Prime Minister also rejected the report, saying talks were only about the port.\n\n"
            "“The project we discuss is the port,” he said.")
    quotation = find_quotations(text)[-1]
    assert attribute(text, quotation).speaker == "Tavita Leiataua"


def test_a_participle_set_off_after_what_someone_said_is_theirs() -> None:
    text = ("Harlow, who was speaking at her party's conference on Saturday, said the region is facing "
            "many threats, pointing to the “reckless raids” at sea.")
    quotation = find_quotations(text, partial=True)[0]
    attribution = attribute(text, quotation)
    assert (attribution.speaker, attribution.cue.text if attribution.cue else None) == ("Harlow", "pointing")


def test_remind_and_inform_introduce_a_quotation() -> None:
    text = "Admiral Ravi Menon reminded the audience that, ‘For our navy this sea is the heart of the region.’"
    attribution = attribute(text, find_quotations(text, partial=True)[0])
    assert (attribution.speaker, attribution.cue.text if attribution.cue else None) == ("Ravi Menon", "reminded")


def test_a_quotation_opening_a_sentence_goes_on_from_the_speech_verb_just_before() -> None:
    text = ("The army chief spoke first. Chief-of-Staff Pavel Dvorak echoed his opinion. “I consider the "
            "soldiers very well prepared.” The exercise ends on Friday.")
    attribution = attribute(text, find_quotations(text)[0])
    assert (attribution.speaker, attribution.cue.text if attribution.cue else None) == ("Pavel Dvorak", "echoed")
    # After a quotation of its own the sentence's speaker goes on by that quotation's attribution.
    text = ("“We train together,” said British High Commissioner to Ghana, Ambassador to Togo, Jane Holt. "
            "“As nations, we share expertise.”")
    assert attribute(text, find_quotations(text)[1]).speaker == "Jane Holt"
