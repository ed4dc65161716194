"""`extract view`: one self-contained HTML page to review a run (records in their source text).

The page is rendered by Jinja2 from `templates/` with autoescaping on: every piece of document text,
every value and every reason is escaped, so an article containing `<script>` shows as text. The
highlights are built from offsets here (`spans.segments`), never by inserting markup into text.
The CSS and JavaScript are inlined, so the file opens from disk with no network.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from pipeline.jsonl import write_text_atomic
from pipeline.output import REVIEW_PAGE
from pipeline.review.gold import FieldNote, GoldMarks, gold_marks
from pipeline.review.run_folder import RunFolder, document_text, read_run_folder
from pipeline.review.spans import Segment, Span, record_spans, segments
from schemas import COMPUTED_KEYS, RECORD_TYPES, Record

PAGE_FILE = REVIEW_PAGE
HIDDEN_FIELDS = frozenset({"id", "doc_id", "record_type", "evidence", "spans"})
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SCREENSHOT_SECONDS = 120


class ReviewError(Exception):
    """The page cannot be made; the message names the file and the problem."""


@dataclass
class Part:
    """One value of a field: the words the document writes, the normalized value, its spans."""

    path: str
    words: str | None
    normalized: str | None
    span_ids: str = ""


@dataclass
class FieldView:
    name: str
    parts: list[Part]
    notes: list[FieldNote] = field(default_factory=list)
    mark: str | None = None  # matched, wrong, missed or spurious (with --gold)


@dataclass
class Card:
    page_id: str
    record_id: str
    record_type: str
    fields: list[FieldView]
    evidence: list[Part]
    span_ids: str
    problems: list[str]
    mark: str | None  # matched, spurious, missed or unscored (with --gold); None without gold


@dataclass
class PageDocument:
    page_id: str
    doc_id: str
    path: str
    status: str
    reason: str | None
    doc_date: str | None
    metadata: dict[str, Any]
    text_problem: str | None
    segments: list[Segment]
    cards: list[Card]
    missed: list[Card]
    dropped_values: list[dict[str, Any]]
    rejected_records: list[dict[str, Any]]
    document_rejects: list[dict[str, Any]]
    counts: dict[str, int]
    span_count: int
    scored: bool | None


def write_review(
    run_dir: Path, out: Path | None = None, gold_dir: Path | None = None
) -> tuple[Path, dict[str, int]]:
    """Write the review page of a run folder; returns its path and counts (documents, records, spans).

    Raises ReviewError (RunReadError and EvaluationError are turned into it) when the run or gold
    folder cannot be read at all; a document whose text is missing is still listed, with its
    records and the reason its text cannot be shown.
    """
    from pipeline.evaluate import EvaluationError
    from pipeline.output import RunReadError

    try:
        folder = read_run_folder(run_dir)
        marks = gold_marks(folder, gold_dir) if gold_dir is not None else None
    except RunReadError as exc:
        raise ReviewError(f"cannot review {run_dir}:\n" + "\n".join(f"  {p}" for p in exc.problems)) from exc
    except EvaluationError as exc:
        raise ReviewError(str(exc).replace("cannot evaluate", "cannot mark against gold", 1)) from exc
    documents = build_documents(folder, marks)
    html = render_page(folder, documents, marks)
    target = out or Path(run_dir) / PAGE_FILE
    try:
        write_text_atomic(target, html)
    except OSError as exc:
        raise ReviewError(f"{target}: cannot be written: {exc.strerror or exc}") from exc
    counts = {
        "documents": len(documents),
        "records": sum(len(doc.cards) for doc in documents),
        "spans": sum(doc.span_count for doc in documents),
    }
    return target, counts


def build_documents(folder: RunFolder, marks: GoldMarks | None) -> list[PageDocument]:
    """One entry per input of the manifest (then per document that only the records name), in order."""
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for row in folder.all_records():
        by_doc.setdefault(str(row["doc_id"]), []).append(row)
    entries = list(folder.inputs)
    named = {entry.get("doc_id") for entry in entries}
    entries += [{"doc_id": doc_id} for doc_id in by_doc if doc_id not in named]
    if marks is not None:  # a gold document the run never read still shows its missed records
        entries += [{"doc_id": doc_id} for doc_id in marks.missed if doc_id not in named and doc_id not in by_doc]
    rejects_by_doc: dict[str, list[dict[str, Any]]] = {}
    for reject in folder.rejects:
        key = reject.get("doc_id") or reject.get("path") or ""
        rejects_by_doc.setdefault(str(key), []).append(reject)

    documents: list[PageDocument] = []
    next_span = next_record = 0
    for number, entry in enumerate(entries):
        doc_id = str(entry.get("doc_id") or Path(str(entry.get("path", "?"))).stem)
        rows = by_doc.get(doc_id, []) if entry.get("doc_id") else []
        text, text_problem = (None, None)
        if entry.get("status", "ok") not in ("rejected", "not done"):  # not read: no text of its own
            text, text_problem = document_text(folder.path, entry)
        all_spans: list[Span] = []
        cards: list[Card] = []
        for row in rows:
            page_id = f"r{next_record}"
            next_record += 1
            spans, problems = record_spans(row, page_id, None if text is None else len(text), next_span)
            next_span += len(spans)
            all_spans += spans
            cards.append(_card(row, page_id, spans, problems, text, marks))
        missed = [
            _card(record.model_dump(mode="json"), f"g{number}-{i}", [], [], None, marks, missed=True)
            for i, record in enumerate(_missed(marks, doc_id))
        ]
        rejects = rejects_by_doc.get(doc_id, []) if entry.get("doc_id") else []
        rejects += rejects_by_doc.get(str(entry.get("path")), []) if not entry.get("doc_id") else []
        documents.append(
            PageDocument(
                page_id=f"d{number}",
                doc_id=doc_id,
                path=str(entry.get("path") or ""),
                status=str(entry.get("status") or ("ok" if text is not None else "unknown")),
                reason=entry.get("reason"),
                doc_date=entry.get("doc_date"),
                metadata=_metadata(entry),
                text_problem=text_problem,
                segments=segments(text, all_spans) if text is not None else [],
                cards=cards,
                missed=missed,
                dropped_values=[_reject_row(r) for r in rejects if r.get("kind") == "value"],
                rejected_records=[_reject_row(r) for r in rejects if r.get("kind") == "record"],
                document_rejects=[_reject_row(r) for r in rejects if r.get("kind") == "document"],
                counts=dict(Counter(str(row["record_type"]) for row in rows)),
                span_count=len(all_spans),
                scored=None if marks is None else doc_id in marks.scored_documents,
            )
        )
    return documents


def _metadata(entry: dict[str, Any]) -> dict[str, Any]:
    metadata = entry.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def _missed(marks: GoldMarks | None, doc_id: str) -> list[Record]:
    return [] if marks is None else list(marks.missed.get(doc_id, []))


def _card(
    row: dict[str, Any],
    page_id: str,
    spans: list[Span],
    problems: list[str],
    text: str | None,
    marks: GoldMarks | None,
    missed: bool = False,
) -> Card:
    record_type = str(row["record_type"])
    notes = marks.notes_by_field(str(row["id"]), missed=missed) if marks is not None else {}
    if marks is None:
        mark = None
    elif missed:
        mark = "missed"
    else:
        mark = marks.record_mark(row)
    fields = []
    for name in RECORD_TYPES[record_type].model_fields:
        if name in HIDDEN_FIELDS:
            continue
        parts = _parts(name, row.get(name), spans, text)
        view = FieldView(name, parts, notes.get(name, []))
        if mark in ("matched", "spurious", "missed"):
            view.mark = _field_mark(view, mark)
        fields.append(view)
    evidence = [
        Part(span.path, text[span.start : span.end] if text else None, None, span.id)
        for span in spans
        if span.is_evidence
    ]
    if not spans:  # no text to place them in: still show what the record cites
        evidence = [Part(f"evidence[{i}]", e.get("text"), None) for i, e in enumerate(row.get("evidence") or [])]
    return Card(
        page_id=page_id,
        record_id=str(row["id"]),
        record_type=record_type,
        fields=fields,
        evidence=evidence,
        span_ids=" ".join(span.id for span in spans),
        problems=problems,
        mark=mark,
    )


def _field_mark(view: FieldView, record_mark: str) -> str | None:
    """The worst of a field's units: wrong over missed over spurious; matched when it has a value
    and no unit against it; None when both sides are empty."""
    found = {note.mark for note in view.notes}
    for mark in ("wrong", "missed", "spurious"):
        if mark in found:
            return mark
    has_value = any(part.words is not None or part.normalized is not None for part in view.parts)
    if not has_value:
        return None
    return {"matched": "matched", "spurious": "spurious", "missed": "missed"}[record_mark]


def _spans_under(path: str, spans: list[Span]) -> str:
    return " ".join(
        span.id
        for span in spans
        if not span.is_evidence and (span.path == path or span.path.startswith((path + ".", path + "[")))
    )


def _parts(path: str, value: Any, spans: list[Span], text: str | None) -> list[Part]:
    """The parts a field's value is shown as (none when it is empty)."""
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, list):
        return [part for i, element in enumerate(value) for part in _parts(f"{path}[{i}]", element, spans, text)]
    span_ids = _spans_under(path, spans)
    name = path.rsplit(".", 1)[-1].split("[", 1)[0]
    if isinstance(value, dict):
        words, normalized = _dict_value(value)
        return [Part(path, words, normalized, span_ids)]
    if name in COMPUTED_KEYS or not isinstance(value, str):
        return [Part(path, _words_of(path, spans, text), _show(value), span_ids)]
    return [Part(path, value, None, span_ids)]


