"""The local engine: documents read in this process, up to `concurrency` at once.

Documents in flight overlap only where they wait for the model. The pipeline's own work (parse,
ground, assemble, merge, the response cache) runs under one lock, as if alone: it is Python code
bound by the GIL, so running it in parallel would gain nothing on CPython, and under the lock it
needs no thread-safety of its own. `RecordingBackend` releases the lock around each call to the
backend (its `waiting` hook), which is where a served model spends the time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

Waiting = Callable[[], AbstractContextManager[Any]]
Item = TypeVar("Item")
Result = TypeVar("Result")
QUEUED_PER_WORKER = 2  # documents handed out ahead of the workers: enough to keep them busy, few to hold


class PipelineLock:
    """Held while a document's pipeline code runs; released while it waits for the model."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            yield

    @contextmanager
    def released(self) -> Iterator[None]:
        self._lock.release()
        try:
            yield
        finally:
            self._lock.acquire()


def read_documents(
    documents: Iterable[Item],
    read: Callable[[Item, Waiting], Result],
    *,
    concurrency: int,
    on_part: Callable[[Result], None],
) -> None:
    """`read` every document, at most `concurrency` at once; `on_part` hears of each (in this thread) as it
    finishes. Documents are taken from the iterable only as workers free up, so memory holds the
    documents in flight, not the corpus."""
    if concurrency <= 1:
        for document in documents:
            on_part(read(document, _not_waiting))
        return
    lock = PipelineLock()

    def work(document: Item) -> Result:
        with lock.held():
            return read(document, lock.released)

    in_flight: set[Future[Result]] = set()

    def finish(block_until_below: int) -> None:
        nonlocal in_flight
        while len(in_flight) > block_until_below:
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                on_part(future.result())

    with ThreadPoolExecutor(concurrency, thread_name_prefix="extract-document") as pool:
        try:
            for document in documents:
                finish(concurrency * QUEUED_PER_WORKER - 1)
                in_flight.add(pool.submit(work, document))
            finish(0)
        except BaseException:
            # Interrupted (Ctrl-C) or a failure outside any one document: documents already being
            # read finish and keep their parts; queued ones are dropped (a resume reads them).
            pool.shutdown(wait=True, cancel_futures=True)
            raise


@contextmanager
def _not_waiting() -> Iterator[None]:
    yield
