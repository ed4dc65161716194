"""Reading a run folder for the review page and the exports: records, rejects, manifest, texts.

Accepts both layouts of the run folder: records in `RUN/records/<type>.jsonl` (with the side files
at RUN/) and the earlier `RUN/<type>.jsonl`. Records are kept as the JSON objects of their lines
(so a value-level `spans` map is read whether or not the installed schema declares it) after each
line has been checked against its record model; an invalid line is reported as file:line and
skipped, so one bad line never hides the other records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas import RECORD_TYPES

MANIFEST = "manifest.json"
REJECTS = "rejects.jsonl"
RECORDS_FOLDER = "records"
SAVED_TEXT_KEY = "text"
"""The manifest input key naming the saved text the offsets refer to (`texts/<doc_id>.txt`, relative
to the run folder), written by runs that save it."""


class RunFolderError(Exception):
    """The folder cannot be read as a run folder; the message names the folder and the problem."""


@dataclass
class RunFolder:
    path: Path
    manifest: dict[str, Any]
    records: dict[str, list[dict[str, Any]]]
    """Per record type (in RECORD_TYPES order), the records in file order."""
    rejects: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Lines that could not be read, as `file:line: reason`."""

    def all_records(self) -> list[dict[str, Any]]:
        return [record for rows in self.records.values() for record in rows]

    @property
    def inputs(self) -> list[dict[str, Any]]:
        inputs = self.manifest.get("inputs")
        return [entry for entry in inputs if isinstance(entry, dict)] if isinstance(inputs, list) else []


def record_path(run_dir: Path, record_type: str) -> Path:
    """Where a type's records are: RUN/records/<type>.jsonl, else RUN/<type>.jsonl."""
    nested = run_dir / RECORDS_FOLDER / f"{record_type}.jsonl"
    return nested if nested.is_file() else run_dir / f"{record_type}.jsonl"


def read_run_folder(run_dir: Path) -> RunFolder:
    """Read a run folder; raises RunFolderError when it is not one (no manifest and no record file)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunFolderError(f"{run_dir}: not a folder")
    paths = {name: record_path(run_dir, name) for name in RECORD_TYPES}
    manifest_path = run_dir / MANIFEST
    if not manifest_path.is_file() and not any(path.is_file() for path in paths.values()):
        raise RunFolderError(f"{run_dir}: not a run folder (no {MANIFEST} and no record files)")
    problems: list[str] = []
    manifest: dict[str, Any] = {}
    if manifest_path.is_file():
        try:
            loaded = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{manifest_path}: cannot be read: {exc}")
        else:
            if isinstance(loaded, dict):
                manifest = loaded
            else:
                problems.append(f"{manifest_path}: not a JSON object")
    records: dict[str, list[dict[str, Any]]] = {}
    for record_type, path in paths.items():
        rows = _read_rows(path, problems)
        records[record_type] = [row for row in rows if _is_record(row, record_type, path, problems)]
    rejects = list(_read_rows(run_dir / REJECTS, problems))
    return RunFolder(run_dir, manifest, records, rejects, problems)


def _read_rows(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL file, each with its line number under `_line`; a missing file is empty."""
    if not path.is_file():
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot be read: {exc}")
        return []
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: not JSON: {exc.msg}")
            continue
        if not isinstance(row, dict):
            problems.append(f"{path}:{number}: not a JSON object")
            continue
        row["_line"] = f"{path}:{number}"
        rows.append(row)
    return rows


def _is_record(row: dict[str, Any], record_type: str, path: Path, problems: list[str]) -> bool:
    """Check a line against its record model; a key the installed schema does not declare (such as
    a newer `spans` map) is left out of the check, not reported."""
    where = row.pop("_line")
    if row.get("record_type") != record_type:
        problems.append(f"{where}: a {row.get('record_type')!r} record in {path.name}")
        return False
    model = RECORD_TYPES[record_type]
    try:
        model.model_validate({key: value for key, value in row.items() if key in model.model_fields})
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        location = ".".join(str(part) for part in first["loc"]) or "(line)"
        problems.append(f"{where}: {location}: {first['msg']}")
        return False
    return True


def model_record(row: dict[str, Any]) -> Any:
    """The record model instance of a checked row (keys the model does not declare left out)."""
    model = RECORD_TYPES[row["record_type"]]
    return model.model_validate({key: value for key, value in row.items() if key in model.model_fields})


def document_text(run_dir: Path, entry: dict[str, Any]) -> tuple[str | None, str | None]:
    """The text a manifest input's offsets refer to, and a problem when it cannot be had.

    Prefers the text the run saved (`texts/<doc_id>.txt` in the run folder: the extracted text of
    an HTML or PDF input) over the input file. A relative input path is looked up from the current
    folder, the run folder and the run folder's parents, since runs are usually started from a
    folder above the run folder. The text is decoded as the pipeline
    decodes it (UTF-8, universal newlines), so offsets slice it the same way.
    """
    candidates: list[tuple[str, list[Path]]] = []
    if isinstance(entry.get(SAVED_TEXT_KEY), str):
        candidates.append((entry[SAVED_TEXT_KEY], [run_dir]))
    if isinstance(entry.get("path"), str):
        candidates.append((entry["path"], [Path.cwd(), run_dir, *run_dir.resolve().parents]))
    if not candidates:
        return None, "the manifest names no file for this document"
    for name, bases in candidates:
        path = _locate(Path(name), bases)
        if path is None:
            continue
        try:
            raw = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return None, f"{path}: cannot be read: {exc}"
        text = raw.replace("\r\n", "\n").replace("\r", "\n")
        characters = entry.get("characters")
        if isinstance(characters, int) and characters != len(text):
            return text, f"{path} has {len(text)} characters, the run read {characters}: it changed since the run"
        return text, None
    looked = " or ".join(name for name, _ in candidates)
    return None, f"{looked}: not found (looked in the run folder, the current folder and the run folder's parents)"


def _locate(path: Path, bases: list[Path]) -> Path | None:
    if path.is_absolute():
        return path if path.is_file() else None
    return next((base / path for base in bases if (base / path).is_file()), None)
