"""`extract run`, top to bottom: load -> ask the model -> ground -> assemble -> merge -> write.

This file is the pipeline's straight line; each stage lives in the module named after it.
"""

from __future__ import annotations

import datetime as dt
import platform
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.actors import ActorRules
from pipeline.assemble import AssemblyError, assemble_record
from pipeline.backends import Backend, BackendError, create_backend
from pipeline.backends.base import BackendUnavailable, one_line
from pipeline.decide import decide
from pipeline.documents import (
    DEFAULT_MAX_CHARACTERS,
    Document,
    InputListing,
    LoadError,
    list_inputs,
    load_documents,
    text_file_name,
)
from pipeline.grounding import Grounder, with_value_spans
from pipeline.language.parse import choose_pipeline
from pipeline.merge import merge_records, missing_core
from pipeline.output import ERRORS, Reject, RunOutput, locked_run_dir, write_run
from pipeline.prompts import PROMPTS_DIR, SlotPrompt, load_prompts
from pipeline.record_types import entry
from pipeline.responses import RecordingBackend, ResponseCache, default_cache_path
from pipeline.strategies import Candidate, Skipped
from pipeline.strategies.slots import extract_by_slots
from pipeline.strategies.structured import extract_structured
from schemas import RECORD_TYPES, SCHEMA_VERSION, Record

STRATEGIES = ("auto", "slots", "structured")
VERSION = "0.1.0"


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

    The run holds `run_dir`'s lock from start to end: a second run on it raises RunFolderBusy."""
    with locked_run_dir(run_dir):
        return _extract_all(inputs, run_dir, settings, on_document, backend)


def _extract_all(
    inputs: InputListing | Path | str | list[str | Path],
    run_dir: Path,
    settings: RunSettings,
    on_document: Callable[[DocumentResult], None] | None,
    backend: Backend | None,
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
    prompts = load_prompts(settings.prompts_dir)  # checks every few-shot example before any model call
    language = choose_pipeline(settings.spacy_pipeline)  # a missing pipeline fails here, not per document
    inner = backend or create_backend(
        settings.backend, model=settings.model, base_url=settings.base_url, **settings.backend_options
    )
    strategy = choose_strategy(settings.strategy, inner)
    cache = ResponseCache(settings.cache_path or default_cache_path()) if settings.use_cache else None
    model = RecordingBackend(inner, cache)
    output = RunOutput()
    results: list[DocumentResult] = []
    entries: list[dict[str, Any]] = []
    stopped: BackendUnavailable | None = None
    documents = load_documents(listing, doc_date=settings.doc_date, max_characters=settings.max_characters)
    try:
        for loaded in documents:
            if isinstance(loaded, LoadError):
                output.rejects.append(Reject("document", None, str(loaded.path), loaded.reason, stage="load"))
                result = DocumentResult(loaded.path.stem, str(loaded.path), 0, 0.0, loaded.reason)
                entries.append({"path": str(loaded.path), "status": "rejected", "reason": loaded.reason})
            else:
                text_file = text_file_name(loaded.doc_id)
                output.other_files[text_file] = loaded.text  # written with the run, listed in the manifest
                try:
                    result = _extract_document(loaded, model, strategy, prompts, settings.record_types, output)
                except BackendUnavailable as exc:  # every further document would fail the same way
                    output.other_files.pop(text_file)
                    stopped = exc
                    break
                except Exception as exc:  # a bug must not lose the other documents' results
                    reason = one_line(f"internal error: {type(exc).__name__}: {exc}")
                    log_error(output, f"{loaded.path}: {traceback.format_exc()}")
                    output.rejects.append(Reject("document", loaded.doc_id, str(loaded.path), reason, stage="internal"))
                    result = DocumentResult(loaded.doc_id, str(loaded.path), 0, 0.0, reason)
                entries.append({**_input_entry(loaded, result), "text": text_file})
            results.append(result)
            if on_document:
                on_document(result)
    finally:
        if cache:
            cache.close()
    for line in getattr(inner, "log", []):
        log_error(output, line)
    output.responses = model.recorded
    manifest = _manifest(
        settings, model, strategy, prompts, output, entries, started_at, time.perf_counter() - started
    )
    manifest["language"] = language
    manifest["skipped"] = [s.row() for s in listing.skipped]
    not_done = listing.documents - len(results)
    if stopped:
        manifest["stopped"] = {"reason": str(stopped), "documents_not_done": not_done}
    write_run(run_dir, output, manifest)
    if stopped:
        raise BackendUnavailable(
            f"{stopped} ({not_done} document(s) not done; what was done is written to {run_dir})"
        ) from stopped
    return RunResult(run_dir, manifest, results)


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
    except BackendError as exc:
        reason = one_line(str(exc), 240)
        output.rejects.append(Reject("document", document.doc_id, path, reason, stage="model"))
        log_error(output, f"{path}: {exc.detail}")
        return DocumentResult(document.doc_id, path, 0, time.perf_counter() - started, reason)
    candidates: list[Candidate] = [c for c in asked if isinstance(c, Candidate)]
    for skipped in (s for s in asked if isinstance(s, Skipped)):
        output.rejects.append(
            Reject("record", document.doc_id, path, skipped.reject_reason, skipped.record_type,
                   value={"start": skipped.span.start, "end": skipped.span.end}, stage="model")
        )
        if skipped.detail:
            log_error(output, f"{path}: {skipped.record_type}: {skipped.detail}")

    grounder = Grounder(document.text, [e.text for p in prompts.values() for e in p.examples])
    actors = ActorRules(document.text)
    records: list[Record] = []
    new_events: set[str] = set()
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
    merged = []
    for record in merge_records(records, new_events):
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


def _manifest(
    settings: RunSettings,
    model: RecordingBackend,
    strategy: str,
    prompts: dict[str, SlotPrompt],
    output: RunOutput,
    inputs: list[dict[str, Any]],
    started_at: dt.datetime,
    seconds: float,
) -> dict[str, Any]:
    counts = Counter(r.record_type for r in output.records)
    rejects = Counter(r.kind for r in output.rejects)
    dropped = Counter(r.reason for r in output.rejects if r.kind == "value")
    return {
        "extract_version": VERSION,
        "schema_version": SCHEMA_VERSION,
        "started_at": started_at.isoformat(timespec="seconds"),
        "seconds": round(seconds, 3),
        "backend": {"name": model.name, "model": model.model_id, "base_url": settings.base_url,
                    **(model.inner.report() if hasattr(model.inner, "report") else {})},
        "strategy": strategy,
        "record_types": settings.record_types,
        "prompts": {
            t: {"version": p.version, "sha256": p.sha256, "file": p.path.name}
            for t, p in prompts.items()
            if t in settings.record_types
        } if strategy == "slots" else {},
        "doc_date": settings.doc_date,
        "inputs": inputs,
        "counts": {t: counts.get(t, 0) for t in settings.record_types},
        "rejects": {"documents": rejects.get("document", 0), "records": rejects.get("record", 0),
                    "values": rejects.get("value", 0)},
        "dropped_values_by_reason": dict(dropped),
        "model_calls": {
            "calls": model.stats.calls,
            "cache_hits": model.stats.cache_hits,
            "prompt_tokens": model.stats.usage.prompt_tokens,
            "completion_tokens": model.stats.usage.completion_tokens,
        },
        "python": platform.python_version(),
    }
