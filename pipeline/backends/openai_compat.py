"""Any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, a llama.cpp server) via openai + instructor.

Servers differ in how they accept a schema, and this file is where those differences live:
- OpenAI, vLLM and Ollama take response_format {"type": "json_schema"}: instructor's JSON_SCHEMA.
- llama.cpp's server answers 500 to that and constrains output only for
  {"type": "json_object", "schema": ...}: instructor's JSON mode with the schema added.
With `structured_mode="auto"` a request type (one response model) starts with json_schema and,
only when the server refuses json_schema itself (its error names response_format or json_schema),
switches to json_object+schema for the rest of the run. Any other error is an error.

How a server can fail, and what happens (tests/test_served_backend.py drives each case):
- 429, 5xx, a dropped or reset connection, a deadline passed, a malformed, truncated, empty or
  streamed reply: retried with backoff (reliability.Retrier), then a one-line BackendError.
- Every request has a total deadline (`timeout`), not a per-read one: a server that trickles
  bytes is cut off when the deadline passes.
- A refused connection, 401, 403 or 404 before any request succeeded: BackendUnavailable at once.
- A context-length 400: ContextOverflow, which the strategies answer by splitting the piece.

Scoring (`score`) asks /v1/completions for each `prompt + continuation` with echo: true,
logprobs: 1, the request vLLM, llama-cpp-python's server and OpenAI's older completion models
answer with the log-probability of every prompt token. It asks for max_tokens 1, not the usual
0: llama-cpp-python's server reads 0 as "no limit" and generates until the context is full
(measured with 0.3.36: 4080 tokens in 358 s; with 1, an answer in 8.7 s for a 17-token first
request, 1.2 s of it in the model). The one generated token is ignored.
A server that refuses the request (a 400, 404, 405, 422 or 501, or a 500 that names logprobs or
echo) or answers without usable logprobs turns the capability off for the rest of the run: one
line on stderr says so, `supports_scoring` is False from then on, and the caller falls back.
Transient failures are retried like any request.
"""

from __future__ import annotations

import email.utils
import importlib
import json
import logging
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal, NoReturn
from urllib.parse import urlsplit

from pydantic import BaseModel

from pipeline.backends.base import (
    BackendError,
    Completion,
    ContextOverflow,
    ContinuationScore,
    Scores,
    ScoringUnavailable,
    StructuredAnswer,
    Usage,
    one_line,
)
from pipeline.backends.reliability import RequestFailed, Retrier, RetryPolicy
from pipeline.backends.throttle import Throttle

StructuredMode = Literal["auto", "json_schema", "json_object", "tools"]
STRUCTURED_MODES: tuple[str, ...] = StructuredMode.__args__  # type: ignore[attr-defined]
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_HOST = "api.openai.com"
DEFAULT_KEY_ENV = "OPENAI_API_KEY"
# A served model's context window when the user does not say (--context-tokens): small enough
# for most models served today, large enough that a 6000-character chunk and its answer fit.
DEFAULT_CONTEXT_TOKENS = 8192
MAX_REASKS = 2
MAX_FILL_TOKENS = 2048  # bounds a weak model that keeps extending a list
CONNECT_SECONDS = 10.0
# Once the headers are in, a healthy server sends the rest at once: a body that stalls this long
# is cut even when the request's deadline is further away.
BODY_STALL_SECONDS = 10.0
RETRY_STATUSES = {408, 409, 425, 429, 500, 502, 503, 504}
UNREACHABLE_STATUSES = {401, 403, 404}
CONTEXT_WORDS = re.compile(r"context[ _](length|window)|maximum context|too many tokens|prompt is too long", re.I)
SCHEMA_WORDS = re.compile(r"json_schema|response_format", re.I)
# A scoring request the server will never answer: it does not do echo with logprobs (or max_tokens 0).
SCORING_REFUSAL_STATUSES = {400, 404, 405, 422, 501}
SCORING_MAX_TOKENS = 1  # see the module's docstring: 0 means "no limit" to llama-cpp-python's server
SCORING_WORDS = re.compile(r"logprobs|echo|max_tokens|logits_all", re.I)


