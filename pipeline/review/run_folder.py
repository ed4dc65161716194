"""Reading a run folder for the review page and the exports: `pipeline.output.read_run` (records,
rejects, manifest; every line checked, problems named file:line) plus the text each document's
offsets refer to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.documents import saved_text_problem
from pipeline.output import read_run
from schemas import Record

SAVED_TEXT_KEY = "text"
"""The manifest input key naming the saved text the offsets refer to (`texts/<doc_id>.txt`, relative
to the run folder)."""


@dataclass
class RunFolder:
    path: Path
    manifest: dict[str, Any]
    records: dict[str, list[dict[str, Any]]]
    """Per record type (in RECORD_TYPES order), the records in file order as JSON objects."""
    models: list[Record] = field(default_factory=list)
    """The same records as record models (what `pipeline.evaluate.score` takes)."""
    rejects: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    """Lines that could not be read and were left out (file:line: reason), with skip_bad_lines."""

    def all_records(self) -> list[dict[str, Any]]:
        return [record for rows in self.records.values() for record in rows]

    @property
    def inputs(self) -> list[dict[str, Any]]:
        inputs = self.manifest.get("inputs")
        return [entry for entry in inputs if isinstance(entry, dict)] if isinstance(inputs, list) else []


def read_run_folder(run_dir: Path, *, skip_bad_lines: bool = False) -> RunFolder:
    """Read a run folder with `read_run`; raises pipeline.output.RunReadError naming every problem
    (with `skip_bad_lines`, only problems of the folder itself: bad lines are left out and named)."""
    contents = read_run(Path(run_dir), skip_bad_lines=skip_bad_lines)
    records = {name: [record.model_dump(mode="json") for record in found] for name, found in contents.records.items()}
    return RunFolder(
        Path(run_dir), contents.manifest or {}, records, contents.all_records, contents.rejects, contents.left_out
    )
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
        problem = saved_text_problem(run_dir, entry[SAVED_TEXT_KEY])
        if problem:
            return None, problem
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
