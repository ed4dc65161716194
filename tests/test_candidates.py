"""Which sentences are asked about, and which are read by rule only. Every sentence is our own."""

from __future__ import annotations

from pathlib import Path

from pipeline.documents import Document
from pipeline.prompts import load_prompts
from pipeline.strategies.rules.exercise import refers_to_exercise
from pipeline.strategies.slots import candidate_units, read_only_units

TEXT = (
    "Chile and Peru held a joint naval drill off Arica on Monday.\n\n"
    "Officials praised the weather.\n\n"
    "This year's edition brought together crews from Ecuador and Colombia.\n\n"
    "Last year's exercise involved ships from Panama.\n\n"
    "Fishing resumed on Wednesday."
)


def _document() -> Document:
    return Document(doc_id="t", path=Path("t.txt"), text=TEXT, sha256="0")


def test_sentences_past_the_paragraph_that_speak_of_the_exercise_again_are_read_by_rule() -> None:
    prompt = load_prompts()["exercise"]
    asked = candidate_units(_document(), prompt)
    # Cue sentences are asked about, whatever edition they speak of; the model and the merge decide.
    assert [u.text for u in asked] == [
        "Chile and Peru held a joint naval drill off Arica on Monday.",
        "Last year's exercise involved ships from Panama.",
    ]
    read = read_only_units(_document(), prompt, asked)
    assert [u.text for u in read] == ["This year's edition brought together crews from Ecuador and Colombia."]


def test_another_edition_of_the_series_is_not_this_exercise() -> None:
    assert refers_to_exercise("The drills ended on Friday.")
    assert refers_to_exercise("This year's edition brought together crews from Ecuador.")
    assert not refers_to_exercise("Last year's exercise involved ships from Panama.")
    assert not refers_to_exercise("Officials praised the weather.")


def test_a_year_inside_the_exercises_name_is_not_its_date() -> None:
    from pipeline.record_types import entry
    from pipeline.strategies.slots import _place_and_date

    sentence = "Crews from Chile and Peru will conduct the annual Southern Shield 2031 exercise in Arica, 5-16 Aug."
    assert _place_and_date(entry("exercise"), sentence, {"date": "2031"})["date"] == "5-16 Aug"
    # A date the model made up gives way to the sentence's own.
    assert _place_and_date(entry("exercise"), sentence, {"date": "August 1"})["date"] == "5-16 Aug"
    # A name the rules do not recognize but the model gave ("Andes Accord 2031 (AA 31)") is masked too.
    sentence = "Forces from Chile will conduct the multinational Andes Accord 2031 (AA 31) drill in Arica, 5-16 Aug."
    found = _place_and_date(entry("exercise"), sentence, {"name": "Andes Accord 2031 (AA 31)"})
    assert found["date"] == "5-16 Aug"


def test_a_year_joined_to_a_name_by_a_hyphen_is_not_its_date() -> None:
    from pipeline.record_types import entry
    from pipeline.strategies.slots import _place_and_date

    # "Tarvan (Shield)-2031": a name the name reader misses still carries its year by the hyphen.
    sentence = "During the Tarvan (Shield)-2031 exercises July 7-8 in Osh Province, border troops trained."
    assert _place_and_date(entry("exercise"), sentence, {})["date"] == "July 7-8"
    # A year after a lowercase word ("mid-2031") is a date.
    assert _place_and_date(entry("exercise"), "The drills were held in Osh in mid-2031.", {})["date"] == "2031"


def test_the_models_place_must_be_a_named_place() -> None:
    from pipeline.record_types import entry
    from pipeline.strategies.slots import _place_and_date

    sentence = "Snipers from Chile fired at close range during the drill."
    assert _place_and_date(entry("exercise"), sentence, {"location": "close range"})["location"] is None


def test_the_year_a_series_began_is_not_the_events_date() -> None:
    from pipeline.record_types import entry
    from pipeline.strategies.slots import _place_and_date

    sentence = "The drill has been conducted annually since 2011 and was held 10-21 September 2030 in Arica."
    assert _place_and_date(entry("exercise"), sentence, {})["date"] == "10-21 September 2030"


