"""Any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, a llama.cpp server) via openai + instructor.

Servers differ in how they accept a schema, and this file is where those differences live:
- OpenAI, vLLM and Ollama take response_format {"type": "json_schema"}: instructor's JSON_SCHEMA.
- llama.cpp's server answers 500 to that and constrains output only for
  {"type": "json_object", "schema": ...}: instructor's JSON mode with the schema added.
With `structured_mode="auto"` the backend starts with json_schema and, if the server rejects
it, switches to json_object+schema for the rest of the run.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel

from pipeline.backends.base import BackendError, Completion, StructuredAnswer, Usage

StructuredMode = Literal["auto", "json_schema", "json_object", "tools"]
STRUCTURED_MODES: tuple[str, ...] = StructuredMode.__args__  # type: ignore[attr-defined]
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
MAX_REASKS = 2
MAX_FILL_TOKENS = 2048  # bounds a weak model that keeps extending a list


class OpenAIBackend:
    name = "openai"
    preferred_strategy = "structured"

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        structured_mode: StructuredMode = "auto",
        timeout: float = 300.0,
    ) -> None:
        import openai

        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key and not base_url:
            raise BackendError(
                "OPENAI_API_KEY is not set: set it, or pass --base-url for a local OpenAI-compatible server"
            )
        # Local servers accept any key; the client library insists on one.
        self.client = openai.OpenAI(base_url=base_url, api_key=key or "no-key", timeout=timeout, max_retries=1)
        self.model = model or DEFAULT_OPENAI_MODEL
        self.base_url = str(self.client.base_url)
        self.model_id = f"{self.model}@{self.base_url}"
        self.structured_mode: StructuredMode = structured_mode

    def complete(self, prompt: str, *, max_tokens: int, stop: list[str]) -> Completion:
        import openai

        try:
            result = self.client.completions.create(
                model=self.model, prompt=prompt, max_tokens=max_tokens, temperature=0.0, stop=stop[:4] or None
            )
        except openai.APIError as exc:
            raise BackendError(f"{self.base_url}: completion failed: {exc}") from exc
        usage = result.usage
        text = result.choices[0].text if result.choices else ""
        return Completion(
            text=_cut_at_stop(text, stop),
            usage=Usage(usage.prompt_tokens, usage.completion_tokens) if usage else Usage(),
        )

    def fill(self, response_model: type[BaseModel], system: str, user: str) -> StructuredAnswer:
        import openai

        mode = "json_schema" if self.structured_mode == "auto" else self.structured_mode
        try:
            return self._fill(response_model, system, user, mode)
        except (openai.InternalServerError, openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            if self.structured_mode != "auto":
                raise BackendError(f"{self.base_url}: structured output in {mode} mode failed: {exc}") from exc
            # A server that will not take json_schema (llama.cpp) gets json_object+schema from now on.
            self.structured_mode = "json_object"
            try:
                return self._fill(response_model, system, user, "json_object")
            except openai.APIError as retry_exc:
                raise BackendError(f"{self.base_url}: structured output failed: {retry_exc}") from retry_exc
        except openai.APIError as exc:
            raise BackendError(f"{self.base_url}: structured output failed: {exc}") from exc

    def _fill(self, response_model: type[BaseModel], system: str, user: str, mode: str) -> StructuredAnswer:
        import instructor
        import openai
        from instructor.core import InstructorError, InstructorRetryException

        instructor_mode = {
            "json_schema": instructor.Mode.JSON_SCHEMA,
            "json_object": instructor.Mode.JSON,
            "tools": instructor.Mode.TOOLS,
        }[mode]
        client = instructor.from_openai(self.client, mode=instructor_mode)
        extra: dict[str, Any] = {}
        if mode == "json_object":
            # extra_body is merged over instructor's response_format, adding the schema llama.cpp needs.
            extra["extra_body"] = {
                "response_format": {"type": "json_object", "schema": response_model.model_json_schema()}
            }
        try:
            answer, completion = client.chat.completions.create_with_completion(
                model=self.model,
                response_model=response_model,
                max_retries=MAX_REASKS,
                temperature=0.0,
                max_tokens=MAX_FILL_TOKENS,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                **extra,
            )
        except InstructorError as exc:  # failed re-asks, output cut at max_tokens, ...
            if isinstance(exc, InstructorRetryException) and isinstance(exc.__cause__, openai.APIError):
                raise exc.__cause__ from None  # an HTTP error, not a failed re-ask: fill() decides
            raise BackendError(
                f"{self.base_url}: no valid {response_model.__name__} after {MAX_REASKS} re-asks ({exc})"
            ) from exc
        usage = getattr(completion, "usage", None)
        return StructuredAnswer(
            data=answer.model_dump(mode="json"),
            usage=Usage(usage.prompt_tokens, usage.completion_tokens) if usage else Usage(),
        )


def _cut_at_stop(text: str, stop: list[str]) -> str:
    """Servers honour at most four stop strings; cut at the rest here."""
    cut = len(text)
    for marker in stop:
        at = text.find(marker)
        if at != -1:
            cut = min(cut, at)
    return text[:cut]
