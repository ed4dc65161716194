"""Every model answer a run gets is cached on disk and recorded in the run folder.

The cache makes a second run over unchanged inputs nearly free. Its key is the backend's model
id plus the full request (prompt text, or schema and messages), so changing the model, a prompt
file, a few-shot example or a schema invalidates exactly the answers that depended on it.
The recording (`responses.jsonl`) lets `--backend replay` re-run a run exactly.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pipeline.backends.base import (
    Backend,
    Completion,
    Scores,
    StructuredAnswer,
    Usage,
    can_score,
    completion_request,
    fill_request,
    request_key,
    score_request,
)
from pipeline.interrupt import StopRequest


def default_cache_path() -> Path:
    base = os.environ.get("EXTRACT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "extract"
    )
    return Path(base) / "responses.sqlite3"


class ResponseCache:
    """A persistent map from (model, request) to answer.

    One connection serves every thread of a run (documents in flight), one statement at a time;
    other processes (Ray workers on one machine) share the file through SQLite's own locking.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=60.0)
        with self._lock:
            self._db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, answer TEXT NOT NULL)")

    @staticmethod
    def _key(model_id: str, request: dict[str, Any]) -> str:
        return hashlib.sha256(f"{model_id}\n{request_key(request)}".encode()).hexdigest()

    def get(self, model_id: str, request: dict[str, Any]) -> dict[str, Any] | None:
        key = self._key(model_id, request)
        with self._lock:
            row = self._db.execute("SELECT answer FROM answers WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, model_id: str, request: dict[str, Any], answer: dict[str, Any]) -> None:
        key, text = self._key(model_id, request), json.dumps(answer, ensure_ascii=False)
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO answers (key, answer) VALUES (?, ?)", (key, text))

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CallLimitReached(Exception):
    """A document asked for more model calls than `--max-model-calls` allows: the document is rejected
    (its other records too: a document read in part would look complete)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"more than {limit} model calls; raise --max-model-calls")


@dataclass
class CallStats:
    calls: int = 0
    cache_hits: int = 0
    usage: Usage = field(default_factory=Usage)


@dataclass
class RecordingBackend:
    """Wraps a backend: answers from the cache when it can, records every answer it gives.

    A run gives each document its own RecordingBackend, so that each document's answers are
    recorded with it and documents in flight together never share a list. `waiting` is entered
    around each call to the inner backend: the local engine releases its pipeline lock there,
    so that only model calls overlap.
    """

    inner: Backend
    cache: ResponseCache | None = None
    recorded: list[dict[str, Any]] = field(default_factory=list)
    stats: CallStats = field(default_factory=CallStats)
    waiting: Callable[[], AbstractContextManager[Any]] = nullcontext
    max_calls: int = 0  # requests this document may make, cache hits included (0: no limit)
    stop: StopRequest | None = None  # a run asked to stop abandons the document at its next call

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def context_tokens(self) -> int | None:
        """The inner backend's context window, if it declares one: the strategies size pieces by it."""
        value = getattr(self.inner, "context_tokens", None)
        return value if isinstance(value, int) else None

    @property
    def supports_scoring(self) -> bool:
        """The inner backend's capability, as it is now (a server can turn out not to score)."""
        return can_score(self.inner)

    def _answer(self, request: dict[str, Any], ask: Any) -> dict[str, Any]:
        if self.stop is not None:
            self.stop.check()
        # Cache hits count too: whether a document is within the limit must not depend on the cache.
        if self.max_calls and self.stats.calls >= self.max_calls:
            raise CallLimitReached(self.max_calls)
        self.stats.calls += 1
        answer = self.cache.get(self.model_id, request) if self.cache else None
        if answer is not None:
            self.stats.cache_hits += 1
        else:
            with self.waiting():
                answer = ask()
            self.stats.usage = self.stats.usage + Usage(**answer["usage"])
            if self.cache:
                self.cache.put(self.model_id, request, answer)
        self.recorded.append({"model": self.model_id, "request": request, "response": answer})
        return answer

    def complete(self, prompt: str, *, max_tokens: int, stop: list[str]) -> Completion:
        def ask() -> dict[str, Any]:
            result = self.inner.complete(prompt, max_tokens=max_tokens, stop=stop)
            return {"text": result.text, "usage": vars(result.usage)}

        answer = self._answer(completion_request(prompt, max_tokens, stop), ask)
        return Completion(text=answer["text"], usage=Usage(**answer["usage"]))

    def fill(self, response_model: type[BaseModel], system: str, user: str) -> StructuredAnswer:
        def ask() -> dict[str, Any]:
            result = self.inner.fill(response_model, system, user)
            return {"data": result.data, "usage": vars(result.usage)}

        answer = self._answer(fill_request(response_model, system, user), ask)
        return StructuredAnswer(data=answer["data"], usage=Usage(**answer["usage"]))

    def score(self, prompt: str, continuations: list[str]) -> Scores:
        def ask() -> dict[str, Any]:
            scorer: Any = self.inner  # can_score(inner) is the caller's check, as for any backend
            result: Scores = scorer.score(prompt, list(continuations))
            return result.answer()

        answer = self._answer(score_request(prompt, continuations), ask)
        return Scores.from_answer(list(continuations), answer)
