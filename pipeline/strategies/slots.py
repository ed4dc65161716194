"""Slot filling for small completion models: one candidate sentence, one short completion.

The 270M embedded model cannot write a document's records as JSON, but continues a few-shot
`Key: value` pattern well for a single sentence (0.3-1.5 s each on 2 cores). Calls are made
record type by record type so consecutive prompts share the few-shot prefix and llama.cpp
reuses its KV cache for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from pipeline.backends.base import Backend
from pipeline.documents import Document
from pipeline.normalize import find_dates, find_money, parse_count
from pipeline.prompts import END, SlotPrompt, split_item, split_list
from pipeline.quotes import (
    attribution_context,
    attribution_cue,
    cited_source,
    find_quotations,
    mask_citations,
    shorten_quotation,
)
from pipeline.strategies import Candidate
from pipeline.strategies.sentence_rules import (
    agreement_facts,
    agreement_parties,
    aid_program,
    aid_status,
    donor_and_recipient,
    donor_is_giver,
    exercise_actors,
    exercise_description,
    exercise_duration,
    exercise_names,
    exercise_scenario,
    first_place,
    introduces_exercise,
    is_specific_actor,
    place_after_preposition,
    plausible_exercise_name,
    states_agreement,
    states_specific_aid,
    transferred_items,
)
from pipeline.text import Span, sentences

_EXERCISE_WORDS = r"(?i)\b(exercises?|drills?|maneuvers|manoeuvres|games|training|rehearsal)\b"
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
    names = exercise_names(document.text) if prompt.record_type == "exercise" else []
    for index, span in enumerate(spans):
        named = any(name in span.text for name in names)  # "the Caspian 2006 exercises", later "Caspian 2006"
        if not ((prompt.cues.search(span.text) or named) and gate(span.text)):
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
            masked = Span(unit.start, unit.end, mask_citations(unit.text))
            completion = backend.complete(prompt.render(masked.text), max_tokens=MAX_SLOT_TOKENS, stop=STOP)
            is_record, values = prompt.parse(completion.text)
            if is_record:
                fields = slot_fields(prompt, values)
                overrides = sentence_overrides(record_type, masked.text, fields)
                starts_event = record_type == "exercise" and introduces_exercise(masked.text)
                yield Candidate(record_type, fields, [unit.text], masked, "slots", overrides, starts_event)


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
        source = cited_source(text, quotation)
        fields["cited_source"] = source.text if source else None
        cue = attribution_cue(text, quotation)
        overrides = {"cue": cue.text} if cue else {}
        evidence_end = max(context.end, source.end + 1 if source else 0)
        # Values must come from the attribution context or the citation after it.
        where = Span(context.start, evidence_end, text[context.start : evidence_end])
        evidence = [text[quotation.start : quotation.end], context.text]
        yield Candidate("quote", fields, evidence, where, "slots", overrides)


def sentence_overrides(record_type: str, sentence: str, fields: dict[str, Any]) -> dict[str, Any]:
    """What the sentence's wording says against or beyond the model's slots (see sentence_rules).

    Where a rule reads a value off the sentence's structure (a list after 'involving', the
    objects of 'deliver', 'from X to Y'), it is more reliable than the 270M model and wins; a
    None means the model's value is contradicted by the sentence and goes. Grounding checks the
    model's values first (so copied and invented ones are counted) and applies these after.
    """
    overrides: dict[str, Any] = {}
    if fields.get("location") and not place_after_preposition(fields["location"], sentence):
        overrides["location"] = None
    dates = find_dates(sentence)
    # Exercises are excluded: their follow-up sentences often date something else, and a second
    # date would split the exercise in two.
    if not fields.get("date") and dates and record_type in ("aid_delivery", "agreement"):
        overrides["date"] = dates[0].text
    if record_type == "exercise":
        model_name_holds = bool(fields.get("name")) and plausible_exercise_name(fields["name"], sentence)
        if fields.get("name") and not model_name_holds:
            overrides["name"] = None
        named = exercise_names(sentence)
        if named and not model_name_holds:
            overrides["name"] = named[0]
        introduces = introduces_exercise(sentence)
        if introduces and not fields.get("location") and first_place(sentence):
            overrides["location"] = first_place(sentence)
        description = exercise_description(sentence)
        if description:
            overrides["description"] = description
        elif fields.get("description") and not re.search(_EXERCISE_WORDS, fields["description"]):
            overrides["description"] = None  # the model's "description" is not a kind of exercise
        duration = exercise_duration(sentence)
        if duration and not fields.get("duration"):
            overrides["duration"] = duration
        scenario = exercise_scenario(sentence)
        if scenario:
            overrides["scenario"] = scenario
        # Who took part, led or watched is read off the sentence's verbs and lists. Measured on the
        # seeds and tests/articles, the 270M model's own names for these roles were mostly wrong
        # (observers as participants, fragments of names), so they are not used.
        by_rule = exercise_actors(sentence)
        for role, names in by_rule.items():
            overrides[role] = [{"name": name} for name in names] if names else None
    elif record_type == "aid_delivery":
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
        status = aid_status(sentence)
        if status:
            overrides["status"] = status
        program = aid_program(sentence)
        if program:
            overrides["program"] = program
        if not fields.get("location") and first_place(sentence):
            overrides["location"] = first_place(sentence)
    elif record_type == "agreement":
        parties = agreement_parties(sentence)
        if parties:
            overrides["parties"] = [{"name": name} for name in parties]
        overrides.update(agreement_facts(sentence))
    return overrides


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
