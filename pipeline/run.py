"""`extract run`, top to bottom: load -> ask the model -> ground -> assemble -> merge -> write.

This file is the pipeline's straight line; each stage lives in the module named after it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import platform
import signal
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.actors import ActorRules
from pipeline.assemble import AssemblyError, assemble_record
from pipeline.backends import Backend, BackendError, create_backend
from pipeline.backends.base import BackendUnavailable, one_line
from pipeline.backends.throttle import Throttle
from pipeline.decide import decide
from pipeline.documents import (
    DEFAULT_MAX_CHARACTERS,
    TEXTS_FOLDER,
    Document,
    InputListing,
    LoadError,
    list_inputs,
    load_documents,
    text_file_name,
)
from pipeline.engines.local import Waiting, read_documents
from pipeline.grounding import Grounder, with_value_spans
from pipeline.interrupt import Interrupted, RunInterrupted, StopRequest, stop_on_signals
from pipeline.jsonl import record_rows, write_text_atomic
from pipeline.language.parse import choose_pipeline
from pipeline.merge import merge_records, missing_core
from pipeline.output import (
    ERRORS,
    MANIFEST,
    PARTS_DIR,
    Reject,
    RunOutput,
    RunWriter,
    locked_run_dir,
    remove_run_outputs,
    sha256_text,
)
from pipeline.progress import DocumentPart, PartStore, fingerprint
from pipeline.prompts import PROMPTS_DIR, SlotPrompt, load_prompts
from pipeline.record_types import entry
from pipeline.responses import CallLimitReached, RecordingBackend, ResponseCache, default_cache_path
from pipeline.strategies import Candidate, Skipped
from pipeline.strategies.slots import extract_by_slots
from pipeline.strategies.structured import extract_structured
from schemas import RECORD_TYPES, SCHEMA_VERSION, Record

STRATEGIES = ("auto", "slots", "structured")
ENGINES = ("local", "ray")
IN_PROCESS_BACKENDS = ("local",)  # a model inside this process reads one document at a time
# Backend settings that change what a document yields (the others, e.g. timeouts, do not), read
# from the backend itself so that a default given or left out is the same: a resumed run reads a
# document again when one of these changed.
OUTPUT_OPTIONS = ("structured_mode", "context_tokens")
VERSION = "0.1.0"
# Model calls one document may make (cache hits included) before it is rejected: a long document full
# of cue sentences otherwise means thousands of requests. Our seeds and test articles need 10-15 each
# (their recordings).
DEFAULT_MAX_MODEL_CALLS = 400


@dataclass
class RunSettings:
    backend: str = "local"
    model: str | None = None
    base_url: str | None = None
    record_types: list[str] = field(default_factory=lambda: list(RECORD_TYPES))
    doc_date: str | None = None
    recursive: bool = False
    strategy: str = "auto"
    use_cache: bool = True
    cache_path: Path | None = None
    prompts_dir: Path = PROMPTS_DIR
    backend_options: dict[str, Any] = field(default_factory=dict)
    spacy_pipeline: str | None = None  # None: $EXTRACT_SPACY_PIPELINE, else the pinned default
    follow_symlinks: bool = False  # links out of an input folder are rejected unless set
    max_characters: int = DEFAULT_MAX_CHARACTERS  # longer documents are rejected
    resume: bool = False  # continue the run in run_dir: documents with a fitting part are not read again
    retry_failed: bool = False  # resume, and read again the documents that were rejected
    concurrency: int = 1  # documents in flight against a served backend (per Ray worker with engine "ray")
    rate: float | None = None  # at most this many requests per second to the server (all workers together)
    engine: str = "local"  # "local" (this process) or "ray" (Ray Data over a cluster)
    ray_address: str | None = None  # the Ray cluster to join; None starts Ray on this machine
    max_model_calls: int = DEFAULT_MAX_MODEL_CALLS  # per document; one that needs more is rejected (0: no limit)


@dataclass
class DocumentResult:
    doc_id: str
    path: str
    records: int
    seconds: float
    error: str | None = None


@dataclass
class RunResult:
    run_dir: Path
    manifest: dict[str, Any]
    documents: list[DocumentResult]

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.manifest["counts"])

    @property
    def failed_documents(self) -> int:
        return sum(1 for d in self.documents if d.error)


def choose_strategy(requested: str, backend: Backend) -> str:
    """Small completion models get slot filling; chat models that follow a schema get instructor."""
    if requested not in STRATEGIES:
        raise ValueError(f"unknown strategy {requested!r}; choose one of: {', '.join(STRATEGIES)}")
    if requested != "auto":
        return requested
    return str(getattr(backend, "preferred_strategy", "structured"))


def run_extraction(
    inputs: InputListing | Path | str | list[str | Path],
    run_dir: Path,
    settings: RunSettings,
    on_document: Callable[[DocumentResult], None] | None = None,
    backend: Backend | None = None,
) -> RunResult:
    """Extract records from every article of `inputs` (folders, files, globs, "-"; or a listing made by
    `list_inputs`) into `run_dir`. One bad document never stops the rest; an unreachable backend stops
    the run: what was done is written, then BackendUnavailable is raised.

    Each document's results are kept in RUN/parts/ when it finishes (pipeline.progress); the run's
    files are assembled from the parts, in document order, once every document is done.

    The run holds `run_dir`'s lock from start to end: a second run on it raises RunFolderBusy.
    SIGINT and SIGTERM stop it cleanly (pipeline.interrupt): RunInterrupted is raised, every finished
    document is kept in RUN/parts/ and nothing half-done is written."""
    with locked_run_dir(run_dir), stop_on_signals() as stop:
        return _extract_all(inputs, run_dir, settings, on_document, backend, stop)


def _extract_all(
    inputs: InputListing | Path | str | list[str | Path],
    run_dir: Path,
    settings: RunSettings,
    on_document: Callable[[DocumentResult], None] | None,
    backend: Backend | None,
    stop: StopRequest,
) -> RunResult:
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC)
    listing = inputs if isinstance(inputs, InputListing) else list_inputs(
        inputs if isinstance(inputs, list) else [inputs],
        recursive=settings.recursive,
        follow_symlinks=settings.follow_symlinks,
    )
    unknown = [t for t in settings.record_types if t not in RECORD_TYPES]
    if unknown:
        raise ValueError(f"unknown record type(s) {', '.join(unknown)}; choose from {', '.join(RECORD_TYPES)}")
    check_engine_settings(settings, backend, listing)
    reader = DocumentReader(settings, backend)
    reader.stop = stop
    store = PartStore(run_dir)
    resuming = settings.resume or settings.retry_failed
    # In input order: document ids (their parts are on disk once done), load errors, and (after a stop)
    # the manifest entries of documents never started.
    order: list[str | DocumentPart | dict[str, Any]] = []
    paths: dict[str, str] = {}  # doc id -> path, for the entry of a document started but not done
    done: set[str] = set()  # documents whose part is this run's (read now, or kept from before)
    written: set[str] = set()  # documents whose part this run wrote (some may not be reported yet)
    reused = 0
    documents = load_documents(listing, doc_date=settings.doc_date, max_characters=settings.max_characters)

    def report(part: DocumentPart) -> None:
        done.add(part.doc_id)
        if on_document:
            on_document(_result(part))
        stop.check()  # asked to stop: the document just kept is the last

    def pending() -> Iterator[Document]:
        """The documents still to read; the others are reported as they are found."""
        nonlocal reused
        for loaded in documents:
            if isinstance(loaded, LoadError):
                part = _load_error_part(loaded)
                order.append(part)
                report(part)
                continue
            order.append(loaded.doc_id)
            paths[loaded.doc_id] = str(loaded.path)
            earlier = store.read(loaded.doc_id) if resuming else None
            if (
                earlier is not None
                and earlier.fingerprint == reader.document_fingerprint(loaded)
                and not (settings.retry_failed and earlier.status == "failed")
            ):
                if not (run_dir / text_file_name(loaded.doc_id)).is_file():
                    _keep_text(run_dir, loaded.doc_id, loaded.text)
                reused += 1
                report(earlier)
                continue
            stop.check()
            yield loaded

    def keep(part: DocumentPart, text: str | None) -> DocumentPart:
        """The document's text, then its part: durable before anyone hears the document is done."""
        if text is not None:
            part.text_sha256, part.text_lines = _keep_text(run_dir, part.doc_id, text)
        store.write(part)
        written.add(part.doc_id)
        return part

    def keep_and_report(part: DocumentPart, text: str | None) -> None:
        report(keep(part, text))

    stopped: BackendUnavailable | None = None
    # Only a folder that holds a run has its outputs removed: a folder the user made is never cleared.
    earlier_run = (run_dir / MANIFEST).is_file() or (run_dir / PARTS_DIR).is_dir()
    try:
        store.start(resume=resuming, manifest_name=MANIFEST)
        if earlier_run:
            # An earlier run's outputs go before this run writes anything: none of them (a page, an
            # export, the text of a document no longer read) may pass for this run's. A resumed run
            # keeps the parts and texts it continues from.
            remove_run_outputs(run_dir, keep=(PARTS_DIR, TEXTS_FOLDER) if resuming else (PARTS_DIR,))
        if settings.engine == "ray":
            from pipeline.engines.ray_data import read_on_ray

            read_on_ray(pending(), settings, backend, on_part=keep_and_report)
        else:

            def read_and_keep(document: Document, waiting: Waiting) -> DocumentPart:
                return keep(reader.read(document, waiting), document.text)

            read_documents(pending(), read_and_keep, concurrency=reader.concurrency, on_part=report)
    except BackendUnavailable as exc:  # every further document would fail the same way
        stopped = exc
    except (Interrupted, KeyboardInterrupt):
        finished = sum(1 for e in order if isinstance(e, DocumentPart) or e in done or e in written)
        number = stop.signal_number or signal.SIGINT
        raise RunInterrupted(number, finished, listing.documents, str(run_dir / PARTS_DIR)) from None
    finally:
        reader.close()
    if stopped:
        # Every input is named in the stopped run's manifest: those never started are loaded now, so
        # that a file that cannot be read is rejected by name, and the others are listed as not done.
        for loaded in documents:
            if isinstance(loaded, LoadError):
                order.append(_load_error_part(loaded))
            else:
                order.append(_not_done_entry(loaded.doc_id, str(loaded.path)))
    entries = [
        e if isinstance(e, DocumentPart | dict) or e in done else _not_done_entry(e, paths.get(e, ""))
        for e in order
    ]
    not_done = sum(1 for e in entries if isinstance(e, dict))
    extra: dict[str, Any] = {"skipped": [s.row() for s in listing.skipped]}
    if stopped:
        extra["stopped"] = {"reason": str(stopped), "documents_not_done": not_done}
    manifest, results = _assemble(run_dir, store, entries, reader, settings, started_at, started, reused, extra)
    if stopped:
        raise BackendUnavailable(
            f"{stopped} ({not_done} document(s) not done; what was done is written to {run_dir}; "
            "--resume continues it)"
        ) from stopped
    # Parts of documents no longer in the input go; after a stop, those not reached yet may still fit.
    store.keep_only({entry for entry in order if isinstance(entry, str)})
    return RunResult(run_dir, manifest, results)


