"""Retries, backoff and the circuit breaker for backends that talk to a server.

Provider-neutral: a backend classifies its own failures into `RequestFailed` (retryable or not,
with the server's Retry-After when it sent one) and runs each request through `Retrier.call`.

- A request is tried up to `attempts` times. Between tries it waits an exponential backoff with
  jitter (1, 2, 4 ... s, capped), or what the server's Retry-After asks (capped too).
- The run has a retry budget: once spent, a failure is final at once, so a sick server cannot
  multiply a run's time by the per-request attempts.
- The circuit breaker: when the first requests of a run all fail, or the server cannot be
  connected to before anything succeeded, or cannot be connected to any more after all of a
  request's attempts later in the run, or many requests in a row fail later, the backend is
  declared unavailable (`BackendUnavailable`) and the run stops with one clear message.

The jitter's random source and the sleep are injectable, so tests are deterministic and instant.
One Retrier serves every document in flight (`--concurrency`): its counters and log are read and
changed under a lock, so the budget is never overspent and the breaker counts every failure; the
request itself and the backoff sleep run outside the lock.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from pipeline.backends.base import BackendError, BackendUnavailable

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries per request, the first one included
    base_delay: float = 1.0  # seconds before the first retry; doubles each retry
    max_delay: float = 30.0
    max_retry_after: float = 120.0  # a longer Retry-After is waited this long, then tried again
    run_budget: int = 100  # retries for the whole run
    failures_at_start: int = 3  # failed requests before any success that mean the server is down
    failures_in_a_row: int = 10  # failed requests in a row, later in the run, that mean the same

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("a request needs at least one attempt")
        if self.run_budget < 0:
            raise ValueError("the retry budget cannot be negative")


class RequestFailed(BackendError):
    """One attempt failed. `retryable`: another try may succeed (429, 5xx, timeout, dropped
    connection, malformed reply). `unreachable`: the server could not be connected to, or refuses
    us outright (bad key, unknown model): nothing will succeed."""

    def __init__(
        self,
        message: str,
        *,
        detail: str | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        unreachable: bool = False,
    ) -> None:
        super().__init__(message, detail=detail)
        self.retryable = retryable
        self.retry_after = retry_after
        self.unreachable = unreachable


@dataclass
class Retrier:
    """Runs requests with retries; one per backend, so its budget and breaker span the run."""

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    where: str = "the backend"
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    retries_used: int = 0
    succeeded: int = 0
    failed_in_a_row: int = 0
    log: list[str] = field(default_factory=list)  # one line per retry and per final failure, for the run's log
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def backoff(self, retry: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `retry` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.policy.max_retry_after)
        ceiling = min(self.policy.max_delay, self.policy.base_delay * 2 ** (retry - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)  # "equal jitter": never less than half

    def call(self, attempt: Callable[[], T]) -> T:
        last: RequestFailed | None = None
        tries = 0
        while tries < self.policy.attempts:
            tries += 1
            try:
                result = attempt()
            except RequestFailed as failure:
                last = failure
                with self._lock:
                    never_succeeded = not self.succeeded
                if failure.unreachable and never_succeeded:
                    self.note(f"{self.where}: {failure.detail}")
                    raise BackendUnavailable(
                        f"{self.where}: {self._reason(failure)}; stopping the run", detail=failure.detail
                    ) from failure
                if not failure.retryable or tries >= self.policy.attempts:
                    break
                with self._lock:  # check and spend the budget in one step: threads never overspend it
                    spent = self.retries_used >= self.policy.run_budget
                    if not spent:
                        self.retries_used += 1
                if spent:
                    self.note(f"{self.where}: retry budget of {self.policy.run_budget} spent; not retrying")
                    break
                delay = self.backoff(tries, failure.retry_after)
                self.note(f"{self.where}: attempt {tries} failed ({failure}); retrying in {delay:.1f} s")
                self.sleep(delay)
                continue
            with self._lock:
                self.succeeded += 1
                self.failed_in_a_row = 0
            return result
        assert last is not None
        if last.unreachable:
            # Connected before, and now not after every attempt and its backoff: the server has gone
            # away. Stop now rather than fail each remaining document one by one.
            self.note(f"{self.where}: {last.detail}")
            raise BackendUnavailable(
                f"{self.where}: {last} after {tries} attempts; the server stopped answering, stopping the run",
                detail=last.detail,
            ) from last
        self._count_failure(last, tries)
        suffix = f" (after {tries} attempts)" if tries > 1 else ""
        raise BackendError(f"{last}{suffix}", detail=last.detail) from last

    def note(self, line: str) -> None:
        with self._lock:
            self.log.append(line)

    def _count_failure(self, failure: RequestFailed, tries: int) -> None:
        with self._lock:
            self.failed_in_a_row += 1
            in_a_row, succeeded = self.failed_in_a_row, self.succeeded
            self.log.append(f"{self.where}: gave up after {tries} attempt(s): {failure.detail}")
        if not succeeded and in_a_row >= self.policy.failures_at_start:
            raise BackendUnavailable(
                f"{self.where}: the first {in_a_row} requests all failed (last: {self._reason(failure)}); "
                "stopping the run",
                detail=failure.detail,
            ) from failure
        if in_a_row >= self.policy.failures_in_a_row:
            raise BackendUnavailable(
                f"{self.where}: {in_a_row} requests in a row failed "
                f"(last: {self._reason(failure)}); stopping the run",
                detail=failure.detail,
            ) from failure

    def _reason(self, failure: RequestFailed) -> str:
        """The failure without the endpoint its message starts with: the stop message names it once."""
        return str(failure).removeprefix(f"{self.where}: ")

    def report(self) -> dict[str, int]:
        with self._lock:
            return {"requests_ok": self.succeeded, "retries": self.retries_used}
