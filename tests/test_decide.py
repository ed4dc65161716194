"""The decide stage: one stated policy per field chooses between the model's answer and the reading."""

from __future__ import annotations

from pipeline.decide import POLICIES, decide
from pipeline.grounding import Grounded
from pipeline.record_types import RecordTypeEntry, entries


def _grounded(model: dict[str, object], reading: dict[str, object], contradicted: set[str]) -> Grounded:
    return Grounded(dict(model), [], [], dict(reading), set(contradicted))


def test_reading_first_takes_the_reading_then_the_model() -> None:
    kind = RecordTypeEntry(record_type="x")
    grounded = _grounded({"location": "Poti", "date": "May 3"}, {"location": "the port of Poti"}, set())
    assert decide(kind, grounded) == {"location": "the port of Poti", "date": "May 3"}


def test_a_field_the_reading_contradicts_is_dropped() -> None:
    kind = RecordTypeEntry(record_type="x")
    assert decide(kind, _grounded({"location": "Poti"}, {}, {"location"})) == {}


def test_reading_only_never_uses_the_model() -> None:
    kind = RecordTypeEntry(record_type="x", field_policy={"participants": "reading_only"})
    assert decide(kind, _grounded({"participants": [{"name": "Navy"}]}, {}, set())) == {}


def test_model_only_ignores_the_reading() -> None:
    kind = RecordTypeEntry(record_type="x", field_policy={"name": "model_only"})
    assert decide(kind, _grounded({"name": "Sea Breeze"}, {"name": "Breeze"}, {"name"})) == {"name": "Sea Breeze"}


def test_every_declared_policy_is_known() -> None:
    for kind in entries().values():
        assert set(kind.field_policy.values()) <= set(POLICIES), kind.record_type