def _read_after_a_delivery(sentence: str) -> list[str]:
    """The sentences read by rule (not asked) in a text that tells a delivery and then `sentence`."""
    text = (
        "On May 2 Chile delivered a package of pollution-control gear to the Peruvian coast guard in Callao. "
        f"{sentence}\n\nFishing resumed on Wednesday."
    )
    document = Document(doc_id="t", path=Path("t.txt"), text=text, sha256="0")
    prompt = load_prompts()["aid_delivery"]
    return [u.text for u in read_only_units(document, prompt, candidate_units(document, prompt))]


def test_what_a_delivery_included_is_read_into_it() -> None:
    from pipeline.strategies.rules.aid import states_contents

    read = _read_after_a_delivery("It included four containment booms and two skimmers.")
    assert read == ["It included four containment booms and two skimmers."]
    assert not states_contents("The talks included a visit to the port.")
    # The delivery as a whole may be the subject, as well as a pronoun or a batch noun.
    assert states_contents("According to the coast guard, the assistance includes two skimmers.")
    assert states_contents("The donation comprised forty radios.")


def test_goods_named_by_their_kind_are_listed_by_a_later_sentence() -> None:
    from pipeline.language.parse import parse
    from pipeline.strategies.rules.aid import contents

    def listed(sentence: str) -> list[str]:
        return [description for description, _ in contents(parse(sentence), 0, len(sentence))]

    # The goods named by kind may be the subject of the listing verb ...
    assert listed("The equipment handed over included four trucks and two boats.") == ["trucks", "boats"]
    # ... or be said, with a copula, to be a list (the parser may hang a comma list as appositions).
    assert listed("Other items donated are: tents, water filters, first aid boxes and lamps.") == [
        "tents", "water filters", "first aid boxes", "lamps",
    ]
    # One thing said of the goods is what they are, not their list.
    assert listed("The aid is a gift from Tarvia.") == []
    assert listed("The equipment is new.") == []


def test_what_a_delivery_was_worth_is_read_into_it() -> None:
    from pipeline.strategies.rules.aid import states_value

    read = _read_after_a_delivery("The embassy put the value of the package at about $3.7 million.")
    assert read == ["The embassy put the value of the package at about $3.7 million."]
    assert not states_value("The budget of the ministry is $5 million.")  # no delivery named


def _asked(record_type: str, text: str) -> list[str]:
    """The pieces of `text` the model would be asked about for `record_type`."""
    document = Document(doc_id="t", path=Path("t.txt"), text=text, sha256="0")
    return [u.text for u in candidate_units(document, load_prompts()[record_type])]


def test_a_list_of_parties_is_never_cut_as_two_clauses() -> None:
    """A clause cut at ", and" must join two clauses: the Oxford comma before a list's last name
    keeps the sentence whole, so its date stays with its signing."""
    listed = "The task force was set up with the signing of a memorandum between Chile, Peru, and Ecuador in 2021."
    assert _asked("agreement", listed) == [listed]
    two = "Chile signed a memorandum with Peru on fisheries, and Ecuador signed a treaty with Colombia on trade."
    assert _asked("agreement", two) == [
        "Chile signed a memorandum with Peru on fisheries", "Ecuador signed a treaty with Colombia on trade."
    ]


def test_a_semicolon_cuts_clauses_not_a_list_of_goods() -> None:
    listed = "Chile provided the following equipment: 12 patrol boats; 6 minibuses; 40 thermal cameras."
    assert _asked("aid_delivery", listed) == [listed]
    assert _asked("aid_delivery", "Chile provided radios to Peru; Ecuador handed over boats to Colombia.") == [
        "Chile provided radios to Peru", "Ecuador handed over boats to Colombia."
    ]


