"""The one interface every model provider implements, and what it returns.

Backends import only this module. Everything a provider needs that others do not (grammar
formats, instructor modes, server error quirks) stays inside that provider's own file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel


class BackendError(RuntimeError):
    """A model call that failed in a way the user must act on (no server, no model file...).

    `str(error)` is one short line for a reject reason or the terminal; `detail` keeps the full
    text (a server's error body, the library's message) for the run's error log.
    """

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail or message


def one_line(text: str, limit: int = 160) -> str:
    """`text` as one short line: whitespace collapsed, cut at `limit` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


class BackendUnavailable(BackendError):
    """The backend cannot be reached, or fails every request: the run stops instead of rejecting
    every document one by one."""


class ContextOverflow(BackendError):
    """The request does not fit the model's context window. The caller splits the piece it sent
    or skips it; the rest of the document is still asked about."""


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.prompt_tokens + other.prompt_tokens, self.completion_tokens + other.completion_tokens)


@dataclass(frozen=True)
class Completion:
    """Raw text continuing a prompt (the slot-filling strategy's unit of work)."""

    text: str
    usage: Usage = Usage()


@dataclass(frozen=True)
class ContinuationScore:
    """How likely the model finds one continuation of a prompt: the summed natural-log probability
    of the continuation's tokens given the prompt and the tokens before them, and how many tokens
    that is (a caller divides by it to compare continuations of different lengths)."""

    continuation: str
    logprob: float
    tokens: int

    @property
    def per_token(self) -> float:
        """The mean log-probability per token (0.0 for a continuation of no tokens)."""
        return self.logprob / self.tokens if self.tokens else 0.0


@dataclass(frozen=True)
class Scores:
    """A backend's answer to `score`: one ContinuationScore per continuation, in the order asked."""

    scores: tuple[ContinuationScore, ...]
    usage: Usage = Usage()

    def answer(self) -> dict[str, Any]:
        """As the response cache and `responses.jsonl` store it (the continuations are in the request)."""
        return {
            "scores": [{"logprob": s.logprob, "tokens": s.tokens} for s in self.scores],
            "usage": vars(self.usage),
        }

    @classmethod
    def from_answer(cls, continuations: list[str], answer: dict[str, Any]) -> Scores:
        """A stored answer back, for the continuations of its request."""
        stored = answer["scores"]
        if len(stored) != len(continuations):
            raise BackendError(f"a stored score answer has {len(stored)} scores for {len(continuations)} continuations")
        return cls(
            tuple(
                ContinuationScore(text, float(s["logprob"]), int(s["tokens"]))
                for text, s in zip(continuations, stored, strict=True)
            ),
            Usage(**answer.get("usage", {})),
        )


class ScoringUnavailable(BackendError):
    """The backend cannot score continuations (a server that refuses echo with logprobs, or sends
    none). Its `supports_scoring` is False from then on; callers fall back to what they did without."""


@dataclass(frozen=True)
class StructuredAnswer:
    """A model's answer as the JSON of a pydantic model (the structured strategy's unit of work)."""

    data: dict[str, Any]
    usage: Usage = Usage()


def request_key(request: dict[str, Any]) -> str:
    """The identity of a request: its canonical JSON. Recordings and the response cache are keyed by it."""
    return json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def completion_request(prompt: str, max_tokens: int, stop: list[str]) -> dict[str, Any]:
    return {"kind": "complete", "prompt": prompt, "max_tokens": max_tokens, "stop": list(stop)}


def score_request(prompt: str, continuations: list[str]) -> dict[str, Any]:
    return {"kind": "score", "prompt": prompt, "continuations": list(continuations)}


def fill_request(response_model: type[BaseModel], system: str, user: str) -> dict[str, Any]:
    return {
        "kind": "fill",
        "schema": response_model.model_json_schema(),
        "system": system,
        "user": user,
    }


# The context window assumed when a backend does not say (a replay, a fake): the embedded model's.
DEFAULT_CONTEXT_TOKENS = 4096


def declared_context(backend: object) -> int | None:
    """The context window in tokens the backend says it has, if it says."""
    value = getattr(backend, "context_tokens", None)
    return value if isinstance(value, int) and value > 0 else None


def context_tokens(backend: object) -> int:
    """The backend's context window in tokens, for sizing what is sent to it."""
    return declared_context(backend) or DEFAULT_CONTEXT_TOKENS


@runtime_checkable
class Backend(Protocol):
    """A language model that can continue a prompt and, if it can, fill a pydantic model."""

    @property
    def name(self) -> str:
        """The backend's registry name."""
        ...

    @property
    def model_id(self) -> str:
        """What produced the answers: goes into the manifest and into the response cache key."""
        ...

    def complete(self, prompt: str, *, max_tokens: int, stop: list[str]) -> Completion:
        """Greedy continuation of `prompt`, cut at the first stop string."""
        ...

    def fill(self, response_model: type[BaseModel], system: str, user: str) -> StructuredAnswer:
        """Ask the model for one `response_model`, validated (with bounded re-asks where supported)."""
        ...


@runtime_checkable
class ScoringBackend(Backend, Protocol):
    """A backend that can also score given continuations of a prompt by their likelihood.

    A capability declared on the backend, not assumed: `supports_scoring` says whether `score` may
    be called now (a served backend turns it off when its server turns out not to give logprobs).
    Use `can_score(backend)` rather than isinstance: a backend without the attribute cannot score.
    """

    @property
    def supports_scoring(self) -> bool:
        ...

    def score(self, prompt: str, continuations: list[str]) -> Scores:
        """Per continuation, log P(continuation | prompt) summed over its tokens, and its token count.

        Raises ScoringUnavailable when the backend finds out it cannot score after all."""
        ...


def can_score(backend: object) -> bool:
    """Whether `backend` declares the scoring capability and has it now."""
    return getattr(backend, "supports_scoring", False) is True and callable(getattr(backend, "score", None))
