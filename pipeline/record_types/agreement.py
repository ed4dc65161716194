"""Agreement: parties, kind, status and subject by the sentence's wording; "I", "we" and titles inside
a quotation resolved to the speaker, the speaker's body and the titled person."""

from __future__ import annotations

import re
from typing import Any

from pipeline.actors import ActorRules
from pipeline.quotes import attribute, find_quotations
from pipeline.record_types import Fields, Reading, RecordTypeEntry, names_in
from pipeline.strategies.rules.agreement import (
    names_no_topic,
    names_signers_of_agreement_told,
    read_agreement,
    states_agreement,
    states_signing_place,
    tells_several_documents,
)
from pipeline.text import Span

_FIRST_PERSON = {"i", "we"}


def read(document_text: str, unit: Span, sentence: str, fields: Fields) -> Reading:
    """The agreement the sentence's parse states. Parties a clause shares with the rest of its sentence
    (a clause cut at "; " or ", but") are read from the whole sentence, which is then the context."""
    overrides: Fields = {}
    reading = read_agreement(document_text, unit.start, unit.end)
    context = None
    if reading.reach:
        start, end = reading.reach
        context = Span(start, end, document_text[start:end])
    if reading.parties:
        overrides["parties"], resolved = resolve_speakers(document_text, unit, [{"name": n} for n in reading.parties])
        context = resolved or context
    overrides.update(reading.facts)
    model_subject = fields.get("subject")
    if "subject" not in overrides and isinstance(model_subject, str) and names_no_topic(model_subject):
        overrides["subject"] = None  # the model's "MoU", "signed": the document or the act, not what it is about
    return Reading(overrides, context, tuple({"subject": topic} for topic in reading.topics))


def resolve_speakers(
    text: str, unit: Span, parties: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], Span | None]:
    """Parties named as "I", "we" or by a title inside a quotation become the speaker, the speaker's
    body and the titled person ("The Kazakh president and I have agreed ..." -> Nazarbayev, Putin).
    Returns the parties and the document span their names were read from, for grounding (None when
    nothing needed resolving)."""
    needs = [p for p in parties if p["name"].lower() in _FIRST_PERSON or not is_capitalized_name(p["name"])]
    if not needs:
        return parties, None
    quotation = next((q for q in find_quotations(text) if q.start <= unit.start < q.end), None)
    speaker = attribute(text, quotation).speaker if quotation else None
    actors = ActorRules(text)
    resolved = []
    for party in parties:
        name = party["name"]
        if name.lower() == "i" and speaker:
            name = actors.full_name(speaker)
        elif name.lower() == "we" and speaker:
            name = actors.body_of(speaker) or name
        elif not is_capitalized_name(name):
            name = actors.person_titled(name) or name
        if name.lower() not in _FIRST_PERSON:
            resolved.append({"name": name})
    return resolved, Span(0, len(text), text)


def is_capitalized_name(name: str) -> bool:
    """'Vladimir Putin', 'Azerbaijan' are names; 'Kazakh president' is a description."""
    return bool(re.fullmatch(r"(?:[A-Z][\w’'.\-]*|of|the|and|for|\s)+", name)) and name.lower() not in _FIRST_PERSON


def complete_by_rule(overrides: Fields, sentence: str) -> bool:
    """An agreement with its parties and kind; or where and when its signing took place ("the
    signing took place on April 18 in Astana"), which continues the agreement told before."""
    return bool(overrides.get("parties") and overrides.get("kind")) or states_signing_place(sentence)


def missing_core(data: Fields) -> str | None:
    return None if data.get("parties") else "no parties"


def is_fragment(data: Fields) -> bool:
    return not data.get("parties")


def same_event(a: Fields, b: Fields) -> bool:
    """Shared parties; or one record is the signers of the agreement told before ("The partnership
    was signed in Brussels by A, B and C")."""
    if names_in(a.get("parties")) & names_in(b.get("parties")):
        return True
    return _only_names_signers(a) or _only_names_signers(b) or _signers_for_the_states(a, b)


def _signers_for_the_states(a: Fields, b: Fields) -> bool:
    """One record names the states, the other the people who signed for them, one for each state
    ("Chile and Peru signed a memorandum", then "Minister A signed for Chile and B for Peru")."""
    for states, people in ((a, b), (b, a)):
        state_parties, signers = states.get("parties") or [], people.get("parties") or []
        if len(state_parties) < 2 or any(p.get("kind") != "country" for p in state_parties):
            continue
        if any(p.get("kind") != "person" for p in signers):
            continue
        codes = [p.get("country") for p in state_parties]
        # A signer's title may not name the state ("the Permanent Secretary ... signed for Chile"): the
        # states the signers' titles do name are different ones, all among the record's.
        known = [p.get("country") for p in signers if p.get("country") is not None]
        one_each = bool(known) and len(set(known)) == len(known) and set(known) <= set(codes)
        if None not in codes and len(signers) == len(codes) and one_each:
            return True
    return False


def _only_names_signers(record: Fields) -> bool:
    evidence = record.get("evidence") or []
    return bool(evidence) and all(names_signers_of_agreement_told(e["text"]) for e in evidence)


def _tells_several(record: Fields) -> bool:
    return any(tells_several_documents(e["text"]) for e in record.get("evidence") or [])


def _identity_key(path: str, value: Any) -> Any:
    """A kind of "other" says only that the text names no kind on the list: it tells no two agreements apart."""
    return None if path == "kind" and value == "other" else value


def is_general(field: str, value: Any) -> bool:
    """States (and unions of states) as parties give way to those the text says signed (GUIDE: the
    signers are the parties): "A and B signed an agreement", then "it was signed by X and Y"."""
    if field != "parties" or not isinstance(value, dict):
        return False
    return value.get("kind") in ("country", "international_org")


ENTRY = RecordTypeEntry(
    record_type="agreement",
    gate=states_agreement,
    refers_back=states_signing_place,  # "The signing took place on April 18 in Astana."
    read_follow=3,
    read=read,
    complete_by_rule=complete_by_rule,
    # Agreements are signed in named places ("in Almaty"); "in the northern Caspian" is their subject.
    named_places_only=True,
    identifying=("kind", "date.start"),
    listed=("subject",),  # "agreements on A, B and C": one record per topic
    identity_key=_identity_key,
    points_back=_only_names_signers,  # "the agreement" there is the memorandum told before
    is_fragment=is_fragment,
    same_event=same_event,
    is_general=is_general,
    missing_core=missing_core,
    # "The agreements cover A, B and C", "we will be signing memoranda in the fields of A and B": the
    # parties of the signing the article tells.
    article_wide=("parties",),
    lends_article_wide=_tells_several,
)
