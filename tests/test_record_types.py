"""The registry: one entry per record type, and nothing about a type outside its entry."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.prompts import PROMPTS_DIR, load_prompts
from pipeline.record_types import entries
from schemas import RECORD_TYPES

ROOT = Path(__file__).resolve().parent.parent


def test_every_schema_record_type_has_an_entry_and_a_prompt() -> None:
    assert list(entries()) == list(RECORD_TYPES)
    assert set(load_prompts(PROMPTS_DIR)) == set(RECORD_TYPES)


def test_identifying_fields_are_fields_of_the_schema() -> None:
    for record_type, kind in entries().items():
        for path in kind.identifying:
            assert path.split(".")[0] in RECORD_TYPES[record_type].model_fields, (record_type, path)


def test_no_stage_branches_on_a_record_type_name() -> None:
    """Type-specific behaviour lives in pipeline/record_types/: the stages ask the entry."""
    pattern = re.compile(r"record_type\s*(?:==|!=|in)\s*[\"'(]")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "pipeline").rglob("*.py")
        if "record_types" not in path.parts and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_unnamed_exercises_of_the_same_parties_are_one_event() -> None:
    from pipeline.record_types import entry

    same = entry("exercise").same_event
    chile_peru = {"participants": [{"name": "Chile"}, {"name": "Peru"}]}
    assert same(chile_peru, {"participants": [{"name": "Peru"}, {"name": "Chile"}]})
    assert not same(chile_peru, {"participants": [{"name": "Chile"}, {"name": "Ecuador"}]})
    assert not same({"participants": [{"name": "Chile"}]}, {"participants": [{"name": "Chile"}]})
    assert not same({"name": "Sea Shield 2031", **chile_peru}, chile_peru)


def test_an_exercise_record_needs_a_name_those_taking_part_or_a_kind_with_its_time_or_place() -> None:
    exercise = entries()["exercise"]
    assert exercise.missing_core({"description": "command post exercise"}) is not None
    assert exercise.missing_core({}) is not None
    assert exercise.missing_core({"location": "Arica"}) is not None
    assert exercise.missing_core({"description": "naval exercise", "location": "Arica"}) is None
    assert exercise.missing_core({"description": "naval exercise", "date": {"text": "May 3"}}) is None
    assert exercise.missing_core({"name": "Southern Shield 2031"}) is None
    assert exercise.missing_core({"participants": [{"name": "Chile"}]}) is None


def test_an_aid_record_needs_a_donor_a_recipient_and_what_was_given() -> None:
    aid = entries()["aid_delivery"]
    boats = {"items": [{"description": "patrol boats", "quantity": 2}]}
    assert aid.missing_core({"donor": {"name": "Chile"}, "recipient": {"name": "Peruvian Navy"}, **boats}) is None
    assert aid.missing_core({"donor": {"name": "Chile"}, **boats}) == "no recipient"
    assert aid.missing_core({"recipient": {"name": "Peruvian Navy"}, **boats}) == "no donor"
    assert aid.missing_core({"donor": {"name": "Chile"}, "recipient": {"name": "Peruvian Navy"}}) is not None


def test_a_sentence_that_names_the_exercise_as_held_tells_it_without_roles() -> None:
    exercise = entries()["exercise"]
    held = "Sea Falcon 2031 is being conducted at sea and ashore, a statement said."
    assert exercise.complete_by_rule({"name": "Sea Falcon 2031"}, held)
    assert not exercise.complete_by_rule({"name": "Sea Falcon 2031"}, "Sea Falcon 2031 was a success, he said.")
    assert not exercise.complete_by_rule({}, held)