class OpenAIBackend:
    name = "openai"
    preferred_strategy = "structured"

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        api_key_env: str | None = None,
        structured_mode: StructuredMode = "auto",
        timeout: float = 300.0,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        throttle: Throttle | None = None,
    ) -> None:
        import openai

        # instructor logs every failed API call at ERROR; with no handler configured Python prints
        # those to stderr. Our retries and errors.log say it once, in one line.
        logging.getLogger("instructor").addHandler(logging.NullHandler())
        if timeout <= 0:
            raise BackendError(f"the request timeout must be positive, not {timeout}")
        if context_tokens < 256:
            raise BackendError(f"the context size must be at least 256 tokens, not {context_tokens}")
        key = api_key or _key_for(base_url, api_key_env)
        if not key and not base_url:
            raise BackendError(
                f"{DEFAULT_KEY_ENV} is not set: set it, or pass --base-url for a local OpenAI-compatible server"
            )
        self.timeout = timeout
        # Local servers accept any key; the client library insists on one. Retries are ours (below).
        self.client = openai.OpenAI(
            base_url=base_url,
            api_key=key or "no-key",
            timeout=_timeout(timeout),
            max_retries=0,
            # Every HTTP request, retries and instructor's re-asks too, passes the run's shared throttle.
            http_client=_deadline_client(timeout, throttle),
        )
        self.model = model or DEFAULT_OPENAI_MODEL
        self.base_url = str(self.client.base_url)
        self.model_id = f"{self.model}@{self.base_url}"
        self.context_tokens = context_tokens
        self.structured_mode: StructuredMode = structured_mode
        # auto mode: the mode each request type (response model) settled on, and why it switched.
        self.modes: dict[str, str] = {}
        self.mode_switches: dict[str, dict[str, str]] = {}
        self.retrier = Retrier(
            retry or RetryPolicy(), where=self.base_url, sleep=sleep, rng=rng or random.Random()
        )
        self.scoring_refused: str | None = None  # why the server cannot score, once it has shown it
        self._scoring_lock = threading.Lock()

    @property
    def supports_scoring(self) -> bool:
        """True until the server shows it cannot give log-probabilities of an echoed prompt."""
        return self.scoring_refused is None

    @property
    def log(self) -> list[str]:
        """Full detail of every retry and failure, for the run's error log."""
        return self.retrier.log

    def report(self) -> dict[str, Any]:
        """What the manifest says about this backend beyond its name and model."""
        return {
            "structured_mode": self.structured_mode,
            "mode_switches": dict(self.mode_switches),
            "context_tokens": self.context_tokens,
            "timeout_seconds": self.timeout,
            "attempts_per_request": self.retrier.policy.attempts,
            **({"scoring_unavailable": self.scoring_refused} if self.scoring_refused else {}),
            "retry_budget": self.retrier.policy.run_budget,
            **self.retrier.report(),
        }

    def complete(self, prompt: str, *, max_tokens: int, stop: list[str]) -> Completion:
        def attempt() -> Completion:
            try:
                result = self.client.completions.create(
                    model=self.model, prompt=prompt, max_tokens=max_tokens, temperature=0.0, stop=stop[:4] or None
                )
            except Exception as exc:
                raise self._failure(exc, "completion") from exc
            choices = getattr(result, "choices", None)
            if not isinstance(choices, list):
                raise RequestFailed(
                    f"{self.base_url}: completion reply is not a completion ({type(result).__name__})",
                    detail=f"reply: {str(result)[:2000]}", retryable=True,
                )
            if not choices:
                raise RequestFailed(f"{self.base_url}: completion reply has no choices", retryable=True)
            text = getattr(choices[0], "text", None)
            if not isinstance(text, str):
                raise RequestFailed(f"{self.base_url}: completion reply has no text ({text!r})", retryable=True)
            return Completion(text=_cut_at_stop(text, stop), usage=_usage(getattr(result, "usage", None)))

        return self.retrier.call(attempt)

    def score(self, prompt: str, continuations: list[str]) -> Scores:
        """log P(continuation | prompt) per continuation, one echo request each (servers that take a
        list of prompts differ in what they do with it; one prompt per request works everywhere)."""
        results: list[ContinuationScore] = []
        usage = Usage()
        for continuation in continuations:
            if self.scoring_refused is not None:
                raise ScoringUnavailable(f"{self.base_url}: {self.scoring_refused}")

            def attempt(continuation: str = continuation) -> tuple[ContinuationScore, Usage]:
                return self._score_one(prompt, continuation)

            result, used = self.retrier.call(attempt)
            results.append(result)
            usage = usage + used
        return Scores(tuple(results), usage)

    def _score_one(self, prompt: str, continuation: str) -> tuple[ContinuationScore, Usage]:
        import openai

        text = prompt + continuation
        try:
            reply = self.client.completions.create(
                model=self.model, prompt=text, max_tokens=SCORING_MAX_TOKENS, echo=True, logprobs=1, temperature=0.0
            )
        except openai.APIStatusError as exc:
            message = _error_message(exc)
            refused = exc.status_code in SCORING_REFUSAL_STATUSES or (
                exc.status_code == 500 and SCORING_WORDS.search(message)
            )
            if refused and not CONTEXT_WORDS.search(message):
                self._refuse_scoring(f"HTTP {exc.status_code} {one_line(message, 100)}".rstrip(), _body_text(exc))
            raise self._failure(exc, "scoring") from exc
        except Exception as exc:
            raise self._failure(exc, "scoring") from exc
        choices = getattr(reply, "choices", None)
        if not isinstance(choices, list) or not choices:
            raise RequestFailed(f"{self.base_url}: scoring reply has no choices", retryable=True)
        echoed = getattr(choices[0], "text", None)
        if isinstance(echoed, str) and not echoed.startswith(text):
            self._refuse_scoring("the reply does not echo the prompt", f"reply: {str(reply)[:2000]}")
        found = _continuation_logprobs(getattr(choices[0], "logprobs", None), len(prompt), len(text))
        if isinstance(found, str):
            self._refuse_scoring(found, f"reply: {str(reply)[:2000]}")
        return ContinuationScore(continuation, sum(found), len(found)), _usage(getattr(reply, "usage", None))

    def _refuse_scoring(self, reason: str, detail: str) -> NoReturn:
        """The server cannot score: say so once, turn the capability off, and raise ScoringUnavailable."""
        message = f"the server gives no log-probabilities of an echoed prompt ({reason}): scoring is off"
        with self._scoring_lock:
            first = self.scoring_refused is None
            if first:
                self.scoring_refused = message
        if first:
            self.retrier.note(f"{self.base_url}: {message}: {detail}")
            sys.stderr.write(f"note: {self.base_url}: {message}\n")
        raise ScoringUnavailable(f"{self.base_url}: {message}", detail=detail)

    def fill(self, response_model: type[BaseModel], system: str, user: str) -> StructuredAnswer:
        request_type = response_model.__name__
        mode = self.modes.get(request_type) or (
            "json_schema" if self.structured_mode == "auto" else self.structured_mode
        )

        def attempt() -> StructuredAnswer:
            nonlocal mode
            try:
                return self._fill(response_model, system, user, mode)
            except RequestFailed as failure:
                if not (mode == "json_schema" and _refuses_json_schema(failure)):
                    raise
                if self.structured_mode != "auto":  # an explicit mode is never switched behind the user's back
                    raise RequestFailed(
                        f"{self.base_url}: the server refuses json_schema mode; try --structured-mode json_object",
                        detail=failure.detail,
                    ) from failure
                # The server will not take json_schema for this request type: json_object+schema from now on.
                mode = self.modes[request_type] = "json_object"
                self.mode_switches[request_type] = {"from": "json_schema", "to": "json_object",
                                                    "because": one_line(str(failure), 120)}
                self.retrier.note(f"{self.base_url}: {request_type}: json_schema refused, using json_object: "
                                        f"{failure.detail}")
                return self._fill(response_model, system, user, mode)

        answer = self.retrier.call(attempt)
        self.modes.setdefault(request_type, mode)
        return answer

    def _fill(self, response_model: type[BaseModel], system: str, user: str, mode: str) -> StructuredAnswer:
        import instructor
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
        except InstructorRetryException as exc:
            cause = exc.__cause__
            if cause is not None and not _is_model_answer_error(cause):
                raise self._failure(cause, f"structured output ({mode})") from exc
            raise BackendError(
                f"{self.base_url}: no valid {response_model.__name__} after {MAX_REASKS} re-asks",
                detail=str(exc),
            ) from exc
        except InstructorError as exc:  # output cut at max_tokens, ...
            raise BackendError(
                f"{self.base_url}: no valid {response_model.__name__} ({type(exc).__name__})", detail=str(exc)
            ) from exc
        except Exception as exc:
            raise self._failure(exc, f"structured output ({mode})") from exc
        return StructuredAnswer(data=answer.model_dump(mode="json"), usage=_usage(getattr(completion, "usage", None)))

    def _failure(self, exc: BaseException, what: str) -> BackendError:
        """An exception from one attempt, classified: retry it, give up on the request, or on the run."""
        import openai

        where = self.base_url
        if isinstance(exc, BackendError):
            return exc
        if isinstance(exc, openai.APITimeoutError):
            return RequestFailed(f"{where}: {what}: no answer within the {self.timeout:g} s deadline",
                                 detail=repr(exc.__cause__ or exc), retryable=True)
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__
            refused = _is_connect_error(cause)
            reason = "cannot connect" if refused else "connection lost"
            return RequestFailed(f"{where}: {what}: {reason} ({type(cause).__name__ if cause else 'connection error'})",
                                 detail=repr(cause or exc), retryable=True, unreachable=refused)
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            message = _error_message(exc)
            detail = f"HTTP {status}: {_body_text(exc)}"
            short = f"{where}: {what}: HTTP {status} {one_line(message, 100)}".rstrip()
            if status in (400, 413, 422) and (exc.code == "context_length_exceeded" or CONTEXT_WORDS.search(message)):
                return ContextOverflow(f"{where}: the request does not fit the model's context", detail=detail)
            return RequestFailed(short, detail=detail, retryable=status in RETRY_STATUSES,
                                 retry_after=_retry_after(exc.response.headers),
                                 unreachable=status in UNREACHABLE_STATUSES)
        if isinstance(exc, (json.JSONDecodeError, openai.APIResponseValidationError, AttributeError, TypeError,
                            IndexError, KeyError, ValueError)):
            # A reply that is not the JSON the protocol promises: malformed, truncated, streamed, empty.
            return RequestFailed(f"{where}: {what}: malformed reply ({type(exc).__name__})",
                                 detail=f"{type(exc).__name__}: {exc}", retryable=True)
        if isinstance(exc, openai.APIError):
            return RequestFailed(f"{where}: {what}: {one_line(str(exc), 100)}", detail=str(exc), retryable=True)
        return RequestFailed(f"{where}: {what}: {type(exc).__name__}", detail=repr(exc), retryable=False)


