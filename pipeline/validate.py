"""`extract validate`: check a run folder (or record files) against the schemas and the documents.

For a run folder (`RUN`, written by `extract run`):
- the manifest is there (a folder without one is an incomplete run) and names the run's id;
- every file the manifest lists is there with the sha256 it lists, and every record file is
  listed: a folder that mixes two runs' files, or a file edited after the run, is found here;
- every record file holds records of its type, each valid under strict types (an offset written as
  a string is an error), with the id its content earns and no id twice;
- every evidence span and every value span slices its document to the words it claims. The
  documents are the run's inputs as the manifest lists them (`--docs DIR` to look in DIR instead);
  a document whose sha256 is not the manifest's has changed since the run and is named as such.

A record file given alone (a gold file) gets the same record checks except the id's (a gold file's
ids are its annotator's), its spans checked when `--docs` is given. A side file (rejects,
responses, manifest) is named as what it is, and checked against its run's manifest when it has
one, instead of being read as records.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.documents import (
    TEXTS_FOLDER,
    Document,
    document_ids,
    find_articles,
    load_document,
    saved_text_problem,
)
from pipeline.grounding import NORMALIZED_FROM_TEXT
from pipeline.jsonl import LineError, read_numbered_records
from pipeline.normalize import count_words
from pipeline.output import (
    EXPORT_DIR,
    EXPORT_MANIFEST,
    MANIFEST,
    PARTS_DIR,
    RECORDS_DIR,
    REVIEW_PAGE,
    SIDE_FILES,
    TEXTS_DIR,
    page_run_id,
    sha256_file,
)
from pipeline.progress import PartStore
from pipeline.text import squash
from schemas import COMPUTED_KEYS, RECORD_TYPES, Record

# The schema version from which every record carries spans for all its values.
SPANS_SINCE = (1, 2)
_SHOWN = 60  # characters of a text quoted in a message


@dataclass
class ValidationReport:
    valid: int = 0  # records that passed every check
    files: int = 0
    errors: list[LineError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a side file is; not problems


@dataclass
class _RunContext:
    """What a record file is checked against: its run's manifest and documents, when known."""

    run_dir: Path | None = None
    manifest: dict[str, Any] | None = None
    docs_dir: Path | None = None
    spans_required: bool = False
    documents: dict[str, Document | str] = field(default_factory=dict)  # doc_id -> text, or why it is missing
    seen_ids: dict[str, str] = field(default_factory=dict)  # id -> "file:line" where it was first seen

    @property
    def run_id(self) -> str:
        return str((self.manifest or {}).get("run_id", "?"))


def validate_files(paths: list[Path], docs: Path | None = None) -> ValidationReport:
    """Validate run folders, record files and side files; `docs` is a folder holding the documents."""
    report = ValidationReport()
    standalone = _RunContext(docs_dir=docs)
    for path in paths:
        if path.is_dir() and _is_records_folder(path):
            report.notes.append(f"{path}: the records folder of the run {path.parent}; validating that run")
            _validate_run(path.parent, docs, report)
        elif path.is_dir():
            _validate_run(path, docs, report)
        elif not path.exists():
            report.errors.append(LineError(path, 0, "no such file or folder"))
        elif path.name in SIDE_FILES:
            _name_side_file(path, report)
        elif path.parent.name == TEXTS_FOLDER and (path.parent.parent / MANIFEST).is_file():
            _name_saved_text(path, report)
        else:
            run_dir = path.parent.parent if path.parent.name == RECORDS_DIR else None
            if run_dir is not None and (run_dir / MANIFEST).is_file():
                context = _run_context(run_dir, docs, report)
                if context is not None:
                    _check_listed(run_dir, context, path, report)
                    _validate_record_file(path, context, report)
                    continue
            _validate_record_file(path, standalone, report)
    return report


# --- A run folder ------------------------------------------------------------------------------------


