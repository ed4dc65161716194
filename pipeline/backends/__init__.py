"""Backends by name. Each provider's quirks live in its own module; all share `base.Backend`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.backends.base import (
    Backend,
    BackendError,
    BackendUnavailable,
    Completion,
    ContextOverflow,
    ContinuationScore,
    Scores,
    ScoringBackend,
    ScoringUnavailable,
    StructuredAnswer,
    Usage,
    can_score,
)

BACKEND_NAMES = ("local", "openai", "replay")


def create_backend(name: str, *, model: str | None = None, base_url: str | None = None, **options: Any) -> Backend:
    """The backend registered under `name`. Imports lazily: a replay run never loads llama.cpp."""
    if name == "local":
        from pipeline.backends.local import LocalBackend

        return LocalBackend(model, **options)
    if name == "openai":
        from pipeline.backends.openai_compat import OpenAIBackend

        return OpenAIBackend(model, base_url=base_url, **options)
    if name == "replay":
        from pipeline.backends.replay import ReplayBackend

        if not model:
            raise BackendError("the replay backend needs --model PATH: a run folder or its responses.jsonl")
        return ReplayBackend(Path(model))
    raise BackendError(f"unknown backend {name!r}; choose one of: {', '.join(BACKEND_NAMES)}")


__all__ = [
    "BACKEND_NAMES",
    "Backend",
    "BackendError",
    "BackendUnavailable",
    "Completion",
    "ContextOverflow",
    "ContinuationScore",
    "Scores",
    "ScoringBackend",
    "ScoringUnavailable",
    "StructuredAnswer",
    "Usage",
    "can_score",
    "create_backend",
]