def _words_of(path: str, spans: list[Span], text: str | None) -> str | None:
    """The words a computed value was normalized from, when the run's `spans` map points at them."""
    if text is None:
        return None
    found = [text[span.start : span.end] for span in spans if span.path == path]
    return " … ".join(found) or None


def _dict_value(value: dict[str, Any]) -> tuple[str | None, str | None]:
    """(verbatim words, normalized value) of an actor, date, money or item."""
    if "name" in value:  # an actor
        words = str(value["name"]) + (f", {value['role']}" if value.get("role") else "")
        return words, " · ".join(str(value[key]) for key in ("kind", "country") if value.get(key)) or None
    if "precision" in value or ("start" in value and "end" in value):  # a date
        start, end = value.get("start"), value.get("end")
        shown = start if end in (None, start) else f"{start or '?'} – {end}"
        normalized = f"{shown} ({value.get('precision', 'unknown')})" if shown else None
        return value.get("text"), normalized
    if "amount" in value or "currency" in value:  # money
        amount = value.get("amount")
        parts = [] if amount is None else [f"{amount:,.0f}" if float(amount).is_integer() else str(amount)]
        parts += [value["currency"]] if value.get("currency") else []
        normalized = " ".join(parts) + (" (approximate)" if value.get("approximate") else "")
        return value.get("text"), normalized.strip() or None
    if "description" in value:  # an item
        quantity = value.get("quantity")
        return value.get("description"), None if quantity is None else f"quantity {quantity}"
    return None, json.dumps(value, ensure_ascii=False)


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _reject_row(reject: dict[str, Any]) -> dict[str, Any]:
    value = reject.get("value")
    shown = value if isinstance(value, str) or value is None else json.dumps(value, ensure_ascii=False)
    if shown is not None and len(shown) > 400:
        shown = shown[:399] + "…"
    return {**reject, "shown": shown}