def _validate_run(run_dir: Path, docs: Path | None, report: ValidationReport) -> None:
    record_files = sorted((run_dir / RECORDS_DIR).glob("*.jsonl")) if (run_dir / RECORDS_DIR).is_dir() else []
    old_layout = [run_dir / f"{t}.jsonl" for t in RECORD_TYPES if (run_dir / f"{t}.jsonl").is_file()]
    if old_layout and not record_files:
        report.errors.append(LineError(
            run_dir, 0, f"record files at the top of the folder: an older extract's layout; records are now in "
            f"{RECORDS_DIR}/ (run again to rewrite it)",
        ))
        return
    if not (run_dir / MANIFEST).is_file():
        if not record_files:
            report.errors.append(LineError(run_dir, 0, f"not a run folder (neither {RECORDS_DIR}/ nor {MANIFEST})"))
            return
        report.errors.append(LineError(
            run_dir, 0, f"incomplete run: no {MANIFEST} (the run was interrupted or is still writing)"
        ))
        incomplete = _RunContext(run_dir=run_dir, docs_dir=docs)
        for path in record_files:
            _validate_record_file(path, incomplete, report)
        return
    context = _run_context(run_dir, docs, report)
    if context is None:
        return
    listed = (context.manifest or {}).get("files", {})
    for name in listed:
        if not (run_dir / name).is_file():
            report.errors.append(LineError(run_dir / name, 0, f"missing: run {context.run_id}'s manifest lists it"))
    _check_folder_contents(run_dir, context, report)
    for name in listed:
        path = run_dir / name
        if path.is_file():
            _check_listed(run_dir, context, path, report)
    for path in record_files:
        _validate_record_file(path, context, report)


def _check_folder_contents(run_dir: Path, context: _RunContext, report: ValidationReport) -> None:
    """Everything in the run folder is the run's: a file its manifest lists, its parts, or an output
    of `extract view` / `extract export` made from this run (they name its run id). Anything else is
    another run's leftover (or a stranger's) and is named, so a folder that holds an earlier run's
    texts, page or tables beside this run's files does not pass."""
    listed = (context.manifest or {}).get("files", {})
    inputs = (context.manifest or {}).get("inputs", [])
    store = PartStore(run_dir)
    parts = {store.path_for(str(e["doc_id"])).name for e in inputs if isinstance(e, dict) and e.get("doc_id")}
    not_ours = f"not part of run {context.run_id}: its manifest does not list this file (another run's?)"
    for path in sorted(run_dir.iterdir()):
        name = path.name
        if name == MANIFEST or name in listed:
            continue
        if name in (RECORDS_DIR, TEXTS_DIR) and path.is_dir():
            for inner in sorted(path.rglob("*")):
                if _relative(run_dir, inner) not in listed and not (inner.is_dir() and any(inner.iterdir())):
                    report.errors.append(LineError(inner, 0, not_ours))
        elif name == PARTS_DIR and path.is_dir():
            for inner in sorted(path.iterdir()):
                if inner.name not in parts:
                    report.errors.append(LineError(
                        inner, 0, f"not part of run {context.run_id}: not the part of a document its manifest "
                        "lists (another run's, or a temporary file of an interrupted write)",
                    ))
        elif name == REVIEW_PAGE and path.is_file():
            _check_review_page(path, context, report)
        elif name == EXPORT_DIR and path.is_dir():
            _check_export(run_dir, context, report)
        else:
            what = "folder" if path.is_dir() else "file"
            report.errors.append(LineError(
                path, 0, f"not part of run {context.run_id}: its manifest does not list this {what}, and it is "
                "not this run's review page or export (another run's?)",
            ))


def _check_review_page(path: Path, context: _RunContext, report: ValidationReport) -> None:
    try:
        made_from = page_run_id(path.read_text(encoding="utf-8", errors="replace"))
    except OSError as exc:
        report.errors.append(LineError(path, 0, f"cannot be read: {exc.strerror or exc}"))
        return
    if made_from != context.run_id:
        which = f"run {made_from}" if made_from else "no run it names"
        report.errors.append(LineError(
            path, 0, f"stale: the review page was made from {which}, not from run {context.run_id} "
            "(run `extract view` again)",
        ))


