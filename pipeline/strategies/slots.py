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

from pipeline.backends.base import Backend, ContextOverflow, context_tokens
from pipeline.documents import Document
from pipeline.language.parse import parse
from pipeline.normalize import find_dates
from pipeline.prompts import END, SlotPrompt, split_item, split_list
from pipeline.quotes import (
    attribute,
    attribution_context,
    cited_source,
    find_quotations,
    is_partial,
    mask_citations,
    shorten_quotation,
)
from pipeline.record_types import Fields, RecordTypeEntry, entries, entry
from pipeline.strategies import CHARS_PER_TOKEN, MIN_PIECE_CHARS, Candidate, Skipped, Unread, split_span
from pipeline.strategies.rules.phrases import (
    event_clause,
    first_place,
    name_alone,
    names_a_place,
    place_after_preposition,
)
from pipeline.text import Span, sentences

MAX_SLOT_TOKENS = 160
STOP = [END, "\nText:"]

# A year joined by a hyphen to a capitalized word or a bracket: "Zapad-2021", "Bogot (Barrier)-2016".
_NAME_YEAR = re.compile(r"(?:\b[A-Z][\w’']*|\))-((?:19|20)\d{2})\b")


def _cue_sentences(document: Document, prompt: SlotPrompt) -> Iterator[tuple[Span, list[Span]]]:
    """Each sentence with a cue word or the event's name that passes the type's gate, with the
    sentences after it (the document's sentences outside its header)."""
    if prompt.cues is None:
        return
    spans = [s for s in sentences(document.text) if not document.in_header(s.start)]
    kind = entry(prompt.record_type)
    gate = kind.gate or (lambda _: True)
    names = kind.mentions(document.text)
    for index, span in enumerate(spans):
        named = any(name in span.text for name in names)
        if (prompt.cues.search(span.text) or named) and gate(span.text):
            yield span, spans[index + 1 :]


def candidate_units(document: Document, prompt: SlotPrompt) -> list[Span]:
    """Sentences matching the prompt's cue pattern, and the `follow` sentences after each in its paragraph."""
    kind = entry(prompt.record_type)
    chosen: dict[int, Span] = {}
    for span, after in _cue_sentences(document, prompt):
        for part in _clauses_stating(span, kind.gate) if kind.gate else [span]:
            chosen[part.start] = part
        for following in after[: prompt.follow]:
            if "\n\n" in document.text[span.end : following.start]:
                break
            chosen[following.start] = following
    return [chosen[start] for start in sorted(chosen)]


def read_only_units(document: Document, prompt: SlotPrompt, asked: list[Span]) -> list[Span]:
    """Sentences after a cue sentence (within the prompt's `follow` or the entry's `read_follow`)
    that are not asked about but speak of the event again (the entry's `refers_back`): the facts of
    one event run on over several sentences, and wire copy gives most of them a paragraph of their
    own ("This year's edition brought together ...", "It included four booms and two skimmers").
    They are read by rule only (no model call) and make a record only when the wording itself
    states one of the type's facts (the entry's `complete_by_rule`)."""
    kind = entry(prompt.record_type)
    taken = {u.start for u in asked}
    window = max(prompt.follow, kind.read_follow)
    chosen: dict[int, Span] = {}
    for _, after in _cue_sentences(document, prompt):
        for following in after[:window]:
            if following.start not in taken and kind.refers_back(following.text):
                chosen[following.start] = following
    return [chosen[start] for start in sorted(chosen)]


def _clauses_stating(span: Span, gate: Callable[[str], bool]) -> list[Span]:
    """'X and Y signed a memorandum ..., but a protocol between Z and W remains under negotiation':
    one candidate per clause that states a record on its own ('Georgia is watching closely;
    Turkey handed over radio sets ...' keeps only the second)."""
    cuts = [
        m for m in re.finditer(r",\s+but\s+|;\s+|,\s+while\s+|,\s+and\s+(?=[A-Z])", span.text)
        if _joins_clauses(span.text, m)
    ]
    starts = [0] + [m.end() for m in cuts]
    ends = [m.start() for m in cuts] + [len(span.text)]
    parts = [Span(span.start + a, span.start + b, span.text[a:b]) for a, b in zip(starts, ends, strict=True)]
    passing = [part for part in parts if gate(part.text)]
    return passing if len(parts) > 1 and passing else [span]


def _joins_clauses(text: str, cut: re.Match[str]) -> bool:
    """Whether the ", and" or ";" joins two clauses ("A signed X, and B handed over Y"; "A signed X;
    B handed over Y"), not the names of a list ("between Chile, Peru, and Ecuador in 2021"; "the
    following equipment: 12 boats; 6 minibuses")."""
    doc = parse(text)
    if "and" in cut.group():
        token = next((t for t in doc if t.idx == cut.end() - 4), None)
        return token is None or token.head.pos_ in ("VERB", "AUX")
    if ";" in cut.group():
        after = [t for t in doc if t.idx >= cut.end() and ";" not in text[cut.end() : t.idx]]
        return any(t.dep_ in ("nsubj", "nsubjpass", "expl") or (t.dep_ == "ROOT" and t.pos_ in ("VERB", "AUX"))
                   for t in after)
    return True