def _key_for(base_url: str | None, api_key_env: str | None) -> str | None:
    """The API key to send. A key named by --api-key-env goes wherever the user points; the default
    OPENAI_API_KEY goes only to OpenAI itself, so a --base-url the user mistyped, or a server they
    do not control, never receives it unless they say so."""
    if api_key_env:
        key = os.environ.get(api_key_env)
        if not key:
            raise BackendError(f"--api-key-env {api_key_env}: that environment variable is not set")
        return key
    key = os.environ.get(DEFAULT_KEY_ENV)
    host = urlsplit(base_url).hostname if base_url else DEFAULT_HOST
    if key and host != DEFAULT_HOST:
        sys.stderr.write(
            f"note: {DEFAULT_KEY_ENV} is not sent to {host}; pass --api-key-env {DEFAULT_KEY_ENV} to send it\n"
        )
        return None
    return key


def _timeout(seconds: float) -> Any:
    import openai

    return openai.Timeout(seconds, connect=min(seconds, CONNECT_SECONDS))


def _http_library() -> Any:
    """The HTTP library this openai version is built on (httpx for openai 1-2, httpx2 for openai 3)."""
    import openai

    for cls in type.mro(openai.DefaultHttpxClient):
        if cls.__module__.startswith("httpx"):
            return importlib.import_module(cls.__module__.split(".")[0])
    raise BackendError("openai's HTTP library is neither httpx nor httpx2: the request deadline cannot be set")


