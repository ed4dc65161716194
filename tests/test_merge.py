"""Merging fragments of one event: the lead names a party briefly, the next sentence in full."""

from __future__ import annotations

from typing import Any

from pipeline.merge import merge_records
from schemas import AidDelivery, Evidence, with_stable_id


def _aid(start: int, **fields: Any) -> AidDelivery:
    evidence = [Evidence(text="x" * 10, start=start, end=start + 10)]
    record = AidDelivery(id="", doc_id="d", evidence=evidence, **fields)
    return with_stable_id(record)  # type: ignore[return-value]


def test_a_state_then_its_body_is_one_recipient() -> None:
    lead = _aid(0, donor={"name": "Norway", "kind": "country", "country": "NO"},
                recipient={"name": "Georgia", "kind": "country", "country": "GE"},
                items=[{"description": "radios"}], status="delivered")
    detail = _aid(80, recipient={"name": "Coast Guard of the Border Police", "kind": "security_service"},
                  value={"text": "$2 million", "amount": 2e6, "currency": "USD"}, status="delivered")
    merged = merge_records([lead, detail])
    assert len(merged) == 1
    record = merged[0].model_dump()
    assert record["recipient"]["name"] == "Coast Guard of the Border Police"
    assert record["donor"]["name"] == "Norway"
    assert record["value"]["amount"] == 2e6


def test_a_body_of_another_country_is_another_recipient() -> None:
    lead = _aid(0, donor={"name": "Norway", "kind": "country", "country": "NO"},
                recipient={"name": "Georgia", "kind": "country", "country": "GE"},
                items=[{"description": "radios"}], status="delivered")
    other = _aid(80, recipient={"name": "Ukrainian Navy", "kind": "military_unit", "country": "UA"},
                 items=[{"description": "boats"}], status="delivered")
    assert len(merge_records([lead, other])) == 2


def test_the_fuller_name_of_one_party_wins() -> None:
    lead = _aid(0, donor={"name": "Japan", "kind": "country", "country": "JP"},
                recipient={"name": "Border Service", "kind": "security_service"},
                items=[{"description": "radios"}], status="pledged")
    detail = _aid(80, recipient={"name": "Border Service of Mongolia", "kind": "security_service",
                                 "country": "MN"}, status="pledged")
    assert merge_records([lead, detail])[0].model_dump()["recipient"]["name"] == "Border Service of Mongolia"