def _not_done_entry(doc_id: str, path: str) -> dict[str, Any]:
    """The manifest entry of a document a stopped run did not read (a resume reads it)."""
    return {"doc_id": doc_id, "path": path, "status": "not done"}


def _keep_text(run_dir: Path, doc_id: str, text: str) -> tuple[str, int]:
    """RUN/texts/<doc_id>.txt, the text every offset refers to; its sha256 and line count for the manifest."""
    write_text_atomic(run_dir / text_file_name(doc_id), text)
    return sha256_text(text), text.count("\n")


def check_engine_settings(
    settings: RunSettings, backend: Backend | None = None, listing: InputListing | None = None
) -> None:
    """Settings errors about how documents are scheduled, before any work starts."""
    if settings.engine not in ENGINES:
        raise ValueError(f"unknown engine {settings.engine!r}; choose one of: {', '.join(ENGINES)}")
    if settings.concurrency < 1:
        raise ValueError(f"--concurrency must be 1 or more, not {settings.concurrency}")
    if settings.rate is not None and settings.rate <= 0:
        raise ValueError(f"--rate must be above 0 requests per second, not {settings.rate}")
    if settings.engine == "ray" and backend is None and settings.backend in IN_PROCESS_BACKENDS:
        raise ValueError(
            "--engine ray sends documents to a served model (--backend openai) or replays (--backend replay); "
            "the embedded model runs with the local engine"
        )
    if settings.engine == "ray" and importlib.util.find_spec("ray") is None:
        raise ValueError("--engine ray needs Ray: pip install 'extract[ray]'")
    if settings.engine == "ray" and listing is not None and listing.stdin:
        raise ValueError("--engine ray reads documents on its workers, which cannot read this process's stdin")
    if settings.ray_address and settings.engine != "ray":
        raise ValueError("--ray-address needs --engine ray")