def _deadline_client(seconds: float, throttle: Throttle | None = None) -> Any:
    """openai's default HTTP client with a transport that enforces a total deadline per request, and
    the run's throttle (requests per second, a 429 pausing every worker) on every request."""
    import openai

    http = _http_library()

    class DeadlineStream(http.SyncByteStream):  # type: ignore[name-defined]
        def __init__(self, inner: Any, deadline: float, request: Any) -> None:
            self.inner, self.deadline, self.request = inner, deadline, request

        def __iter__(self) -> Iterator[bytes]:
            for chunk in self.inner:
                if time.monotonic() > self.deadline:
                    raise http.ReadTimeout(f"the {seconds:g} s deadline passed mid-reply", request=self.request)
                yield chunk

        def close(self) -> None:
            self.inner.close()

    class DeadlineTransport(http.BaseTransport):  # type: ignore[name-defined]
        def __init__(self) -> None:
            self.inner = http.HTTPTransport(limits=http.Limits(max_connections=100, max_keepalive_connections=20))

        def handle_request(self, request: Any) -> Any:
            deadline = time.monotonic() + seconds
            response = self.inner.handle_request(request)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                response.close()
                raise http.ReadTimeout(f"the {seconds:g} s deadline passed", request=request)
            # The body's reads are read with the request's timeouts, looked up when the body is
            # first read: bound each to what is left of the deadline.
            timeouts = dict(request.extensions.get("timeout") or {})
            timeouts["read"] = min(remaining, BODY_STALL_SECONDS)
            request.extensions["timeout"] = timeouts
            response.stream = DeadlineStream(response.stream, deadline, request)
            return response

        def close(self) -> None:
            self.inner.close()

    hooks: Any = throttle.event_hooks() if throttle else None
    return openai.DefaultHttpxClient(transport=DeadlineTransport(), timeout=_timeout(seconds), event_hooks=hooks)