def _check_export(run_dir: Path, context: _RunContext, report: ValidationReport) -> None:
    """RUN/export/: its manifest names this run, and lists every file in it with its sha256."""
    folder = run_dir / EXPORT_DIR
    manifest_path = run_dir / EXPORT_MANIFEST
    stale = "(run `extract export` again)"
    try:
        exported = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        exported = None
    if not isinstance(exported, dict) or not isinstance(exported.get("files"), dict):
        report.errors.append(LineError(
            folder, 0, f"stale: no readable {EXPORT_MANIFEST} names the run these tables were made from {stale}"
        ))
        return
    if exported.get("run_id") != context.run_id:
        report.errors.append(LineError(
            folder, 0, f"stale: the export was made from run {exported.get('run_id')}, not from run "
            f"{context.run_id} {stale}",
        ))
        return
    files: dict[str, Any] = exported["files"]
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_dir() or path == manifest_path:
            continue
        entry = files.get(name)
        if not isinstance(entry, dict):
            report.errors.append(LineError(path, 0, f"not part of the export of run {context.run_id}: "
                                           f"{EXPORT_MANIFEST} does not list it"))
        elif sha256_file(path) != entry.get("sha256"):
            report.errors.append(LineError(path, 0, "not the file the export wrote: its sha256 differs from "
                                           f"{EXPORT_MANIFEST}'s (edited after the export?)"))
    for name in files:
        if not (folder / name).is_file():
            report.errors.append(LineError(folder / name, 0, f"missing: {EXPORT_MANIFEST} lists it"))


def _run_context(run_dir: Path, docs: Path | None, report: ValidationReport) -> _RunContext | None:
    path = run_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.errors.append(LineError(path, 0, f"not a readable JSON manifest ({exc})"))
        return None
    if not isinstance(manifest, dict):
        report.errors.append(LineError(path, 0, "not a manifest (a JSON object)"))
        return None
    problems = []
    if not isinstance(manifest.get("run_id"), str):
        problems.append("no run_id (written by an extract older than run ids)")
    if not isinstance(manifest.get("files"), dict):
        problems.append("no list of the run's files with their sha256")
    if not isinstance(manifest.get("inputs"), list):
        problems.append("no list of inputs")
    for problem in problems:
        report.errors.append(LineError(path, 0, problem))
    if problems:
        return None
    return _RunContext(
        run_dir=run_dir, manifest=manifest, docs_dir=docs,
        spans_required=_version(manifest.get("schema_version")) >= SPANS_SINCE,
    )


def _check_listed(run_dir: Path, context: _RunContext, path: Path, report: ValidationReport) -> None:
    entry = (context.manifest or {}).get("files", {}).get(_relative(run_dir, path))
    if entry is None:
        return  # reported as unlisted by the caller that lists the folder
    if sha256_file(path) != entry.get("sha256"):
        report.errors.append(LineError(
            path, 0, f"not the file run {context.run_id} wrote: its sha256 differs from the manifest's "
            "(edited after the run, or another run's file)",
        ))


def _name_side_file(path: Path, report: ValidationReport) -> None:
    run_dir = path.parent
    what = SIDE_FILES[path.name]
    if path.name == MANIFEST or not (run_dir / MANIFEST).is_file():
        report.notes.append(f"{path}: {what}; not records (validate its run folder: extract validate {run_dir})")
        return
    _check_run_file(run_dir, path, f"{what}; not records", report, counted=True)


def _is_records_folder(path: Path) -> bool:
    """RUN/records given instead of RUN: a folder named records/ inside a run folder."""
    return path.name == RECORDS_DIR and not (path / MANIFEST).exists() and (
        (path.parent / MANIFEST).is_file() or any((path / f"{t}.jsonl").is_file() for t in RECORD_TYPES)
    )


def _name_saved_text(path: Path, report: ValidationReport) -> None:
    """RUN/texts/<doc_id>.txt: the text a document's offsets refer to, not a record file."""
    run_dir = path.parent.parent
    what = f"the saved text of document {path.stem!r} (the text its offsets refer to); not records"
    _check_run_file(run_dir, path, what, report, counted=False)


