"""Structured extraction for chat models: instructor fills every record of a type per chunk.

Long documents are cut into overlapping chunks on paragraph boundaries; records found in two
chunks are merged later (pipeline.merge). The model cites evidence as text; grounding aligns it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.backends.base import (
    Backend,
    BackendError,
    BackendUnavailable,
    ContextOverflow,
    declared_context,
    one_line,
)
from pipeline.documents import Document
from pipeline.record_types import entry
from pipeline.strategies import CHARS_PER_TOKEN, MIN_PIECE_CHARS, Candidate, Skipped, Unanswered, split_span
from pipeline.text import Span, paragraphs
from schemas import RECORD_TYPES, draft_list_model

CHUNK_CHARS = 6000
OVERLAP_CHARS = 800
# Tokens kept free for the model's answer when a chunk is sized to the backend's context.
ANSWER_TOKENS = 1024

SYSTEM = (
    "You extract structured records from news and analysis articles on security cooperation. "
    "Return only what the passage asserts as a specific event or statement, never general discussion. "
    "Copy names, titles, dates, amounts, places and quoted words exactly as they appear in the passage; "
    "use null when the passage does not say. For evidence, copy the sentence or sentences that state the record."
)


def chunk_document(text: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[Span]:
    """Chunks of whole paragraphs up to `size` characters, each repeating the previous chunk's tail.
    A paragraph longer than `size` is cut into pieces first (at sentence ends where it has them)."""
    paras = [piece for paragraph in paragraphs(text) for piece in split_span(paragraph, size)]
    if not paras:
        return []
    chunks: list[Span] = []
    start_index = 0
    while start_index < len(paras):
        end_index = start_index
        while end_index + 1 < len(paras) and paras[end_index + 1].end - paras[start_index].start <= size:
            end_index += 1
        start, end = paras[start_index].start, paras[end_index].end
        chunks.append(Span(start, end, text[start:end]))
        if end_index + 1 >= len(paras):
            break
        next_index = end_index + 1
        # Step back over paragraphs that fit in the overlap, so an event at the seam is seen whole.
        while next_index - 1 > start_index and paras[end_index].end - paras[next_index - 1].start <= overlap:
            next_index -= 1
        start_index = next_index
    return chunks


def chunk_chars(backend: Backend, record_types: list[str]) -> int:
    """CHUNK_CHARS, or less when the backend's declared context cannot hold that much beside the
    instructions, the largest schema and the answer."""
    context = declared_context(backend)
    if context is None:
        return CHUNK_CHARS
    overhead = len(SYSTEM) + max(
        len(json.dumps(draft_list_model(t).model_json_schema())) + len(RECORD_TYPES[t].__doc__ or "")
        for t in record_types
    )
    return max(MIN_PIECE_CHARS, min(CHUNK_CHARS, (context - ANSWER_TOKENS) * CHARS_PER_TOKEN - overhead))


@dataclass
class _Tally:
    answered: int = 0  # requests that got a valid answer
    first_failure: BackendError | None = None


def extract_structured(document: Document, backend: Backend, record_types: list[str]) -> Iterator[Candidate | Skipped]:
    """Candidates of every record type, one request per (chunk, type). A request that fails (no
    valid answer) loses only its type's records of its chunk: it comes back as Unanswered. When no
    request of the document got an answer at all, its first failure is raised: the document is rejected."""
    size = chunk_chars(backend, record_types) if record_types else CHUNK_CHARS
    tally = _Tally()
    for chunk in chunk_document(document.text, size, min(OVERLAP_CHARS, size // 4)):
        for record_type in record_types:
            yield from _fill_chunk(backend, record_type, chunk, tally)
    if tally.first_failure is not None and tally.answered == 0:
        raise tally.first_failure


def _fill_chunk(backend: Backend, record_type: str, chunk: Span, tally: _Tally) -> Iterator[Candidate | Skipped]:
    model = draft_list_model(record_type)
    description = (RECORD_TYPES[record_type].__doc__ or record_type).strip()
    user = f"Record type: {record_type}. {description}\n\nPassage:\n{chunk.text}"
    try:
        answer = backend.fill(model, SYSTEM, user)
    except BackendUnavailable:
        raise  # not this request's fault: the run stops
    except ContextOverflow:
        # The server counts more tokens than we guessed: ask about the chunk in halves.
        if len(chunk.text) <= MIN_PIECE_CHARS:
            yield Skipped(record_type, chunk, f"too long for the model's context ({len(chunk.text)} characters)")
            return
        for half in split_span(chunk, len(chunk.text) // 2 + 1):
            yield from _fill_chunk(backend, record_type, half, tally)
        return
    except BackendError as exc:
        tally.first_failure = tally.first_failure or exc
        yield Unanswered(record_type, chunk, one_line(str(exc), 240), error=exc)
        return
    tally.answered += 1
    for draft in answer.data.get("records", []):
        evidence = [e for e in draft.pop("evidence", []) if isinstance(e, str)]
        # A field that is itself a span of the text (a quotation's words) is evidence too.
        evidence += [draft[name] for name in entry(record_type).evidence_fields if draft.get(name)]
        yield Candidate(record_type, draft, evidence, chunk, "structured")