def _is_connect_error(cause: BaseException | None) -> bool:
    names = {type(c).__name__ for c in _chain(cause)}
    return bool(names & {"ConnectError", "ConnectTimeout", "ConnectionRefusedError", "gaierror"})


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen = 0
    while exc is not None and seen < 10:
        yield exc
        exc = exc.__cause__ or exc.__context__
        seen += 1


def _is_model_answer_error(cause: BaseException) -> bool:
    """The model's own output failed validation (instructor re-asked): not the server's fault."""
    from pydantic import ValidationError

    return isinstance(cause, ValidationError)


def _error_message(exc: Any) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if body.get("message"):
            return str(body["message"])
    return str(getattr(exc, "message", "") or "")


def _body_text(exc: Any) -> str:
    try:
        return str(exc.response.text)[:4000]
    except Exception:
        return str(exc)[:4000]


def _retry_after(headers: Any) -> float | None:
    """Seconds the server asks us to wait: retry-after-ms, or Retry-After in seconds or as a date."""
    try:
        millis = headers.get("retry-after-ms")
        if millis is not None:
            return max(0.0, float(millis) / 1000)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def _refuses_json_schema(failure: RequestFailed) -> bool:
    """The server's refusal of response_format json_schema: a 400, 422 or 500 (llama.cpp) that names it."""
    match = re.match(r"HTTP (\d+): ", failure.detail)
    return bool(match and int(match.group(1)) in (400, 422, 500, 501) and SCHEMA_WORDS.search(failure.detail))


def _usage(usage: Any) -> Usage:
    prompt, completion = getattr(usage, "prompt_tokens", 0), getattr(usage, "completion_tokens", 0)
    return Usage(prompt if isinstance(prompt, int) else 0, completion if isinstance(completion, int) else 0)


def _continuation_logprobs(logprobs: Any, prompt_chars: int, text_chars: int) -> list[float] | str:
    """The log-probabilities of the tokens that carry the continuation's characters (those that end
    after the prompt's last character, a token spanning the boundary included), or why there are none.

    A token's start is its `text_offset` (characters into the echoed text) or, when the server
    sends none, the sum of the lengths of the tokens before it; it ends where the next one starts.
    Tokens from the end of the text on (what the server generated after it) are ignored."""
    tokens = getattr(logprobs, "tokens", None)
    values = getattr(logprobs, "token_logprobs", None)
    if logprobs is None or not isinstance(tokens, list) or not isinstance(values, list) or not tokens:
        return "the reply has no logprobs"
    if len(values) != len(tokens):
        return "the reply's logprobs do not match its tokens"
    offsets = getattr(logprobs, "text_offset", None)
    if not (isinstance(offsets, list) and len(offsets) == len(tokens)):
        offsets, at = [], 0
        for token in tokens:
            offsets.append(at)
            at += len(str(token))
    found: list[float] = []
    for index, start in enumerate(offsets):
        end = offsets[index + 1] if index + 1 < len(offsets) else text_chars
        if start >= text_chars or end <= prompt_chars:
            continue
        value = values[index]
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return "a continuation token has no logprob"
        found.append(float(value))
    if not found and text_chars > prompt_chars:
        return "the reply does not echo the prompt"
    return found


def _cut_at_stop(text: str, stop: list[str]) -> str:
    """Servers take at most four stop strings; the rest are applied here."""
    cut = len(text)
    for marker in stop:
        at = text.find(marker)
        if at != -1:
            cut = min(cut, at)
    return text[:cut]