def text_budget(backend: Backend, prompt: SlotPrompt) -> int:
    """How many characters of text fit in one slot prompt beside its few-shot prefix and the answer."""
    prefix = len(prompt.render(""))
    return max(MIN_PIECE_CHARS, (context_tokens(backend) - MAX_SLOT_TOKENS) * CHARS_PER_TOKEN - prefix)


def extract_by_slots(
    document: Document, backend: Backend, prompts: dict[str, SlotPrompt], record_types: list[str]
) -> Iterator[Candidate | Skipped]:
    for record_type in record_types:
        prompt = prompts[record_type]
        kind = entry(record_type)
        if kind.candidates == "quotations":
            yield from _quotes(document, backend, prompt)
            continue
        budget = text_budget(backend, prompt)
        asked = candidate_units(document, prompt)
        for sentence in asked:
            # A run-on "sentence" longer than the context is asked about in pieces (never whole).
            yield from _ask_in_pieces(document, backend, prompt, kind, split_span(sentence, budget))
        for unit in read_only_units(document, prompt, asked):
            yield from _read_safely(document, prompt, kind, unit, _masked(document, unit), "", by_rule_only=True)


def _ask_in_pieces(
    document: Document, backend: Backend, prompt: SlotPrompt, kind: RecordTypeEntry, pieces: list[Span]
) -> Iterator[Candidate | Skipped]:
    for unit in pieces:
        masked = _masked(document, unit)
        try:
            completion = backend.complete(prompt.render(masked.text), max_tokens=MAX_SLOT_TOKENS, stop=STOP)
        except ContextOverflow:
            if len(unit.text) <= MIN_PIECE_CHARS:
                reason = f"too long for the model's context ({len(unit.text)} characters)"
                yield Skipped(prompt.record_type, unit, reason)
            else:
                yield from _ask_in_pieces(document, backend, prompt, kind, split_span(unit, len(unit.text) // 2))
            continue
        yield from _read_safely(document, prompt, kind, unit, masked, completion.text)


def _read_safely(
    document: Document, prompt: SlotPrompt, kind: RecordTypeEntry, unit: Span, masked: Span, answer: str,
    by_rule_only: bool = False,
) -> Iterator[Candidate | Skipped]:
    """The piece's candidates; an error in reading it loses that piece only (a rule's bug met on
    text no test has), named in the rejects with its traceback."""
    try:
        found = list(_slot_candidates(document, prompt, kind, unit, masked, answer, by_rule_only))
    except Exception as exc:  # any bug in a rule (the model was already asked)
        yield Unread.of(prompt.record_type, unit, exc)
        return
    yield from found


def _masked(document: Document, unit: Span) -> Span:
    """The unit as it is read and asked: citations blanked, and the page's date line if the unit
    holds it (same length, same offsets)."""
    text = mask_citations(unit.text)
    if document.date_line is not None:
        start, end = (max(0, min(len(text), at - unit.start)) for at in document.date_line)
        text = text[:start] + " " * (end - start) + text[end:]
    return Span(unit.start, unit.end, text)


def _slot_candidates(
    document: Document, prompt: SlotPrompt, kind: RecordTypeEntry, unit: Span, masked: Span, answer: str,
    by_rule_only: bool = False,
) -> Iterator[Candidate]:
    is_record, values = prompt.parse(answer) if not by_rule_only else (False, {})
    fields = slot_fields(prompt, values) if is_record else {}
    overrides = _place_and_date(kind, masked.text, fields)
    reading = kind.read(document.text, unit, masked.text, fields)
    overrides.update(reading.overrides)
    if is_record or kind.complete_by_rule(overrides, masked.text):
        for listed in reading.each or ({},):
            yield Candidate(
                prompt.record_type, fields, [unit.text], masked, "slots", overrides | listed, reading.context,
                kind.starts_event(masked.text), continues_event=by_rule_only,
            )


def _quotes(document: Document, backend: Backend, prompt: SlotPrompt) -> Iterator[Candidate | Skipped]:
    """Quotations, their words, cue, citation and date by rule; the model is asked for the speaker
    only when the wording around a quotation does not name one."""
    text = document.text
    budget = text_budget(backend, prompt)
    for quotation in find_quotations(text, partial=True):
        context = attribution_context(text, quotation)
        try:
            attribution = attribute(text, quotation)
        except Exception as exc:  # a bug in reading one quotation loses that quotation only
            yield Unread.of("quote", context, exc)
            continue
        if attribution.reported_only:
            continue  # words an outlet reports with no one named as saying them: not a Quote (GUIDE §1)
        if is_partial(quotation, text) and not (attribution.speaker and attribution.cue):
            continue  # a few words in marks that no speech verb gives to anyone: a term, not a quotation
        fields: dict[str, Any] = {}
        if attribution.speaker is None:
            asked = shorten_quotation(context, text, quotation)
            try:
                if len(asked) > budget:
                    raise ContextOverflow(f"{len(asked)} characters")
                completion = backend.complete(prompt.render(asked), max_tokens=MAX_SLOT_TOKENS, stop=STOP)
                fields = slot_fields(prompt, prompt.parse(completion.text)[1])
            except ContextOverflow:
                # The words around the quotation do not fit the context: its speaker is not asked.
                yield Skipped("quote", context, f"speaker not asked: the quotation's sentence is too long for the "
                                                f"model's context ({len(asked)} characters)")
        fields["text"] = quotation.words(text)
        source = cited_source(text, quotation) or attribution.source
        fields["cited_source"] = source.text if source else None
        overrides: dict[str, Any] = {}
        start = context.start
        if attribution.cue:
            overrides["cue"] = attribution.cue.text
            # "“…,” said X. “…”": the second quotation's cue is the first's, before its own sentence.
            start = min(start, attribution.cue.start)
        if attribution.speaker:
            overrides["speaker"] = {"name": attribution.speaker}
            # A pronoun's speaker was named earlier in the paragraph: values may come from there.
            start = min(start, max(0, text.rfind(attribution.speaker, 0, quotation.start)))
        said_on = find_dates(mask_citations(attribution.frame))
        if said_on:
            overrides["date"] = said_on[0].text
        end = max(context.end, source.end + 1 if source else 0)
        if attribution.cue and attribution.cue.start > quotation.end:
            # "“…” – said Ms. Ana Ruiz, ...": an attribution the parser cut off into a sentence of its own.
            named_at = text.find(attribution.speaker, attribution.cue.end, attribution.cue.end + 200) if (
                attribution.speaker
            ) else -1
            end = max(end, attribution.cue.end, named_at + len(attribution.speaker or "") if named_at >= 0 else 0)
        where = Span(start, end, text[start:end])
        evidence = [text[quotation.start : quotation.end], context.text]
        yield Candidate("quote", fields, evidence, where, "slots", overrides)


def _place_and_date(kind: RecordTypeEntry, sentence: str, fields: Fields) -> Fields:
    """Where and when, from the clause that states the event: the rule's fuller expression wins
    ('the waters off Turkmenbashi' over 'Turkmenbashi', 'February 22-23' over 'February 22')."""
    event = event_clause(sentence)
    named = [n for other in entries().values() for n in other.mentions(sentence)]
    if isinstance(fields.get("name"), str) and fields["name"] in sentence:
        named.append(fields["name"])  # the record's own name, as the model read it
    unnamed = sentence
    for name in named:
        event = event.replace(name, " " * len(name))  # "Amber Sweep 2012" carries a year that is not its date
        unnamed = unnamed.replace(name, " " * len(name))
    # ... and so does a year joined to a name by a hyphen, even a name the name reader misses.
    event = _NAME_YEAR.sub(lambda m: m.group()[: m.start(1) - m.start()] + " " * 4, event)
    # "conducted annually since 2001": when a series began is not when this event happens.
    event = re.sub(r"\bsince\s+(?:\w+\s+){0,2}\d{4}\b", lambda m: " " * len(m.group()), event)
    introduces = kind.introduces(sentence)
    named_only = kind.named_places_only
    overrides: Fields = {}
    model_place, model_date = fields.get("location"), fields.get("date")
    if isinstance(model_place, str) and re.search(r"\s[–—]\s", model_place):
        # "Krivolak – the largest exercise ever held here": a dash opens an aside, no more of the place.
        overrides["location"] = model_place = re.split(r"\s[–—]\s", model_place)[0]
    if model_place and not (
        place_after_preposition(model_place, event) and not (named_only and model_place.startswith("the "))
        and names_a_place(model_place)
    ):
        overrides["location"] = model_place = None
    if model_place and (alone := name_alone(model_place)) != model_place:
        overrides["location"] = model_place = alone  # the guide's extent, as for the reading's place
    place = first_place(event)
    if place and named_only and place.startswith("the "):
        place = None
    if place and introduces and (model_place is None or model_place in place):
        overrides["location"] = place
    dates = find_dates(event)
    # The model's date counts only when it is a date the event clause states: not a year inside the
    # exercise's name ("Regional Cooperation 2019"), not one it made up.
    stated = model_date is not None and any(model_date in d.text for d in dates)
    if model_date is not None and not any(model_date in d.text for d in find_dates(unnamed)):
        # "the 10th Agile Spirit exercise": an ordinal is no date; nor is the year of a name.
        overrides["date"] = None
    if dates and introduces and (model_date is None or model_date in dates[0].text or not stated):
        overrides["date"] = dates[0].text
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