class DocumentReader:
    """What reading one document needs, built once per process (each Ray worker builds its own)."""

    def __init__(self, settings: RunSettings, backend: Backend | None = None, *, rate_share: int = 1) -> None:
        self.settings = settings
        self.prompts = load_prompts(settings.prompts_dir)  # checks every few-shot example before any model call
        self.language = choose_pipeline(settings.spacy_pipeline)  # a missing pipeline fails here, not per document
        options = dict(settings.backend_options)
        if settings.backend == "openai" and backend is None:
            # One throttle for every document in flight in this process: a 429 pauses them all.
            options["throttle"] = Throttle(settings.rate / rate_share if settings.rate else None)
        self.backend = backend or create_backend(
            settings.backend, model=settings.model, base_url=settings.base_url, **options
        )
        self.strategy = choose_strategy(settings.strategy, self.backend)
        self.concurrency = 1 if self.backend.name in IN_PROCESS_BACKENDS else settings.concurrency
        self.cache = ResponseCache(settings.cache_path or default_cache_path()) if settings.use_cache else None
        self.stop: StopRequest | None = None  # set by a run that stops on signals
        # Everything besides the document that changes what a document yields (see pipeline.progress).
        self.fingerprint = fingerprint(
            VERSION, SCHEMA_VERSION, settings.backend, settings.model, settings.base_url,
            {k: getattr(self.backend, k, None) for k in OUTPUT_OPTIONS}, self.backend.model_id,
            self.strategy, settings.record_types, self.prompt_versions(), self.language,
        )

    def prompt_versions(self) -> dict[str, dict[str, Any]]:
        if self.strategy != "slots":
            return {}
        return {
            t: {"version": p.version, "sha256": p.sha256, "file": p.path.name}
            for t, p in self.prompts.items()
            if t in self.settings.record_types
        }

    def document_fingerprint(self, document: Document) -> str:
        return fingerprint(
            self.fingerprint, document.doc_id, document.sha256, document.doc_date, document.doc_date_source,
            document.metadata,
        )

    def read(self, document: Document, waiting: Waiting = nullcontext) -> DocumentPart:
        """One document, start to finish; every failure is the document's reject, never the run's, except
        BackendUnavailable: the server is down, and every further document would fail the same way."""
        model = RecordingBackend(
            self.backend, self.cache, waiting=waiting, max_calls=self.settings.max_model_calls, stop=self.stop
        )
        output = RunOutput()
        try:
            result = _extract_document(document, model, self.strategy, self.prompts, self.settings.record_types, output)
        except BackendUnavailable:
            raise
        except Exception as exc:  # a bug must not lose the other documents' results
            reason = one_line(f"internal error: {type(exc).__name__}: {exc}")
            output.records.clear()
            log_error(output, f"{document.path}: {traceback.format_exc()}")
            output.rejects.append(Reject("document", document.doc_id, str(document.path), reason, stage="internal"))
            result = DocumentResult(document.doc_id, str(document.path), 0, 0.0, reason)
        return DocumentPart(
            doc_id=document.doc_id,
            path=str(document.path),
            fingerprint=self.document_fingerprint(document),
            status="failed" if result.error else "ok",
            input={**_input_entry(document, result), "text": text_file_name(document.doc_id)},
            records=record_rows(output.records),
            rejects=[r.row() for r in output.rejects],
            responses=model.recorded,
            calls={
                "calls": model.stats.calls,
                "cache_hits": model.stats.cache_hits,
                "prompt_tokens": model.stats.usage.prompt_tokens,
                "completion_tokens": model.stats.usage.completion_tokens,
            },
            error=result.error,
            seconds=result.seconds,
            errors=output.other_files.get(ERRORS, ""),
        )

    def close(self) -> None:
        if self.cache:
            self.cache.close()


