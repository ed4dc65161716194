"""The record contract (docs/records.md) as the schemas implement it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from schemas import (
    ACTOR_KINDS,
    ANY_RECORD,
    RECORD_TYPES,
    Actor,
    AidDelivery,
    DateRef,
    Evidence,
    Exercise,
    Quote,
    draft_list_model,
    draft_model,
    json_schemas,
    with_stable_id,
)

# Every field the contract names, per record type (docs/records.md, "Record types" and "Fields every record carries").
COMMON_FIELDS = {"id", "doc_id", "evidence", "spans"}
CONTRACT_FIELDS: dict[str, set[str]] = {
    "exercise": {
        "name", "description", "participants", "organizers", "observers", "location", "date", "duration", "scenario",
    },
    "aid_delivery": {"donor", "recipient", "items", "value", "date", "location", "program", "status"},
    "agreement": {"parties", "kind", "subject", "date", "location", "status"},
    "quote": {"speaker", "text", "cue", "cited_source", "date"},
}
VALUE_TYPE_FIELDS: dict[str, set[str]] = {
    "Actor": {"name", "kind", "country", "role"},
    "DateRef": {"text", "start", "end", "precision"},
    "Money": {"text", "amount", "currency", "approximate"},
    "Evidence": {"text", "start", "end"},
    "Item": {"description", "quantity"},
}
CONTRACT_ENUMS: dict[tuple[str, str], set[str]] = {
    ("aid_delivery", "status"): {"delivered", "pledged", "planned", "ongoing"},
    ("agreement", "kind"): {"memorandum", "treaty", "agreement", "accord", "plan", "other"},
    ("agreement", "status"): {"signed", "agreed", "proposed", "negotiating"},
}

SOURCE = "On May 18 a two-day rescue drill ended off Constanta."


def _evidence(text: str = SOURCE) -> list[dict[str, Any]]:
    return [{"text": text, "start": 0, "end": len(text)}]


def _exercise(**overrides: Any) -> Exercise:
    data: dict[str, Any] = {
        "id": "",
        "doc_id": "black_sea",
        "evidence": _evidence(),
        "name": None,
        "description": "rescue drill",
        "location": "off Constanta",
        "date": {"text": "May 18", "start": "2007-05-18", "end": "2007-05-18", "precision": "day"},
        "duration": "two-day",
    }
    data.update(overrides)
    return Exercise.model_validate(data)


def _enum_values(schema: dict[str, Any], prop: dict[str, Any]) -> set[str]:
    """The enum of a property, through anyOf/null and $ref."""
    options = prop.get("anyOf", [prop])
    values: set[str] = set()
    for option in options:
        if "$ref" in option:
            option = schema["$defs"][option["$ref"].rsplit("/", 1)[-1]]
        values.update(v for v in option.get("enum", []) if v is not None)
        if "const" in option:
            values.add(option["const"])
    return values


# --- JSON Schema export ------------------------------------------------------------------------------


def test_json_schemas_cover_every_record_type() -> None:
    assert set(json_schemas()) == set(CONTRACT_FIELDS) == set(RECORD_TYPES)


@pytest.mark.parametrize("record_type", sorted(CONTRACT_FIELDS))
def test_json_schema_has_every_contract_field(record_type: str) -> None:
    schema = json_schemas()[record_type]
    missing = (CONTRACT_FIELDS[record_type] | COMMON_FIELDS) - set(schema["properties"])
    assert not missing, f"{record_type} schema lacks contract fields {sorted(missing)}"
    json.dumps(schema)  # exportable as JSON


@pytest.mark.parametrize("record_type", sorted(CONTRACT_FIELDS))
def test_json_schema_value_types_have_their_contract_fields(record_type: str) -> None:
    defs = json_schemas()[record_type].get("$defs", {})
    for name, fields in VALUE_TYPE_FIELDS.items():
        if name in defs:
            assert fields <= set(defs[name]["properties"]), f"{record_type}: {name} lacks {fields - set(defs[name])}"
    assert "Evidence" in defs  # every record carries evidence spans


def test_json_schema_enums_match_the_contract() -> None:
    schemas = json_schemas()
    for (record_type, field), expected in CONTRACT_ENUMS.items():
        schema = schemas[record_type]
        assert _enum_values(schema, schema["properties"][field]) == expected, (record_type, field)
    actor = schemas["exercise"]["$defs"]["Actor"]
    assert _enum_values(schemas["exercise"], actor["properties"]["kind"]) == set(ACTOR_KINDS) == {
        "country", "government_body", "military_unit", "security_service", "international_org", "company",
        "person", "other",
    }


def test_json_schemas_carry_distinct_ids() -> None:
    ids = [schema["$id"] for schema in json_schemas().values()]
    assert len(set(ids)) == len(ids)


# --- Value types ------------------------------------------------------------------------------------


def test_evidence_accepts_offsets_matching_its_text() -> None:
    evidence = Evidence(text="rescue drill", start=10, end=22)
    assert evidence.end - evidence.start == len(evidence.text)


@pytest.mark.parametrize(("start", "end"), [(0, 11), (0, 13), (5, 5), (22, 10)])
def test_evidence_rejects_offsets_whose_length_differs_from_the_text(start: int, end: int) -> None:
    with pytest.raises(ValidationError, match="offsets"):
        Evidence(text="rescue drill", start=start, end=end)


def test_evidence_rejects_negative_offsets_and_empty_text() -> None:
    with pytest.raises(ValidationError):
        Evidence(text="abc", start=-1, end=2)
    with pytest.raises(ValidationError):
        Evidence(text="", start=0, end=0)


@pytest.mark.parametrize("country", ["KZ", "GE", "US", None])
def test_actor_accepts_iso_country_or_null(country: str | None) -> None:
    assert Actor(name="Georgian Border Police", kind="government_body", country=country).country == country


@pytest.mark.parametrize("country", ["Kazakhstan", "kz", "KAZ", "K", "Georgia", "G1"])
def test_actor_rejects_non_iso_country(country: str) -> None:
    with pytest.raises(ValidationError, match="country"):
        Actor(name="Kazakh Border Service", kind="security_service", country=country)


def test_actor_rejects_unknown_kind_empty_name_and_unknown_keys() -> None:
    with pytest.raises(ValidationError):
        Actor(name="Turkish Navy", kind="navy")
    with pytest.raises(ValidationError):
        Actor(name="")
    with pytest.raises(ValidationError, match="nationality"):
        Actor.model_validate({"name": "Turkish Navy", "nationality": "TR"})


@pytest.mark.parametrize("value", ["2006", "2006-06", "2006-06-21", "1999-12-31"])
def test_dateref_accepts_partial_iso_dates(value: str) -> None:
    assert DateRef(text="in June", start=value, end=value).start == value


@pytest.mark.parametrize(
    "value", ["2006-13", "2006-6", "2006-06-1", "06-21-2006", "21.06.2006", "June 2006", "2006-06-32", "2006-00"]
)
def test_dateref_rejects_malformed_partial_dates(value: str) -> None:
    with pytest.raises(ValidationError):
        DateRef(text="June 21", start=value)
    with pytest.raises(ValidationError):
        DateRef(text="June 21", end=value)


@pytest.mark.parametrize("value", ["2006-02-30", "2007-02-29", "2006-04-31"])
def test_dateref_rejects_days_that_do_not_exist(value: str) -> None:
    with pytest.raises(ValidationError):
        DateRef(text="the day", start=value, end=value, precision="day")


def test_dateref_rejects_start_after_end_and_unknown_precision() -> None:
    with pytest.raises(ValidationError, match="after"):
        DateRef(text="May 15-17", start="2006-05-17", end="2006-05-15", precision="day")
    with pytest.raises(ValidationError):
        DateRef(text="May", start="2006-05", precision="week")


def test_money_rejects_non_iso_currency_and_negative_amount() -> None:
    from schemas import Money

    assert Money(text="5 million euros", amount=5e6, currency="EUR").currency == "EUR"
    with pytest.raises(ValidationError):
        Money(text="$5", amount=5, currency="$")
    with pytest.raises(ValidationError):
        Money(text="$5", amount=-5, currency="USD")


# --- Records and ids --------------------------------------------------------------------------------


def test_record_requires_evidence_and_forbids_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="evidence"):
        _exercise(evidence=[])
    with pytest.raises(ValidationError, match="participant"):
        _exercise(participant=[])


def test_stable_id_is_equal_for_equal_content() -> None:
    first = with_stable_id(_exercise())
    second = with_stable_id(_exercise(id="anything at all"))
    assert first.id == second.id != ""
    assert first.id.startswith("black_sea:exercise:")
    assert with_stable_id(first).id == first.id  # idempotent


@pytest.mark.parametrize(
    "change",
    [
        {"name": "Harbor Shield 2007"},
        {"duration": "three-day"},
        {"doc_id": "another_doc"},
        {"evidence": _evidence("On May 18 a two-day rescue drill")},
        {"participants": [{"name": "Bulgarian Navy", "kind": "military_unit", "country": "BG"}]},
        {"date": {"text": "May 18", "start": "2008-05-18", "end": "2008-05-18", "precision": "day"}},
    ],
)
def test_stable_id_differs_for_different_content(change: dict[str, Any]) -> None:
    assert with_stable_id(_exercise()).id != with_stable_id(_exercise(**change)).id


def test_same_content_of_different_types_gets_different_ids() -> None:
    text = "“Our cutters will patrol the estuary,” he said."
    quote = Quote(id="", doc_id="d", evidence=_evidence(text), text="Our cutters will patrol the estuary")
    aid = AidDelivery(id="", doc_id="d", evidence=_evidence(text))
    assert with_stable_id(quote).id != with_stable_id(aid).id


def test_any_record_round_trips_every_type_through_json() -> None:
    records = [
        with_stable_id(_exercise()),
        with_stable_id(AidDelivery(id="", doc_id="d", evidence=_evidence(), status="delivered")),
        with_stable_id(Quote(id="", doc_id="d", evidence=_evidence(), text="words in marks")),
    ]
    for record in records:
        loaded = ANY_RECORD.validate_json(record.model_dump_json())
        assert type(loaded) is type(record)
        assert loaded == record


# --- Draft models -----------------------------------------------------------------------------------


def _all_property_names(schema: dict[str, Any]) -> set[str]:
    names = set(schema.get("properties", {}))
    for definition in schema.get("$defs", {}).values():
        names.update(definition.get("properties", {}))
    return names


@pytest.mark.parametrize("record_type", sorted(CONTRACT_FIELDS))
def test_draft_model_omits_what_the_pipeline_computes(record_type: str) -> None:
    draft = draft_model(record_type)
    fields = set(draft.model_fields)
    assert not fields & {"id", "doc_id", "record_type", "spans"}
    assert CONTRACT_FIELDS[record_type] <= fields  # everything else reaches the model
    schema = draft.model_json_schema()
    assert schema["properties"]["evidence"]["type"] == "array"
    assert schema["properties"]["evidence"]["items"] == {"type": "string"}  # cited text, never offsets
    assert not {"start", "end", "precision", "amount", "approximate"} & _all_property_names(schema)


def test_spans_map_field_paths_to_offset_pairs_in_the_json_schema() -> None:
    spans = json_schemas()["quote"]["properties"]["spans"]
    assert spans["type"] == "object"
    pair = spans["additionalProperties"]
    assert pair["type"] == "array" and pair["minItems"] == pair["maxItems"] == 2
    assert all(item == {"minimum": 0, "type": "integer"} for item in pair["prefixItems"])


def test_a_span_that_ends_before_it_starts_or_a_string_offset_is_invalid() -> None:
    text = "We will hold the line."
    evidence = [{"text": text, "start": 0, "end": len(text)}]
    with pytest.raises(ValidationError, match="before its start"):
        Quote(id="", doc_id="d", evidence=evidence, text="hold the line", spans={"text": (12, 8)})
    line = Quote(id="", doc_id="d", evidence=evidence, text="hold the line").model_dump_json()
    as_strings = line.replace('"start":0', '"start":"0"')
    assert as_strings != line
    with pytest.raises(ValidationError):
        ANY_RECORD.validate_json(as_strings, strict=True)


def test_draft_model_takes_dates_and_money_as_text() -> None:
    draft = draft_model("aid_delivery").model_validate(
        {"date": "on March 12", "value": "around $2 million", "evidence": ["Estonia delivered cameras."]}
    )
    assert draft.date == "on March 12"  # type: ignore[attr-defined]
    assert draft.value == "around $2 million"  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        draft_model("aid_delivery").model_validate({"date": {"text": "March 12", "start": "2008-03-12"}})
    with pytest.raises(ValidationError):
        draft_model("quote").model_validate({"text": "words", "evidence": [{"text": "w", "start": 0, "end": 1}]})


def test_draft_model_ignores_pipeline_fields_a_model_sends_anyway() -> None:
    draft = draft_model("exercise").model_validate({"id": "x", "doc_id": "y", "name": "Harbor Shield 2007"})
    assert "id" not in draft.model_dump()
    assert draft.model_dump()["name"] == "Harbor Shield 2007"


def test_draft_list_model_holds_drafts() -> None:
    listed = draft_list_model("agreement").model_validate(
        {"records": [{"kind": "memorandum", "date": "March 13", "evidence": ["They signed."]}]}
    )
    assert listed.records[0].date == "March 13"  # type: ignore[attr-defined]
    assert draft_list_model("agreement").model_validate({}).records == []  # type: ignore[attr-defined]
