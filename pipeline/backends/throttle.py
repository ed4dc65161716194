"""How fast a run may talk to one server: a requests-per-second cap and a back-off shared by every worker.

One `Throttle` serves every thread (every document in flight) of a run against one server. Before
each HTTP request a worker calls `wait()`; after each response it calls `observe(status, headers)`.
A 429 (too many requests) or 503 (overloaded) pauses every worker, not only the one that got it,
for the server's Retry-After, or for a doubling pause when the server does not say; the first
answer that is not one of those ends the doubling. Backends use it through `event_hooks()`, which
plugs into the httpx client under the openai client, so that the SDK's own retries and
instructor's re-asks pass through it too.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

FIRST_PAUSE = 1.0  # seconds, when a 429 comes without Retry-After
LONGEST_PAUSE = 60.0  # no pause, whatever the server asks, is longer
OVERLOADED = (429, 503)


class Throttle:
    def __init__(
        self,
        rate: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate is not None and rate <= 0:
            raise ValueError(f"--rate must be above 0 requests per second, not {rate}")
        self.rate = rate
        self._interval = 1.0 / rate if rate else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0  # when the next request may start under the rate cap
        self._paused_until = 0.0  # when the shared back-off ends
        self._streak = 0  # overloaded answers in a row, for the doubling pause
        self.requests = 0
        self.pauses = 0

    def wait(self) -> None:
        """Block until this worker may send a request: its slot under the rate, and no back-off running."""
        with self._lock:
            slot = max(self._clock(), self._next_slot, self._paused_until)
            self._next_slot = slot + self._interval
            self.requests += 1
        while True:
            # A back-off that began while this worker waited for its slot holds it too.
            delay = max(slot, self._paused_until) - self._clock()
            if delay <= 0:
                return
            self._sleep(delay)

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Called with every response: an overloaded server pauses every worker."""
        with self._lock:
            if status not in OVERLOADED:
                self._streak = 0
                return
            self._streak += 1
            asked = retry_after(headers, time.time())
            pause = asked if asked is not None else FIRST_PAUSE * 2 ** (self._streak - 1)
            pause = min(max(pause, 0.0), LONGEST_PAUSE)
            self._paused_until = max(self._paused_until, self._clock() + pause)
            self.pauses += 1

    def event_hooks(self) -> dict[str, list[Callable[[Any], None]]]:
        """httpx event hooks: `httpx.Client(event_hooks=throttle.event_hooks())`."""
        return {
            "request": [lambda _request: self.wait()],
            "response": [lambda response: self.observe(response.status_code, response.headers)],
        }

    def shared(self, workers: int) -> Throttle:
        """A throttle for one of `workers` processes that share this one's rate (Ray workers)."""
        return Throttle(self.rate / workers if self.rate else None, clock=self._clock, sleep=self._sleep)


def retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the server asks to wait: `retry-after-ms`, or Retry-After as seconds or an HTTP date."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return float(lowered["retry-after-ms"]) / 1000
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).timestamp() - now
    except (TypeError, ValueError):
        return None