def test_the_models_date_that_is_no_date_of_the_sentence_is_dropped() -> None:
    from pipeline.record_types import entry
    from pipeline.strategies.slots import _place_and_date

    sentence = "The 9th Southern Shield naval exercise hosted by Chile came to an end."
    assert _place_and_date(entry("exercise"), sentence, {"date": "9th"})["date"] is None
    # a date in a relative clause is still a date of the sentence
    sentence = "The boats came from Chile, which on April 16 donated them to the Peruvian Navy."
    assert "date" not in _place_and_date(entry("aid_delivery"), sentence, {"date": "April 16"})


def test_a_relative_clause_in_the_middle_leaves_the_main_clause_after_it() -> None:
    from pipeline.record_types import entry
    from pipeline.strategies.slots import _place_and_date

    sentence = "Andes Shield, which is a jointly-led multinational exercise, was held between May 3 and May 9."
    assert _place_and_date(entry("exercise"), sentence, {})["date"] == "May 3 and May 9"
    # a date inside the relative clause is not the main clause's
    sentence = "The drill was held in Arica, where the navy opened a base on May 3."
    assert "date" not in _place_and_date(entry("exercise"), sentence, {})


def test_this_event_speaks_of_the_exercise_again() -> None:
    assert refers_to_exercise("This significant maritime event, organized by the Peruvian Navy, drew five states.")
    assert not refers_to_exercise("The event drew five states.")  # not a demonstrative: any event


def test_the_models_date_that_is_only_the_year_of_a_name_is_dropped() -> None:
    from pipeline.record_types import entry
    from pipeline.strategies.slots import _place_and_date

    sentence = "The Chilean Navy-led multinational exercise Southern Operations (SOUTHOPS) 2031 has begun off Arica."
    assert _place_and_date(entry("exercise"), sentence, {"date": "2031"})["date"] is None


def test_a_dash_after_the_models_place_opens_an_aside() -> None:
    from pipeline.record_types import entry
    from pipeline.strategies.slots import _place_and_date

    sentence = "“Andes Strike” exercise at Arica – the largest exercise ever organized in our country"
    found = _place_and_date(entry("exercise"), sentence, {"location": "Arica – the largest exercise ever organized"})
    assert found["location"] == "Arica"


def test_those_sent_or_come_to_an_exercise_told_a_few_sentences_before_are_read_into_it() -> None:
    text = (
        "Some 900 soldiers from twelve states opened a joint exercise at Camp Ruiz on Monday.\n"
        "They marched onto the parade ground with their flags.\n"
        "The band played the anthems of every state.\n"
        "The weather was mild.\n"
        "Ecuador and Bolivia have sent observers.\n"
    )
    document = Document(doc_id="t", path=Path("t.txt"), text=text, sha256="0")
    prompt = load_prompts()["exercise"]
    read = [u.text for u in read_only_units(document, prompt, candidate_units(document, prompt))]
    # Four sentences on, past the asked ones; the noun for their role says they speak of it.
    assert read == ["Ecuador and Bolivia have sent observers."]
    assert not refers_to_exercise("The weather was mild.")


def test_an_edition_of_the_exercise_is_the_exercise_whose_time_and_place_it_gives() -> None:
    from pipeline.strategies.rules.exercise import states_time_and_place

    # The parser hangs "commenced" on "Edition" as a clause of its own: still its predicate.
    assert states_time_and_place(
        'The 17th Edition of the joint training exercise "Andes Guard 21" commenced at Camp Ruiz in Arica on Friday.'
    )
    assert not states_time_and_place("The 17th edition of the yearbook was printed in Arica on Friday.")


def test_a_part_of_the_exercise_begun_then_and_there_gives_its_time_and_place() -> None:
    from pipeline.strategies.rules.exercise import states_time_and_place

    # GUIDE (exercise rulings): an exercise told in phases is one record; the course of its part is its course.
    assert states_time_and_place(
        "Sailors of six navies kicked off the harbour portion of Exercise Sea Lynx 2031 in Port Vell on "
        "March 7, 2031."
    )
    assert states_time_and_place("The second phase of the exercise began in Port Vell on May 3.")
    # A part of something else is no part of an exercise.
    assert not states_time_and_place("The second phase of the road project began in Port Vell on May 3.")
