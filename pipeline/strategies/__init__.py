"""Stage 3, ask the model: how a backend is asked for records, fitted to what the model can do.

- `slots`: few-shot `Key: value` slot filling, one candidate sentence at a time, with
  quotations found by rule. For small base models (the embedded default).
- `structured`: instructor fills a list of draft records per chunk of the document. For chat
  models that follow a JSON schema (OpenAI, vLLM, Ollama, a llama.cpp server with a chat model).

Both return Candidates: draft field values and the text cited as evidence. Nothing a strategy
returns is trusted; grounding checks all of it against the source.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any

from pipeline.text import Span


@dataclass
class Candidate:
    record_type: str
    fields: dict[str, Any]  # shaped like schemas.draft_model(record_type)
    evidence: list[str]  # text the model or the rules cite, aligned to the source by grounding
    context: Span  # where verbatim values must be found: the candidate sentence, or the chunk
    strategy: str
    # Values read off the sentence by rule, applied after the model's values are grounded;
    # None removes a model value the sentence contradicts.
    overrides: dict[str, Any] = field(default_factory=dict)
    # Where override values were read, when wider than `context`: a speaker named before the
    # quotation their "I" and "we" come from.
    override_context: Span | None = None
    # The sentence introduces an event of its own ("a five-day exercise took place"), so its
    # record is not merged into an earlier one as a fragment.
    starts_event: bool = False
    # Read by rule only from a sentence that speaks of the event just told again ("It includes a
    # radar station and ..."): its record continues the nearest record before it, however far.
    continues_event: bool = False


@dataclass
class Skipped:
    """A piece of the document the model could not be asked about: even split to its smallest it
    does not fit the model's context. The run names it in the rejects; the rest of the document
    is still asked about."""

    record_type: str
    span: Span
    reason: str

    # Where in the pipeline the piece was lost, for the reject's stage.
    stage = "model"

    @property
    def reject_reason(self) -> str:
        return f"not asked: {self.reason}"

    @property
    def detail(self) -> str | None:
        """The full error text for the run's error log, when there is more than the reason."""
        return None


@dataclass
class Unanswered(Skipped):
    """A piece of the document asked about one record type whose request failed (no valid answer
    after the backend's retries and re-asks). Only that type's records of that piece are lost: the
    run names it in the rejects as a record-level reject and keeps every other type and piece."""

    error: Exception | None = None

    @property
    def reject_reason(self) -> str:
        return f"no answer: {self.reason}"

    @property
    def detail(self) -> str | None:
        return str(getattr(self.error, "detail", None) or self.error) if self.error else None


@dataclass
class Unread(Skipped):
    """A piece of the document whose reading raised an error (a bug in a rule, met on text no test
    has): only that piece's candidates of that type are lost, the rest of the document is read, and
    the run names it in the rejects with the traceback in its error log."""

    error: str = ""
    stage = "internal"

    @classmethod
    def of(cls, record_type: str, span: Span, exc: Exception) -> Unread:
        """The piece lost to `exc`, raised while it was read (call inside the `except`: the traceback is kept)."""
        reason = f"internal error: {type(exc).__name__}: {exc}"[:240]
        return cls(record_type, span, reason, error=traceback.format_exc())

    @property
    def reject_reason(self) -> str:
        return f"not read: {self.reason}"

    @property
    def detail(self) -> str | None:
        return self.error or None


# Sizing what is sent to a model without its tokenizer: English prose is about 4 characters per
# token for the tokenizers of Gemma, Llama and GPT; 3 leaves room for names, numbers and other
# scripts. What still does not fit comes back as ContextOverflow and is split further.
CHARS_PER_TOKEN = 3
# A piece is not split below this: a shorter one that still overflows is skipped.
MIN_PIECE_CHARS = 200


def split_span(span: Span, limit: int) -> list[Span]:
    """`span` cut into pieces of at most `limit` characters, at the last sentence end, clause mark
    or space before the limit (a hard cut only in a text without any)."""
    if len(span.text) <= limit:
        return [span]
    limit = max(limit, 1)
    pieces: list[Span] = []
    start = 0
    text = span.text
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = -1
        for marks in ((". ", "! ", "? ", ".\n"), ("; ", ": ", ", "), (" ", "\n")):
            cut = max(window.rfind(mark) + len(mark) for mark in marks)
            if cut > limit // 4:
                break
        if cut <= limit // 4:
            cut = limit
        piece = text[start : start + cut]
        pieces.append(_piece(span, start, piece))
        start += cut
    pieces.append(_piece(span, start, text[start:]))
    return [p for p in pieces if p.text.strip()]


def _piece(span: Span, offset: int, text: str) -> Span:
    """A piece without its surrounding whitespace (grounding finds evidence by its text)."""
    lead = len(text) - len(text.lstrip())
    body = text.strip()
    return Span(span.start + offset + lead, span.start + offset + lead + len(body), body)