def _load_error_part(error: LoadError) -> DocumentPart:
    """An unreadable file: checked again by every run (it costs a read), so never kept on disk."""
    return DocumentPart(
        doc_id=error.path.stem,
        path=str(error.path),
        fingerprint="",
        status="failed",
        input={"path": str(error.path), "status": "rejected", "reason": error.reason},
        rejects=[Reject("document", None, str(error.path), error.reason, stage="load").row()],
        error=error.reason,
    )


def _result(part: DocumentPart) -> DocumentResult:
    return DocumentResult(part.doc_id, part.path, len(part.records), part.seconds, part.error)


def _assemble(
    run_dir: Path,
    store: PartStore,
    order: list[str | DocumentPart | dict[str, Any]],
    reader: DocumentReader,
    settings: RunSettings,
    started_at: dt.datetime,
    started: float,
    reused: int,
    extra: dict[str, Any],
) -> tuple[dict[str, Any], list[DocumentResult]]:
    """The run's files from its parts, streamed one document at a time; the manifest last."""
    counts: Counter[str] = Counter()
    rejects: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    inputs: list[dict[str, Any]] = []
    results: list[DocumentResult] = []
    errors: list[str] = []
    texts: dict[str, dict[str, Any]] = {}
    with RunWriter(run_dir) as writer:
        for entry in order:
            if isinstance(entry, dict):  # not done (a stopped run): listed, nothing to write
                inputs.append(entry)
                continue
            part = entry if isinstance(entry, DocumentPart) else store.read(entry)
            if part is None:
                raise RuntimeError(f"{store.path_for(str(entry))}: this run's part of document {entry!r} is gone")
            writer.add(part.records, part.rejects, part.responses)
            counts.update(r["record_type"] for r in part.records)
            rejects.update(r["kind"] for r in part.rejects)
            dropped.update(r["reason"] for r in part.rejects if r["kind"] == "value")
            calls.update(part.calls)
            inputs.append(part.input)
            results.append(_result(part))
            if part.errors:
                errors.append(part.errors)
            if isinstance(entry, str) and part.text_sha256:
                texts[text_file_name(part.doc_id)] = {"sha256": part.text_sha256, "lines": part.text_lines}
        # Texts of documents this run does not list (a document no longer read, or one a stopped run did
        # not reach) and temporary files of a killed write are not this run's.
        for kept in (run_dir / TEXTS_FOLDER).glob("*") if (run_dir / TEXTS_FOLDER).is_dir() else []:
            if f"{TEXTS_FOLDER}/{kept.name}" not in texts:
                kept.unlink(missing_ok=True)
        log = RunOutput(other_files={ERRORS: "".join(errors)} if errors else {})
        for line in getattr(reader.backend, "log", []):
            log_error(log, line)
        backend_report = reader.backend.report() if hasattr(reader.backend, "report") else {}
        manifest = {
            "extract_version": VERSION,
            "schema_version": SCHEMA_VERSION,
            "started_at": started_at.isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 3),
            "backend": {"name": reader.backend.name, "model": reader.backend.model_id, "base_url": settings.base_url,
                        **backend_report},
            "strategy": reader.strategy,
            "record_types": settings.record_types,
            "prompts": reader.prompt_versions(),
            "doc_date": settings.doc_date,
            "inputs": inputs,
            "counts": {t: counts.get(t, 0) for t in settings.record_types},
            "rejects": {"documents": rejects.get("document", 0), "records": rejects.get("record", 0),
                        "values": rejects.get("value", 0)},
            "dropped_values_by_reason": dict(dropped),
            "model_calls": {
                key: calls.get(key, 0) for key in ("calls", "cache_hits", "prompt_tokens", "completion_tokens")
            },
            "engine": {"name": settings.engine, "concurrency": reader.concurrency, "rate": settings.rate,
                       "documents_reused": reused},
            "python": platform.python_version(),
            "language": reader.language,
            **extra,
        }
        writer.commit(manifest, log.other_files, written=texts)
    return manifest, results


