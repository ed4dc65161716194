"""Structured extraction for chat models: instructor fills every record of a type per chunk.

Long documents are cut into overlapping chunks on paragraph boundaries; records found in two
chunks are merged later (pipeline.merge). The model cites evidence as text; grounding aligns it.
"""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.backends.base import Backend
from pipeline.documents import Document
from pipeline.record_types import entry
from pipeline.strategies import Candidate
from pipeline.text import Span, paragraphs
from schemas import RECORD_TYPES, draft_list_model

CHUNK_CHARS = 6000
OVERLAP_CHARS = 800

SYSTEM = (
    "You extract structured records from news and analysis articles on security cooperation. "
    "Return only what the passage asserts as a specific event or statement, never general discussion. "
    "Copy names, titles, dates, amounts, places and quoted words exactly as they appear in the passage; "
    "use null when the passage does not say. For evidence, copy the sentence or sentences that state the record."
)


def chunk_document(text: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[Span]:
    """Chunks of whole paragraphs up to `size` characters, each repeating the previous chunk's tail."""
    paras = paragraphs(text)
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


def extract_structured(document: Document, backend: Backend, record_types: list[str]) -> Iterator[Candidate]:
    for chunk in chunk_document(document.text):
        for record_type in record_types:
            model = draft_list_model(record_type)
            description = (RECORD_TYPES[record_type].__doc__ or record_type).strip()
            user = f"Record type: {record_type}. {description}\n\nPassage:\n{chunk.text}"
            answer = backend.fill(model, SYSTEM, user)
            for draft in answer.data.get("records", []):
                evidence = [e for e in draft.pop("evidence", []) if isinstance(e, str)]
                # A field that is itself a span of the text (a quotation's words) is evidence too.
                evidence += [draft[name] for name in entry(record_type).evidence_fields if draft.get(name)]
                yield Candidate(record_type, draft, evidence, chunk, "structured")