def _check_run_file(run_dir: Path, path: Path, what: str, report: ValidationReport, *, counted: bool) -> None:
    """A file of a run that is not a record file: listed in its manifest with the hash it has, and
    named as what it is when it is."""
    context = _run_context(run_dir, None, report)
    if context is None:
        return
    if counted:
        report.files += 1
    before = len(report.errors)
    _check_listed(run_dir, context, path, report)
    if _relative(run_dir, path) not in (context.manifest or {}).get("files", {}):
        report.errors.append(LineError(path, 0, f"not part of run {context.run_id}: its manifest does not list it"))
    if len(report.errors) == before:
        report.notes.append(f"{path}: {what}; it is the file run {context.run_id} wrote")


def _relative(run_dir: Path, path: Path) -> str:
    return path.relative_to(run_dir).as_posix()


def _version(value: Any) -> tuple[int, int]:
    match = re.match(r"(\d+)\.(\d+)", str(value or ""))
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


# --- A record file -----------------------------------------------------------------------------------


def _validate_record_file(path: Path, context: _RunContext, report: ValidationReport) -> None:
    report.files += 1
    in_run = context.run_dir is not None
    expected_type = path.stem if in_run else None
    if in_run and path.stem not in RECORD_TYPES:
        report.errors.append(LineError(path, 0, f"not a record file: {path.stem!r} is not a record type"))
        return
    numbered, errors = read_numbered_records(path)
    report.errors.extend(errors)
    for number, record in numbered:
        problems = _record_problems(record, expected_type, context)
        where = f"{path}:{number}"
        first = context.seen_ids.setdefault(record.id, where)
        if first != where:
            problems.append(f"duplicate id {record.id} (first at {first})")
        report.errors.extend(LineError(path, number, problem) for problem in problems)
        if not problems:
            report.valid += 1


def _record_problems(record: Record, expected_type: str | None, context: _RunContext) -> list[str]:
    problems: list[str] = []
    if expected_type is not None and record.record_type != expected_type:
        problems.append(f"a {record.record_type} record in {expected_type}.jsonl")
    earned = record.content_id()
    # Only a run derives ids from content; a gold file's ids are its annotator's.
    if context.run_dir is not None and record.id != earned:
        problems.append(f"id {record.id} is not the id its content earns ({earned}): edited after the run?")
    text = _document(record.doc_id, context, problems)
    values = _values(record)
    if context.spans_required:
        missing = sorted(set(values) - set(record.spans))
        if missing:
            problems.append(f"spans: no span for {', '.join(missing)}")
    for path in record.spans:
        if path not in values and path not in _normalized_paths(record):
            problems.append(f"spans: {path} names no value of the record")
    if text is None:
        return problems
    for index, evidence in enumerate(record.evidence):
        found = text[evidence.start : evidence.end]
        if found != evidence.text:
            problems.append(
                f"evidence[{index}]: the document's characters {evidence.start}..{evidence.end} are "
                f"{_show(found)}, not the evidence text {_show(evidence.text)}"
            )
    problems.extend(_span_problems(record, values, text))
    return problems


def _document(doc_id: str, context: _RunContext, problems: list[str]) -> str | None:
    """The document's text, or None (with the reason in `problems` when the spans should be checked)."""
    if doc_id not in context.documents:
        context.documents[doc_id] = _load(doc_id, context)
    found = context.documents[doc_id]
    if isinstance(found, Document):
        return found.text
    if context.manifest is not None or context.docs_dir is not None:
        problems.append(found)
    return None


