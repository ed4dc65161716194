"""Stopping a run on SIGINT (Ctrl-C) or SIGTERM (`kill`) without leaving anything half-done.

The first signal asks the run to stop: no new document is started, and a document in flight is
abandoned at its next model call (its part is never written, so a resume reads it again; the
response cache keeps the answers it already had). Every document that finished before is already
durable in RUN/parts/. A second signal stops at once (KeyboardInterrupt), for a model call that
hangs. The run then raises `RunInterrupted`, and the CLI prints one line and exits 128 + the
signal's number (130 for SIGINT, 143 for SIGTERM), as a shell reports a process killed by it.

Handlers can only be installed from the main thread; a run started elsewhere (a test's thread, a
Ray worker) keeps the handlers it has.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """Raised inside a document's work when the run was asked to stop. A BaseException, like
    KeyboardInterrupt, so that no `except Exception` turns it into the document's reject."""


class RunInterrupted(Exception):
    """The run stopped on a signal; `done` of `total` documents are kept in the run folder's parts."""

    def __init__(self, signal_number: int, done: int, total: int, parts: str) -> None:
        self.signal_number = signal_number
        self.done = done
        self.total = total
        self.parts = parts
        super().__init__(
            f"interrupted: {done} of {total} documents done and kept in {parts}; "
            "run again with --resume to finish"
        )

    @property
    def exit_code(self) -> int:
        return 128 + self.signal_number


class StopRequest:
    """Set by the first stop signal; read by the document loop and before every model call."""

    def __init__(self) -> None:
        self.signal_number: int | None = None

    @property
    def requested(self) -> bool:
        return self.signal_number is not None

    def check(self) -> None:
        """Raise Interrupted when a stop was asked for: the caller's document is abandoned."""
        if self.signal_number is not None:
            raise Interrupted(self.signal_number)


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """A StopRequest that SIGINT and SIGTERM set while the block runs (main thread only)."""
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return

    def handle(signal_number: int, frame: FrameType | None) -> None:
        if request.signal_number is not None:
            raise KeyboardInterrupt  # asked twice: stop now, even inside a model call
        request.signal_number = signal_number

    previous = {number: signal.signal(number, handle) for number in STOP_SIGNALS}
    try:
        yield request
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
