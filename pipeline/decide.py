"""Stage 5, decide: each field's final value, from the model's grounded answer and the sentence
reading, by one stated policy per field (declared in the record type's registry entry).

- `reading_first` (the default): the reading's value where the sentence's wording gives one; where
  the reading says the sentence does not state the field, nothing; otherwise the model's value.
- `reading_only`: the reading's value or nothing. For fields the 270M model was measured to get
  mostly wrong (who took part in an exercise, an aid status): its answer is never used.
- `model_only`: the model's value, whatever the reading says.

Both inputs have already been grounded: every verbatim value is in the source. What happens after
this (actors' kind, country and full name; dates and money normalized) only completes a value,
never chooses between two.
"""

from __future__ import annotations

from typing import Any

from pipeline.grounding import Grounded
from pipeline.record_types import RecordTypeEntry

POLICIES = ("reading_first", "reading_only", "model_only")


def decide(kind: RecordTypeEntry, grounded: Grounded) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in [*grounded.fields, *(n for n in grounded.reading if n not in grounded.fields)]:
        policy = kind.field_policy.get(name, "reading_first")
        if policy == "model_only":
            value = grounded.fields.get(name)
        elif name in grounded.reading:
            value = grounded.reading[name]
        elif name in grounded.contradicted or policy == "reading_only":
            value = None
        else:
            value = grounded.fields.get(name)
        if value is not None:
            values[name] = value
    return values