@functools.cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("pipeline.review", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["shown"] = _shown_value
    return environment


def _shown_value(value: Any) -> str:
    """A gold or run value in a note: strings quoted, nothing as a dash (escaped by the template)."""
    return "—" if value is None else json.dumps(value, ensure_ascii=False)


def _asset(name: str) -> Markup:
    """A CSS or JavaScript file of ours, inlined verbatim (it is not document text)."""
    source = (Path(__file__).parent / "templates" / name).read_text(encoding="utf-8")
    return Markup(source)


def render_page(folder: RunFolder, documents: list[PageDocument], marks: GoldMarks | None) -> str:
    manifest = folder.manifest
    backend = manifest.get("backend") if isinstance(manifest.get("backend"), dict) else {}
    template = _environment().get_template("review.html.j2")
    return template.render(
        run=str(folder.path),
        run_id=str(manifest.get("run_id") or ""),
        backend=backend,
        started_at=manifest.get("started_at"),
        documents=documents,
        record_types=list(RECORD_TYPES),
        type_counts={t: sum(doc.counts.get(t, 0) for doc in documents) for t in RECORD_TYPES},
        marks=marks,
        missed_total=sum(len(doc.missed) for doc in documents),
        span_total=sum(doc.span_count for doc in documents),
        css=_asset("review.css"),
        script=_asset("review.js"),
    )


def find_browser() -> str | None:
    """A Chromium or Chrome executable on PATH (EXTRACT_BROWSER names one explicitly)."""
    named = os.environ.get("EXTRACT_BROWSER")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def browser_problem(png: Path) -> str | None:
    """Why no screenshot can be taken (no browser), checked before the page is written."""
    if find_browser() is not None:
        return None
    named = os.environ.get("EXTRACT_BROWSER")
    if named:
        return f"{png}: EXTRACT_BROWSER={named} is not an executable on PATH or a file; name a Chromium or Chrome"
    return (
        f"{png}: no Chromium to take the screenshot with (looked for {', '.join(BROWSERS)} on PATH; "
        "install Debian's chromium package or set EXTRACT_BROWSER)"
    )


def screenshot(page: Path, png: Path, width: int = 1400, height: int = 900) -> Path:
    """Save a PNG of the page as headless Chromium draws it; raises ReviewError when it cannot."""
    browser = find_browser()
    if browser is None:
        raise ReviewError(browser_problem(png) or f"{png}: no browser")
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    command = [browser, "--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
               f"--window-size={width},{height}", f"--screenshot={png.resolve()}", page.resolve().as_uri()]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to start as root with its sandbox on
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=SCREENSHOT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReviewError(f"{png}: {browser} could not take the screenshot: {exc}") from exc
    if finished.returncode != 0 or not png.is_file():
        detail = (finished.stderr.strip().splitlines() or ["no output"])[-1]
        raise ReviewError(f"{png}: {browser} could not take the screenshot (exit {finished.returncode}): {detail}")
    return png
