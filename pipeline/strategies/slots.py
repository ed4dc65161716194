"""Slot filling for small completion models: one candidate sentence, one short completion.

The 270M embedded model cannot write a document's records as JSON, but continues a few-shot
`Key: value` pattern well for a single sentence (0.3-1.5 s each on 2 cores). Calls are made
record type by record type so consecutive prompts share the few-shot prefix and llama.cpp
reuses its KV cache for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pipeline.backends.base import Backend
from pipeline.documents import Document
from pipeline.prompts import END, SlotPrompt, split_item, split_list
from pipeline.quotes import attribution_context, attribution_cue, cited_source, find_quotations, shorten_quotation
from pipeline.strategies import Candidate
from pipeline.strategies.sentence_rules import (
    agreement_parties,
    correct_exercise_roles,
    donor_and_recipient,
    donor_is_giver,
    plausible_exercise_name,
    states_agreement,
    states_specific_aid,
)
from pipeline.text import Span, sentences

MAX_SLOT_TOKENS = 160
STOP = [END, "\nText:"]

# Sentences with a cue word must also pass these before the model is asked about them.
GATES: dict[str, Callable[[str], bool]] = {"aid_delivery": states_specific_aid, "agreement": states_agreement}


def candidate_units(document: Document, prompt: SlotPrompt) -> list[Span]:
    """Sentences matching the prompt's cue pattern, and the `follow` sentences after each in its paragraph."""
    if prompt.cues is None:
        return []
    spans = [s for s in sentences(document.text) if not _is_header(document, s)]
    chosen: dict[int, Span] = {}
    gate = GATES.get(prompt.record_type, lambda _: True)
    for index, span in enumerate(spans):
        if not (prompt.cues.search(span.text) and gate(span.text)):
            continue
        chosen[span.start] = span
        for following in spans[index + 1 : index + 1 + prompt.follow]:
            if "\n\n" in document.text[span.end : following.start]:
                break
            chosen[following.start] = following
    return [chosen[start] for start in sorted(chosen)]


def _is_header(document: Document, span: Span) -> bool:
    return bool(document.metadata) and span.start == 0 and "\n" in document.text[span.end : span.end + 1]


def extract_by_slots(
    document: Document, backend: Backend, prompts: dict[str, SlotPrompt], record_types: list[str]
) -> Iterator[Candidate]:
    for record_type in record_types:
        prompt = prompts[record_type]
        if record_type == "quote":
            yield from _quotes(document, backend, prompt)
            continue
        for unit in candidate_units(document, prompt):
            completion = backend.complete(prompt.render(unit.text), max_tokens=MAX_SLOT_TOKENS, stop=STOP)
            is_record, values = prompt.parse(completion.text)
            if is_record:
                fields = apply_sentence_rules(record_type, unit.text, slot_fields(prompt, values))
                yield Candidate(record_type, fields, [unit.text], unit, "slots")


def _quotes(document: Document, backend: Backend, prompt: SlotPrompt) -> Iterator[Candidate]:
    text = document.text
    quotations = find_quotations(text)
    for quotation in quotations:
        context = attribution_context(text, quotation)
        completion = backend.complete(
            prompt.render(shorten_quotation(context, text, quotation)), max_tokens=MAX_SLOT_TOKENS, stop=STOP
        )
        _, values = prompt.parse(completion.text)
        fields = slot_fields(prompt, values)
        fields["text"] = quotation.words(text)
        source = cited_source(text, quotation, quotations)
        fields["cited_source"] = source.text if source else None
        cue = attribution_cue(text, quotation)
        if cue is not None:
            fields["cue"] = cue.text
        evidence_end = max(context.end, source.end + 1 if source else 0)
        # Values must come from the attribution context or the citation after it.
        where = Span(context.start, evidence_end, text[context.start : evidence_end])
        yield Candidate("quote", fields, [text[quotation.start : quotation.end], context.text], where, "slots")


def apply_sentence_rules(record_type: str, sentence: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Correct what the wording of the sentence contradicts (see sentence_rules)."""
    if record_type == "exercise":
        if fields.get("name") and not plausible_exercise_name(fields["name"], sentence):
            fields.pop("name")
        return correct_exercise_roles(sentence, fields)
    if record_type == "aid_delivery":
        if fields.get("donor") and not donor_is_giver(sentence, fields["donor"]["name"]):
            fields.pop("donor")
        donor, recipient = donor_and_recipient(sentence)
        if donor and not fields.get("donor"):
            fields["donor"] = {"name": donor}
        if recipient and not fields.get("recipient"):
            fields["recipient"] = {"name": recipient}
        return fields
    if record_type == "agreement":
        named = {p["name"] for p in fields.get("parties", [])}
        extra = [{"name": name} for name in agreement_parties(sentence) if name not in named]
        if extra:
            fields["parties"] = [*fields.get("parties", []), *extra]
    return fields


def slot_fields(prompt: SlotPrompt, values: dict[str, str]) -> dict[str, Any]:
    """Draft field values from the raw slot answers, shaped as the draft model expects."""
    fields: dict[str, Any] = {}
    for slot in prompt.slots:
        raw = values.get(slot.key)
        if raw is None:
            continue
        value: Any
        if slot.kind == "list":
            value = split_list(raw)
        elif slot.kind == "actors":
            value = [{"name": name} for name in split_list(raw)]
        elif slot.kind == "actor":
            value = {"name": raw}
        elif slot.kind == "items":
            value = [
                dict(zip(("description", "quantity"), split_item(part), strict=True)) for part in split_list(raw)
            ]
        elif slot.kind == "enum":
            value = raw.lower().strip(" .")
            if value not in slot.choices:
                continue
        else:
            value = raw
        _set_path(fields, slot.field, value)
    return fields


def _set_path(fields: dict[str, Any], path: str, value: Any) -> None:
    """Set `speaker.role`-style paths; a nested value needs its parent (a role needs a speaker)."""
    head, _, rest = path.partition(".")
    if not rest:
        fields[head] = value
    elif isinstance(fields.get(head), dict):
        fields[head][rest] = value
