"""AidDelivery: who gives what to whom, how much, in which program and status, by the sentence's wording."""

from __future__ import annotations

from pipeline.normalize import find_money, parse_count
from pipeline.record_types import Fields, Reading, RecordTypeEntry
from pipeline.strategies.rules.aid import (
    aid_program,
    aid_status,
    donor_and_recipient,
    donor_is_giver,
    states_specific_aid,
    transferred_items,
)
from pipeline.strategies.rules.phrases import is_specific_actor
from pipeline.text import Span, squash


def read(_document_text: str, _unit: Span, sentence: str, fields: Fields) -> Reading:
    overrides: Fields = {}
    if aid_status(sentence) != "delivered":
        # Only a handover happens somewhere; "for its posts in the Batken region" is a destination.
        overrides["location"] = None
    model_donor = (fields.get("donor") or {}).get("name")
    if model_donor and not (donor_is_giver(sentence, model_donor) and is_specific_actor(model_donor)):
        overrides["donor"] = None
    money = find_money(sentence)
    if money:
        overrides["value"] = money[0].text
    donor, recipient = donor_and_recipient(sentence)
    if donor:
        overrides["donor"] = {"name": donor}
    if recipient:
        overrides["recipient"] = {"name": recipient}
    items = transferred_items(sentence)
    if items:
        overrides["items"] = [{"description": d, "quantity": parse_count(q) if q else None} for d, q in items]
    # The status is read off the verb ("handed over", "will deliver", "is training"); the model's
    # answer was "planned" for nearly everything and kept fragments of one delivery apart.
    overrides["status"] = aid_status(sentence)
    # A program is named in the sentence ("through the Export Control ... program") or not at all:
    # the model's guesses here were places and topics.
    overrides["program"] = aid_program(sentence)
    return Reading(overrides)


def complete_by_rule(overrides: Fields) -> bool:
    """Goods handed over, with or without a giver: "the provision of trailers along with spare parts"
    continues the delivery before it (merge), or is rejected as incomplete."""
    return bool(overrides.get("items"))


def missing_core(data: Fields) -> str | None:
    if not data.get("donor"):
        return "no donor"
    if not (data.get("items") or data.get("value")):
        return "nothing handed over (no items or value)"
    return None


def is_fragment(data: Fields) -> bool:
    return not data.get("donor")  # "the delivery was carried out through ..." continues the last one


def _names(values: list[Fields] | None) -> set[str]:
    return {squash(v.get("description") or "") for v in values or []}


def same_event(a: Fields, b: Fields) -> bool:
    donor_a, donor_b = (a.get("donor") or {}).get("name"), (b.get("donor") or {}).get("name")
    same_donor = (squash(donor_a) if donor_a else None) == (squash(donor_b) if donor_b else None)
    return bool(_names(a.get("items")) & _names(b.get("items"))) and same_donor


ENTRY = RecordTypeEntry(
    record_type="aid_delivery",
    gate=states_specific_aid,
    read=read,
    complete_by_rule=complete_by_rule,
    # Status is read off the sentence by rule: "handed over two boats" and "will deliver three more" differ.
    identifying=("donor.name", "recipient.name", "date.start", "status"),
    is_fragment=is_fragment,
    same_event=same_event,
    missing_core=missing_core,
    # The model said "planned" for nearly everything, and guessed places and topics as programs.
    field_policy={"status": "reading_only", "program": "reading_only"},
)
