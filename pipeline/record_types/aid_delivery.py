"""AidDelivery: who gives what to whom, how much, in which program and status, by the sentence's wording."""

from __future__ import annotations

import re

from pipeline.actors import ActorRules
from pipeline.language.parse import parse
from pipeline.language.places import country_of_name, demonym_country
from pipeline.normalize import find_money
from pipeline.record_types import Fields, Reading, RecordTypeEntry, names_in
from pipeline.strategies.rules.aid import (
    ceremony_place,
    contents,
    is_general_goods,
    lexicon,
    read_aid,
    refers_to_delivery,
    states_specific_aid,
)
from pipeline.strategies.rules.phrases import is_specific_actor, parsed_place
from pipeline.text import Span, one_name, squash


def read(document_text: str, unit: Span, sentence: str, fields: Fields) -> Reading:
    """Roles, goods, status and program from the dependency parse of the document (the sentence's
    tokens by their offsets); the value from the money in the sentence."""
    reading = read_aid(parse(document_text), unit.start, unit.end, sentence)
    overrides: Fields = {}
    if reading.status != "delivered":
        # Only a handover happens somewhere; "for its posts in the Batken region" is a destination.
        overrides["location"] = None
    held_at = ceremony_place(sentence)
    if held_at:  # "The handover ceremony took place yesterday in Bishkek": the delivery's place
        overrides["location"] = held_at
    elif reading.status == "delivered":
        overrides["location"] = parsed_place(sentence)
    model_donor = (fields.get("donor") or {}).get("name")
    # The model's donor stays only where a giver stands (subject of a giving verb, after "by" or
    # "from"): the 270M model often names the recipient or a bystander.
    if model_donor and not (model_donor in reading.giver_text and is_specific_actor(model_donor)):
        overrides["donor"] = None
    model_recipient = (fields.get("recipient") or {}).get("name")
    if model_recipient and not is_specific_actor(model_recipient):
        overrides["recipient"] = None  # "25" read off "25 all-terrain vehicles" is no one
    # The value is the money the sentence states; a number the model took for it ("40" of "40
    # radios") is no value.
    money = find_money(sentence)
    overrides["value"] = money[0].text if money else None
    # "provides Moldova 5.5 million euros": an amount is the value, never an item.
    model_items = fields.get("items") or []
    paid = [i for i in model_items if isinstance(i, dict) and _is_amount(i)]
    if paid:
        overrides["items"] = [i for i in model_items if i not in paid] or None  # None: the model's are wrong
    if reading.donor:
        overrides["donor"] = {"name": _state_of_envoy(reading.donor, document_text) or reading.donor}
    if reading.recipient:
        overrides["recipient"] = {"name": reading.recipient}
    # A transfer that names no goods ("said at the handover ceremony") leaves a list of contents to read.
    # ... and so does goods named only by their kind with a list in the same sentence ("equipment,
    # which includes 830 suits and 1,000 masks"): the specific things are the items (GUIDE §10).
    general = bool(reading.items) and all(is_general_goods(d) for d, _ in reading.items)
    listed = contents(parse(document_text), unit.start, unit.end) if not reading.items or general else []
    if reading.items and not listed:
        overrides["items"] = [{"description": d, "quantity": q} for d, q in reading.items]
    elif listed:  # "It included four booms and two skimmers": the goods of the delivery just told
        overrides["items"] = [{"description": d, "quantity": q} for d, q in listed]
    elif reading.nothing_handed_over:
        overrides["items"] = None  # "sent no one": none of the model's items either
    # The status is read off the verb ("handed over", "will deliver", "is training"); the model's
    # answer was "planned" for nearly everything and kept fragments of one delivery apart.
    overrides["status"] = reading.status
    # A program is named in the sentence ("through the Export Control ... program") or not at all:
    # the model's guesses here were places and topics.
    overrides["program"] = reading.program
    # No one gives to themselves: a recipient that is the donor again is a misread (the model
    # repeating the giver, or the program's name read on both sides).
    donor, recipient = (overrides.get("donor", fields.get("donor")) or {}), (
        overrides.get("recipient", fields.get("recipient")) or {}
    )
    if donor.get("name") and recipient.get("name") and _bare(donor["name"]) == _bare(recipient["name"]):
        overrides["recipient"] = None
    if held_at and not reading.items:
        # "A handover ceremony was held at the X barracks, where the minister said the US is helping
        # ...": a ceremony that hands over nothing named is the one of the delivery just told; who
        # speaks there gives and receives nothing new.
        overrides.update(donor=None, recipient=None, items=None, value=None, status=None)
    if reading.named_from is not None:  # "to the coast guard", named in full before the sentence
        return Reading(overrides, Span(reading.named_from, unit.end, document_text[reading.named_from : unit.end]))
    return Reading(overrides)