def _extract_document(
    document: Document,
    model: RecordingBackend,
    strategy: str,
    prompts: dict[str, SlotPrompt],
    record_types: list[str],
    output: RunOutput,
) -> DocumentResult:
    started = time.perf_counter()
    path = str(document.path)
    try:
        asked = list(
            extract_by_slots(document, model, prompts, record_types)
            if strategy == "slots"
            else extract_structured(document, model, record_types)
        )
    except BackendUnavailable:
        raise  # not this document's fault: the run stops
    except CallLimitReached as exc:
        reason = str(exc)
        output.rejects.append(Reject("document", document.doc_id, path, reason, stage="limit"))
        return DocumentResult(document.doc_id, path, 0, time.perf_counter() - started, reason)
    except BackendError as exc:
        reason = one_line(str(exc), 240)
        output.rejects.append(Reject("document", document.doc_id, path, reason, stage="model"))
        log_error(output, f"{path}: {exc.detail}")
        return DocumentResult(document.doc_id, path, 0, time.perf_counter() - started, reason)
    candidates: list[Candidate] = [c for c in asked if isinstance(c, Candidate)]
    for skipped in (s for s in asked if isinstance(s, Skipped)):
        output.rejects.append(
            Reject("record", document.doc_id, path, skipped.reject_reason, skipped.record_type,
                   value={"start": skipped.span.start, "end": skipped.span.end}, stage=skipped.stage)
        )
        if skipped.detail:
            log_error(output, f"{path}: {skipped.record_type}: {skipped.detail}")

    grounder = Grounder(document.text, [e.text for p in prompts.values() for e in p.examples])
    actors = ActorRules(document.text)
    records: list[Record] = []
    new_events: set[str] = set()
    continuations: set[str] = set()
    for candidate in candidates:
        grounded = grounder.ground(candidate)
        for dropped in grounded.dropped:
            output.rejects.append(
                Reject("value", document.doc_id, path, dropped.reason, candidate.record_type, dropped.field,
                       dropped.value, stage="grounding")
            )
        if not grounded.evidence:
            output.rejects.append(
                Reject("record", document.doc_id, path, "no evidence found in the source text",
                       candidate.record_type, value=candidate.evidence, stage="grounding")
            )
            continue
        try:
            fields = decide(entry(candidate.record_type), grounded)
            record = assemble_record(candidate.record_type, fields, grounded.evidence, document, actors)
        except AssemblyError as exc:
            output.rejects.append(
                Reject("record", document.doc_id, path, f"invalid record: {exc}", candidate.record_type,
                       value=fields, stage="assembly")
            )
            continue
        records.append(record)
        if candidate.starts_event:
            new_events.add(record.id)
        if candidate.continues_event:
            continuations.add(record.id)
    merged = []
    for record in merge_records(records, new_events, continuations, document.text):
        problem = missing_core(record)
        if problem:
            output.rejects.append(
                Reject("record", document.doc_id, path, f"incomplete record: {problem}", record.record_type,
                       value=record.model_dump(mode="json", exclude={"id", "doc_id"}), stage="merge")
            )
        else:
            merged.append(with_value_spans(record, document.text))
    output.records.extend(merged)
    return DocumentResult(document.doc_id, path, len(merged), time.perf_counter() - started)


def log_error(output: RunOutput, text: str) -> None:
    """errors.log in the run folder: the full text a one-line reject reason leaves out."""
    output.other_files[ERRORS] = output.other_files.get(ERRORS, "") + text.rstrip("\n") + "\n\n"


def _input_entry(document: Document, result: DocumentResult) -> dict[str, Any]:
    return {
        "doc_id": document.doc_id,
        "path": str(document.path),
        "source": document.source,
        "encoding": document.encoding,
        "sha256": document.sha256,
        "characters": len(document.text),
        "metadata": document.metadata,
        "header_dropped": [p.row() for p in document.header],
        "doc_date": document.doc_date,
        "doc_date_source": document.doc_date_source,
        "status": "failed" if result.error else "ok",
        "records": result.records,
        "seconds": round(result.seconds, 3),
        **({"reason": result.error} if result.error else {}),
    }
