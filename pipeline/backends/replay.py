"""Answers from recorded model responses: for tests, and for re-running a run exactly.

Every run records each request it sends and the answer it got to `responses.jsonl` in its
output folder (see pipeline.responses). This backend serves those answers back; a request that
was never recorded is an error, never a guess.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pipeline.backends.base import (
    BackendError,
    Completion,
    Scores,
    StructuredAnswer,
    Usage,
    completion_request,
    fill_request,
    request_key,
    score_request,
)


class ReplayBackend:
    name = "replay"

    def __init__(self, recording: Path) -> None:
        if recording.is_dir():
            recording = recording / "responses.jsonl"
        if not recording.exists():
            raise BackendError(f"{recording}: no recorded responses there (record them with `extract run`)")
        self._answers: dict[str, dict[str, Any]] = {}
        models: set[str] = set()
        kinds: set[str] = set()
        for line_no, line in enumerate(recording.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                self._answers[request_key(entry["request"])] = entry["response"]
                models.add(entry["model"])
                kinds.add(entry["request"]["kind"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise BackendError(f"{recording}:{line_no}: not a recorded response ({exc})") from exc
        self.recording = recording
        self.model_id = ",".join(sorted(models)) or "empty-recording"
        # Replaying needs the strategy that made the recording: fill requests mean instructor.
        self.preferred_strategy = "structured" if "fill" in kinds else "slots"
        # A recording without score answers was made by a backend that could not score, or before
        # anything scored: either way the replayed run must take the path that run took without.
        self.supports_scoring = "score" in kinds

    def _answer(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._answers[request_key(request)]
        except KeyError:
            preview = (request.get("prompt") or request.get("user") or "")[-120:]
            raise BackendError(
                f"{self.recording}: no recorded answer for this {request['kind']} request "
                f"(prompt ending {preview!r}); prompts or inputs changed since it was recorded"
            ) from None

    def complete(self, prompt: str, *, max_tokens: int, stop: list[str]) -> Completion:
        answer = self._answer(completion_request(prompt, max_tokens, stop))
        return Completion(text=answer["text"], usage=Usage(**answer.get("usage", {})))

    def fill(self, response_model: type[BaseModel], system: str, user: str) -> StructuredAnswer:
        answer = self._answer(fill_request(response_model, system, user))
        return StructuredAnswer(data=answer["data"], usage=Usage(**answer.get("usage", {})))

    def score(self, prompt: str, continuations: list[str]) -> Scores:
        answer = self._answer(score_request(prompt, continuations))
        return Scores.from_answer(continuations, answer)
