"""The Ray engine: documents spread over a Ray cluster with Ray Data (`extract run --engine ray`).

The driver (this process) finds the documents, skips those a resumed run already has, and makes
a dataset of the rest: one row per document, holding its path (so the input folder must be
readable at the same path on every node: a shared file system). A map over batches runs on a
pool of actors, one per CPU of the cluster; each actor builds its own `DocumentReader` once (its
own backend client, response cache, prompts and language pipeline) and reads its batch's
documents with the local engine, `--concurrency` in flight. Every document comes back as a
`DocumentPart`, a rejected one too: a document that fails on a worker is a reject, never a lost
batch. The driver writes each part into RUN/parts/ as it arrives, and the run folder is
assembled from the parts as in a local run, so the records are the same.

Ray is imported only here, and this module only when `--engine ray` is asked for.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.backends import Backend
from pipeline.backends.base import BackendUnavailable
from pipeline.documents import Document, LoadError, load_document
from pipeline.engines.local import Waiting, read_documents
from pipeline.output import Reject
from pipeline.progress import DocumentPart

if TYPE_CHECKING:
    from pipeline.run import RunSettings

UNAVAILABLE = "backend unavailable"  # a part's status that stops the run on the driver, never written
BATCH_DOCUMENTS = 4  # documents per batch: small, so that one slow document holds back few others


def read_on_ray(
    documents: Iterable[Document],
    settings: RunSettings,
    backend: Backend | None,
    *,
    on_part: Callable[[DocumentPart, str | None], None],
) -> None:
    """Read `documents` on the cluster; `on_part` hears each document's part and text (None when the
    worker could not load it) in this process, as they arrive."""
    import ray
    import ray.data

    started_here = not ray.is_initialized()
    if started_here:
        # Workers import the same `pipeline` as this driver (a checkout, not only an installed copy).
        package_root = str(Path(__file__).resolve().parents[2])
        python_path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        ray.init(
            address=settings.ray_address,
            include_dashboard=False,
            logging_level=logging.WARNING,
            runtime_env={"env_vars": {"PYTHONPATH": python_path}},
        )
    try:
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        # "path" as the user named it (what the run folder says); "file" for a worker whose folder differs.
        rows = [{"doc_id": d.doc_id, "path": str(d.path), "file": str(d.path.resolve())} for d in documents]
        if not rows:
            return
        workers = max(1, min(int(ray.cluster_resources().get("CPU", 1)), -(-len(rows) // BATCH_DOCUMENTS)))
        parts = ray.data.from_items(rows).map_batches(
            RayDocumentReader,
            fn_constructor_args=(settings, backend, workers),
            batch_size=BATCH_DOCUMENTS,
            batch_format="pandas",
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=1,
        )
        for row in parts.iter_rows():
            part = DocumentPart.from_json(row["part"])
            if part.status == UNAVAILABLE:
                raise BackendUnavailable(part.error or "the backend is unavailable")
            on_part(part, row["text"] if row["loaded"] else None)
    finally:
        if started_here:
            ray.shutdown()


class RayDocumentReader:
    """One Ray actor: its own reader (backend client, cache, prompts, language pipeline), built once."""

    def __init__(self, settings: RunSettings, backend: Backend | None, workers: int) -> None:
        from pipeline.run import DocumentReader

        # A rate cap is for the whole run: each of the `workers` actors keeps to its share.
        self.reader = DocumentReader(settings, backend, rate_share=workers)
        self.doc_date = settings.doc_date
        self.max_characters = settings.max_characters
        self.concurrency = self.reader.concurrency

    def __call__(self, batch: Any) -> Any:
        import pandas as pd

        results: dict[str, tuple[DocumentPart, str | None]] = {}
        items = list(zip(batch["doc_id"], batch["path"], batch["file"], strict=True))
        read_documents(
            items, self._read, concurrency=self.concurrency, on_part=lambda r: results.update({r[0].doc_id: r})
        )
        rows = [results[doc_id] for doc_id, _, _ in items]
        return pd.DataFrame({
            "part": [part.to_json() for part, _ in rows],
            "text": [text or "" for _, text in rows],
            "loaded": [text is not None for _, text in rows],
        })

    def _read(self, item: tuple[str, str, str], waiting: Waiting) -> tuple[DocumentPart, str | None]:
        doc_id, path, file = item
        try:
            loaded = load_document(Path(file), doc_date=self.doc_date, max_characters=self.max_characters)
            if isinstance(loaded, LoadError):
                return _failed(doc_id, path, loaded.reason, "load"), None
            loaded = dataclasses.replace(loaded, path=Path(path))
            return self.reader.read(loaded, waiting), loaded.text
        except BackendUnavailable as exc:  # the server is down: the driver stops the run, as a local run stops
            part = _failed(doc_id, path, str(exc), "model")
            part.status = UNAVAILABLE
            return part, None
        except Exception as exc:  # whatever goes wrong with one document is that document's reject
            reason = f"internal error on a Ray worker: {type(exc).__name__}: {exc}"
            return _failed(doc_id, path, reason, "internal"), None


def _failed(doc_id: str, path: str, reason: str, stage: str) -> DocumentPart:
    return DocumentPart(
        doc_id=doc_id,
        path=path,
        fingerprint="",  # never fits: a resumed run reads it again
        status="failed",
        input={"doc_id": doc_id, "path": path, "status": "failed", "reason": reason},
        rejects=[Reject("document", doc_id, path, reason, stage=stage).row()],
        error=reason,
    )
