"""Stage 4: nothing a model says reaches the output unless the source says it too."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.grounding import Grounder, align_evidence, locate, value_spans, with_value_spans
from pipeline.prompts import load_prompts
from pipeline.strategies import Candidate
from pipeline.text import Span
from schemas import AidDelivery, Quote, with_stable_id

DOC = (
    "Publication: Pontic Security Review\n"
    "\n"
    "On May 18 the Romanian frigate “Marasesti” and two Bulgarian patrol boats began a three-day drill near "
    "Varna. The crews rehearsed towing a disabled ferry. Officers of the Turkish Navy watched.\n"
    "\n"
    "Later the ships returned to port.\n"
)
DRILL = "On May 18 the Romanian frigate “Marasesti” and two Bulgarian patrol boats began a three-day drill near Varna."
# Non-ASCII before the span: Cyrillic, accents, a character outside the BMP (one code point, two UTF-16 units).
UNICODE_DOC = (
    "Переход Садахло: café, señor, naïve 🚢🚧 — «кавычки».\n"
    "\n"
    "On March 12 Estonia delivered four thermal imaging cameras to the Georgian Border Police at Sadakhlo.\n"
)
AID = "On March 12 Estonia delivered four thermal imaging cameras to the Georgian Border Police at Sadakhlo."


def _candidate(fields: dict[str, Any], evidence: list[str], document: str, sentence: str) -> Candidate:
    start = document.index(sentence)
    return Candidate("exercise", fields, evidence, Span(start, start + len(sentence), sentence), "slots")


def _paragraph(document: str, sentence: str) -> str:
    start = document.index(sentence)
    end = document.find("\n\n", start)
    return document[start : end if end != -1 else len(document)]


# --- locate and align_evidence ----------------------------------------------------------------------


def test_exact_alignment_gives_the_offsets_of_the_cited_sentence() -> None:
    evidence = align_evidence(DRILL, DOC)
    assert evidence is not None
    assert (evidence.start, evidence.end) == (DOC.index(DRILL), DOC.index(DRILL) + len(DRILL))
    assert DOC[evidence.start : evidence.end] == evidence.text == DRILL


def test_cited_text_with_surrounding_spaces_aligns_to_the_text_itself() -> None:
    evidence = align_evidence(f"  {DRILL}\n", DOC)
    assert evidence is not None
    assert evidence.text == DRILL


def test_exact_alignment_prefers_the_occurrence_near_the_candidate() -> None:
    sentence = "The crews rehearsed towing a disabled ferry."
    document = f"{sentence} Filler text follows here.\n\n{'x' * 200}\n\n{sentence}\n"
    second = document.rindex(sentence)
    evidence = align_evidence(sentence, document, near=second)
    assert evidence is not None
    assert evidence.start == second


@pytest.mark.parametrize(
    "misquoted",
    [
        # a word changed, a plural dropped
        DRILL.replace("boats began", "boat started"),
        # straight quotes, a missing article
        'On May 18 Romanian frigate "Marasesti" and two Bulgarian patrol boats began a three-day drill near Varna.',
        # a hyphen lost and the final period missing
        "On May 18 the Romanian frigate “Marasesti” and two Bulgarian patrol boats began a three day drill near Varna",
    ],
)
def test_fuzzy_alignment_of_a_misquoted_sentence_slices_the_document(misquoted: str) -> None:
    evidence = align_evidence(misquoted, DOC)
    assert evidence is not None, "a slightly misquoted sentence should still be found"
    assert DOC[evidence.start : evidence.end] == evidence.text
    assert "Marasesti" in evidence.text
    assert "Varna" in evidence.text


RESCUE = "The crews rehearsed towing a disabled ferry."


@pytest.mark.parametrize(
    ("misquoted", "sentence"),
    [
        pytest.param(RESCUE.replace("rehearsed", "practised"), RESCUE, id="word-changed"),
        pytest.param(DRILL.replace("boats began", "boat started"), DRILL, id="paragraph-start-no-leading-newline"),
        pytest.param(DRILL.replace("boats began", "boat began"), DRILL, id="keeps-final-period"),
        pytest.param("The crew rehearsed towing the disabled ferry.", RESCUE, id="no-leading-space"),
        pytest.param("The crews rehearsed towing a disabled ferries.", RESCUE, id="no-word-of-previous-sentence"),
    ],
)
def test_fuzzy_alignment_gives_exactly_the_misquoted_sentence(misquoted: str, sentence: str) -> None:
    """Evidence is the source sentence the model misquoted: no stray spaces, no words of its neighbours."""
    evidence = align_evidence(misquoted, DOC)
    assert evidence is not None
    assert DOC[evidence.start : evidence.end] == evidence.text
    assert evidence.text == sentence


def test_unrelated_text_is_not_aligned() -> None:
    assert align_evidence("The Kazakh Navy received three new helicopters from Italy last winter.", DOC) is None
    assert align_evidence("", DOC) is None
    assert align_evidence("Varna drill", DOC) is None  # too short to align fuzzily, and not in the text


@pytest.mark.parametrize(
    "cited",
    [
        AID,  # exact
        AID.replace("Georgian", "georgian"),  # case
        AID.replace(" to the", "  to\tthe"),  # spacing
        "On March 12 Estonia delivered four thermal imaging camera to the Georgian Border Police at Sadakhlo.",  # fuzzy
    ],
)
def test_offsets_after_non_ascii_text_slice_exactly(cited: str) -> None:
    evidence = align_evidence(cited, UNICODE_DOC)
    assert evidence is not None
    assert UNICODE_DOC[evidence.start : evidence.end] == evidence.text
    assert evidence.start == UNICODE_DOC.index("On March 12")  # code points, not bytes or UTF-16 units
    assert evidence.text.startswith("On March 12 Estonia")


def test_locate_finds_straight_quoted_value_in_curly_form() -> None:
    found = locate('frigate "Marasesti"', DOC)
    assert found is not None
    assert found.text == "frigate “Marasesti”"
    assert DOC[found.start : found.end] == found.text


def test_locate_ignores_case_and_spacing_but_respects_word_bounds() -> None:
    found = locate("bulgarian   PATROL boats", DOC)
    assert found is not None
    assert found.text == "Bulgarian patrol boats"
    assert locate("patrol boatswain", DOC) is None
    assert locate("Romanian Navy", DOC) is None


def test_locate_after_non_ascii_text() -> None:
    found = locate("georgian border police", UNICODE_DOC)
    assert found is not None
    assert UNICODE_DOC[found.start : found.end] == found.text == "Georgian Border Police"


# --- Grounder ---------------------------------------------------------------------------------------


def test_grounded_candidate_keeps_source_values_and_computes_evidence() -> None:
    fields = {
        "description": "drill",
        "participants": [{"name": "Romanian frigate"}, {"name": "Bulgarian patrol boats"}],
        "location": "near Varna",
        "date": "May 18",
        "duration": "three-day",
    }
    grounded = Grounder(DOC, []).ground(_candidate(fields, [DRILL], DOC, DRILL))
    assert grounded.dropped == []
    assert grounded.fields == fields
    assert [(e.start, e.end) for e in grounded.evidence] == [(DOC.index(DRILL), DOC.index(DRILL) + len(DRILL))]


def test_value_in_straight_quotes_is_returned_in_the_documents_curly_form() -> None:
    fields = {"description": 'frigate "Marasesti"', "participants": [{"name": 'Romanian frigate "Marasesti"'}]}
    grounded = Grounder(DOC, []).ground(_candidate(fields, [DRILL], DOC, DRILL))
    assert grounded.dropped == []
    assert grounded.fields["description"] == "frigate “Marasesti”"
    assert grounded.fields["participants"] == [{"name": "Romanian frigate “Marasesti”"}]


def test_value_copied_from_a_few_shot_example_is_dropped_with_that_reason() -> None:
    example = "In early June a joint naval drill dubbed “Sea Breeze 2019” took place off Batumi."
    fields = {"name": "Sea Breeze 2019", "location": "off Batumi", "duration": "three-day"}
    grounded = Grounder(DOC, [example]).ground(_candidate(fields, [DRILL], DOC, DRILL))
    assert grounded.fields["name"] is None
    assert grounded.fields["location"] is None
    assert grounded.fields["duration"] == "three-day"
    reasons = {d.field: d.reason for d in grounded.dropped}
    assert reasons == {"name": "copied from a few-shot example", "location": "copied from a few-shot example"}
    assert {d.value for d in grounded.dropped} == {"Sea Breeze 2019", "off Batumi"}


def test_value_copied_from_a_shipped_prompt_example_is_reported_as_copied() -> None:
    prompts = load_prompts()
    examples = [e.text for p in prompts.values() for e in p.examples]
    copied = "Moldovan Carabinieri"  # a name from the shipped exercise prompt's examples
    assert any(copied in text for text in examples), "the shipped examples changed; pick another copied name"
    fields = {"participants": [{"name": copied}, {"name": "Bulgarian patrol boats"}]}
    grounded = Grounder(DOC, examples).ground(_candidate(fields, [DRILL], DOC, DRILL))
    assert grounded.fields["participants"] == [{"name": "Bulgarian patrol boats"}]
    assert [(d.field, d.reason) for d in grounded.dropped] == [
        ("participants[0].name", "copied from a few-shot example")
    ]


def test_value_in_neither_source_nor_examples_is_dropped_as_not_in_the_source() -> None:
    grounded = Grounder(DOC, ["An unrelated example sentence."]).ground(
        _candidate({"location": "off Sevastopol"}, [DRILL], DOC, DRILL)
    )
    assert grounded.fields["location"] is None
    assert [(d.field, d.value, d.reason) for d in grounded.dropped] == [
        ("location", "off Sevastopol", "not in the source text")
    ]


def test_value_elsewhere_in_the_document_but_not_in_the_candidates_context_is_dropped() -> None:
    # "port" is in the document, but not in the sentence the candidate came from.
    grounded = Grounder(DOC, []).ground(_candidate({"location": "to port"}, [DRILL], DOC, DRILL))
    assert grounded.fields["location"] is None
    assert grounded.dropped[0].field == "location"


def test_invented_quantity_is_dropped_but_the_item_stays() -> None:
    context = _paragraph(UNICODE_DOC, AID)
    fields = {
        "items": [{"description": "thermal imaging cameras", "quantity": 7}],
        "donor": {"name": "Estonia"},
    }
    candidate = Candidate("aid_delivery", fields, [AID], Span(UNICODE_DOC.index(AID), len(UNICODE_DOC), context),
                          "slots")
    grounded = Grounder(UNICODE_DOC, []).ground(candidate)
    assert grounded.fields["items"] == [{"description": "thermal imaging cameras", "quantity": None}]
    assert [(d.field, d.value, d.reason) for d in grounded.dropped] == [
        ("items[0].quantity", "7", "number not in the source text")
    ]


@pytest.mark.parametrize("quantity", [4, 12])
def test_quantity_written_as_a_word_or_digits_is_kept(quantity: int) -> None:
    text = "On March 12 Estonia delivered four cameras and 12 radios to the Georgian Border Police."
    fields = {"items": [{"description": "cameras" if quantity == 4 else "radios", "quantity": quantity}]}
    candidate = Candidate("aid_delivery", fields, [text], Span(0, len(text), text), "slots")
    grounded = Grounder(text, []).ground(candidate)
    assert grounded.dropped == []
    assert grounded.fields["items"][0]["quantity"] == quantity


def test_quantity_matching_only_part_of_a_number_is_dropped() -> None:
    text = "On March 12 Estonia delivered 40 cameras to the Georgian Border Police."
    candidate = Candidate(
        "aid_delivery", {"items": [{"description": "cameras", "quantity": 4}]}, [text], Span(0, len(text), text),
        "slots",
    )
    grounded = Grounder(text, []).ground(candidate)
    assert grounded.fields["items"][0]["quantity"] is None


def test_actor_whose_name_is_not_in_the_source_is_dropped_whole() -> None:
    fields = {
        "participants": [
            {"name": "Hellenic Navy", "kind": "military_unit", "country": "GR"},
            {"name": "Bulgarian patrol boats", "kind": "military_unit", "country": "BG"},
        ],
        "organizers": [{"name": "Romanian Naval Forces", "role": "Romanian frigate"}],
    }
    grounded = Grounder(DOC, []).ground(_candidate(fields, [DRILL], DOC, DRILL))
    assert grounded.fields["participants"] == [
        {"name": "Bulgarian patrol boats", "kind": "military_unit", "country": "BG"}
    ]
    assert grounded.fields["organizers"] == []  # its role is in the text, but the actor is not
    dropped_fields = {d.field for d in grounded.dropped}
    assert {"participants[0].name", "organizers[0].name"} <= dropped_fields


def test_single_actor_not_in_the_source_becomes_null() -> None:
    candidate = Candidate(
        "aid_delivery", {"donor": {"name": "Japan"}, "recipient": {"name": "Georgian Border Police"}}, [AID],
        Span(UNICODE_DOC.index(AID), UNICODE_DOC.index(AID) + len(AID), AID), "slots",
    )
    grounded = Grounder(UNICODE_DOC, []).ground(candidate)
    assert grounded.fields["donor"] is None
    assert grounded.fields["recipient"] == {"name": "Georgian Border Police"}


def test_label_fields_are_not_looked_up_in_the_text() -> None:
    candidate = Candidate(
        "agreement", {"kind": "memorandum", "status": "signed"}, [AID],
        Span(UNICODE_DOC.index(AID), UNICODE_DOC.index(AID) + len(AID), AID), "slots",
    )
    grounded = Grounder(UNICODE_DOC, []).ground(candidate)
    assert grounded.fields == {"kind": "memorandum", "status": "signed"}
    assert grounded.dropped == []


def test_evidence_not_in_the_source_is_dropped_and_duplicates_collapse() -> None:
    invented = "The Hellenic Navy sent two minesweepers to the exercise off Crete in the autumn."
    grounded = Grounder(DOC, []).ground(_candidate({}, [DRILL, invented, DRILL], DOC, DRILL))
    assert [e.text for e in grounded.evidence] == [DRILL]
    assert [(d.field, d.reason) for d in grounded.dropped] == [("evidence", "not found in the source text")]


def test_values_missing_from_source_names_every_text_value_not_in_the_source() -> None:
    from pipeline.grounding import values_missing_from_source

    source = "On May 3 Latvia delivered two radars to the Estonian Navy."
    record = {
        "record_type": "aid_delivery",
        "donor": {"name": "Latvia", "kind": "country", "country": "LV", "role": None},
        "recipient": {"name": "Estonian Navy", "kind": "military_unit", "country": "EE", "role": None},
        "items": [{"description": "radars", "quantity": 2}, {"description": "sonars", "quantity": 1}],
        "date": {"text": "May 3", "start": "2010-05-03", "end": "2010-05-03", "precision": "day"},
        "program": "Baltic Shield program",
        "status": "delivered",
    }
    assert values_missing_from_source(record, source) == ["sonars", "Baltic Shield program"]


# --- Where each value's words are -------------------------------------------------------------------

SPANS_DOC = (
    "Estonia has long helped Georgia. On March 12 Estonia delivered four thermal imaging cameras worth about "
    "EUR 200,000 to the Georgian Border Police at Sadakhlo, said Tarmo Kask, the Estonian defence attaché.\n"
)
SPANS_SENTENCE = SPANS_DOC[SPANS_DOC.index("On March 12") : SPANS_DOC.index("\n")]


def _aid_record() -> AidDelivery:
    start = SPANS_DOC.index(SPANS_SENTENCE)
    return AidDelivery(
        id="", doc_id="d", evidence=[{"text": SPANS_SENTENCE, "start": start, "end": start + len(SPANS_SENTENCE)}],
        donor={"name": "Estonia", "kind": "country", "country": "EE"},
        recipient={"name": "Georgian Border Police", "kind": "security_service", "country": "GE"},
        items=[{"description": "thermal imaging cameras", "quantity": 4}],
        value={"text": "about EUR 200,000", "amount": 200000, "currency": "EUR", "approximate": True},
        date={"text": "March 12", "start": "2021-03-12", "end": "2021-03-12", "precision": "day"},
        location="Sadakhlo", status="delivered",
    )


def test_every_value_points_at_its_own_words_in_the_evidence() -> None:
    spans = value_spans(_aid_record(), SPANS_DOC)
    words = {path: SPANS_DOC[start:end] for path, (start, end) in spans.items()}
    assert words["donor.name"] == "Estonia"
    assert spans["donor.name"][0] == SPANS_DOC.index("Estonia delivered")  # the mention in the evidence, not the first
    assert words["recipient.name"] == "Georgian Border Police"
    assert words["items[0].description"] == "thermal imaging cameras"
    assert words["location"] == "Sadakhlo"
    assert "status" not in spans and "donor.kind" not in spans  # labels chosen from a list point at no words


def test_normalized_values_point_at_the_words_they_were_normalized_from() -> None:
    spans = value_spans(_aid_record(), SPANS_DOC)
    for key in ("start", "end", "precision"):
        assert spans[f"date.{key}"] == spans["date.text"]
    for key in ("amount", "currency", "approximate"):
        assert spans[f"value.{key}"] == spans["value.text"]
    assert SPANS_DOC[slice(*spans["value.text"])] == "about EUR 200,000"
    assert spans["donor.country"] == spans["donor.name"]
    assert SPANS_DOC[slice(*spans["items[0].quantity"])] == "four"


def test_a_country_named_only_by_a_persons_title_points_at_the_title() -> None:
    sentence = SPANS_DOC[SPANS_DOC.index("On March 12") : SPANS_DOC.index("\n")]
    start = SPANS_DOC.index(sentence)
    quote = Quote(
        id="", doc_id="d", evidence=[{"text": sentence, "start": start, "end": start + len(sentence)}],
        text="four thermal imaging cameras", cue="said",
        speaker={"name": "Tarmo Kask", "kind": "person", "country": "EE", "role": "Estonian defence attaché"},
    )
    spans = value_spans(quote, SPANS_DOC)
    assert SPANS_DOC[slice(*spans["speaker.country"])] == "Estonian defence attaché"
    assert SPANS_DOC[slice(*spans["text"])] == "four thermal imaging cameras"
    assert SPANS_DOC[slice(*spans["cue"])] == "said"


def test_spans_are_not_part_of_the_record_id() -> None:
    record = with_stable_id(_aid_record())
    spanned = with_value_spans(record, SPANS_DOC)
    assert spanned.spans and spanned.content_id() == record.id == spanned.id