def _state_of_envoy(donor: str, document_text: str) -> str | None:
    """"handed over by the US Ambassador", "the Chinese ambassador handed over": an envoy named only by
    the state that sends them gives for that state (GUIDE, annotations r310-r357), named as the text
    names the state."""
    words = donor.split()
    if words and words[0].lower() == "the":
        words = words[1:]
    if len(words) < 2 or words[-1].lower() not in lexicon().envoy_posts:
        return None
    state = " ".join(words[:-1])
    if country_of_name(state):
        return state  # "the US Ambassador": the state as the donor's words name it
    code = demonym_country(state) if len(words) == 2 else None  # "the Chinese Ambassador"
    return ActorRules(document_text).state_named(code) if code else None


def _is_amount(item: Fields) -> bool:
    """An item the model read that is a sum of money ("5.5 million euros", split into 5.5 of "million euros")."""
    description = str(item.get("description") or "").strip()
    quantity = item.get("quantity")
    text = f"{quantity:g} {description}" if isinstance(quantity, (int, float)) else description
    return any(m.text == text for m in find_money(text))


def _bare(name: str) -> str:
    """A name as compared, without a trailing abbreviation in brackets: "European X Initiative (EXI)"."""
    return squash(re.sub(r"\s*\([^()]*\)\s*$", "", name))


def complete_by_rule(overrides: Fields, sentence: str) -> bool:
    """Goods handed over, with or without a giver: "the provision of trailers along with spare parts"
    continues the delivery before it (merge), or is rejected as incomplete; so does a value stated
    with no transfer of its own ("The embassy put the value of the package at $3.7 million")."""
    return (
        bool(overrides.get("items"))
        or bool(overrides.get("value") and overrides.get("status") is None)
        or ceremony_place(sentence) is not None  # where its handover ceremony was held
    )


def missing_core(data: Fields) -> str | None:
    """Aid goes from a donor to a recipient (GUIDE §7): a transfer that names no one receiving it is
    no delivery the text tells ("the Navy sent a destroyer", "X is training its own forces")."""
    if not data.get("donor"):
        return "no donor"
    if not data.get("recipient"):
        return "no recipient"
    if not (data.get("items") or data.get("value")):
        return "nothing handed over (no items or value)"
    return None


def is_fragment(data: Fields) -> bool:
    return not data.get("donor")  # "the delivery was carried out through ..." continues the last one


def same_event(a: Fields, b: Fields) -> bool:
    donor_a, donor_b = (a.get("donor") or {}).get("name"), (b.get("donor") or {}).get("name")
    named = isinstance(donor_a, str) and isinstance(donor_b, str)
    same_donor = donor_a == donor_b or (named and one_name(str(donor_a), str(donor_b)))
    # The same goods, or one side names them only by their kind ("equipment", then the list of it).
    general = any(v and all(is_general("items", i) for i in v) for v in (a.get("items"), b.get("items")))
    if (bool(names_in(a.get("items")) & names_in(b.get("items"))) or (general and bool(donor_a))) and same_donor:
        return True
    # A headline's "US donates 21 vehicles" and the lead's "received 21 HMMWVs from the United States
    # Government": one state gives the same number of things (the merge has checked the recipients agree).
    state_a, state_b = (a.get("donor") or {}).get("country"), (b.get("donor") or {}).get("country")
    return bool(state_a) and state_a == state_b and bool(_counts(a) & _counts(b))


def _counts(data: Fields) -> set[int]:
    """How many of each thing the delivery gives, where the text says (one of each is no count)."""
    return {i["quantity"] for i in data.get("items") or [] if isinstance(i.get("quantity"), int) and i["quantity"] > 1}


def is_general(field: str, value: object) -> bool:
    return field == "items" and isinstance(value, dict) and is_general_goods(value.get("description") or "")


ENTRY = RecordTypeEntry(
    record_type="aid_delivery",
    gate=states_specific_aid,
    refers_back=refers_to_delivery,  # "It included four booms and two skimmers.", "It was worth $2 million."
    read_follow=4,
    read=read,
    complete_by_rule=complete_by_rule,
    # Status is read off the sentence by rule: "handed over two boats" and "will deliver three more" differ.
    identifying=("donor.name", "recipient.name", "date.start", "status"),
    is_fragment=is_fragment,
    same_event=same_event,
    is_general=is_general,
    missing_core=missing_core,
    # The model said "planned" for nearly everything, and guessed places and topics as programs.
    field_policy={"status": "reading_only", "program": "reading_only"},
)
