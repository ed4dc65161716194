"""Stage 3, ask the model: how a backend is asked for records, fitted to what the model can do.

- `slots`: few-shot `Key: value` slot filling, one candidate sentence at a time, with
  quotations found by rule. For small base models (the embedded default).
- `structured`: instructor fills a list of draft records per chunk of the document. For chat
  models that follow a JSON schema (OpenAI, vLLM, Ollama, a llama.cpp server with a chat model).

Both return Candidates: draft field values and the text cited as evidence. Nothing a strategy
returns is trusted; grounding checks all of it against the source.
"""

from __future__ import annotations

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