def _load(doc_id: str, context: _RunContext) -> Document | str:
    inputs = {
        entry.get("doc_id"): entry for entry in (context.manifest or {}).get("inputs", []) if isinstance(entry, dict)
    }
    entry = inputs.get(doc_id)
    if context.manifest is not None and entry is None:
        return f"doc_id {doc_id!r} is not an input of run {context.run_id}"
    path: Path | None = Path(entry["path"]) if entry and entry.get("path") else None
    if context.docs_dir is None and context.run_dir and entry and entry.get("text"):
        outside = saved_text_problem(context.run_dir, str(entry["text"]))
        if outside:
            return outside
        kept = context.run_dir / entry["text"]
        if kept.is_file():
            # The text the offsets refer to, as the run kept it (HTML and PDF give no other); the
            # manifest's sha256 of it is checked with the run's other files.
            text = kept.read_bytes().decode("utf-8", errors="replace")
            return Document(doc_id, kept, text, sha256=str(entry.get("sha256", "")))
    if context.docs_dir is not None:
        by_name = context.docs_dir / path.name if path else None
        articles = find_articles(context.docs_dir, recursive=True)
        ids = document_ids(articles)  # the ids a run of that folder gives (stems, or path-derived)
        found = [p for p in articles if ids[p] == doc_id]
        path = by_name if by_name and by_name.is_file() else (found[0] if found else None)
        if path is None:
            return f"document {doc_id!r} is not in {context.docs_dir}: its spans cannot be checked"
    if path is None:
        return f"document {doc_id!r} has no path: its spans cannot be checked (give --docs DIR)"
    if not path.is_file():
        return f"document {path} is missing: its spans cannot be checked (give --docs DIR)"
    loaded = load_document(path)
    if not isinstance(loaded, Document):
        return f"document {loaded}"
    if entry and entry.get("sha256") and entry["sha256"] != loaded.sha256:
        return f"document {path} has changed since the run (its sha256 is not the manifest's): spans not checked"
    return loaded


def _values(record: Record) -> dict[str, str]:
    """Field path -> value, for every verbatim (not computed) text value of the record."""
    values: dict[str, str] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, f"{path}[{index}]")
        elif isinstance(value, str) and path.rsplit(".", 1)[-1].split("[", 1)[0] not in COMPUTED_KEYS:
            values[path] = value

    walk(record.model_dump(mode="json", exclude={"id", "doc_id", "record_type", "evidence", "spans"}), "")
    return values


def _normalized_paths(record: Record) -> dict[str, tuple[str, Any]]:
    """Field path of each normalized value -> (the paths of the verbatim words it may point at, value)."""
    found: dict[str, tuple[str, Any]] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            prefix = f"{path}." if path else ""
            if path and isinstance(value.get("text"), str):
                for key in NORMALIZED_FROM_TEXT:
                    if value.get(key) is not None:
                        found[f"{prefix}{key}"] = (f"{prefix}text", value[key])
            if value.get("country") is not None and isinstance(value.get("name"), str):
                found[f"{prefix}country"] = (f"{prefix}name|{prefix}role", value["country"])
            if value.get("quantity") is not None:
                found[f"{prefix}quantity"] = ("", value["quantity"])
            for key, child in value.items():
                walk(child, f"{prefix}{key}")
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, f"{path}[{index}]")

    walk(record.model_dump(mode="json", exclude={"id", "doc_id", "record_type", "evidence", "spans"}), "")
    return found


def _span_problems(record: Record, values: dict[str, str], text: str) -> list[str]:
    problems: list[str] = []
    normalized = _normalized_paths(record)
    for path, (start, end) in record.spans.items():
        if end > len(text):
            problems.append(f"spans: {path} ends at {end}, past the document's end ({len(text)})")
            continue
        words = text[start:end]
        if path in values:
            value = values[path]
            if words != value and squash(words) != squash(value):
                problems.append(f"spans: {path} points at {_show(words)}, not its value {_show(value)}")
        elif path in normalized:
            sources, value = normalized[path]
            if sources:
                allowed = [tuple(record.spans[s]) for s in sources.split("|") if s in record.spans]
                if (start, end) not in allowed:
                    problems.append(
                        f"spans: {path} ({value}) points at {_show(words)}, not the words it was normalized from"
                    )
            elif words.lower() not in [word.lower() for word in count_words(int(value))]:
                problems.append(f"spans: {path} ({value}) points at {_show(words)}, not a count of {value}")
    return problems


def _show(text: str) -> str:
    shown = text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
    return json.dumps(shown, ensure_ascii=False)
